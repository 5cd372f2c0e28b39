#include "firestore/FirestoreLabels.h"

#include "common/LabelCursor.h"
#include "common/Promise.h"
#include "firestore/FieldReader.h"
#include "firestore/FirestoreCaseStore.h"
#include "firestore/FirestoreCaseStoreParts.h"

#include <algorithm>

namespace fairuse::services {

namespace {

using V = FirestoreValue;

const QString kLabelsCollection = QStringLiteral("fair_use_labels");
const QString kLabelledAt = QStringLiteral("labelled_at");

} // namespace

QString labelPath(const QString& eventId) {
    return QStringLiteral("%1/%2").arg(kLabelsCollection, eventId);
}

FirestoreFields encodeLabel(const ClassifierLabel& l) {
    return {{QStringLiteral("case_ref"), V::string(l.caseRef)},
            {QStringLiteral("uid"), V::string(l.uid)},
            {QStringLiteral("event_id"), V::string(l.eventId)},
            {QStringLiteral("model"), V::string(l.model)},
            {QStringLiteral("prompt_version"), V::string(l.promptVersion)},
            {QStringLiteral("verdict"), V::string(toString(l.verdict))},
            {QStringLiteral("usage_type"), V::string(l.usageType)},
            {QStringLiteral("outcome"), V::string(l.outcome)},
            {QStringLiteral("reviewer"), V::string(l.reviewer)},
            {QStringLiteral("reviewer_uid"), V::string(l.reviewerUid)},
            {kLabelledAt, V::timestamp(l.labelledAt)}};
}

QList<FirestoreWrite> seededLabelWrites(const QList<ClassifierLabel>& labels) {
    QList<FirestoreWrite> writes;
    for (const ClassifierLabel& l : labels) {
        writes.append(FirestoreWrite::set(labelPath(l.eventId), encodeLabel(l)));
    }
    return writes;
}

Result<ClassifierLabel> decodeLabel(const FirestoreDocument& doc) {
    FieldReader r(doc.fields, doc.relativePath().isEmpty() ? QStringLiteral("label") : doc.relativePath());
    r.requireAll({"event_id", "labelled_at", "verdict"});
    ClassifierLabel l;
    l.eventId = r.string(QStringLiteral("event_id"));
    l.uid = r.string(QStringLiteral("uid"));
    l.caseRef = r.string(QStringLiteral("case_ref"));
    l.model = r.string(QStringLiteral("model"));
    l.promptVersion = r.string(QStringLiteral("prompt_version"));
    l.verdict = r.named<ClassifierVerdict>(QStringLiteral("verdict"), classifierVerdictFromString)
                    .value_or(ClassifierVerdict::NotAssessed);
    l.usageType = r.string(QStringLiteral("usage_type"));
    l.outcome = r.string(QStringLiteral("outcome"));
    l.reviewer = r.string(QStringLiteral("reviewer"));
    l.reviewerUid = r.string(QStringLiteral("reviewer_uid"));
    l.labelledAt = r.time(kLabelledAt).value_or(TimePoint{});
    if (r.error()) {
        return *r.error();
    }
    return l;
}

Async<LabelPage> FirestoreCaseStore::listLabels(std::optional<TimePoint> since, const QString& cursor, int limit) {
    const int pageLimit = std::clamp(limit, 1, 1000);
    FirestoreQuery q;
    q.collectionId = kLabelsCollection;
    if (since) {
        q.filters.append({kLabelledAt, QStringLiteral("GREATER_THAN_OR_EQUAL"), V::timestamp(*since)});
    }
    q.orderBy = {{kLabelledAt, false}, {casestore::kName, false}};
    if (!cursor.isEmpty()) {
        auto after = decodeLabelCursor(cursor);
        if (!after) {
            return ready<LabelPage>(after.error());
        }
        q.startAfter = {V::timestamp(after->first), V::reference(m_client->documentName(labelPath(after->second)))};
    }
    // One more than the page: whether it comes back says whether a later label exists.
    q.limit = pageLimit + 1;
    return m_client->runQuery(q).then(
        guarded(this, [pageLimit](const Result<QList<FirestoreDocument>>& r) -> Result<LabelPage> {
            if (!r) {
                return r.error();
            }
            LabelPage page;
            for (const FirestoreDocument& doc : *r) {
                if (page.labels.size() >= pageLimit) {
                    page.nextCursor = encodeLabelCursor(page.labels.last().labelledAt, page.labels.last().eventId);
                    break;
                }
                auto l = decodeLabel(doc);
                if (!l) {
                    return l.error();
                }
                page.labels.append(std::move(l.value()));
            }
            return page;
        }));
}

} // namespace fairuse::services
