#include "embedded/EmbeddedLabels.h"

#include "common/LabelCursor.h"
#include "embedded/EmbeddedSql.h"

#include <QSqlQuery>

#include <algorithm>
#include <limits>

namespace fairuse::services::embedded {

namespace {

const QString kColumns = QStringLiteral("event_id, uid, case_ref, model, prompt_version, verdict, usage_type, outcome,"
                                        " reviewer, reviewer_uid, labelled_at");

ClassifierLabel labelFromQuery(const QSqlQuery& q) {
    ClassifierLabel l;
    l.eventId = q.value(0).toString();
    l.uid = q.value(1).toString();
    l.caseRef = q.value(2).toString();
    l.model = q.value(3).toString();
    l.promptVersion = q.value(4).toString();
    l.verdict = classifierVerdictFromString(q.value(5).toString()).value_or(ClassifierVerdict::NotAssessed);
    l.usageType = q.value(6).toString();
    l.outcome = q.value(7).toString();
    l.reviewer = q.value(8).toString();
    l.reviewerUid = q.value(9).toString();
    l.labelledAt = timeOr(q.value(10));
    return l;
}

} // namespace

Status writeLabel(QSqlDatabase& db, const ClassifierLabel& l, std::int64_t auditSequence) {
    auto q = exec(db,
                  QStringLiteral("INSERT OR REPLACE INTO labels (") + kColumns +
                      QStringLiteral(", audit_sequence) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)"),
                  {l.eventId, l.uid, l.caseRef, l.model, l.promptVersion, toString(l.verdict), l.usageType, l.outcome,
                   l.reviewer, l.reviewerUid, timeValue(l.labelledAt), QVariant::fromValue<qlonglong>(auditSequence)});
    return q ? Status{} : Status(q.error());
}

Result<LabelPage> readLabels(QSqlDatabase& db, std::optional<TimePoint> since, const QString& cursor, int limit) {
    const int pageLimit = std::clamp(limit, 1, 1000);
    QString where = QStringLiteral(" WHERE labelled_at >= ?");
    QVariantList binds{since ? timeValue(*since)
                             : QVariant::fromValue<qlonglong>(std::numeric_limits<qlonglong>::min())};
    if (!cursor.isEmpty()) {
        auto after = decodeLabelCursor(cursor);
        if (!after) {
            return after.error();
        }
        where += QStringLiteral(" AND (labelled_at > ? OR (labelled_at = ? AND event_id > ?))");
        binds << timeValue(after->first) << timeValue(after->first) << after->second;
    }
    binds << pageLimit + 1;
    auto q = exec(db,
                  QStringLiteral("SELECT ") + kColumns + QStringLiteral(" FROM labels") + where +
                      QStringLiteral(" ORDER BY labelled_at, event_id LIMIT ?"),
                  binds);
    if (!q) {
        return q.error();
    }
    LabelPage page;
    bool more = false;
    while (q->next()) {
        if (page.labels.size() >= pageLimit) {
            more = true;
            break;
        }
        page.labels.append(labelFromQuery(*q));
    }
    if (more) {
        page.nextCursor = encodeLabelCursor(page.labels.last().labelledAt, page.labels.last().eventId);
    }
    return page;
}

} // namespace fairuse::services::embedded
