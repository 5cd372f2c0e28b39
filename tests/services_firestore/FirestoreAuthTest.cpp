// Service-account tokens: RS256 assertion (verified here with the public key), exchange at token_uri, caching,
// refresh, rejected keys and malformed key files. No network beyond a loopback scripted token endpoint.
#include "ScriptedHttpServer.h"

#include "common/Await.h"
#include "firestore/FirestoreAuth.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>
#include <QUrlQuery>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

using namespace fairuse;
using namespace fairuse::services;
using fairuse::testing::ScriptedHttpServer;

namespace {

struct KeyPair {
    QByteArray privatePem;
    QByteArray publicPem;
};

KeyPair generateKey() {
    KeyPair out;
    EVP_PKEY* key = EVP_RSA_gen(2048);
    BIO* priv = BIO_new(BIO_s_mem());
    BIO* pub = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey(priv, key, nullptr, nullptr, 0, nullptr, nullptr);
    PEM_write_bio_PUBKEY(pub, key);
    char* data = nullptr;
    long n = BIO_get_mem_data(priv, &data);
    out.privatePem = QByteArray(data, static_cast<qsizetype>(n));
    n = BIO_get_mem_data(pub, &data);
    out.publicPem = QByteArray(data, static_cast<qsizetype>(n));
    BIO_free(priv);
    BIO_free(pub);
    EVP_PKEY_free(key);
    return out;
}

bool verifyRs256(const QByteArray& publicPem, const QByteArray& signingInput, const QByteArray& signature) {
    BIO* bio = BIO_new_mem_buf(publicPem.constData(), static_cast<int>(publicPem.size()));
    EVP_PKEY* key = PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    const bool ok = key && EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, key) == 1 &&
                    EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(signature.constData()),
                                     static_cast<size_t>(signature.size()),
                                     reinterpret_cast<const unsigned char*>(signingInput.constData()),
                                     static_cast<size_t>(signingInput.size())) == 1;
    EVP_MD_CTX_free(ctx);
    EVP_PKEY_free(key);
    return ok;
}

QByteArray keyJson(const QByteArray& privatePem, const QString& tokenUri) {
    return QJsonDocument(
               QJsonObject{{QStringLiteral("type"), QStringLiteral("service_account")},
                           {QStringLiteral("client_email"), QStringLiteral("console@proj.iam.gserviceaccount.com")},
                           {QStringLiteral("private_key_id"), QStringLiteral("kid-1")},
                           {QStringLiteral("private_key"), QString::fromLatin1(privatePem)},
                           {QStringLiteral("token_uri"), tokenUri}})
        .toJson();
}

QByteArray fromBase64Url(const QByteArray& s) {
    return QByteArray::fromBase64(s, QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

} // namespace

class FirestoreAuthTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { m_key = generateKey(); }
    void signsExchangesAndCaches();
    void rejectedKeyIsPermission();
    void malformedKeyFiles_data();
    void malformedKeyFiles();
    void emulatorIdTokenCarriesClaims();

private:
    KeyPair m_key;
};

void FirestoreAuthTest::signsExchangesAndCaches() {
    ScriptedHttpServer server({{200, R"({"access_token":"ya29.first","expires_in":3600,"token_type":"Bearer"})"},
                               {200, R"({"access_token":"ya29.second","expires_in":3600})"},
                               {200, R"({"access_token":"ya29.third","expires_in":3600})"}});
    const QString tokenUri = QStringLiteral("http://%1/token").arg(server.hostPort());
    TimePoint now = parseRfc3339(QStringLiteral("2026-03-20T10:00:00Z")).value();
    auto provider = ServiceAccountToken::fromKeyJson(keyJson(m_key.privatePem, tokenUri), [&now] { return now; });
    QVERIFY2(provider.ok(), qPrintable(provider.ok() ? QString() : provider.error().message));

    auto first = services::awaitResult((*provider)->token());
    QVERIFY2(first.ok(), qPrintable(first.ok() ? QString() : first.error().message));
    QCOMPARE(*first, QStringLiteral("ya29.first"));
    QCOMPARE(server.requests().size(), 1);

    // The exchange: a jwt-bearer grant whose assertion is an RS256 JWT signed by the key.
    const auto& req = server.requests().first();
    QCOMPARE(req.method, QByteArray("POST"));
    QCOMPARE(req.path, QByteArray("/token"));
    const QUrlQuery form(QString::fromUtf8(req.body));
    QCOMPARE(form.queryItemValue(QStringLiteral("grant_type"), QUrl::FullyDecoded),
             QStringLiteral("urn:ietf:params:oauth:grant-type:jwt-bearer"));
    const QByteArray jwt = form.queryItemValue(QStringLiteral("assertion"), QUrl::FullyDecoded).toLatin1();
    const QList<QByteArray> parts = jwt.split('.');
    QCOMPARE(parts.size(), 3);
    const QJsonObject header = QJsonDocument::fromJson(fromBase64Url(parts.at(0))).object();
    const QJsonObject claims = QJsonDocument::fromJson(fromBase64Url(parts.at(1))).object();
    QCOMPARE(header.value(QStringLiteral("alg")).toString(), QStringLiteral("RS256"));
    QCOMPARE(header.value(QStringLiteral("kid")).toString(), QStringLiteral("kid-1"));
    QCOMPARE(claims.value(QStringLiteral("iss")).toString(), QStringLiteral("console@proj.iam.gserviceaccount.com"));
    QCOMPARE(claims.value(QStringLiteral("aud")).toString(), tokenUri);
    QCOMPARE(claims.value(QStringLiteral("scope")).toString(), ServiceAccountToken::kScope);
    QCOMPARE(claims.value(QStringLiteral("iat")).toInteger(), toUnixMs(now) / 1000);
    QCOMPARE(claims.value(QStringLiteral("exp")).toInteger() - claims.value(QStringLiteral("iat")).toInteger(), 3600);
    QVERIFY(verifyRs256(m_key.publicPem, parts.at(0) + '.' + parts.at(1), fromBase64Url(parts.at(2))));
    // A flipped byte in the claims no longer verifies (the check above can fail).
    QByteArray tampered = parts.at(1);
    tampered[5] = tampered[5] == 'A' ? 'B' : 'A';
    QVERIFY(!verifyRs256(m_key.publicPem, parts.at(0) + '.' + tampered, fromBase64Url(parts.at(2))));

    // Cached until a minute before expiry.
    now += std::chrono::seconds{3600 - 61};
    QCOMPARE(*services::awaitResult((*provider)->token()), QStringLiteral("ya29.first"));
    QCOMPARE(server.requests().size(), 1);
    now += std::chrono::seconds{2};
    QCOMPARE(*services::awaitResult((*provider)->token()), QStringLiteral("ya29.second"));
    QCOMPARE(server.requests().size(), 2);
    // After a 401 the client drops the token; the next call exchanges again.
    (*provider)->invalidate();
    QCOMPARE(*services::awaitResult((*provider)->token()), QStringLiteral("ya29.third"));
    QCOMPARE(server.requests().size(), 3);
    QVERIFY(!(*provider)->describe().contains(QStringLiteral("ya29")));
}

void FirestoreAuthTest::rejectedKeyIsPermission() {
    ScriptedHttpServer server({{400, R"({"error":"invalid_grant","error_description":"Invalid JWT Signature."})"},
                               {503, R"({"error":"backend_error"})"}});
    auto provider = ServiceAccountToken::fromKeyJson(
        keyJson(m_key.privatePem, QStringLiteral("http://%1/token").arg(server.hostPort())));
    QVERIFY(provider.ok());
    auto r = services::awaitResult((*provider)->token());
    QVERIFY(!r.ok());
    QCOMPARE(r.error().kind, ErrorKind::Permission);
    QVERIFY2(r.error().message.contains(QStringLiteral("Invalid JWT Signature")), qPrintable(r.error().message));
    auto busy = services::awaitResult((*provider)->token());
    QCOMPARE(busy.error().kind, ErrorKind::Unavailable);
}

void FirestoreAuthTest::malformedKeyFiles_data() {
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("mentions");
    const QByteArray pem = QJsonDocument(QJsonObject{{QStringLiteral("k"), QString::fromLatin1(m_key.privatePem)}})
                               .toJson(QJsonDocument::Compact)
                               .mid(5)
                               .chopped(1); // the PEM as a JSON string literal, quotes included
    QTest::newRow("not json") << QByteArray("-----BEGIN PRIVATE KEY-----") << "not valid JSON";
    QTest::newRow("array") << QByteArray("[]") << "not valid JSON";
    QTest::newRow("user credentials")
        << QByteArray(R"({"type":"authorized_user","client_email":"a","private_key":"b","token_uri":"c"})")
        << "authorized_user";
    QTest::newRow("no email") << QByteArray(R"({"type":"service_account","private_key":)" + pem +
                                            R"(,"token_uri":"http://x"})")
                              << "client_email";
    QTest::newRow("no token uri") << QByteArray(R"({"client_email":"a@b","private_key":)" + pem + "}") << "token_uri";
    QTest::newRow("key not pem")
        << QByteArray(R"({"client_email":"a@b","private_key":"c2VjcmV0LWtleS1tYXRlcmlhbA==","token_uri":"http://x"})")
        << "not a PEM RSA private key";
    QTest::newRow("truncated pem") << QByteArray(R"({"client_email":"a@b","private_key":)" + pem.left(200) +
                                                 R"(","token_uri":"http://x"})")
                                   << "not a PEM RSA private key";
}

void FirestoreAuthTest::malformedKeyFiles() {
    QFETCH(QByteArray, json);
    QFETCH(QString, mentions);
    auto r = ServiceAccountToken::fromKeyJson(json);
    QVERIFY(!r.ok());
    QCOMPARE(r.error().kind, ErrorKind::Invalid);
    QVERIFY2(r.error().message.contains(mentions), qPrintable(r.error().message));
    // Never echo key material.
    QVERIFY(!r.error().message.contains(QStringLiteral("BEGIN")));
    QVERIFY(!r.error().message.contains(QStringLiteral("c2VjcmV0")));
}

void FirestoreAuthTest::emulatorIdTokenCarriesClaims() {
    const QString token = emulatorIdToken(QStringLiteral("proj"), QStringLiteral("u1"), QStringLiteral("a@x.com"),
                                          QJsonObject{{QStringLiteral("role"), QStringLiteral("reviewer")}});
    const QList<QString> parts = token.split(QLatin1Char('.'));
    QCOMPARE(parts.size(), 3);
    QVERIFY(parts.at(2).isEmpty()); // unsigned: only the emulator accepts it
    const QJsonObject header = QJsonDocument::fromJson(fromBase64Url(parts.at(0).toLatin1())).object();
    QCOMPARE(header.value(QStringLiteral("alg")).toString(), QStringLiteral("none"));
    const QJsonObject claims = QJsonDocument::fromJson(fromBase64Url(parts.at(1).toLatin1())).object();
    QCOMPARE(claims.value(QStringLiteral("sub")).toString(), QStringLiteral("u1"));
    QCOMPARE(claims.value(QStringLiteral("email")).toString(), QStringLiteral("a@x.com"));
    QCOMPARE(claims.value(QStringLiteral("role")).toString(), QStringLiteral("reviewer"));
    QCOMPARE(claims.value(QStringLiteral("aud")).toString(), QStringLiteral("proj"));
}

QTEST_GUILESS_MAIN(FirestoreAuthTest)
#include "FirestoreAuthTest.moc"
