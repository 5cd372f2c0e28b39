// The audit log view's first screen on a long log: time from asking to having the first page and the chain head
// (CaseStore::listAuditPage + readAuditHead, as AuditPager issues them) and to having that page's verdicts
// (verifyNewestFirst, as AuditChainCheck runs it on a worker), on the Firestore emulator and on the embedded store,
// next to what the view did before: the whole collection read (listAudit) and verifyChain over all of it. Also a
// page deep in the log (the cursor costs the same there) and the documents Firestore read per page. The first query
// after seeding is timed on its own; the other rows are medians of warm runs (the first of each series shown as
// "first").
//
//   fairuse_bench_audit_log [--records N] [--quick]
//
// The emulator: FIRESTORE_EMULATOR_HOST when set, else the one tests/fixtures/firestore/emulator.sh starts (and
// stops at the end) on a free loopback port.

#include "audit/AuditChain.h"
#include "audit/PageVerification.h"
#include "common/Await.h"
#include "embedded/EmbeddedSql.h"
#include "embedded/EmbeddedStore.h"
#include "firestore/FirestoreCaseStore.h"
#include "firestore/FirestoreValue.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QLoggingCategory>
#include <QProcess>
#include <QRandomGenerator>
#include <QTemporaryDir>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <vector>

using namespace fairuse;
using namespace fairuse::services;

namespace {

constexpr int kDefaultRecords = 10'000;
constexpr int kQuickRecords = 2'000;
constexpr int kPage = 100;
constexpr int kRuns = 15;
constexpr int kAwaitMs = 600'000;

QList<AuditRecord> makeChain(int n) {
    const TimePoint start = parseRfc3339(QStringLiteral("2026-03-01T00:00:00Z")).value();
    QList<AuditRecord> out;
    out.reserve(n);
    for (int i = 0; i < n; ++i) {
        AuditRecord r;
        r.at = start + std::chrono::minutes{i};
        r.reviewer = QStringLiteral("reviewer%1@example.com").arg(i % 5);
        r.role = Role::SeniorReviewer;
        r.action = i % 3 == 0 ? AuditAction::Resolve : AuditAction::AddNote;
        r.uid = QStringLiteral("user-%1").arg(i % 400);
        r.caseRef = QStringLiteral("FU-%1").arg(i, 12, 16, QLatin1Char('0')).toUpper();
        r.reason = QStringLiteral("benchmark record %1 with a reason of ordinary length").arg(i + 1);
        r.clientVersion = QStringLiteral("bench");
        out.append(chain(out.isEmpty() ? nullptr : &out.constLast(), r));
    }
    return out;
}

struct Timing {
    double firstMs = 0;
    double medianMs = 0;
};

/** Runs `once` (which returns false on failure) runs + 1 times: the first apart, the median of the others. */
std::optional<Timing> measure(const std::function<bool()>& once, int runs = kRuns) {
    std::vector<double> ms;
    Timing t;
    for (int i = 0; i <= runs; ++i) {
        QElapsedTimer timer;
        timer.start();
        if (!once()) {
            return std::nullopt;
        }
        const double elapsed = static_cast<double>(timer.nsecsElapsed()) / 1e6;
        if (i == 0) {
            t.firstMs = elapsed;
        } else {
            ms.push_back(elapsed);
        }
    }
    std::sort(ms.begin(), ms.end());
    t.medianMs = ms.empty() ? t.firstMs : ms.at(ms.size() / 2);
    return t;
}

/** The first screen as the view gets it: head and first page in parallel, then the page verified. */
bool firstScreen(CaseStore& store, bool verify) {
    auto head = store.readAuditHead();
    auto page = store.listAuditPage(AuditFilter{}, QString(), kPage);
    const Result<AuditHead> h = awaitResult(head, kAwaitMs);
    const Result<AuditPage> p = awaitResult(page, kAwaitMs);
    if (!h || !p || p->records.size() != kPage) {
        std::fprintf(stderr, "first page failed: %s\n",
                     qPrintable(!h   ? h.error().message
                                : !p ? p.error().message
                                     : QStringLiteral("short page")));
        return false;
    }
    if (verify) {
        for (const RecordVerdict& v : verifyNewestFirst(p->records, linkFromHead(h->sequence, h->hash))) {
            if (v.state != RecordVerdict::State::Verified) {
                std::fprintf(stderr, "a record did not verify\n");
                return false;
            }
        }
    }
    return true;
}

/** What the view did before: every record read, the whole chain verified against the head. */
bool wholeLog(CaseStore& store, int records) {
    AuditFilter all;
    all.limit = 1'000'000;
    const Result<QList<AuditRecord>> r = awaitResult(store.listAudit(all), kAwaitMs);
    if (!r || r->size() != records) {
        std::fprintf(stderr, "whole log failed\n");
        return false;
    }
    return verifyChain(r.value()).ok;
}

/** Page `index` (0-based) reached by following cursors, then that page alone timed. */
std::optional<Timing> deepPage(CaseStore& store, int index) {
    QString cursor;
    for (int i = 0; i < index; ++i) {
        const Result<AuditPage> p = awaitResult(store.listAuditPage(AuditFilter{}, cursor, kPage), kAwaitMs);
        if (!p) {
            return std::nullopt;
        }
        cursor = p->nextCursor;
    }
    return measure([&store, cursor] {
        const Result<AuditPage> p = awaitResult(store.listAuditPage(AuditFilter{}, cursor, kPage), kAwaitMs);
        return p && !p->records.isEmpty();
    });
}

void row(const char* store, const char* what, const std::optional<Timing>& t) {
    if (!t) {
        std::printf("  %-10s %-52s failed\n", store, what);
        return;
    }
    std::printf("  %-10s %-52s %9.1f ms %9.1f ms\n", store, what, t->firstMs, t->medianMs);
}

/** Starts the fixture's emulator; returns host:port or an empty string. */
QString startEmulator(const QString& stateDir) {
    const QString script = QStringLiteral(FAIRUSE_SOURCE_DIR "/tests/fixtures/firestore/emulator.sh");
    QProcess p;
    p.start(QStringLiteral("bash"), {script, QStringLiteral("start"), stateDir});
    p.waitForFinished(300'000);
    QFile host(stateDir + QStringLiteral("/firestore.host"));
    return host.open(QIODevice::ReadOnly) ? QString::fromUtf8(host.readAll()).trimmed() : QString();
}

void stopEmulator(const QString& stateDir) {
    QProcess p;
    p.start(QStringLiteral("bash"), {QStringLiteral(FAIRUSE_SOURCE_DIR "/tests/fixtures/firestore/emulator.sh"),
                                     QStringLiteral("stop"), stateDir});
    p.waitForFinished(60'000);
}

void benchStore(const char* name, CaseStore& store, int records, const std::function<qint64()>& documentsRead) {
    // The very first query after seeding (the emulator's JVM has not run it yet), then warm runs only.
    row(name, "first page + head, first query after seeding",
        measure([&store] { return firstScreen(store, false); }, 0));
    for (int i = 0; i < kRuns; ++i) {
        (void)firstScreen(store, true);
    }
    row(name, "first page + head (100 records)", measure([&store] { return firstScreen(store, false); }));
    row(name, "first page + head, verified", measure([&store] { return firstScreen(store, true); }));
    row(name, "a page 90% down the log (cursor)", deepPage(store, (records / kPage) * 9 / 10));
    const qint64 before = documentsRead();
    (void)firstScreen(store, false);
    if (before >= 0) {
        std::printf("  %-10s %-52s %9lld documents\n", name, "read for the first page",
                    static_cast<long long>(documentsRead() - before));
    }
    row(name, "before: whole log read + verifyChain",
        measure([&store, records] { return wholeLog(store, records); }, 3));
}

} // namespace

int main(int argc, char** argv) {
    QCoreApplication app(argc, argv);
    QLoggingCategory::setFilterRules(QStringLiteral("fairuse.*.debug=false"));
    int records = kDefaultRecords;
    const QStringList args = app.arguments();
    for (int i = 1; i < args.size(); ++i) {
        if (args.at(i) == QLatin1String("--quick")) {
            records = kQuickRecords;
        } else if (args.at(i) == QLatin1String("--records") && i + 1 < args.size()) {
            records = std::max(args.at(++i).toInt(), kPage * 2);
        } else {
            std::fprintf(stderr, "usage: fairuse_bench_audit_log [--records N] [--quick]\n");
            return 2;
        }
    }
    const QList<AuditRecord> chain = makeChain(records);
    {
        QElapsedTimer t;
        t.start();
        for (int i = 0; i < 10; ++i) {
            (void)verifyNewestFirst(chain.mid(chain.size() - kPage), linkFromHead(0, {}));
        }
        std::printf("verifying one page of %d records on one core: %.2f ms\n\n", kPage,
                    static_cast<double>(t.nsecsElapsed()) / 1e7);
    }
    std::printf("audit log of %d records, pages of %d (first run of a series, then the median of %d more)\n", records,
                kPage, kRuns);
    std::printf("  %-10s %-52s %12s %12s\n", "store", "", "first", "median");
    int status = 0;

    // Embedded.
    {
        QTemporaryDir dir;
        EmbeddedStores stores = makeEmbeddedStores(dir.filePath(QStringLiteral("bench.sqlite")));
        if (!awaitResult(stores.database->ready(), kAwaitMs).ok()) {
            std::fprintf(stderr, "embedded store did not open\n");
            return 1;
        }
        const auto seeded = awaitResult(stores.database->run<bool>([&chain](QSqlDatabase& db) -> Result<bool> {
            embedded::Writer w(db);
            if (Status p = w.prepare(); !p) {
                return p.error();
            }
            db.transaction();
            for (const AuditRecord& a : chain) {
                if (Status s = w.insertAudit(a); !s) {
                    db.rollback();
                    return s.error();
                }
            }
            db.commit();
            return true;
        }),
                                        kAwaitMs);
        if (!seeded) {
            std::fprintf(stderr, "seeding the embedded store failed: %s\n", qPrintable(seeded.error().message));
            return 1;
        }
        benchStore("embedded", *stores.cases, records, [] { return qint64(-1); });
    }

    // Firestore emulator.
    QTemporaryDir state;
    QString host = qEnvironmentVariable("FIRESTORE_EMULATOR_HOST");
    const bool ownEmulator = host.isEmpty();
    if (ownEmulator) {
        host = startEmulator(state.path());
    }
    if (host.isEmpty()) {
        std::printf("  firestore  skipped: no emulator (set FIRESTORE_EMULATOR_HOST or install it)\n");
    } else {
        FirestoreConfig config;
        config.projectId = QStringLiteral("bench-audit-%1").arg(QRandomGenerator::global()->bounded(1u << 30));
        config.emulatorHost = host;
        auto client = std::make_shared<FirestoreClient>(config, StaticToken::emulatorOwner());
        FirestoreCaseStore store(client);
        QList<FirestoreWrite> writes;
        for (const AuditRecord& a : chain) {
            writes.append(FirestoreWrite::set(FirestoreCaseStore::auditPath(a.sequence), encodeAudit(a)));
        }
        writes.append(FirestoreCaseStore::headWrite(chain.constLast(), std::nullopt));
        QElapsedTimer seed;
        seed.start();
        const auto seeded = awaitResult(client->commitInBatches(writes), kAwaitMs);
        if (!seeded) {
            std::fprintf(stderr, "seeding the emulator failed: %s\n", qPrintable(seeded.error().message));
            status = 1;
        } else {
            std::printf("  %-10s seeded %d records in %.1f s\n", "firestore", records,
                        static_cast<double>(seed.elapsed()) / 1000.0);
            benchStore("firestore", store, records, [&store] { return store.auditReadStats().documents; });
        }
    }
    if (ownEmulator) {
        stopEmulator(state.path());
    }
    return status;
}
