// `fairuse export-labels` end to end on the embedded store: the demo population's labels as JSON lines of the
// structured fields only (no conversation title, overview or classifier reasoning that the store holds), --since and
// --out, and a malformed --since as bad usage (exit 2).

#include "common/Await.h"
#include "embedded/EmbeddedCaseStore.h"
#include "embedded/EmbeddedDatabase.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

using namespace fairuse;

namespace {

struct Run {
    int exitCode = -1;
    QByteArray out;
    QString err;
    QString describe() const {
        return QStringLiteral("exit %1\nstdout: %2\nstderr: %3")
            .arg(exitCode)
            .arg(QString::fromUtf8(out.left(2000)), err);
    }
    QList<QJsonObject> lines() const {
        QList<QJsonObject> objects;
        for (const QByteArray& line : out.split('\n')) {
            if (!line.trimmed().isEmpty()) {
                objects.append(QJsonDocument::fromJson(line).object());
            }
        }
        return objects;
    }
};

} // namespace

class ExportLabelsCommandTest : public QObject {
    Q_OBJECT

private:
    QString m_exe;
    QTemporaryDir m_dir;
    QString m_db;

    Run run(const QStringList& args) const {
        QProcess p;
        p.start(m_exe, args);
        Run r;
        if (!p.waitForStarted(30000) || !p.waitForFinished(240000)) {
            r.err = QStringLiteral("could not run %1").arg(m_exe);
            return r;
        }
        r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
        r.out = p.readAllStandardOutput();
        r.err = QString::fromUtf8(p.readAllStandardError());
        return r;
    }

    Run exportLabels(const QStringList& more = {}) const {
        return run(QStringList{QStringLiteral("export-labels"), QStringLiteral("--store"), QStringLiteral("embedded"),
                               QStringLiteral("--db"), m_db} +
                   more);
    }

private Q_SLOTS:
    void initTestCase() {
        m_exe = QString::fromLocal8Bit(qgetenv("FAIRUSE_EXE"));
        QVERIFY2(!m_exe.isEmpty(), "FAIRUSE_EXE is not set");
        QVERIFY(m_dir.isValid());
        m_db = m_dir.filePath(QStringLiteral("demo.sqlite"));
        const Run seeded =
            run({QStringLiteral("seed"), QStringLiteral("--store"), QStringLiteral("embedded"), QStringLiteral("--db"),
                 m_db, QStringLiteral("--users"), QStringLiteral("50"), QStringLiteral("--flagged"),
                 QStringLiteral("30"), QStringLiteral("--now"), QStringLiteral("2026-03-23T12:00:00Z")});
        QVERIFY2(seeded.exitCode == 0, qPrintable(seeded.describe()));
    }

    void labelsAreStructuredFieldsOnly() {
        const Run r = exportLabels({QStringLiteral("--with-uid")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
        const QList<QJsonObject> labels = r.lines();
        QVERIFY2(labels.size() >= 5, qPrintable(r.describe())); // the demo's resolved cases carry labels
        QVERIFY2(r.err.contains(QStringLiteral("%1 label(s)").arg(labels.size())), qPrintable(r.err));
        const QSet<QString> keys{QStringLiteral("case"),    QStringLiteral("uid"),
                                 QStringLiteral("model"),   QStringLiteral("prompt_version"),
                                 QStringLiteral("verdict"), QStringLiteral("usage_type"),
                                 QStringLiteral("outcome"), QStringLiteral("labelled_at")};
        const QSet<QString> verdicts{QStringLiteral("model_right"), QStringLiteral("model_wrong_legitimate"),
                                     QStringLiteral("model_wrong_media"), QStringLiteral("model_wrong_other"),
                                     QStringLiteral("not_assessed")};
        QString previousAt;
        QSet<QString> uids;
        for (const QJsonObject& o : labels) {
            const QStringList k = o.keys();
            QCOMPARE(QSet<QString>(k.cbegin(), k.cend()), keys);
            QVERIFY(o.value(QStringLiteral("case")).toString().startsWith(QStringLiteral("FU-")));
            QVERIFY(verdicts.contains(o.value(QStringLiteral("verdict")).toString()));
            QVERIFY(!o.value(QStringLiteral("model")).toString().isEmpty());
            const QString labelledAt = o.value(QStringLiteral("labelled_at")).toString();
            QVERIFY2(labelledAt >= previousAt, "labels come oldest first");
            previousAt = labelledAt;
            uids.insert(o.value(QStringLiteral("uid")).toString());
        }
        // Every title, overview and classifier text the store holds of those users: none of it is in the output.
        auto db = services::EmbeddedDatabase::openBlocking(m_db);
        QVERIFY(db.ok());
        services::EmbeddedCaseStore store(*db);
        QStringList secrets;
        for (const QString& uid : std::as_const(uids)) {
            const auto conversations = services::awaitResult(store.listConversations(uid, TimePoint{}, 1000), 60000);
            QVERIFY(conversations.ok());
            for (const Conversation& c : *conversations) {
                secrets << c.title << c.overview;
            }
            const auto events = services::awaitResult(store.listEvents(uid), 60000);
            QVERIFY(events.ok());
            for (const FairUseEvent& e : *events) {
                if (e.classifier) {
                    secrets << e.classifier->reasoning;
                    for (const Evidence& ev : e.classifier->evidence) {
                        secrets << ev.title << ev.reason;
                    }
                }
                secrets << e.adminNotes;
            }
        }
        secrets.removeAll(QString());
        QVERIFY2(secrets.size() >= 10, "the labelled users have conversations and classifier texts to leak");
        const QString output = QString::fromUtf8(r.out);
        for (const QString& secret : std::as_const(secrets)) {
            QVERIFY2(!output.contains(secret), qPrintable(QStringLiteral("leaked: %1").arg(secret)));
        }
        // Without --with-uid, not even the user id.
        const Run anonymous = exportLabels();
        QVERIFY2(anonymous.exitCode == 0, qPrintable(anonymous.describe()));
        QCOMPARE(anonymous.lines().size(), labels.size());
        QVERIFY(!anonymous.lines().first().contains(QStringLiteral("uid")));
    }

    void sinceAndOut() {
        const Run all = exportLabels();
        QVERIFY2(all.exitCode == 0, qPrintable(all.describe()));
        const QList<QJsonObject> labels = all.lines();
        QVERIFY(labels.size() >= 2);
        const QString middle = labels.at(labels.size() / 2).value(QStringLiteral("labelled_at")).toString();
        qsizetype expected = 0;
        for (const QJsonObject& o : labels) {
            expected += o.value(QStringLiteral("labelled_at")).toString() >= middle ? 1 : 0;
        }
        const Run since = exportLabels({QStringLiteral("--since"), middle});
        QVERIFY2(since.exitCode == 0, qPrintable(since.describe()));
        QCOMPARE(since.lines().size(), expected);
        QVERIFY(expected < labels.size() || labels.first().value(QStringLiteral("labelled_at")).toString() == middle);
        const Run future = exportLabels({QStringLiteral("--since"), QStringLiteral("2030-01-01")});
        QVERIFY2(future.exitCode == 0, qPrintable(future.describe()));
        QVERIFY(future.lines().isEmpty());
        const Run past = exportLabels({QStringLiteral("--since"), QStringLiteral("2000-01-01")});
        QCOMPARE(past.lines().size(), labels.size());

        const QString file = m_dir.filePath(QStringLiteral("labels.jsonl"));
        const Run toFile = exportLabels({QStringLiteral("--out"), file});
        QVERIFY2(toFile.exitCode == 0, qPrintable(toFile.describe()));
        QVERIFY(toFile.out.isEmpty());
        QFile written(file);
        QVERIFY(written.open(QIODevice::ReadOnly));
        QCOMPARE(written.readAll(), all.out);
    }

    void malformedSinceIsBadUsage_data() {
        QTest::addColumn<QString>("since");
        QTest::newRow("words") << QStringLiteral("yesterday");
        QTest::newRow("no such month") << QStringLiteral("2026-13-01");
        QTest::newRow("no such day") << QStringLiteral("2026-02-30");
        QTest::newRow("american") << QStringLiteral("03/01/2026");
        QTest::newRow("empty") << QString();
    }
    void malformedSinceIsBadUsage() {
        QFETCH(QString, since);
        const Run r = exportLabels({QStringLiteral("--since"), since});
        QVERIFY2(r.exitCode == 2, qPrintable(r.describe()));
        QVERIFY2(r.err.contains(QStringLiteral("--since must be a date")), qPrintable(r.err));
        QVERIFY(r.out.isEmpty());
    }

    void noStoreNoOutput() {
        const Run r = run({QStringLiteral("export-labels"), QStringLiteral("--store"), QStringLiteral("embedded"),
                           QStringLiteral("--db"), m_dir.filePath(QStringLiteral("missing.sqlite"))});
        QVERIFY2(r.exitCode == 1, qPrintable(r.describe()));
        QVERIFY(r.out.isEmpty());
        QVERIFY(!QFileInfo::exists(m_dir.filePath(QStringLiteral("missing.sqlite"))));
        const Run bad = run({QStringLiteral("export-labels"), QStringLiteral("--store"), QStringLiteral("redis")});
        QCOMPARE(bad.exitCode, 2);
    }
};

QTEST_GUILESS_MAIN(ExportLabelsCommandTest)
#include "ExportLabelsCommandTest.moc"
