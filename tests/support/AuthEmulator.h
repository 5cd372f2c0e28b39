#pragma once
// Accounts and tokens from the real Firebase Auth emulator (CTest fixture `auth_emulator`, tests/fixtures/auth):
// users are created through its REST API, made verified and given roles with its admin access ("Bearer owner"),
// and signed in for real tokens. There is no hand-written fake of Firebase Auth.
//
// Tests run in parallel against one emulator and one project (demo-fairuse): give every account a uniqueEmail().

#include "BackendFixtures.h"

#include "auth/FirebaseAuthClient.h"
#include "common/Await.h"

#include <QCoreApplication>
#include <QEventLoop>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QRandomGenerator>
#include <QTimer>

#include <optional>

namespace fairuse::testing {

/** The project of every auth test: the emulator runs with --project demo-fairuse, so its tokens have this aud. */
inline const QString kAuthProject = QStringLiteral("demo-fairuse");
/** Any key does on the emulator; it must be present (without one it answers 403). */
inline const QString kAuthApiKey = QStringLiteral("fairuse-test-api-key");

/** The Auth emulator at `host`, driven synchronously for test set-up. */
class AuthEmulator {
public:
    explicit AuthEmulator(QString host = backends::authEmulatorHost(), QString project = kAuthProject)
        : m_host(std::move(host))
        , m_project(std::move(project)) {}

    QString host() const { return m_host; }
    QString project() const { return m_project; }

    /** A client config pointing at this emulator, as FIREBASE_AUTH_EMULATOR_HOST would. */
    services::FirebaseAuthConfig config() const {
        services::FirebaseAuthConfig c;
        c.projectId = m_project;
        c.apiKey = kAuthApiKey;
        c.emulatorHost = m_host;
        c.requestTimeoutMs = 60000;
        return c;
    }

    /** An e-mail address no other test process uses: "name-<pid>-<random>@example.com". */
    static QString uniqueEmail(const QString& name) {
        return QStringLiteral("%1-%2-%3@example.com")
            .arg(name.toLower())
            .arg(QCoreApplication::applicationPid())
            .arg(QRandomGenerator::global()->bounded(1u << 30));
    }

    /** accounts:signUp with e-mail and password (API key); returns the new uid. The e-mail starts unverified. */
    Result<QString> createPasswordUser(const QString& email, const QString& password) const {
        const auto r = call(QStringLiteral("accounts:signUp"),
                            QJsonObject{{QStringLiteral("email"), email},
                                        {QStringLiteral("password"), password},
                                        {QStringLiteral("returnSecureToken"), true}},
                            false);
        if (!r) {
            return r.error();
        }
        const QString uid = r->value(QStringLiteral("localId")).toString();
        if (uid.isEmpty()) {
            return Error::internal(QStringLiteral("accounts:signUp answered without localId"));
        }
        return uid;
    }

    /**
     * Admin accounts:update (Authorization: Bearer owner) of projects/<project>: sets emailVerified and/or the
     * custom claims, sent as {"localId": uid, "emailVerified": true, "customAttributes": "{\"role\":\"...\"}"}.
     */
    Status updateUser(const QString& uid, std::optional<bool> emailVerified,
                      std::optional<QJsonObject> customClaims) const {
        QJsonObject body{{QStringLiteral("localId"), uid}};
        if (emailVerified) {
            body.insert(QStringLiteral("emailVerified"), *emailVerified);
        }
        if (customClaims) {
            body.insert(QStringLiteral("customAttributes"),
                        QString::fromUtf8(QJsonDocument(*customClaims).toJson(QJsonDocument::Compact)));
        }
        const auto r = call(QStringLiteral("projects/%1/accounts:update").arg(m_project), body, true);
        if (!r) {
            return r.error();
        }
        return {};
    }

    /**
     * The credential the emulator accepts in place of a Google ID token: a strict JSON object (or an unsigned JWT)
     * with "sub", "email" and "email_verified", sent as postBody "id_token=<it, form-encoded>&providerId=google.com"
     * with requestUri http://localhost.
     */
    static services::IdpCredential fakeGoogleCredential(const QString& sub, const QString& email, bool emailVerified) {
        services::IdpCredential c;
        c.providerId = QStringLiteral("google.com");
        c.idToken = QString::fromUtf8(QJsonDocument(QJsonObject{{QStringLiteral("sub"), sub},
                                                                {QStringLiteral("email"), email},
                                                                {QStringLiteral("email_verified"), emailVerified}})
                                          .toJson(QJsonDocument::Compact));
        return c;
    }

    /** Real tokens for an e-mail/password account. */
    Result<services::AuthTokens> signInWithPassword(const QString& email, const QString& password) const {
        services::FirebaseAuthClient client(config());
        return services::awaitResult(client.signInWithPassword(email, password), kTimeoutMs);
    }

    /** Real tokens for a google.com account (created on first sign-in). */
    Result<services::AuthTokens> signInWithGoogle(const QString& sub, const QString& email,
                                                  bool emailVerified = true) const {
        services::FirebaseAuthClient client(config());
        return services::awaitResult(client.signInWithIdp(fakeGoogleCredential(sub, email, emailVerified)), kTimeoutMs);
    }

    /**
     * A reviewer ready to act: a password account with a verified e-mail and the custom claim role = `role`
     * (empty: no role), signed in so its ID token carries both.
     */
    Result<services::AuthTokens> passwordReviewer(const QString& email, const QString& password,
                                                  const QString& role) const {
        const auto uid = createPasswordUser(email, password);
        if (!uid) {
            return uid.error();
        }
        const auto updated =
            updateUser(*uid, true, role.isEmpty() ? QJsonObject() : QJsonObject{{QStringLiteral("role"), role}});
        if (!updated) {
            return updated.error();
        }
        return signInWithPassword(email, password);
    }

    /** A google.com reviewer: signed in once to create the account, given `role`, signed in again. */
    Result<services::AuthTokens> googleReviewer(const QString& email, const QString& role) const {
        const QString sub = QStringLiteral("google-") + email;
        const auto first = signInWithGoogle(sub, email, true);
        if (!first) {
            return first.error();
        }
        if (!role.isEmpty()) {
            const auto updated =
                updateUser(first->claims.uid, std::nullopt, QJsonObject{{QStringLiteral("role"), role}});
            if (!updated) {
                return updated.error();
            }
        }
        return signInWithGoogle(sub, email, true);
    }

    static constexpr int kTimeoutMs = 60000;

private:
    /** POST http://HOST/identitytoolkit.googleapis.com/v1/<path>, with the API key or as the emulator's owner. */
    Result<QJsonObject> call(const QString& path, const QJsonObject& body, bool admin) const {
        QNetworkAccessManager network;
        QNetworkRequest request(config().identityToolkitUrl(path));
        request.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/json"));
        if (admin) {
            request.setRawHeader("Authorization", "Bearer owner");
        } else {
            request.setRawHeader("X-Goog-Api-Key", kAuthApiKey.toUtf8());
        }
        request.setTransferTimeout(kTimeoutMs);
        QNetworkReply* reply = network.post(request, QJsonDocument(body).toJson(QJsonDocument::Compact));
        QEventLoop loop;
        QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
        if (!reply->isFinished()) {
            loop.exec();
        }
        reply->deleteLater();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const QByteArray answer = reply->readAll();
        if (status != 200) {
            return Error::unavailable(QStringLiteral("Auth emulator %1 -> HTTP %2: %3")
                                          .arg(path)
                                          .arg(status)
                                          .arg(QString::fromUtf8(answer.left(300))));
        }
        return QJsonDocument::fromJson(answer).object();
    }

    QString m_host;
    QString m_project;
};

/** Waits for a call to the Auth emulator, or to a client or session that talks to it, as long as the emulator may
 *  take. */
template <typename T>
Result<T> waitForAuth(const services::Async<T>& f) {
    return services::awaitResult(f, AuthEmulator::kTimeoutMs);
}

} // namespace fairuse::testing
