#pragma once

#include "common/Stores.h"

#include <QWidget>

class QComboBox;
class QDoubleSpinBox;
class QLineEdit;

namespace fairuse::ui {

/**
 * The queue's filters (stage, usage type, score range, open/resolved) and its search box. Every filter edit emits
 * filterChanged() once; the owner re-queries the store with filter(). Enter in the search box emits
 * searchRequested() with the text (a user id or a case reference).
 */
class FilterBar : public QWidget {
    Q_OBJECT
public:
    explicit FilterBar(QWidget* parent = nullptr);

    /** The filter the controls describe (search left empty: search jumps instead of filtering). */
    services::QueueFilter filter() const;
    /** Sets the controls without emitting filterChanged() for each one, then emits it once. */
    void setFilter(const services::QueueFilter& filter);

    QComboBox* stageBox() const { return m_stage; }
    QComboBox* typeBox() const { return m_type; }
    QDoubleSpinBox* minScoreBox() const { return m_minScore; }
    QDoubleSpinBox* maxScoreBox() const { return m_maxScore; }
    QComboBox* resolutionBox() const { return m_resolution; }
    QLineEdit* searchEdit() const { return m_search; }
    /** All / My cases / Unclaimed (QueueProxy::ClaimView); hidden until the queue has claims. */
    QComboBox* claimBox() const { return m_claims; }
    /** Active (snoozed hidden) / Escalated / Snoozed / All (QueueProxy::CaseworkView); hidden until the queue has
     *  casework. */
    QComboBox* caseworkBox() const { return m_casework; }

Q_SIGNALS:
    void filterChanged();
    void searchRequested(const QString& text);
    /** The claim view changed (0 all, 1 my cases, 2 unclaimed): the queue filters its loaded rows, no re-query. */
    void claimViewChanged(int view);
    /** The casework view changed (0 active, 1 escalated, 2 snoozed, 3 all): filters the loaded rows, no re-query. */
    void caseworkViewChanged(int view);

private:
    void emitChanged();

    QComboBox* m_stage;
    QComboBox* m_type;
    QDoubleSpinBox* m_minScore;
    QDoubleSpinBox* m_maxScore;
    QComboBox* m_resolution;
    QLineEdit* m_search;
    QComboBox* m_claims;
    QComboBox* m_casework;
    bool m_quiet = false;
};

} // namespace fairuse::ui
