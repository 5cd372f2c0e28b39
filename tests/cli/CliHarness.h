#pragma once
// The harness of ReviewerCommandsTest: the built `fairuse` run through QProcess with the emulators, the test's
// keychain service and settings folder in its environment; accounts of the Auth emulator; users and cases seeded with
// the Firestore emulator's owner access (which bypasses the security rules, as the backend's server credentials do).

#include "AuthEmulator.h"
#include "EmulatorSupport.h"

#include "firestore/FirestoreCaseStore.h"
#include "firestore/FirestoreCasework.h"
#include "firestore/FirestoreValue.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRandomGenerator>

namespace fairuse::testing::cli {

using services::encodeEvent;
using services::encodeState;
using services::FirestoreCaseStore;
using services::FirestoreWrite;

struct Run {
    int exitCode = -1;
    QByteArray out;
    QString err;

    QList<QJsonObject> lines() const {
        QList<QJsonObject> objects;
        for (const QByteArray& line : out.split('\n')) {
            if (!line.trimmed().isEmpty()) {
                objects.append(QJsonDocument::fromJson(line).object());
            }
        }
        return objects;
    }
    QJsonObject json() const { return lines().value(0); }
    QString describe() const {
        return QStringLiteral("exit %1\nstdout: %2\nstderr: %3").arg(exitCode).arg(QString::fromUtf8(out), err);
    }
};

struct Account {
    QString email;
    QString password;
    QString uid;
    QString role;
};

struct SeededCase {
    QString uid;
    QString eventId;
    QString caseRef;
};

inline constexpr int kProcessTimeoutMs = 240000;

inline QString randomCaseRef() {
    return QStringLiteral("FU-%1")
        .arg(static_cast<qulonglong>(QRandomGenerator::global()->generate64() & 0xFFFFFFFFFFFFull), 12, 16,
             QLatin1Char('0'))
        .toUpper();
}

/** A user as the backend leaves one at `stage`. */
inline FairUseState stateAt(const QString& uid, Stage stage) {
    return backendStateAt(uid, stage, at("2026-11-20T10:00:00Z"), at("2026-12-27T10:00:00Z"),
                          at("2027-01-19T10:00:00Z"));
}

inline FairUseEvent caseAt(const QString& caseRef, Stage stage, TimePoint createdAt) {
    FairUseEvent e;
    e.createdAt = createdAt;
    e.caseRef = caseRef;
    e.previousStage = stage;
    e.newStage = stage;
    e.enforcementAction = toString(stage);
    e.adminNotes = QStringLiteral("[backend] flagged overnight");
    ClassifierResult c;
    c.misuseScore = 0.9;
    c.usageType = UsageType::Audiobook;
    c.model = QStringLiteral("gpt-4.1-mini");
    c.promptVersion = QStringLiteral("purpose-v3");
    c.reasoning = QStringLiteral("Secret Garden read aloud, chapter after chapter");
    e.classifier = c;
    return e;
}

/** The case reference as a reviewer might paste it: lower case, without FU-, with spaces around. */
inline QString pasted(const QString& caseRef, int variant) {
    switch (variant % 4) {
    case 0:
        return QStringLiteral("  %1  ").arg(caseRef.mid(3).toLower());
    case 1:
        return caseRef.toLower();
    case 2:
        return QStringLiteral("\t%1").arg(caseRef.mid(3));
    default:
        return caseRef;
    }
}

/** A password account of the Auth emulator with a verified (or not) e-mail and the role claim `role` (empty: none);
 *  its password is added to `passwords` (so the runner can tell if one leaks). uid empty on failure. */
inline Account makeAccount(const AuthEmulator& auth, const QString& name, const QString& role, bool verified,
                           QStringList* passwords) {
    Account a;
    a.email = AuthEmulator::uniqueEmail(name);
    a.password =
        QStringLiteral("pw-%1-%2").arg(name).arg(QRandomGenerator::global()->generate(), 8, 16, QLatin1Char('0'));
    a.role = role;
    passwords->append(a.password);
    const auto uid = auth.createPasswordUser(a.email, a.password);
    if (!uid) {
        qWarning("createPasswordUser: %s", qPrintable(uid.error().message));
        return a;
    }
    a.uid = *uid;
    const Status updated = auth.updateUser(
        a.uid, verified, role.isEmpty() ? std::optional<QJsonObject>() : QJsonObject{{QStringLiteral("role"), role}});
    if (!updated) {
        qWarning("updateUser: %s", qPrintable(updated.error().message));
        a.uid.clear();
    }
    return a;
}

/** Runs the CLI with the emulators, this test's keychain service and settings, and nothing of the caller's API keys,
 *  service accounts or passwords; records any password that shows up in the arguments or the output. */
struct CliRunner {
    QString exe;
    QString firestoreHost;
    QString authHost;
    QString configDir;
    QString keychainService;
    QStringList passwords;
    QStringList leaks;

    /** Points the runner at FAIRUSE_EXE, the settings folder `config`, a keychain service of this process named
     *  after `keychainPrefix` and the fixtures' emulators; false when FAIRUSE_EXE is not set. */
    bool prepare(const QString& config, const QString& keychainPrefix) {
        exe = qEnvironmentVariable("FAIRUSE_EXE");
        configDir = config;
        keychainService = QStringLiteral("%1-%2").arg(keychainPrefix).arg(QCoreApplication::applicationPid());
        firestoreHost = backends::emulatorHost();
        authHost = backends::authEmulatorHost();
        return !exe.isEmpty();
    }

    QProcessEnvironment environment() const {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        for (const char* name : {"FAIRUSE_FIREBASE_API_KEY", "GOOGLE_APPLICATION_CREDENTIALS", "FAIRUSE_REDIS_PASSWORD",
                                 "FAIRUSE_OAUTH_CLIENT_ID", "FAIRUSE_OAUTH_CLIENT_SECRET"}) {
            env.remove(QString::fromLatin1(name));
        }
        env.insert(QStringLiteral("FIRESTORE_EMULATOR_HOST"), firestoreHost);
        env.insert(QStringLiteral("FIREBASE_AUTH_EMULATOR_HOST"), authHost);
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), configDir);
        env.insert(QStringLiteral("FAIRUSE_KEYCHAIN_SERVICE"), keychainService);
        return env;
    }

    Run run(const QStringList& args, const QByteArray& input = {}) {
        for (const QString& password : std::as_const(passwords)) {
            if (args.join(QLatin1Char(' ')).contains(password)) {
                leaks.append(QStringLiteral("a password in the arguments of %1").arg(args.value(0)));
            }
        }
        QProcess p;
        p.setProcessEnvironment(environment());
        p.start(exe, args);
        Run r;
        if (!p.waitForStarted()) {
            r.err = QStringLiteral("could not start %1").arg(exe);
            return r;
        }
        p.write(input);
        p.closeWriteChannel();
        if (!p.waitForFinished(kProcessTimeoutMs)) {
            p.kill();
            p.waitForFinished();
            r.err = QStringLiteral("timed out");
            return r;
        }
        r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
        r.out = p.readAllStandardOutput();
        r.err = QString::fromUtf8(p.readAllStandardError());
        for (const QString& password : std::as_const(passwords)) {
            if (r.out.contains(password.toUtf8()) || r.err.contains(password)) {
                leaks.append(QStringLiteral("a password in the output of %1").arg(args.join(QLatin1Char(' '))));
            }
        }
        return r;
    }
};

/** Users and cases written with the owner's access to one project of the Firestore emulator. */
class Seeder {
public:
    explicit Seeder(std::shared_ptr<services::FirestoreClient> owner)
        : m_owner(std::move(owner))
        , m_store(m_owner) {}

    Status seedUser(const QString& uid, Stage stage, const QList<SeededCase>& cases) {
        QList<FirestoreWrite> writes{
            FirestoreWrite::set(FirestoreCaseStore::statePath(uid), encodeState(stateAt(uid, stage)))};
        int minute = 0;
        for (const SeededCase& c : cases) {
            writes.append(FirestoreWrite::set(
                FirestoreCaseStore::eventPath(uid, c.eventId),
                encodeEvent(caseAt(c.caseRef, stage, at("2026-11-20T09:00:00Z") + std::chrono::minutes{minute++}))));
        }
        const auto committed = fairuse::testing::wait(m_owner->commit(writes));
        if (!committed) {
            return committed.error();
        }
        return {};
    }

    /** Escalates (or, with `snooze`, snoozes until the next cap hit) the user's case behind the rules' back. */
    Status seedCasework(const SeededCase& c, bool snooze) {
        Casework w;
        w.uid = c.uid;
        w.caseRef = c.caseRef;
        if (snooze) {
            w.snoozedAt = at("2026-11-20T10:00:00Z");
            w.snoozeUntilCapHit = true;
            w.snoozedBy = QStringLiteral("someone-else@example.com");
        } else {
            w.escalatedAt = at("2026-11-20T10:00:00Z");
            w.escalatedBy = QStringLiteral("someone-else@example.com");
            w.escalationNote = QStringLiteral("please look");
        }
        const auto committed = fairuse::testing::wait(
            m_owner->commit({FirestoreWrite::set(services::caseworkPath(c.uid), services::encodeCasework(w))}));
        return committed ? Status{} : Status(committed.error());
    }
    /** True while the user has a casework document (an escalation or a snooze). */
    bool hasCasework(const QString& uid) {
        const auto doc = fairuse::testing::wait(m_owner->batchGet({services::caseworkPath(uid)}));
        return doc && !doc->isEmpty() && doc->at(0).has_value();
    }

    SeededCase seedCase(const QString& uid, Stage stage, bool resolvedByOther = false) {
        SeededCase c{uid, QStringLiteral("e1"), randomCaseRef()};
        if (!resolvedByOther) {
            if (const Status s = seedUser(uid, stage, {c}); !s) {
                qWarning("seeding %s: %s", qPrintable(uid), qPrintable(s.error().message));
            }
            return c;
        }
        FairUseEvent e = caseAt(c.caseRef, stage, at("2026-11-20T09:00:00Z"));
        e.resolved = true;
        e.resolvedAt = at("2026-11-20T12:00:00Z");
        e.resolvedBy = QStringLiteral("someone-else@example.com");
        e.outcome = Outcome::Confirmed;
        const auto committed = fairuse::testing::wait(
            m_owner->commit({FirestoreWrite::set(FirestoreCaseStore::statePath(uid), encodeState(stateAt(uid, stage))),
                             FirestoreWrite::set(FirestoreCaseStore::eventPath(uid, c.eventId), encodeEvent(e))}));
        if (!committed) {
            qWarning("seeding %s: %s", qPrintable(uid), qPrintable(committed.error().message));
        }
        return c;
    }

    Result<FairUseEvent> caseNow(const SeededCase& c) {
        return fairuse::testing::wait(m_store.findByCaseRef(c.caseRef));
    }

    Result<FairUseState> stateNow(const QString& uid) { return fairuse::testing::wait(m_store.getState(uid)); }
    /** The user's stage now, as its wire name (or the error). */
    QString stageOf(const QString& uid) {
        const auto s = stateNow(uid);
        return s ? toString(s->stage) : s.error().message;
    }

private:
    std::shared_ptr<services::FirestoreClient> m_owner;
    services::FirestoreCaseStore m_store;
};

} // namespace fairuse::testing::cli
