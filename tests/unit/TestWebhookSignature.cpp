// SPDX-License-Identifier: GPL-3.0-or-later
// The webhook signature scheme against a vector computed independently (Python hmac), and its verification rules.
#include "cloud/webhooks/WebhookSignature.h"
#include "cloud/webhooks/WebhookStore.h"

#include <QTest>

using namespace stint::cloud::webhooks;

class TestWebhookSignature : public QObject
{
    Q_OBJECT
private slots:
    void knownVector()
    {
        // python3 -c 'import hmac,hashlib;print(hmac.new(b"whsec_test",b"1800000000.{\"id\":\"evt_1\"}",hashlib.sha256).hexdigest())'
        QCOMPARE(signatureHeader("whsec_test", 1800000000, "{\"id\":\"evt_1\"}"),
                 QByteArray("t=1800000000,v1=45705be2a45ab5acdd1395cc695e9e7073125385ec24194921c401dff44176f8"));
    }

    void verification()
    {
        const QByteArray body = "{\"id\":\"evt_2\",\"type\":\"alert.raised\"}";
        const QByteArray header = signatureHeader("whsec_k", 1000, body);
        QVERIFY(verifySignature("whsec_k", header, body, 1000));
        QVERIFY(verifySignature("whsec_k", header, body, 1300));
        QVERIFY(!verifySignature("whsec_k", header, body, 1301)); // too old: a replay
        QVERIFY(!verifySignature("whsec_k", header, body + "x", 1000));
        QVERIFY(!verifySignature("whsec_x", header, body, 1000));
        QVERIFY(!verifySignature("whsec_k", "v1=" + header.mid(header.indexOf("v1=") + 3), body, 1000)); // no t
        QVERIFY(!verifySignature("whsec_k", "t=1000,v1=00", body, 1000));
        // A receiver may get several v1 values during a secret rotation; one match is enough.
        QVERIFY(verifySignature("whsec_k", "t=1000,v1=00," + header.mid(header.indexOf("v1=")), body, 1000));
    }

    void webhookUrls()
    {
        QVERIFY(!webhookUrlProblem(QStringLiteral("https://siem.example.com/stint")));
        QVERIFY(!webhookUrlProblem(QStringLiteral("http://127.0.0.1:8080/hook")));
        QVERIFY(!webhookUrlProblem(QStringLiteral("http://localhost:8080/hook")));
        QVERIFY(webhookUrlProblem(QStringLiteral("http://siem.example.com/stint")));
        QVERIFY(webhookUrlProblem(QStringLiteral("http://10.1.2.3/stint")));
        QVERIFY(webhookUrlProblem(QStringLiteral("https://u:p@siem.example.com/")));
        QVERIFY(webhookUrlProblem(QStringLiteral("file:///etc/passwd")));
        QVERIFY(webhookUrlProblem(QStringLiteral("/relative")));
    }
};

QTEST_GUILESS_MAIN(TestWebhookSignature)
#include "TestWebhookSignature.moc"
