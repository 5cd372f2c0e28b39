// The store conformance suites on the embedded SQLite store: CaseStoreConformance on EmbeddedCaseStore and
// UsageStoreConformance on EmbeddedUsageStore, each test on a new file, seeded through the demo seeder's writer.
#include "AppealConformance.h"
#include "CaseStoreConformance.h"
#include "CaseworkConformance.h"
#include "ClaimConformance.h"
#include "LabelConformance.h"
#include "UsageStoreConformance.h"
#include "ViewConformance.h"

#include "embedded/EmbeddedAppeals.h"
#include "embedded/EmbeddedSql.h"
#include "embedded/EmbeddedStore.h"

#include <QTemporaryDir>

using namespace fairuse;
using namespace fairuse::conformance;

namespace {

struct EmbeddedKeep {
    QTemporaryDir dir;
    services::EmbeddedStores stores;
};

Result<std::shared_ptr<EmbeddedKeep>> openEmbedded() {
    auto keep = std::make_shared<EmbeddedKeep>();
    if (!keep->dir.isValid()) {
        return Error::internal(QStringLiteral("no temporary folder"));
    }
    keep->stores = services::makeEmbeddedStores(keep->dir.filePath(QStringLiteral("conformance.sqlite")));
    auto ready = services::awaitResult(keep->stores.database->ready(), 60000);
    if (!ready) {
        return ready.error();
    }
    return keep;
}

Status seedEmbedded(const std::shared_ptr<services::EmbeddedDatabase>& db, const Population& p) {
    auto r = services::awaitResult(db->run<bool>([p](QSqlDatabase& sql) -> Result<bool> {
        services::embedded::Writer w(sql);
        if (Status s = w.prepare(); !s) {
            return s.error();
        }
        sql.transaction();
        const auto written = [&]() -> Status {
            for (const FairUseState& s : p.states) {
                if (Status st = w.upsertState(s, 1); !st) {
                    return st;
                }
            }
            for (const FairUseEvent& e : p.events) {
                if (Status st = w.upsertEvent(e, 1); !st) {
                    return st;
                }
            }
            for (const auto& [uid, c] : p.conversations) {
                if (Status st = w.insertConversation(uid, c); !st) {
                    return st;
                }
            }
            for (const LlmSpendRecord& r : p.spend) {
                if (Status st = w.insertSpend(r); !st) {
                    return st;
                }
            }
            for (const Reviewer& r : p.reviewers) {
                if (Status st = w.upsertReviewer(r); !st) {
                    return st;
                }
            }
            for (const Appeal& a : p.appeals) {
                if (Status st = services::embedded::insertAppeal(sql, a); !st) {
                    return st;
                }
            }
            return {};
        }();
        if (!written) {
            sql.rollback();
            return written.error();
        }
        sql.commit();
        return true;
    }),
                                   120000);
    return r ? Status{} : Status(r.error());
}

/** A new embedded case store for one test, seeded through the demo seeder's writer. */
Result<CaseStoreSubject> embeddedCaseStore() {
    auto keep = openEmbedded();
    if (!keep) {
        return keep.error();
    }
    CaseStoreSubject s;
    s.store = (*keep)->stores.cases;
    s.seed = [db = (*keep)->stores.database](const Population& p) { return seedEmbedded(db, p); };
    s.keep = *keep;
    return s;
}

} // namespace

int main(int argc, char** argv) {
    QCoreApplication app(argc, argv);
    CaseStoreConformance cases(embeddedCaseStore);
    ClaimConformance claims(embeddedCaseStore);
    AppealConformance appeals(embeddedCaseStore);
    LabelConformance labels(embeddedCaseStore);
    CaseworkConformance casework(embeddedCaseStore);
    ViewConformance views(embeddedCaseStore);
    UsageStoreConformance usage([]() -> Result<UsageStoreSubject> {
        auto keep = openEmbedded();
        if (!keep) {
            return keep.error();
        }
        UsageStoreSubject s;
        s.store = (*keep)->stores.usage;
        s.addSttBudget = [usage = (*keep)->stores.usage](const QString& uid, TimePoint day, std::int64_t ms) {
            auto r = wait(usage->addSttBudgetMs(uid, day, ms));
            return r ? Status{} : Status(r.error());
        };
        s.keep = *keep;
        return s;
    });
    int failed = QTest::qExec(&cases, argc, argv);
    failed += QTest::qExec(&claims, argc, argv);
    failed += QTest::qExec(&appeals, argc, argv);
    failed += QTest::qExec(&labels, argc, argv);
    failed += QTest::qExec(&casework, argc, argv);
    failed += QTest::qExec(&views, argc, argv);
    failed += QTest::qExec(&usage, argc, argv);
    return failed;
}
