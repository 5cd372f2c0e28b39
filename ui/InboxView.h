#pragma once

#include "Backend.h"
#include "FutureWatch.h"

#include <QString>
#include <QWidget>

class QAbstractItemModel;
class QLabel;
class QTableView;

namespace fairuse::ui {

/**
 * What the inbox pages share (the appeals inbox, the LLM-spend cases): a title with a Refresh button, a table of one
 * read-only row per item (selected whole, user ids elided in the middle, as in the queue; the user column 150 px
 * wide, the last one stretched), the current row in full below it, and a status line. A refresh reads at most kLimit
 * items from the case store (the newest refresh wins over one still in flight) and selects the first row; Enter or a
 * double click on a row asks to open its user. A page gives its model, its read and its texts.
 */
class InboxView : public QWidget {
    Q_OBJECT
public:
    /** Items read per refresh; an inbox longer than this says so. */
    static constexpr int kLimit = 500;

    QTableView* table() const { return m_table; }
    QString statusText() const;
    /** The current row in full, as shown below the table. */
    QString detailText() const;

public Q_SLOTS:
    void refresh();

Q_SIGNALS:
    void refreshed();
    /** The reviewer opened the row of `uid` (Enter or double click). */
    void userRequested(const QString& uid);

protected:
    /** A page's names: accessible names (translated) and object names (for tests). */
    struct Names {
        QString page;
        QString title;
        QString table;
        QString tableObject;
        QString detail;
        QString detailObject;
        QString statusObject;
        QString items; ///< "open appeals": in the loading, failure and "more are waiting" lines
    };

    InboxView(models::Backend& backend, QWidget* parent);
    /** Lays the page out around `model`, the page's own; `uidRole` gives a row's user, and the columns
     *  [firstFitted, lastFitted) are fitted to their contents after each refresh. */
    void setUp(const Names& names, QAbstractItemModel* model, int userColumn, int uidRole, int firstFitted,
               int lastFitted);

    /** Starts the page's read; its handler is finish(). */
    virtual void read() = 0;
    virtual void clearRows() = 0;
    /** "%n open appeal(s)." */
    virtual QString countText(int n) const = 0;
    /** The line below the table when the inbox is empty. */
    virtual QString emptyText() const = 0;
    /** Row `row` in full. */
    virtual QString rowText(int row) const = 0;

    /** Waits for `future` (the read of this refresh); `apply` puts its rows into the model. */
    template <typename T, typename Apply>
    void finish(QFuture<Result<T>> future, Apply apply) {
        models::whenFinished(this, std::move(future),
                             [this, generation = m_generation, apply = std::move(apply)](const Result<T>& r) {
                                 if (generation != m_generation) {
                                     return;
                                 }
                                 if (r) {
                                     apply(*r);
                                 }
                                 done(r ? static_cast<int>(r->size()) : -1, r ? QString() : r.error().message);
                             });
    }

    models::Backend& m_backend;

private:
    /** After a read: `n` rows, or -1 and the error. */
    void done(int n, const QString& error);
    void showCurrent();

    quint64 m_generation = 0;
    QString m_items;
    int m_firstFitted = 0;
    int m_lastFitted = 0;
    QTableView* m_table;
    QLabel* m_detail;
    QLabel* m_status;
};

} // namespace fairuse::ui
