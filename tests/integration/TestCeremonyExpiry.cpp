// SPDX-License-Identifier: GPL-3.0-or-later
// Everything single-use in sign-in also expires: invites, ceremonies, native hand-off codes and sessions, checked
// with the service's clock moved forward instead of waiting.
#include "cloud/CloudService.h"
#include "cloud/directory/DirectoryStore.h"
#include "support/CloudFixture.h"
#include "support/SoftAuthenticator.h"

#include <QCryptographicHash>
#include <QTest>
#include <QUrlQuery>

using namespace stint;
using stint::test::ApiReply;
using stint::test::CloudFixture;

class TestCeremonyExpiry : public QObject
{
    Q_OBJECT

    std::unique_ptr<CloudFixture> m_cloud;
    QString m_org;

    QString newInvite(const QString& email)
    {
        auto issued = cloud::directory::createInvite(m_cloud->db(), m_cloud->clock(), m_cloud->service().config(), m_org,
                                                     email, QStringLiteral("Someone"), QStringLiteral("technician"), {});
        return issued ? issued->token : QString();
    }

    ApiReply finish(const QString& path, const ApiReply& begin, const QJsonObject& credential)
    {
        return m_cloud->api().post(path, {},
                                   {{QStringLiteral("ceremonyId"), begin.json.value(QLatin1String("ceremonyId"))},
                                    {QStringLiteral("credential"), credential}});
    }

    QJsonObject options(const ApiReply& begin) { return begin.json.value(QLatin1String("publicKey")).toObject(); }

private Q_SLOTS:
    void init()
    {
        m_cloud = std::make_unique<CloudFixture>();
        QVERIFY(m_cloud->start());
        m_org = m_cloud->addOrganization(QStringLiteral("Expiry MSP"));
        QVERIFY(!m_org.isEmpty());
    }

    void invitesExpire()
    {
        const QString token = newInvite(QStringLiteral("late@msp.test"));
        m_cloud->clock().advance(73 * 3'600'000LL);
        const ApiReply r = m_cloud->api().post(QStringLiteral("/v1/auth/register/begin"), {}, {{QStringLiteral("inviteToken"), token}});
        QCOMPARE(r.status, 400);
        QCOMPARE(r.problem(), QStringLiteral("invite-invalid"));
    }

    void ceremoniesExpire()
    {
        SoftAuthenticator key(m_cloud->service().origin());
        const ApiReply begin = m_cloud->api().post(QStringLiteral("/v1/auth/register/begin"), {},
                                                   {{QStringLiteral("inviteToken"), newInvite(QStringLiteral("slow@msp.test"))}});
        QCOMPARE(begin.status, 200);
        const QJsonObject credential = key.create(options(begin));
        m_cloud->clock().advance(301'000);
        const ApiReply late = finish(QStringLiteral("/v1/auth/register/finish"), begin, credential);
        QCOMPARE(late.status, 400);
        QCOMPARE(late.problem(), QStringLiteral("ceremony-invalid"));
        QCOMPARE(m_cloud->count(QStringLiteral("people"), QStringLiteral("email = ?"), {QStringLiteral("slow@msp.test")}), 0);

        // In time, the same invite works; then a sign-in ceremony left too long expires the same way.
        const ApiReply again = m_cloud->api().post(QStringLiteral("/v1/auth/register/begin"), {},
                                                   {{QStringLiteral("inviteToken"), newInvite(QStringLiteral("quick@msp.test"))}});
        QCOMPARE(finish(QStringLiteral("/v1/auth/register/finish"), again, key.create(options(again))).status, 200);
        const ApiReply signIn = m_cloud->api().post(QStringLiteral("/v1/auth/signin/begin"), {}, QJsonObject{});
        const QJsonObject assertion = key.get(options(signIn));
        m_cloud->clock().advance(301'000);
        QCOMPARE(finish(QStringLiteral("/v1/auth/signin/finish"), signIn, assertion).problem(), QStringLiteral("ceremony-invalid"));
    }

    void nativeCodesAndSessionsExpire()
    {
        SoftAuthenticator key(m_cloud->service().origin());
        const ApiReply begin = m_cloud->api().post(QStringLiteral("/v1/auth/register/begin"), {},
                                                   {{QStringLiteral("inviteToken"), newInvite(QStringLiteral("app@msp.test"))}});
        const ApiReply enrolled = finish(QStringLiteral("/v1/auth/register/finish"), begin, key.create(options(begin)));
        QCOMPARE(enrolled.status, 200);
        const QString token = enrolled.json.value(QLatin1String("token")).toString();

        const QByteArray verifier(64, 'q');
        const QJsonObject native{
            {QStringLiteral("redirectUri"), QStringLiteral("http://127.0.0.1:40000/cb")},
            {QStringLiteral("codeChallenge"),
             QString::fromLatin1(QCryptographicHash::hash(verifier, QCryptographicHash::Sha256)
                                     .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals))},
            {QStringLiteral("codeChallengeMethod"), QStringLiteral("S256")},
            {QStringLiteral("state"), QStringLiteral("s")}};
        const ApiReply signIn = m_cloud->api().post(QStringLiteral("/v1/auth/signin/begin"), {}, {{QStringLiteral("native"), native}});
        const ApiReply done = finish(QStringLiteral("/v1/auth/signin/finish"), signIn, key.get(options(signIn)));
        QCOMPARE(done.status, 200);
        const QString code = QUrlQuery(QUrl(done.json.value(QLatin1String("redirect")).toString())).queryItemValue(QStringLiteral("code"));
        m_cloud->clock().advance(61'000);
        const ApiReply exchange = m_cloud->api().post(QStringLiteral("/v1/auth/native/token"), {},
                                                      {{QStringLiteral("code"), code},
                                                       {QStringLiteral("codeVerifier"), QString::fromLatin1(verifier)},
                                                       {QStringLiteral("redirectUri"), QStringLiteral("http://127.0.0.1:40000/cb")}});
        QCOMPARE(exchange.status, 400);
        QCOMPARE(exchange.problem(), QStringLiteral("invalid-grant"));

        // The enrollment's session: alive while used, gone after an hour idle.
        QCOMPARE(m_cloud->api().get(QStringLiteral("/v1/me"), token).status, 200);
        m_cloud->clock().advance(61 * 60'000);
        QCOMPARE(m_cloud->api().get(QStringLiteral("/v1/me"), token).status, 401);
    }
};

QTEST_GUILESS_MAIN(TestCeremonyExpiry)
#include "TestCeremonyExpiry.moc"
