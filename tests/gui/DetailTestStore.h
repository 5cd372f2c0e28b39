#pragma once

// A small seeded embedded store for DETAIL's GUI tests, with the population it was seeded from, so tests can
// check what the views show against the seeded data rather than against the views' own queries.

#include "SeededTestStore.h"

#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QUuid>

namespace fairuse::testing {

struct DetailTestStore : SeededTestStore {
    QString path() const { return dir.filePath(QStringLiteral("detail.sqlite")); }

    bool seed(Role role = Role::SeniorReviewer) {
        return seedInto(QStringLiteral("detail.sqlite"), optionsAtReferenceTime(60, 2),
                        {QStringLiteral("alice.reviewer@fairuse.example"), role}, QStringLiteral("detail-test"));
    }

    /** Open cases with classifier evidence, newest first per the population order. */
    QList<FairUseEvent> openCasesWithEvidence() const {
        QList<FairUseEvent> out;
        for (const FairUseEvent& e : population.events) {
            if (!e.resolved && e.classifier && !e.classifier->evidence.isEmpty()) {
                out.append(e);
            }
        }
        return out;
    }

    /** Users with exactly one open case and no resolved ones (simple subjects for action tests). */
    /** Flagged users with an open case of a speech cap (the LLM-spend cases of users without a stage aside). */
    QStringList usersWithOpenCases() const {
        QStringList out;
        for (const FairUseEvent& e : population.events) {
            if (!e.resolved && !isSpendTrigger(e.trigger) && !out.contains(e.uid)) {
                out.append(e.uid);
            }
        }
        return out;
    }

    QList<AuditRecord> audit(const QString& uid = {}) const {
        services::AuditFilter f;
        f.uid = uid;
        f.limit = 100000;
        auto r = services::awaitResult(stores.cases->listAudit(f));
        return r ? r.value() : QList<AuditRecord>{};
    }

    FairUseState state(const QString& uid) const { return services::awaitResult(stores.cases->getState(uid)).value(); }

    QList<FairUseEvent> events(const QString& uid) const {
        return services::awaitResult(stores.cases->listEvents(uid)).value();
    }

    /** Runs SQL on the file through a second connection, behind the store's back. */
    bool execSql(const QString& sql) {
        // Let the store's worker finish what is queued first.
        (void)services::awaitResult(stores.cases->reviewerRole(QStringLiteral("nobody@example.com")));
        const QString name = QUuid::createUuid().toString();
        bool ok = false;
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
            db.setDatabaseName(path());
            if (db.open()) {
                QSqlQuery q(db);
                ok = q.exec(sql) && q.numRowsAffected() > 0;
                if (!ok) {
                    qWarning() << "SQL failed:" << sql << q.lastError().text();
                }
            }
            db.close();
        }
        QSqlDatabase::removeDatabase(name);
        return ok;
    }
};

} // namespace fairuse::testing
