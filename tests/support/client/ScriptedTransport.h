// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "client/ApiError.h"
#include "client/ApiTransport.h"

#include <functional>

// The smallest stand-in behind ApiTransport, for tests of one class above the API (the session keeper): it records
// every request with whether a session token went with it, answers through a function the test sets, and can hold
// answers back until the test releases them (a service that has not answered yet). Tests of the sync and the views
// use FakeCloud, which plays the whole cloud.
namespace stint::test {

class ScriptedTransport final : public client::ApiTransport
{
public:
    struct Sent
    {
        client::ApiRequest request;
        QByteArray token; // the token the request carried (empty: none)
    };
    using Answer = std::function<Result<client::ApiResponse>(const client::ApiRequest&)>;

    explicit ScriptedTransport(QString origin = QStringLiteral("https://stint.example"))
        : m_origin(std::move(origin))
    {
    }
    ~ScriptedTransport() override { crypto::wipe(m_token); }

    client::Call<client::ApiResponse> send(const client::ApiRequest& request) override
    {
        m_sent.append({request, request.authenticated ? m_token : QByteArray()});
        client::Call<client::ApiResponse> call;
        if (m_holding) {
            m_held.append({call, request});
            return call;
        }
        call.resolve(answerFor(request));
        return call;
    }
    void setSessionToken(const crypto::SecretBytes& token) override
    {
        crypto::wipe(m_token);
        m_token = QByteArray(token.bytes().constData(), token.size());
    }
    bool hasSessionToken() const override { return !m_token.isEmpty(); }
    QString origin() const override { return m_origin; }

    // Answers: 200 {} unless set.
    void setAnswer(Answer answer) { m_answer = std::move(answer); }
    static Result<client::ApiResponse> ok(const QJsonObject& json = {})
    {
        client::ApiResponse r;
        r.status = 200;
        r.json = json;
        return r;
    }
    static Result<client::ApiResponse> status(int code) { return client::errors::fromHttpStatus(code, {}, {}); }
    static Result<client::ApiResponse> unreachable()
    {
        return Error {QString::fromLatin1(client::errors::kUnreachable), QStringLiteral("Connection refused"), {}};
    }

    // While holding, answers wait for release().
    void hold(bool holding) { m_holding = holding; }
    void release()
    {
        const auto held = std::exchange(m_held, {});
        for (const auto& [call, request] : held)
            call.resolve(answerFor(request));
    }

    const QList<Sent>& sent() const { return m_sent; }
    QByteArray currentToken() const { return m_token; }

private:
    Result<client::ApiResponse> answerFor(const client::ApiRequest& request)
    {
        return m_answer ? m_answer(request) : ok();
    }

    QString m_origin;
    QByteArray m_token;
    Answer m_answer;
    bool m_holding = false;
    QList<QPair<client::Call<client::ApiResponse>, client::ApiRequest>> m_held;
    QList<Sent> m_sent;
};

} // namespace stint::test
