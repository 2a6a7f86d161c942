// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QHash>
#include <QString>
#include <QUrl>
#include <QVariant>

// What the app remembers between runs — none of it secret: which Stint service, the language, the window's geometry,
// who signed in last on each service (so their saved data opens before the network answers, and sign-in can offer
// their email) and the tab they were on. The typed keys live here once; where they are kept is a SettingsStore the
// app passes in (QSettings in the app, memory in tests), so ui/ does no disk I/O of its own.
namespace stint::ui {

class SettingsStore
{
public:
    virtual ~SettingsStore() = default;
    virtual QVariant value(const QString& key) const = 0;
    virtual void setValue(const QString& key, const QVariant& value) = 0;
    virtual void remove(const QString& key) = 0;
};

// Settings that live only as long as the process (tests; a run that must leave nothing behind).
class MemorySettingsStore final : public SettingsStore
{
public:
    QVariant value(const QString& key) const override { return m_values.value(key); }
    void setValue(const QString& key, const QVariant& value) override { m_values.insert(key, value); }
    void remove(const QString& key) override { m_values.remove(key); }

private:
    QHash<QString, QVariant> m_values;
};

class AppSettings
{
public:
    explicit AppSettings(SettingsStore& store)
        : m_store(store)
    {
    }

    // The languages Stint offers; "" follows the system.
    static QStringList languages() { return {QString(), QStringLiteral("en"), QStringLiteral("de")}; }

    // A service address as a person types it ("stint.example.net" → https://stint.example.net), normalized so the same
    // service is the same URL (no trailing slash). Empty for empty text; checking it is HttpTransport's.
    static QUrl serviceUrlFromText(const QString& text);

    QUrl cloudUrl() const;
    void setCloudUrl(const QUrl& url);
    QString language() const;
    void setLanguage(const QString& language);
    QByteArray windowGeometry() const;
    void setWindowGeometry(const QByteArray& geometry);
    // "technician" or "admin": the tab shown last.
    QString lastTab() const;
    void setLastTab(const QString& tab);

    // Per service (its origin): who signed in last there.
    QString lastPersonId(const QString& cloudOrigin) const;
    QString lastEmail(const QString& cloudOrigin) const;
    void setLastPerson(const QString& cloudOrigin, const QString& personId, const QString& email);
    void forgetLastPerson(const QString& cloudOrigin);

private:
    static QString serviceKey(const QString& cloudOrigin, const char* name);
    SettingsStore& m_store;
};

} // namespace stint::ui
