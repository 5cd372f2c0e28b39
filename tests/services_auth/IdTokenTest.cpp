// decodeIdToken(): the claims of good tokens (signed-looking and the emulator's unsigned ones), and a clear Invalid
// for every kind of malformed token, without ever quoting the token.
#include "auth/IdToken.h"
#include "ErrorKindName.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace fairuse;
using namespace fairuse::services;
using testsupport::kindName;

namespace {

QByteArray b64(const QByteArray& data) {
    return data.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

QByteArray json(const QJsonObject& o) {
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

const QByteArray kHeader = b64(R"({"alg":"RS256","kid":"k1","typ":"JWT"})");
const QByteArray kSignature = b64("not-a-real-signature-but-base64url");

/** The claims Firebase puts in an ID token, with a role. */
QJsonObject goodPayload() {
    return QJsonObject{
        {QStringLiteral("iss"), QStringLiteral("https://securetoken.google.com/demo-fairuse")},
        {QStringLiteral("aud"), QStringLiteral("demo-fairuse")},
        {QStringLiteral("auth_time"), 1774000000},
        {QStringLiteral("user_id"), QStringLiteral("uid-1")},
        {QStringLiteral("sub"), QStringLiteral("uid-1")},
        {QStringLiteral("iat"), 1774000000},
        {QStringLiteral("exp"), 1774003600},
        {QStringLiteral("email"), QStringLiteral("ana@example.com")},
        {QStringLiteral("email_verified"), true},
        {QStringLiteral("role"), QStringLiteral("senior_reviewer")},
        {QStringLiteral("firebase"),
         QJsonObject{{QStringLiteral("identities"),
                      QJsonObject{{QStringLiteral("google.com"), QJsonArray{QStringLiteral("1234")}}}},
                     {QStringLiteral("sign_in_provider"), QStringLiteral("google.com")}}},
    };
}

QString token(const QByteArray& header, const QByteArray& payload, const QByteArray& signature) {
    return QString::fromLatin1(header + '.' + payload + '.' + signature);
}

QString withPayload(const QJsonObject& payload) {
    return token(kHeader, b64(json(payload)), kSignature);
}

QJsonObject without(QJsonObject o, const QString& key) {
    o.remove(key);
    return o;
}

QJsonObject with(QJsonObject o, const QString& key, const QJsonValue& value) {
    o.insert(key, value);
    return o;
}

} // namespace

class IdTokenTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void decodesFirebaseClaims() {
        const auto c = decodeIdToken(withPayload(goodPayload()));
        QVERIFY2(c.ok(), qPrintable(c.ok() ? QString() : c.error().message));
        QCOMPARE(c->uid, QStringLiteral("uid-1"));
        QCOMPARE(c->email, QStringLiteral("ana@example.com"));
        QVERIFY(c->emailVerified);
        QCOMPARE(c->role, QStringLiteral("senior_reviewer"));
        QCOMPARE(c->signInProvider, QStringLiteral("google.com"));
        QCOMPARE(c->projectId, QStringLiteral("demo-fairuse"));
        QCOMPARE(c->issuer, QStringLiteral("https://securetoken.google.com/demo-fairuse"));
        QCOMPARE(toUnixMs(c->issuedAt), qint64{1774000000} * 1000);
        QCOMPARE(toUnixMs(c->expiresAt), qint64{1774003600} * 1000);
    }

    void decodesTheEmulatorsUnsignedToken() {
        // The Auth emulator signs nothing: {"alg":"none"} and an empty signature.
        const QString t = token(b64(R"({"alg":"none","typ":"JWT"})"), b64(json(goodPayload())), QByteArray());
        const auto c = decodeIdToken(t);
        QVERIFY(c.ok());
        QCOMPARE(c->uid, QStringLiteral("uid-1"));
    }

    void optionalClaimsMayBeAbsent() {
        QJsonObject p{{QStringLiteral("sub"), QStringLiteral("u")}, {QStringLiteral("exp"), 1774003600}};
        const auto c = decodeIdToken(withPayload(p));
        QVERIFY(c.ok());
        QCOMPARE(c->email, QString());
        QVERIFY(!c->emailVerified);
        QCOMPARE(c->role, QString());
        QCOMPARE(c->signInProvider, QString());
        QCOMPARE(toUnixMs(c->issuedAt), 0);
    }

    void roleOfTheWrongTypeIsNoRole_data() {
        QTest::addColumn<QJsonValue>("role");
        QTest::newRow("number") << QJsonValue(2);
        QTest::newRow("array") << QJsonValue(QJsonArray{QStringLiteral("admin")});
        QTest::newRow("object") << QJsonValue(QJsonObject{{QStringLiteral("name"), QStringLiteral("admin")}});
        QTest::newRow("null") << QJsonValue(QJsonValue::Null);
    }

    void roleOfTheWrongTypeIsNoRole() {
        QFETCH(QJsonValue, role);
        const auto c = decodeIdToken(withPayload(with(goodPayload(), QStringLiteral("role"), role)));
        QVERIFY(c.ok());
        QCOMPARE(c->role, QString());
    }

    void malformedIsInvalid_data() {
        QTest::addColumn<QString>("jwt");
        QTest::addColumn<QString>("why"); // a part of the message

        const QByteArray payload = b64(json(goodPayload()));
        QTest::newRow("empty") << QString() << QStringLiteral("empty");
        QTest::newRow("one part") << QString::fromLatin1(payload) << QStringLiteral("1 parts instead of 3");
        QTest::newRow("two parts") << QString::fromLatin1(kHeader + '.' + payload)
                                   << QStringLiteral("2 parts instead of 3");
        QTest::newRow("four parts") << token(kHeader, payload, kSignature + ".x")
                                    << QStringLiteral("4 parts instead of 3");
        QTest::newRow("empty header") << token(QByteArray(), payload, kSignature) << QStringLiteral("header is empty");
        QTest::newRow("empty payload") << token(kHeader, QByteArray(), kSignature)
                                       << QStringLiteral("payload is empty");
        QTest::newRow("header not base64url")
            << token("eyJ@bGc", payload, kSignature) << QStringLiteral("header is not base64url");
        QTest::newRow("payload standard base64")
            << token(kHeader, payload + "+/", kSignature) << QStringLiteral("payload is not base64url");
        QTest::newRow("payload padded") << token(kHeader, payload + "==", kSignature)
                                        << QStringLiteral("payload is not base64url");
        QTest::newRow("payload one char over")
            << token(kHeader, "abcde", kSignature) << QStringLiteral("payload is not base64url");
        QTest::newRow("signature not base64url")
            << token(kHeader, payload, "sig nature") << QStringLiteral("signature is not base64url");
        QTest::newRow("payload not JSON")
            << token(kHeader, b64("this is not json"), kSignature) << QStringLiteral("payload is not JSON");
        QTest::newRow("payload truncated JSON")
            << token(kHeader, b64(R"({"sub":"u","exp":17)"), kSignature) << QStringLiteral("payload is not JSON");
        QTest::newRow("payload an array")
            << token(kHeader, b64(R"(["sub","exp"])"), kSignature) << QStringLiteral("payload is not a JSON object");
        QTest::newRow("header not JSON") << token(b64("alg none"), payload, kSignature)
                                         << QStringLiteral("header is not JSON");
        QTest::newRow("header an array") << token(b64(R"(["RS256"])"), payload, kSignature)
                                         << QStringLiteral("header is not a JSON object");
        QTest::newRow("no sub") << withPayload(without(goodPayload(), QStringLiteral("sub")))
                                << QStringLiteral("no \"sub\"");
        QTest::newRow("sub a number") << withPayload(with(goodPayload(), QStringLiteral("sub"), 42))
                                      << QStringLiteral("\"sub\" is not a non-empty string");
        QTest::newRow("sub empty") << withPayload(with(goodPayload(), QStringLiteral("sub"), QString()))
                                   << QStringLiteral("\"sub\" is not a non-empty string");
        QTest::newRow("no exp") << withPayload(without(goodPayload(), QStringLiteral("exp")))
                                << QStringLiteral("no \"exp\"");
        QTest::newRow("exp a string") << withPayload(
                                             with(goodPayload(), QStringLiteral("exp"), QStringLiteral("1774003600")))
                                      << QStringLiteral("\"exp\" is not a number");
        QTest::newRow("exp null") << withPayload(with(goodPayload(), QStringLiteral("exp"), QJsonValue::Null))
                                  << QStringLiteral("\"exp\" is not a number");
        QTest::newRow("exp fractional") << withPayload(with(goodPayload(), QStringLiteral("exp"), 1774003600.5))
                                        << QStringLiteral("\"exp\" is not a time");
        QTest::newRow("exp negative") << withPayload(with(goodPayload(), QStringLiteral("exp"), -1))
                                      << QStringLiteral("\"exp\" is not a time");
        QTest::newRow("exp beyond range") << withPayload(with(goodPayload(), QStringLiteral("exp"), 1e300))
                                          << QStringLiteral("\"exp\" is not a time");
        QTest::newRow("iat a string") << withPayload(with(goodPayload(), QStringLiteral("iat"), QStringLiteral("x")))
                                      << QStringLiteral("\"iat\" is not a number");
        QTest::newRow("email a number") << withPayload(with(goodPayload(), QStringLiteral("email"), 7))
                                        << QStringLiteral("\"email\" is not a string");
        QTest::newRow("email_verified a string")
            << withPayload(with(goodPayload(), QStringLiteral("email_verified"), QStringLiteral("true")))
            << QStringLiteral("\"email_verified\" is not true or false");
        QTest::newRow("aud an array") << withPayload(with(goodPayload(), QStringLiteral("aud"),
                                                          QJsonArray{QStringLiteral("demo-fairuse")}))
                                      << QStringLiteral("\"aud\" is not a string");
        QTest::newRow("iss an object") << withPayload(with(goodPayload(), QStringLiteral("iss"), QJsonObject()))
                                       << QStringLiteral("\"iss\" is not a string");
        QTest::newRow("firebase a string")
            << withPayload(with(goodPayload(), QStringLiteral("firebase"), QStringLiteral("google.com")))
            << QStringLiteral("\"firebase\" is not an object");
        QTest::newRow("sign_in_provider a number")
            << withPayload(with(goodPayload(), QStringLiteral("firebase"),
                                QJsonObject{{QStringLiteral("sign_in_provider"), 1}}))
            << QStringLiteral("\"sign_in_provider\" is not a string");
        QTest::newRow("far too long") << withPayload(with(goodPayload(), QStringLiteral("pad"),
                                                          QString(70000, QLatin1Char('x'))))
                                      << QStringLiteral("characters long");
        QTest::newRow("binary payload") << token(kHeader, b64(QByteArray("\x00\xff\xfe{", 4)), kSignature)
                                        << QStringLiteral("payload is not JSON");
    }

    void malformedIsInvalid() {
        QFETCH(QString, jwt);
        QFETCH(QString, why);
        const auto c = decodeIdToken(jwt);
        QVERIFY(!c.ok());
        QCOMPARE(kindName(c.error().kind), kindName(ErrorKind::Invalid));
        QVERIFY2(c.error().message.startsWith(QStringLiteral("the sign-in token is malformed: ")),
                 qPrintable(c.error().message));
        QVERIFY2(c.error().message.contains(why), qPrintable(c.error().message));
        // The message never quotes the token (a token in an error dialog or a log is a leaked credential).
        const QStringList parts = jwt.split(QLatin1Char('.'));
        for (const QString& part : parts) {
            if (part.size() >= 8) {
                QVERIFY2(!c.error().message.contains(part), qPrintable(c.error().message));
            }
        }
    }
};

QTEST_GUILESS_MAIN(IdTokenTest)
#include "IdTokenTest.moc"
