// CaseStoreConformance on FirestoreCaseStore, each test on a fresh project of the Firestore emulator (the
// firestore_emulator fixture), with the emulator owner's credentials (server access: the security rules do not apply),
// seeded with the documents as the backend and the seeder write them.
#include "AppealConformance.h"
#include "CaseStoreConformance.h"
#include "CaseworkConformance.h"
#include "ClaimConformance.h"
#include "LabelConformance.h"
#include "ViewConformance.h"

#include "BackendFixtures.h"

#include "firestore/FirestoreAppeals.h"
#include "firestore/FirestoreCaseStore.h"
#include "firestore/FirestoreClient.h"
#include "firestore/FirestoreValue.h"

using namespace fairuse;
using namespace fairuse::conformance;

namespace {

QList<services::FirestoreWrite> populationWrites(const Population& p) {
    using services::FirestoreCaseStore;
    using services::FirestoreWrite;
    QList<FirestoreWrite> writes;
    for (const FairUseState& s : p.states) {
        writes.append(FirestoreWrite::set(FirestoreCaseStore::statePath(s.uid), services::encodeState(s)));
    }
    for (const FairUseEvent& e : p.events) {
        writes.append(FirestoreWrite::set(FirestoreCaseStore::eventPath(e.uid, e.id), services::encodeEvent(e)));
    }
    for (const auto& [uid, c] : p.conversations) {
        writes.append(FirestoreWrite::set(QStringLiteral("users/%1/conversations/%2").arg(uid, c.id),
                                          services::encodeConversation(c)));
    }
    int n = 0;
    for (const LlmSpendRecord& r : p.spend) {
        writes.append(FirestoreWrite::set(QStringLiteral("llm_spend/spend-%1").arg(++n), services::encodeSpend(r)));
    }
    for (const Reviewer& r : p.reviewers) {
        writes.append(FirestoreCaseStore::reviewerWrite(r.email, r.role));
    }
    for (const Appeal& a : p.appeals) {
        writes.append(FirestoreWrite::set(services::appealPath(a.uid, a.id), services::encodeAppeal(a)));
    }
    return writes;
}

} // namespace

int main(int argc, char** argv) {
    QCoreApplication app(argc, argv);
    const QString host = testing::backends::emulatorHost();
    const auto subject = [host]() -> Result<CaseStoreSubject> {
        if (host.isEmpty()) {
            return Error::unavailable(QStringLiteral("the firestore_emulator fixture did not start an emulator"));
        }
        services::FirestoreConfig config;
        config.projectId = testing::backends::freshProject(QStringLiteral("conform"));
        config.emulatorHost = host;
        config.initialBackoffMs = 20;
        config.maxBackoffMs = 100;
        auto client = std::make_shared<services::FirestoreClient>(config, services::StaticToken::emulatorOwner());
        auto store = std::make_shared<services::FirestoreCaseStore>(client);
        CaseStoreSubject s;
        s.store = store;
        s.seed = [client](const Population& p) -> Status {
            auto r = wait(client->commitInBatches(populationWrites(p)));
            return r ? Status{} : Status(r.error());
        };
        s.keep = client;
        return s;
    };
    CaseStoreConformance cases(subject);
    ClaimConformance claims(subject);
    AppealConformance appeals(subject);
    LabelConformance labels(subject);
    CaseworkConformance casework(subject);
    ViewConformance views(subject);
    int failed = QTest::qExec(&cases, argc, argv);
    failed += QTest::qExec(&claims, argc, argv);
    failed += QTest::qExec(&appeals, argc, argv);
    failed += QTest::qExec(&labels, argc, argv);
    failed += QTest::qExec(&casework, argc, argv);
    failed += QTest::qExec(&views, argc, argv);
    return failed;
}
