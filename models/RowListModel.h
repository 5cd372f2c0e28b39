#pragma once

#include <QAbstractTableModel>
#include <QList>

namespace fairuse::models {

/**
 * Base of the detail-side table models: a list of plain values shown one per row. Rows arrive in batches, each
 * inserted with one beginInsertRows/endInsertRows; display strings are computed by the subclass in data().
 */
template <typename T>
class RowListModel : public QAbstractTableModel {
public:
    using QAbstractTableModel::QAbstractTableModel;

    int rowCount(const QModelIndex& parent = {}) const override {
        return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
    }

    /** Replaces all rows (one model reset). */
    void setRows(QList<T> rows) {
        beginResetModel();
        m_rows = std::move(rows);
        endResetModel();
    }

    /** Appends one batch with a single insert notification. */
    void appendRows(const QList<T>& batch) {
        if (batch.isEmpty()) {
            return;
        }
        const int first = static_cast<int>(m_rows.size());
        beginInsertRows({}, first, first + static_cast<int>(batch.size()) - 1);
        m_rows.append(batch);
        endInsertRows();
    }

    void clear() { setRows({}); }

    const T& rowAt(int row) const { return m_rows.at(row); }
    const QList<T>& rows() const { return m_rows; }

protected:
    /** Valid index of this (flat) model. */
    bool isRowIndex(const QModelIndex& index) const {
        return index.isValid() && !index.parent().isValid() && index.row() < m_rows.size() &&
               index.column() < columnCount();
    }

    QList<T> m_rows;
};

} // namespace fairuse::models
