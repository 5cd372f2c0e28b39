#pragma once

#include "Backend.h"
#include "RowListModel.h"
#include "casework/ManualReview.h"
#include "enforcement/Policy.h"

#include <QSet>

#include <optional>

namespace fairuse::models {

/** One restricted user waiting for manual review. */
struct InboxEntry {
    FairUseState state;
    TimePoint waitingSince{};          ///< when the restriction began (casework::restrictedSince)
    casework::SlaStatus sla;           ///< against Policy::manualReviewSla at the time of the load
    std::optional<TimePoint> cycleEnd; ///< the billing cycle's end, where the subscription gives it
    bool appealed = false;             ///< the user has an open appeal
};

/**
 * The manual-review inbox (casework/ManualReview.h): restricted users whose restriction nobody has reviewed since it
 * began, oldest first. A load reads the open appeals once, the restricted users page by page (the queue filtered to
 * restrict) and the manual-review records since the oldest restriction began (one audit query), then decides with
 * the core which users still wait. Checked with QAbstractItemModelTester.
 */
class ManualReviewInbox : public RowListModel<InboxEntry> {
    Q_OBJECT
public:
    enum Column {
        UserColumn,
        WaitingColumn,
        SlaColumn,
        RestrictedUntilColumn,
        CycleEndColumn,
        AppealColumn,
        ColumnCount
    };
    enum Role { UidRole = Qt::UserRole + 1, LateRole };

    ManualReviewInbox(Backend& backend, enforcement::Policy policy, QObject* parent = nullptr);

    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    const enforcement::Policy& policy() const { return m_policy; }
    void setPolicy(const enforcement::Policy& policy) { m_policy = policy; }
    /** Reads the inbox again; loaded() or failed() follows. A load in flight is superseded. */
    void refresh();
    bool isLoading() const { return m_loading; }
    /** Row of `uid`, or -1. */
    int rowOfUid(const QString& uid) const;
    /** Users whose review is late (past the SLA). */
    int lateCount() const;

Q_SIGNALS:
    void loaded(int rows);
    void failed(const QString& message);

private:
    void readRestricted(quint64 generation, QString cursor, QList<FairUseState> states, QSet<QString> appealing);
    void finish(quint64 generation, const QList<FairUseState>& states, const QSet<QString>& appealing);
    void fail(quint64 generation, const QString& message);

    Backend& m_backend;
    enforcement::Policy m_policy;
    quint64 m_generation = 0;
    bool m_loading = false;
};

} // namespace fairuse::models
