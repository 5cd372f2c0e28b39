#pragma once
// The audit log's two stores side by side for tests that run one body against both: the embedded SQLite store and
// Firestore on the emulator (a fresh project). Each subject can be seeded with a ready-made chain and can have one
// stored record edited behind the store's back (SQL on the file; a write with the emulator's owner token).

#include "EmulatorSupport.h"

#include "audit/AuditChain.h"
#include "common/Await.h"
#include "embedded/EmbeddedSql.h"
#include "embedded/EmbeddedStore.h"
#include "firestore/FirestoreCaseStore.h"
#include "firestore/FirestoreValue.h"

#include <QTemporaryDir>

#include <functional>
#include <memory>

namespace fairuse::testing {

/** A chain #1..#n, oldest first: users u0..u6, three reviewers, four actions, one minute apart. */
inline QList<AuditRecord> makeAuditChain(int n) {
    static const QStringList reviewers{QStringLiteral("ana@example.com"), QStringLiteral("bo@example.com"),
                                       QStringLiteral("cy@example.com")};
    static const QList<AuditAction> actions{AuditAction::Resolve, AuditAction::AddNote, AuditAction::OverrideStage,
                                            AuditAction::Exempt};
    const TimePoint start = at("2026-03-01T00:00:00Z");
    QList<AuditRecord> out;
    out.reserve(n);
    for (int i = 0; i < n; ++i) {
        AuditRecord r;
        r.at = start + std::chrono::minutes{i};
        r.reviewer = reviewers.at(i % reviewers.size());
        r.role = Role::SeniorReviewer;
        r.action = actions.at(i % actions.size());
        r.uid = QStringLiteral("u%1").arg(i % 7);
        r.reason = QStringLiteral("reason %1").arg(i + 1);
        r.clientVersion = QStringLiteral("audit-test");
        if (r.action == AuditAction::OverrideStage) {
            r.stageBefore = Stage::Warning;
            r.stageAfter = Stage::Throttle;
        }
        out.append(chain(out.isEmpty() ? nullptr : &out.constLast(), r));
    }
    return out;
}

/** One store under test, with what it takes to seed it and to tamper with it. */
struct AuditSubject {
    QString name;
    std::shared_ptr<services::CaseStore> store;
    /** Writes a chain (oldest first) and its head, as the store would have. */
    std::function<Status(const QList<AuditRecord>&)> seed;
    /** Sets record #sequence's reason behind the store's back; with `rehash` its hash too (a forger's edit). */
    std::function<Status(std::int64_t sequence, const QString& reason, bool rehash)> tamper;
    /** Documents the store's paged reads have read so far; -1 when the store does not count them. */
    std::function<qint64()> documentsRead;
    /** Keeps the embedded store's folder. */
    std::shared_ptr<QTemporaryDir> dir;
};

inline AuditSubject embeddedSubject() {
    AuditSubject s;
    s.name = QStringLiteral("embedded");
    s.dir = std::make_shared<QTemporaryDir>();
    services::EmbeddedStores stores = services::makeEmbeddedStores(s.dir->filePath(QStringLiteral("audit.sqlite")));
    if (!services::awaitResult(stores.database->ready(), 60000).ok()) {
        return s;
    }
    s.store = stores.cases;
    std::shared_ptr<services::EmbeddedDatabase> db = stores.database;
    s.seed = [db](const QList<AuditRecord>& records) -> Status {
        auto r = services::awaitResult(db->run<bool>([records](QSqlDatabase& sql) -> Result<bool> {
            services::embedded::Writer writer(sql);
            if (Status p = writer.prepare(); !p) {
                return p.error();
            }
            sql.transaction();
            for (const AuditRecord& a : records) {
                if (Status w = writer.insertAudit(a); !w) {
                    sql.rollback();
                    return w.error();
                }
            }
            sql.commit();
            return true;
        }),
                                       120000);
        return r ? Status{} : Status(r.error());
    };
    s.tamper = [db](std::int64_t sequence, const QString& reason, bool rehash) -> Status {
        auto r = services::awaitResult(db->run<bool>([sequence, reason, rehash](QSqlDatabase& sql) -> Result<bool> {
            auto q = services::embedded::exec(sql,
                                              QStringLiteral("SELECT ") + services::embedded::auditColumns() +
                                                  QStringLiteral(" FROM audit WHERE sequence = ?"),
                                              {QVariant::fromValue<qlonglong>(sequence)});
            if (!q || !q->next()) {
                return Error::notFound(QStringLiteral("no record %1").arg(sequence));
            }
            AuditRecord a = services::embedded::auditFromQuery(*q);
            a.reason = reason;
            const QString hash = rehash ? hashRecord(a) : a.hash;
            auto u = services::embedded::exec(
                sql, QStringLiteral("UPDATE audit SET reason = ?, hash = ? WHERE sequence = ?"),
                {reason, hash, QVariant::fromValue<qlonglong>(sequence)});
            if (!u) {
                return u.error();
            }
            return true;
        }));
        return r ? Status{} : Status(r.error());
    };
    s.documentsRead = [] { return qint64(-1); };
    return s;
}

/** Firestore on a fresh project of the emulator at `host`, with the owner's access (rules do not apply). */
inline AuditSubject firestoreSubject(const QString& host, const QString& name) {
    AuditSubject s;
    s.name = QStringLiteral("firestore");
    auto client = std::make_shared<services::FirestoreClient>(emulatorConfig(freshProject(name), host),
                                                              services::StaticToken::emulatorOwner());
    auto store = std::make_shared<services::FirestoreCaseStore>(client);
    s.store = store;
    s.seed = [client](const QList<AuditRecord>& records) -> Status {
        QList<services::FirestoreWrite> writes;
        for (const AuditRecord& a : records) {
            writes.append(services::FirestoreWrite::set(services::FirestoreCaseStore::auditPath(a.sequence),
                                                        services::encodeAudit(a)));
        }
        if (!records.isEmpty()) {
            writes.append(services::FirestoreCaseStore::headWrite(records.constLast(), std::nullopt));
        }
        auto r = wait(client->commitInBatches(writes));
        return r ? Status{} : Status(r.error());
    };
    s.tamper = [client](std::int64_t sequence, const QString& reason, bool rehash) -> Status {
        const QString path = services::FirestoreCaseStore::auditPath(sequence);
        auto doc = wait(client->get(path));
        if (!doc) {
            return doc.error();
        }
        auto a = services::decodeAudit(doc->fields);
        if (!a) {
            return a.error();
        }
        a->reason = reason;
        services::FirestoreFields fields{{QStringLiteral("reason"), services::FirestoreValue::string(reason)}};
        QStringList mask{QStringLiteral("reason")};
        if (rehash) {
            fields.insert(QStringLiteral("hash"), services::FirestoreValue::string(hashRecord(a.value())));
            mask.append(QStringLiteral("hash"));
        }
        auto r = wait(client->patch(path, fields, mask));
        return r ? Status{} : Status(r.error());
    };
    s.documentsRead = [store] { return store->auditReadStats().documents; };
    return s;
}

} // namespace fairuse::testing
