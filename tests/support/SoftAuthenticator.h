// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QString>

#include <memory>

// A software FIDO2 authenticator for in-process tests: one ES256 (P-256) credential made with OpenSSL directly —
// not with Stint's own crypto code — answering the cloud's creation and request options with the JSON a browser
// would send. Browser-made responses are covered by the Chromium tests and the recorded vectors.
class SoftAuthenticator
{
public:
    explicit SoftAuthenticator(QString origin, QString rpId = QStringLiteral("localhost"));
    ~SoftAuthenticator();

    // navigator.credentials.create(): a PublicKeyCredential JSON ("none" attestation) for the given options.
    QJsonObject create(const QJsonObject& publicKeyOptions);
    // navigator.credentials.get(): an assertion with the credential made by create().
    QJsonObject get(const QJsonObject& publicKeyOptions);

    // Knobs for negative tests.
    void setOrigin(const QString& origin) { m_origin = origin; }
    void setRpId(const QString& rpId) { m_rpId = rpId; }
    void setSignCount(quint32 count) { m_signCount = count; }
    void setUserVerified(bool uv) { m_userVerified = uv; }
    void setAaguid(const QByteArray& aaguid) { m_aaguid = aaguid; }

    QByteArray credentialId() const { return m_credentialId; }
    quint32 signCount() const { return m_signCount; }

private:
    QByteArray authenticatorData(bool attested) const;
    QByteArray clientData(const QString& type, const QString& challenge) const;
    QByteArray sign(const QByteArray& message) const;

    struct Key;
    std::unique_ptr<Key> m_key;
    QString m_origin;
    QString m_rpId;
    QByteArray m_credentialId;
    QByteArray m_userHandle;
    QByteArray m_aaguid = QByteArray(16, '\0');
    quint32 m_signCount = 0;
    bool m_userVerified = true;
};
