// fairuse reviewers grant / revoke / list: the custom claim `role` of Firebase Auth accounts, set with admin
// credentials (never a reviewer's session) through Identity Toolkit accounts:update.
#include "ReviewerSession.h"

#include "common/Await.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>

namespace fairuse::cli {

namespace {

const char* const kHelp =
    "Usage: fairuse reviewers grant EMAIL ROLE [PROJECT OPTIONS]\n"
    "       fairuse reviewers revoke EMAIL [PROJECT OPTIONS]\n"
    "       fairuse reviewers list [--all] [--json] [PROJECT OPTIONS]\n"
    "\n"
    "An admin job: sets or removes the custom claim role (reviewer, senior_reviewer or admin) of a Firebase Auth\n"
    "account of the Auth project, which the console, the command line and the project's security rules read from\n"
    "the reviewer's ID token. The account's other custom claims are kept.\n"
    "\n"
    "A change reaches the person's ID token when they sign in again or when it is refreshed (at most an hour; the\n"
    "command line refreshes at every command). Revoking a role is the way to stop someone acting at once.\n"
    "\n"
    "Credentials: admin credentials, never a reviewer's sign-in. With FIREBASE_AUTH_EMULATOR_HOST set, the Auth\n"
    "emulator's owner token. Otherwise a Google service-account key (JSON) with the Firebase Authentication Admin\n"
    "role: the file named by GOOGLE_APPLICATION_CREDENTIALS, else the keychain entry "
    "service-account-key/AUTH_PROJECT.\n"
    "\n"
    "Options:\n"
    "  --all                   list: every account, not only those with a role\n"
    "  --json                  grant, revoke: one JSON object {email, uid, role, previous_role, email_verified};\n"
    "                          list: one JSON array of {email, uid, role, email_verified, disabled, providers}\n"
    "\n"
    "%1"
    "\n"
    "list reads every account of the Auth project (1000 per request): with many end users in the same project\n"
    "it takes a while.\n"
    "\n"
    "Exit status: 0 done; 1 no such account, refused, or another failure; 2 bad usage (including a role name).\n";

constexpr int kListPageSize = 1000;
const QString kRoleClaim = QStringLiteral("role");

/** The admin credential of the target's Auth project. */
Result<std::shared_ptr<services::TokenProvider>> adminCredential(const Target& target) {
    if (target.auth.isEmulator()) {
        return std::shared_ptr<services::TokenProvider>(services::StaticToken::emulatorOwner());
    }
    QByteArray key;
    const QString path = qEnvironmentVariable("GOOGLE_APPLICATION_CREDENTIALS");
    if (!path.isEmpty()) {
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly)) {
            return Error::invalid(QStringLiteral("GOOGLE_APPLICATION_CREDENTIALS names %1, which cannot be read: %2")
                                      .arg(path, file.errorString()));
        }
        key = file.readAll();
    } else {
        const QString entry = QStringLiteral("service-account-key/%1").arg(target.authProject);
        const Result<QString> stored = services::awaitResult(keychain()->read(entry), kCallTimeoutMs);
        if (!stored) {
            return Error::permission(
                QStringLiteral(
                    "no admin credential for %1: set GOOGLE_APPLICATION_CREDENTIALS to a service-account key "
                    "file, or store the key in the keychain as %2 (%3)")
                    .arg(target.authProject, entry, stored.error().message));
        }
        key = stored->toUtf8();
    }
    auto token = services::ServiceAccountToken::fromKeyJson(key);
    key.fill('\0');
    if (!token) {
        return Error::invalid(QStringLiteral("the service-account key is not usable: %1").arg(token.error().message));
    }
    return std::shared_ptr<services::TokenProvider>(*token);
}

QJsonObject userJson(const services::AuthUser& u) {
    return QJsonObject{
        {QStringLiteral("email"), u.email},
        {QStringLiteral("uid"), u.uid},
        {QStringLiteral("role"), u.role.isEmpty() ? QJsonValue() : QJsonValue(u.role)},
        {QStringLiteral("email_verified"), u.emailVerified},
        {QStringLiteral("disabled"), u.disabled},
        {QStringLiteral("providers"), QJsonArray::fromStringList(u.providers)},
    };
}

int list(services::FirebaseAuthClient& client, bool all, bool json, Io io) {
    QJsonArray array;
    QList<services::AuthUser> shown;
    QString pageToken;
    int read = 0;
    do {
        const Result<services::AuthUserPage> page =
            services::awaitResult(client.listUsers(pageToken, kListPageSize), kCallTimeoutMs);
        if (!page) {
            return fail(io, QStringLiteral("reviewers list"),
                        QStringLiteral("%1: %2").arg(client.describe(), page.error().message));
        }
        for (const services::AuthUser& u : page->users) {
            if (all || !u.role.isEmpty()) {
                shown.append(u);
            }
        }
        read += static_cast<int>(page->users.size());
        pageToken = page->nextPageToken;
    } while (!pageToken.isEmpty());
    if (json) {
        for (const auto& u : std::as_const(shown)) {
            array.append(userJson(u));
        }
        io.out << QString::fromUtf8(QJsonDocument(array).toJson(QJsonDocument::Compact)) << "\n";
        return kExitOk;
    }
    io.out << QStringLiteral("%1  %2  %3  %4\n")
                  .arg(QStringLiteral("EMAIL"), -40)
                  .arg(QStringLiteral("UID"), -30)
                  .arg(QStringLiteral("ROLE"), -16)
                  .arg(QStringLiteral("VERIFIED"));
    for (const auto& u : std::as_const(shown)) {
        io.out << QStringLiteral("%1  %2  %3  %4%5\n")
                      .arg(u.email.isEmpty() ? QStringLiteral("-") : u.email, -40)
                      .arg(u.uid, -30)
                      .arg(u.role.isEmpty() ? QStringLiteral("-") : u.role, -16)
                      .arg(u.emailVerified ? QStringLiteral("yes") : QStringLiteral("no"))
                      .arg(u.disabled ? QStringLiteral("  (disabled)") : QString());
    }
    io.err << shown.size() << " of " << read << " account(s) of " << client.describe() << "\n";
    return kExitOk;
}

} // namespace

int runReviewers(const QStringList& args, Io io) {
    QString command = QStringLiteral("reviewers");
    const QCommandLineOption allOption(QStringLiteral("all"));
    CommandLine cli({allOption});
    if (const std::optional<int> exit = cli.parse(command, args, 3, commandHelp(kHelp), io)) {
        return *exit;
    }
    const QStringList positional = cli.parser.positionalArguments();
    const QString sub = positional.value(0);
    const int wanted = sub == QLatin1String("grant") ? 3 : sub == QLatin1String("revoke") ? 2 : 1;
    if (sub != QLatin1String("grant") && sub != QLatin1String("revoke") && sub != QLatin1String("list")) {
        return usageError(io, command,
                          sub.isEmpty()
                              ? QStringLiteral("the subcommand is missing: grant, revoke or list")
                              : QStringLiteral("unknown subcommand \"%1\": grant, revoke or list").arg(sub.left(40)));
    }
    command += QLatin1Char(' ') + sub;
    if (positional.size() != wanted) {
        return usageError(io, command,
                          sub == QLatin1String("grant")    ? QStringLiteral("grant needs EMAIL and ROLE")
                          : sub == QLatin1String("revoke") ? QStringLiteral("revoke needs EMAIL")
                                                           : QStringLiteral("list takes no argument"));
    }
    if (cli.parser.isSet(allOption) && sub != QLatin1String("list")) {
        return usageError(io, command, QStringLiteral("--all is for list"));
    }
    QString role;
    if (sub == QLatin1String("grant")) {
        role = positional.at(2).trimmed();
        if (!roleFromString(role)) {
            return usageError(
                io, command,
                QStringLiteral("ROLE must be reviewer, senior_reviewer or admin, not \"%1\"").arg(role.left(40)));
        }
    }
    CliSettings settings;
    const Result<Target> target = chooseTarget(cli, settings);
    if (!target) {
        return target.error().kind == ErrorKind::Invalid
                   ? usageError(io, command, target.error().message)
                   : fail(io, command, QStringLiteral("no project: pass --firestore PROJECT"));
    }
    const auto admin = adminCredential(*target);
    if (!admin) {
        return fail(io, command, admin.error().message);
    }
    services::FirebaseAuthClient client(target->auth, *admin);
    const bool json = cli.parser.isSet(cli.project.json);
    if (sub == QLatin1String("list")) {
        return list(client, cli.parser.isSet(allOption), json, io);
    }

    const QString email = positional.at(1).trimmed();
    const Result<services::AuthUser> user = services::awaitResult(client.lookupByEmail(email), kCallTimeoutMs);
    if (!user) {
        return fail(io, command,
                    user.error().kind == ErrorKind::NotFound
                        ? QStringLiteral("%1 has no account in %2; they sign in once (or an admin creates the account) "
                                         "before a role can be granted")
                              .arg(email, client.describe())
                        : QStringLiteral("%1: %2").arg(client.describe(), user.error().message));
    }
    QJsonObject claims = user->customClaims;
    if (role.isEmpty()) {
        claims.remove(kRoleClaim);
    } else {
        claims.insert(kRoleClaim, role);
    }
    const Result<bool> set = services::awaitResult(client.setCustomClaims(user->uid, claims), kCallTimeoutMs);
    if (!set) {
        return fail(io, command, QStringLiteral("%1: %2").arg(client.describe(), set.error().message));
    }
    if (json) {
        printJson(io,
                  QJsonObject{
                      {QStringLiteral("email"), user->email},
                      {QStringLiteral("uid"), user->uid},
                      {QStringLiteral("role"), role.isEmpty() ? QJsonValue() : QJsonValue(role)},
                      {QStringLiteral("previous_role"), user->role.isEmpty() ? QJsonValue() : QJsonValue(user->role)},
                      {QStringLiteral("email_verified"), user->emailVerified},
                  });
    } else if (role.isEmpty()) {
        io.out << "revoked the role of " << user->email << " (uid " << user->uid << ", was "
               << (user->role.isEmpty() ? QStringLiteral("none") : user->role) << ")\n";
    } else {
        io.out << "granted " << role << " to " << user->email << " (uid " << user->uid << ", was "
               << (user->role.isEmpty() ? QStringLiteral("none") : user->role) << ")\n";
    }
    io.err << "The change reaches " << user->email
           << "'s ID token when they sign in again or the token is refreshed (at most an hour).\n";
    if (!user->emailVerified && !role.isEmpty()) {
        io.err << "Note: " << user->email << " has not verified the e-mail address; they cannot act until they do.\n";
    }
    return kExitOk;
}

} // namespace fairuse::cli
