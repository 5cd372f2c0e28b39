#include "ManualReviewInbox.h"

#include "BulkResolver.h"
#include "FutureWatch.h"
#include "common/Subscription.h"
#include "enforcement/Enforcement.h"

#include <QColor>
#include <QDateTime>
#include <QHash>
#include <QLocale>

#include <algorithm>

namespace fairuse::models {

namespace {

/** Restricted users read per page. */
constexpr int kPageRows = 500;
/** Open appeals read at once; an inbox with more marks the rest as not appealed until the next load. */
constexpr int kAppealsRead = 1000;

QString utcText(TimePoint t) {
    return QDateTime::fromMSecsSinceEpoch(toUnixMs(t), Qt::UTC).toString(QStringLiteral("MM-dd HH:mm"));
}

QString hoursText(std::chrono::milliseconds d) {
    const double hours = static_cast<double>(d.count()) / 3'600'000.0;
    if (hours < 48.0) {
        return ManualReviewInbox::tr("%1 h").arg(QLocale().toString(hours, 'f', 1));
    }
    return ManualReviewInbox::tr("%1 d").arg(QLocale().toString(hours / 24.0, 'f', 1));
}

} // namespace

ManualReviewInbox::ManualReviewInbox(Backend& backend, enforcement::Policy policy, QObject* parent)
    : RowListModel<InboxEntry>(parent)
    , m_backend(backend)
    , m_policy(std::move(policy)) {}

int ManualReviewInbox::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ManualReviewInbox::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return RowListModel<InboxEntry>::headerData(section, orientation, role);
    }
    switch (section) {
    case UserColumn:
        return tr("User");
    case WaitingColumn:
        return tr("Waiting");
    case SlaColumn:
        return tr("SLA");
    case RestrictedUntilColumn:
        return tr("Restricted until");
    case CycleEndColumn:
        return tr("Cycle ends");
    case AppealColumn:
        return tr("Appeal");
    default:
        return {};
    }
}

QVariant ManualReviewInbox::data(const QModelIndex& index, int role) const {
    if (!isRowIndex(index)) {
        return {};
    }
    const InboxEntry& e = rowAt(index.row());
    if (role == UidRole) {
        return e.state.uid;
    }
    if (role == LateRole) {
        return e.sla.late;
    }
    if (role == Qt::ToolTipRole && index.column() == SlaColumn) {
        return e.sla.late ? tr("Late: the review was due at %1 UTC (SLA %2)")
                                .arg(utcText(e.sla.dueAt), hoursText(m_policy.manualReviewSla))
                          : tr("Due at %1 UTC (SLA %2)").arg(utcText(e.sla.dueAt), hoursText(m_policy.manualReviewSla));
    }
    if (role == Qt::ToolTipRole && (index.column() == RestrictedUntilColumn || index.column() == CycleEndColumn)) {
        return index.column() == RestrictedUntilColumn ? tr("The restriction ends (UTC)")
                                                       : tr("The billing cycle in force ends (UTC)");
    }
    if (role == Qt::ToolTipRole && index.column() == UserColumn) {
        return tr("%1\nRestricted: %2").arg(e.state.uid, e.state.restrictReason);
    }
    if (role == Qt::ForegroundRole && index.column() == SlaColumn && e.sla.late) {
        return QColor(0xc6, 0x28, 0x28);
    }
    if (role != Qt::DisplayRole) {
        return {};
    }
    switch (index.column()) {
    case UserColumn:
        return e.state.uid;
    case WaitingColumn:
        return hoursText(e.sla.waited);
    case SlaColumn:
        return e.sla.late ? tr("late") : tr("due %1").arg(utcText(e.sla.dueAt));
    case RestrictedUntilColumn:
        return e.state.restrictUntil ? utcText(*e.state.restrictUntil) : QString();
    case CycleEndColumn:
        return e.cycleEnd ? utcText(*e.cycleEnd) : tr("—");
    case AppealColumn:
        return e.appealed ? tr("appealed") : QString();
    default:
        return {};
    }
}

int ManualReviewInbox::rowOfUid(const QString& uid) const {
    for (int i = 0; i < m_rows.size(); ++i) {
        if (m_rows.at(i).state.uid == uid) {
            return i;
        }
    }
    return -1;
}

int ManualReviewInbox::lateCount() const {
    return static_cast<int>(
        std::count_if(m_rows.cbegin(), m_rows.cend(), [](const InboxEntry& e) { return e.sla.late; }));
}

void ManualReviewInbox::refresh() {
    const quint64 generation = ++m_generation;
    if (!m_backend.cases) {
        fail(generation, tr("No case store is connected."));
        return;
    }
    m_loading = true;
    whenFinished(this, m_backend.cases->listOpenAppeals(kAppealsRead),
                 [this, generation](const Result<QList<Appeal>>& appeals) {
                     if (generation != m_generation) {
                         return;
                     }
                     QSet<QString> appealing;
                     if (appeals) {
                         for (const Appeal& a : *appeals) {
                             appealing.insert(a.uid);
                         }
                     } else if (appeals.error().kind != ErrorKind::Unavailable) {
                         fail(generation, tr("Could not read the open appeals: %1").arg(appeals.error().message));
                         return;
                     }
                     readRestricted(generation, QString(), {}, appealing);
                 });
}

void ManualReviewInbox::readRestricted(quint64 generation, QString cursor, QList<FairUseState> states,
                                       QSet<QString> appealing) {
    services::QueueFilter filter;
    filter.stage = Stage::Restrict;
    whenFinished(this, m_backend.cases->fetchQueuePage(filter, cursor, kPageRows),
                 [this, generation, states, appealing](const Result<services::QueuePage>& page) mutable {
                     if (generation != m_generation) {
                         return;
                     }
                     if (!page) {
                         fail(generation, tr("Could not read the restricted users: %1").arg(page.error().message));
                         return;
                     }
                     for (const services::QueueRow& row : page->rows) {
                         states.append(row.state);
                     }
                     if (!page->nextCursor.isEmpty()) {
                         readRestricted(generation, page->nextCursor, std::move(states), std::move(appealing));
                         return;
                     }
                     finish(generation, states, appealing);
                 });
}

void ManualReviewInbox::finish(quint64 generation, const QList<FairUseState>& states, const QSet<QString>& appealing) {
    const TimePoint now = backendNow(m_backend);
    QList<InboxEntry> waiting;
    std::optional<TimePoint> oldest;
    for (const FairUseState& s : states) {
        const FairUseState inForce = enforcement::applyExpiry(m_policy, s, now).state;
        const std::optional<TimePoint> since = casework::restrictedSince(m_policy, inForce);
        if (!since) {
            continue; // the restriction ran out: nothing left to review
        }
        InboxEntry e;
        e.state = s;
        e.waitingSince = *since;
        e.sla = casework::slaStatus(m_policy, *since, now);
        e.cycleEnd = billingCycleEnd(s.subscription, now);
        e.appealed = appealing.contains(s.uid);
        waiting.append(e);
        oldest = oldest ? std::min(*oldest, *since) : *since;
    }
    if (waiting.isEmpty()) {
        m_loading = false;
        setRows({});
        Q_EMIT loaded(0);
        return;
    }
    // The manual reviews since the oldest restriction began, in one query.
    services::AuditFilter reviews;
    reviews.action = AuditAction::ManualReview;
    reviews.from = *oldest;
    reviews.limit = 10000;
    whenFinished(
        this, m_backend.cases->listAudit(reviews),
        [this, generation, waiting](const Result<QList<AuditRecord>>& records) mutable {
            if (generation != m_generation) {
                return;
            }
            if (!records) {
                fail(generation, tr("Could not read the manual reviews: %1").arg(records.error().message));
                return;
            }
            QHash<QString, QList<AuditRecord>> byUser;
            for (const AuditRecord& r : *records) {
                byUser[r.uid].append(r);
            }
            waiting.erase(std::remove_if(waiting.begin(), waiting.end(),
                                         [&byUser](const InboxEntry& e) {
                                             return casework::reviewedSince(byUser.value(e.state.uid), e.waitingSince);
                                         }),
                          waiting.end());
            std::sort(waiting.begin(), waiting.end(), [](const InboxEntry& a, const InboxEntry& b) {
                return a.waitingSince != b.waitingSince ? a.waitingSince < b.waitingSince : a.state.uid < b.state.uid;
            });
            m_loading = false;
            setRows(waiting);
            Q_EMIT loaded(static_cast<int>(waiting.size()));
        });
}

void ManualReviewInbox::fail(quint64 generation, const QString& message) {
    if (generation != m_generation) {
        return;
    }
    m_loading = false;
    Q_EMIT failed(message);
}

} // namespace fairuse::models
