#pragma once

#include "common/Stores.h"
#include "ledger/LlmSpendLedger.h"

#include <QObject>
#include <QPointer>

#include <memory>

namespace fairuse::services {

class OpenAiClassifier;

/**
 * Books the LLM spend of the console's own classifier runs (SPEC 2.4: every LLM call made on a user's behalf, our
 * own classifier included). The classifier reserves and settles each call in this object's ledger (purpose
 * "classifier"; our enforcement calls are never refused for the user's caps, see LlmSpendLedger::reserveUncapped).
 * Each settled call is written to the case store's spend records, where the spend report and the user view read
 * it, with the plan in force for the user at the call (from the subscription the store reads with the user's state;
 * the ledger's default when the state cannot be read).
 *
 * Make it a child of the classifier: the classifier then outlives it while it books, and the ledger outlives the
 * classifier's last settlement (children are destroyed after their parent's own destructor ran).
 */
class ClassifierSpendBooking : public QObject {
    Q_OBJECT
public:
    ClassifierSpendBooking(OpenAiClassifier* classifier, std::shared_ptr<CaseStore> cases, PriceTable prices,
                           QObject* parent = nullptr);
    ~ClassifierSpendBooking() override;

    ClassifierSpendBooking(const ClassifierSpendBooking&) = delete;
    ClassifierSpendBooking& operator=(const ClassifierSpendBooking&) = delete;

    LlmSpendLedger& ledger() { return m_ledger; }
    /** Records written to the store, and records the store refused. */
    int bookedCount() const { return m_booked; }
    int failedCount() const { return m_failed; }

Q_SIGNALS:
    /** A record was written to the case store. */
    void booked(const fairuse::LlmSpendRecord& record);
    /** The case store refused a record; the spend stays in the ledger only. */
    void bookingFailed(const fairuse::LlmSpendRecord& record, const QString& message);

private:
    void book(LlmSpendRecord record);
    void write(const LlmSpendRecord& record);

    QPointer<OpenAiClassifier> m_classifier;
    std::shared_ptr<CaseStore> m_cases;
    LlmSpendLedger m_ledger;
    int m_booked = 0;
    int m_failed = 0;
};

} // namespace fairuse::services
