// The embedded database file: schema creation, reopening, and refusing files it must not touch.
#include "EmbeddedTestSupport.h"
#include "TestFiles.h"

#include <QCryptographicHash>
#include <QFile>
#include <QSqlDatabase>
#include <QSqlQuery>

using namespace fairuse;
using namespace fairuse::services;
using namespace fairuse::testing;

namespace {

QByteArray digestOf(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        return {};
    }
    return QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256);
}

/** Runs statements on a file through a private connection, as another program would. */
void rawSql(const QString& path, const QStringList& statements, QVariant* lastValue = nullptr) {
    const QString name = QStringLiteral("raw-%1").arg(reinterpret_cast<quintptr>(&statements));
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(path);
        QVERIFY(db.open());
        for (const QString& sql : statements) {
            QSqlQuery q(db);
            QVERIFY2(q.exec(sql), qPrintable(sql));
            if (lastValue && q.next()) {
                *lastValue = q.value(0);
            }
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
}

ChangeSet newUserChange(const QString& uid, TimePoint now) {
    ChangeSet c;
    c.uid = uid;
    c.newState = makeState(uid, Stage::Warning, now);
    c.expectedStateVersion = QString();
    c.audit = makeAudit(uid, AuditAction::OverrideStage, now, QStringLiteral("test"));
    return c;
}

} // namespace

class TestEmbeddedDatabase : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void createsSchemaAndReopens() {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("sub/folder/store.sqlite"));
        const TimePoint now = at("2026-03-20T10:00:00Z");
        {
            auto stores = makeEmbeddedStores(path);
            QVERIFY(awaitResult(stores.database->ready()).ok());
            QCOMPARE(awaitResult(stores.database->isEmpty()).value(), true);
            auto commit = awaitResult(stores.cases->apply(newUserChange(QStringLiteral("u1"), now)));
            QVERIFY2(commit.ok(), qPrintable(commit.ok() ? QString() : commit.error().message));
            QCOMPARE(awaitResult(stores.database->isEmpty()).value(), false);
        }
        QVariant version;
        rawSql(path, {QStringLiteral("SELECT version FROM schema_version")}, &version);
        QCOMPARE(version.toInt(), EmbeddedDatabase::kSchemaVersion);
        QVariant mode;
        rawSql(path, {QStringLiteral("PRAGMA journal_mode")}, &mode);
        QCOMPARE(mode.toString(), QStringLiteral("wal"));

        auto reopened = makeEmbeddedStores(path);
        QVERIFY(awaitResult(reopened.database->ready()).ok());
        auto state = awaitResult(reopened.cases->getState(QStringLiteral("u1")));
        QVERIFY(state.ok());
        QCOMPARE(nm(state->stage), nm(Stage::Warning));
        QCOMPARE(state->version, QStringLiteral("1"));
    }

    void migratesTheStatePlanToSubscriptions() {
        // A version 1 store kept the plan on the state; version 2 keeps it as the user's subscription, as the
        // backend does (an unlimited plan without a billing period is basic until the backend says otherwise).
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("v1.sqlite"));
        const TimePoint now = at("2026-03-20T10:00:00Z");
        {
            auto stores = makeEmbeddedStores(path);
            QVERIFY(awaitResult(stores.database->ready()).ok());
            QVERIFY(awaitResult(stores.cases->apply(newUserChange(QStringLiteral("u1"), now))).ok());
            QVERIFY(awaitResult(stores.cases->apply(newUserChange(QStringLiteral("u2"), now))).ok());
        }
        rawSql(path,
               {QStringLiteral("ALTER TABLE events DROP COLUMN llm_spend"), QStringLiteral("DROP TABLE saved_views"),
                QStringLiteral("ALTER TABLE audit DROP COLUMN reviewer_uid"), QStringLiteral("DROP TABLE notes"),
                QStringLiteral("DROP TABLE casework"), QStringLiteral("DROP TABLE labels"),
                QStringLiteral("DROP TABLE claims"), QStringLiteral("DROP TABLE appeals"),
                QStringLiteral("ALTER TABLE fair_use_state DROP COLUMN classifier_failed_at"),
                QStringLiteral("ALTER TABLE fair_use_state DROP COLUMN classifier_failures"),
                QStringLiteral("DROP TABLE subscriptions"),
                QStringLiteral("ALTER TABLE fair_use_state DROP COLUMN previous_stage"),
                QStringLiteral("ALTER TABLE events DROP COLUMN policy"),
                QStringLiteral("ALTER TABLE fair_use_state ADD COLUMN plan TEXT NOT NULL DEFAULT 'basic'"),
                QStringLiteral("UPDATE fair_use_state SET plan = 'unlimited' WHERE uid = 'u2'"),
                QStringLiteral("UPDATE schema_version SET version = 1")});

        auto reopened = makeEmbeddedStores(path);
        QVERIFY(awaitResult(reopened.database->ready()).ok());
        QVariant version;
        rawSql(path, {QStringLiteral("SELECT version FROM schema_version")}, &version);
        QCOMPARE(version.toInt(), EmbeddedDatabase::kSchemaVersion); // through v2 to v9
        const auto u1 = awaitResult(reopened.cases->getState(QStringLiteral("u1")));
        const auto u2 = awaitResult(reopened.cases->getState(QStringLiteral("u2")));
        QVERIFY(u1.ok() && u2.ok());
        QVERIFY(u1->subscription == (Subscription{QStringLiteral("basic"), QStringLiteral("active"), std::nullopt}));
        QVERIFY(u2->subscription ==
                (Subscription{QStringLiteral("unlimited"), QStringLiteral("active"), std::nullopt}));
        QVERIFY(!u2->previousStage.has_value());
        QCOMPARE(u2->classifierFailures, 0); // v3: no failed classifier runs recorded yet
        QVERIFY(!u2->classifierFailedAt.has_value());
        const auto claim = awaitResult(reopened.cases->getClaim(QStringLiteral("u1"))); // v5: the claims table
        QVERIFY2(claim.ok(), qPrintable(claim.ok() ? QString() : claim.error().message));
        QVERIFY(!claim->has_value());
        const auto casework = awaitResult(reopened.cases->getCasework(QStringLiteral("u1"))); // v7: notes, casework
        QVERIFY2(casework.ok(), qPrintable(casework.ok() ? QString() : casework.error().message));
        QVERIFY(!casework->has_value());
        const auto notes = awaitResult(reopened.cases->listNotes(QStringLiteral("u1")));
        QVERIFY(notes.ok() && notes->isEmpty());
        const auto views = awaitResult(reopened.cases->listViews(Reviewer{QStringLiteral("ana@example.com")}));
        QVERIFY2(views.ok(), qPrintable(views.ok() ? QString() : views.error().message)); // v8: saved views
        QVERIFY(views->isEmpty());
    }

    void emptyFileBecomesAStore() {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("empty.sqlite"));
        QVERIFY(testing::writeFile(path));
        auto db = EmbeddedDatabase::openBlocking(path);
        QVERIFY(db.ok());
    }

    void refusesFilesItMustNotTouch_data() {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("messagePart");
        QTest::newRow("text file") << QStringLiteral("text") << QStringLiteral("not a SQLite database");
        QTest::newRow("short binary") << QStringLiteral("binary") << QStringLiteral("not a SQLite database");
        QTest::newRow("newer schema") << QStringLiteral("newer") << QStringLiteral("newer");
        QTest::newRow("other program's database") << QStringLiteral("foreign") << QStringLiteral("not a fairuse store");
    }

    void refusesFilesItMustNotTouch() {
        QFETCH(QString, kind);
        QFETCH(QString, messagePart);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("file.sqlite"));
        if (kind == QLatin1String("text")) {
            QVERIFY(testing::writeFile(path, "these are my notes, not a database\n"));
        } else if (kind == QLatin1String("binary")) {
            QVERIFY(testing::writeFile(path, QByteArray("SQLite", 6)));
        } else if (kind == QLatin1String("newer")) {
            rawSql(path,
                   {QStringLiteral("CREATE TABLE schema_version (version INTEGER NOT NULL)"),
                    QStringLiteral("INSERT INTO schema_version VALUES (%1)").arg(EmbeddedDatabase::kSchemaVersion + 1),
                    QStringLiteral("CREATE TABLE fair_use_state (uid TEXT PRIMARY KEY, future TEXT)")});
        } else {
            rawSql(path, {QStringLiteral("CREATE TABLE photos (id INTEGER PRIMARY KEY, name TEXT)"),
                          QStringLiteral("INSERT INTO photos (name) VALUES ('holiday.jpg')")});
        }
        const QByteArray before = digestOf(path);
        QVERIFY(!before.isEmpty());
        {
            auto stores = makeEmbeddedStores(path);
            const Status ready = awaitResult(stores.database->ready());
            QVERIFY(!ready.ok());
            QCOMPARE(ready.error().kind, ErrorKind::Invalid);
            QVERIFY2(ready.error().message.contains(messagePart), qPrintable(ready.error().message));
            // Every later call reports the same error instead of touching the file.
            auto state = awaitResult(stores.cases->getState(QStringLiteral("u1")));
            QVERIFY(!state.ok());
            QCOMPARE(state.error().kind, ErrorKind::Invalid);
            auto record = awaitResult(stores.usage->recordSpeech(QStringLiteral("u1"), at("2026-03-20T10:00:00Z"), 1000,
                                                                 SpeechSource::Realtime));
            QVERIFY(!record.ok());
        }
        QCOMPARE(digestOf(path), before);
        QVERIFY(!QFile::exists(path + QStringLiteral("-wal")));
    }
};

QTEST_GUILESS_MAIN(TestEmbeddedDatabase)
#include "EmbeddedDatabaseTest.moc"
