#include "embedded/EmbeddedUsageStore.h"

#include "embedded/EmbeddedSql.h"

namespace fairuse::services {

using namespace embedded;

namespace {

constexpr std::int64_t kMsPerMinute = 60'000;
constexpr std::int64_t kMaxRecordMs = 24LL * 3'600'000;

std::int64_t ceilMinute(TimePoint t) {
    const std::int64_t ms = toUnixMs(t);
    const std::int64_t q = ms / kMsPerMinute;
    return (ms % kMsPerMinute != 0 && ms > 0) ? q + 1 : q;
}

} // namespace

EmbeddedUsageStore::EmbeddedUsageStore(std::shared_ptr<EmbeddedDatabase> db)
    : m_db(std::move(db)) {}

Async<SpeechReading> EmbeddedUsageStore::readSpeech(const QString& uid, TimePoint now) {
    return m_db->run<SpeechReading>([uid, now](QSqlDatabase& db) { return sumSpeech(db, uid, now); });
}

Async<QList<MinuteSample>> EmbeddedUsageStore::readMinutes(const QString& uid, TimePoint from, TimePoint to) {
    return m_db->run<QList<MinuteSample>>([uid, from, to](QSqlDatabase& db) -> Result<QList<MinuteSample>> {
        // A bucket is in [from, to) when its start minute * 60 s is: minute >= ceil(from), minute < ceil(to).
        auto q = exec(
            db,
            QStringLiteral("SELECT minute, SUM(ms) FROM minute_buckets WHERE uid = ? AND source IN ") +
                QLatin1String(kEnforcedSourcesSql) +
                QStringLiteral(" AND minute >= ? AND minute < ? AND typeof(ms) = 'integer' AND ms >= 0"
                               " GROUP BY minute ORDER BY minute"),
            {uid, QVariant::fromValue<qlonglong>(ceilMinute(from)), QVariant::fromValue<qlonglong>(ceilMinute(to))});
        if (!q) {
            return q.error();
        }
        QList<MinuteSample> out;
        while (q->next()) {
            out.append(MinuteSample{q->value(0).toLongLong(), q->value(1).toLongLong()});
        }
        return out;
    });
}

Async<bool> EmbeddedUsageStore::recordSpeech(const QString& uid, TimePoint at, std::int64_t speechMs,
                                             SpeechSource source) {
    return m_db->run<bool>([uid, at, speechMs, source](QSqlDatabase& db) -> Result<bool> {
        if (uid.isEmpty()) {
            return Error::invalid(QStringLiteral("recordSpeech: empty user id"));
        }
        if (speechMs < 0 || speechMs > kMaxRecordMs) {
            return Error::invalid(QStringLiteral("recordSpeech: %1 ms of speech is not plausible").arg(speechMs));
        }
        if (!db.transaction()) {
            return sqlError(db, QStringLiteral("recordSpeech"));
        }
        auto add = exec(db,
                        QStringLiteral("INSERT INTO minute_buckets (uid, source, minute, ms) VALUES (?,?,?,?)"
                                       " ON CONFLICT(uid, source, minute) DO UPDATE SET ms = ms + excluded.ms"),
                        {uid, toString(source), QVariant::fromValue<qlonglong>(unixMinute(at)),
                         QVariant::fromValue<qlonglong>(speechMs)});
        // The queue's speech snapshot of this user is stale now.
        auto stale =
            add ? exec(db, QStringLiteral("UPDATE fair_use_state SET speech_at = NULL WHERE uid = ?"), {uid}) : add;
        if (!stale) {
            db.rollback();
            return stale.error();
        }
        if (!db.commit()) {
            db.rollback();
            return sqlError(db, QStringLiteral("recordSpeech commit"));
        }
        return true;
    });
}

Async<std::int64_t> EmbeddedUsageStore::readSttBudgetUsedMs(const QString& uid, TimePoint day) {
    return m_db->run<std::int64_t>([uid, day](QSqlDatabase& db) -> Result<std::int64_t> {
        auto q = exec(db, QStringLiteral("SELECT ms FROM stt_budget WHERE uid = ? AND day = ?"), {uid, utcDayKey(day)});
        if (!q) {
            return q.error();
        }
        return q->next() ? static_cast<std::int64_t>(q->value(0).toLongLong()) : std::int64_t{0};
    });
}

Async<std::int64_t> EmbeddedUsageStore::addSttBudgetMs(const QString& uid, TimePoint at, std::int64_t ms) {
    return m_db->run<std::int64_t>([uid, at, ms](QSqlDatabase& db) -> Result<std::int64_t> {
        if (ms < 0 || ms > kMaxRecordMs) {
            return Error::invalid(QStringLiteral("addSttBudgetMs: %1 ms is not plausible").arg(ms));
        }
        const QString day = utcDayKey(at);
        auto add = exec(db,
                        QStringLiteral("INSERT INTO stt_budget (uid, day, ms) VALUES (?,?,?)"
                                       " ON CONFLICT(uid, day) DO UPDATE SET ms = ms + excluded.ms"),
                        {uid, day, QVariant::fromValue<qlonglong>(ms)});
        if (!add) {
            return add.error();
        }
        auto q = exec(db, QStringLiteral("SELECT ms FROM stt_budget WHERE uid = ? AND day = ?"), {uid, day});
        if (!q) {
            return q.error();
        }
        return q->next() ? static_cast<std::int64_t>(q->value(0).toLongLong()) : std::int64_t{0};
    });
}

Async<bool> EmbeddedUsageStore::invalidateStageCache(const QString& /*uid*/) {
    return m_db->run<bool>([](QSqlDatabase&) -> Result<bool> { return true; });
}

QString EmbeddedUsageStore::describe() const {
    return QStringLiteral("embedded store %1").arg(m_db->path());
}

} // namespace fairuse::services
