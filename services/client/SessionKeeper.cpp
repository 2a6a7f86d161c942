// SPDX-License-Identifier: GPL-3.0-or-later
#include "client/SessionKeeper.h"

#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcSession, "stint.client.sessionkeeper")

namespace stint::client {

namespace {
// The keychain entry: a header, the person, the session id, then the token (last, so it may hold any byte). Not JSON:
// parsing JSON would leave unwiped copies of the token behind.
const QByteArray kHeader = QByteArrayLiteral("stint-session/1\n");

crypto::SecretBytes encode(const QString& personId, const QString& sessionId, const crypto::SecretBytes& token)
{
    QByteArray record;
    const QByteArray person = personId.toUtf8();
    const QByteArray session = sessionId.toUtf8();
    record.reserve(kHeader.size() + person.size() + session.size() + token.size() + 2);
    record.append(kHeader).append(person).append('\n').append(session).append('\n').append(token.bytes());
    return crypto::SecretBytes(std::move(record));
}

struct Stored
{
    QString personId;
    QString sessionId;
    crypto::SecretBytes token;
};

std::optional<Stored> decode(const crypto::SecretBytes& secret)
{
    const QByteArray& bytes = secret.bytes();
    if (!bytes.startsWith(kHeader))
        return std::nullopt;
    const qsizetype personEnd = bytes.indexOf('\n', kHeader.size());
    if (personEnd < 0)
        return std::nullopt;
    const qsizetype sessionEnd = bytes.indexOf('\n', personEnd + 1);
    if (sessionEnd < 0)
        return std::nullopt;
    Stored s;
    s.personId = QString::fromUtf8(bytes.mid(kHeader.size(), personEnd - kHeader.size()));
    s.sessionId = QString::fromUtf8(bytes.mid(personEnd + 1, sessionEnd - personEnd - 1));
    s.token = crypto::SecretBytes(QByteArray(bytes.constData() + sessionEnd + 1, bytes.size() - sessionEnd - 1));
    if (s.personId.isEmpty() || s.sessionId.isEmpty() || s.token.isEmpty())
        return std::nullopt;
    return s;
}

crypto::SecretBytes copyOf(const crypto::SecretBytes& s)
{
    return crypto::SecretBytes(QByteArray(s.bytes().constData(), s.size()));
}
} // namespace

SessionKeeper::SessionKeeper(CloudApi& api, SecretStore& secrets, QObject* parent)
    : QObject(parent)
    , m_api(api)
    , m_secrets(secrets)
{
    // The service said the session is over (expired, revoked, signed out elsewhere): keep nothing of it.
    connect(&m_api, &CloudApi::unauthorized, this, [this]() {
        if (!signedIn())
            return;
        qCInfo(lcSession) << "the service ended the session; forgetting it";
        forget().then(this, [](const Result<void>& r) {
            if (!r.ok())
                qCWarning(lcSession) << "the ended session could not be removed from the keychain:" << r.error().code;
        });
    });
}

QString SessionKeeper::secretKey() const
{
    return secretKeys::session(m_api.transport().origin());
}

bool SessionKeeper::signedIn() const
{
    return !m_token.isEmpty();
}

crypto::SecretBytes SessionKeeper::token() const
{
    return copyOf(m_token);
}

Call<bool> SessionKeeper::restore()
{
    Call<bool> out;
    const quint64 generation = m_generation;
    m_secrets.read(secretKey()).then(this, [this, out, generation](const Result<SharedSecret>& stored) {
        if (generation != m_generation)
            return out.resolve(signedIn()); // adopted or forgotten meanwhile: that wins
        if (!stored.ok())
            return out.fail(stored.error());
        if (!stored.value() || stored.value()->isEmpty())
            return out.resolve(false);
        auto session = decode(*stored.value());
        if (!session) {
            qCWarning(lcSession) << "the stored session is unreadable; signing in afresh";
            return out.resolve(false);
        }
        const bool was = signedIn();
        m_token = std::move(session->token);
        m_personId = session->personId;
        m_sessionId = session->sessionId;
        m_api.transport().setSessionToken(m_token);
        if (!was)
            emit signedInChanged(true);
        out.resolve(true);
    });
    return out;
}

Done SessionKeeper::adopt(const models::SignedInSession& session)
{
    const auto isLine = [](const QString& s) { return !s.isEmpty() && !s.contains(QLatin1Char('\n')); };
    if (session.token.isEmpty() || !isLine(session.sessionId) || !isLine(session.person.id))
        return Done::failed(
            makeError(QStringLiteral("session.malformed"), tr("The service's answer to the sign-in cannot be used.")));
    ++m_generation;
    const bool was = signedIn();
    m_token = copyOf(session.token);
    m_personId = session.person.id;
    m_sessionId = session.sessionId;
    m_api.transport().setSessionToken(m_token);
    if (!was)
        emit signedInChanged(true);
    return m_secrets.write(secretKey(), encode(m_personId, m_sessionId, m_token));
}

Done SessionKeeper::signOut()
{
    if (!signedIn())
        return forget();
    const quint64 generation = ++m_generation;
    // The keychain entry goes now: a service that does not answer must not keep the token on disk.
    Done removed = m_secrets.remove(secretKey());
    Done out;
    m_api.signOut().then(this, [this, out, removed, generation](const Result<void>& answer) {
        if (!answer.ok())
            qCInfo(lcSession) << "the service did not confirm the sign-out:" << answer.error().code;
        if (generation == m_generation)
            dropFromMemory();
        removed.then(this, [out](const Result<void>& r) { out.resolve(r); });
    });
    return out;
}

Done SessionKeeper::forget()
{
    ++m_generation;
    dropFromMemory();
    return m_secrets.remove(secretKey());
}

void SessionKeeper::dropFromMemory()
{
    const bool was = signedIn();
    m_token = crypto::SecretBytes();
    m_personId.clear();
    m_sessionId.clear();
    m_api.transport().setSessionToken(crypto::SecretBytes());
    if (was)
        emit signedInChanged(false);
}

} // namespace stint::client
