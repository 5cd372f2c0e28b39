#include "QueueFilterMatch.h"

#include "audit/CaseRef.h"

namespace fairuse::models {

bool matchesQueueFilter(const services::QueueFilter& f, const services::QueueRow& row) {
    const FairUseState& st = row.state;
    if (f.stage ? st.stage != *f.stage : st.stage == Stage::None) {
        return false;
    }
    if (f.usageType && st.lastClassifierType != f.usageType) {
        return false;
    }
    if (f.minScore > 0.0 || f.maxScore < 1.0) {
        const double score = st.lastClassifierScore.value_or(0.0);
        if (score < f.minScore || score > f.maxScore) {
            return false;
        }
    }
    // Open cases not read yet (row.detailsKnown false): shown until the store's answer, which counts them.
    switch (f.resolution) {
    case services::QueueFilter::Resolution::Any:
        break;
    case services::QueueFilter::Resolution::OpenOnly:
        if (row.detailsKnown && row.openCases <= 0) {
            return false;
        }
        break;
    case services::QueueFilter::Resolution::ResolvedOnly:
        // "Has resolved cases" is not in the row; the store's answer settles it when its last page arrives.
        if (row.detailsKnown && row.openCases > 0) {
            return false;
        }
        break;
    }
    const QString search = f.search.trimmed();
    if (!search.isEmpty() && st.uid != search &&
        (st.lastCaseRef.isEmpty() || st.lastCaseRef != normaliseCaseRef(search))) {
        return false; // a case reference other than the last one: the store's answer brings the user back
    }
    return true;
}

} // namespace fairuse::models
