// SPDX-License-Identifier: GPL-3.0-or-later
#include "cloud/api/NativeHandoffApi.h"

#include "cloud/api/SessionReply.h"
#include "cloud/directory/DirectoryStore.h"
#include "cloud/http/RequestContext.h"
#include "core/Crypto.h"

#include <QLoggingCategory>
#include <QUrl>
#include <QUrlQuery>

Q_LOGGING_CATEGORY(lcNativeHandoff, "stint.cloud.api.nativehandoff")

namespace stint::cloud::api {

std::optional<ceremonies::NativeRequest> readNativeRequest(json::ObjectReader& outer, const QJsonObject& o)
{
    json::ObjectReader r(o, QStringLiteral("native"));
    ceremonies::NativeRequest n;
    n.redirectUri = r.requiredString(QStringLiteral("redirectUri"), 512);
    n.codeChallenge = r.requiredString(QStringLiteral("codeChallenge"), 43, 43);
    r.requiredEnum(QStringLiteral("codeChallengeMethod"), {QStringLiteral("S256")});
    n.state = r.requiredString(QStringLiteral("state"), 256);
    const QUrl url(n.redirectUri, QUrl::StrictMode);
    const QString host = url.host();
    if (!n.redirectUri.isEmpty()
        && (!url.isValid() || url.scheme() != QLatin1String("http")
            || (host != QLatin1String("127.0.0.1") && host != QLatin1String("::1")) || url.port() <= 0
            || !url.userInfo().isEmpty() || url.hasFragment() || url.hasQuery()))
        r.fail(QStringLiteral("redirectUri"),
               QStringLiteral("must be http://127.0.0.1:<port>/<path> or http://[::1]:<port>/<path>"));
    if (!n.codeChallenge.isEmpty() && !crypto::base64UrlDecode(n.codeChallenge.toLatin1()).ok())
        r.fail(QStringLiteral("codeChallenge"), QStringLiteral("must be base64url"));
    for (QChar c : n.state) {
        if (c.unicode() < 0x21 || c.unicode() > 0x7e) {
            r.fail(QStringLiteral("state"), QStringLiteral("must be visible ASCII"));
            break;
        }
    }
    if (auto ok = r.finish(); !ok) {
        outer.fail(QStringLiteral("native"), ok.error().message);
        return std::nullopt;
    }
    return n;
}

Result<QString> handOffRedirect(RequestContext& ctx, const QString& personId, const QString& orgId,
                                const ceremonies::NativeRequest& native)
{
    const TimeMs now = ctx.cloud.clock.now();
    auto code = ceremonies::issueNativeCode(ctx.cloud.db, {personId, orgId, native.codeChallenge, native.redirectUri},
                                            now, now + qint64(ctx.cloud.config.nativeCodeTtlSeconds) * 1000);
    if (!code)
        return code.error();
    QUrl redirect(native.redirectUri);
    QUrlQuery q;
    q.addQueryItem(QStringLiteral("code"), *code);
    q.addQueryItem(QStringLiteral("state"), QString::fromLatin1(QUrl::toPercentEncoding(native.state)));
    redirect.setQuery(q);
    return redirect.toString(QUrl::FullyEncoded);
}

Reply exchangeNativeCode(RequestContext& ctx)
{
    auto body = ctx.jsonBody();
    if (!body)
        return ctx.fail(body.error());
    json::ObjectReader reader(*body);
    const QString code = reader.requiredString(QStringLiteral("code"), 64);
    const QString verifier = reader.requiredString(QStringLiteral("codeVerifier"), 128, 43);
    const QString redirectUri = reader.requiredString(QStringLiteral("redirectUri"), 512);
    if (auto ok = reader.finish(); !ok)
        return ctx.fail(ok.error());
    const ApiError invalidGrant = ApiError::badRequest(QStringLiteral("invalid-grant"),
                                                       QStringLiteral("The code is unknown, used, expired, or does not "
                                                                      "match the verifier or redirect URI."));
    // Consume first, on its own: a code is good for one exchange attempt, right or wrong.
    auto consumed = ceremonies::consumeNativeCode(ctx.cloud.db, code, ctx.cloud.clock.now());
    if (!consumed)
        return ctx.fail(consumed.error());
    if (!consumed->has_value())
        return invalidGrant;
    const ceremonies::NativeCode& terms = **consumed;
    const QString expected = QString::fromLatin1(crypto::base64UrlEncode(crypto::sha256(verifier.toLatin1())));
    if (!crypto::constantTimeEquals(expected.toLatin1(), terms.codeChallenge.toLatin1())
        || redirectUri != terms.redirectUri)
        return invalidGrant;
    auto person = directory::loadPerson(ctx.cloud.db, terms.orgId, terms.personId);
    if (!person || !person->has_value())
        return ApiError::internal();
    if ((*person)->status != QLatin1String("active"))
        return ApiError::forbidden(QStringLiteral("Your account is disabled; ask your admin."));
    store::Transaction tx(ctx.cloud.db);
    if (!tx.started().ok())
        return ApiError::internal();
    auto session = openSession(ctx, terms.personId, terms.orgId);
    if (!session)
        return ctx.fail(session.error());
    ctx.caller = Caller{terms.personId, terms.orgId, (*person)->role, (*person)->email, session->sessionId};
    AuditEvent e = ctx.auditEvent(QStringLiteral("auth.native_exchange"));
    e.targetType = QStringLiteral("session");
    e.targetId = session->sessionId;
    if (!ctx.audit(e))
        return ApiError::internal();
    if (auto committed = tx.commit(); !committed)
        return ctx.fail(committed.error());
    return sessionReply(*session, **person);
}

} // namespace stint::cloud::api
