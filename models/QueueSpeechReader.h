#pragma once

#include "Backend.h"
#include "LazyReader.h"
#include "common/Stores.h"

namespace fairuse::models {

/**
 * Reads the speech totals of queue rows the store delivered without them (Firestore), from the UsageStore, one
 * UsageStore::readSpeech per user, queued and cached as LazyReader says (at most 8 at once by default).
 */
class QueueSpeechReader : public CachingLazyReader<SpeechTotals> {
    Q_OBJECT
public:
    explicit QueueSpeechReader(Backend& backend, QObject* parent = nullptr);

Q_SIGNALS:
    /** `uid`'s totals were read (and cached). */
    void speechRead(const QString& uid, const fairuse::SpeechTotals& totals);

protected:
    bool canRead() const override { return m_backend.usage != nullptr; }
    bool delivered(const services::QueueRow& row) const override { return row.speech.has_value(); }
    void read(const QString& uid, quint64 epoch) override;

private:
    Backend& m_backend;
};

} // namespace fairuse::models
