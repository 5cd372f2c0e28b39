#include "QueueModel.h"

#include "BulkResolver.h"
#include "DetailFormat.h"
#include "QueueFormat.h"
#include "common/Subscription.h"

#include <QLocale>

#include <algorithm>
#include <limits>

namespace fairuse::models {

namespace {

/** The uid index is sized for this many rows up front (about 300 KB): growing a QHash re-hashes every key, which
 *  at 65,536 user ids stalled the UI thread for ~100 ms in the middle of a load. */
constexpr qsizetype kIndexReserveRows = 131'072;
/** Speech and details arriving within this time are announced with one dataChanged. */
constexpr int kLazyFlushMs = 30;

void applyDetails(services::QueueRow& row, const QueueRowDetails& details) {
    row.openCases = details.openCases;
    row.oldestOpenCaseAt = details.oldestOpenCaseAt;
    row.lastAction = details.lastAction;
    row.detailsKnown = true;
}

} // namespace

QueueModel::QueueModel(Backend& backend, QObject* parent)
    : QAbstractTableModel(parent)
    , m_backend(backend)
    , m_pager(new QueuePager(backend, this))
    , m_speech(new QueueSpeechReader(backend, this))
    , m_details(new QueueDetailsReader(backend, this))
    , m_readAll(*m_speech, *m_details,
                [this](const QString& uid) -> const services::QueueRow* { return loadedRow(uid); }) {
    m_flush.setSingleShot(true);
    m_flush.setInterval(kLazyFlushMs);
    connect(&m_flush, &QTimer::timeout, this, &QueueModel::flushLazy);

    connect(m_pager, &QueuePager::pageArrived, this, [this](const QList<services::QueueRow>& rows, bool more) {
        addPage(rows);
        if (!more) {
            finishQuery();
        }
        Q_EMIT pageLoaded(rowCount(), more);
    });
    connect(m_pager, &QueuePager::finished, this, [this] { Q_EMIT loadingFinished(rowCount()); });
    connect(m_pager, &QueuePager::failed, this, &QueueModel::loadFailed);

    connect(m_speech, &QueueSpeechReader::speechRead, this, &QueueModel::speechRead);
    connect(m_details, &QueueDetailsReader::detailsRead, this, &QueueModel::detailsRead);
    connect(m_details, &QueueDetailsReader::readFailed, this, [this](const QString& uid) {
        m_detailsDirty.insert(uid); // shown as "?"
        scheduleFlush();
    });
    connect(m_speech, &QueueSpeechReader::readSettled, this, [this] { m_readAll.topUp(); });
    connect(m_details, &QueueDetailsReader::readSettled, this, [this] { m_readAll.topUp(); });
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

services::QueueRow* QueueModel::loadedRow(const QString& uid) {
    const int i = m_indexOfUid.value(uid, -1);
    return i < 0 ? nullptr : &m_rows[static_cast<std::size_t>(i)];
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
    const std::int64_t oldestAgeMs = hasAge ? QueueFormat::msSinceEpoch(m_backend.now()) -
                                                  QueueFormat::msSinceEpoch(row.oldestOpenCaseAt.value_or(TimePoint{}))
                                            : -1;

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
                m_speech->request(st.uid); // painted without totals: read them in the background
                return QString();
            }
            if (index.column() == DailyColumn) {
                return QueueFormat::speechCell(row.speech->dailyMs, caps.dailyMs);
            }
            if (index.column() == ThreeDayColumn) {
                return QueueFormat::speechCell(row.speech->threeDayMs, caps.threeDayMs);
            }
            return QueueFormat::speechCell(row.speech->weeklyMs, caps.weeklyMs);
        case OpenCasesColumn:
        case OldestOpenColumn:
        case LastActionColumn:
            if (!row.detailsKnown) {
                m_details->request(st.uid); // painted without them: read them in the background
                // "0 open cases" would be a claim; these are not known yet (or could not be read).
                return m_details->hasFailed(st.uid) ? QStringLiteral("?") : tr("…");
            }
            if (index.column() == OpenCasesColumn) {
                return row.openCases;
            }
            if (index.column() == OldestOpenColumn) {
                return hasAge ? QueueFormat::formatAge(oldestAgeMs) : QString();
            }
            return QString(row.lastAction).replace(QLatin1Char('_'), QLatin1Char(' '));
        case UpdatedColumn:
            return st.updatedAt ? QueueFormat::utcTextCompact(
                                      *st.updatedAt, m_backend.now ? std::optional(m_backend.now()) : std::nullopt)
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
            return st.updatedAt ? QVariant(qint64(QueueFormat::msSinceEpoch(*st.updatedAt))) : QVariant(qint64(-1));
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
            return m_details->hasFailed(st.uid)
                       ? tr("Could not read this user's cases and audit trail; refresh to try again")
                       : tr("Reading this user's cases and audit trail…");
        case DailyColumn:
            return tr("Speech in the last 24 hours against the daily cap of %1").arg(formatSpeechHours(caps.dailyMs));
        case ThreeDayColumn:
            return tr("Speech in the last 3 days against the 3-day cap of %1").arg(formatSpeechHours(caps.threeDayMs));
        case WeeklyColumn:
            return tr("Speech in the last 7 days against the weekly cap of %1").arg(formatSpeechHours(caps.weeklyMs));
        case UserColumn:
            return st.exempt ? tr("%1 (exempt)").arg(st.uid) : st.uid;
        case UpdatedColumn:
            return st.updatedAt ? tr("%1 UTC").arg(QueueFormat::utcText(*st.updatedAt)) : QVariant();
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

void QueueModel::setFilter(const services::QueueFilter& filter) {
    m_filter = filter;
    // Answer at once from what is loaded, then let the store have the last word.
    startQuery(false);
}

bool QueueModel::shows(int i) const {
    const quint64 seen = m_seenIn[static_cast<std::size_t>(i)];
    return seen == m_pager->generation() || (m_keptGeneration != 0 && seen == m_keptGeneration) ||
           matchesQueueFilter(m_filter, m_rows.at(i));
}

// ----- sorting -----

std::vector<int> QueueModel::orderedVisible() const {
    std::vector<int> order;
    order.reserve(static_cast<std::size_t>(m_rows.size()));
    for (int i = 0; i < loadedRowCount(); ++i) {
        if (shows(i)) {
            order.push_back(i);
        }
    }
    currentOrder().sort(order);
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
    currentOrder().sort(sorted);
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
    m_speech->reset();
    m_details->reset();
    m_speechDirty.clear();
    m_detailsDirty.clear();
    m_readAll.cancel();
    // The rows shown stay until the store's answer replaces them: a refresh that fails must not empty the queue.
    const bool empty = m_rows.empty();
    const quint64 shown = m_pager->generation();
    startQuery(empty, shown);
}

void QueueModel::startQuery(bool clear, quint64 keptGeneration) {
    m_pager->begin(m_filter);
    m_keptGeneration = keptGeneration;
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
    if (!clear) {
        // No row is confirmed by the new query yet: m_filter decides, and a refresh keeps what was shown.
        applyOrder(orderedVisible());
    }
    Q_EMIT loadingStarted();
    m_pager->request();
}

void QueueModel::retry() {
    m_pager->retry();
}

void QueueModel::addPage(QList<services::QueueRow> rows) {
    std::vector<int> added;
    int firstUpdated = std::numeric_limits<int>::max();
    int lastUpdated = -1;
    for (services::QueueRow& r : rows) {
        // What was read lazily since the last refresh is in the readers' caches; a re-query does not lose it.
        if (!r.speech) {
            r.speech = m_speech->cached(r.state.uid);
        }
        if (!r.detailsKnown) {
            if (const std::optional<QueueRowDetails> cached = m_details->cached(r.state.uid)) {
                applyDetails(r, *cached);
            }
        }
        const auto known = m_indexOfUid.constFind(r.state.uid);
        if (known != m_indexOfUid.cend()) {
            const auto i = static_cast<std::size_t>(*known);
            if (m_seenIn[i] == m_pager->generation()) {
                continue; // keyset paging should never repeat a user; a store bug must not duplicate rows
            }
            // A re-query: the store's newer version of a row already shown replaces it in place (its lazily read
            // values came from the caches above; after a refresh they are read again).
            m_rows[*known] = std::move(r);
            m_seenIn[i] = m_pager->generation();
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
        m_uidKeys.push_back(QueueUidKey::of(r.state.uid));
        m_rows.push_back(std::move(r));
        m_seenIn.push_back(m_pager->generation());
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
    // Sorted: merge the page at its sorted positions.
    applyOrder(currentOrder().merge(m_order, std::move(added)));
}

void QueueModel::finishQuery() {
    m_keptGeneration = 0; // every row still here is confirmed by this query (or goes now)
    // Rows the store did not return this time no longer match (or are gone); the rest take the store's order.
    const std::size_t count = static_cast<std::size_t>(m_rows.size());
    bool rearranged = false;
    for (std::size_t i = 0; i < count && !rearranged; ++i) {
        rearranged = m_seenIn[i] != m_pager->generation() || m_arrival[i] != static_cast<qint64>(i);
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
        if (m_seenIn[i] == m_pager->generation()) {
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
        m_uidKeys.push_back(QueueUidKey::of(m_rows.at(i).state.uid));
    }
    m_seenIn.assign(static_cast<std::size_t>(m_rows.size()), m_pager->generation());
    m_arrival.resize(static_cast<std::size_t>(m_rows.size()));
    for (std::size_t i = 0; i < m_arrival.size(); ++i) {
        m_arrival[i] = static_cast<qint64>(i);
    }
    Q_ASSERT(std::all_of(filled.begin(), filled.end(), [](bool b) { return b; }));
    applyOrder(orderedVisible(), remap);
}

// ----- lazy reads: speech totals and row details -----

int QueueModel::unreadShownRows() const {
    return static_cast<int>(std::count_if(m_order.cbegin(), m_order.cend(), [this](int i) {
        const services::QueueRow& row = m_rows.at(static_cast<std::size_t>(i));
        return m_speech->needs(row) || m_details->needs(row);
    }));
}

int QueueModel::failedShownRows() const {
    return static_cast<int>(std::count_if(m_order.cbegin(), m_order.cend(), [this](int i) {
        const QString& uid = m_rows.at(static_cast<std::size_t>(i)).state.uid;
        return m_speech->hasFailed(uid) || m_details->hasFailed(uid);
    }));
}

void QueueModel::readAllShown() {
    std::vector<const services::QueueRow*> shown;
    shown.reserve(m_order.size());
    for (int i : m_order) {
        shown.push_back(&m_rows.at(static_cast<std::size_t>(i)));
    }
    m_readAll.start(shown);
}

void QueueModel::speechRead(const QString& uid, const SpeechTotals& totals) {
    services::QueueRow* row = loadedRow(uid);
    if (row && !row->speech) {
        row->speech = totals;
        m_speechDirty.insert(uid);
        scheduleFlush();
    }
}

void QueueModel::detailsRead(const QString& uid, const QueueRowDetails& details) {
    services::QueueRow* row = loadedRow(uid);
    if (row && !row->detailsKnown) {
        applyDetails(*row, details);
        m_detailsDirty.insert(uid);
        scheduleFlush();
    }
}

void QueueModel::scheduleFlush() {
    if (!m_flush.isActive()) {
        m_flush.start();
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
    const bool speech = announce(m_speechDirty, DailyColumn, WeeklyColumn, {Qt::DisplayRole, SortRole, RawValueRole});
    const bool details = announce(m_detailsDirty, OpenCasesColumn, LastActionColumn,
                                  {Qt::DisplayRole, SortRole, RawValueRole, Qt::ToolTipRole});
    const bool bySpeech = m_sortColumn >= DailyColumn && m_sortColumn <= WeeklyColumn;
    const bool byDetails = m_sortColumn >= OpenCasesColumn && m_sortColumn <= LastActionColumn;
    if ((speech && bySpeech) || (details && byDetails)) {
        // Rows sorted as "missing" now have their values: move them to their places.
        std::vector<int> sorted = m_order;
        currentOrder().sort(sorted);
        applyOrder(std::move(sorted));
    }
}

} // namespace fairuse::models
