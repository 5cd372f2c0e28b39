#pragma once

#include "common/Time.h"

#include <QSet>
#include <QString>
#include <QStringList>

#include <chrono>
#include <cstdint>
#include <optional>

namespace fairuse::services {

/**
 * Which users a keyspace notification named that the service should evaluate now rather than at the next pass
 * (issue 12): the users notified since the last batch, less those this instance knows were evaluated in the current
 * check interval (by its pass or an earlier batch; covered()). A batch is due every `batchPeriod` while notifications
 * arrive, and holds at most `maxBatch` users (the rest wait for the next one), so the loop stays responsive.
 *
 * This is only the instance's own knowledge, to spare Redis a round trip per notification; what keeps a user to one
 * evaluation per interval across instances is their evaluation marker (EvaluationMarkers.h), which
 * EnforcerPass::evaluateUsers claims. Pure: the caller passes the time.
 */
class PromptEvaluations {
public:
    struct Batch {
        QStringList uids; ///< sorted; may be empty when every user notified was covered already
        int notified = 0; ///< notifications since the last batch
        TimePoint epoch;  ///< the check interval's start
    };

    PromptEvaluations(std::chrono::seconds checkInterval, std::chrono::milliseconds batchPeriod, int maxBatch = 1000);

    /** A keyspace notification named `uid`. */
    void notified(const QString& uid);
    /** `uids` were evaluated (or found evaluated elsewhere) by an evaluation at `now`. */
    void covered(TimePoint now, const QSet<QString>& uids);
    /** The batch due at `now`, if any: users pending, or notifications to account for, and batchPeriod since the
     *  last batch. */
    std::optional<Batch> takeDue(TimePoint now);

    std::int64_t notifications() const { return m_notifications; }
    int pending() const { return static_cast<int>(m_pending.size()); }

private:
    void enterEpochOf(TimePoint now);

    std::chrono::seconds m_checkInterval;
    std::chrono::milliseconds m_batchPeriod;
    int m_maxBatch;
    TimePoint m_epoch{};
    std::optional<TimePoint> m_lastBatch;
    QSet<QString> m_pending;
    QSet<QString> m_covered; ///< in m_epoch
    std::int64_t m_notifications = 0;
    int m_notifiedSinceBatch = 0;
};

} // namespace fairuse::services
