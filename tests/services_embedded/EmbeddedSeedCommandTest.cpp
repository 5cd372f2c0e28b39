// `fairuse seed`, run as a process: writes a store, refuses to overwrite one, and rejects bad arguments.
#include "EmbeddedTestSupport.h"
#include "TestFiles.h"

#include <QCryptographicHash>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QProcessEnvironment>

using namespace fairuse;
using namespace fairuse::services;
using namespace fairuse::testing;

namespace {

struct Run {
    int exitCode = -1;
    QString out;
    QString err;
};

Run runSeed(const QStringList& args, const QString& dataHome = {}) {
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    if (!dataHome.isEmpty()) {
        env.insert(QStringLiteral("XDG_DATA_HOME"), dataHome);
    }
    p.setProcessEnvironment(env);
    p.start(qEnvironmentVariable("FAIRUSE_CLI"), QStringList{QStringLiteral("seed")} + args);
    Run r;
    if (!p.waitForFinished(240'000)) {
        p.kill();
        p.waitForFinished();
        return r;
    }
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = QString::fromUtf8(p.readAllStandardOutput());
    r.err = QString::fromUtf8(p.readAllStandardError());
    return r;
}

QByteArray digestOf(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256)
                                       : QByteArray();
}

const QStringList kSmall{QStringLiteral("--users"),   QStringLiteral("200"),
                         QStringLiteral("--flagged"), QStringLiteral("10"),
                         QStringLiteral("--seed"),    QStringLiteral("7"),
                         QStringLiteral("--now"),     QStringLiteral("2026-03-20T10:00:00Z")};

} // namespace

class TestSeedCommand : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QVERIFY2(QFile::exists(qEnvironmentVariable("FAIRUSE_CLI")), "FAIRUSE_CLI not set"); }

    void seedsAnEmbeddedStore() {
        QTemporaryDir dir;
        const QString db = dir.filePath(QStringLiteral("demo.sqlite"));
        const Run r = runSeed(
            QStringList{QStringLiteral("--store"), QStringLiteral("embedded"), QStringLiteral("--db"), db} + kSmall);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QJsonObject summary = QJsonDocument::fromJson(r.out.toUtf8()).object();
        QCOMPARE(summary.value(QStringLiteral("db")).toString(), db);
        QCOMPARE(summary.value(QStringLiteral("users")).toInt(), 200);
        QCOMPARE(summary.value(QStringLiteral("reference_time")).toString(),
                 QStringLiteral("2026-03-20T10:00:00.000Z"));
        QVERIFY(r.err.contains(db));

        auto stores = makeEmbeddedStores(db);
        QVERIFY(awaitResult(stores.database->ready()).ok());
        auto page = awaitResult(stores.cases->fetchQueuePage({}, QString(), 200));
        QVERIFY(page.ok());
        QCOMPARE(page->rows.size(), summary.value(QStringLiteral("flagged")).toInt());
        QVERIFY(!page->rows.isEmpty());
        QCOMPARE(nm(awaitResult(stores.cases->reviewerRole(QStringLiteral("demo.reviewer@fairuse.example"))).value()),
                 nm(Role::SeniorReviewer));
    }

    void refusesToOverwriteWithoutForce() {
        QTemporaryDir dir;
        const QString db = dir.filePath(QStringLiteral("demo.sqlite"));
        const QStringList args = QStringList{QStringLiteral("--db"), db} + kSmall;
        QCOMPARE(runSeed(args).exitCode, 0);
        // Let the WAL be checkpointed into the file so that the digest covers everything.
        {
            auto stores = makeEmbeddedStores(db);
            QVERIFY(awaitResult(stores.database->ready()).ok());
        }
        const QByteArray before = digestOf(db);
        const Run again = runSeed(args);
        QCOMPARE(again.exitCode, 1);
        QVERIFY2(again.err.contains(QStringLiteral("--force")), qPrintable(again.err));
        QCOMPARE(digestOf(db), before);

        QStringList other = args;
        other[other.indexOf(QStringLiteral("7"))] = QStringLiteral("8");
        const Run forced = runSeed(QStringList{QStringLiteral("--force")} + other);
        QVERIFY2(forced.exitCode == 0, qPrintable(forced.err));
        QVERIFY(digestOf(db) != before);
    }

    void neverTouchesAFileThatIsNotAStore() {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("notes.txt"));
        QVERIFY(testing::writeFile(path, "shopping list\n"));
        const Run r = runSeed(QStringList{QStringLiteral("--db"), path, QStringLiteral("--force")} + kSmall);
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains(QStringLiteral("not a SQLite database")), qPrintable(r.err));
        QCOMPARE(digestOf(path), QCryptographicHash::hash("shopping list\n", QCryptographicHash::Sha256));
    }

    void defaultPathIsInTheApplicationDataFolder() {
        QTemporaryDir home;
        const Run r = runSeed(kSmall, home.path());
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QString db = QJsonDocument::fromJson(r.out.toUtf8()).object().value(QStringLiteral("db")).toString();
        QVERIFY2(db.startsWith(home.path()) && db.endsWith(QStringLiteral("/demo.sqlite")), qPrintable(db));
        QVERIFY(QFile::exists(db));
    }

    void usageErrors_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");
        QTest::newRow("--db with redis+firestore")
            << QStringList{QStringLiteral("--store"),   QStringLiteral("redis+firestore"), QStringLiteral("--redis"),
                           QStringLiteral("redis://x"), QStringLiteral("--firestore"),     QStringLiteral("p")}
            << QStringLiteral("--db is for --store embedded");
        QTest::newRow("unknown store") << QStringList{QStringLiteral("--store"), QStringLiteral("mongo")}
                                       << QStringLiteral("unknown store");
        QTest::newRow("bad time") << QStringList{QStringLiteral("--now"), QStringLiteral("yesterday")}
                                  << QStringLiteral("--now");
        QTest::newRow("negative users") << QStringList{QStringLiteral("--users"), QStringLiteral("-5")}
                                        << QStringLiteral("--users");
        QTest::newRow("users not a number")
            << QStringList{QStringLiteral("--users"), QStringLiteral("many")} << QStringLiteral("--users");
        QTest::newRow("bad seed") << QStringList{QStringLiteral("--seed"), QStringLiteral("x")}
                                  << QStringLiteral("--seed");
        QTest::newRow("unknown option") << QStringList{QStringLiteral("--colour")} << QStringLiteral("colour");
        QTest::newRow("stray argument") << QStringList{QStringLiteral("please")} << QStringLiteral("please");
    }

    void usageErrors() {
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        QTemporaryDir dir;
        const Run r = runSeed(QStringList{QStringLiteral("--db"), dir.filePath(QStringLiteral("x.sqlite"))} + args);
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains(message), qPrintable(r.err));
        QVERIFY(!QFile::exists(dir.filePath(QStringLiteral("x.sqlite"))));
    }

    void helpDescribesBothStores() {
        const Run r = runSeed({QStringLiteral("--help")});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains(QStringLiteral("redis+firestore")));
        QVERIFY(r.out.contains(QStringLiteral("--firestore PROJECT")));
    }
};

QTEST_GUILESS_MAIN(TestSeedCommand)
#include "EmbeddedSeedCommandTest.moc"
