// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/Crypto.h"
#include "core/Ids.h"

#include <QSet>
#include <QTest>

#include <array>
#include <thread>

using namespace stint;

class TestCrypto : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void sha256KnownAnswer_data()
    {
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<QByteArray>("hex");
        QTest::newRow("empty") << QByteArray()
                               << QByteArray("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        QTest::newRow("abc") << QByteArray("abc")
                             << QByteArray("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
    void sha256KnownAnswer()
    {
        QFETCH(QByteArray, input);
        QFETCH(QByteArray, hex);
        QCOMPARE(crypto::sha256(input).toHex(), hex);
    }

    void hmacKnownAnswer()
    {
        // RFC 4231 test case 2.
        QCOMPARE(crypto::hmacSha256("Jefe", "what do ya want for nothing?").toHex(),
                 QByteArray("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"));
    }

    void base64UrlIsStrict_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<bool>("valid");
        QTest::newRow("plain") << QByteArray("AQIDBA") << true;
        QTest::newRow("url chars") << QByteArray("-_-_") << true;
        QTest::newRow("padding") << QByteArray("AQIDBA==") << false;
        QTest::newRow("std alphabet") << QByteArray("ab+/") << false;
        QTest::newRow("space") << QByteArray("AQ ID") << false;
        QTest::newRow("truncated") << QByteArray("AQIDB") << false;
    }
    void base64UrlIsStrict()
    {
        QFETCH(QByteArray, text);
        QFETCH(bool, valid);
        QCOMPARE(crypto::base64UrlDecode(text).ok(), valid);
    }

    void base64UrlRoundTrip()
    {
        for (int n = 0; n < 40; ++n) {
            const QByteArray data = crypto::randomBytes(n);
            auto decoded = crypto::base64UrlDecode(crypto::base64UrlEncode(data));
            QVERIFY(decoded.ok());
            QCOMPARE(*decoded, data);
        }
    }

    void constantTimeEquals()
    {
        QVERIFY(crypto::constantTimeEquals("abc", "abc"));
        QVERIFY(!crypto::constantTimeEquals("abc", "abd"));
        QVERIFY(!crypto::constantTimeEquals("abc", "ab"));
        QVERIFY(crypto::constantTimeEquals("", ""));
    }

    void sealOpenRoundTripAndTamper()
    {
        const crypto::SecretBytes key(crypto::randomBytes(32));
        auto sealed = crypto::seal(key, "top secret", "row-1");
        QVERIFY(sealed.ok());
        QVERIFY(!sealed->contains("top secret"));
        auto opened = crypto::open(key, *sealed, "row-1");
        QVERIFY(opened.ok());
        QCOMPARE(opened->bytes(), QByteArray("top secret"));

        QVERIFY(!crypto::open(key, *sealed, "row-2").ok()); // moved to another row
        QByteArray flipped = *sealed;
        flipped[14] = char(flipped[14] ^ 1);
        QVERIFY(!crypto::open(key, flipped, "row-1").ok());
        QVERIFY(!crypto::open(crypto::SecretBytes(crypto::randomBytes(32)), *sealed, "row-1").ok());
        QVERIFY(!crypto::open(key, QByteArray(5, 'x'), "row-1").ok());
    }

    void wipeClears()
    {
        QByteArray secret("hunter2hunter2");
        crypto::wipe(secret);
        QVERIFY(secret.isEmpty());
        crypto::SecretBytes a(QByteArray("abc"));
        crypto::SecretBytes b(std::move(a));
        QVERIFY(a.isEmpty());
        QCOMPARE(b.bytes(), QByteArray("abc"));
    }

    void ids()
    {
        const QString id = ids::newId(u"tnt");
        QVERIFY(ids::isValidId(id, u"tnt"));
        QVERIFY(!ids::isValidId(id, u"org"));
        QVERIFY(!ids::isValidId(u"tnt_XYZ", u"tnt"));
        QVERIFY(!ids::isValidId(QString(id).replace(5, 1, QStringLiteral("G")), u"tnt"));
        QVERIFY(ids::newId(u"tnt") != id);
        // Many ids, on two threads at once, past several refills of what each thread draws ahead: every one well
        // formed, none seen twice, and every hex digit about equally common (no fixed or zeroed bytes).
        auto draw = [] {
            QStringList out;
            for (int i = 0; i < 2000; ++i)
                out << ids::newId(u"req");
            return out;
        };
        QStringList other;
        std::thread second([&] { other = draw(); });
        QStringList all = draw();
        second.join();
        all << other;
        QSet<QString> distinct;
        std::array<int, 16> digits{};
        for (const QString& each : std::as_const(all)) {
            QVERIFY2(ids::isValidId(each, u"req"), qPrintable(each));
            distinct.insert(each);
            for (QChar c : QStringView(each).mid(4))
                ++digits[size_t(QString(c).toInt(nullptr, 16))];
        }
        QCOMPARE(distinct.size(), all.size());
        const int perDigit = int(all.size()) * 32 / 16; // 8,000
        for (int n : digits)
            QVERIFY2(std::abs(n - perDigit) < perDigit / 10, qPrintable(QString::number(n)));
        const QString token = ids::newToken();
        QCOMPARE(token.size(), 43);
        QCOMPARE(ids::tokenHash(token).size(), 32);
    }
};

QTEST_GUILESS_MAIN(TestCrypto)
#include "TestCrypto.moc"
