#include "QueueBenchParts.h"
#include "QueueMeasure.h"

#include "Backend.h"
#include "common/Await.h"
#include "firestore/FirestoreAuth.h"
#include "firestore/FirestoreCaseStore.h"
#include "firestore/FirestoreClient.h"
#include "firestore/FirestoreValue.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QTemporaryDir>

namespace fairuse::bench {

namespace {

/** The test fixture's emulator script, under the source tree named by FAIRUSE_SOURCE_DIR (scripts/bench sets it). */
QString emulatorScript() {
    const QString root = qEnvironmentVariable("FAIRUSE_SOURCE_DIR");
    return root.isEmpty() ? QString() : root + QStringLiteral("/tests/fixtures/firestore/emulator.sh");
}

/** Writes `users` flagged users (state + one open event each) in commits of 500 writes. */
Status seedFirestore(services::FirestoreClient& client, int users, TimePoint now) {
    QList<services::FirestoreWrite> writes;
    writes.reserve(users * 2);
    const Stage stages[] = {Stage::Warning, Stage::Throttle, Stage::Restrict};
    const UsageType types[] = {UsageType::Audiobook, UsageType::Podcast,    UsageType::Prerecorded,
                               UsageType::TvMovie,   UsageType::Commercial, UsageType::Unknown};
    for (int i = 0; i < users; ++i) {
        FairUseState s;
        s.uid = QStringLiteral("bench-%1").arg(i, 6, 10, QLatin1Char('0'));
        s.stage = stages[i % 3];
        s.updatedAt = now - std::chrono::seconds(i * 7);
        s.lastViolationAt = s.updatedAt;
        s.violationCount7d = 1 + i % 4;
        s.violationCount30d = 1 + i % 9;
        s.lastClassifierScore = static_cast<double>((i * 37) % 100) / 100.0;
        s.lastClassifierType = types[i % 6];
        s.lastClassifierAt = s.updatedAt;
        FairUseEvent e;
        e.id = QStringLiteral("ev-%1").arg(i, 6, 10, QLatin1Char('0'));
        e.uid = s.uid;
        e.createdAt = *s.updatedAt;
        e.caseRef = QStringLiteral("FU-%1").arg(i, 12, 16, QLatin1Char('0')).toUpper();
        s.lastCaseRef = e.caseRef;
        e.trigger = CapWindow::Daily;
        e.windowSpeech = SpeechTotals{9'000'000, 20'000'000, 30'000'000};
        e.previousStage = Stage::None;
        e.newStage = s.stage;
        writes.append(services::FirestoreWrite::set(QStringLiteral("users/%1/fair_use_state/current").arg(s.uid),
                                                    services::encodeState(s)));
        writes.append(services::FirestoreWrite::set(QStringLiteral("users/%1/fair_use_events/%2").arg(s.uid, e.id),
                                                    services::encodeEvent(e)));
    }
    const auto done = services::awaitResult(client.commitInBatches(writes, 500), 150000);
    if (!done.ok()) {
        return done.error();
    }
    return {};
}

/** The requests behind a first page, alone, on the (now warm) emulator: where the time to first rows goes. */
void benchQueueRequests(QList<TableRow>& table, services::FirestoreClient& client) {
    services::FirestoreQuery q;
    q.collectionId = QStringLiteral("fair_use_state");
    q.allDescendants = true;
    q.filters = {{QStringLiteral("stage"), QStringLiteral("IN"),
                  services::FirestoreValue::array({services::FirestoreValue::string(toString(Stage::Warning)),
                                                   services::FirestoreValue::string(toString(Stage::Throttle)),
                                                   services::FirestoreValue::string(toString(Stage::Restrict))})}};
    q.orderBy = {{QStringLiteral("updated_at"), true}, {QStringLiteral("__name__"), true}};
    for (const int rows : {100, 10}) {
        q.limit = rows;
        QList<double> runs;
        QStringList uids;
        for (int run = 0; run < 5; ++run) {
            const Clock::time_point t0 = Clock::now();
            const auto page = services::awaitResult(client.runQuery(q), 60000);
            runs.append(page.ok() ? msSince(t0) : -1);
            if (page.ok() && uids.isEmpty()) {
                for (const services::FirestoreDocument& doc : *page) {
                    uids.append(doc.pathSegments().value(1));
                }
            }
        }
        table.append({QStringLiteral("firestore: page query alone, %1 rows, warm (ms, median of 5)").arg(rows),
                      fmt(median(runs)),
                      {}});
        if (rows == 100) {
            QStringList paths;
            for (const QString& uid : uids) {
                paths.append(QStringLiteral("fair_use_exemptions/%1").arg(uid));
            }
            QList<double> gets;
            for (int run = 0; run < 5; ++run) {
                const Clock::time_point t0 = Clock::now();
                gets.append(services::awaitResult(client.batchGet(paths), 60000).ok() ? msSince(t0) : -1);
            }
            table.append({QStringLiteral("firestore: exemptions batchGet of %1 (ms, median of 5)").arg(paths.size()),
                          fmt(median(gets)),
                          {}});
        }
    }
}

} // namespace

void benchFirestore(QList<TableRow>& table, int users, int loadTimeoutMs) {
    QString host = qEnvironmentVariable("FIRESTORE_EMULATOR_HOST");
    QTemporaryDir state;
    const QString script = emulatorScript();
    bool started = false;
    if (host.isEmpty()) {
        if (script.isEmpty() || !QFileInfo::exists(script)) {
            table.append({QStringLiteral("firestore emulator"),
                          QStringLiteral("skipped: set FIRESTORE_EMULATOR_HOST or FAIRUSE_SOURCE_DIR"),
                          {}});
            return;
        }
        const Clock::time_point t0 = Clock::now();
        // The script starts the emulator in its own process group and waits until it answers.
        QProcess::execute(QStringLiteral("bash"), {script, QStringLiteral("start"), state.path()});
        QFile hostFile(state.filePath(QStringLiteral("firestore.host")));
        if (!hostFile.open(QIODevice::ReadOnly)) {
            table.append({QStringLiteral("firestore emulator"), QStringLiteral("skipped: emulator not available"), {}});
            return;
        }
        host = QString::fromUtf8(hostFile.readAll()).trimmed();
        started = true;
        table.append({QStringLiteral("firestore: emulator start (ms)"), fmt(msSince(t0), 0), {}});
    }
    {
        services::FirestoreConfig config;
        config.projectId = QStringLiteral("bench-queue-%1").arg(QCoreApplication::applicationPid());
        config.emulatorHost = host;
        auto client = std::make_shared<services::FirestoreClient>(config, services::StaticToken::emulatorOwner());
        const TimePoint now = std::chrono::floor<std::chrono::seconds>(
            TimePoint(std::chrono::milliseconds(QDateTime::currentMSecsSinceEpoch())));
        Clock::time_point t0 = Clock::now();
        const Status seeded = seedFirestore(*client, users, now);
        if (!seeded.ok()) {
            table.append({QStringLiteral("firestore: seeding failed"), seeded.error().message, {}});
        } else {
            table.append({QStringLiteral("firestore: seed %1 users + 1 event each, 500 writes/commit (ms)").arg(users),
                          fmt(msSince(t0), 0),
                          {}});
            // The store without per-row enrichment, as the console runs it (one query + one exemptions batchGet per
            // page; the model reads open cases and last action for the rows in view): first right after seeding,
            // when the emulator's JVM has not run this query yet, then again on the warm emulator (as a server that
            // has been up for a while answers). Last, with enrichment (two more queries per row, per page).
            for (const int run : {0, 1, 2}) {
                const bool enrich = run == 2;
                models::Backend backend;
                services::FirestoreCaseStore::Options storeOptions;
                storeOptions.enrichQueueRows = enrich;
                // A client per run: a run cut off by its time limit must not leave requests queued ahead of the next.
                auto runClient =
                    std::make_shared<services::FirestoreClient>(config, services::StaticToken::emulatorOwner());
                backend.cases = std::make_shared<services::FirestoreCaseStore>(runClient, storeOptions);
                backend.now = [now] { return now; };
                backend.profileName = QStringLiteral("bench");
                const QString label = QStringLiteral("firestore %1 (%2)")
                                          .arg(users)
                                          .arg(enrich     ? QStringLiteral("rows enriched in the page")
                                               : run == 0 ? QStringLiteral("console, first query after seeding")
                                                          : QStringLiteral("console, emulator warm"));
                addQueueRows(table, label, measureQueue(backend, enrich ? loadTimeoutMs : loadTimeoutMs / 2));
            }
            benchQueueRequests(table, *client);
            table.append(
                {QStringLiteral("firestore: peak RSS so far (MiB)"), fmt(peakRssMiB(), 0), QStringLiteral("< 300")});
        }
    }
    if (started) {
        QProcess::execute(QStringLiteral("bash"), {script, QStringLiteral("stop"), state.path()});
    }
}

} // namespace fairuse::bench
