#pragma once

#include "common/Stores.h"

#include <QString>
#include <QtGlobal>

#include <array>
#include <deque>
#include <vector>

namespace fairuse::models {

/** The first 16 UTF-16 code units of a user id packed into integers, so sort ties compare without touching the
 *  strings (cache misses on 100,000 heap strings cost more than the sort itself). */
struct QueueUidKey {
    std::array<quint64, 4> units{};
    bool truncated = false; ///< longer than 16 units: equal keys fall back to the strings

    static QueueUidKey of(const QString& uid);
};

/**
 * The queue's sort order over loaded rows, by one column (QueueModel::Column) and direction, ties broken by user id.
 *
 * Typed keys are computed once per sort (numbers; the few distinct last actions are ranked once) rather than
 * compared as QVariants, so 100,000 rows sort in milliseconds. Missing values sort first, as QueueModel::SortRole
 * documents. A column of -1 is the store's order (arrival order).
 */
class QueueOrder {
public:
    /** `rows` and `uidKeys` are indexed alike and must outlive the order. */
    QueueOrder(const std::deque<services::QueueRow>& rows, const std::vector<QueueUidKey>& uidKeys, int column,
               Qt::SortOrder order);

    /** Sorts indices into the rows. */
    void sort(std::vector<int>& indices) const;
    /** `sorted` (already in this order) with `added` merged in at their sorted places. */
    std::vector<int> merge(const std::vector<int>& sorted, std::vector<int> added) const;

private:
    const std::deque<services::QueueRow>& m_rows;
    const std::vector<QueueUidKey>& m_uidKeys;
    int m_column;
    Qt::SortOrder m_order;
};

} // namespace fairuse::models
