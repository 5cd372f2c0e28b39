#include "llm/ClassifierSpendBooking.h"

#include "common/Subscription.h"
#include "llm/OpenAiClassifier.h"
#include "logging/Logging.h"

#include <QFutureWatcher>
#include <QLoggingCategory>

namespace fairuse::services {

namespace {

/** Runs `handler` with the future's result on `owner`'s thread, unless `owner` is gone by then. */
template <typename T, typename F>
void onFinished(QObject* owner, const QFuture<T>& future, F handler) {
    auto* watcher = new QFutureWatcher<T>(owner);
    QObject::connect(watcher, &QFutureWatcher<T>::finished, owner, [watcher, handler = std::move(handler)] {
        handler(watcher->result());
        watcher->deleteLater();
    });
    watcher->setFuture(future);
}

} // namespace

ClassifierSpendBooking::ClassifierSpendBooking(OpenAiClassifier* classifier, std::shared_ptr<CaseStore> cases,
                                               PriceTable prices, QObject* parent)
    : QObject(parent)
    , m_classifier(classifier)
    , m_cases(std::move(cases))
    , m_ledger(std::move(prices)) {
    if (m_classifier) {
        m_classifier->setSpendLedger(&m_ledger);
        connect(m_classifier, &OpenAiClassifier::spendRecorded, this, &ClassifierSpendBooking::book);
    }
}

ClassifierSpendBooking::~ClassifierSpendBooking() {
    // A classifier that is being destroyed (as this object's parent) has already cleared the pointer.
    if (m_classifier) {
        m_classifier->setSpendLedger(nullptr);
    }
}

void ClassifierSpendBooking::book(LlmSpendRecord record) {
    if (!m_cases) {
        write(record);
        return;
    }
    onFinished(this, m_cases->getState(record.uid), [this, record](const Result<FairUseState>& state) {
        LlmSpendRecord withPlan = record;
        if (state) {
            withPlan.plan = effectivePlan(state->subscription, record.at);
        }
        write(withPlan);
    });
}

void ClassifierSpendBooking::write(const LlmSpendRecord& record) {
    if (!m_cases) {
        ++m_failed;
        Q_EMIT bookingFailed(record, tr("no case store is connected"));
        return;
    }
    onFinished(this, m_cases->recordSpend(record), [this, record](const Result<bool>& r) {
        if (!r) {
            ++m_failed;
            qCWarning(lcLlm) << "classifier spend of" << record.uid << "not booked:" << r.error().message;
            Q_EMIT bookingFailed(record, r.error().message);
            return;
        }
        ++m_booked;
        Q_EMIT booked(record);
    });
}

} // namespace fairuse::services
