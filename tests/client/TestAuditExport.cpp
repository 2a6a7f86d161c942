// SPDX-License-Identifier: GPL-3.0-or-later
// client::AuditExport: every page of the filtered log reaches the file, in RFC 4180 CSV (read back by an independent
// parser here) or JSON Lines; a failed, cancelled or busy export writes nothing and leaves an existing file alone;
// passing failures are asked again, lasting ones are not; a cursor that does not advance stops the export.
#include "client/ApiError.h"
#include "client/AuditExport.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace stint;
using client::AuditExport;

namespace {

// The audit route of the API, scripted: pages by offset cursors over a fixed list, failures by request number, and
// answers held back until released (to cancel while one is in flight).
class AuditTransport final : public client::ApiTransport
{
public:
    QList<models::AuditEvent> events;
    QList<client::ApiRequest> seen;
    QHash<int, Error> failures; // request number (0-based) → its error
    QString stuckCursor; // answer every page with this cursor (a broken service)
    bool hold = false;
    bool garbage = false; // items that are not audit events
    QList<std::function<void()>> held;

    client::Call<client::ApiResponse> send(const client::ApiRequest& request) override
    {
        const int number = int(seen.size());
        seen.append(request);
        client::Call<client::ApiResponse> call;
        std::function<void()> answer;
        if (failures.contains(number)) {
            const Error e = failures.value(number);
            answer = [call, e]() { call.fail(e); };
        } else {
            const int limit = request.query.queryItemValue(QStringLiteral("limit")).toInt();
            const int offset = request.query.queryItemValue(QStringLiteral("cursor")).toInt();
            QJsonArray items;
            for (int i = offset; i < std::min<int>(offset + limit, int(events.size())); ++i)
                items.append(events.at(i).toJson());
            if (garbage)
                items = QJsonArray {42, QJsonObject {{QStringLiteral("seq"), QStringLiteral("not a number")}}};
            const int next = offset + limit;
            QJsonValue cursor = next < events.size() ? QJsonValue(QString::number(next)) : QJsonValue();
            if (!stuckCursor.isEmpty())
                cursor = stuckCursor;
            client::ApiResponse r;
            r.status = 200;
            r.json = QJsonObject {{QStringLiteral("items"), items}, {QStringLiteral("nextCursor"), cursor}};
            answer = [call, r]() { call.resolve(r); };
        }
        if (hold)
            held.append(answer);
        else
            QTimer::singleShot(0, [answer]() { answer(); });
        return call;
    }
    void setSessionToken(const crypto::SecretBytes&) override { }
    bool hasSessionToken() const override { return true; }
    QString origin() const override { return QStringLiteral("http://localhost"); }
};

Error problem(int status, const QString& slug)
{
    const QByteArray body
        = QJsonDocument(QJsonObject {{QStringLiteral("type"), QStringLiteral("https://stint.invalid/problems/") + slug},
                                     {QStringLiteral("title"), QStringLiteral("Problem.")},
                                     {QStringLiteral("status"), status}})
              .toJson();
    return client::errors::fromHttpStatus(status, body, "application/problem+json");
}

models::AuditEvent auditEvent(int seq, const QString& action, const QString& actorLabel,
                              const QJsonObject& details = {})
{
    models::AuditEvent e;
    e.id = QStringLiteral("aud_%1").arg(seq);
    e.seq = seq;
    e.occurredAt = 1'800'000'000'000 - qint64(seq) * 60'000;
    e.actorId = QStringLiteral("per_1");
    e.actorLabel = actorLabel;
    e.action = action;
    e.targetType = QStringLiteral("checkout");
    e.targetId = QStringLiteral("chk_%1").arg(seq);
    e.tenantId = QStringLiteral("tnt_1");
    e.sourceAddress = QStringLiteral("127.0.0.1");
    e.outcome = QStringLiteral("success");
    e.details = details;
    e.prevHash = QStringLiteral("p%1").arg(seq);
    e.hash = QStringLiteral("h%1").arg(seq);
    return e;
}

// An RFC 4180 reader written for this test (not the writer's code): records of fields, CRLF between records.
QList<QStringList> parseCsv(const QByteArray& data, bool* wellFormed)
{
    QList<QStringList> records;
    QStringList record;
    QByteArray field;
    bool quoted = false;
    bool fieldWasQuoted = false;
    *wellFormed = true;
    for (qsizetype i = 0; i < data.size(); ++i) {
        const char c = data.at(i);
        if (quoted) {
            if (c == '"') {
                if (i + 1 < data.size() && data.at(i + 1) == '"') {
                    field += '"';
                    ++i;
                } else {
                    quoted = false;
                }
            } else {
                field += c;
            }
            continue;
        }
        if (c == '"') {
            if (!field.isEmpty())
                *wellFormed = false;
            quoted = true;
            fieldWasQuoted = true;
        } else if (c == ',') {
            record << QString::fromUtf8(field);
            field.clear();
            fieldWasQuoted = false;
        } else if (c == '\r') {
            if (i + 1 >= data.size() || data.at(i + 1) != '\n')
                *wellFormed = false;
        } else if (c == '\n') {
            record << QString::fromUtf8(field);
            records << record;
            record.clear();
            field.clear();
            fieldWasQuoted = false;
        } else {
            if (fieldWasQuoted)
                *wellFormed = false;
            field += c;
        }
    }
    if (quoted || !field.isEmpty() || !record.isEmpty())
        *wellFormed = false;
    return records;
}

QByteArray readAll(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return f.readAll();
}

} // namespace

class TestAuditExport : public QObject
{
    Q_OBJECT
private slots:
    void csvField_data()
    {
        QTest::addColumn<QString>("value");
        QTest::addColumn<QByteArray>("expected");
        QTest::newRow("plain") << QStringLiteral("checkout.request") << QByteArray("checkout.request");
        QTest::newRow("empty") << QString() << QByteArray();
        QTest::newRow("comma") << QStringLiteral("a,b") << QByteArray("\"a,b\"");
        QTest::newRow("quote") << QStringLiteral("say \"hi\"") << QByteArray("\"say \"\"hi\"\"\"");
        QTest::newRow("newline") << QStringLiteral("two\nlines") << QByteArray("\"two\nlines\"");
        QTest::newRow("carriage return") << QStringLiteral("a\rb") << QByteArray("\"a\rb\"");
        QTest::newRow("formula =") << QStringLiteral("=HYPERLINK(1)") << QByteArray("'=HYPERLINK(1)");
        QTest::newRow("formula +") << QStringLiteral("+1") << QByteArray("'+1");
        QTest::newRow("formula -") << QStringLiteral("-1") << QByteArray("'-1");
        QTest::newRow("formula @") << QStringLiteral("@SUM(1)") << QByteArray("'@SUM(1)");
        QTest::newRow("formula with comma") << QStringLiteral("=1,2") << QByteArray("\"'=1,2\"");
        QTest::newRow("unicode") << QStringLiteral("Zoë Müller") << QByteArray("Zo\xc3\xab M\xc3\xbcller");
        QTest::newRow("inner equals") << QStringLiteral("a=b") << QByteArray("a=b");
    }
    void csvField()
    {
        QFETCH(QString, value);
        QFETCH(QByteArray, expected);
        QCOMPARE(AuditExport::csvField(value), expected);
    }

    void csvRecordHasTheHeaderColumnsAndCompactDetails()
    {
        const auto e = auditEvent(7, QStringLiteral("checkout.request"), QStringLiteral("Ada, the admin"),
                                  {{QStringLiteral("justification"), QStringLiteral("line 1\nline \"2\"")}});
        bool ok = false;
        const auto rows = parseCsv(AuditExport::csvHeader() + AuditExport::csvRecord(e), &ok);
        QVERIFY(ok);
        QCOMPARE(rows.size(), 2);
        QCOMPARE(rows.at(0).size(), rows.at(1).size());
        const QStringList& header = rows.at(0);
        const QStringList& row = rows.at(1);
        QCOMPARE(row.at(header.indexOf(QStringLiteral("actorLabel"))), QStringLiteral("Ada, the admin"));
        QCOMPARE(row.at(header.indexOf(QStringLiteral("occurredAt"))), toRfc3339(e.occurredAt));
        QCOMPARE(row.at(header.indexOf(QStringLiteral("seq"))), QStringLiteral("7"));
        const QString details = row.at(header.indexOf(QStringLiteral("details")));
        QVERIFY(!details.contains(QLatin1Char('\n')) || details.contains(QStringLiteral("\\n")));
        QCOMPARE(QJsonDocument::fromJson(details.toUtf8()).object(), e.details);
        QVERIFY(!details.contains(QStringLiteral(": "))); // compact
    }

    void exportsEveryPage_data()
    {
        QTest::addColumn<int>("events");
        QTest::addColumn<int>("pageSize");
        QTest::addColumn<int>("format");
        QTest::newRow("csv, 5 over pages of 2") << 5 << 2 << int(AuditExport::Format::Csv);
        QTest::newRow("csv, exactly 2 pages") << 4 << 2 << int(AuditExport::Format::Csv);
        QTest::newRow("csv, empty log") << 0 << 2 << int(AuditExport::Format::Csv);
        QTest::newRow("jsonl, 5 over pages of 2") << 5 << 2 << int(AuditExport::Format::JsonLines);
        QTest::newRow("jsonl, one page") << 3 << 200 << int(AuditExport::Format::JsonLines);
        QTest::newRow("jsonl, empty log") << 0 << 200 << int(AuditExport::Format::JsonLines);
    }
    void exportsEveryPage()
    {
        QFETCH(int, events);
        QFETCH(int, pageSize);
        QFETCH(int, format);
        AuditTransport transport;
        for (int i = 0; i < events; ++i)
            transport.events.append(
                auditEvent(100 - i, i % 2 ? QStringLiteral("tenant.update") : QStringLiteral("checkout.revoke"),
                           QStringLiteral("Ada \"A\" Lovelace, admin"),
                           {{QStringLiteral("reason"), QStringLiteral("=cmd|' /C calc'!A0\r\nnext")}}));
        client::CloudApi api(transport);
        AuditExport exporter(api);
        exporter.setPageSize(pageSize);
        QSignalSpy progress(&exporter, &AuditExport::progress);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("audit.out"));
        models::AuditFilter filter;
        filter.from = 1'700'000'000'000;
        filter.to = 1'900'000'000'000;
        filter.actorId = QStringLiteral("per_1");
        filter.tenantId = QStringLiteral("tnt_1");
        filter.action = QStringLiteral("checkout.");
        auto call = exporter.start(filter, path, AuditExport::Format(format));
        QVERIFY(exporter.isRunning());
        QTRY_VERIFY(call.isFinished());
        QVERIFY2(call.result()->ok(), qPrintable(call.result()->ok() ? QString() : call.result()->error().message));
        QCOMPARE(call.result()->value(), qint64(events));
        QVERIFY(!exporter.isRunning());

        const int pages = events == 0 ? 1 : (events + pageSize - 1) / pageSize;
        QCOMPARE(transport.seen.size(), pages);
        for (const auto& r : transport.seen) {
            QCOMPARE(r.path, QStringLiteral("/v1/audit"));
            QCOMPARE(r.query.queryItemValue(QStringLiteral("action")), QStringLiteral("checkout."));
            QCOMPARE(r.query.queryItemValue(QStringLiteral("actorId")), QStringLiteral("per_1"));
            QCOMPARE(r.query.queryItemValue(QStringLiteral("tenantId")), QStringLiteral("tnt_1"));
            QCOMPARE(r.query.queryItemValue(QStringLiteral("from")), toRfc3339(*filter.from));
            QCOMPARE(r.query.queryItemValue(QStringLiteral("to")), toRfc3339(*filter.to));
        }
        QCOMPARE(progress.size(), events == 0 ? 0 : pages);
        if (events > 0) {
            QCOMPARE(progress.last().at(0).toLongLong(), qint64(events));
            QCOMPARE(progress.last().at(1).toLongLong(), transport.events.last().occurredAt);
        }

        const QByteArray data = readAll(path);
        if (AuditExport::Format(format) == AuditExport::Format::Csv) {
            bool ok = false;
            const auto rows = parseCsv(data, &ok);
            QVERIFY(ok);
            QCOMPARE(rows.size(), events + 1);
            const QStringList header = rows.first();
            for (int i = 0; i < events; ++i) {
                const auto& e = transport.events.at(i);
                const QStringList& row = rows.at(i + 1);
                QCOMPARE(row.size(), header.size());
                QCOMPARE(row.at(header.indexOf(QStringLiteral("id"))), e.id);
                QCOMPARE(row.at(header.indexOf(QStringLiteral("action"))), e.action);
                QCOMPARE(row.at(header.indexOf(QStringLiteral("actorLabel"))), e.actorLabel);
                QCOMPARE(row.at(header.indexOf(QStringLiteral("hash"))), e.hash);
                QCOMPARE(QJsonDocument::fromJson(row.at(header.indexOf(QStringLiteral("details"))).toUtf8()).object(),
                         e.details);
            }
        } else {
            const QList<QByteArray> lines = data.split('\n');
            QCOMPARE(lines.size(), events + 1); // the last line ends with '\n'
            QVERIFY(lines.last().isEmpty());
            for (int i = 0; i < events; ++i) {
                QJsonParseError error {};
                const QJsonObject o = QJsonDocument::fromJson(lines.at(i), &error).object();
                QCOMPARE(error.error, QJsonParseError::NoError);
                QCOMPARE(o, transport.events.at(i).toJson());
            }
        }
    }

    void lastingFailureWritesNothingAndKeepsTheOldFile_data()
    {
        QTest::addColumn<int>("failingRequest");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("code");
        QTest::newRow("first page forbidden") << 0 << 403 << QStringLiteral("api.forbidden");
        QTest::newRow("second page invalid") << 1 << 422 << QStringLiteral("api.validation");
        QTest::newRow("third page expired session") << 2 << 401 << QStringLiteral("api.unauthorized");
    }
    void lastingFailureWritesNothingAndKeepsTheOldFile()
    {
        QFETCH(int, failingRequest);
        QFETCH(int, status);
        QFETCH(QString, code);
        AuditTransport transport;
        for (int i = 0; i < 6; ++i)
            transport.events.append(auditEvent(50 - i, QStringLiteral("checkout.request"), QStringLiteral("Ada")));
        transport.failures.insert(failingRequest,
                                  problem(status,
                                          status == 401       ? QStringLiteral("unauthorized")
                                              : status == 403 ? QStringLiteral("forbidden")
                                                              : QStringLiteral("validation")));
        client::CloudApi api(transport);
        AuditExport exporter(api);
        exporter.setPageSize(2);
        exporter.setRetryDelayMs(1);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("audit.csv"));
        {
            QFile old(path);
            QVERIFY(old.open(QIODevice::WriteOnly));
            old.write("the previous export\n");
        }
        auto call = exporter.start({}, path, AuditExport::Format::Csv);
        QTRY_VERIFY(call.isFinished());
        QVERIFY(!call.result()->ok());
        QCOMPARE(call.result()->error().code, code);
        QCOMPARE(transport.seen.size(), failingRequest + 1); // not asked again
        QCOMPARE(readAll(path), QByteArray("the previous export\n"));
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files), QStringList {QStringLiteral("audit.csv")}); // no leftovers
    }

    void passingFailureIsAskedAgain_data()
    {
        QTest::addColumn<int>("status");
        QTest::newRow("503") << 503;
        QTest::newRow("429") << 429;
        QTest::newRow("network") << 0;
    }
    void passingFailureIsAskedAgain()
    {
        QFETCH(int, status);
        AuditTransport transport;
        for (int i = 0; i < 3; ++i)
            transport.events.append(auditEvent(10 - i, QStringLiteral("checkout.request"), QStringLiteral("Ada")));
        const Error e = status == 0
            ? Error {QString::fromLatin1(client::errors::kUnreachable), QStringLiteral("Connection refused"), {}}
            : problem(status, status == 429 ? QStringLiteral("rate-limited") : QStringLiteral("unavailable"));
        transport.failures.insert(1, e);
        transport.failures.insert(2, e);
        client::CloudApi api(transport);
        AuditExport exporter(api);
        exporter.setPageSize(2);
        exporter.setRetryDelayMs(1);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("audit.jsonl"));
        auto call = exporter.start({}, path, AuditExport::Format::JsonLines);
        QTRY_VERIFY(call.isFinished());
        QVERIFY(call.result()->ok());
        QCOMPARE(call.result()->value(), qint64(3));
        QCOMPARE(transport.seen.size(), 4);
        QCOMPARE(transport.seen.at(3).query.queryItemValue(QStringLiteral("cursor")), QStringLiteral("2"));
        QCOMPARE(readAll(path).count('\n'), 3);
    }

    void passingFailureGivesUpAfterTheLastAttempt()
    {
        AuditTransport transport;
        transport.events.append(auditEvent(1, QStringLiteral("checkout.request"), QStringLiteral("Ada")));
        for (int i = 0; i < 10; ++i)
            transport.failures.insert(i, problem(503, QStringLiteral("unavailable")));
        client::CloudApi api(transport);
        AuditExport exporter(api);
        exporter.setRetryDelayMs(1);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("audit.csv"));
        auto call = exporter.start({}, path, AuditExport::Format::Csv);
        QTRY_VERIFY(call.isFinished());
        QVERIFY(!call.result()->ok());
        QCOMPARE(client::errors::httpStatus(call.result()->error()), 503);
        QCOMPARE(transport.seen.size(), AuditExport::kMaxAttempts);
        QVERIFY(!QFile::exists(path));
    }

    void cancelWritesNothingAndDropsTheLateAnswer()
    {
        AuditTransport transport;
        for (int i = 0; i < 6; ++i)
            transport.events.append(auditEvent(50 - i, QStringLiteral("checkout.request"), QStringLiteral("Ada")));
        transport.hold = true;
        client::CloudApi api(transport);
        AuditExport exporter(api);
        exporter.setPageSize(2);
        QSignalSpy progress(&exporter, &AuditExport::progress);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("audit.csv"));
        auto call = exporter.start({}, path, AuditExport::Format::Csv);
        QTRY_COMPARE(transport.held.size(), 1);
        transport.held.takeFirst()(); // page 1 arrives
        QTRY_COMPARE(progress.size(), 1);
        QTRY_COMPARE(transport.held.size(), 1); // page 2 asked for
        exporter.cancel();
        QVERIFY(!exporter.isRunning());
        transport.held.takeFirst()(); // page 2 arrives after the cancel
        QTRY_VERIFY(call.isFinished());
        QCOMPARE(call.result()->error().code, QString::fromLatin1(AuditExport::kCancelled));
        QTest::qWait(0);
        QCoreApplication::processEvents();
        QCOMPARE(progress.size(), 1);
        QCOMPARE(transport.seen.size(), 2);
        QVERIFY(!QFile::exists(path));
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files), QStringList());
    }

    void secondExportWhileOneRunsIsRefused()
    {
        AuditTransport transport;
        transport.hold = true;
        client::CloudApi api(transport);
        AuditExport exporter(api);
        QTemporaryDir dir;
        auto first = exporter.start({}, dir.filePath(QStringLiteral("a.csv")), AuditExport::Format::Csv);
        auto second = exporter.start({}, dir.filePath(QStringLiteral("b.csv")), AuditExport::Format::Csv);
        QVERIFY(second.isFinished());
        QCOMPARE(second.result()->error().code, QString::fromLatin1(AuditExport::kBusy));
        QVERIFY(!first.isFinished());
        QVERIFY(!QFile::exists(dir.filePath(QStringLiteral("b.csv"))));
        exporter.cancel();
    }

    void unwritablePathFailsAtOnce()
    {
        AuditTransport transport;
        client::CloudApi api(transport);
        AuditExport exporter(api);
        QTemporaryDir dir;
        auto call
            = exporter.start({}, dir.filePath(QStringLiteral("missing/folder/audit.csv")), AuditExport::Format::Csv);
        QVERIFY(call.isFinished());
        QCOMPARE(call.result()->error().code, QString::fromLatin1(AuditExport::kIo));
        QVERIFY(call.result()->error().message.contains(QStringLiteral("audit.csv")));
        QCOMPARE(transport.seen.size(), 0);
        QVERIFY(!exporter.isRunning());
    }

    void cursorThatDoesNotAdvanceStops()
    {
        AuditTransport transport;
        for (int i = 0; i < 4; ++i)
            transport.events.append(auditEvent(50 - i, QStringLiteral("checkout.request"), QStringLiteral("Ada")));
        transport.stuckCursor = QStringLiteral("same");
        client::CloudApi api(transport);
        AuditExport exporter(api);
        exporter.setPageSize(2);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("audit.csv"));
        auto call = exporter.start({}, path, AuditExport::Format::Csv);
        QTRY_VERIFY(call.isFinished());
        QCOMPARE(call.result()->error().code, QString::fromLatin1(client::errors::kUnexpected));
        QCOMPARE(transport.seen.size(), 2);
        QVERIFY(!QFile::exists(path));
    }

    void unreadablePageFailsWithoutAFile()
    {
        AuditTransport transport;
        transport.events.append(auditEvent(1, QStringLiteral("checkout.request"), QStringLiteral("Ada")));
        transport.garbage = true;
        client::CloudApi api(transport);
        AuditExport exporter(api);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("audit.csv"));
        auto call = exporter.start({}, path, AuditExport::Format::Csv);
        QTRY_VERIFY(call.isFinished());
        QCOMPARE(call.result()->error().code, QString::fromLatin1(client::errors::kUnexpected));
        QCOMPARE(transport.seen.size(), 1); // not a passing failure: not asked again
        QVERIFY(!QFile::exists(path));
    }
};

QTEST_GUILESS_MAIN(TestAuditExport)
#include "TestAuditExport.moc"
