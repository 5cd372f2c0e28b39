#pragma once
// Shared by the tests that compose the console from the emulator profile against the CTest fixtures (redis, the
// Firestore and Auth emulators): the time the console is pinned to, waiting for a call, a profile pointed at the
// fixtures, and starting the composer.

#include "AuthEmulator.h"
#include "BackendFixtures.h"
#include "Composition.h"
#include "common/Await.h"
#include "embedded/DemoPopulation.h"
#include "firestore/FirestoreClient.h"
#include "redis/RedisClient.h"
#include "seed/BackendSeeder.h"

#include <QSet>
#include <QSignalSpy>
#include <QTest>

#include <algorithm>
#include <optional>

namespace fairuse::testing::emulatorconsole {

namespace backends = fairuse::testing::backends;

inline constexpr int kTimeoutMs = 120000;

/** The time the composed console is pinned to. */
inline TimePoint reference() {
    return parseRfc3339(QStringLiteral("2026-03-20T10:15:00Z")).value();
}

/** Waits for a call of the console or the emulators, which can be slow on a loaded machine. */
template <typename T>
Result<T> get(const services::Async<T>& f) {
    return services::awaitResult(f, kTimeoutMs);
}

/** Points `profile` at the fixtures: redis database `redisDb` on `redisPort`, `project` of the Firestore emulator at
 *  `firestoreHost`, and the Auth emulator `auth`. */
inline void pointAtFixtures(models::ConnectionProfile& profile, quint16 redisPort, int redisDb, const QString& project,
                            const QString& firestoreHost, const AuthEmulator& auth) {
    profile.redisUrl = QStringLiteral("redis://127.0.0.1:%1/%2").arg(redisPort).arg(redisDb);
    profile.firestoreProject = project;
    profile.firestoreEmulatorHost = firestoreHost;
    profile.authProject = kAuthProject;
    profile.authEmulatorHost = auth.host();
    profile.firebaseApiKey = kAuthApiKey;
}

/** Starts `composer` and waits until it is ready: empty, or why it failed. */
inline QString startAndWait(fairuse::console::Composer& composer) {
    QSignalSpy ready(&composer, &fairuse::console::Composer::ready);
    QSignalSpy failed(&composer, &fairuse::console::Composer::failed);
    composer.start();
    if (!QTest::qWaitFor([&] { return !ready.isEmpty() || !failed.isEmpty(); }, kTimeoutMs)) {
        return QStringLiteral("the console was neither ready nor failed in time");
    }
    return failed.isEmpty() ? QString() : failed.first().at(0).toString();
}

/** An appeal against the latest case of the last flagged user of `pop` (a population too small for the generator's
 *  own appeals of throttled and restricted users). */
inline std::optional<fairuse::Appeal> appealAgainstLastFlagged(const fairuse::services::DemoPopulation& pop) {
    for (auto s = pop.states.crbegin(); s != pop.states.crend(); ++s) {
        for (const fairuse::FairUseEvent& e : pop.events) {
            if (s->stage != fairuse::Stage::None && e.uid == s->uid && e.caseRef == s->lastCaseRef) {
                fairuse::Appeal a;
                a.id = QStringLiteral("appeal-emulator-1");
                a.uid = e.uid;
                a.createdAt = e.createdAt + std::chrono::minutes(20);
                a.message = QStringLiteral("These are recordings of my own lectures; please look again.");
                a.channel = QStringLiteral("in_app");
                a.caseRef = e.caseRef;
                return a;
            }
        }
    }
    return std::nullopt;
}

/** Claims, take-overs and releases: the records a console writes by opening a case, not by deciding. */
/** The users of `pop` the queue shows: every one above stage none. */
inline QSet<QString> flaggedUsers(const fairuse::services::DemoPopulation& pop) {
    QSet<QString> out;
    for (const fairuse::FairUseState& s : pop.states) {
        if (s.stage != fairuse::Stage::None) {
            out.insert(s.uid);
        }
    }
    return out;
}

/** The Firestore emulator's `project` at `host`. */
inline services::FirestoreConfig firestoreConfig(const QString& project, const QString& host) {
    services::FirestoreConfig c;
    c.projectId = project;
    c.emulatorHost = host;
    return c;
}

/** Writes `pop` into redis database `redisDb` (flushed first) and the Firestore emulator as the backend lays it out
 *  (services' BackendSeeder); an error when nothing was written. */
inline Status seedBackends(const services::DemoPopulation& pop, quint16 redisPort, int redisDb,
                           const services::FirestoreConfig& firestoreConfig) {
    services::RedisConfig rc;
    rc.port = redisPort;
    rc.db = redisDb;
    rc.autoReconnect = false;
    services::RedisClient redis(rc);
    if (const auto flushed = get(redis.command({"FLUSHDB"})); !flushed) {
        return flushed.error();
    }
    auto firestore =
        std::make_shared<services::FirestoreClient>(firestoreConfig, services::StaticToken::emulatorOwner());
    services::BackendSeeder seeder(&redis, firestore);
    const Result<services::BackendSeedReport> seeded = get(seeder.seed(pop, services::BackendSeedOptions{}));
    if (!seeded) {
        return seeded.error();
    }
    if (seeded->redisKeys == 0 || seeded->firestoreDocuments == 0) {
        return Error::internal(QStringLiteral("the seeder wrote nothing"));
    }
    return {};
}

inline bool isClaimRecord(const fairuse::AuditRecord& r) {
    return r.action == fairuse::AuditAction::Claim || r.action == fairuse::AuditAction::ReleaseClaim ||
           r.action == fairuse::AuditAction::TakeOverClaim;
}

/** True when `records` were read and hold a claim record by `email`. */
inline bool hasClaimBy(const fairuse::Result<QList<fairuse::AuditRecord>>& records, const QString& email) {
    return records.ok() && std::any_of(records->begin(), records->end(), [&](const fairuse::AuditRecord& r) {
               return r.action == fairuse::AuditAction::Claim && r.reviewer == email;
           });
}

/** The records of `records` that are not claim records. */
inline qsizetype decisionRecords(const QList<fairuse::AuditRecord>& records) {
    return std::count_if(records.begin(), records.end(),
                         [](const fairuse::AuditRecord& r) { return !isClaimRecord(r); });
}

} // namespace fairuse::testing::emulatorconsole
