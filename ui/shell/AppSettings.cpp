// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/shell/AppSettings.h"

namespace stint::ui {

namespace {
const QString kCloudUrl = QStringLiteral("cloud/url");
const QString kLanguage = QStringLiteral("ui/language");
const QString kGeometry = QStringLiteral("ui/windowGeometry");
const QString kLastTab = QStringLiteral("ui/lastTab");
} // namespace

QString AppSettings::serviceKey(const QString& cloudOrigin, const char* name)
{
    // QSettings treats '/' as a group separator and is picky about ':'; percent-encode the origin into one key.
    return QStringLiteral("services/") + QString::fromLatin1(QUrl::toPercentEncoding(cloudOrigin)) + QLatin1Char('/')
        + QLatin1String(name);
}

QUrl AppSettings::serviceUrlFromText(const QString& text)
{
    QString t = text.trimmed();
    if (t.isEmpty())
        return {};
    if (!t.contains(QLatin1String("://")))
        t.prepend(QLatin1String("https://"));
    QUrl url(t, QUrl::StrictMode);
    if (url.path() == QLatin1String("/"))
        url.setPath(QString());
    return url.adjusted(QUrl::StripTrailingSlash);
}

QUrl AppSettings::cloudUrl() const
{
    return QUrl(m_store.value(kCloudUrl).toString());
}

void AppSettings::setCloudUrl(const QUrl& url)
{
    m_store.setValue(kCloudUrl, url.toString());
}

QString AppSettings::language() const
{
    const QString language = m_store.value(kLanguage).toString();
    return languages().contains(language) ? language : QString();
}

void AppSettings::setLanguage(const QString& language)
{
    if (language.isEmpty())
        m_store.remove(kLanguage);
    else
        m_store.setValue(kLanguage, language);
}

QByteArray AppSettings::windowGeometry() const
{
    return m_store.value(kGeometry).toByteArray();
}

void AppSettings::setWindowGeometry(const QByteArray& geometry)
{
    m_store.setValue(kGeometry, geometry);
}

QString AppSettings::lastTab() const
{
    return m_store.value(kLastTab).toString();
}

void AppSettings::setLastTab(const QString& tab)
{
    m_store.setValue(kLastTab, tab);
}

QString AppSettings::lastPersonId(const QString& cloudOrigin) const
{
    return m_store.value(serviceKey(cloudOrigin, "personId")).toString();
}

QString AppSettings::lastEmail(const QString& cloudOrigin) const
{
    return m_store.value(serviceKey(cloudOrigin, "email")).toString();
}

void AppSettings::setLastPerson(const QString& cloudOrigin, const QString& personId, const QString& email)
{
    m_store.setValue(serviceKey(cloudOrigin, "personId"), personId);
    m_store.setValue(serviceKey(cloudOrigin, "email"), email);
}

void AppSettings::forgetLastPerson(const QString& cloudOrigin)
{
    m_store.remove(serviceKey(cloudOrigin, "personId"));
}

} // namespace stint::ui
