#include "QueueModel.h"

#include <QDateTime>
#include <QLocale>

#include <cmath>

namespace fairuse::models {

namespace {

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

QString formatHours(std::int64_t ms) {
    return QueueModel::tr("%1 h").arg(QLocale().toString(static_cast<double>(ms) / 3'600'000.0, 'f', 1));
}

QString formatAge(std::int64_t ms) {
    const std::int64_t minutes = std::max<std::int64_t>(0, ms / 60'000);
    const std::int64_t days = minutes / (24 * 60);
    const std::int64_t hours = (minutes / 60) % 24;
    if (days > 0) {
        return QueueModel::tr("%1 d %2 h").arg(days).arg(hours);
    }
    if (hours > 0) {
        return QueueModel::tr("%1 h %2 min").arg(hours).arg(minutes % 60);
    }
    return QueueModel::tr("%1 min").arg(minutes);
}

} // namespace

QueueModel::QueueModel(Backend& backend, QObject* parent)
    : QAbstractTableModel(parent)
    , m_backend(backend) {}

int QueueModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int QueueModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QString QueueModel::speechCell(std::int64_t ms, std::int64_t capMs) const {
    if (capMs <= 0) {
        return formatHours(ms);
    }
    const double share = 100.0 * static_cast<double>(ms) / static_cast<double>(capMs);
    return tr("%1 (%2%)").arg(formatHours(ms)).arg(std::llround(share));
}

QVariant QueueModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) {
        return {};
    }
    const services::QueueRow& row = m_rows.at(index.row());
    const FairUseState& st = row.state;
    if (role == UidRole) {
        return st.uid;
    }
    const Caps caps = Caps::forPlan(st.plan);
    const std::optional<std::int64_t> oldestAgeMs =
        row.oldestOpenCaseAt && m_backend.now
            ? std::optional<std::int64_t>(msSinceEpoch(m_backend.now()) - msSinceEpoch(*row.oldestOpenCaseAt))
            : std::nullopt;

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
            return row.speech ? speechCell(row.speech->dailyMs, caps.dailyMs) : QString();
        case ThreeDayColumn:
            return row.speech ? speechCell(row.speech->threeDayMs, caps.threeDayMs) : QString();
        case WeeklyColumn:
            return row.speech ? speechCell(row.speech->weeklyMs, caps.weeklyMs) : QString();
        case OpenCasesColumn:
            return row.openCases;
        case OldestOpenColumn:
            return oldestAgeMs ? formatAge(*oldestAgeMs) : QString();
        case LastActionColumn:
            return QString(row.lastAction).replace(QLatin1Char('_'), QLatin1Char(' '));
        case UpdatedColumn:
            return st.updatedAt ? utcText(*st.updatedAt) : QString();
        default:
            return {};
        }
    }
    if (role == SortRole || role == RawValueRole) {
        const bool raw = role == RawValueRole;
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
            return oldestAgeMs ? QVariant(qint64(*oldestAgeMs)) : QVariant(qint64(-1));
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
        case DailyColumn:
            return tr("Speech in the last 24 hours against the daily cap of %1").arg(formatHours(caps.dailyMs));
        case ThreeDayColumn:
            return tr("Speech in the last 3 days against the 3-day cap of %1").arg(formatHours(caps.threeDayMs));
        case WeeklyColumn:
            return tr("Speech in the last 7 days against the weekly cap of %1").arg(formatHours(caps.weeklyMs));
        case UserColumn:
            return st.exempt ? tr("%1 (exempt)").arg(st.uid) : st.uid;
        default:
            return {};
        }
    }
    return {};
}

QVariant QueueModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return QAbstractTableModel::headerData(section, orientation, role);
    }
    switch (section) {
    case UserColumn:
        return tr("User");
    case StageColumn:
        return tr("Stage");
    case ScoreColumn:
        return tr("Misuse score");
    case UsageTypeColumn:
        return tr("Usage type");
    case DailyColumn:
        return tr("Daily");
    case ThreeDayColumn:
        return tr("3 days");
    case WeeklyColumn:
        return tr("Weekly");
    case OpenCasesColumn:
        return tr("Open cases");
    case OldestOpenColumn:
        return tr("Oldest open");
    case LastActionColumn:
        return tr("Last action");
    case UpdatedColumn:
        return tr("Updated (UTC)");
    default:
        return {};
    }
}

void QueueModel::setFilter(const services::QueueFilter& filter) {
    m_filter = filter;
    refresh();
}

void QueueModel::refresh() {
    ++m_generation;
    beginResetModel();
    m_rows.clear();
    m_rowOfUid.clear();
    endResetModel();
    m_cursor.clear();
    m_pages = 0;
    m_complete = false;
    m_loading = true;
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
    m_backend.cases->fetchQueuePage(m_filter, m_cursor, m_pageSize)
        .then(this, [this, generation](const Result<services::QueuePage>& page) {
            if (generation != m_generation) {
                return; // the filter changed while this page was in flight
            }
            if (!page.ok()) {
                m_loading = false;
                Q_EMIT loadFailed(page.error().kind, page.error().message);
                return;
            }
            QList<services::QueueRow> fresh;
            fresh.reserve(page->rows.size());
            for (const services::QueueRow& r : page->rows) {
                // Keyset paging should never repeat a user; guard anyway so a store bug cannot duplicate rows.
                if (!m_rowOfUid.contains(r.state.uid)) {
                    fresh.append(r);
                }
            }
            if (!fresh.isEmpty()) {
                const int first = static_cast<int>(m_rows.size());
                beginInsertRows({}, first, first + static_cast<int>(fresh.size()) - 1);
                for (services::QueueRow& r : fresh) {
                    m_rowOfUid.insert(r.state.uid, static_cast<int>(m_rows.size()));
                    m_rows.append(std::move(r));
                }
                endInsertRows();
            }
            ++m_pages;
            m_cursor = page->nextCursor;
            const bool more = !m_cursor.isEmpty() && !page->rows.isEmpty();
            Q_EMIT pageLoaded(static_cast<int>(m_rows.size()), more);
            if (more) {
                requestPage();
            } else {
                m_loading = false;
                m_complete = true;
                Q_EMIT loadingFinished(static_cast<int>(m_rows.size()));
            }
        });
}

} // namespace fairuse::models
