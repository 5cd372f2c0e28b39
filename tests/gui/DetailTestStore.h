#pragma once

// A small seeded embedded store for DETAIL's GUI tests, with the population it was seeded from, so tests can
// check what the views show against the seeded data rather than against the views' own queries.

#include "Backend.h"
#include "common/Await.h"
#include "embedded/DemoEmbeddedWriter.h"
#include "embedded/DemoGenerator.h"
#include "embedded/EmbeddedStore.h"
#include "llm/HeuristicClassifierService.h"

#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

namespace fairuse::testing {

struct DetailTestStore {
    QTemporaryDir dir;
    services::DemoPopulation population;
    services::EmbeddedStores stores;
    models::Backend backend;

    QString path() const { return dir.filePath(QStringLiteral("detail.sqlite")); }

    bool seed(Role role = Role::SeniorReviewer) {
        if (!dir.isValid()) {
            return false;
        }
        services::DemoOptions o;
        o.referenceTime = parseRfc3339(QStringLiteral("2026-03-20T10:00:00Z")).value();
        o.users = 60;
        o.flaggedPerKind = 2;
        population = services::generateDemoPopulation(o);
        stores = services::makeEmbeddedStores(path());
        if (!services::awaitResult(stores.database->ready(), 60000).ok()) {
            return false;
        }
        if (!services::writeToEmbedded(population, *stores.database).ok()) {
            return false;
        }
        backend.usage = stores.usage;
        backend.cases = stores.cases;
        backend.classifier = std::make_shared<services::HeuristicClassifierService>();
        backend.reviewer = {QStringLiteral("alice.reviewer@fairuse.example"), role};
        backend.profileName = QStringLiteral("Test store");
        backend.clientVersion = QStringLiteral("detail-test");
        const TimePoint ref = population.referenceTime;
        backend.now = [ref] { return ref; };
        return true;
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
    QStringList usersWithOpenCases() const {
        QStringList out;
        for (const FairUseEvent& e : population.events) {
            if (!e.resolved && !out.contains(e.uid)) {
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
