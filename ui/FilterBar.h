#pragma once

#include "casework/SavedViews.h"
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
 *
 * The saved-views box (first on the top row) lists the team's shared views and the reviewer's own; choosing one sets
 * every control to its filter at once and emits savedViewChosen(). Changing a control by hand afterwards returns the
 * box to "No saved view", so it never names a view the queue does not show.
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
    /** The saved views: "No saved view" first, then the views of setSavedViews(). */
    QComboBox* viewBox() const { return m_views; }

    /** Everything the controls filter on, claims and casework views included, as a saved view stores it. */
    casework::ViewFilter viewFilter() const;
    /** Sets every control to `filter` and emits filterChanged() once (and the claim and casework views' signals when
     *  they change); the saved-views box goes back to "No saved view". */
    void applyViewFilter(const casework::ViewFilter& filter);
    /** Fills the saved-views box (views in the order given) and selects `currentId` when it is still listed. A view
     *  whose filter cannot be read is listed disabled, with the reason as its tool tip. */
    void setSavedViews(const QList<SavedView>& views, const QString& currentId);
    /** The id of the view the box shows, empty for "No saved view". */
    QString currentViewId() const;
    /** Shows `id` in the box and applies its filter (false when it is not listed or unreadable). */
    bool chooseView(const QString& id);

Q_SIGNALS:
    void filterChanged();
    void searchRequested(const QString& text);
    /** The claim view changed (0 all, 1 my cases, 2 unclaimed): the queue filters its loaded rows, no re-query. */
    void claimViewChanged(int view);
    /** The casework view changed (0 active, 1 escalated, 2 snoozed, 3 all): filters the loaded rows, no re-query. */
    void caseworkViewChanged(int view);
    /** The reviewer chose a saved view in the box (or chooseView() was called); its filter is applied. */
    void savedViewChosen(const QString& id);

private:
    void emitChanged();
    /** Back to "No saved view" when the controls no longer show the chosen view's filter. */
    void syncViewBox();

    QComboBox* m_stage;
    QComboBox* m_type;
    QDoubleSpinBox* m_minScore;
    QDoubleSpinBox* m_maxScore;
    QComboBox* m_resolution;
    QLineEdit* m_search;
    QComboBox* m_claims;
    QComboBox* m_casework;
    QComboBox* m_views;
    bool m_quiet = false;
};

} // namespace fairuse::ui
