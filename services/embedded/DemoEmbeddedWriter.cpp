#include "embedded/DemoEmbeddedWriter.h"

#include "embedded/EmbeddedAppeals.h"
#include "embedded/EmbeddedDatabase.h"
#include "embedded/EmbeddedLabels.h"
#include "embedded/EmbeddedSql.h"

#include <QSqlQuery>

#include <algorithm>

namespace fairuse::services {

using namespace embedded;

namespace {

/** Minute buckets are most of the rows: multi-row statements amortise the per-statement cost of QSqlQuery. */
Status writeMinutes(QSqlDatabase& db, const QList<DemoMinute>& minutes) {
    constexpr qsizetype kRowsPerStatement = 200;
    auto statementFor = [](qsizetype rows) {
        QString sql = QStringLiteral("INSERT INTO minute_buckets (uid, source, minute, ms) VALUES ");
        for (qsizetype i = 0; i < rows; ++i) {
            sql += i == 0 ? QStringLiteral("(?,?,?,?)") : QStringLiteral(",(?,?,?,?)");
        }
        return QString(sql + QStringLiteral(" ON CONFLICT(uid, source, minute) DO UPDATE SET ms = ms + excluded.ms"));
    };
    QSqlQuery full(db);
    if (!full.prepare(statementFor(kRowsPerStatement))) {
        return sqlError(full, QStringLiteral("preparing bucket inserts"));
    }
    for (qsizetype start = 0; start < minutes.size(); start += kRowsPerStatement) {
        const qsizetype rows = std::min(kRowsPerStatement, minutes.size() - start);
        QSqlQuery partial(db);
        QSqlQuery* q = &full;
        if (rows < kRowsPerStatement) {
            if (!partial.prepare(statementFor(rows))) {
                return sqlError(partial, QStringLiteral("preparing bucket inserts"));
            }
            q = &partial;
        }
        int bind = 0;
        for (qsizetype i = start; i < start + rows; ++i) {
            const DemoMinute& m = minutes[i];
            q->bindValue(bind++, m.uid);
            q->bindValue(bind++, toString(m.source));
            q->bindValue(bind++, QVariant::fromValue<qlonglong>(m.unixMinute));
            q->bindValue(bind++, QVariant::fromValue<qlonglong>(m.speechMs));
        }
        if (!q->exec()) {
            return sqlError(*q, QStringLiteral("writing minute buckets"));
        }
    }
    return {};
}

Status writeAll(QSqlDatabase& db, const DemoPopulation& pop) {
    Writer w(db);
    if (Status s = w.prepare(); !s) {
        return s;
    }
    for (const Reviewer& r : pop.reviewers) {
        if (Status s = w.upsertReviewer(r); !s) {
            return s;
        }
    }
    for (const DemoUser& u : pop.users) {
        if (!u.subscription) {
            continue;
        }
        if (Status s = w.upsertSubscription(u.uid, *u.subscription); !s) {
            return s;
        }
    }
    for (const FairUseState& st : pop.states) {
        if (Status s = w.upsertState(st, 1); !s) {
            return s;
        }
    }
    for (const FairUseEvent& e : pop.events) {
        if (Status s = w.upsertEvent(e, 1); !s) {
            return s;
        }
    }
    for (const DemoConversation& c : pop.conversations) {
        if (Status s = w.insertConversation(c.uid, c.conversation); !s) {
            return s;
        }
    }
    if (Status s = writeMinutes(db, pop.minutes); !s) {
        return s;
    }
    for (const DemoSttBudget& b : pop.sttBudget) {
        if (Status s = w.addSttBudget(b.uid, utcDayKey(b.day), b.usedMs); !s) {
            return s;
        }
    }
    for (const LlmSpendRecord& r : pop.spend) {
        if (Status s = w.insertSpend(r); !s) {
            return s;
        }
    }
    for (const AuditRecord& a : pop.audit) {
        if (Status s = w.insertAudit(a); !s) {
            return s;
        }
    }
    for (const DemoExemption& x : pop.exemptions) {
        if (Status s = w.setExempt(x.uid, true, x.at, x.by); !s) {
            return s;
        }
    }
    for (const Appeal& a : pop.appeals) {
        if (Status s = insertAppeal(db, a); !s) {
            return s;
        }
    }
    for (const ClassifierLabel& l : pop.labels) {
        if (Status s = embedded::writeLabel(db, l, 0); !s) {
            return s;
        }
    }
    // The queue's speech snapshot at the reference time, from the same slot totals the buckets were laid out from.
    QSqlQuery snapshot(db);
    if (!snapshot.prepare(QStringLiteral("UPDATE fair_use_state SET speech_daily_ms = ?, speech_3day_ms = ?,"
                                         " speech_weekly_ms = ?, speech_at = ? WHERE uid = ?"))) {
        return sqlError(snapshot, QStringLiteral("preparing the speech snapshot"));
    }
    QSet<QString> withState;
    for (const FairUseState& st : pop.states) {
        withState.insert(st.uid);
    }
    for (const DemoUser& u : pop.users) {
        if (!withState.contains(u.uid)) {
            continue;
        }
        const SpeechTotals t = u.totalsAtReference();
        if (Status s =
                execPrepared(snapshot,
                             {QVariant::fromValue<qlonglong>(t.dailyMs), QVariant::fromValue<qlonglong>(t.threeDayMs),
                              QVariant::fromValue<qlonglong>(t.weeklyMs), timeValue(pop.referenceTime), u.uid},
                             QStringLiteral("writing the speech snapshot"));
            !s) {
            return s;
        }
    }
    return EmbeddedDatabase::writeReferenceTime(db, pop.referenceTime);
}

} // namespace

QFuture<Status> writeToEmbeddedAsync(DemoPopulation population, EmbeddedDatabase& database) {
    return database
        .run<std::monostate>([pop = std::move(population)](QSqlDatabase& db) -> Result<std::monostate> {
            if (!db.transaction()) {
                return sqlError(db, QStringLiteral("starting the seed transaction"));
            }
            const Status s = writeAll(db, pop);
            if (!s) {
                db.rollback();
                return s.error();
            }
            if (!db.commit()) {
                const Error e = sqlError(db, QStringLiteral("committing the demo population"));
                db.rollback();
                return e;
            }
            // Fresh statistics keep the planner on the queue indexes.
            (void)exec(db, QStringLiteral("ANALYZE"));
            return std::monostate{};
        })
        .then([](Result<std::monostate> r) -> Status {
            if (!r) {
                return r.error();
            }
            return {};
        });
}

Status writeToEmbedded(const DemoPopulation& population, EmbeddedDatabase& database) {
    QFuture<Status> f = writeToEmbeddedAsync(population, database);
    f.waitForFinished();
    return f.result();
}

} // namespace fairuse::services
