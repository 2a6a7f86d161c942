// SPDX-License-Identifier: GPL-3.0-or-later
// The admin view's access policies against FakeCloud: an empty organization is told what to do; a policy is made
// from the three lists (who, where, which of the roles those tenants offer — a role only some of them offer says
// so); the service's 422 lands under the lists it is about and the editor stays open; a policy changed elsewhere
// meanwhile is reloaded, not overwritten; deleting names the live checkouts it granted.
#include "TestAdminFixture.h"
#include "ui/admin/AdminView.h"
#include "ui/admin/ConfirmDialog.h"
#include "ui/admin/PolicyEditor.h"

#include <QCheckBox>
#include <QLabel>
#include <QListView>
#include <QSpinBox>
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

QStringList strings(const QJsonValue& array)
{
    QStringList out;
    for (const QJsonValue& v : array.toArray())
        out << v.toString();
    out.sort();
    return out;
}

QString rowText(QWidget* parent, const QString& list, const QString& startsWith, int role = Qt::DisplayRole)
{
    auto* view = child<QAbstractItemView>(parent, list);
    for (int row = 0; view && row < view->model()->rowCount(); ++row) {
        const QModelIndex index = view->model()->index(row, 0);
        if (index.data().toString().startsWith(startsWith))
            return index.data(role).toString();
    }
    return {};
}

} // namespace

class TestAdminPolicies : public QObject
{
    Q_OBJECT

    struct Screen
    {
        AdminWorld w;
        std::unique_ptr<AdminView> view;
        QWidget* page = nullptr;

        bool open()
        {
            if (!w.start())
                return false;
            view = std::make_unique<AdminView>(w.context);
            view->resize(1200, 760);
            view->show();
            view->showPage(AdminView::Page::Policies);
            page = view->findChild<QWidget*>(QStringLiteral("policiesPage"));
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

    void aPolicyIsMadeFromWhoWhereAndWhat()
    {
        Screen s;
        QVERIFY(s.open());
        auto* empty = s.page->findChild<QWidget*>(QStringLiteral("emptyState"));
        QVERIFY(empty && empty->isVisible());
        click(empty, QStringLiteral("emptyStateAction"));
        auto* editor = openDialog<ui::PolicyEditor>();
        QVERIFY(editor);
        // No tenant chosen: no roles to choose, and it says why.
        QCOMPARE(child<QAbstractItemView>(editor, QStringLiteral("rolesList"))->model()->rowCount(), 0);
        QVERIFY(labelText(editor, QStringLiteral("rolesCount")).contains(QStringLiteral("Choose tenants first")));

        type(editor, QStringLiteral("policyNameEdit"), QStringLiteral("Helpdesk resets"));
        QCOMPARE(tick(editor, QStringLiteral("subjectsList"), {QStringLiteral("Ada Lovelace")}), 1);
        QCOMPARE(tick(editor, QStringLiteral("tenantsList"), {QStringLiteral("Contoso"), QStringLiteral("Fabrikam")}),
                 2);
        QTRY_COMPARE(child<QAbstractItemView>(editor, QStringLiteral("rolesList"))->model()->rowCount(), 2);
        QCOMPARE(rowText(editor, QStringLiteral("rolesList"), QStringLiteral("User Administrator"), Qt::ToolTipRole),
                 QStringLiteral("Offered only in Contoso"));
        QCOMPARE(
            rowText(editor, QStringLiteral("rolesList"), QStringLiteral("Helpdesk Administrator"), Qt::ToolTipRole),
            QStringLiteral("Offered in every chosen tenant"));
        // Searching a list narrows it as one types.
        type(editor, QStringLiteral("subjectsSearch"), QStringLiteral("tom"));
        QCOMPARE(child<QAbstractItemView>(editor, QStringLiteral("subjectsList"))->model()->rowCount(), 1);
        QCOMPARE(tick(editor, QStringLiteral("rolesList"), {QStringLiteral("Helpdesk Administrator")}), 1);
        child<QSpinBox>(editor, QStringLiteral("maxDurationSpin"))->setValue(120);
        child<QCheckBox>(editor, QStringLiteral("requireApprovalCheck"))->setChecked(true);
        child<QCheckBox>(editor, QStringLiteral("requireTicketCheck"))->setChecked(true);
        click(editor, QStringLiteral("saveButton"));
        QTRY_VERIFY(!openDialog<ui::PolicyEditor>());

        const auto posts = s.w.sent("POST", QStringLiteral("/v1/policies"));
        QCOMPARE(posts.size(), 1);
        const QJsonObject body = *posts.first().body;
        QCOMPARE(body.value(QLatin1String("name")).toString(), QStringLiteral("Helpdesk resets"));
        QStringList tenants {s.w.contoso.id, s.w.fabrikam.id};
        tenants.sort();
        QCOMPARE(strings(body.value(QLatin1String("tenantIds"))), tenants);
        QCOMPARE(strings(body.value(QLatin1String("roleDefinitionIds"))), QStringList {kHelpdeskRole});
        const QJsonArray subjects = body.value(QLatin1String("subjects")).toArray();
        QCOMPARE(subjects.size(), 1);
        QCOMPARE(subjects.first().toObject().value(QLatin1String("type")).toString(), QStringLiteral("person"));
        QCOMPARE(subjects.first().toObject().value(QLatin1String("id")).toString(), s.w.ada.id);
        QCOMPARE(body.value(QLatin1String("maxDurationMinutes")).toInt(), 120);
        QVERIFY(body.value(QLatin1String("requireApproval")).toBool());
        QVERIFY(body.value(QLatin1String("requireTicket")).toBool());

        QTRY_COMPARE(labelText(s.page, QStringLiteral("policyName")), QStringLiteral("Helpdesk resets"));
        const QString summary = labelText(s.page, QStringLiteral("policySummary"));
        QVERIFY2(summary.contains(QStringLiteral("Who: Ada Lovelace")) && summary.contains(QStringLiteral("2 h"))
                     && summary.contains(QStringLiteral("approval")),
                 qPrintable(summary));
        QVERIFY(!empty->isVisible());
    }

    void refusedPolicyShowsWhyUnderTheLists()
    {
        Screen s;
        QVERIFY(s.open());
        click(s.page, QStringLiteral("newPolicyButton"));
        auto* editor = openDialog<ui::PolicyEditor>();
        type(editor, QStringLiteral("policyNameEdit"), QStringLiteral("Too wide"));
        tick(editor, QStringLiteral("subjectsList"), {QStringLiteral("Tom Tech")});
        tick(editor, QStringLiteral("tenantsList"), {QStringLiteral("Contoso")});
        s.w.cloud.failNext("POST", QStringLiteral("/v1/policies"), 422, QStringLiteral("validation"),
                           QStringLiteral("roleDefinitionIds: must name at least one role; "
                                          "maxDurationMinutes: must not exceed what the tenants allow (240)"));
        click(editor, QStringLiteral("saveButton"));
        QTRY_VERIFY(child<QLabel>(editor, QStringLiteral("rolesListError"))->isVisible());
        QCOMPARE(labelText(editor, QStringLiteral("rolesListError")), QStringLiteral("Must name at least one role."));
        QVERIFY(child<QLabel>(editor, QStringLiteral("maxDurationSpinError"))->isVisible());
        QVERIFY(!child<QLabel>(editor, QStringLiteral("tenantsListError"))->isVisible());
        QVERIFY(openDialog<ui::PolicyEditor>()); // still open, with what was entered
        QCOMPARE(child<QLineEdit>(editor, QStringLiteral("policyNameEdit"))->text(), QStringLiteral("Too wide"));
        QCOMPARE(s.w.workspace.policies().size(), 0);
        // A name is needed before anything is sent.
        const int before = int(s.w.sent("POST", QStringLiteral("/v1/policies")).size());
        type(editor, QStringLiteral("policyNameEdit"), QString());
        click(editor, QStringLiteral("saveButton"));
        QVERIFY(child<QLabel>(editor, QStringLiteral("policyNameEditError"))->isVisible());
        QCOMPARE(int(s.w.sent("POST", QStringLiteral("/v1/policies")).size()), before);
    }

    void policyChangedElsewhereIsReloaded()
    {
        Screen s;
        const models::Policy policy
            = s.w.cloud.addPolicy(QStringLiteral("Helpdesk"), {s.w.contoso.id}, {s.w.ada.id}, {kHelpdeskRole}, 60);
        QVERIFY(s.open());
        QTRY_VERIFY(selectRow(s.page, QStringLiteral("policiesTable"), QStringLiteral("Helpdesk")));
        click(s.page, QStringLiteral("editPolicyButton"));
        auto* editor = openDialog<ui::PolicyEditor>();
        QVERIFY(editor);
        QCOMPARE(child<QLineEdit>(editor, QStringLiteral("policyNameEdit"))->text(), QStringLiteral("Helpdesk"));
        {
            models::Policy changed = s.w.cloud.policy(policy.id);
            changed.maxDurationMinutes = 30;
            const QByteArray mine = s.w.cloud.sessionFor(s.w.admin.id);
            s.w.cloud.setSessionToken(crypto::SecretBytes(s.w.cloud.sessionFor(s.w.otherAdmin.id)));
            auto other = waitFor(s.w.api.updatePolicy(changed));
            s.w.cloud.setSessionToken(crypto::SecretBytes(mine));
            QVERIFY(other.ok());
        }
        child<QSpinBox>(editor, QStringLiteral("maxDurationSpin"))->setValue(90);
        click(editor, QStringLiteral("saveButton"));
        QTRY_VERIFY(editor->findChild<QLabel*>(QStringLiteral("actionStatusText"))
                        ->text()
                        .contains(QStringLiteral("Someone else saved")));
        QCOMPARE(child<QSpinBox>(editor, QStringLiteral("maxDurationSpin"))->value(), 30);
        QCOMPARE(s.w.cloud.policy(policy.id).maxDurationMinutes, 30);
        child<QSpinBox>(editor, QStringLiteral("maxDurationSpin"))->setValue(90);
        click(editor, QStringLiteral("saveButton"));
        QTRY_VERIFY(!openDialog<ui::PolicyEditor>());
        QCOMPARE(s.w.cloud.policy(policy.id).maxDurationMinutes, 90);
    }

    void deletingNamesTheLiveCheckoutsItGranted()
    {
        Screen s;
        const models::Policy policy
            = s.w.cloud.addPolicy(QStringLiteral("Helpdesk"), {s.w.contoso.id}, {s.w.ada.id}, {kHelpdeskRole}, 60);
        models::Checkout c;
        c.tenantId = s.w.contoso.id;
        c.technicianId = s.w.ada.id;
        c.policyId = policy.id;
        c.roleDefinitionIds = {kHelpdeskRole};
        c.state = models::CheckoutState::Ready;
        s.w.cloud.addCheckout(c);
        QVERIFY(s.open());
        QTRY_VERIFY(selectRow(s.page, QStringLiteral("policiesTable"), QStringLiteral("Helpdesk")));
        click(s.page, QStringLiteral("deletePolicyButton"));
        auto* confirm = openDialog<ui::ConfirmDialog>();
        QVERIFY(confirm);
        const QString consequence = labelText(confirm, QStringLiteral("confirmConsequence"));
        QVERIFY2(consequence.contains(QStringLiteral("1 live checkout"))
                     && consequence.contains(QStringLiteral("revokes")),
                 qPrintable(consequence));
        click(confirm, QStringLiteral("confirmButton"));
        QTRY_VERIFY(!openDialog<ui::ConfirmDialog>());
        QCOMPARE(s.w.sent("DELETE", QStringLiteral("/v1/policies/") + policy.id).size(), 1);
        QTRY_VERIFY(s.page->findChild<QWidget*>(QStringLiteral("emptyState"))->isVisible());
        QVERIFY(statusText(s.page, QStringLiteral("pageStatus")).contains(QStringLiteral("deleted")));
    }
};

QTEST_MAIN(TestAdminPolicies)
#include "TestAdminPolicies.moc"
