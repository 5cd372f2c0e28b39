#pragma once

#include "common/Stores.h"

namespace fairuse::services {

/**
 * The offline purpose classifier behind the ClassifierService interface: classifier::classifyHeuristically over
 * the conversations, no network, no key, no spend. Used by the embedded demo, by tests and when no LLM is
 * configured; the UI labels its results "heuristic" (isHeuristic() is true, and so is ClassifierResult::heuristic).
 *
 * The work is a few dozen string checks, so classify() answers at once with an already finished future; it never
 * fails. Per-user deduplication is moot: there is nothing in flight to share.
 */
class HeuristicClassifierService : public ClassifierService {
public:
    Async<ClassifierResult> classify(const QString& uid, const QList<Conversation>& conversations,
                                     TimePoint now) override;
    bool isHeuristic() const override { return true; }
    /** "heuristic (offline)". */
    QString describe() const override;
};

} // namespace fairuse::services
