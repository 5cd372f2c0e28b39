#pragma once

#include "Backend.h"
#include "common/Stores.h"

#include <QWidget>

class QSortFilterProxyModel;
class QTableView;

namespace fairuse::models {
class CaseClaims;
class QueueCasework;
class QueueModel;
} // namespace fairuse::models

namespace fairuse::ui {

class FilterBar;
class QueueProxy;

/**
 * The queue pane: the filter bar above a sortable table of flagged users. QueueModel sorts and filters itself (typed
 * keys, no QVariant comparisons); the proxy between model and table passes everything through and forwards a
 * header click's sort() to the model. Filter edits filter the loaded rows at once and re-query the store. Moving
 * the current row emits currentUserChanged(); Enter or a double click emits userActivated(). search() jumps to a
 * user id, or opens the user of a case reference. Multi-selection (Shift/Ctrl) feeds bulk resolve through
 * selectedRows(). Column widths are computed from the font so that the columns fit the queue pane of a 1500 px
 * window without horizontal scrolling; headers are short, their tooltips give the long names.
 */
class QueueView : public QWidget {
    Q_OBJECT
public:
    QueueView(models::Backend& backend, QWidget* parent = nullptr);

    models::QueueModel* model() const { return m_model; }
    /** What the table shows, in the order it shows it (export this). A pass-through: sorting and filtering happen
     *  in model(). */
    QSortFilterProxyModel* proxy() const;
    QTableView* table() const { return m_table; }
    FilterBar* filterBar() const { return m_filterBar; }

    /** The user id of the current row, empty when there is none. */
    QString currentUid() const;
    /** The selected rows in display order. */
    QList<services::QueueRow> selectedRows() const;
    /** Claims (casework/Claims.h) mark the rows someone reviews and enable the claim view ("My cases",
     *  "Unclaimed") and nextUnclaimed(). Without (the default), the claim box is hidden. */
    void setClaims(models::CaseClaims* claims);
    /** 0: every row, 1: my cases, 2: unclaimed (QueueProxy::ClaimView). */
    void setClaimView(int view);
    /** Casework (casework/Casework.h) hides snoozed users by default, offers the Escalated view and marks escalated
     *  and returned rows (QueueProxy). Without (the default), the casework box is hidden. */
    void setCasework(models::QueueCasework* casework);
    /** 0: not snoozed, 1: escalated, 2: snoozed, 3: all (QueueProxy::CaseworkView). */
    void setCaseworkView(int view);
    /** Opens the unclaimed row with the oldest open case; false, with a message, when there is none. */
    bool nextUnclaimed();
    /** Makes the row of `uid` current and visible; false when the user is not loaded. */
    bool selectUid(const QString& uid);

public Q_SLOTS:
    /** Moves to the next (+1) or previous (-1) row. */
    void step(int delta);
    /** Jumps to a user id or opens the user of a case reference ("FU-" + 12 hex digits). */
    void search(const QString& text);
    void focusSearch();
    void refresh();

Q_SIGNALS:
    void currentUserChanged(const QString& uid);
    void userActivated(const QString& uid);
    /** A short message for the status bar (search results, errors). */
    void message(const QString& text);

private:
    void fitColumns();
    /** The user column takes the width the others leave, at least a readable id's. */
    void fitUserColumn();
    bool eventFilter(QObject* watched, QEvent* event) override;
    void openFound(const QString& uid, const QString& what);

    models::Backend& m_backend;
    models::QueueModel* m_model;
    QueueProxy* m_proxy;
    models::CaseClaims* m_claims = nullptr;
    models::QueueCasework* m_casework = nullptr;
    FilterBar* m_filterBar;
    QTableView* m_table;
};

/** True when `text` looks like a case reference ("FU-" + 12 hex digits, or the 12 hex digits alone). */
bool looksLikeCaseRef(const QString& text);

} // namespace fairuse::ui
