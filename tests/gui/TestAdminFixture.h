// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The world the admin view's GUI tests run in: FakeCloud behind the real CloudApi and Workspace, the real credential
// keeper and tenant connector (its browser played by the test), FakeDesktop, and a clock that moves when told. The
// clock starts at this machine's time on a whole second, so the service's Date header (whole seconds) keeps
// Workspace::serverNow() within a second of it.

#include "client/CloudApi.h"
#include "client/CredentialKeeper.h"
#include "client/Workspace.h"
#include "client/loopback/LoopbackFlows.h"
#include "support/client/FakeCloud.h"
#include "support/client/FakeDesktop.h"
#include "ui/common/UiContext.h"

#include <QAbstractButton>
#include <QAbstractItemView>
#include <QApplication>
#include <QDialog>
#include <QLineEdit>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QTest>
#include <QUrlQuery>
#include <functional>
#include <memory>

namespace stint::test {

inline const QString kHelpdeskRole = QStringLiteral("729827e3-9c14-49f7-bb1b-9608f156bbb8");
inline const QString kUserAdminRole = QStringLiteral("fe930be7-5e62-47db-91af-98c3a49a38b1");
inline const QString kGlobalAdminRole = QStringLiteral("62e90394-69f5-4237-9190-012177145e10");

struct AdminWorld
{
    ManualClock clock {(QDateTime::currentMSecsSinceEpoch() / 1000) * 1000};
    FakeCloud cloud {clock};
    client::CloudApi api {cloud};
    client::Workspace workspace {api, cloud.channel(), clock};
    client::CredentialKeeper credentials {workspace};
    FakeDesktop desktop;
    // What "opening the browser" does; by default nothing (the test drives the loopback itself).
    std::function<bool(const QUrl&)> browser = [](const QUrl&) { return true; };
    QList<QUrl> opened;
    client::TenantConnector connector {api, [this](const QUrl& url) {
                                           opened.append(url);
                                           return browser(url);
                                       }};
    ui::UiContext context {workspace, credentials, desktop, clock, &connector};

    models::Person admin;
    models::Person otherAdmin;
    models::Person ada;
    models::Person tom;
    models::Tenant contoso;
    models::Tenant fabrikam;

    AdminWorld()
    {
        admin = cloud.addPerson(QStringLiteral("grace@msp.example"), QStringLiteral("Grace Admin"),
                                QStringLiteral("admin"));
        otherAdmin = cloud.addPerson(QStringLiteral("linus@msp.example"), QStringLiteral("Linus Admin"),
                                     QStringLiteral("admin"));
        ada = cloud.addPerson(QStringLiteral("ada@msp.example"), QStringLiteral("Ada Lovelace"),
                              QStringLiteral("technician"));
        tom = cloud.addPerson(QStringLiteral("tom@msp.example"), QStringLiteral("Tom Tech"),
                              QStringLiteral("technician"));
        contoso = cloud.addTenant(QStringLiteral("Contoso"),
                                  {{kHelpdeskRole, QStringLiteral("Helpdesk Administrator")},
                                   {kUserAdminRole, QStringLiteral("User Administrator")}});
        fabrikam
            = cloud.addTenant(QStringLiteral("Fabrikam"), {{kHelpdeskRole, QStringLiteral("Helpdesk Administrator")}},
                              QStringLiteral("not_connected"));
    }

    // Signs in as `who` (the admin by default) and waits until the workspace is live.
    bool start(const models::Person* who = nullptr)
    {
        const QByteArray token = cloud.sessionFor((who ? who : &admin)->id);
        cloud.setSessionToken(crypto::SecretBytes(token));
        workspace.start(crypto::SecretBytes(token));
        // Generous: 5,000 tenants page in 25 pages, which takes seconds in a sanitizer build on a busy machine.
        return QTest::qWaitFor([this] { return workspace.link() == client::Workspace::Link::Live; }, 60000);
    }

    // A checkout of `technician` in `tenant`, moved to `state` the way the engine would.
    models::Checkout checkout(const models::Person& technician, const models::Tenant& tenant,
                              models::CheckoutState state, int minutes = 60)
    {
        models::Checkout c;
        c.tenantId = tenant.id;
        c.technicianId = technician.id;
        c.roleDefinitionIds = {kHelpdeskRole};
        c.durationMinutes = minutes;
        c.justification = QStringLiteral("Reset a user's MFA");
        c.ticket = QStringLiteral("T-1234");
        c.requestedAt = clock.now();
        // A failed revocation comes the engine's way (from revoking), which also raises its alert.
        c.state = state == models::CheckoutState::RevokeFailed ? models::CheckoutState::Revoking : state;
        if (c.state == models::CheckoutState::Revoking || c.state == models::CheckoutState::Ready) {
            c.readyAt = clock.now();
            c.expiresAt = clock.now() + qint64(minutes) * 60'000;
        }
        models::Checkout added = cloud.addCheckout(c);
        if (state == models::CheckoutState::RevokeFailed)
            cloud.advance(added.id, state, QStringLiteral("Graph answered 503 three times"));
        return cloud.checkout(added.id);
    }

    // The requests sent for `method` `path` (exact path), newest last.
    QList<client::ApiRequest> sent(const QByteArray& method, const QString& path) const
    {
        QList<client::ApiRequest> out;
        for (const client::ApiRequest& r : cloud.requests()) {
            if (r.method == method && r.path == path)
                out.append(r);
        }
        return out;
    }
};

// The top-level dialog of `type` that is open now (dialogs are opened with open(), never exec()).
template <typename T> T* openDialog(const QString& objectName = {})
{
    for (QWidget* w : QApplication::topLevelWidgets()) {
        auto* d = qobject_cast<T*>(w);
        if (d && d->isVisible() && (objectName.isEmpty() || d->objectName() == objectName))
            return d;
    }
    return nullptr;
}

template <typename T> T* child(QObject* parent, const QString& name)
{
    return parent ? parent->findChild<T*>(name) : nullptr;
}

inline void click(QWidget* parent, const QString& buttonName)
{
    auto* button = child<QAbstractButton>(parent, buttonName);
    if (!button) {
        QTest::qFail(qPrintable(QStringLiteral("no button %1").arg(buttonName)), __FILE__, __LINE__);
        return;
    }
    QTest::mouseClick(button, Qt::LeftButton);
}

inline void type(QWidget* parent, const QString& editName, const QString& text)
{
    auto* edit = child<QLineEdit>(parent, editName);
    if (!edit) {
        QTest::qFail(qPrintable(QStringLiteral("no line edit %1").arg(editName)), __FILE__, __LINE__);
        return;
    }
    edit->clear();
    QTest::keyClicks(edit, text);
}

// Selects the row whose first column shows `text` in the item view `viewName`.
inline bool selectRow(QWidget* parent, const QString& viewName, const QString& text)
{
    auto* view = child<QAbstractItemView>(parent, viewName);
    if (!view)
        return false;
    QAbstractItemModel* model = view->model();
    for (int row = 0; row < model->rowCount(); ++row) {
        const QModelIndex index = model->index(row, 0);
        if (index.data().toString() == text || index.data().toString().startsWith(text + QLatin1Char(' '))) {
            view->setCurrentIndex(index);
            return true;
        }
    }
    return false;
}

// Ticks the entries of a checkable list view whose text starts with one of `labels`.
inline int tick(QWidget* parent, const QString& viewName, const QStringList& labels, bool on = true)
{
    auto* view = child<QAbstractItemView>(parent, viewName);
    if (!view)
        return 0;
    int n = 0;
    QAbstractItemModel* model = view->model();
    for (int row = 0; row < model->rowCount(); ++row) {
        const QModelIndex index = model->index(row, 0);
        for (const QString& label : labels) {
            if (index.data().toString().startsWith(label)) {
                model->setData(index, on ? Qt::Checked : Qt::Unchecked, Qt::CheckStateRole);
                ++n;
            }
        }
    }
    return n;
}

// The browser coming back to the app's loopback listener with `query`.
inline QNetworkReply* redirectBack(QNetworkAccessManager& net, const QUrl& authorizationUrl, const QString& query)
{
    const QUrl redirect(QUrlQuery(authorizationUrl).queryItemValue(QStringLiteral("redirect_uri"), QUrl::FullyDecoded));
    QUrl back = redirect;
    back.setQuery(query);
    return net.get(QNetworkRequest(back));
}

} // namespace stint::test
