// SPDX-License-Identifier: GPL-3.0-or-later
// The admin view's audit log and webhooks against FakeCloud: the log read a page at a time ("Load more"), filtered
// by person, tenant, action prefix and time (the filters reach the service as its query), a failed read said in place
// and retried; the export writes every page of the filtered log to the file the admin picked (CSV or JSON Lines) and
// a cancelled one writes nothing; webhooks are added with their secret shown once (copied as a secret, forgotten with
// the dialog), paused, deleted, and their deliveries listed (all or given up only) and sent again.
#include "TestAdminFixture.h"
#include "ui/admin/AdminView.h"
#include "ui/admin/AuditExportDialog.h"
#include "ui/admin/AuditPage.h"
#include "ui/admin/ConfirmDialog.h"
#include "ui/admin/WebhookDialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateTimeEdit>
#include <QLabel>
#include <QPlainTextEdit>
#include <QRadioButton>
#include <QTemporaryDir>
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

int matching(const QList<models::AuditEvent>& events, const std::function<bool(const models::AuditEvent&)>& keep)
{
    return int(std::count_if(events.begin(), events.end(), keep));
}

} // namespace

class TestAdminAudit : public QObject
{
    Q_OBJECT

    struct Screen
    {
        AdminWorld w;
        std::unique_ptr<AdminView> view;
        QWidget* page = nullptr;

        bool open(AdminView::Page which, const QString& pageName)
        {
            if (!w.start())
                return false;
            view = std::make_unique<AdminView>(w.context);
            view->resize(1200, 760);
            view->show();
            view->showPage(which);
            page = view->findChild<QWidget*>(pageName);
            return page && QTest::qWaitForWindowExposed(view.get());
        }
        // Seeds `n` events, alternating between Ada in Contoso (checkout.*) and Tom in Fabrikam (tenant.*).
        void seed(int n)
        {
            for (int i = 0; i < n; ++i) {
                const bool ada = i % 2 == 0;
                w.cloud.addAuditEvent(ada ? QStringLiteral("checkout.request") : QStringLiteral("tenant.update"),
                                      ada ? w.ada.id : w.tom.id, ada ? w.contoso.id : w.fabrikam.id,
                                      {{QStringLiteral("n"), i}}, w.clock.now() - qint64(n - i) * 60'000);
            }
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

    void readsAPageAtATimeAndFilters()
    {
        Screen s;
        s.seed(130);
        QVERIFY(s.open(AdminView::Page::Audit, QStringLiteral("auditPage")));
        auto* table = child<QAbstractItemView>(s.page, QStringLiteral("auditTable"));
        QTRY_COMPARE(table->model()->rowCount(), ui::AuditPage::kPageSize);
        auto* more = child<QAbstractButton>(s.page, QStringLiteral("loadMoreButton"));
        QVERIFY(more->isVisible());
        QVERIFY(labelText(s.page, QStringLiteral("auditCount")).contains(QStringLiteral("newest")));
        // The newest first, and the first one shown in full.
        QTRY_VERIFY(!child<QPlainTextEdit>(s.page, QStringLiteral("auditEventDetails"))->toPlainText().isEmpty());
        const int total = int(s.w.cloud.auditEvents().size());
        click(s.page, QStringLiteral("loadMoreButton"));
        QTRY_COMPARE(table->model()->rowCount(), total);
        QVERIFY(!more->isVisible());
        QVERIFY(labelText(s.page, QStringLiteral("auditCount")).startsWith(QStringLiteral("All")));

        // A person: the service is asked for theirs only.
        auto* person = child<QComboBox>(s.page, QStringLiteral("personFilter"));
        person->setCurrentIndex(person->findData(s.w.ada.id));
        const int ada = matching(s.w.cloud.auditEvents(), [&](const auto& e) { return e.actorId == s.w.ada.id; });
        QTRY_COMPARE(table->model()->rowCount(), std::min(ada, ui::AuditPage::kPageSize));
        QCOMPARE(s.w.sent("GET", QStringLiteral("/v1/audit")).last().query.queryItemValue(QStringLiteral("actorId")),
                 s.w.ada.id);
        for (int row = 0; row < table->model()->rowCount(); ++row)
            QCOMPARE(table->model()->index(row, 1).data().toString(), QStringLiteral("Ada Lovelace"));

        // An action prefix and a tenant together: nothing matches.
        auto* tenant = child<QComboBox>(s.page, QStringLiteral("tenantFilter"));
        tenant->setCurrentIndex(tenant->findData(s.w.fabrikam.id));
        child<QComboBox>(s.page, QStringLiteral("actionFilter"))->setCurrentText(QStringLiteral("checkout."));
        QTRY_COMPARE(s.w.sent("GET", QStringLiteral("/v1/audit")).last().query.queryItemValue(QStringLiteral("action")),
                     QStringLiteral("checkout."));
        const QUrlQuery last = s.w.sent("GET", QStringLiteral("/v1/audit")).last().query;
        QCOMPARE(last.queryItemValue(QStringLiteral("tenantId")), s.w.fabrikam.id);
        QTRY_COMPARE(table->model()->rowCount(), 0);
        QTRY_COMPARE(labelText(s.page, QStringLiteral("auditCount")), QStringLiteral("No events match these filters."));

        // A time span goes as RFC 3339; "from" after "to" is refused before asking.
        click(s.page, QStringLiteral("clearFiltersButton"));
        child<QCheckBox>(s.page, QStringLiteral("fromCheck"))->setChecked(true);
        QTRY_VERIFY(!s.w.sent("GET", QStringLiteral("/v1/audit"))
                         .last()
                         .query.queryItemValue(QStringLiteral("from"))
                         .isEmpty());
        QVERIFY(fromRfc3339(
            s.w.sent("GET", QStringLiteral("/v1/audit")).last().query.queryItemValue(QStringLiteral("from"))));
        const int asked = int(s.w.sent("GET", QStringLiteral("/v1/audit")).size());
        auto* from = child<QDateTimeEdit>(s.page, QStringLiteral("fromEdit"));
        auto* to = child<QDateTimeEdit>(s.page, QStringLiteral("toEdit"));
        to->setDateTime(from->dateTime().addDays(-1));
        child<QCheckBox>(s.page, QStringLiteral("toCheck"))->setChecked(true);
        QTRY_VERIFY(statusText(s.page, QStringLiteral("pageStatus")).contains(QStringLiteral("before")));
        QCOMPARE(int(s.w.sent("GET", QStringLiteral("/v1/audit")).size()), asked);
    }

    void failedReadIsSaidAndRetried()
    {
        Screen s;
        s.seed(3);
        s.w.cloud.failNext("GET", QStringLiteral("/v1/audit"), 503, QStringLiteral("unavailable"));
        QVERIFY(s.open(AdminView::Page::Audit, QStringLiteral("auditPage")));
        QTRY_VERIFY(statusText(s.page, QStringLiteral("pageStatus")).contains(QStringLiteral("ran into a problem")));
        click(s.page, QStringLiteral("refreshAuditButton"));
        QTRY_COMPARE(child<QAbstractItemView>(s.page, QStringLiteral("auditTable"))->model()->rowCount(),
                     int(s.w.cloud.auditEvents().size()));
        QVERIFY(statusText(s.page, QStringLiteral("pageStatus")).isEmpty());
    }

    void exportWritesEveryPageOfTheFilteredLog_data()
    {
        QTest::addColumn<bool>("csv");
        QTest::newRow("csv") << true;
        QTest::newRow("json lines") << false;
    }
    void exportWritesEveryPageOfTheFilteredLog()
    {
        QFETCH(bool, csv);
        Screen s;
        s.seed(460); // more than two of the exporter's pages
        QVERIFY(s.open(AdminView::Page::Audit, QStringLiteral("auditPage")));
        auto* person = child<QComboBox>(s.page, QStringLiteral("personFilter"));
        person->setCurrentIndex(person->findData(s.w.ada.id));
        QTRY_COMPARE(
            s.w.sent("GET", QStringLiteral("/v1/audit")).last().query.queryItemValue(QStringLiteral("actorId")),
            s.w.ada.id);
        const int expected = matching(s.w.cloud.auditEvents(), [&](const auto& e) { return e.actorId == s.w.ada.id; });
        QVERIFY(expected > 200);

        click(s.page, QStringLiteral("exportButton"));
        auto* dialog = openDialog<ui::AuditExportDialog>();
        QVERIFY(dialog);
        QVERIFY(labelText(dialog, QStringLiteral("exportScope")).contains(QStringLiteral("by Ada Lovelace")));
        QTemporaryDir dir;
        type(dialog, QStringLiteral("exportPathEdit"), dir.filePath(QStringLiteral("audit.csv")));
        if (!csv) {
            auto* jsonl = child<QRadioButton>(dialog, QStringLiteral("jsonlRadio"));
            QTest::mouseClick(jsonl, Qt::LeftButton, {}, QPoint(8, jsonl->height() / 2));
            QCOMPARE(child<QLineEdit>(dialog, QStringLiteral("exportPathEdit"))->text(),
                     dir.filePath(QStringLiteral("audit.jsonl")));
        }
        click(dialog, QStringLiteral("startExportButton"));
        QTRY_VERIFY(dialog->findChild<QLabel*>(QStringLiteral("actionStatusText"))
                        ->text()
                        .contains(QStringLiteral("written to")));
        QFile file(dir.filePath(csv ? QStringLiteral("audit.csv") : QStringLiteral("audit.jsonl")));
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray data = file.readAll();
        QCOMPARE(int(data.count('\n')), expected + (csv ? 1 : 0));
        if (csv)
            QVERIFY(data.startsWith("occurredAt,seq,action"));
        else
            QCOMPARE(QJsonDocument::fromJson(data.left(data.indexOf('\n')))
                         .object()
                         .value(QLatin1String("actorId"))
                         .toString(),
                     s.w.ada.id);
        // Every page was asked for, with the page's filter.
        int exportPages = 0;
        for (const auto& r : s.w.sent("GET", QStringLiteral("/v1/audit"))) {
            if (r.query.queryItemValue(QStringLiteral("limit")) == QLatin1String("200")) {
                ++exportPages;
                QCOMPARE(r.query.queryItemValue(QStringLiteral("actorId")), s.w.ada.id);
            }
        }
        QCOMPARE(exportPages, (expected + 199) / 200);
        QVERIFY(!child<QAbstractButton>(dialog, QStringLiteral("startExportButton"))->isVisible());
    }

    void cancelledExportWritesNothing()
    {
        Screen s;
        s.seed(460);
        QVERIFY(s.open(AdminView::Page::Audit, QStringLiteral("auditPage")));
        QTRY_VERIFY(child<QAbstractItemView>(s.page, QStringLiteral("auditTable"))->model()->rowCount() > 0);
        click(s.page, QStringLiteral("exportButton"));
        auto* dialog = openDialog<ui::AuditExportDialog>();
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("audit.csv"));
        type(dialog, QStringLiteral("exportPathEdit"), path);
        s.w.cloud.setDelayMs(200);
        click(dialog, QStringLiteral("startExportButton"));
        QTRY_VERIFY(dialog->isExporting());
        QVERIFY(child<QWidget>(dialog, QStringLiteral("exportProgress"))->isVisible());
        click(dialog, QStringLiteral("cancelButton"));
        QTRY_VERIFY(!dialog->isExporting());
        QVERIFY(openDialog<ui::AuditExportDialog>()); // the first Cancel stops the export, not the dialog
        QTRY_VERIFY(dialog->findChild<QLabel*>(QStringLiteral("actionStatusText"))
                        ->text()
                        .contains(QStringLiteral("cancelled")));
        QVERIFY(!QFile::exists(path));
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files), QStringList());
        click(dialog, QStringLiteral("cancelButton"));
        QTRY_VERIFY(!openDialog<ui::AuditExportDialog>());
    }

    void webhookSecretIsShownOnce()
    {
        Screen s;
        QVERIFY(s.open(AdminView::Page::Webhooks, QStringLiteral("webhooksPage")));
        click(s.page, QStringLiteral("addWebhookButton"));
        auto* dialog = openDialog<ui::WebhookDialog>();
        QVERIFY(dialog);
        type(dialog, QStringLiteral("webhookUrlEdit"), QStringLiteral("not a url"));
        click(dialog, QStringLiteral("createWebhookButton"));
        QVERIFY(child<QLabel>(dialog, QStringLiteral("webhookUrlEditError"))->isVisible());
        QCOMPARE(s.w.sent("POST", QStringLiteral("/v1/webhooks")).size(), 0);
        type(dialog, QStringLiteral("webhookUrlEdit"), QStringLiteral("https://hooks.example.com/stint"));
        type(dialog, QStringLiteral("webhookDescriptionEdit"), QStringLiteral("PSA"));
        child<QCheckBox>(dialog, QStringLiteral("event_checkout_updated"))->setChecked(true);
        click(dialog, QStringLiteral("createWebhookButton"));
        auto* secret = child<QLineEdit>(dialog, QStringLiteral("webhookSecretEdit"));
        QTRY_VERIFY(secret->isVisible());
        QVERIFY(!secret->text().isEmpty());
        QCOMPARE(secret->echoMode(), QLineEdit::Password); // hidden until asked
        click(dialog, QStringLiteral("showSecretButton"));
        QCOMPARE(secret->echoMode(), QLineEdit::Normal);
        click(dialog, QStringLiteral("copySecretButton"));
        QCOMPARE(s.w.desktop.clipboard, secret->text().toUtf8());
        QVERIFY(s.w.desktop.clipboardIsSecret);
        QCOMPARE(s.w.desktop.clipboardClearAfterMs, ui::WebhookDialog::kClipboardClearMs);
        const QString shown = secret->text();
        const QJsonObject body = *s.w.sent("POST", QStringLiteral("/v1/webhooks")).first().body;
        QCOMPARE(body.value(QLatin1String("eventTypes")).toArray(), QJsonArray {QStringLiteral("checkout.updated")});
        QVERIFY(s.w.sent("POST", QStringLiteral("/v1/webhooks")).first().sensitive);
        click(dialog, QStringLiteral("doneButton"));
        QTRY_VERIFY(!openDialog<ui::WebhookDialog>());
        for (QLineEdit* edit : s.view->findChildren<QLineEdit*>())
            QVERIFY(!edit->text().contains(shown));
        QTRY_COMPARE(labelText(s.page, QStringLiteral("webhookUrl")),
                     QStringLiteral("https://hooks.example.com/stint"));
        QVERIFY(labelText(s.page, QStringLiteral("webhookFacts")).contains(QStringLiteral("Events: Checkouts")));
    }

    void deliveriesAreListedAndSentAgain()
    {
        Screen s;
        const models::Webhook hook = s.w.cloud.addWebhook(QStringLiteral("https://hooks.example.com/a"));
        s.w.cloud.addWebhookDelivery(hook.id, QStringLiteral("checkout.updated"), QStringLiteral("delivered"));
        const QString dead
            = s.w.cloud.addWebhookDelivery(hook.id, QStringLiteral("alert.raised"), QStringLiteral("dead"));
        QVERIFY(s.open(AdminView::Page::Webhooks, QStringLiteral("webhooksPage")));
        QTRY_VERIFY(selectRow(s.page, QStringLiteral("webhooksTable"), QStringLiteral("https://hooks.example.com/a")));
        auto* deliveries = child<QAbstractItemView>(s.page, QStringLiteral("deliveriesTable"));
        QTRY_COMPARE(deliveries->model()->rowCount(), 2);
        child<QCheckBox>(s.page, QStringLiteral("deadOnlyCheck"))->setChecked(true);
        QTRY_COMPARE(deliveries->model()->rowCount(), 1);
        QCOMPARE(s.w.sent("GET", QStringLiteral("/v1/webhooks/%1/deliveries").arg(hook.id))
                     .last()
                     .query.queryItemValue(QStringLiteral("status")),
                 QStringLiteral("dead"));
        QCOMPARE(deliveries->model()->index(0, 1).data().toString(), QStringLiteral("Gave up"));
        auto* again = child<QAbstractButton>(s.page, QStringLiteral("redeliverButton"));
        QVERIFY(!again->isEnabled());
        deliveries->setCurrentIndex(deliveries->model()->index(0, 0));
        QVERIFY(again->isEnabled());
        click(s.page, QStringLiteral("redeliverButton"));
        QTRY_COMPARE(
            s.w.sent("POST", QStringLiteral("/v1/webhooks/%1/deliveries/%2/redeliver").arg(hook.id, dead)).size(), 1);
        QTRY_VERIFY(statusText(s.page, QStringLiteral("webhookActionStatus")).contains(QStringLiteral("Queued")));

        // The service cannot be reached: the list says so instead of going blank.
        s.w.cloud.setUnreachable(true);
        click(s.page, QStringLiteral("refreshDeliveriesButton"));
        QTRY_VERIFY(labelText(s.page, QStringLiteral("deliveriesNote")).contains(QStringLiteral("cannot be reached")));
    }

    void pausedAndDeleted()
    {
        Screen s;
        const models::Webhook hook = s.w.cloud.addWebhook(QStringLiteral("https://hooks.example.com/b"));
        QVERIFY(s.open(AdminView::Page::Webhooks, QStringLiteral("webhooksPage")));
        QTRY_VERIFY(selectRow(s.page, QStringLiteral("webhooksTable"), QStringLiteral("https://hooks.example.com/b")));
        QTRY_COMPARE(child<QAbstractButton>(s.page, QStringLiteral("toggleWebhookButton"))->text(),
                     QStringLiteral("&Pause"));
        click(s.page, QStringLiteral("toggleWebhookButton"));
        QTRY_COMPARE(child<QAbstractButton>(s.page, QStringLiteral("toggleWebhookButton"))->text(),
                     QStringLiteral("&Resume"));
        QCOMPARE(
            s.w.sent("PATCH", QStringLiteral("/v1/webhooks/") + hook.id).first().body->value(QLatin1String("enabled")),
            QJsonValue(false));
        click(s.page, QStringLiteral("deleteWebhookButton"));
        auto* confirm = openDialog<ui::ConfirmDialog>();
        QVERIFY(
            labelText(confirm, QStringLiteral("confirmConsequence")).contains(QStringLiteral("hooks.example.com/b")));
        click(confirm, QStringLiteral("confirmButton"));
        QTRY_VERIFY(!openDialog<ui::ConfirmDialog>());
        QCOMPARE(s.w.sent("DELETE", QStringLiteral("/v1/webhooks/") + hook.id).size(), 1);
        QTRY_VERIFY(s.page->findChild<QWidget*>(QStringLiteral("emptyState"))->isVisible());
    }
};

QTEST_MAIN(TestAdminAudit)
#include "TestAdminAudit.moc"
