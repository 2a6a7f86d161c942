// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/Clock.h"
#include "core/Json.h"

#include <QTest>

using namespace stint;

class TestJson : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void parseObjectRejectsBadBodies_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("code");
        QTest::newRow("truncated") << QByteArray("{\"a\": 1") << QString::fromLatin1(json::kMalformed);
        QTest::newRow("garbage") << QByteArray("\x00\xff garbage") << QString::fromLatin1(json::kMalformed);
        QTest::newRow("array") << QByteArray("[1,2]") << QString::fromLatin1(json::kMalformed);
        QTest::newRow("string") << QByteArray("\"x\"") << QString::fromLatin1(json::kMalformed);
        QTest::newRow("empty") << QByteArray() << QString::fromLatin1(json::kMalformed);
        QTest::newRow("deep") << QByteArray(100, '[') + QByteArray(100, ']') << QString::fromLatin1(json::kMalformed);
        QTest::newRow("huge") << QByteArray(2000, ' ') + "{}" << QString::fromLatin1(json::kTooLarge);
    }
    void parseObjectRejectsBadBodies()
    {
        QFETCH(QByteArray, body);
        QFETCH(QString, code);
        auto r = json::parseObject(body, 1024);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, code);
    }

    void deepStringsAreNotNesting()
    {
        const QByteArray body = "{\"a\": \"" + QByteArray(50, '[') + "\"}";
        QVERIFY(json::parseObject(body, 1024).ok());
    }

    void readerTypesAndLimits()
    {
        auto obj = json::parseObject("{\"s\":\"abc\",\"n\":5,\"b\":true,\"l\":[\"x\",\"y\"],\"o\":{},\"big\":1.5,\"e\":\"two\"}", 1024);
        QVERIFY(obj.ok());
        json::ObjectReader r(*obj);
        QCOMPARE(r.requiredString(QStringLiteral("s"), 10), QStringLiteral("abc"));
        QCOMPARE(*r.optionalInteger(QStringLiteral("n"), 0, 10), 5);
        QCOMPARE(*r.optionalBool(QStringLiteral("b")), true);
        QCOMPARE(*r.optionalStringList(QStringLiteral("l"), 5, 5), QStringList({QStringLiteral("x"), QStringLiteral("y")}));
        QVERIFY(r.optionalObject(QStringLiteral("o")).has_value());
        QVERIFY(!r.optionalInteger(QStringLiteral("big"), 0, 10).has_value()); // not an integer
        QVERIFY(!r.optionalEnum(QStringLiteral("e"), {QStringLiteral("one")}).has_value());
        QVERIFY(!r.optionalString(QStringLiteral("missing"), 5).has_value());
        auto done = r.finish();
        QVERIFY(!done.ok());
        QCOMPARE(done.error().code, QString::fromLatin1(json::kInvalid));
        QVERIFY(done.error().message.contains(QStringLiteral("big: must be an integer")));
        QVERIFY(done.error().message.contains(QStringLiteral("e: must be one of")));
    }

    void readerRejectsUnknownAndWrongTypes_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("problem");
        QTest::newRow("unknown field") << QByteArray("{\"name\":\"a\",\"extra\":1}") << QStringLiteral("extra: is not a known field");
        QTest::newRow("wrong type") << QByteArray("{\"name\":5}") << QStringLiteral("name: must be a string");
        QTest::newRow("missing") << QByteArray("{}") << QStringLiteral("name: is required");
        QTest::newRow("too long") << QByteArray("{\"name\":\"abcdefghijk\"}") << QStringLiteral("name: must be at most 10");
        QTest::newRow("control chars") << QByteArray("{\"name\":\"a\\u0000b\"}") << QStringLiteral("control characters");
    }
    void readerRejectsUnknownAndWrongTypes()
    {
        QFETCH(QByteArray, body);
        QFETCH(QString, problem);
        auto obj = json::parseObject(body, 1024);
        QVERIFY(obj.ok());
        json::ObjectReader r(*obj);
        r.requiredString(QStringLiteral("name"), 10);
        auto done = r.finish();
        QVERIFY(!done.ok());
        QVERIFY2(done.error().message.contains(problem), qPrintable(done.error().message));
    }

    void rfc3339()
    {
        const TimeMs t = 1'800'000'000'123;
        QCOMPARE(toRfc3339(t), QStringLiteral("2027-01-15T08:00:00.123Z"));
        QCOMPARE(*fromRfc3339(toRfc3339(t)), t);
        QCOMPARE(*fromRfc3339(QStringLiteral("2027-01-15T09:00:00.123+01:00")), t);
        QCOMPARE(*fromRfc3339(QStringLiteral("2027-01-15T08:00:00.123456789Z")), t);
        QVERIFY(!fromRfc3339(QStringLiteral("2027-01-15")).has_value());
        QVERIFY(!fromRfc3339(QStringLiteral("yesterday")).has_value());
        QVERIFY(!fromRfc3339(QStringLiteral("2027-13-45T99:00:00Z")).has_value());
    }
};

QTEST_GUILESS_MAIN(TestJson)
#include "TestJson.moc"
