// `fairuse replay` end to end: runs the built executable on small histories and checks stages, actions, line
// numbers of malformed lines and exit codes.

#include "TestFiles.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

class ReplayCommandTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void escalatesAnAbuserButNotAHeavyUser();
    void malformedLinesAreReportedAndSkipped_data();
    void malformedLinesAreReportedAndSkipped();
    void rejectedLineChangesNothing();
    void classifierFailuresBackOff();
    void policyCanDisableEnforcement();
    void planComesFromTheSubscription();
    void overrides();
    void readsStandardInput();
    void usageErrors_data();
    void usageErrors();

private:
    struct Run {
        int exitCode = -1;
        QList<QJsonObject> lines;
        QString err;
    };
    Run run(const QStringList& args, const QByteArray& stdinData = {});
    QString write(const QString& name, const QByteArray& content);

    QTemporaryDir m_dir;
    QString m_exe;
};

void ReplayCommandTest::initTestCase() {
    m_exe = QString::fromLocal8Bit(qgetenv("FAIRUSE_EXE"));
    QVERIFY2(!m_exe.isEmpty(), "FAIRUSE_EXE is not set");
    QVERIFY(m_dir.isValid());
}

ReplayCommandTest::Run ReplayCommandTest::run(const QStringList& args, const QByteArray& stdinData) {
    QProcess p;
    p.start(m_exe, QStringList{QStringLiteral("replay")} + args);
    Run r;
    if (!p.waitForStarted()) {
        r.err = QStringLiteral("could not start %1").arg(m_exe);
        return r;
    }
    p.write(stdinData);
    p.closeWriteChannel();
    if (!p.waitForFinished(60'000)) {
        p.kill();
        p.waitForFinished();
        r.err = QStringLiteral("timed out");
        return r;
    }
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.err = QString::fromUtf8(p.readAllStandardError());
    for (const QByteArray& line : p.readAllStandardOutput().split('\n')) {
        if (line.trimmed().isEmpty()) {
            continue;
        }
        const QJsonDocument doc = QJsonDocument::fromJson(line);
        r.lines.append(doc.isObject() ? doc.object()
                                      : QJsonObject{{QStringLiteral("unparsed"), QString::fromUtf8(line)}});
    }
    return r;
}

QString ReplayCommandTest::write(const QString& name, const QByteArray& content) {
    const QString path = m_dir.filePath(name);
    return fairuse::testing::writeFile(path, content) ? path : QString();
}

namespace {

QString str(const QJsonObject& o, const char* key) {
    return o.value(QLatin1String(key)).toString();
}

// A user who speaks 2 h 1 min a day (over the 2 h daily cap) and is checked a few times.
const QByteArray kHistory = R"({"at":"2026-03-01T10:00:00Z","kind":"speech","uid":"abuser","ms":7260000}
{"at":"2026-03-01T10:00:00Z","kind":"speech","uid":"meetings","ms":7260000,"plan":"basic"}
{"at":"2026-03-01T10:00:00Z","kind":"check","uid":"abuser","classifier":{"misuse_score":0.92,"usage_type":"audiobook"}}
{"at":"2026-03-01T10:00:00Z","kind":"check","uid":"meetings","classifier":{"misuse_score":0.2,"usage_type":"none"}}
{"at":"2026-03-01T10:05:00Z","kind":"check","uid":"abuser","classifier":{"misuse_score":0.92,"usage_type":"audiobook"}}
{"at":"2026-03-01T22:00:00Z","kind":"check","uid":"abuser","classifier":{"misuse_score":0.9,"usage_type":"audiobook"}}
{"at":"2026-03-02T10:00:00Z","kind":"speech","uid":"abuser","ms":7260000}
{"at":"2026-03-02T10:00:00Z","kind":"check","uid":"abuser"}
{"at":"2026-03-02T10:00:00Z","kind":"check","uid":"abuser","classifier":{"misuse_score":0.95,"usage_type":"audiobook"}}
{"at":"2026-03-02T10:00:00Z","kind":"speech","uid":"meetings","ms":7260000}
{"at":"2026-03-02T10:00:00Z","kind":"check","uid":"meetings","classifier":{"misuse_score":0.3,"usage_type":"none"}}
)";

} // namespace

void ReplayCommandTest::escalatesAnAbuserButNotAHeavyUser() {
    const QString file = write(QStringLiteral("history.jsonl"), kHistory);
    const Run r = run({file});
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(r.err.isEmpty(), qPrintable(r.err));
    QCOMPARE(r.lines.size(), 7);

    const struct {
        const char* uid;
        const char* before;
        const char* after;
        const char* action;
    } expected[] = {
        {"abuser", "none", "warning", "warn"},
        {"meetings", "none", "none", "legitimate_use"},
        {"abuser", "warning", "warning", "cooldown_skip"},
        {"abuser", "warning", "throttle", "throttle"}, // 12 h later: 2nd violation within 7 days
        {"abuser", "throttle", "throttle", "consult_classifier"},
        {"abuser", "throttle", "restrict", "restrict"}, // 3rd violation within 30 days
        {"meetings", "none", "none", "legitimate_use"},
    };
    for (int i = 0; i < r.lines.size(); ++i) {
        const QJsonObject& o = r.lines.at(i);
        QCOMPARE(str(o, "uid"), QLatin1String(expected[i].uid));
        QCOMPARE(str(o, "stage_before"), QLatin1String(expected[i].before));
        QCOMPARE(str(o, "stage_after"), QLatin1String(expected[i].after));
        QCOMPARE(str(o, "action"), QLatin1String(expected[i].action));
        QVERIFY(!str(o, "explanation").isEmpty());
        QVERIFY(str(o, "explanation").contains(QStringLiteral("requested v1")));
    }
    // The first check sees exactly the recorded speech in all windows, over the daily cap only.
    const QJsonObject& first = r.lines.first();
    QCOMPARE(str(first, "at"), QStringLiteral("2026-03-01T10:00:00.000Z"));
    QCOMPARE(first.value(QStringLiteral("daily_ms")).toInteger(), qint64(7'260'000));
    QCOMPARE(first.value(QStringLiteral("three_day_ms")).toInteger(), qint64(7'260'000));
    QCOMPARE(first.value(QStringLiteral("weekly_ms")).toInteger(), qint64(7'260'000));
    QCOMPARE(first.value(QStringLiteral("caps_hit")).toArray().size(), 1);
    QCOMPARE(first.value(QStringLiteral("caps_hit")).toArray().at(0).toString(), QStringLiteral("daily"));
    // A day later the first block has left the 24 h window except its last minute (the window's inclusive edge).
    const QJsonObject& restrict = r.lines.at(5);
    QCOMPARE(restrict.value(QStringLiteral("daily_ms")).toInteger(), qint64(7'260'000 + 60'000));
    QCOMPARE(restrict.value(QStringLiteral("three_day_ms")).toInteger(), qint64(2 * 7'260'000));
}

void ReplayCommandTest::malformedLinesAreReportedAndSkipped_data() {
    QTest::addColumn<QByteArray>("badLine");
    QTest::addColumn<QString>("mentions");

    QTest::newRow("not JSON") << QByteArray("{not json") << QStringLiteral("JSON");
    QTest::newRow("array") << QByteArray("[1]") << QStringLiteral("object");
    QTest::newRow("unknown kind") << QByteArray(R"({"at":"2026-03-01T10:00:00Z","kind":"talk","uid":"a"})")
                                  << QStringLiteral("kind");
    QTest::newRow("bad time") << QByteArray(R"({"at":"yesterday","kind":"check","uid":"a"})") << QStringLiteral("at");
    QTest::newRow("missing uid") << QByteArray(R"({"at":"2026-03-01T10:00:00Z","kind":"check"})")
                                 << QStringLiteral("uid");
    QTest::newRow("negative ms") << QByteArray(R"({"at":"2026-03-01T10:00:00Z","kind":"speech","uid":"a","ms":-5})")
                                 << QStringLiteral("ms");
    QTest::newRow("ms as string") << QByteArray(R"({"at":"2026-03-01T10:00:00Z","kind":"speech","uid":"a","ms":"5"})")
                                  << QStringLiteral("ms");
    QTest::newRow("score out of range")
        << QByteArray(R"({"at":"2026-03-01T10:00:00Z","kind":"check","uid":"a","classifier":{"misuse_score":7}})")
        << QStringLiteral("misuse_score");
    QTest::newRow("unknown key") << QByteArray(R"({"at":"2026-03-01T10:00:00Z","kind":"check","uid":"a","x":1})")
                                 << QStringLiteral("\"x\"");
    QTest::newRow("unknown role")
        << QByteArray(
               R"({"at":"2026-03-01T10:00:00Z","kind":"override","uid":"a","stage":"none","reviewer":"r@x","role":"boss","reason":"r"})")
        << QStringLiteral("role");
    QTest::newRow("out of order") << QByteArray(R"({"at":"2026-02-01T10:00:00Z","kind":"check","uid":"a"})")
                                  << QStringLiteral("chronological");
    QTest::newRow("minute overfilled") << QByteArray(
                                              R"({"at":"2026-03-01T10:00:30Z","kind":"speech","uid":"a","ms":60000})")
                                       << QStringLiteral("speech rejected");
}

void ReplayCommandTest::malformedLinesAreReportedAndSkipped() {
    QFETCH(QByteArray, badLine);
    QFETCH(QString, mentions);

    const QByteArray content = QByteArray(R"({"at":"2026-03-01T10:00:00Z","kind":"speech","uid":"a","ms":60000})") +
                               "\n\n" + // a blank line is not an error
                               badLine + "\n" + R"({"at":"2026-03-01T10:01:00Z","kind":"check","uid":"a"})" + "\n";
    const Run r = run({write(QStringLiteral("bad.jsonl"), content)});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains(QStringLiteral("line 3:")), qPrintable(r.err));
    QVERIFY2(r.err.contains(mentions), qPrintable(r.err));
    QCOMPARE(r.err.count(QStringLiteral("line ")), 1); // only the bad line
    // The good lines around it still ran.
    QCOMPARE(r.lines.size(), 1);
    QCOMPARE(r.lines.first().value(QStringLiteral("daily_ms")).toInteger(), qint64(60'000));
}

void ReplayCommandTest::rejectedLineChangesNothing() {
    // The third line spans two minutes; its first minute is free, its second already full. The line is rejected
    // whole: none of its speech is recorded and its plan does not stick.
    const QByteArray content = R"({"at":"2026-03-01T08:00:00Z","kind":"speech","uid":"a","ms":7260000}
{"at":"2026-03-01T10:01:00Z","kind":"speech","uid":"a","ms":60000}
{"at":"2026-03-01T10:01:30Z","kind":"speech","uid":"a","ms":120000,"plan":"unlimited"}
{"at":"2026-03-01T10:02:00Z","kind":"check","uid":"a"}
)";
    const Run r = run({write(QStringLiteral("rejected.jsonl"), content)});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains(QStringLiteral("line 3:")), qPrintable(r.err));
    QVERIFY2(r.err.contains(QStringLiteral("speech rejected")), qPrintable(r.err));
    QCOMPARE(r.lines.size(), 1);
    QCOMPARE(r.lines.first().value(QStringLiteral("daily_ms")).toInteger(), qint64(7'260'000 + 60'000));
    // Still on basic: the 2 h cap is hit.
    QCOMPARE(str(r.lines.first(), "action"), QStringLiteral("consult_classifier"));
}

void ReplayCommandTest::classifierFailuresBackOff() {
    // The classifier service is down: the failure is recorded, the next checks wait 15 min, and a good verdict after
    // the wait counts.
    const QByteArray content = R"({"at":"2026-03-01T10:00:00Z","kind":"speech","uid":"a","ms":7260000}
{"at":"2026-03-01T10:00:00Z","kind":"check","uid":"a","classifier_failed":true}
{"at":"2026-03-01T10:05:00Z","kind":"check","uid":"a"}
{"at":"2026-03-01T10:15:00Z","kind":"check","uid":"a"}
{"at":"2026-03-01T10:15:00Z","kind":"check","uid":"a","classifier":{"misuse_score":0.9,"usage_type":"audiobook"}}
)";
    const Run r = run({write(QStringLiteral("failures.jsonl"), content)});
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.lines.size(), 4);
    QCOMPARE(str(r.lines.at(0), "action"), QStringLiteral("classifier_failed"));
    QCOMPARE(str(r.lines.at(1), "action"), QStringLiteral("classifier_backoff"));
    QCOMPARE(str(r.lines.at(2), "action"), QStringLiteral("consult_classifier"));
    QCOMPARE(str(r.lines.at(3), "action"), QStringLiteral("warn"));
    QCOMPARE(str(r.lines.at(3), "stage_after"), QStringLiteral("warning"));
}

void ReplayCommandTest::policyCanDisableEnforcement() {
    const QString file = write(QStringLiteral("history2.jsonl"), kHistory);
    const QString policy = write(QStringLiteral("off.json"), R"({"enabled": false, "name": "off"})");
    const Run r = run({file, QStringLiteral("--policy"), policy});
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.lines.size(), 7);
    for (const QJsonObject& o : r.lines) {
        QCOMPARE(str(o, "action"), QStringLiteral("disabled"));
        QCOMPARE(str(o, "stage_after"), QStringLiteral("none"));
        QVERIFY(str(o, "explanation").contains(QStringLiteral("off v1")));
    }

    // A stricter threshold via --policy=FILE: the heavy user's 0.3 becomes a violation.
    const QString strict = write(QStringLiteral("strict.json"), R"({"score_threshold": 0.25})");
    const Run s = run({QStringLiteral("--policy=") + strict, file});
    QCOMPARE(s.exitCode, 0);
    QCOMPARE(str(s.lines.at(1), "action"), QStringLiteral("legitimate_use")); // 0.2 < 0.25
    QCOMPARE(str(s.lines.at(6), "action"), QStringLiteral("warn"));           // 0.3 >= 0.25
}

void ReplayCommandTest::planComesFromTheSubscription() {
    // An unlimited user at 3 h a day is under the 4 h cap until the paid period ends (2026-03-02T00:00:00Z), then on
    // basic's 2 h cap. Basic users and users without a subscription whose credits run out are restricted directly;
    // a paid user in their period is not.
    const QByteArray content =
        R"({"at":"2026-03-01T12:00:00Z","kind":"speech","uid":"paid","ms":10800000,"subscription":{"plan":"unlimited","status":"active","current_period_end":1772409600}}
{"at":"2026-03-01T12:00:00Z","kind":"check","uid":"paid"}
{"at":"2026-03-01T12:05:00Z","kind":"check","uid":"basic","credits_exhausted":true,"subscription":{"plan":"basic","status":"active","current_period_end":null}}
{"at":"2026-03-01T12:05:00Z","kind":"check","uid":"nosub","credits_exhausted":true}
{"at":"2026-03-01T12:05:00Z","kind":"check","uid":"paid","credits_exhausted":true}
{"at":"2026-03-02T01:00:00Z","kind":"check","uid":"paid"}
{"at":"2026-03-02T01:05:00Z","kind":"check","uid":"basic","credits_exhausted":false}
)";
    const Run r = run({write(QStringLiteral("subscriptions.jsonl"), content)});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QCOMPARE(r.lines.size(), 6);
    QCOMPARE(str(r.lines.at(0), "action"), QStringLiteral("none")); // 3 h under unlimited's 4 h
    QCOMPARE(str(r.lines.at(1), "action"), QStringLiteral("free_plan_restrict"));
    QCOMPARE(str(r.lines.at(2), "action"), QStringLiteral("free_plan_restrict"));
    QCOMPARE(str(r.lines.at(3), "action"), QStringLiteral("none"));               // paid: credits are not the gate
    QCOMPARE(str(r.lines.at(4), "action"), QStringLiteral("consult_classifier")); // period over: basic's 2 h cap
    QCOMPARE(r.lines.at(4).value(QStringLiteral("caps_hit")).toArray().size(), 1);
    QCOMPARE(str(r.lines.at(5), "action"), QStringLiteral("free_plan_release"));

    const QByteArray both =
        R"({"at":"2026-03-01T12:00:00Z","kind":"check","uid":"x","plan":"basic","subscription":{"plan":"basic"}})";
    const Run bad = run({write(QStringLiteral("both.jsonl"), both + "\n")});
    QCOMPARE(bad.exitCode, 1);
    QVERIFY2(bad.err.contains(QStringLiteral("not both")), qPrintable(bad.err));
}

void ReplayCommandTest::overrides() {
    const QByteArray content =
        R"({"at":"2026-03-01T10:00:00Z","kind":"override","uid":"a","stage":"restrict","reviewer":"rev@example.com","role":"reviewer","reason":"looks bad"}
{"at":"2026-03-01T10:01:00Z","kind":"override","uid":"a","stage":"restrict","reviewer":"sen@example.com","role":"senior_reviewer","reason":"looks bad"}
{"at":"2026-03-01T10:02:00Z","kind":"override","uid":"a","stage":"none","reviewer":"adm@example.com","role":"admin","reason":""}
)";
    const Run r = run({write(QStringLiteral("ov.jsonl"), content)});
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.lines.size(), 3);
    QCOMPARE(str(r.lines.at(0), "action"), QStringLiteral("override_refused"));
    QCOMPARE(str(r.lines.at(0), "stage_after"), QStringLiteral("none"));
    QVERIFY(str(r.lines.at(0), "explanation").contains(QStringLiteral("senior_reviewer")));
    QCOMPARE(str(r.lines.at(1), "action"), QStringLiteral("override"));
    QCOMPARE(str(r.lines.at(1), "stage_after"), QStringLiteral("restrict"));
    QVERIFY(str(r.lines.at(1), "explanation").contains(QStringLiteral("sen@example.com")));
    QCOMPARE(str(r.lines.at(2), "action"), QStringLiteral("override_refused")); // reason required
    QCOMPARE(str(r.lines.at(2), "stage_after"), QStringLiteral("restrict"));
}

void ReplayCommandTest::readsStandardInput() {
    const Run r = run({QStringLiteral("-")}, kHistory);
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.lines.size(), 7);
    QCOMPARE(str(r.lines.at(5), "stage_after"), QStringLiteral("restrict"));
}

void ReplayCommandTest::usageErrors_data() {
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("mentions");

    QTest::newRow("no file") << QStringList{} << 2 << QStringLiteral("missing input");
    QTest::newRow("file does not exist") << QStringList{QStringLiteral("/nonexistent/h.jsonl")} << 2
                                         << QStringLiteral("cannot read");
    QTest::newRow("policy without a file")
        << QStringList{QStringLiteral("-"), QStringLiteral("--policy")} << 2 << QStringLiteral("--policy");
    QTest::newRow("unknown option") << QStringList{QStringLiteral("--fast"), QStringLiteral("-")} << 2
                                    << QStringLiteral("--fast");
    QTest::newRow("two files") << QStringList{QStringLiteral("a"), QStringLiteral("b")} << 2
                               << QStringLiteral("one input");
    QTest::newRow("help") << QStringList{QStringLiteral("--help")} << 0 << QString();
}

void ReplayCommandTest::usageErrors() {
    QFETCH(QStringList, args);
    QFETCH(int, exitCode);
    QFETCH(QString, mentions);

    const Run r = run(args);
    QCOMPARE(r.exitCode, exitCode);
    QVERIFY2(r.err.contains(mentions), qPrintable(r.err));

    // A bad policy file is a usage error too, before any line is read.
    const QString bad = write(QStringLiteral("bad-policy.json"), R"({"enabled": "yes"})");
    const Run p = run({write(QStringLiteral("h.jsonl"), kHistory), QStringLiteral("--policy"), bad});
    QCOMPARE(p.exitCode, 2);
    QVERIFY2(p.err.contains(QStringLiteral("\"enabled\"")), qPrintable(p.err));
    QVERIFY(p.lines.isEmpty());
}

QTEST_GUILESS_MAIN(ReplayCommandTest)
#include "ReplayCommandTest.moc"
