#include "llm/HeuristicClassifierService.h"

#include "classifier/HeuristicClassifier.h"

#include <QCoreApplication>
#include <QFuture>

namespace fairuse::services {

Async<ClassifierResult> HeuristicClassifierService::classify(const QString& /*uid*/,
                                                             const QList<Conversation>& conversations, TimePoint now) {
    return ready(Result<ClassifierResult>(classifier::classifyHeuristically(conversations, now)));
}

QString HeuristicClassifierService::describe() const {
    return QCoreApplication::translate("HeuristicClassifierService", "heuristic (offline)");
}

} // namespace fairuse::services
