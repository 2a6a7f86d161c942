// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QUrl>

// A blocking HTTP client for tests that talk to a server over real HTTP: the cloud (support/CloudFixture) or the
// simulator (support/SimTestWorld). It knows nothing of either.
namespace stint::test {

using Headers = QList<QPair<QByteArray, QByteArray>>;

// One HTTP answer, read whole.
struct ApiReply
{
    int status = 0; // 0 when no HTTP answer arrived (see networkError)
    QByteArray body;
    QJsonObject json; // the body, when it is a JSON object
    Headers headers;
    QString networkError;

    QByteArray header(QByteArrayView name) const;
    // The slug of a problem response's type ("validation" for …/problems/validation); "" for any other body.
    QString problem() const;
    QJsonArray items() const { return json.value(QLatin1String("items")).toArray(); }
    // Everything, for QVERIFY2 messages.
    QByteArray describe() const;
};

// An HTTP client for one server. Requests block the test (spinning the event loop, so an in-process server
// answers) until the reply is complete or `timeoutMs` passed.
class ApiClient
{
public:
    explicit ApiClient(QUrl base = {}, int timeoutMs = 15'000);

    void setBase(const QUrl& base) { m_base = base; }
    QUrl url(const QString& pathAndQuery) const;

    ApiReply get(const QString& path, const QString& token = {});
    ApiReply post(const QString& path, const QString& token, const QJsonObject& body, const Headers& headers = {});
    // A POST without a body.
    ApiReply post(const QString& path, const QString& token);
    ApiReply patch(const QString& path, const QString& token, const QJsonObject& body);
    ApiReply del(const QString& path, const QString& token);
    // Any method with raw bytes; Content-Type: application/json is added when there is a body and no such header.
    ApiReply send(const QByteArray& method, const QString& path, const QString& token, const QByteArray& body,
                  const Headers& headers = {});

private:
    QUrl m_base;
    int m_timeoutMs;
    QNetworkAccessManager m_nam;
};

} // namespace stint::test
