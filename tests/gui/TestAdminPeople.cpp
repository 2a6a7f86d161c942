// SPDX-License-Identifier: GPL-3.0-or-later
// The admin view's people and groups against FakeCloud: inviting shows the one-time link once (copied as a secret,
// kept nowhere after), a 422 lands under the email field; revoking an invite; disabling a person (confirmed, saying
// what it does and that their live checkouts go on); changing a role; one's own account cannot be disabled or demoted
// here; the service refusing the last admin's demotion is said in the dialog; passkeys listed and removed, never the
// last; groups made with members, refused names, and deletion naming the policies it affects.
#include "TestAdminFixture.h"
#include "ui/admin/AdminView.h"
#include "ui/admin/ConfirmDialog.h"
#include "ui/admin/GroupDialog.h"
#include "ui/admin/InviteDialog.h"

#include <QComboBox>
#include <QLabel>
#include <QListWidget>
#include <QTabWidget>
#include <QtTest>

using namespace stint;
using namespace stint::test;
using ui::AdminView;

namespace {

QString labelText(QWidget* parent, const QString& name)
{
    auto* label = child<QLabel>(parent, name);
    return label ? label->text() : QStringLiteral("<no label %1>").arg(name);
}

QString statusText(QWidget* parent, const QString& statusName)
{
    auto* status = parent ? parent->findChild<QWidget*>(statusName) : nullptr;
    auto* label = status ? status->findChild<QLabel*>(QStringLiteral("actionStatusText")) : nullptr;
    return label && status->isVisible() ? label->text() : QString();
}

} // namespace

class TestAdminPeople : public QObject
{
    Q_OBJECT

    struct Screen
    {
        AdminWorld w;
        std::unique_ptr<AdminView> view;
        QWidget* page = nullptr;

        bool open(AdminView::Page which = AdminView::Page::People)
        {
            if (!w.start())
                return false;
            view = std::make_unique<AdminView>(w.context);
            view->resize(1200, 760);
            view->show();
            view->showPage(which);
            page = view->findChild<QWidget*>(which == AdminView::Page::People ? QStringLiteral("peoplePage")
                                                                              : QStringLiteral("groupsPage"));
            return page && QTest::qWaitForWindowExposed(view.get());
        }
    };

private slots:
    void cleanup()
    {
        for (QWidget* w : QApplication::topLevelWidgets()) {
            if (qobject_cast<QDialog*>(w))
                delete w;
        }
    }

    void inviteShowsTheLinkOnce()
    {
        Screen s;
        QVERIFY(s.open());
        click(s.page, QStringLiteral("inviteButton"));
        auto* dialog = openDialog<ui::InviteDialog>();
        QVERIFY(dialog);
        // Not an address: refused before sending.
        type(dialog, QStringLiteral("inviteEmailEdit"), QStringLiteral("barbara"));
        click(dialog, QStringLiteral("createInviteButton"));
        QVERIFY(child<QLabel>(dialog, QStringLiteral("inviteEmailEditError"))->isVisible());
        QCOMPARE(s.w.sent("POST", QStringLiteral("/v1/invites")).size(), 0);
        // The service's 422 under the field.
        s.w.cloud.failNext("POST", QStringLiteral("/v1/invites"), 422, QStringLiteral("validation"),
                           QStringLiteral("email: belongs to a person already"));
        type(dialog, QStringLiteral("inviteEmailEdit"), QStringLiteral("ada@msp.example"));
        click(dialog, QStringLiteral("createInviteButton"));
        QTRY_COMPARE(labelText(dialog, QStringLiteral("inviteEmailEditError")),
                     QStringLiteral("Belongs to a person already."));

        type(dialog, QStringLiteral("inviteEmailEdit"), QStringLiteral("barbara@msp.example"));
        type(dialog, QStringLiteral("inviteNameEdit"), QStringLiteral("Barbara Liskov"));
        auto* role = child<QComboBox>(dialog, QStringLiteral("inviteRoleCombo"));
        role->setCurrentIndex(role->findData(QStringLiteral("admin")));
        click(dialog, QStringLiteral("createInviteButton"));
        auto* link = child<QLineEdit>(dialog, QStringLiteral("inviteLinkEdit"));
        QTRY_VERIFY(link->isVisible());
        QVERIFY2(link->text().startsWith(QStringLiteral("http://localhost:8443/enroll#invite=")),
                 qPrintable(link->text()));
        QVERIFY(link->isReadOnly());
        QVERIFY(labelText(dialog, QStringLiteral("inviteLinkIntro"))
                    .startsWith(QStringLiteral("Send this link to Barbara Liskov")));
        const auto posts = s.w.sent("POST", QStringLiteral("/v1/invites"));
        QCOMPARE(posts.last().body->value(QLatin1String("role")).toString(), QStringLiteral("admin"));

        click(dialog, QStringLiteral("copyLinkButton"));
        QCOMPARE(s.w.desktop.clipboard, link->text().toUtf8());
        QVERIFY(s.w.desktop.clipboardIsSecret);
        QCOMPARE(s.w.desktop.clipboardClearAfterMs, ui::InviteDialog::kClipboardClearMs);
        const QString shown = link->text();

        // Stint keeps no copy: not in the workspace, gone with the dialog.
        QTRY_COMPARE(s.w.workspace.invites().size(), 1);
        QVERIFY(s.w.workspace.invites().first().enrollmentUrl.isEmpty());
        click(dialog, QStringLiteral("doneButton"));
        QTRY_VERIFY(!openDialog<ui::InviteDialog>());
        for (QLineEdit* edit : s.view->findChildren<QLineEdit*>())
            QVERIFY(!edit->text().contains(shown));
        for (QLabel* label : s.view->findChildren<QLabel*>())
            QVERIFY(!label->text().contains(shown));
        // The invite is listed, waiting.
        auto* tabs = child<QTabWidget>(s.page, QStringLiteral("peopleTabs"));
        QCOMPARE(tabs->currentIndex(), 1);
        auto* invites = child<QAbstractItemView>(s.page, QStringLiteral("invitesTable"));
        QCOMPARE(invites->model()->rowCount(), 1);
        QCOMPARE(invites->model()->index(0, 3).data().toString(), QStringLiteral("Waiting"));
    }

    void revokesAnInvite()
    {
        Screen s;
        const models::Invite invite = s.w.cloud.addInvite(QStringLiteral("barbara@msp.example"),
                                                          QStringLiteral("technician"), QStringLiteral("Barbara"));
        QVERIFY(s.open());
        child<QTabWidget>(s.page, QStringLiteral("peopleTabs"))->setCurrentIndex(1);
        QTRY_VERIFY(selectRow(s.page, QStringLiteral("invitesTable"), QStringLiteral("barbara@msp.example")));
        QTRY_VERIFY(child<QAbstractButton>(s.page, QStringLiteral("revokeInviteButton"))->isEnabled());
        click(s.page, QStringLiteral("revokeInviteButton"));
        auto* confirm = openDialog<ui::ConfirmDialog>();
        QVERIFY(labelText(confirm, QStringLiteral("confirmConsequence")).contains(QStringLiteral("stops working")));
        click(confirm, QStringLiteral("confirmButton"));
        QTRY_VERIFY(!openDialog<ui::ConfirmDialog>());
        QCOMPARE(s.w.sent("DELETE", QStringLiteral("/v1/invites/") + invite.id).size(), 1);
        auto* invites = child<QAbstractItemView>(s.page, QStringLiteral("invitesTable"));
        QTRY_COMPARE(invites->model()->index(0, 3).data().toString(), QStringLiteral("Revoked"));
        QVERIFY(!child<QAbstractButton>(s.page, QStringLiteral("revokeInviteButton"))->isEnabled());
    }

    void disablingSaysWhatItDoes()
    {
        Screen s;
        s.w.checkout(s.w.ada, s.w.contoso, models::CheckoutState::Ready);
        QVERIFY(s.open());
        QVERIFY(selectRow(s.page, QStringLiteral("peopleTable"), QStringLiteral("Ada Lovelace")));
        QTRY_COMPARE(labelText(s.page, QStringLiteral("personName")), QStringLiteral("Ada Lovelace"));
        click(s.page, QStringLiteral("disableButton"));
        auto* confirm = openDialog<ui::ConfirmDialog>();
        QVERIFY(confirm);
        const QString consequence = labelText(confirm, QStringLiteral("confirmConsequence"));
        QVERIFY2(consequence.contains(QStringLiteral("signed out everywhere"))
                     && consequence.contains(QStringLiteral("1 live")),
                 qPrintable(consequence));
        click(confirm, QStringLiteral("confirmButton"));
        QTRY_VERIFY(!openDialog<ui::ConfirmDialog>());
        const auto patches = s.w.sent("PATCH", QStringLiteral("/v1/people/") + s.w.ada.id);
        QCOMPARE(patches.size(), 1);
        QCOMPARE(patches.first().body->value(QLatin1String("status")).toString(), QStringLiteral("disabled"));
        QTRY_COMPARE(labelText(s.page, QStringLiteral("personStatusChip")), QStringLiteral("Disabled"));
        QCOMPARE(child<QAbstractButton>(s.page, QStringLiteral("disableButton"))->text(), QStringLiteral("E&nable"));
        // Enabling needs no confirmation.
        click(s.page, QStringLiteral("disableButton"));
        QTRY_COMPARE(labelText(s.page, QStringLiteral("personStatusChip")), QStringLiteral("Active"));
    }

    void rolesChangeWithConfirmationButNotOnesOwn()
    {
        Screen s;
        QVERIFY(s.open());
        QVERIFY(selectRow(s.page, QStringLiteral("peopleTable"), QStringLiteral("Grace Admin")));
        QTRY_VERIFY(labelText(s.page, QStringLiteral("personFacts")).contains(QStringLiteral("This is you.")));
        QVERIFY(!child<QAbstractButton>(s.page, QStringLiteral("roleButton"))->isEnabled());
        QVERIFY(!child<QAbstractButton>(s.page, QStringLiteral("disableButton"))->isEnabled());

        QVERIFY(selectRow(s.page, QStringLiteral("peopleTable"), QStringLiteral("Tom Tech")));
        QTRY_COMPARE(child<QAbstractButton>(s.page, QStringLiteral("roleButton"))->text(),
                     QStringLiteral("Make &admin…"));
        click(s.page, QStringLiteral("roleButton"));
        auto* confirm = openDialog<ui::ConfirmDialog>();
        QVERIFY(labelText(confirm, QStringLiteral("confirmConsequence")).contains(QStringLiteral("approve requests")));
        click(confirm, QStringLiteral("confirmButton"));
        QTRY_VERIFY(!openDialog<ui::ConfirmDialog>());
        QTRY_COMPARE(s.w.cloud.person(s.w.tom.id).role, QStringLiteral("admin"));
        QTRY_VERIFY(statusText(s.page, QStringLiteral("personActionStatus")).contains(QStringLiteral("now an admin")));

        // The service refuses (the last admin, say): the dialog stays and says why.
        QVERIFY(selectRow(s.page, QStringLiteral("peopleTable"), QStringLiteral("Linus Admin")));
        QTRY_COMPARE(child<QAbstractButton>(s.page, QStringLiteral("roleButton"))->text(),
                     QStringLiteral("Make &technician…"));
        s.w.cloud.failNext("PATCH", QStringLiteral("/v1/people/"), 409, QStringLiteral("last-admin"),
                           QStringLiteral("This is the organization's last active admin; make someone else an admin "
                                          "first."));
        click(s.page, QStringLiteral("roleButton"));
        confirm = openDialog<ui::ConfirmDialog>();
        click(confirm, QStringLiteral("confirmButton"));
        QTRY_VERIFY(confirm->findChild<QLabel*>(QStringLiteral("actionStatusText"))
                        ->text()
                        .contains(QStringLiteral("last active admin")));
        QVERIFY(openDialog<ui::ConfirmDialog>());
        QCOMPARE(s.w.cloud.person(s.w.otherAdmin.id).role, QStringLiteral("admin"));
        click(confirm, QStringLiteral("cancelButton"));
        QTRY_VERIFY(!openDialog<ui::ConfirmDialog>());
    }

    void endsAPersonsSessions()
    {
        Screen s;
        QVERIFY(s.open());
        QVERIFY(selectRow(s.page, QStringLiteral("peopleTable"), QStringLiteral("Tom Tech")));
        QTRY_COMPARE(labelText(s.page, QStringLiteral("personName")), QStringLiteral("Tom Tech"));
        click(s.page, QStringLiteral("endSessionsButton"));
        auto* confirm = openDialog<ui::ConfirmDialog>();
        QVERIFY(labelText(confirm, QStringLiteral("confirmConsequence")).contains(QStringLiteral("every computer")));
        click(confirm, QStringLiteral("confirmButton"));
        QTRY_VERIFY(!openDialog<ui::ConfirmDialog>());
        QCOMPARE(s.w.sent("POST", QStringLiteral("/v1/people/%1/sessions/revoke").arg(s.w.tom.id)).size(), 1);
        QTRY_VERIFY(
            statusText(s.page, QStringLiteral("personActionStatus")).contains(QStringLiteral("signed out everywhere")));
    }

    void passkeysAreListedAndRemovedButNeverTheLast()
    {
        Screen s;
        s.w.cloud.addPasskey(s.w.ada.id);
        s.w.cloud.addPasskey(s.w.ada.id);
        QVERIFY(s.open());
        QVERIFY(selectRow(s.page, QStringLiteral("peopleTable"), QStringLiteral("Ada Lovelace")));
        auto* passkeys = child<QListWidget>(s.page, QStringLiteral("passkeysList"));
        QTRY_COMPARE(passkeys->count(), 2);
        auto* remove = child<QAbstractButton>(s.page, QStringLiteral("removePasskeyButton"));
        QVERIFY(!remove->isEnabled()); // none chosen yet
        passkeys->setCurrentRow(0);
        QVERIFY(remove->isEnabled());
        click(s.page, QStringLiteral("removePasskeyButton"));
        auto* confirm = openDialog<ui::ConfirmDialog>();
        QVERIFY(labelText(confirm, QStringLiteral("confirmConsequence")).contains(QStringLiteral("other passkeys")));
        click(confirm, QStringLiteral("confirmButton"));
        QTRY_VERIFY(!openDialog<ui::ConfirmDialog>());
        QTRY_COMPARE(passkeys->count(), 1);
        passkeys->setCurrentRow(0);
        QVERIFY(!remove->isEnabled());
        QVERIFY(labelText(s.page, QStringLiteral("passkeysNote")).contains(QStringLiteral("only passkey")));
    }

    void groupsAreMadeWithMembers()
    {
        Screen s;
        QVERIFY(s.open(AdminView::Page::Groups));
        click(s.page, QStringLiteral("newGroupButton"));
        auto* dialog = openDialog<ui::GroupDialog>();
        QVERIFY(dialog);
        QCOMPARE(
            tick(dialog, QStringLiteral("membersList"), {QStringLiteral("Ada Lovelace"), QStringLiteral("Tom Tech")}),
            2);
        QCOMPARE(labelText(dialog, QStringLiteral("memberCount")), QStringLiteral("2 member(s)."));
        // A name is needed, and the service's refusal lands under it.
        click(dialog, QStringLiteral("saveButton"));
        QVERIFY(child<QLabel>(dialog, QStringLiteral("groupNameEditError"))->isVisible());
        s.w.cloud.failNext("POST", QStringLiteral("/v1/groups"), 422, QStringLiteral("validation"),
                           QStringLiteral("name: is used by another group"));
        type(dialog, QStringLiteral("groupNameEdit"), QStringLiteral("Helpdesk"));
        click(dialog, QStringLiteral("saveButton"));
        QTRY_COMPARE(labelText(dialog, QStringLiteral("groupNameEditError")),
                     QStringLiteral("Is used by another group."));
        type(dialog, QStringLiteral("groupNameEdit"), QStringLiteral("Helpdesk team"));
        click(dialog, QStringLiteral("saveButton"));
        QTRY_VERIFY(!openDialog<ui::GroupDialog>());
        const auto posts = s.w.sent("POST", QStringLiteral("/v1/groups"));
        QStringList members;
        for (const QJsonValue& v : posts.last().body->value(QLatin1String("memberIds")).toArray())
            members << v.toString();
        members.sort();
        QStringList expected {s.w.ada.id, s.w.tom.id};
        expected.sort();
        QCOMPARE(members, expected);
        QTRY_COMPARE(labelText(s.page, QStringLiteral("groupName")), QStringLiteral("Helpdesk team"));
        QVERIFY(labelText(s.page, QStringLiteral("groupMembers")).contains(QStringLiteral("Ada Lovelace")));
    }

    void deletingAGroupNamesThePoliciesItAffects()
    {
        Screen s;
        const models::Group group = s.w.cloud.addGroup(QStringLiteral("Night shift"), {s.w.ada.id});
        s.w.cloud.addPolicy(QStringLiteral("Night access"), {s.w.contoso.id}, {group.id}, {kHelpdeskRole}, 60);
        QVERIFY(s.open(AdminView::Page::Groups));
        QTRY_VERIFY(selectRow(s.page, QStringLiteral("groupsTable"), QStringLiteral("Night shift")));
        QTRY_VERIFY(labelText(s.page, QStringLiteral("groupPolicies")).contains(QStringLiteral("Night access")));
        click(s.page, QStringLiteral("deleteGroupButton"));
        auto* confirm = openDialog<ui::ConfirmDialog>();
        const QString consequence = labelText(confirm, QStringLiteral("confirmConsequence"));
        QVERIFY2(consequence.contains(QStringLiteral("Night access")), qPrintable(consequence));
        click(confirm, QStringLiteral("confirmButton"));
        QTRY_VERIFY(!openDialog<ui::ConfirmDialog>());
        QCOMPARE(s.w.sent("DELETE", QStringLiteral("/v1/groups/") + group.id).size(), 1);
        QTRY_COMPARE(child<QAbstractItemView>(s.page, QStringLiteral("groupsTable"))->model()->rowCount(), 0);
    }
};

QTEST_MAIN(TestAdminPeople)
#include "TestAdminPeople.moc"
