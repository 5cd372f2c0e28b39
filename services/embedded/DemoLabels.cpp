#include "embedded/DemoLabels.h"

namespace fairuse::services::embedded {

std::optional<ClassifierLabel> demoLabel(const FairUseEvent& e, const QString& uid, TimePoint at, const QString& who,
                                         ClassifierVerdict verdict) {
    if (!e.classifier) {
        return std::nullopt;
    }
    ClassifierLabel l;
    l.eventId = e.id;
    l.uid = uid;
    l.caseRef = e.caseRef;
    l.model = e.classifier->model;
    l.promptVersion = e.classifier->promptVersion;
    l.verdict = verdict;
    l.usageType = toString(e.classifier->usageType);
    l.outcome = e.outcome ? toString(*e.outcome) : QString();
    l.reviewer = who;
    l.labelledAt = at;
    return l;
}

} // namespace fairuse::services::embedded
