// EmbeddedCaseStore: the audit trail (filtered lists, keyset pages, the chain's head).
#include "embedded/EmbeddedCaseStore.h"

#include "common/AuditCursor.h"
#include "common/Promise.h"
#include "embedded/EmbeddedSql.h"

#include <algorithm>

namespace fairuse::services {

using namespace embedded;

namespace {

/** " WHERE ..." of an audit filter (its limit aside), with its binds appended to `binds`. */
QString auditWhere(const AuditFilter& filter, QVariantList& binds) {
    QString where = QStringLiteral(" WHERE 1");
    if (!filter.reviewer.isEmpty()) {
        where += QStringLiteral(" AND reviewer = ?");
        binds << filter.reviewer;
    }
    if (!filter.uid.isEmpty()) {
        where += QStringLiteral(" AND uid = ?");
        binds << filter.uid;
    }
    if (filter.action) {
        where += QStringLiteral(" AND action = ?");
        binds << toString(*filter.action);
    } else if (!filter.actions.isEmpty()) {
        QStringList marks;
        for (const AuditAction a : filter.actions) {
            marks << QStringLiteral("?");
            binds << toString(a);
        }
        where += QStringLiteral(" AND action IN (%1)").arg(marks.join(QLatin1Char(',')));
    }
    if (filter.from) {
        where += QStringLiteral(" AND at >= ?");
        binds << timeValue(*filter.from);
    }
    if (filter.to) {
        where += QStringLiteral(" AND at < ?");
        binds << timeValue(*filter.to);
    }
    return where;
}

} // namespace

Async<QList<AuditRecord>> EmbeddedCaseStore::listAudit(const AuditFilter& filter) {
    return m_db->run<QList<AuditRecord>>([filter](QSqlDatabase& db) -> Result<QList<AuditRecord>> {
        QVariantList binds;
        const QString where = auditWhere(filter, binds);
        QString sql = QStringLiteral("SELECT ") + auditColumns() + QStringLiteral(" FROM audit") + where +
                      QStringLiteral(" ORDER BY sequence DESC");
        if (filter.limit > 0) {
            sql += QStringLiteral(" LIMIT ?");
            binds << filter.limit;
        }
        auto q = exec(db, sql, binds);
        if (!q) {
            return q.error();
        }
        QList<AuditRecord> out;
        while (q->next()) {
            out.append(auditFromQuery(*q));
        }
        std::reverse(out.begin(), out.end());
        return out;
    });
}

Async<AuditPage> EmbeddedCaseStore::listAuditPage(const AuditFilter& filter, const QString& cursor, int limit) {
    std::optional<std::int64_t> after;
    if (!cursor.isEmpty()) {
        const Result<std::int64_t> decoded = decodeAuditCursor(cursor);
        if (!decoded) {
            return ready<AuditPage>(decoded.error());
        }
        after = decoded.value();
    }
    const int pageLimit = std::clamp(limit, 1, kMaxPage);
    return m_db->run<AuditPage>([filter, after, pageLimit](QSqlDatabase& db) -> Result<AuditPage> {
        QVariantList binds;
        QString where = auditWhere(filter, binds);
        if (after) {
            where += QStringLiteral(" AND sequence < ?");
            binds << QVariant::fromValue<qlonglong>(*after);
        }
        // One row more than the page tells whether an older record matches.
        binds << pageLimit + 1;
        auto q = exec(db,
                      QStringLiteral("SELECT ") + auditColumns() + QStringLiteral(" FROM audit") + where +
                          QStringLiteral(" ORDER BY sequence DESC LIMIT ?"),
                      binds);
        if (!q) {
            return q.error();
        }
        AuditPage page;
        bool olderExist = false;
        while (q->next()) {
            if (page.records.size() == pageLimit) {
                olderExist = true;
                break;
            }
            page.records.append(auditFromQuery(*q));
        }
        if (olderExist) {
            page.nextCursor = encodeAuditCursor(page.records.constLast().sequence);
        }
        return page;
    });
}

Async<AuditHead> EmbeddedCaseStore::readAuditHead() {
    return m_db->run<AuditHead>([](QSqlDatabase& db) -> Result<AuditHead> {
        auto q = exec(db, QStringLiteral("SELECT sequence, hash FROM audit ORDER BY sequence DESC LIMIT 1"));
        if (!q) {
            return q.error();
        }
        if (!q->next()) {
            return AuditHead{};
        }
        return AuditHead{static_cast<std::int64_t>(q->value(0).toLongLong()), q->value(1).toString()};
    });
}

} // namespace fairuse::services
