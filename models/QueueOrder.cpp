#include "QueueOrder.h"

#include "QueueModel.h"

#include <QHash>
#include <QStringList>

#include <algorithm>
#include <limits>

namespace fairuse::models {

namespace {

qint64 sinceEpochMs(TimePoint t) {
    return t.time_since_epoch().count();
}

/** Usage types ranked by their wire names, so the type column sorts alphabetically without string compares. */
double usageTypeRank(UsageType t) {
    static const std::array<int, 7> ranks = [] {
        std::array<UsageType, 7> all = {UsageType::None,        UsageType::Audiobook, UsageType::Podcast,
                                        UsageType::Prerecorded, UsageType::TvMovie,   UsageType::Commercial,
                                        UsageType::Unknown};
        std::sort(all.begin(), all.end(), [](UsageType a, UsageType b) { return toString(a) < toString(b); });
        std::array<int, 7> r{};
        for (int i = 0; i < 7; ++i) {
            r.at(static_cast<std::size_t>(all.at(static_cast<std::size_t>(i)))) = i;
        }
        return r;
    }();
    return ranks.at(static_cast<std::size_t>(t));
}

/**
 * The typed sort key of one row in one column: a number, plus a string for the text columns. Missing values get
 * the lowest number, so they sort first, as SortRole documents.
 */
struct SortKey {
    double number = 0.0;
    const QString* text = nullptr;
};

SortKey sortKeyOf(const services::QueueRow& row, int column) {
    constexpr double missing = -std::numeric_limits<double>::infinity();
    const FairUseState& st = row.state;
    switch (column) {
    case QueueModel::StageColumn:
        return {static_cast<double>(st.stage)};
    case QueueModel::ScoreColumn:
        return {st.lastClassifierScore.value_or(missing)};
    case QueueModel::UsageTypeColumn:
        return {st.lastClassifierType ? usageTypeRank(*st.lastClassifierType) : missing};
    case QueueModel::DailyColumn:
        return {row.speech ? static_cast<double>(row.speech->dailyMs) : missing};
    case QueueModel::ThreeDayColumn:
        return {row.speech ? static_cast<double>(row.speech->threeDayMs) : missing};
    case QueueModel::WeeklyColumn:
        return {row.speech ? static_cast<double>(row.speech->weeklyMs) : missing};
    case QueueModel::OpenCasesColumn:
        return {row.detailsKnown ? static_cast<double>(row.openCases) : missing};
    case QueueModel::OldestOpenColumn:
        // Ascending age is descending creation time; no clock needed, so keys stay comparable across pages.
        return {row.detailsKnown && row.oldestOpenCaseAt ? -static_cast<double>(sinceEpochMs(*row.oldestOpenCaseAt))
                                                         : missing};
    case QueueModel::LastActionColumn:
        return row.detailsKnown ? SortKey{0.0, &row.lastAction} : SortKey{missing};
    case QueueModel::UpdatedColumn:
        return {st.updatedAt ? static_cast<double>(sinceEpochMs(*st.updatedAt)) : missing};
    default: // UserColumn: the tie-break (user id) is the whole order
        return {};
    }
}

/** Strict weak order of rows for one column and direction; ties go by user id (ascending, except on the user
 *  column itself, where the direction applies). */
struct RowLess {
    const std::deque<services::QueueRow>* rows;
    const std::vector<QueueUidKey>* uidKeys;
    const std::vector<SortKey>* keys; ///< per index into rows; null: compute on the fly
    int column;
    bool descending;

    SortKey key(int i) const { return keys ? (*keys)[static_cast<std::size_t>(i)] : sortKeyOf(rows->at(i), column); }
    int compareUids(int a, int b) const {
        const QueueUidKey& ua = (*uidKeys)[static_cast<std::size_t>(a)];
        const QueueUidKey& ub = (*uidKeys)[static_cast<std::size_t>(b)];
        for (std::size_t w = 0; w < ua.units.size(); ++w) {
            if (ua.units[w] != ub.units[w]) {
                return ua.units[w] < ub.units[w] ? -1 : 1;
            }
        }
        if (ua.truncated != ub.truncated) {
            return ua.truncated ? 1 : -1; // same first 16 units: the longer id sorts after
        }
        return ua.truncated ? rows->at(a).state.uid.compare(rows->at(b).state.uid) : 0;
    }
    bool operator()(int a, int b) const {
        const SortKey ka = key(a);
        const SortKey kb = key(b);
        if (ka.number != kb.number) {
            return descending ? ka.number > kb.number : ka.number < kb.number;
        }
        if (ka.text && kb.text) {
            const int c = ka.text->compare(*kb.text);
            if (c != 0) {
                return descending ? c > 0 : c < 0;
            }
        }
        const int c = compareUids(a, b);
        return column == QueueModel::UserColumn && descending ? c > 0 : c < 0;
    }
};

} // namespace

QueueUidKey QueueUidKey::of(const QString& uid) {
    QueueUidKey key;
    const qsizetype n = std::min<qsizetype>(uid.size(), 16);
    for (qsizetype i = 0; i < n; ++i) {
        // Big-endian within each word, so integer order is the strings' code-unit order (QString::compare).
        key.units[static_cast<std::size_t>(i / 4)] |= quint64(uid.at(i).unicode()) << (48 - 16 * (i % 4));
    }
    key.truncated = uid.size() > 16;
    return key;
}

QueueOrder::QueueOrder(const std::deque<services::QueueRow>& rows, const std::vector<QueueUidKey>& uidKeys, int column,
                       Qt::SortOrder order)
    : m_rows(rows)
    , m_uidKeys(uidKeys)
    , m_column(column)
    , m_order(order) {}

void QueueOrder::sort(std::vector<int>& indices) const {
    if (m_column < 0 || m_column >= QueueModel::ColumnCount) {
        std::sort(indices.begin(), indices.end()); // arrival order is the store's order
        return;
    }
    std::vector<SortKey> keys(static_cast<std::size_t>(m_rows.size()));
    for (int i : indices) {
        keys[static_cast<std::size_t>(i)] = sortKeyOf(m_rows.at(i), m_column);
    }
    if (m_column == QueueModel::LastActionColumn) {
        // Few distinct texts: rank them once, then the sort compares numbers (same order as the texts).
        QHash<QString, int> rank;
        for (int i : indices) {
            if (m_rows.at(i).detailsKnown) {
                rank.insert(m_rows.at(i).lastAction, 0);
            }
        }
        QStringList distinct = rank.keys();
        std::sort(distinct.begin(), distinct.end());
        for (int r = 0; r < distinct.size(); ++r) {
            rank[distinct.at(r)] = r;
        }
        for (int i : indices) {
            const services::QueueRow& row = m_rows.at(i);
            keys[static_cast<std::size_t>(i)] = {row.detailsKnown ? static_cast<double>(rank.value(row.lastAction))
                                                                  : -std::numeric_limits<double>::infinity()};
        }
    }
    // Sort the keys themselves (number, first four id units, row) rather than indices into them: every comparison
    // then reads two adjacent 24-byte elements instead of chasing three arrays; rare full ties go to RowLess.
    struct Element {
        double number;
        quint64 uidHead;
        int index;
    };
    const bool descending = m_order == Qt::DescendingOrder;
    const bool uidDescending = descending && m_column == QueueModel::UserColumn;
    const RowLess less{&m_rows, &m_uidKeys, &keys, m_column, descending};
    std::vector<Element> elements;
    elements.reserve(indices.size());
    for (int i : indices) {
        elements.push_back(
            {keys[static_cast<std::size_t>(i)].number, m_uidKeys[static_cast<std::size_t>(i)].units[0], i});
    }
    std::sort(elements.begin(), elements.end(), [&](const Element& a, const Element& b) {
        if (a.number != b.number) {
            return descending ? a.number > b.number : a.number < b.number;
        }
        if (a.uidHead != b.uidHead) {
            return uidDescending ? a.uidHead > b.uidHead : a.uidHead < b.uidHead;
        }
        return less(a.index, b.index);
    });
    for (std::size_t n = 0; n < elements.size(); ++n) {
        indices[n] = elements[n].index;
    }
}

std::vector<int> QueueOrder::merge(const std::vector<int>& sorted, std::vector<int> added) const {
    // Binary search per new row keeps the comparisons at O(added * log rows); the copy is one pass.
    const RowLess less{&m_rows, &m_uidKeys, nullptr, m_column, m_order == Qt::DescendingOrder};
    std::sort(added.begin(), added.end(), less);
    std::vector<int> merged;
    merged.reserve(sorted.size() + added.size());
    auto from = sorted.cbegin();
    for (int i : added) {
        const auto at = std::upper_bound(from, sorted.cend(), i, less);
        merged.insert(merged.end(), from, at);
        merged.push_back(i);
        from = at;
    }
    merged.insert(merged.end(), from, sorted.cend());
    return merged;
}

} // namespace fairuse::models
