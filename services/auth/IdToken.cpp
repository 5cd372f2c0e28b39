#include "auth/IdToken.h"

#include <QCoreApplication>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonValue>

#include <cmath>

namespace fairuse::services {

namespace {

/** Real tokens are about 1 KB (custom claims are capped at 1000 bytes); anything far larger is not a token. */
constexpr qsizetype kMaxTokenChars = 64 * 1024;
/** Latest "exp"/"iat" accepted, in Unix seconds (year 5138): keeps the millisecond conversion far from overflow. */
constexpr double kMaxUnixSeconds = 1e11;

QString tr(const char* text) {
    return QCoreApplication::translate("fairuse::services::IdToken", text);
}

Error malformed(const QString& why) {
    return Error::invalid(tr("the sign-in token is malformed: %1").arg(why));
}

bool isBase64UrlText(QStringView part) {
    for (const QChar c : part) {
        const char16_t u = c.unicode();
        const bool ok =
            (u >= u'A' && u <= u'Z') || (u >= u'a' && u <= u'z') || (u >= u'0' && u <= u'9') || u == u'-' || u == u'_';
        if (!ok) {
            return false;
        }
    }
    // A base64 text never leaves a single character over.
    return part.size() % 4 != 1;
}

Result<QJsonObject> decodePart(QStringView part, const QString& name) {
    if (part.isEmpty()) {
        return malformed(tr("the %1 is empty").arg(name));
    }
    if (!isBase64UrlText(part)) {
        return malformed(tr("the %1 is not base64url").arg(name));
    }
    const auto decoded = QByteArray::fromBase64Encoding(part.toLatin1(), QByteArray::Base64UrlEncoding |
                                                                             QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded) {
        return malformed(tr("the %1 is not base64url").arg(name));
    }
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(*decoded, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        return malformed(
            tr("the %1 is not JSON (%2 at offset %3)").arg(name, parseError.errorString()).arg(parseError.offset));
    }
    if (!doc.isObject()) {
        return malformed(tr("the %1 is not a JSON object").arg(name));
    }
    return doc.object();
}

/** An optional string claim: absent -> empty; present but not a string -> error. */
Result<QString> stringClaim(const QJsonObject& o, const QString& name) {
    const QJsonValue v = o.value(name);
    if (v.isUndefined()) {
        return QString();
    }
    if (!v.isString()) {
        return malformed(tr("the claim \"%1\" is not a string").arg(name));
    }
    return v.toString();
}

/** A time claim in Unix seconds: a whole non-negative number within range. */
Result<TimePoint> timeClaim(const QJsonObject& o, const QString& name) {
    const QJsonValue v = o.value(name);
    if (!v.isDouble()) {
        return malformed(tr("the claim \"%1\" is not a number").arg(name));
    }
    const double seconds = v.toDouble();
    if (!std::isfinite(seconds) || seconds < 0 || seconds > kMaxUnixSeconds || std::floor(seconds) != seconds) {
        return malformed(tr("the claim \"%1\" is not a time in Unix seconds").arg(name));
    }
    return fromUnixMs(static_cast<std::int64_t>(seconds) * 1000);
}

} // namespace

Result<IdTokenClaims> decodeIdToken(const QString& jwt) {
    if (jwt.isEmpty()) {
        return malformed(tr("it is empty"));
    }
    if (jwt.size() > kMaxTokenChars) {
        return malformed(tr("it is %1 characters long").arg(jwt.size()));
    }
    const QList<QStringView> parts = QStringView(jwt).split(QLatin1Char('.'));
    if (parts.size() != 3) {
        return malformed(tr("it has %1 parts instead of 3").arg(parts.size()));
    }
    const auto header = decodePart(parts.at(0), tr("header"));
    if (!header) {
        return header.error();
    }
    // The signature is not verified here (see the header), only checked to be base64url; the emulator's
    // unsigned tokens leave it empty.
    if (!isBase64UrlText(parts.at(2))) {
        return malformed(tr("the signature is not base64url"));
    }
    const auto payload = decodePart(parts.at(1), tr("payload"));
    if (!payload) {
        return payload.error();
    }
    const QJsonObject& o = *payload;

    IdTokenClaims claims;
    const QJsonValue sub = o.value(QStringLiteral("sub"));
    if (sub.isUndefined()) {
        return malformed(tr("it has no \"sub\" (user id)"));
    }
    if (!sub.isString() || sub.toString().isEmpty()) {
        return malformed(tr("the claim \"sub\" is not a non-empty string"));
    }
    claims.uid = sub.toString();

    if (!o.contains(QStringLiteral("exp"))) {
        return malformed(tr("it has no \"exp\" (expiry time)"));
    }
    const auto exp = timeClaim(o, QStringLiteral("exp"));
    if (!exp) {
        return exp.error();
    }
    claims.expiresAt = *exp;
    if (o.contains(QStringLiteral("iat"))) {
        const auto iat = timeClaim(o, QStringLiteral("iat"));
        if (!iat) {
            return iat.error();
        }
        claims.issuedAt = *iat;
    }

    for (const auto& [name, target] :
         {std::pair{QStringLiteral("email"), &claims.email}, std::pair{QStringLiteral("aud"), &claims.projectId},
          std::pair{QStringLiteral("iss"), &claims.issuer}}) {
        const auto value = stringClaim(o, name);
        if (!value) {
            return value.error();
        }
        *target = *value;
    }

    const QJsonValue verified = o.value(QStringLiteral("email_verified"));
    if (!verified.isUndefined() && !verified.isBool()) {
        return malformed(tr("the claim \"email_verified\" is not true or false"));
    }
    claims.emailVerified = verified.toBool(false);

    // A role of the wrong type is no role: identity() then refuses the account, which is what an admin must fix.
    claims.role = o.value(QStringLiteral("role")).toString();

    const QJsonValue firebase = o.value(QStringLiteral("firebase"));
    if (!firebase.isUndefined()) {
        if (!firebase.isObject()) {
            return malformed(tr("the claim \"firebase\" is not an object"));
        }
        const auto provider = stringClaim(firebase.toObject(), QStringLiteral("sign_in_provider"));
        if (!provider) {
            return provider.error();
        }
        claims.signInProvider = *provider;
    }
    return claims;
}

} // namespace fairuse::services
