#pragma once

#include "common/Stores.h"
#include "embedded/EmbeddedDatabase.h"

#include <memory>

namespace fairuse::services {

/**
 * UsageStore over the embedded SQLite file: per-source minute buckets (the backend's v2 layout, SPEC 4.1) and the
 * daily STT budget. Totals follow the backend's window rule and count only the enforced sources (realtime,
 * sync_fresh). There is no stage cache to invalidate.
 */
class EmbeddedUsageStore final : public UsageStore {
public:
    explicit EmbeddedUsageStore(std::shared_ptr<EmbeddedDatabase> db);

    Async<SpeechReading> readSpeech(const QString& uid, TimePoint now) override;
    /** Enforced sources summed per minute, for charts against the caps. */
    Async<QList<MinuteSample>> readMinutes(const QString& uid, TimePoint from, TimePoint to) override;
    /** Adds speech (0 .. 24 h per call; negative or larger values are ErrorKind::Invalid). */
    Async<bool> recordSpeech(const QString& uid, TimePoint at, std::int64_t speechMs, SpeechSource source) override;
    Async<std::int64_t> readSttBudgetUsedMs(const QString& uid, TimePoint day) override;
    /** Adds audio forwarded to STT on the UTC day of `at` (the backend's INCRBY on fair_use:dg_budget). */
    Async<std::int64_t> addSttBudgetMs(const QString& uid, TimePoint at, std::int64_t ms);
    /** No cache in the embedded store: always true. */
    Async<bool> invalidateStageCache(const QString& uid) override;
    QString describe() const override;

private:
    std::shared_ptr<EmbeddedDatabase> m_db;
};

} // namespace fairuse::services
