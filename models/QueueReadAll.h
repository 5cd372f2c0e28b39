#pragma once

#include "common/Stores.h"

#include <QString>

#include <deque>
#include <functional>
#include <vector>

namespace fairuse::models {

class QueueDetailsReader;
class QueueSpeechReader;

/**
 * Reads the speech and details of every row shown, not only painted ones (before an export), by feeding users to
 * the lazy readers a few at a time: enough to keep the reads busy, few enough that rows painted meanwhile (queued
 * behind these and read newest first) are not pushed out of the readers' bounded queues.
 */
class QueueReadAll {
public:
    /** Finds a loaded row by user id, or null. */
    using RowLookup = std::function<const services::QueueRow*(const QString& uid)>;

    QueueReadAll(QueueSpeechReader& speech, QueueDetailsReader& details, RowLookup rowOf);

    /** Replaces the users still to read with `rows` (in order) that need speech or details, and starts. */
    void start(const std::vector<const services::QueueRow*>& rows);
    void cancel() { m_pending.clear(); }
    /** Moves users into the readers' queues while they have room; call when a read settles. */
    void topUp();

private:
    QueueSpeechReader& m_speech;
    QueueDetailsReader& m_details;
    RowLookup m_rowOf;
    std::deque<QString> m_pending; ///< users not queued yet
};

} // namespace fairuse::models
