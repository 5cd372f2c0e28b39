#pragma once
// Users with one open case each, written into Firestore with server credentials as the backend writes them: what a
// bulk resolve works through, in the batch tests and the bulk resolve benchmark.

#include "common/Await.h"
#include "firestore/FirestoreCaseStore.h"
#include "firestore/FirestoreClient.h"
#include "firestore/FirestoreValue.h"

namespace fairuse::testing {

/** states[i]'s open case is events[i]. */
struct OpenCases {
    QList<FairUseState> states;
    QList<FairUseEvent> events;
};

/** The case the backend opens when it moves `s` from `previous` to its stage at `createdAt`, on a daily cap: its
 *  reference is s.lastCaseRef. */
inline FairUseEvent openCaseOf(const FairUseState& s, const QString& eventId, Stage previous, TimePoint createdAt) {
    FairUseEvent e;
    e.uid = s.uid;
    e.id = eventId;
    e.caseRef = s.lastCaseRef;
    e.createdAt = createdAt;
    e.trigger = CapWindow::Daily;
    e.windowSpeech = SpeechTotals{7'500'000, 8'000'000, 9'000'000};
    e.previousStage = previous;
    e.newStage = s.stage;
    e.enforcementAction = toString(s.stage);
    return e;
}

/** Writes `cases` with `owner` (server credentials) in commits of up to 500 writes, and sets every state's and case's
 *  version from the update time of its write. */
inline Status writeOpenCases(services::FirestoreClient& owner, OpenCases& cases, int timeoutMs) {
    QList<services::FirestoreWrite> writes;
    for (qsizetype i = 0; i < cases.states.size(); ++i) {
        const FairUseState& s = cases.states.at(i);
        const FairUseEvent& e = cases.events.at(i);
        writes.append(
            services::FirestoreWrite::set(services::FirestoreCaseStore::statePath(s.uid), services::encodeState(s)));
        writes.append(services::FirestoreWrite::set(services::FirestoreCaseStore::eventPath(e.uid, e.id),
                                                    services::encodeEvent(e)));
    }
    auto r = services::awaitResult(owner.commitInBatches(writes), timeoutMs);
    if (!r) {
        return r.error();
    }
    if (r->updateTimes.size() != writes.size()) {
        return Error::internal(
            QStringLiteral("%1 update times for %2 writes").arg(r->updateTimes.size()).arg(writes.size()));
    }
    for (qsizetype i = 0; i < cases.states.size(); ++i) {
        cases.states[i].version = r->updateTimes.at(2 * i);
        cases.events[i].version = r->updateTimes.at(2 * i + 1);
    }
    return {};
}

} // namespace fairuse::testing
