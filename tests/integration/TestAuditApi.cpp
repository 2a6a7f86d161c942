// SPDX-License-Identifier: GPL-3.0-or-later
#include "support/ApiSeed.h"
#include "support/CloudFixture.h"

#include <QTest>
#include <QUrlQuery>

#include <limits>
#include <memory>

using namespace stint;
using namespace stint::test;

namespace {
constexpr qint64 kMinuteMs = 60'000;

QStringList actionsOf(const QJsonArray& items)
{
    QStringList actions;
    for (const auto& item : items)
        actions << item.toObject().value(QLatin1String("action")).toString();
    return actions;
}
} // namespace

class TestAuditApi : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<CloudFixture> m_cloud;
    SignedInPerson m_admin;
    SignedInPerson m_tech;
    SignedInPerson m_otherAdmin;
    QString m_contoso;
    QString m_fabrikam;
    QList<TimeMs> m_times; // when each step of the story happened

    ApiClient& api() { return m_cloud->api(); }

    ApiReply query(const QList<QPair<QString, QString>>& items, const QString& token = {})
    {
        QUrlQuery q;
        for (const auto& [key, value] : items)
            q.addQueryItem(key, QString::fromLatin1(QUrl::toPercentEncoding(value)));
        const QString text = q.toString(QUrl::FullyEncoded);
        return api().get(QStringLiteral("/v1/audit") + (text.isEmpty() ? QString() : QLatin1Char('?') + text),
                         token.isEmpty() ? m_admin.token : token);
    }

    // Moves the clock a minute and remembers when the next step happens.
    void tick()
    {
        m_cloud->clock().advance(kMinuteMs);
        m_times << m_cloud->clock().now();
    }

private slots:
    // The story, one step a minute: two tenants, a policy, a checkout asked for and cancelled, a tenant renamed, and
    // a request refused by policy; meanwhile another organization creates a tenant.
    void init()
    {
        m_cloud = std::make_unique<CloudFixture>();
        QVERIFY2(m_cloud->start(), qPrintable(m_cloud->error()));
        const QString org = m_cloud->addOrganization(QStringLiteral("Acme MSP"));
        const QString otherOrg = m_cloud->addOrganization(QStringLiteral("Other MSP"));
        m_admin = addSignedInPerson(*m_cloud, org, QStringLiteral("admin@acme.example"), QStringLiteral("admin"));
        m_tech = addSignedInPerson(*m_cloud, org, QStringLiteral("tech@acme.example"));
        m_otherAdmin =
            addSignedInPerson(*m_cloud, otherOrg, QStringLiteral("admin@other.example"), QStringLiteral("admin"));
        m_times.clear();
        tick(); // 0
        m_contoso = createTenant(*m_cloud, m_admin.token, tenantBody(QStringLiteral("Contoso"), {kUserAdministrator}));
        tick(); // 1
        m_fabrikam =
            createTenant(*m_cloud, m_admin.token, tenantBody(QStringLiteral("Fabrikam"), {kUserAdministrator}));
        tick(); // 2
        QVERIFY(!createPolicy(*m_cloud, m_admin.token,
                              policyBody(QStringLiteral("UA"), {m_contoso}, {kUserAdministrator}, {m_tech.id}))
                     .isEmpty());
        tick(); // 3
        const QString checkout = requestCheckout(*m_cloud, m_tech.token, m_contoso, {kUserAdministrator}, 30)
                                     .value(QLatin1String("id"))
                                     .toString();
        QVERIFY(!checkout.isEmpty());
        tick(); // 4
        QCOMPARE(api().post(QStringLiteral("/v1/checkouts/%1/cancel").arg(checkout), m_tech.token).status, 200);
        tick(); // 5
        QCOMPARE(api()
                     .patch(QStringLiteral("/v1/tenants/") + m_fabrikam, m_admin.token,
                            {{QStringLiteral("version"), 1}, {QStringLiteral("name"), QStringLiteral("Fabrikam Inc")}})
                     .status,
                 200);
        tick(); // 6
        QCOMPARE(api()
                     .post(QStringLiteral("/v1/checkouts"), m_tech.token,
                           {{QStringLiteral("tenantId"), m_fabrikam},
                            {QStringLiteral("roleDefinitionIds"), QJsonArray{kUserAdministrator}},
                            {QStringLiteral("durationMinutes"), 30}})
                     .status,
                 403);
        QVERIFY(!createTenant(*m_cloud, m_otherAdmin.token, tenantBody(QStringLiteral("Elsewhere"), {})).isEmpty());
    }

    void cleanup() { m_cloud.reset(); }

    void everythingNewestFirst()
    {
        const ApiReply r = query({});
        QVERIFY2(r.status == 200, r.describe().constData());
        QCOMPARE(actionsOf(r.items()),
                 (QStringList{QStringLiteral("checkout.request"), QStringLiteral("tenant.update"),
                              QStringLiteral("checkout.transition"), QStringLiteral("checkout.cancel"),
                              QStringLiteral("checkout.request"), QStringLiteral("policy.create"),
                              QStringLiteral("tenant.create"), QStringLiteral("tenant.create")}));
        QVERIFY(r.json.value(QLatin1String("nextCursor")).isNull());
        qint64 previous = std::numeric_limits<qint64>::max();
        for (const auto& item : r.items()) {
            const QJsonObject e = item.toObject();
            QVERIFY(e.value(QLatin1String("seq")).toInteger() < previous);
            previous = e.value(QLatin1String("seq")).toInteger();
            QCOMPARE(e.value(QLatin1String("hash")).toString().size(), 64);
        }
        const QJsonObject refused = r.items().at(0).toObject();
        QCOMPARE(refused.value(QLatin1String("outcome")).toString(), QStringLiteral("denied"));
        QCOMPARE(refused.value(QLatin1String("actorId")).toString(), m_tech.id);
        QCOMPARE(refused.value(QLatin1String("occurredAt")).toString(), toRfc3339(m_times.at(6)));
        QCOMPARE(refused.value(QLatin1String("details")).toObject().value(QLatin1String("problem")).toString(),
                 QStringLiteral("not-granted"));
        const QJsonObject rename = r.items().at(1).toObject();
        QCOMPARE(rename.value(QLatin1String("actorLabel")).toString(), QStringLiteral("admin@acme.example"));
        QCOMPARE(rename.value(QLatin1String("targetType")).toString(), QStringLiteral("tenant"));
        QCOMPARE(rename.value(QLatin1String("targetId")).toString(), m_fabrikam);
        QCOMPARE(rename.value(QLatin1String("tenantId")).toString(), m_fabrikam);
        QCOMPARE(rename.value(QLatin1String("sourceAddress")).toString(), QStringLiteral("127.0.0.1"));
        QVERIFY(
            !rename.value(QLatin1String("details")).toObject().value(QLatin1String("requestId")).toString().isEmpty());

        // Each organization sees its own log only.
        const ApiReply other = query({}, m_otherAdmin.token);
        QCOMPARE(actionsOf(other.items()), QStringList{QStringLiteral("tenant.create")});
    }

    void filters_data()
    {
        QTest::addColumn<QString>("key");
        QTest::addColumn<QString>("value"); // "$contoso", "$tech", "@<step>" name records and times
        QTest::addColumn<QString>("key2");
        QTest::addColumn<QString>("value2");
        QTest::addColumn<QStringList>("actions");
        QTest::newRow("exact action") << "action"
                                      << "tenant.create"
                                      << ""
                                      << "" << QStringList{"tenant.create", "tenant.create"};
        QTest::newRow("action prefix") << "action"
                                       << "checkout."
                                       << ""
                                       << ""
                                       << QStringList{"checkout.request", "checkout.transition", "checkout.cancel",
                                                      "checkout.request"};
        QTest::newRow("no such action") << "action"
                                        << "tenant.archive"
                                        << ""
                                        << "" << QStringList{};
        QTest::newRow("tenant") << "tenantId"
                                << "$contoso"
                                << ""
                                << ""
                                << QStringList{"checkout.transition", "checkout.cancel", "checkout.request",
                                               "tenant.create"};
        QTest::newRow("actor") << "actorId"
                               << "$tech"
                               << ""
                               << ""
                               << QStringList{"checkout.request", "checkout.transition", "checkout.cancel",
                                              "checkout.request"};
        QTest::newRow("from") << "from"
                              << "@4"
                              << ""
                              << ""
                              << QStringList{"checkout.request", "tenant.update", "checkout.transition",
                                             "checkout.cancel"};
        QTest::newRow("to") << "to"
                            << "@2"
                            << ""
                            << "" << QStringList{"tenant.create", "tenant.create"};
        QTest::newRow("from and to") << "from"
                                     << "@2"
                                     << "to"
                                     << "@4" << QStringList{"checkout.request", "policy.create"};
        QTest::newRow("actor and action")
            << "actorId"
            << "$admin"
            << "action"
            << "tenant." << QStringList{"tenant.update", "tenant.create", "tenant.create"};
        // The manual clock starts at 2027-01-15T08:00:00Z; the story begins a minute later.
        QTest::newRow("time with offset") << "from"
                                          << "2027-01-15T09:00:00+01:00"
                                          << "to"
                                          << "2027-01-15T08:02:30Z" << QStringList{"tenant.create", "tenant.create"};
    }

    void filters()
    {
        QFETCH(QString, key);
        QFETCH(QString, value);
        QFETCH(QString, key2);
        QFETCH(QString, value2);
        QFETCH(QStringList, actions);
        auto resolve = [&](const QString& v) {
            if (v == QLatin1String("$contoso"))
                return m_contoso;
            if (v == QLatin1String("$tech"))
                return m_tech.id;
            if (v == QLatin1String("$admin"))
                return m_admin.id;
            if (v.startsWith(QLatin1Char('@')))
                return toRfc3339(m_times.at(v.mid(1).toInt()));
            return v;
        };
        QList<QPair<QString, QString>> items{{key, resolve(value)}};
        if (!key2.isEmpty())
            items.append({key2, resolve(value2)});
        const ApiReply r = query(items);
        QVERIFY2(r.status == 200, r.describe().constData());
        QCOMPARE(actionsOf(r.items()), actions);
    }

    void pages()
    {
        const QStringList all = actionsOf(query({}).items());
        QStringList paged;
        QString cursor;
        int pages = 0;
        do {
            QList<QPair<QString, QString>> items{{QStringLiteral("limit"), QStringLiteral("3")}};
            if (!cursor.isEmpty())
                items.append({QStringLiteral("cursor"), cursor});
            const ApiReply r = query(items);
            QVERIFY2(r.status == 200, r.describe().constData());
            QVERIFY(r.items().size() <= 3);
            paged << actionsOf(r.items());
            cursor = r.json.value(QLatin1String("nextCursor")).toString();
            ++pages;
        } while (!cursor.isEmpty() && pages < 10);
        QCOMPARE(pages, 3);
        QCOMPARE(paged, all);

        // Filtered pages, and a cursor only continues the query that made it.
        const ApiReply first = query(
            {{QStringLiteral("action"), QStringLiteral("checkout.")}, {QStringLiteral("limit"), QStringLiteral("2")}});
        const QString next = first.json.value(QLatin1String("nextCursor")).toString();
        QVERIFY(!next.isEmpty());
        const ApiReply second = query({{QStringLiteral("action"), QStringLiteral("checkout.")},
                                       {QStringLiteral("limit"), QStringLiteral("2")},
                                       {QStringLiteral("cursor"), next}});
        QCOMPARE(actionsOf(first.items()) + actionsOf(second.items()),
                 actionsOf(query({{QStringLiteral("action"), QStringLiteral("checkout.")}}).items()));
        QVERIFY(second.json.value(QLatin1String("nextCursor")).isNull());
        const ApiReply mismatch =
            query({{QStringLiteral("action"), QStringLiteral("tenant.")}, {QStringLiteral("cursor"), next}});
        QCOMPARE(mismatch.status, 400);
        QCOMPARE(mismatch.problem(), QStringLiteral("bad-cursor"));
    }

    void refusesBadQueries_data()
    {
        QTest::addColumn<QString>("query");
        QTest::addColumn<QString>("problem");
        QTest::newRow("time not RFC 3339") << "from=yesterday"
                                           << "bad-query";
        QTest::newRow("date only") << "to=2027-01-15"
                                   << "bad-query";
        QTest::newRow("from after to") << "from=2027-01-15T10:00:00Z&to=2027-01-15T09:00:00Z"
                                       << "bad-query";
        QTest::newRow("limit 0") << "limit=0"
                                 << "bad-query";
        QTest::newRow("limit too big") << "limit=1001"
                                       << "bad-query";
        QTest::newRow("limit not a number") << "limit=ten"
                                            << "bad-query";
        QTest::newRow("action shape") << "action=Tenant.Create"
                                      << "bad-query";
        QTest::newRow("action without dot") << "action=checkout"
                                            << "bad-query";
        QTest::newRow("empty filter") << "actorId="
                                      << "bad-query";
        QTest::newRow("twice") << "action=tenant.&action=policy."
                               << "bad-query";
        QTest::newRow("unknown parameter") << "outcome=denied"
                                           << "bad-query";
        QTest::newRow("garbage cursor") << "cursor=bm9wZQ"
                                        << "bad-cursor";
    }

    void refusesBadQueries()
    {
        QFETCH(QString, query);
        QFETCH(QString, problem);
        const ApiReply r = api().get(QStringLiteral("/v1/audit?") + query, m_admin.token);
        QVERIFY2(r.status == 400, r.describe().constData());
        QCOMPARE(r.problem(), problem);
    }

    void adminsOnly()
    {
        const ApiReply tech = api().get(QStringLiteral("/v1/audit"), m_tech.token);
        QCOMPARE(tech.status, 403);
        QCOMPARE(tech.problem(), QStringLiteral("forbidden"));
        const ApiReply anonymous = api().get(QStringLiteral("/v1/audit"));
        QCOMPARE(anonymous.status, 401);
        QCOMPARE(anonymous.problem(), QStringLiteral("unauthenticated"));
    }
};

QTEST_GUILESS_MAIN(TestAuditApi)
#include "TestAuditApi.moc"
