#include "QueueModel.h"

#include "BulkResolver.h"
#include "FutureWatch.h"
#include "common/Subscription.h"

#include "audit/CaseRef.h"

#include <QDateTime>
#include <QLocale>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

namespace fairuse::models {

namespace {

/** Requests beyond this many are dropped oldest first: they were for rows that scrolled out of view long ago. */
constexpr std::size_t kMaxQueuedLazyReads = 256;
/** The first page of a load is at most this long, so the first rows show quickly even where a store does work per
 *  row (Firestore counts open cases per row); later pages use the full page size. */
constexpr int kFirstPageRows = 100;
/** The uid index is sized for this many rows up front (about 300 KB): growing a QHash re-hashes every key, which
 *  at 65,536 user ids stalled the UI thread for ~100 ms in the middle of a load. */
constexpr qsizetype kIndexReserveRows = 131'072;
/** Speech and details arriving within this time are announced with one dataChanged. */
constexpr int kLazyFlushMs = 30;
/** Users whose details are read at once by default: each read is two store calls, and a Firestore client runs six
 *  requests at a time over HTTP/1.1, which the page requests share. */
constexpr int kDefaultDetailsReadLimit = 3;

qint64 msSinceEpoch(TimePoint t) {
    return t.time_since_epoch().count();
}

QString stageLabel(Stage s) {
    switch (s) {
    case Stage::None:
        return QueueModel::tr("none");
    case Stage::Warning:
        return QueueModel::tr("warning");
    case Stage::Throttle:
        return QueueModel::tr("throttle");
    case Stage::Restrict:
        return QueueModel::tr("restrict");
    }
    return {};
}

QString utcText(TimePoint t) {
    return QDateTime::fromMSecsSinceEpoch(msSinceEpoch(t), Qt::UTC).toString(QStringLiteral("yyyy-MM-dd HH:mm"));
}

/** "03-20 10:00" within the year of `now` (the cell is narrow), the date alone for older times; the tooltip has
 *  the full time. */
QString utcTextCompact(TimePoint t, std::optional<TimePoint> now) {
    const QDateTime at = QDateTime::fromMSecsSinceEpoch(msSinceEpoch(t), Qt::UTC);
    const int year = now ? QDateTime::fromMSecsSinceEpoch(msSinceEpoch(*now), Qt::UTC).date().year()
                         : QDateTime::currentDateTimeUtc().date().year();
    return at.toString(at.date().year() == year ? QStringLiteral("MM-dd HH:mm") : QStringLiteral("yyyy-MM-dd"));
}

QString formatHours(std::int64_t ms) {
    return QueueModel::tr("%1 h").arg(QLocale().toString(static_cast<double>(ms) / 3'600'000.0, 'f', 1));
}

/** "2.4h" for table cells, where every column's pixel counts. */
QString formatHoursCompact(std::int64_t ms) {
    return QueueModel::tr("%1h").arg(QLocale().toString(static_cast<double>(ms) / 3'600'000.0, 'f', 1));
}

QString formatAge(std::int64_t ms) {
    const std::int64_t minutes = std::max<std::int64_t>(0, ms / 60'000);
    const std::int64_t days = minutes / (24 * 60);
    const std::int64_t hours = (minutes / 60) % 24;
    if (days > 0) {
        return QueueModel::tr("%1d %2h").arg(days).arg(hours);
    }
    if (hours > 0) {
        return QueueModel::tr("%1h %2m").arg(hours).arg(minutes % 60);
    }
    return QueueModel::tr("%1m").arg(minutes);
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
        return {row.detailsKnown && row.oldestOpenCaseAt ? -static_cast<double>(msSinceEpoch(*row.oldestOpenCaseAt))
                                                         : missing};
    case QueueModel::LastActionColumn:
        return row.detailsKnown ? SortKey{0.0, &row.lastAction} : SortKey{missing};
    case QueueModel::UpdatedColumn:
        return {st.updatedAt ? static_cast<double>(msSinceEpoch(*st.updatedAt)) : missing};
    default: // UserColumn: the tie-break (user id) is the whole order
        return {};
    }
}

/** Strict weak order of rows for one column and direction; ties go by user id (ascending, except on the user
 *  column itself, where the direction applies). */
struct RowLess {
    const std::deque<services::QueueRow>* rows;
    const std::vector<QueueModel::UidKey>* uidKeys;
    const std::vector<SortKey>* keys; ///< per index into rows; null: compute on the fly
    int column;
    bool descending;

    SortKey key(int i) const { return keys ? (*keys)[static_cast<std::size_t>(i)] : sortKeyOf(rows->at(i), column); }
    int compareUids(int a, int b) const {
        const QueueModel::UidKey& ua = (*uidKeys)[static_cast<std::size_t>(a)];
        const QueueModel::UidKey& ub = (*uidKeys)[static_cast<std::size_t>(b)];
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

QueueModel::UidKey QueueModel::uidKeyOf(const QString& uid) {
    UidKey key;
    const qsizetype n = std::min<qsizetype>(uid.size(), 16);
    for (qsizetype i = 0; i < n; ++i) {
        // Big-endian within each word, so integer order is the strings' code-unit order (QString::compare).
        key.units[static_cast<std::size_t>(i / 4)] |= quint64(uid.at(i).unicode()) << (48 - 16 * (i % 4));
    }
    key.truncated = uid.size() > 16;
    return key;
}

QueueModel::QueueModel(Backend& backend, QObject* parent)
    : QAbstractTableModel(parent)
    , m_backend(backend) {
    m_details.limit = kDefaultDetailsReadLimit;
    m_flush.setSingleShot(true);
    m_flush.setInterval(kLazyFlushMs);
    connect(&m_flush, &QTimer::timeout, this, &QueueModel::flushLazy);
}

int QueueModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(m_order.size());
}

int QueueModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

int QueueModel::rowOfUid(const QString& uid) const {
    const int i = m_indexOfUid.value(uid, -1);
    return i < 0 ? -1 : m_shownRowOf.at(static_cast<std::size_t>(i));
}

QString QueueModel::speechCell(std::int64_t ms, std::int64_t capMs) const {
    if (capMs <= 0) {
        return formatHoursCompact(ms);
    }
    const double share = 100.0 * static_cast<double>(ms) / static_cast<double>(capMs);
    return tr("%1 %2%").arg(formatHoursCompact(ms)).arg(std::llround(share));
}

QVariant QueueModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) {
        return {};
    }
    const services::QueueRow& row = rowAt(index.row());
    const FairUseState& st = row.state;
    if (role == UidRole) {
        return st.uid;
    }
    const Caps caps = Caps::forPlan(effectivePlan(st.subscription, backendNow(m_backend)));
    // A plain value and a flag rather than an optional: GCC's -Wmaybe-uninitialized misreads the optional here.
    const bool hasAge = row.oldestOpenCaseAt.has_value() && m_backend.now;
    const std::int64_t oldestAgeMs =
        hasAge ? msSinceEpoch(m_backend.now()) - msSinceEpoch(row.oldestOpenCaseAt.value_or(TimePoint{})) : -1;

    if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case UserColumn:
            return st.uid;
        case StageColumn:
            return stageLabel(st.stage);
        case ScoreColumn:
            return st.lastClassifierScore ? QLocale().toString(*st.lastClassifierScore, 'f', 2) : QString();
        case UsageTypeColumn:
            return st.lastClassifierType ? toString(*st.lastClassifierType) : QString();
        case DailyColumn:
        case ThreeDayColumn:
        case WeeklyColumn:
            if (!row.speech) {
                requestSpeech(st.uid); // painted without totals: read them in the background
                return QString();
            }
            if (index.column() == DailyColumn) {
                return speechCell(row.speech->dailyMs, caps.dailyMs);
            }
            if (index.column() == ThreeDayColumn) {
                return speechCell(row.speech->threeDayMs, caps.threeDayMs);
            }
            return speechCell(row.speech->weeklyMs, caps.weeklyMs);
        case OpenCasesColumn:
        case OldestOpenColumn:
        case LastActionColumn:
            if (!row.detailsKnown) {
                requestDetails(st.uid); // painted without them: read them in the background
                // "0 open cases" would be a claim; these are not known yet (or could not be read).
                return m_details.failed.contains(st.uid) ? QStringLiteral("?") : tr("…");
            }
            if (index.column() == OpenCasesColumn) {
                return row.openCases;
            }
            if (index.column() == OldestOpenColumn) {
                return hasAge ? formatAge(oldestAgeMs) : QString();
            }
            return QString(row.lastAction).replace(QLatin1Char('_'), QLatin1Char(' '));
        case UpdatedColumn:
            return st.updatedAt
                       ? utcTextCompact(*st.updatedAt, m_backend.now ? std::optional(m_backend.now()) : std::nullopt)
                       : QString();
        default:
            return {};
        }
    }
    if (role == SortRole || role == RawValueRole) {
        const bool raw = role == RawValueRole;
        const bool detailColumn = index.column() == OpenCasesColumn || index.column() == OldestOpenColumn ||
                                  index.column() == LastActionColumn;
        if (detailColumn && !row.detailsKnown) {
            // Missing: sorts first (a number for the numeric columns, text for the action), exported as null.
            if (raw) {
                return {};
            }
            return index.column() == LastActionColumn ? QVariant(QString()) : QVariant(qint64(-1));
        }
        switch (index.column()) {
        case UserColumn:
            return st.uid;
        case StageColumn:
            return raw ? QVariant(toString(st.stage)) : QVariant(static_cast<int>(st.stage));
        case ScoreColumn:
            return st.lastClassifierScore ? QVariant(*st.lastClassifierScore) : QVariant(raw ? QVariant() : -1.0);
        case UsageTypeColumn:
            return st.lastClassifierType ? QVariant(toString(*st.lastClassifierType)) : QVariant(QString());
        case DailyColumn:
            return row.speech ? QVariant(qint64(row.speech->dailyMs)) : QVariant(raw ? QVariant() : qint64(-1));
        case ThreeDayColumn:
            return row.speech ? QVariant(qint64(row.speech->threeDayMs)) : QVariant(raw ? QVariant() : qint64(-1));
        case WeeklyColumn:
            return row.speech ? QVariant(qint64(row.speech->weeklyMs)) : QVariant(raw ? QVariant() : qint64(-1));
        case OpenCasesColumn:
            return row.openCases;
        case OldestOpenColumn:
            if (raw) {
                return row.oldestOpenCaseAt ? QVariant(formatRfc3339(*row.oldestOpenCaseAt)) : QVariant();
            }
            return QVariant(qint64(oldestAgeMs));
        case LastActionColumn:
            return row.lastAction;
        case UpdatedColumn:
            if (raw) {
                return st.updatedAt ? QVariant(formatRfc3339(*st.updatedAt)) : QVariant();
            }
            return st.updatedAt ? QVariant(qint64(msSinceEpoch(*st.updatedAt))) : QVariant(qint64(-1));
        default:
            return {};
        }
    }
    if (role == Qt::TextAlignmentRole) {
        switch (index.column()) {
        case ScoreColumn:
        case DailyColumn:
        case ThreeDayColumn:
        case WeeklyColumn:
        case OpenCasesColumn:
        case OldestOpenColumn:
            return QVariant(Qt::AlignRight | Qt::AlignVCenter);
        default:
            return {};
        }
    }
    if (role == Qt::ToolTipRole) {
        switch (index.column()) {
        case OpenCasesColumn:
        case OldestOpenColumn:
        case LastActionColumn:
            if (row.detailsKnown) {
                return index.column() == LastActionColumn
                           ? QVariant(QString(row.lastAction).replace(QLatin1Char('_'), QLatin1Char(' ')))
                           : QVariant();
            }
            return m_details.failed.contains(st.uid)
                       ? tr("Could not read this user's cases and audit trail; refresh to try again")
                       : tr("Reading this user's cases and audit trail…");
        case DailyColumn:
            return tr("Speech in the last 24 hours against the daily cap of %1").arg(formatHours(caps.dailyMs));
        case ThreeDayColumn:
            return tr("Speech in the last 3 days against the 3-day cap of %1").arg(formatHours(caps.threeDayMs));
        case WeeklyColumn:
            return tr("Speech in the last 7 days against the weekly cap of %1").arg(formatHours(caps.weeklyMs));
        case UserColumn:
            return st.exempt ? tr("%1 (exempt)").arg(st.uid) : st.uid;
        case UpdatedColumn:
            return st.updatedAt ? tr("%1 UTC").arg(utcText(*st.updatedAt)) : QVariant();
        default:
            return {};
        }
    }
    return {};
}

QVariant QueueModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || (role != Qt::DisplayRole && role != Qt::ToolTipRole)) {
        return QAbstractTableModel::headerData(section, orientation, role);
    }
    // Short headers keep the columns narrow; the tooltip spells each one out.
    const bool tip = role == Qt::ToolTipRole;
    switch (section) {
    case UserColumn:
        return tip ? tr("User id") : tr("User");
    case StageColumn:
        return tip ? tr("Enforcement stage") : tr("Stage");
    case ScoreColumn:
        return tip ? tr("Misuse score of the last classifier run (0 to 1)") : tr("Score");
    case UsageTypeColumn:
        return tip ? tr("Usage type found by the last classifier run") : tr("Type");
    case DailyColumn:
        return tip ? tr("Speech in the last 24 hours, in hours and as a share of the daily cap") : tr("Daily");
    case ThreeDayColumn:
        return tip ? tr("Speech in the last 3 days, in hours and as a share of the 3-day cap") : tr("3 days");
    case WeeklyColumn:
        return tip ? tr("Speech in the last 7 days, in hours and as a share of the weekly cap") : tr("Weekly");
    case OpenCasesColumn:
        return tip ? tr("Open cases") : tr("Open");
    case OldestOpenColumn:
        return tip ? tr("Age of the oldest open case") : tr("Oldest");
    case LastActionColumn:
        return tip ? tr("Last reviewer action on this user") : tr("Last action");
    case UpdatedColumn:
        return tip ? tr("Last change of the user's fair-use state (UTC)") : tr("Updated");
    default:
        return {};
    }
}

// ----- filtering -----

bool QueueModel::rowMatches(const services::QueueFilter& f, const services::QueueRow& row) {
    const FairUseState& st = row.state;
    if (f.stage ? st.stage != *f.stage : st.stage == Stage::None) {
        return false;
    }
    if (f.usageType && st.lastClassifierType != f.usageType) {
        return false;
    }
    if (f.minScore > 0.0 || f.maxScore < 1.0) {
        const double score = st.lastClassifierScore.value_or(0.0);
        if (score < f.minScore || score > f.maxScore) {
            return false;
        }
    }
    // Open cases not read yet (row.detailsKnown false): shown until the store's answer, which counts them.
    switch (f.resolution) {
    case services::QueueFilter::Resolution::Any:
        break;
    case services::QueueFilter::Resolution::OpenOnly:
        if (row.detailsKnown && row.openCases <= 0) {
            return false;
        }
        break;
    case services::QueueFilter::Resolution::ResolvedOnly:
        // "Has resolved cases" is not in the row; the store's answer settles it when its last page arrives.
        if (row.detailsKnown && row.openCases > 0) {
            return false;
        }
        break;
    }
    const QString search = f.search.trimmed();
    if (!search.isEmpty() && st.uid != search &&
        (st.lastCaseRef.isEmpty() || st.lastCaseRef != normaliseCaseRef(search))) {
        return false; // a case reference other than the last one: the store's answer brings the user back
    }
    return true;
}

void QueueModel::setFilter(const services::QueueFilter& filter) {
    m_filter = filter;
    // Answer at once from what is loaded, then let the store have the last word.
    startQuery(false);
}

bool QueueModel::shows(int i) const {
    const quint64 seen = m_seenIn[static_cast<std::size_t>(i)];
    return seen == m_generation || (m_keptGeneration != 0 && seen == m_keptGeneration) ||
           rowMatches(m_filter, m_rows.at(i));
}

// ----- sorting -----

void QueueModel::sortIndices(std::vector<int>& indices) const {
    if (m_sortColumn < 0 || m_sortColumn >= ColumnCount) {
        std::sort(indices.begin(), indices.end()); // arrival order is the store's order
        return;
    }
    std::vector<SortKey> keys(static_cast<std::size_t>(m_rows.size()));
    for (int i : indices) {
        keys[static_cast<std::size_t>(i)] = sortKeyOf(m_rows.at(i), m_sortColumn);
    }
    if (m_sortColumn == LastActionColumn) {
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
    const bool descending = m_sortOrder == Qt::DescendingOrder;
    const bool uidDescending = descending && m_sortColumn == UserColumn;
    const RowLess less{&m_rows, &m_uidKeys, &keys, m_sortColumn, descending};
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

std::vector<int> QueueModel::orderedVisible() const {
    std::vector<int> order;
    order.reserve(static_cast<std::size_t>(m_rows.size()));
    for (int i = 0; i < loadedRowCount(); ++i) {
        if (shows(i)) {
            order.push_back(i);
        }
    }
    sortIndices(order);
    return order;
}

void QueueModel::sort(int column, Qt::SortOrder order) {
    const int wanted = column >= 0 && column < ColumnCount ? column : -1;
    if (wanted == m_sortColumn && (wanted < 0 || order == m_sortOrder)) {
        return;
    }
    m_sortColumn = wanted;
    m_sortOrder = order;
    std::vector<int> sorted = m_order;
    sortIndices(sorted);
    applyOrder(std::move(sorted), {}, QAbstractItemModel::VerticalSortHint);
}

void QueueModel::rebuildVisibleIndex() {
    m_shownRowOf.assign(static_cast<std::size_t>(m_rows.size()), -1);
    for (std::size_t r = 0; r < m_order.size(); ++r) {
        m_shownRowOf[static_cast<std::size_t>(m_order[r])] = static_cast<int>(r);
    }
}

void QueueModel::applyOrder(std::vector<int> order, const std::vector<int>& remap,
                            QAbstractItemModel::LayoutChangeHint hint) {
    auto mapped = [&remap](int i) { return remap.empty() ? i : remap[static_cast<std::size_t>(i)]; };
    if (order.size() == m_order.size() &&
        std::equal(order.begin(), order.end(), m_order.begin(), [&](int n, int o) { return n == mapped(o); })) {
        // Same users in the same places: nothing a view can see changed, so no layout change.
        m_order = std::move(order);
        rebuildVisibleIndex();
        return;
    }
    Q_EMIT layoutAboutToBeChanged({}, hint);
    const QModelIndexList from = persistentIndexList();
    const std::vector<int> oldOrder = std::move(m_order);
    m_order = std::move(order);
    rebuildVisibleIndex();
    QModelIndexList to;
    to.reserve(from.size());
    for (const QModelIndex& index : from) {
        const int source = mapped(oldOrder.at(static_cast<std::size_t>(index.row())));
        const int shown = source >= 0 ? m_shownRowOf.at(static_cast<std::size_t>(source)) : -1;
        to.append(shown >= 0 ? createIndex(shown, index.column()) : QModelIndex());
    }
    changePersistentIndexList(from, to);
    Q_EMIT layoutChanged({}, hint);
}

// ----- loading -----

void QueueModel::refresh() {
    m_speechCache.clear();
    m_speech.reset();
    m_detailsCache.clear();
    m_details.reset();
    m_readAll.clear();
    // The rows shown stay until the store's answer replaces them: a refresh that fails must not empty the queue.
    const bool empty = m_rows.empty();
    const quint64 shown = m_generation;
    startQuery(empty, shown);
}

void QueueModel::startQuery(bool clear, quint64 keptGeneration) {
    ++m_generation;
    m_keptGeneration = keptGeneration;
    m_queryFilter = m_filter;
    if (clear) {
        beginResetModel();
        m_rows.clear();
        m_indexOfUid.clear();
        m_order.clear();
        m_shownRowOf.clear();
        m_seenIn.clear();
        m_arrival.clear();
        m_uidKeys.clear();
        m_indexOfUid.reserve(kIndexReserveRows);
        endResetModel();
    }
    m_clearedQuery = clear;
    m_arrived = 0;
    m_cursor.clear();
    m_pages = 0;
    m_complete = false;
    m_loading = true;
    if (!clear) {
        // No row is confirmed by the new query yet: m_filter decides, and a refresh keeps what was shown.
        applyOrder(orderedVisible());
    }
    Q_EMIT loadingStarted();
    requestPage();
}

void QueueModel::retry() {
    if (m_complete || m_loading) {
        return;
    }
    m_loading = true;
    requestPage();
}

void QueueModel::requestPage() {
    if (!m_backend.cases) {
        m_loading = false;
        Q_EMIT loadFailed(ErrorKind::Internal, tr("No case store is connected."));
        return;
    }
    const quint64 generation = m_generation;
    const int limit = m_pages == 0 ? std::min(m_pageSize, kFirstPageRows) : m_pageSize;
    const services::Async<services::QueuePage> request =
        m_backend.cases->fetchQueuePage(m_queryFilter, m_cursor, limit);
    whenFinished(this, request, [this, generation](const Result<services::QueuePage>& page) {
        if (generation != m_generation) {
            return; // the filter changed while this page was in flight
        }
        if (!page.ok()) {
            m_loading = false;
            m_stale = true; // the rows stay as they were; retry() asks for this page again
            Q_EMIT loadFailed(page.error().kind, page.error().message);
            return;
        }
        addPage(page->rows);
        ++m_pages;
        m_cursor = page->nextCursor;
        const bool more = !m_cursor.isEmpty() && !page->rows.isEmpty();
        if (!more) {
            finishQuery();
        }
        Q_EMIT pageLoaded(rowCount(), more);
        if (more) {
            requestPage();
        } else {
            m_loading = false;
            m_complete = true;
            m_stale = false;
            Q_EMIT loadingFinished(rowCount());
        }
    });
}

void QueueModel::addPage(QList<services::QueueRow> rows) {
    std::vector<int> added;
    int firstUpdated = std::numeric_limits<int>::max();
    int lastUpdated = -1;
    for (services::QueueRow& r : rows) {
        // What was read lazily since the last refresh is in the caches; a re-query does not lose it.
        if (!r.speech) {
            const auto cached = m_speechCache.constFind(r.state.uid);
            if (cached != m_speechCache.cend()) {
                r.speech = *cached;
            }
        }
        if (!r.detailsKnown) {
            const auto cached = m_detailsCache.constFind(r.state.uid);
            if (cached != m_detailsCache.cend()) {
                r.openCases = cached->openCases;
                r.oldestOpenCaseAt = cached->oldestOpenCaseAt;
                r.lastAction = cached->lastAction;
                r.detailsKnown = true;
            }
        }
        const auto known = m_indexOfUid.constFind(r.state.uid);
        if (known != m_indexOfUid.cend()) {
            const auto i = static_cast<std::size_t>(*known);
            if (m_seenIn[i] == m_generation) {
                continue; // keyset paging should never repeat a user; a store bug must not duplicate rows
            }
            // A re-query: the store's newer version of a row already shown replaces it in place (its lazily read
            // values came from the caches above; after a refresh they are read again).
            m_rows[*known] = std::move(r);
            m_seenIn[i] = m_generation;
            m_arrival[i] = m_arrived++;
            if (const int shown = m_shownRowOf[i]; shown >= 0) {
                firstUpdated = std::min(firstUpdated, shown);
                lastUpdated = std::max(lastUpdated, shown);
            } else {
                added.push_back(*known); // hidden by the model's own guess, confirmed by the store
            }
            continue;
        }
        const int i = static_cast<int>(m_rows.size());
        m_indexOfUid.insert(r.state.uid, i);
        m_uidKeys.push_back(uidKeyOf(r.state.uid));
        m_rows.push_back(std::move(r));
        m_seenIn.push_back(m_generation);
        m_arrival.push_back(m_arrived++);
        m_shownRowOf.push_back(-1);
        added.push_back(i); // the store returned it for this query's filter, which is m_filter
    }
    if (lastUpdated >= 0) {
        Q_EMIT dataChanged(index(firstUpdated, 0), index(lastUpdated, ColumnCount - 1));
    }
    if (added.empty()) {
        return;
    }
    if (m_sortColumn < 0) {
        const int first = rowCount();
        beginInsertRows({}, first, first + static_cast<int>(added.size()) - 1);
        for (int i : added) {
            m_shownRowOf[static_cast<std::size_t>(i)] = static_cast<int>(m_order.size());
            m_order.push_back(i);
        }
        endInsertRows();
        return;
    }
    // Sorted: merge the page at its sorted positions. Binary search per new row keeps the comparisons at
    // O(page * log rows); the copy is one pass.
    const RowLess less{&m_rows, &m_uidKeys, nullptr, m_sortColumn, m_sortOrder == Qt::DescendingOrder};
    std::sort(added.begin(), added.end(), less);
    std::vector<int> merged;
    merged.reserve(m_order.size() + added.size());
    auto from = m_order.cbegin();
    for (int i : added) {
        const auto at = std::upper_bound(from, m_order.cend(), i, less);
        merged.insert(merged.end(), from, at);
        merged.push_back(i);
        from = at;
    }
    merged.insert(merged.end(), from, m_order.cend());
    applyOrder(std::move(merged));
}

void QueueModel::finishQuery() {
    m_keptGeneration = 0; // every row still here is confirmed by this query (or goes now)
    // Rows the store did not return this time no longer match (or are gone); the rest take the store's order.
    const std::size_t count = static_cast<std::size_t>(m_rows.size());
    bool rearranged = false;
    for (std::size_t i = 0; i < count && !rearranged; ++i) {
        rearranged = m_seenIn[i] != m_generation || m_arrival[i] != static_cast<qint64>(i);
    }
    if (!rearranged) {
        if (!m_clearedQuery) {
            applyOrder(orderedVisible()); // updated rows may have moved in the sort order
        }
        return; // a fresh load merged every page at its place already
    }
    std::vector<int> remap(count, -1);
    std::deque<services::QueueRow> kept(static_cast<std::size_t>(m_arrived));
    std::vector<bool> filled(static_cast<std::size_t>(m_arrived), false);
    for (std::size_t i = 0; i < count; ++i) {
        if (m_seenIn[i] == m_generation) {
            const auto to = static_cast<std::size_t>(m_arrival[i]);
            remap[i] = static_cast<int>(to);
            kept[to] = std::move(m_rows[i]);
            filled[to] = true;
        }
    }
    m_rows = std::move(kept);
    m_indexOfUid.clear();
    m_indexOfUid.reserve(loadedRowCount());
    m_uidKeys.clear();
    m_uidKeys.reserve(static_cast<std::size_t>(m_rows.size()));
    for (int i = 0; i < loadedRowCount(); ++i) {
        m_indexOfUid.insert(m_rows.at(i).state.uid, i);
        m_uidKeys.push_back(uidKeyOf(m_rows.at(i).state.uid));
    }
    m_seenIn.assign(static_cast<std::size_t>(m_rows.size()), m_generation);
    m_arrival.resize(static_cast<std::size_t>(m_rows.size()));
    for (std::size_t i = 0; i < m_arrival.size(); ++i) {
        m_arrival[i] = static_cast<qint64>(i);
    }
    Q_ASSERT(std::all_of(filled.begin(), filled.end(), [](bool b) { return b; }));
    applyOrder(orderedVisible(), remap);
}

// ----- lazy reads: speech totals and row details -----

bool QueueModel::LazyReads::enqueue(const QString& uid) {
    if (wanted.contains(uid) || failed.contains(uid)) {
        return false;
    }
    wanted.insert(uid);
    queue.push_back(uid);
    while (queue.size() > kMaxQueuedLazyReads) {
        wanted.remove(queue.front());
        queue.pop_front();
    }
    if (pumpScheduled) {
        return false;
    }
    pumpScheduled = true;
    return true;
}

void QueueModel::LazyReads::reset() {
    wanted.clear();
    queue.clear();
    failed.clear();
    dirty.clear();
    ++epoch; // answers still in flight count against `inFlight` but are dropped
}

void QueueModel::scheduleFlush() {
    if (!m_flush.isActive()) {
        m_flush.start();
    }
}

bool QueueModel::needsSpeech(const services::QueueRow& row) const {
    return m_backend.usage && !row.speech && !m_speech.failed.contains(row.state.uid);
}

bool QueueModel::needsDetails(const services::QueueRow& row) const {
    return m_backend.cases && !row.detailsKnown && !m_details.failed.contains(row.state.uid);
}

int QueueModel::unreadShownRows() const {
    return static_cast<int>(std::count_if(m_order.cbegin(), m_order.cend(), [this](int i) {
        const services::QueueRow& row = m_rows.at(static_cast<std::size_t>(i));
        return needsSpeech(row) || needsDetails(row);
    }));
}

int QueueModel::failedShownRows() const {
    return static_cast<int>(std::count_if(m_order.cbegin(), m_order.cend(), [this](int i) {
        const QString& uid = m_rows.at(static_cast<std::size_t>(i)).state.uid;
        return m_speech.failed.contains(uid) || m_details.failed.contains(uid);
    }));
}

void QueueModel::readAllShown() {
    m_readAll.clear();
    for (int i : m_order) {
        const services::QueueRow& row = m_rows.at(static_cast<std::size_t>(i));
        if (needsSpeech(row) || needsDetails(row)) {
            m_readAll.push_back(row.state.uid);
        }
    }
    topUpReadAll();
}

void QueueModel::cancelReadAll() {
    m_readAll.clear();
}

void QueueModel::topUpReadAll() {
    // A few reads ahead of each limit: enough to keep the reads busy, few enough that rows painted meanwhile (queued
    // behind these and read newest first) are not pushed out of the bounded queues.
    while (!m_readAll.empty() && m_speech.queue.size() < static_cast<std::size_t>(2 * m_speech.limit) &&
           m_details.queue.size() < static_cast<std::size_t>(2 * m_details.limit)) {
        const QString uid = m_readAll.front();
        m_readAll.pop_front();
        const int i = m_indexOfUid.value(uid, -1);
        if (i < 0) {
            continue;
        }
        const services::QueueRow& row = m_rows.at(static_cast<std::size_t>(i));
        if (needsSpeech(row)) {
            requestSpeech(uid);
        }
        if (needsDetails(row)) {
            requestDetails(uid);
        }
    }
}

void QueueModel::requestSpeech(const QString& uid) const {
    if (m_backend.usage && m_speech.enqueue(uid)) {
        // Never from inside data(): a view is painting. Start the reads once control is back in the event loop.
        QMetaObject::invokeMethod(const_cast<QueueModel*>(this), &QueueModel::pumpSpeech, Qt::QueuedConnection);
    }
}

void QueueModel::pumpSpeech() {
    m_speech.pumpScheduled = false;
    if (!m_backend.usage) {
        return;
    }
    const TimePoint now =
        m_backend.now ? m_backend.now() : TimePoint(std::chrono::milliseconds(QDateTime::currentMSecsSinceEpoch()));
    while (m_speech.inFlight < m_speech.limit && !m_speech.queue.empty()) {
        // Newest first: the rows painted last are the ones on screen now.
        const QString uid = m_speech.queue.back();
        m_speech.queue.pop_back();
        ++m_speech.inFlight;
        const quint64 epoch = m_speech.epoch;
        whenFinished(this, m_backend.usage->readSpeech(uid, now),
                     [this, uid, epoch](const Result<services::SpeechReading>& reading) {
                         --m_speech.inFlight;
                         if (epoch == m_speech.epoch) {
                             m_speech.wanted.remove(uid);
                             if (reading.ok()) {
                                 m_speechCache.insert(uid, reading->totals);
                                 const int i = m_indexOfUid.value(uid, -1);
                                 if (i >= 0 && !m_rows.at(i).speech) {
                                     m_rows[i].speech = reading->totals;
                                     m_speech.dirty.insert(uid);
                                     scheduleFlush();
                                 }
                             } else {
                                 m_speech.failed.insert(uid); // shown empty; refresh() tries again
                             }
                         }
                         topUpReadAll();
                         if (!m_speech.queue.empty() && !m_speech.pumpScheduled) {
                             m_speech.pumpScheduled = true;
                             QMetaObject::invokeMethod(this, &QueueModel::pumpSpeech, Qt::QueuedConnection);
                         }
                     });
    }
}

void QueueModel::requestDetails(const QString& uid) const {
    if (m_backend.cases && m_details.enqueue(uid)) {
        QMetaObject::invokeMethod(const_cast<QueueModel*>(this), &QueueModel::pumpDetails, Qt::QueuedConnection);
    }
}

void QueueModel::pumpDetails() {
    m_details.pumpScheduled = false;
    if (!m_backend.cases) {
        return;
    }
    while (m_details.inFlight < m_details.limit && !m_details.queue.empty()) {
        const QString uid = m_details.queue.back();
        m_details.queue.pop_back();
        ++m_details.inFlight;
        // Both reads run at once; the second answer completes the row.
        struct Pending {
            std::optional<Result<QList<FairUseEvent>>> events;
            std::optional<Result<QList<AuditRecord>>> audit;
        };
        auto pending = std::make_shared<Pending>();
        const quint64 epoch = m_details.epoch;
        auto answered = [this, uid, epoch, pending] {
            if (!pending->events || !pending->audit) {
                return;
            }
            --m_details.inFlight;
            if (epoch == m_details.epoch) {
                detailsRead(uid, *pending->events, *pending->audit);
            }
            topUpReadAll();
            if (!m_details.queue.empty() && !m_details.pumpScheduled) {
                m_details.pumpScheduled = true;
                QMetaObject::invokeMethod(this, &QueueModel::pumpDetails, Qt::QueuedConnection);
            }
        };
        services::AuditFilter audit;
        audit.uid = uid;
        audit.limit = 1; // the user's newest record only: one query, newest first, one document
        whenFinished(this, m_backend.cases->listEvents(uid),
                     [pending, answered](const Result<QList<FairUseEvent>>& events) {
                         pending->events = events;
                         answered();
                     });
        whenFinished(this, m_backend.cases->listAudit(audit),
                     [pending, answered](const Result<QList<AuditRecord>>& records) {
                         pending->audit = records;
                         answered();
                     });
    }
}

void QueueModel::detailsRead(const QString& uid, const Result<QList<FairUseEvent>>& events,
                             const Result<QList<AuditRecord>>& audit) {
    m_details.wanted.remove(uid);
    if (!events.ok() || !audit.ok()) {
        m_details.failed.insert(uid); // shown as "?"; refresh() tries again
        m_details.dirty.insert(uid);
        scheduleFlush();
        return;
    }
    Details d;
    for (const FairUseEvent& e : *events) {
        if (!e.resolved) {
            ++d.openCases;
            if (!d.oldestOpenCaseAt || e.createdAt < *d.oldestOpenCaseAt) {
                d.oldestOpenCaseAt = e.createdAt;
            }
        }
    }
    if (!audit->isEmpty()) {
        d.lastAction = toString(audit->last().action);
    }
    m_detailsCache.insert(uid, d);
    const int i = m_indexOfUid.value(uid, -1);
    if (i >= 0 && !m_rows.at(i).detailsKnown) {
        services::QueueRow& row = m_rows[i];
        row.openCases = d.openCases;
        row.oldestOpenCaseAt = d.oldestOpenCaseAt;
        row.lastAction = d.lastAction;
        row.detailsKnown = true;
        m_details.dirty.insert(uid);
        scheduleFlush();
    }
}

void QueueModel::flushLazy() {
    const auto announce = [this](QSet<QString>& dirty, int firstColumn, int lastColumn, const QList<int>& roles) {
        int first = std::numeric_limits<int>::max();
        int last = -1;
        for (const QString& uid : std::as_const(dirty)) {
            const int shown = rowOfUid(uid);
            if (shown >= 0) {
                first = std::min(first, shown);
                last = std::max(last, shown);
            }
        }
        dirty.clear();
        if (last >= 0) {
            Q_EMIT dataChanged(index(first, firstColumn), index(last, lastColumn), roles);
        }
        return last >= 0;
    };
    const bool speech = announce(m_speech.dirty, DailyColumn, WeeklyColumn, {Qt::DisplayRole, SortRole, RawValueRole});
    const bool details = announce(m_details.dirty, OpenCasesColumn, LastActionColumn,
                                  {Qt::DisplayRole, SortRole, RawValueRole, Qt::ToolTipRole});
    const bool bySpeech = m_sortColumn >= DailyColumn && m_sortColumn <= WeeklyColumn;
    const bool byDetails = m_sortColumn >= OpenCasesColumn && m_sortColumn <= LastActionColumn;
    if ((speech && bySpeech) || (details && byDetails)) {
        // Rows sorted as "missing" now have their values: move them to their places.
        std::vector<int> sorted = m_order;
        sortIndices(sorted);
        applyOrder(std::move(sorted));
    }
}

} // namespace fairuse::models
