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

    // Ambiguous or lossy JSON is refused before anything reads it (422 `validation` at the API): a repeated key at any
    // depth (QJsonDocument keeps the last), an escaped lone surrogate (it would be stored as "?"), invalid UTF-8.
    void parseObjectRefusesAmbiguousJson_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("code");
        QTest::addColumn<QString>("problem");
        const QString invalid = QString::fromLatin1(json::kInvalid);
        QTest::newRow("duplicate key") << QByteArray("{\"role\":\"technician\",\"role\":\"admin\"}") << invalid
                                       << QStringLiteral("\"role\" appears more than once");
        QTest::newRow("duplicate, escaped") << QByteArray("{\"role\":1,\"r\\u006fle\":2}") << invalid
                                            << QStringLiteral("appears more than once");
        QTest::newRow("duplicate, nested") << QByteArray("{\"a\":[{\"x\":1},{\"b\":{\"k\":1,\"k\":2}}]}") << invalid
                                           << QStringLiteral("\"k\" appears more than once");
        QTest::newRow("same key, other objects") << QByteArray("{\"a\":{\"k\":1},\"b\":{\"k\":1},\"k\":{\"k\":{}}}")
                                                 << QString() << QString();
        QTest::newRow("lone high surrogate") << QByteArray("{\"name\":\"a\\ud800b\"}") << invalid
                                             << QStringLiteral("surrogate");
        QTest::newRow("lone low surrogate") << QByteArray("{\"name\":\"\\udc00\"}") << invalid
                                            << QStringLiteral("surrogate");
        QTest::newRow("high then high") << QByteArray("{\"name\":\"\\ud800\\ud800\"}") << invalid
                                        << QStringLiteral("surrogate");
        QTest::newRow("surrogate in a key") << QByteArray("{\"\\ud800\":1}") << invalid << QStringLiteral("surrogate");
        QTest::newRow("surrogate pair") << QByteArray("{\"name\":\"\\ud83d\\ude00\"}") << QString() << QString();
        QTest::newRow("invalid UTF-8") << QByteArray("{\"name\":\"a\xff\"}") << invalid << QStringLiteral("UTF-8");
        QTest::newRow("overlong UTF-8") << QByteArray("{\"name\":\"\xc0\xaf\"}") << invalid << QStringLiteral("UTF-8");
        QTest::newRow("UTF-8 surrogate") << QByteArray("{\"name\":\"\xed\xa0\x80\"}") << invalid
                                         << QStringLiteral("UTF-8");
        QTest::newRow("truncated UTF-8") << QByteArray("{\"name\":\"\xe2\x82\"}") << invalid << QStringLiteral("UTF-8");
        QTest::newRow("raw control char") << QByteArray("{\"name\":\"a\tb\"}") << QString::fromLatin1(json::kMalformed)
                                          << QString();
        QTest::newRow("trailing comma") << QByteArray("{\"a\":1,}") << QString::fromLatin1(json::kMalformed) << QString();
        QTest::newRow("two documents") << QByteArray("{\"a\":1}{\"a\":2}") << QString::fromLatin1(json::kMalformed)
                                       << QString();
        QTest::newRow("bad number") << QByteArray("{\"a\":01}") << QString::fromLatin1(json::kMalformed) << QString();
        QTest::newRow("UTF-8 text") << QByteArray("{\"name\":\"Z\xc3\xbcrich \xe2\x82\xac \xf0\x9f\x98\x80\"}")
                                    << QString() << QString();
    }
    void parseObjectRefusesAmbiguousJson()
    {
        QFETCH(QByteArray, body);
        QFETCH(QString, code);
        QFETCH(QString, problem);
        auto r = json::parseObject(body, 1024);
        if (code.isEmpty()) {
            QVERIFY2(r.ok(), r.ok() ? "" : qPrintable(r.error().message));
            return;
        }
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, code);
        QVERIFY2(r.error().message.contains(problem), qPrintable(r.error().message));
    }

    // Free text a person reviews (names, justifications, tickets) must look like what it is: one rule for all.
    void freeTextRule_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("multiLine");
        QTest::addColumn<bool>("accepted");
        QTest::newRow("plain") << QStringLiteral("Contoso Ltd.") << false << true;
        QTest::newRow("accents and emoji") << QString::fromUtf8("Zürich 🙂 ÄÖÜ 東京") << false << true;
        QTest::newRow("RLO") << QStringLiteral("invoice\u202Etxt.exe") << false << false;
        QTest::newRow("LRI") << QStringLiteral("a\u2066b") << false << false;
        QTest::newRow("RLM") << QStringLiteral("a\u200Fb") << false << false;
        QTest::newRow("ALM") << QStringLiteral("a\u061Cb") << false << false;
        QTest::newRow("zero-width space") << QStringLiteral("ad\u200Bmin") << false << false;
        QTest::newRow("zero-width joiner") << QStringLiteral("ad\u200Dmin") << false << false;
        QTest::newRow("word joiner") << QStringLiteral("ad\u2060min") << false << false;
        QTest::newRow("BOM") << QStringLiteral("\uFEFFadmin") << false << false;
        QTest::newRow("tag characters") << QString::fromUcs4(U"a\U000E0041b") << false << false;
        QTest::newRow("noncharacter FFFE") << QStringLiteral("a\uFFFEb") << false << false;
        QTest::newRow("noncharacter FDD0") << QStringLiteral("a\uFDD0b") << false << false;
        QTest::newRow("noncharacter 1FFFF") << QString::fromUcs4(U"a\U0001FFFFb") << false << false;
        QTest::newRow("lone surrogate") << QString(QChar(0xD800)) << false << false;
        QTest::newRow("newline in a name") << QStringLiteral("a\nb") << false << false;
        QTest::newRow("newline in a justification") << QStringLiteral("line 1\nline 2") << true << true;
        QTest::newRow("carriage return") << QStringLiteral("a\rb") << true << false;
        QTest::newRow("escape") << QStringLiteral("a\x1b[31mb") << true << false;
    }
    void freeTextRule()
    {
        QFETCH(QString, text);
        QFETCH(bool, multiLine);
        QFETCH(bool, accepted);
        const auto problem = json::freeTextProblem(text, multiLine ? json::TextLines::Many : json::TextLines::One);
        QCOMPARE(!problem.has_value(), accepted);
        // The reader applies the same rule, naming the field.
        json::ObjectReader r(QJsonObject{{QStringLiteral("name"), text}});
        r.optionalText(QStringLiteral("name"), 100, 1, multiLine ? json::TextLines::Many : json::TextLines::One);
        QCOMPARE(r.finish().ok(), accepted);
    }

    // null is not a value of any typed field: refused, naming the field, unless the field says null means "clear".
    void readerRefusesNull()
    {
        const QJsonValue null(QJsonValue::Null);
        json::ObjectReader r(QJsonObject{{QStringLiteral("name"), null}, {QStringLiteral("n"), null}, {QStringLiteral("maybe"), null}});
        QVERIFY(!r.optionalText(QStringLiteral("name"), 10, 1, json::TextLines::One).has_value());
        QVERIFY(!r.optionalInteger(QStringLiteral("n"), 0, 10).has_value());
        r.acceptNull(QStringLiteral("maybe"));
        QVERIFY(!r.optionalString(QStringLiteral("maybe"), 10).has_value());
        auto done = r.finish();
        QVERIFY(!done.ok());
        QVERIFY2(done.error().message.contains(QStringLiteral("name: must not be null")), qPrintable(done.error().message));
        QVERIFY2(done.error().message.contains(QStringLiteral("n: must not be null")), qPrintable(done.error().message));
        QVERIFY2(!done.error().message.contains(QStringLiteral("maybe")), qPrintable(done.error().message));
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
