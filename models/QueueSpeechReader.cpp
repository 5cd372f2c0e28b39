#include "QueueSpeechReader.h"

#include "BulkResolver.h"
#include "FutureWatch.h"

namespace fairuse::models {

namespace {

/** Users whose speech is read at once by default. */
constexpr int kDefaultSpeechReadLimit = 8;

} // namespace

QueueSpeechReader::QueueSpeechReader(Backend& backend, QObject* parent)
    : CachingLazyReader(kDefaultSpeechReadLimit, parent)
    , m_backend(backend) {}

void QueueSpeechReader::read(const QString& uid, quint64 epoch) {
    whenFinished(this, m_backend.usage->readSpeech(uid, backendNow(m_backend)),
                 [this, uid, epoch](const Result<services::SpeechReading>& reading) {
                     // A failed user is shown empty; reset() tries again.
                     settle(uid, epoch, reading.ok(), [&] {
                         m_cache.insert(uid, reading->totals);
                         Q_EMIT speechRead(uid, reading->totals);
                     });
                 });
}

} // namespace fairuse::models
