// SPDX-License-Identifier: GPL-3.0-or-later
// The admin view as a whole: the side navigation works from the keyboard and the view's slots (showPage,
// showTenant, showApproval) land on the right thing; every page and dialog names its interactive widgets for tests and
// for assistive technology; Esc closes a confirmation without doing anything and Enter does not confirm one by
// mistake; a technician who reaches the view is told it is for admins; a session that starts offline from nothing says
// so without a banner about stale state. With STINT_SCREENSHOT_DIR set, it saves a picture of every page and dialog.
#include "TestAdminFixture.h"
#include "ui/admin/AdminView.h"
#include "ui/admin/ConfirmDialog.h"
#include "ui/common/Style.h"

#include <QAbstractSpinBox>
#include <QComboBox>
#include <QDir>
#include <QLabel>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QSignalSpy>
#include <QStackedWidget>
#include <QtTest>

using namespace stint;
using namespace stint::test;
using ui::AdminView;

namespace {

// Interactive widgets a person reaches with Tab that have no name for tests or no name for a screen reader.
QStringList unnamed(QWidget* root)
{
    QStringList problems;
    for (QWidget* w : root->findChildren<QWidget*>()) {
        if (!(w->focusPolicy() & Qt::TabFocus) || !w->isVisibleTo(root))
            continue;
        // Parts of a compound widget (a spin box's editor, a view's scroll bars, a combo's line edit).
        bool part = false;
        for (QWidget* p = w->parentWidget(); p && p != root; p = p->parentWidget())
            part = part || qobject_cast<QAbstractSpinBox*>(p) || qobject_cast<QComboBox*>(p)
                || qobject_cast<QAbstractItemView*>(p);
        if (part || w->objectName().startsWith(QLatin1String("qt_")))
            continue;
        const QString what
            = QStringLiteral("%1 '%2' in %3")
                  .arg(QString::fromLatin1(w->metaObject()->className()), w->objectName(), root->objectName());
        if (w->objectName().isEmpty())
            problems << QStringLiteral("no object name: ") + what;
        QString name = w->accessibleName();
        if (auto* button = qobject_cast<QAbstractButton*>(w); button && name.isEmpty())
            name = button->text();
        if (name.isEmpty()) {
            // A label that is the widget's buddy names it too.
            for (QLabel* label : root->findChildren<QLabel*>()) {
                if (label->buddy() == w)
                    name = label->text();
            }
        }
        if (name.isEmpty())
            problems << QStringLiteral("no accessible name: ") + what;
    }
    return problems;
}

void shoot(QWidget* w, const QString& name)
{
    const QString dir = qEnvironmentVariable("STINT_SCREENSHOT_DIR");
    if (dir.isEmpty())
        return;
    QDir().mkpath(dir);
    w->grab().save(QDir(dir).filePath(name + QStringLiteral(".png")));
}

models::ConnectionState healthy(const models::Tenant& t, TimeMs now)
{
    models::ConnectionState s;
    s.tenantId = t.id;
    s.status = QStringLiteral("unhealthy");
    s.entraTenantId = QStringLiteral("aaaabbbb-0000-cccc-1111-dddd2222eeee");
    s.nationalCloud = QStringLiteral("global");
    s.multiTenantAppConfigured = true;
    models::ConnectionReport r;
    r.entraTenantId = *s.entraTenantId;
    r.displayName = QStringLiteral("Contoso Ltd");
    r.domains
        = {{QStringLiteral("contoso.com"), true, false}, {QStringLiteral("contoso.onmicrosoft.com"), false, true}};
    r.roleDefinitions
        = {{kHelpdeskRole, QStringLiteral("Helpdesk Administrator"), QStringLiteral("Resets passwords"), true, true},
           {kUserAdminRole, QStringLiteral("User Administrator"), QStringLiteral("Manages users"), true, true},
           {kGlobalAdminRole, QStringLiteral("Global Administrator"), QStringLiteral("Everything"), true, true}};
    r.findings = {{QStringLiteral("error"), QStringLiteral("sp_role.insufficient"),
                   QStringLiteral("Stint's service principal holds neither Privileged Authentication Administrator nor "
                                  "Global Administrator: it cannot disable, reset or delete an account that holds an "
                                  "admin role.")},
                  {QStringLiteral("warning"), QStringLiteral("tap.bounds"),
                   QStringLiteral("The tenant's Temporary Access Pass policy allows at most 30 minutes.")}};
    r.checkedAt = now - 5 * 60'000;
    s.report = r;
    s.checkedAt = r.checkedAt;
    s.lastReconciledAt = now - 3600'000;
    s.driftFound = 1;
    return s;
}

} // namespace

class TestAdminView : public QObject
{
    Q_OBJECT

    // A lived-in organization: tenants in every state, people, a group, policies, requests, live checkouts, alerts,
    // audit events, webhooks.
    struct Screen
    {
        AdminWorld w;
        std::unique_ptr<AdminView> view;
        models::Checkout waiting;

        void populate()
        {
            w.cloud.setConnectionState(healthy(w.contoso, w.clock.now()));
            w.cloud.addTenant(QStringLiteral("Northwind Traders"),
                              {{kHelpdeskRole, QStringLiteral("Helpdesk Administrator")}});
            w.cloud.addTenant(QStringLiteral("Adatum Corporation"), {}, QStringLiteral("not_connected"));
            const auto barbara = w.cloud.addPerson(QStringLiteral("barbara@msp.example"),
                                                   QStringLiteral("Barbara Liskov"), QStringLiteral("technician"));
            const auto group = w.cloud.addGroup(QStringLiteral("Helpdesk team"), {w.ada.id, w.tom.id, barbara.id});
            w.cloud.addPolicy(QStringLiteral("Helpdesk resets"), {w.contoso.id}, {group.id}, {kHelpdeskRole}, 60, true);
            w.cloud.addPolicy(QStringLiteral("User administration"), {w.contoso.id}, {w.ada.id},
                              {kHelpdeskRole, kUserAdminRole}, 240, true, true, true);
            w.cloud.addInvite(QStringLiteral("edsger@msp.example"), QStringLiteral("technician"),
                              QStringLiteral("Edsger"));
            waiting = w.checkout(w.ada, w.contoso, models::CheckoutState::AwaitingApproval, 120);
            w.checkout(w.tom, w.contoso, models::CheckoutState::Ready, 45);
            w.checkout(barbara, w.contoso, models::CheckoutState::Ready, 90);
            w.checkout(w.tom, w.fabrikam, models::CheckoutState::RevokeFailed);
            for (int i = 0; i < 30; ++i)
                w.cloud.addAuditEvent(i % 3 ? QStringLiteral("checkout.request") : QStringLiteral("tenant.update"),
                                      i % 2 ? w.ada.id : w.tom.id, w.contoso.id,
                                      {{QStringLiteral("justification"), QStringLiteral("Ticket %1").arg(i)}},
                                      w.clock.now() - qint64(30 - i) * 600'000);
            const auto hook = w.cloud.addWebhook(QStringLiteral("https://psa.example.com/hooks/stint"),
                                                 {QStringLiteral("checkout.updated"), QStringLiteral("alert.raised")});
            w.cloud.addWebhookDelivery(hook.id, QStringLiteral("checkout.updated"), QStringLiteral("delivered"));
            w.cloud.addWebhookDelivery(hook.id, QStringLiteral("alert.raised"), QStringLiteral("dead"));
        }

        bool open(const models::Person* who = nullptr)
        {
            if (!w.start(who))
                return false;
            view = std::make_unique<AdminView>(w.context);
            view->resize(1280, 800);
            view->show();
            return QTest::qWaitForWindowExposed(view.get());
        }

        QWidget* current() const { return view->findChild<QStackedWidget*>()->currentWidget(); }
    };

private slots:
    void initTestCase()
    {
        // The app's look, as the real app applies it.
        ui::style::apply(*qApp);
    }

    void cleanup()
    {
        for (QWidget* w : QApplication::topLevelWidgets()) {
            if (qobject_cast<QDialog*>(w))
                delete w;
        }
    }

    void navigationFromTheKeyboardAndTheSlots()
    {
        Screen s;
        s.populate();
        QVERIFY(s.open());
        auto* nav = s.view->findChild<QListWidget*>(QStringLiteral("adminNav"));
        QCOMPARE(nav->count(), 9);
        QCOMPARE(s.current()->objectName(), QStringLiteral("tenantsPage"));
        nav->setFocus();
        QTest::keyClick(nav, Qt::Key_Down);
        QCOMPARE(s.current()->objectName(), QStringLiteral("peoplePage"));
        QTest::keyClick(nav, Qt::Key_End);
        QCOMPARE(s.current()->objectName(), QStringLiteral("webhooksPage"));

        // Ctrl+F goes to the page's search.
        s.view->showPage(AdminView::Page::Policies);
        QTest::keyClick(s.current(), Qt::Key_F, Qt::ControlModifier);
        QTRY_COMPARE(QApplication::focusWidget()->objectName(), QStringLiteral("policySearch"));

        s.view->showTenant(s.w.fabrikam.id);
        QCOMPARE(s.current()->objectName(), QStringLiteral("tenantsPage"));
        QTRY_COMPARE(child<QLabel>(s.current(), QStringLiteral("tenantName"))->text(), QStringLiteral("Fabrikam"));
        s.view->showApproval(s.waiting.id);
        QCOMPARE(s.current()->objectName(), QStringLiteral("approvalsPage"));
        QTRY_VERIFY(
            child<QLabel>(s.current(), QStringLiteral("approvalTitle"))->text().startsWith(QStringLiteral("Ada")));
        QCOMPARE(QApplication::focusWidget()->objectName(), QStringLiteral("approvalCommentEdit"));
    }

    void everyPageNamesItsWidgets()
    {
        Screen s;
        s.populate();
        QVERIFY(s.open());
        QStringList problems = unnamed(s.view->findChild<QListWidget*>(QStringLiteral("adminNav"))->parentWidget());
        const QStringList pages {
            QStringLiteral("tenants"),  QStringLiteral("people"),    QStringLiteral("groups"),
            QStringLiteral("policies"), QStringLiteral("approvals"), QStringLiteral("live-checkouts"),
            QStringLiteral("alerts"),   QStringLiteral("audit"),     QStringLiteral("webhooks")};
        for (int i = 0; i < pages.size(); ++i) {
            s.view->showPage(AdminView::Page(i));
            QWidget* page = s.current();
            // Something chosen, so the details panes are shown too.
            if (auto* table = page->findChild<QAbstractItemView*>(); table && table->model()->rowCount() > 0)
                table->setCurrentIndex(table->model()->index(0, 0));
            QTest::qWait(50);
            problems << unnamed(page);
            shoot(s.view.get(), QStringLiteral("admin-%1").arg(pages.at(i)));
        }
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join(QLatin1Char('\n'))));
    }

    void everyDialogNamesItsWidgets()
    {
        Screen s;
        s.populate();
        QVERIFY(s.open());
        QStringList problems;
        auto check = [&](QWidget* page, const QString& button, const QString& shot) {
            if (page->isHidden())
                return;
            click(page, button);
            QWidget* dialog = nullptr;
            QTRY_VERIFY((dialog = openDialog<QDialog>()) != nullptr);
            QTest::qWait(100); // let it read what it shows (domains, roles)
            problems << unnamed(dialog);
            shoot(dialog, shot);
            delete dialog;
        };
        s.view->showTenant(s.w.contoso.id);
        QWidget* tenants = s.current();
        QTRY_COMPARE(child<QLabel>(tenants, QStringLiteral("tenantName"))->text(), QStringLiteral("Contoso"));
        QTRY_VERIFY(child<QLabel>(tenants, QStringLiteral("healthVerdict"))->isVisible());
        shoot(s.view.get(), QStringLiteral("admin-tenant-health"));
        check(tenants, QStringLiteral("addTenantButton"), QStringLiteral("dialog-add-tenant"));
        check(tenants, QStringLiteral("settingsButton"), QStringLiteral("dialog-tenant-settings"));
        check(tenants, QStringLiteral("connectButton"), QStringLiteral("dialog-connect"));
        check(tenants, QStringLiteral("disconnectButton"), QStringLiteral("dialog-confirm-disconnect"));
        s.view->showPage(AdminView::Page::People);
        check(s.current(), QStringLiteral("inviteButton"), QStringLiteral("dialog-invite"));
        s.view->showPage(AdminView::Page::Groups);
        check(s.current(), QStringLiteral("newGroupButton"), QStringLiteral("dialog-group"));
        s.view->showPage(AdminView::Page::Policies);
        selectRow(s.current(), QStringLiteral("policiesTable"), QStringLiteral("User administration"));
        check(s.current(), QStringLiteral("editPolicyButton"), QStringLiteral("dialog-policy"));
        s.view->showPage(AdminView::Page::LiveCheckouts);
        selectRow(s.current(), QStringLiteral("liveCheckoutsTable"), QStringLiteral("Tom Tech"));
        check(s.current(), QStringLiteral("revokeButton"), QStringLiteral("dialog-confirm-revoke"));
        s.view->showPage(AdminView::Page::Audit);
        check(s.current(), QStringLiteral("exportButton"), QStringLiteral("dialog-export"));
        s.view->showPage(AdminView::Page::Webhooks);
        check(s.current(), QStringLiteral("addWebhookButton"), QStringLiteral("dialog-webhook"));
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join(QLatin1Char('\n'))));
    }

    void confirmationsAreSafeFromTheKeyboard()
    {
        Screen s;
        s.populate();
        QVERIFY(s.open());
        s.view->showPage(AdminView::Page::Groups);
        QVERIFY(selectRow(s.current(), QStringLiteral("groupsTable"), QStringLiteral("Helpdesk team")));
        click(s.current(), QStringLiteral("deleteGroupButton"));
        auto* dialog = openDialog<ui::ConfirmDialog>();
        QVERIFY(dialog);
        // Enter takes the safe way out; so does Esc.
        QTest::keyClick(dialog, Qt::Key_Return);
        QTRY_VERIFY(!openDialog<ui::ConfirmDialog>());
        click(s.current(), QStringLiteral("deleteGroupButton"));
        dialog = openDialog<ui::ConfirmDialog>();
        QTest::keyClick(dialog, Qt::Key_Escape);
        QTRY_VERIFY(!openDialog<ui::ConfirmDialog>());
        int deletes = 0;
        for (const auto& r : s.w.cloud.requests())
            deletes += r.method == "DELETE" ? 1 : 0;
        QCOMPARE(deletes, 0);
        QCOMPARE(s.w.workspace.groups().size(), 1);
    }

    void attentionIsToldToWhoeverConnectsAtOnce()
    {
        Screen s;
        s.populate();
        QVERIFY(s.w.start());
        AdminView view(s.w.context);
        QSignalSpy attention(&view, &AdminView::attentionChanged);
        QTRY_VERIFY(!attention.isEmpty());
        QCOMPARE(attention.first().at(0).toInt(), 2); // the failed revocation and the unhealthy connection
        QCOMPARE(attention.first().at(1).toInt(), 1); // Ada's request
    }

    void techniciansAreToldItIsForAdmins()
    {
        Screen s;
        QVERIFY(s.open(&s.w.ada));
        QTRY_VERIFY(s.view->findChild<QWidget*>(QStringLiteral("notAdminState"))->isVisible());
        QVERIFY(!s.view->findChild<QListWidget*>(QStringLiteral("adminNav"))->isVisible());
        shoot(s.view.get(), QStringLiteral("admin-not-admin"));
    }

    void offlineSaysSoAndRetries()
    {
        Screen s;
        s.populate();
        QVERIFY(s.open());
        auto* banner = s.view->findChild<QWidget*>(QStringLiteral("adminBanner"));
        QVERIFY(!banner->isVisible());
        s.w.cloud.setUnreachable(true);
        QTRY_VERIFY(banner->isVisible());
        const QString text = child<QLabel>(banner, QStringLiteral("bannerText"))->text();
        QVERIFY2(text.startsWith(QStringLiteral("Offline: showing what Stint last knew"))
                     && text.contains(QStringLiteral("Trying again")),
                 qPrintable(text));
        s.view->showPage(AdminView::Page::LiveCheckouts);
        shoot(s.view.get(), QStringLiteral("admin-offline"));
        // Everything known stays on screen.
        QCOMPARE(s.current()->findChild<QAbstractItemView*>(QStringLiteral("liveCheckoutsTable"))->model()->rowCount(),
                 3);
        s.w.cloud.setUnreachable(false);
        click(banner, QStringLiteral("bannerAction"));
        QTRY_VERIFY(!banner->isVisible());
    }
};

QTEST_MAIN(TestAdminView)
#include "TestAdminView.moc"
