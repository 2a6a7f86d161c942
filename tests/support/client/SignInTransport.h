// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "client/ApiTransport.h"
#include "models/Directory.h"

#include <QObject>

#include <optional>

// The sign-in ceremony's side of the cloud for the shell's GUI tests, in front of a FakeCloud: it answers
// POST /v1/auth/signin/begin with WebAuthn request options for the fake's origin, and /v1/auth/signin/finish with a
// session the FakeCloud accepts for the person the test says owns the key (the assertion itself is not checked: the
// real verification is the cloud's, tested against real keys elsewhere). Everything else goes to the FakeCloud.
namespace stint::test {

class FakeCloud;

class SignInTransport final : public QObject, public client::ApiTransport
{
    Q_OBJECT
public:
    explicit SignInTransport(FakeCloud& cloud, QObject* parent = nullptr);

    // Whose passkey is on the key (the session finish returns). Unset: finish answers 401 as for an unknown key.
    void setKeyOwner(const models::Person& person) { m_owner = person; }
    // The next begin answers with this problem (e.g. 503), once.
    void failNextBegin(int status, const QString& slug);

    client::Call<client::ApiResponse> send(const client::ApiRequest& request) override;
    void setSessionToken(const crypto::SecretBytes& token) override;
    bool hasSessionToken() const override;
    QString origin() const override;

    int beginCount = 0;
    int finishCount = 0;
    QString lastEmail;

private:
    FakeCloud& m_cloud;
    std::optional<models::Person> m_owner;
    std::optional<std::pair<int, QString>> m_failBegin;
};

} // namespace stint::test
