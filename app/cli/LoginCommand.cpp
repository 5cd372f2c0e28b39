// fairuse login / whoami / logout: a reviewer's Firebase Authentication sign-in, kept in the OS keychain.
#include "ReviewerSession.h"

#include "auth/OAuthLoopbackFlow.h"
#include "common/Await.h"

#include <QDateTime>
#include <QFile>

#include <chrono>
#include <cstdio>

#ifdef Q_OS_UNIX
#include <termios.h>
#include <unistd.h>
#endif

namespace fairuse::cli {

namespace {

const char* const kLoginHelp =
    "Usage: fairuse login --firestore PROJECT --email EMAIL --password-stdin [PROJECT OPTIONS]\n"
    "       fairuse login --firestore PROJECT --provider google.com|oidc.ID [--client-id ID]\n"
    "                     [--authorization-url URL --token-url URL] [PROJECT OPTIONS]\n"
    "\n"
    "Signs a reviewer in through Firebase Authentication and keeps the refresh token in the OS keychain (entry\n"
    "firebase-refresh-token/AUTH_PROJECT of the service \"fairuse\", shared with the console). The reviewer\n"
    "commands (whoami, resolve, override, bulk-resolve, audit verify) then act as this reviewer: the verified\n"
    "e-mail, uid and role claim of the ID token, which every Firestore request carries.\n"
    "\n"
    "A sign-in is refused, and nothing stored, for a wrong password, an unverified e-mail address, or an account\n"
    "without a role (an admin grants one with fairuse reviewers grant).\n"
    "\n"
    "Sign-in options:\n"
    "  --email EMAIL           e-mail and password sign-in\n"
    "  --password-stdin        read the password from standard input (one line). It is never taken from an\n"
    "                          argument; on a terminal it is asked for without echo\n"
    "  --provider ID           Google (google.com) or an OpenID Connect provider of Identity Platform (oidc.ID):\n"
    "                          prints an address to open in a browser on standard error and waits up to 5 minutes\n"
    "  --client-id ID          the OAuth client (type Desktop app); default: FAIRUSE_OAUTH_CLIENT_ID. A client\n"
    "                          secret, if the provider needs one, comes from FAIRUSE_OAUTH_CLIENT_SECRET or the\n"
    "                          keychain entry oauth-client-secret/CLIENT_ID, never from an argument\n"
    "  --authorization-url URL, --token-url URL\n"
    "                          the provider's endpoints (required for oidc.ID; Google's by default)\n"
    "\n"
    "%1"
    "\n"
    "The login remembers, in ~/.config/fairuse/fairuse-cli.conf (nothing secret): PROJECT as the default of the\n"
    "other commands' --firestore, and for PROJECT its --auth-project and API key. FIREBASE_AUTH_EMULATOR_HOST\n"
    "points at the Auth emulator, as in the Firebase SDKs. FAIRUSE_KEYCHAIN_SERVICE names another keychain service.\n"
    "\n"
    "Exit status: 0 signed in, 1 refused or failed (the reason on standard error), 2 bad usage.\n";

const char* const kWhoamiHelp =
    "Usage: fairuse whoami [--firestore PROJECT] [--json] [PROJECT OPTIONS]\n"
    "\n"
    "Shows who the reviewer commands act as: the e-mail, uid and role of the signed-in reviewer's ID token, after a\n"
    "refresh (so a role granted or revoked since the login shows). With --json one object {project, auth_project,\n"
    "email, uid, role, email_verified, sign_in_provider, token_expires_at}.\n"
    "\n"
    "%1"
    "\n"
    "Exit status: 0 signed in with a role, 1 not signed in or not allowed to act (the reason on standard error),\n"
    "2 bad usage.\n";

const char* const kLogoutHelp =
    "Usage: fairuse logout [--firestore PROJECT] [PROJECT OPTIONS]\n"
    "\n"
    "Removes the sign-in to PROJECT (default: the project of the last login) from the keychain; the next reviewer\n"
    "command fails with \"not signed in\". ID tokens already issued stay valid until they expire (at most an hour);\n"
    "an admin revokes a person's access at once by revoking the role (fairuse reviewers revoke).\n"
    "\n"
    "%1"
    "\n"
    "Exit status: 0 signed out (or was not signed in), 1 the keychain could not be reached, 2 bad usage.\n";

/** A password from standard input: one line, without its line end. On a terminal, asked for without echo. */
QString readPassword(Io io, const QString& email) {
    QByteArray line;
#ifdef Q_OS_UNIX
    if (isatty(STDIN_FILENO)) {
        io.err << "Password for " << email << ": ";
        io.err.flush();
        termios saved{};
        const bool canHide = tcgetattr(STDIN_FILENO, &saved) == 0;
        if (canHide) {
            termios hidden = saved;
            hidden.c_lflag &= ~static_cast<tcflag_t>(ECHO);
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &hidden);
        }
        QFile in;
        if (in.open(stdin, QIODevice::ReadOnly)) {
            line = in.readLine();
        }
        if (canHide) {
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
        }
        io.err << "\n";
        io.err.flush();
    } else
#endif
    {
        Q_UNUSED(email)
        QFile in;
        if (in.open(stdin, QIODevice::ReadOnly)) {
            line = in.readLine();
        }
    }
    while (line.endsWith('\n') || line.endsWith('\r')) {
        line.chop(1);
    }
    QString password = QString::fromUtf8(line);
    line.fill('\0');
    return password;
}

/** The OAuth client secret: FAIRUSE_OAUTH_CLIENT_SECRET, else the keychain's oauth-client-secret/CLIENT_ID, else none.
 */
QString oauthClientSecret(const QString& clientId) {
    const QString fromEnvironment = qEnvironmentVariable("FAIRUSE_OAUTH_CLIENT_SECRET");
    if (!fromEnvironment.isEmpty()) {
        return fromEnvironment;
    }
    const auto stored =
        services::awaitResult(keychain()->read(QStringLiteral("oauth-client-secret/%1").arg(clientId)), kCallTimeoutMs);
    return stored ? *stored : QString();
}

struct ProviderOptions {
    QCommandLineOption email{QStringLiteral("email"), QString(), QStringLiteral("EMAIL")};
    QCommandLineOption passwordStdin{QStringLiteral("password-stdin")};
    QCommandLineOption provider{QStringLiteral("provider"), QString(), QStringLiteral("ID")};
    QCommandLineOption clientId{QStringLiteral("client-id"), QString(), QStringLiteral("ID")};
    QCommandLineOption authorizationUrl{QStringLiteral("authorization-url"), QString(), QStringLiteral("URL")};
    QCommandLineOption tokenUrl{QStringLiteral("token-url"), QString(), QStringLiteral("URL")};
};

/** Google or OIDC sign-in in the browser (OAuthLoopbackFlow), exchanged at Firebase Auth. */
Result<services::AuthTokens> signInWithProvider(services::FirebaseAuthClient& client, const QCommandLineParser& parser,
                                                const ProviderOptions& o, Io io) {
    const QString providerId = parser.value(o.provider).trimmed();
    const QString clientId = parser.isSet(o.clientId) ? parser.value(o.clientId).trimmed()
                                                      : qEnvironmentVariable("FAIRUSE_OAUTH_CLIENT_ID").trimmed();
    services::OAuthLoopbackConfig config = services::OAuthLoopbackConfig::google(clientId, oauthClientSecret(clientId));
    config.providerId = providerId;
    if (parser.isSet(o.authorizationUrl)) {
        config.authorizationUrl = QUrl(parser.value(o.authorizationUrl));
    }
    if (parser.isSet(o.tokenUrl)) {
        config.tokenUrl = QUrl(parser.value(o.tokenUrl));
    }
    services::OAuthLoopbackFlow flow(config);
    QString redirectUri;
    QObject::connect(&flow, &services::OAuthLoopbackFlow::openBrowser, &flow,
                     [&io, &flow, &redirectUri](const QUrl& url) {
                         redirectUri = flow.redirectUri().toString();
                         io.err << "Open this address in a browser to sign in (waiting up to 5 minutes):\n  "
                                << url.toString(QUrl::FullyEncoded) << "\n";
                         io.err.flush();
                     });
    const auto waitMs =
        std::chrono::duration_cast<std::chrono::milliseconds>(config.browserTimeout + config.tokenTimeout).count() +
        10000;
    const Result<services::IdpCredential> credential = services::awaitResult(flow.start(), static_cast<int>(waitMs));
    if (!credential) {
        return credential.error();
    }
    return services::awaitResult(client.signInWithIdp(*credential, redirectUri), kCallTimeoutMs);
}

} // namespace

int runLogin(const QStringList& args, Io io) {
    const QString command = QStringLiteral("login");
    ProviderOptions o;
    CommandLine cli({o.email, o.passwordStdin, o.provider, o.clientId, o.authorizationUrl, o.tokenUrl});
    if (const std::optional<int> exit = cli.parse(command, args, 0, commandHelp(kLoginHelp), io)) {
        return *exit;
    }
    if (!cli.parser.isSet(cli.project.firestore)) {
        return usageError(io, command, QStringLiteral("--firestore PROJECT is required"));
    }
    const bool password = cli.parser.isSet(o.email);
    const bool provider = cli.parser.isSet(o.provider);
    if (password == provider) {
        return usageError(io, command,
                          QStringLiteral("sign in with either --email EMAIL --password-stdin or --provider ID"));
    }
    if (password && !cli.parser.isSet(o.passwordStdin)) {
        return usageError(io, command,
                          QStringLiteral("--email needs --password-stdin: the password is read from standard input, "
                                         "never from an argument"));
    }
    if (!password && cli.parser.isSet(o.passwordStdin)) {
        return usageError(io, command, QStringLiteral("--password-stdin goes with --email"));
    }
    if (provider) {
        const QString id = cli.parser.value(o.provider).trimmed();
        if (id != QLatin1String("google.com") && !id.startsWith(QLatin1String("oidc."))) {
            return usageError(io, command,
                              QStringLiteral("--provider must be google.com or oidc.ID, not \"%1\"").arg(id));
        }
        if (id.startsWith(QLatin1String("oidc.")) &&
            (!cli.parser.isSet(o.authorizationUrl) || !cli.parser.isSet(o.tokenUrl))) {
            return usageError(io, command,
                              QStringLiteral("--provider %1 needs --authorization-url and --token-url").arg(id));
        }
    }
    CliSettings settings;
    const Result<Target> target = chooseTarget(cli, settings);
    if (!target) {
        return usageError(io, command, target.error().message);
    }
    if (target->apiKey.isEmpty()) {
        return usageError(io, command,
                          QStringLiteral("the Firebase Web API key of %1 is needed: --api-key KEY or "
                                         "FAIRUSE_FIREBASE_API_KEY")
                              .arg(target->authProject));
    }

    auto client = std::make_shared<services::FirebaseAuthClient>(target->auth);
    Result<services::AuthTokens> tokens = Error::internal(QStringLiteral("no sign-in"));
    if (password) {
        const QString email = cli.parser.value(o.email).trimmed();
        QString secret = readPassword(io, email);
        if (secret.isEmpty()) {
            return usageError(io, command, QStringLiteral("no password on standard input"));
        }
        tokens = services::awaitResult(client->signInWithPassword(email, secret), kCallTimeoutMs);
        secret.fill(QLatin1Char('\0'));
    } else {
        tokens = signInWithProvider(*client, cli.parser, o, io);
    }
    if (!tokens) {
        return fail(io, command,
                    QStringLiteral("sign-in to %1 refused: %2").arg(client->describe(), tokens.error().message));
    }
    if (tokens->claims.projectId != target->authProject) {
        return fail(
            io, command,
            QStringLiteral("sign-in refused: the token is for project \"%1\", not \"%2\" (check --auth-project)")
                .arg(tokens->claims.projectId, target->authProject));
    }
    // Checked before anything is stored: an account that may not act is not kept signed in.
    auto session = std::make_shared<services::AuthSession>(client, keychain(), *tokens);
    const Result<Reviewer> identity = session->identity();
    if (!identity) {
        return fail(io, command, QStringLiteral("sign-in refused: %1").arg(identity.error().message));
    }
    const Result<bool> stored = services::awaitResult(session->persist(), kCallTimeoutMs);
    if (!stored) {
        return fail(io, command,
                    QStringLiteral("signed in, but the sign-in could not be kept in the keychain: %1")
                        .arg(stored.error().message));
    }
    settings.rememberLogin(target->project, target->authProject, target->apiKey);
    io.out << "signed in to " << target->project << " as " << identity->email << " (" << toString(identity->role)
           << ", uid " << identity->uid << ")\n";
    return kExitOk;
}

int runWhoami(const QStringList& args, Io io) {
    const QString command = QStringLiteral("whoami");
    CommandLine cli;
    if (const std::optional<int> exit = cli.parse(command, args, 0, commandHelp(kWhoamiHelp), io)) {
        return *exit;
    }
    int exitCode = kExitFailed;
    const std::optional<Reviewing> reviewing = signedInReviewer(cli, io, command, exitCode);
    if (!reviewing) {
        return exitCode;
    }
    const services::IdTokenClaims& claims = reviewing->session->claims();
    if (cli.parser.isSet(cli.project.json)) {
        QJsonObject o = reviewerJson(reviewing->reviewer);
        o.insert(QStringLiteral("project"), reviewing->target.project);
        o.insert(QStringLiteral("auth_project"), reviewing->target.authProject);
        o.insert(QStringLiteral("email_verified"), claims.emailVerified);
        o.insert(QStringLiteral("sign_in_provider"), claims.signInProvider);
        o.insert(QStringLiteral("token_expires_at"), formatRfc3339(claims.expiresAt));
        printJson(io, o);
    } else {
        io.out << reviewing->reviewer.email << "\n"
               << "  uid       " << reviewing->reviewer.uid << "\n"
               << "  role      " << toString(reviewing->reviewer.role) << "\n"
               << "  provider  " << claims.signInProvider << "\n"
               << "  project   " << reviewing->target.project << " (" << reviewing->firestore->describe() << "), auth "
               << reviewing->auth->describe() << "\n";
    }
    return kExitOk;
}

int runLogout(const QStringList& args, Io io) {
    const QString command = QStringLiteral("logout");
    CommandLine cli;
    if (const std::optional<int> exit = cli.parse(command, args, 0, commandHelp(kLogoutHelp), io)) {
        return *exit;
    }
    CliSettings settings;
    const Result<Target> target = chooseTarget(cli, settings);
    if (!target) {
        if (target.error().kind == ErrorKind::NotFound) {
            io.out << "not signed in\n";
            return kExitOk;
        }
        return usageError(io, command, target.error().message);
    }
    const auto secrets = keychain();
    const QString key = services::AuthSession::secretKey(target->authProject);
    const Result<QString> held = services::awaitResult(secrets->read(key), kCallTimeoutMs);
    if (!held && held.error().kind != ErrorKind::NotFound) {
        return fail(io, command, QStringLiteral("the keychain could not be read: %1").arg(held.error().message));
    }
    const Result<bool> removed = services::awaitResult(secrets->remove(key), kCallTimeoutMs);
    if (!removed) {
        return fail(
            io, command,
            QStringLiteral("the sign-in could not be removed from the keychain: %1").arg(removed.error().message));
    }
    settings.forgetLastProject(target->project);
    io.out << (held ? "signed out of " : "was not signed in to ") << target->project << "\n";
    return kExitOk;
}

} // namespace fairuse::cli
