// SPDX-License-Identifier: GPL-3.0-or-later
// kill -9 during a burst of writes: every write the service acknowledged is there after a restart, and the audit
// chain still verifies.
#include "support/AdminSession.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkReply>
#include <QSet>
#include <QTest>

class TestDurability : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void acknowledgedWritesSurviveKill_data()
    {
        QTest::addColumn<int>("killAfter");
        QTest::newRow("early") << 5;
        QTest::newRow("mid-burst") << 40;
        QTest::newRow("late") << 120;
    }
    void acknowledgedWritesSurviveKill()
    {
        QFETCH(int, killAfter);
        QTemporaryDir dir;
        const InitResult init = initDataDir(dir.path());
        QVERIFY(!init.inviteToken.isEmpty());
        CloudProcess cloud(dir.path());
        QVERIFY(cloud.start());
        SoftAuthenticator key(cloud.origin());
        const QString token = enrollWithInvite(cloud, key, init.inviteToken);
        QVERIFY(!token.isEmpty());

        // Fire many writes at once; note each one the service acknowledged; kill it mid-way.
        QNetworkAccessManager nam;
        QSet<QString> acknowledged;
        QList<QNetworkReply*> replies;
        const int total = 200;
        for (int i = 0; i < total; ++i) {
            QNetworkRequest request(cloud.url(QStringLiteral("/v1/groups")));
            request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
            request.setRawHeader("Authorization", "Bearer " + token.toLatin1());
            const QString name = QStringLiteral("group-%1").arg(i);
            QNetworkReply* reply = nam.post(request, QJsonDocument(QJsonObject{{QStringLiteral("name"), name}}).toJson());
            QObject::connect(reply, &QNetworkReply::finished, reply, [reply, name, &acknowledged] {
                if (reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() == 201)
                    acknowledged.insert(name);
            });
            replies << reply;
        }
        QTRY_VERIFY_WITH_TIMEOUT(acknowledged.size() >= killAfter, 30000);
        cloud.kill();
        const QSet<QString> acknowledgedBeforeKill = acknowledged; // replies finishing now are errors, not 201s
        QVERIFY(acknowledgedBeforeKill.size() < total); // the kill really landed mid-burst
        QTRY_VERIFY_WITH_TIMEOUT(std::all_of(replies.begin(), replies.end(), [](auto* r) { return r->isFinished(); }), 30000);
        qDeleteAll(replies);

        QVERIFY(cloud.start());
        QSet<QString> stored;
        QString cursor;
        do {
            const HttpResult page = cloud.get(QStringLiteral("/v1/groups?limit=200") +
                                                  (cursor.isEmpty() ? QString() : QStringLiteral("&cursor=") + cursor),
                                              token);
            QCOMPARE(page.status, 200);
            for (const auto& g : page.json.value(QLatin1String("items")).toArray())
                stored.insert(g.toObject().value(QLatin1String("name")).toString());
            cursor = page.json.value(QLatin1String("nextCursor")).toString();
        } while (!cursor.isEmpty());
        for (const QString& name : acknowledgedBeforeKill)
            QVERIFY2(stored.contains(name), qPrintable(name + QStringLiteral(" was acknowledged but is gone")));
        QCOMPARE(cloud.terminate(), 0);

        const CliResult verify = runCloudCli({QStringLiteral("audit"), QStringLiteral("verify"), QStringLiteral("--data-dir"), dir.path()});
        QCOMPARE(verify.exitCode, 0);
        // One group.create event per stored group, and nothing else lost or invented.
        const CliResult exported = runCloudCli({QStringLiteral("audit"), QStringLiteral("export"), QStringLiteral("--data-dir"), dir.path()});
        QCOMPARE(exported.exitCode, 0);
        QCOMPARE(int(exported.out.count(QStringLiteral("\"action\":\"group.create\""))), int(stored.size()));
    }
};

QTEST_GUILESS_MAIN(TestDurability)
#include "TestDurability.moc"
