// The reviewer commands at work: each role does what it may (resolve, override), bulk resolve of pasted references is
// idempotent, the audit records name the verified reviewer and audit verify finds a tampered record, and an admin
// grants, lists and revokes reviewers.
#include "ReviewerCommandsTestBase.h"
#include "TestFiles.h"

#include "audit/AuditChain.h"
#include "firestore/FirestoreValue.h"
#include "redis/RedisClient.h"
#include "redis/RedisUsageStore.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>

using namespace fairuse;
using namespace fairuse::services;
using namespace fairuse::testing::cli;
namespace backends = fairuse::testing::backends;

class ReviewerCommandsTest : public ReviewerCommandsTestBase {
    Q_OBJECT

private Q_SLOTS:
    void eachRoleDoesWhatItMay();
    void bulkResolvePastedReferencesIdempotently();
    void auditRecordsNameTheVerifiedReviewer();
    void auditVerifyFindsATamperedRecord();
    void reviewersGrantListRevoke();
};

void ReviewerCommandsTest::eachRoleDoesWhatItMay() {
    REQUIRE_BACKENDS();
    // --- the plain reviewer -------------------------------------------------------------------------------------
    QVERIFY(login(m_reviewer).exitCode == 0);
    Run r =
        cli(onProject({QStringLiteral("resolve"), pasted(m_warnCase.caseRef, 0), QStringLiteral("--outcome"),
                       QStringLiteral("confirmed"), QStringLiteral("--reason-code"), QStringLiteral("media_confirmed"),
                       QStringLiteral("--verdict"), QStringLiteral("model_wrong_media"), QStringLiteral("--notes"),
                       QStringLiteral("seen it"), QStringLiteral("--json")}));
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QJsonObject o = r.json();
    QCOMPARE(o.value(QStringLiteral("status")).toString(), QStringLiteral("resolved"));
    QCOMPARE(o.value(QStringLiteral("case_ref")).toString(), m_warnCase.caseRef);
    QJsonObject audit = o.value(QStringLiteral("audit")).toObject();
    QCOMPARE(audit.value(QStringLiteral("reviewer")).toString(), m_reviewer.email);
    QCOMPARE(audit.value(QStringLiteral("reviewer_uid")).toString(), m_reviewer.uid);
    QCOMPARE(audit.value(QStringLiteral("role")).toString(), QStringLiteral("reviewer"));
    QVERIFY(audit.value(QStringLiteral("sequence")).toInteger() >= 1);
    const qint64 firstSequence = audit.value(QStringLiteral("sequence")).toInteger();
    ++m_expectedRecords;
    {
        const auto e = caseNow(m_warnCase);
        VERIFY_OK(e);
        QVERIFY(e->resolved);
        QCOMPARE(e->resolvedBy, m_reviewer.email);
        QVERIFY(!m_seed->hasCasework(m_warnCase.uid)); // the escalation ended with the resolve
    }

    // The verdict is a label in the project, which export-labels reads as the reviewer: structured fields only.
    r = cli(onProject({QStringLiteral("export-labels"), QStringLiteral("--with-uid")}));
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    {
        QList<QJsonObject> mine;
        for (const QJsonObject& l : r.lines()) {
            if (l.value(QStringLiteral("case")).toString() == m_warnCase.caseRef) {
                mine.append(l);
            }
        }
        QCOMPARE(mine.size(), 1);
        QCOMPARE(mine.first().value(QStringLiteral("verdict")).toString(), QStringLiteral("model_wrong_media"));
        QCOMPARE(mine.first().value(QStringLiteral("outcome")).toString(), QStringLiteral("confirmed"));
        QCOMPARE(mine.first().value(QStringLiteral("model")).toString(), QStringLiteral("gpt-4.1-mini"));
        QCOMPARE(mine.first().value(QStringLiteral("prompt_version")).toString(), QStringLiteral("purpose-v3"));
        QCOMPARE(mine.first().value(QStringLiteral("uid")).toString(), m_warnCase.uid);
        QVERIFY(!r.out.contains("Secret Garden"));
    }

    // The same resolve again: nothing applied twice, the earlier record reported.
    r = cli(onProject({QStringLiteral("resolve"), pasted(m_warnCase.caseRef, 1), QStringLiteral("--outcome"),
                       QStringLiteral("confirmed"), QStringLiteral("--reason-code"), QStringLiteral("media_confirmed"),
                       QStringLiteral("--json")}));
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QCOMPARE(r.json().value(QStringLiteral("status")).toString(), QStringLiteral("already_applied"));
    QCOMPARE(r.json().value(QStringLiteral("audit")).toObject().value(QStringLiteral("sequence")).toInteger(),
             firstSequence);

    // A plain reviewer may not restrict: refused by the core, with the reason, and nothing written.
    r = cli(onProject({QStringLiteral("override"), m_throttleUser.uid, QStringLiteral("--stage"),
                       QStringLiteral("restrict"), QStringLiteral("--reason-code"), QStringLiteral("repeat_violation"),
                       QStringLiteral("--notes"), QStringLiteral("keeps going")}));
    QVERIFY2(r.exitCode == 1, qPrintable(r.describe()));
    QVERIFY2(r.err.contains(QLatin1String("refused")) && r.err.contains(QLatin1String("senior_reviewer")),
             qPrintable(r.describe()));
    QCOMPARE(stageOf(m_throttleUser.uid), QStringLiteral("throttle"));
    QVERIFY(m_seed->hasCasework(m_throttleUser.uid)); // a refused decision ends nothing
    // Nor lift a restriction through a false-positive resolution.
    r = cli(onProject({QStringLiteral("resolve"), m_restrictCase.caseRef, QStringLiteral("--outcome"),
                       QStringLiteral("false_positive"), QStringLiteral("--reason-code"),
                       QStringLiteral("classifier_error"), QStringLiteral("--json")}));
    QVERIFY2(r.exitCode == 1, qPrintable(r.describe()));
    QCOMPARE(r.json().value(QStringLiteral("status")).toString(), QStringLiteral("refused"));
    QVERIFY(!caseNow(m_restrictCase)->resolved);
    // A case someone else resolved is a conflict; an unknown reference is not found.
    r = cli(
        onProject({QStringLiteral("resolve"), m_doneCase.caseRef, QStringLiteral("--outcome"),
                   QStringLiteral("confirmed"), QStringLiteral("--reason-code"), QStringLiteral("media_confirmed")}));
    QVERIFY2(r.exitCode == 1 && r.err.contains(QLatin1String("conflict")) &&
                 r.err.contains(QLatin1String("someone-else@example.com")),
             qPrintable(r.describe()));
    r = cli(
        onProject({QStringLiteral("resolve"), randomCaseRef(), QStringLiteral("--outcome"), QStringLiteral("confirmed"),
                   QStringLiteral("--reason-code"), QStringLiteral("media_confirmed")}));
    QVERIFY2(r.exitCode == 1 && r.err.contains(QLatin1String("not_found")), qPrintable(r.describe()));

    // --- the senior reviewer ------------------------------------------------------------------------------------
    QVERIFY(login(m_senior).exitCode == 0);
    QStringList overrideArgs{QStringLiteral("override"),      m_throttleUser.uid,
                             QStringLiteral("--stage"),       QStringLiteral("restrict"),
                             QStringLiteral("--reason-code"), QStringLiteral("repeat_violation"),
                             QStringLiteral("--notes"),       QStringLiteral("keeps going"),
                             QStringLiteral("--json")};
    const quint16 redisPort = backends::redisPort();
    REQUIRE_REDIS(redisPort);
    RedisConfig config;
    config.port = redisPort;
    RedisClient redis(config);
    RedisUsageStore usage(&redis);
    VERIFY_OK(awaitResult(usage.writeStageCache(m_throttleUser.uid, Stage::Throttle), 20000));
    overrideArgs += {QStringLiteral("--redis"), QStringLiteral("redis://127.0.0.1:%1").arg(redisPort)};
    r = cli(onProject(overrideArgs));
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    o = r.json();
    QCOMPARE(o.value(QStringLiteral("stage_before")).toString(), QStringLiteral("throttle"));
    QCOMPARE(o.value(QStringLiteral("stage_after")).toString(), QStringLiteral("restrict"));
    audit = o.value(QStringLiteral("audit")).toObject();
    QCOMPARE(audit.value(QStringLiteral("reviewer")).toString(), m_senior.email);
    QCOMPARE(audit.value(QStringLiteral("role")).toString(), QStringLiteral("senior_reviewer"));
    QCOMPARE(audit.value(QStringLiteral("action")).toString(), QStringLiteral("override_stage"));
    QCOMPARE(audit.value(QStringLiteral("reason")).toString(), QStringLiteral("repeat_violation: keeps going"));
    ++m_expectedRecords;
    QCOMPARE(stageOf(m_throttleUser.uid), QStringLiteral("restrict"));
    QVERIFY(!m_seed->hasCasework(m_throttleUser.uid)); // the snooze ended with the override
    QCOMPARE(o.value(QStringLiteral("stage_cache")).toString(), QStringLiteral("dropped"));
    const auto cached = awaitResult(usage.readStageCache(m_throttleUser.uid), 20000);
    VERIFY_OK(cached);
    QVERIFY(cached->isEmpty());
    // An unreachable Redis: the override is applied and the output says the cache could not be dropped.
    r = cli(onProject({QStringLiteral("override"), m_throttleUser.uid, QStringLiteral("--stage"),
                       QStringLiteral("throttle"), QStringLiteral("--reason-code"), QStringLiteral("repeat_violation"),
                       QStringLiteral("--notes"), QStringLiteral("one step back"), QStringLiteral("--redis"),
                       QStringLiteral("redis://127.0.0.1:%1").arg(backends::closedPort())}));
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QVERIFY2(r.out.contains("could NOT delete"), qPrintable(r.describe()));
    ++m_expectedRecords;

    // The senior may lift the restriction by a false-positive resolution: restrict -> throttle.
    r = cli(onProject({QStringLiteral("resolve"), pasted(m_restrictCase.caseRef, 2), QStringLiteral("--outcome"),
                       QStringLiteral("false_positive"), QStringLiteral("--reason-code"),
                       QStringLiteral("classifier_error"), QStringLiteral("--json")}));
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    o = r.json();
    QCOMPARE(o.value(QStringLiteral("stage_before")).toString(), QStringLiteral("restrict"));
    QCOMPARE(o.value(QStringLiteral("stage_after")).toString(), QStringLiteral("throttle"));
    QCOMPARE(o.value(QStringLiteral("audit")).toObject().value(QStringLiteral("role")).toString(),
             QStringLiteral("senior_reviewer"));
    QVERIFY(o.value(QStringLiteral("stage_cache")).isNull()); // no --redis: not asked
    ++m_expectedRecords;
    QCOMPARE(stageOf(m_restrictCase.uid), QStringLiteral("throttle"));
}

void ReviewerCommandsTest::bulkResolvePastedReferencesIdempotently() {
    REQUIRE_BACKENDS();
    QVERIFY(login(m_reviewer).exitCode == 0);
    QByteArray file = "# cases of the weekly sweep\n\n";
    for (int i = 0; i < m_bulkCases.size(); ++i) {
        file += pasted(m_bulkCases.at(i).caseRef, i).toUtf8() + "\n";
    }
    for (const SeededCase& c : std::as_const(m_twoCaseUser)) {
        file += pasted(c.caseRef, 0).toUtf8() + "   # the user with two cases\n";
    }
    const QString unknown = randomCaseRef();
    file += "not-a-case\n" + unknown.toUtf8() + "\n" + pasted(m_bulkCases.first().caseRef, 1).toUtf8() + "\n";
    QTemporaryDir dir;
    const QString cases = dir.filePath(QStringLiteral("cases.txt"));
    QVERIFY(testing::writeFile(cases, file));
    const QStringList args = onProject(
        {QStringLiteral("bulk-resolve"), QStringLiteral("--cases"), cases, QStringLiteral("--outcome"),
         QStringLiteral("false_positive"), QStringLiteral("--reason-code"), QStringLiteral("classifier_error"),
         QStringLiteral("--notes"), QStringLiteral("weekly sweep"), QStringLiteral("--json")});
    const int listed = static_cast<int>(m_bulkCases.size() + m_twoCaseUser.size()) + 3;

    QElapsedTimer clock;
    clock.start();
    Run r = cli(args);
    const qint64 firstMs = clock.elapsed();
    const QString firstSummary = r.err.trimmed().split(QLatin1Char('\n')).last();
    QVERIFY2(r.exitCode == 1, qPrintable(r.describe())); // the invalid and unknown lines
    QList<QJsonObject> results = r.lines();
    QCOMPARE(results.size(), listed);
    QMap<QString, int> statuses;
    for (const QJsonObject& o : std::as_const(results)) {
        ++statuses[o.value(QStringLiteral("status")).toString()];
        if (o.value(QStringLiteral("status")).toString() == QLatin1String("resolved")) {
            const QJsonObject audit = o.value(QStringLiteral("audit")).toObject();
            QCOMPARE(audit.value(QStringLiteral("reviewer")).toString(), m_reviewer.email);
            QCOMPARE(audit.value(QStringLiteral("role")).toString(), QStringLiteral("reviewer"));
            QCOMPARE(audit.value(QStringLiteral("reason")).toString(),
                     QStringLiteral("classifier_error: weekly sweep"));
        }
    }
    const int resolvable = static_cast<int>(m_bulkCases.size() + m_twoCaseUser.size());
    if (statuses.value(QStringLiteral("resolved")) != resolvable) {
        for (const QJsonObject& o : std::as_const(results)) {
            if (o.value(QStringLiteral("status")).toString() != QLatin1String("resolved")) {
                qWarning("%s", QJsonDocument(o).toJson(QJsonDocument::Compact).constData());
            }
        }
        qWarning("%s", qPrintable(r.err));
    }
    QCOMPARE(statuses.value(QStringLiteral("resolved")), resolvable);
    QCOMPARE(statuses.value(QStringLiteral("invalid")), 1);
    QCOMPARE(statuses.value(QStringLiteral("not_found")), 1);
    QCOMPARE(statuses.value(QStringLiteral("duplicate")), 1);
    QCOMPARE(results.at(listed - 3).value(QStringLiteral("input")).toString(), QStringLiteral("not-a-case"));
    QCOMPARE(results.at(listed - 2).value(QStringLiteral("case_ref")).toString(), unknown);
    QVERIFY2(r.err.contains(QLatin1String("commit")), qPrintable(r.err)); // progress per commit
    m_expectedRecords += resolvable;
    for (const SeededCase& c : std::as_const(m_bulkCases)) {
        QCOMPARE(stageOf(c.uid), QStringLiteral("none")); // warning lowered one step
        QCOMPARE(caseNow(c)->resolvedBy, m_reviewer.email);
    }
    // Two cases of one user: the second built on the stage the first left (throttle -> warning -> none).
    QCOMPARE(stageOf(m_twoCaseUser.first().uid), QStringLiteral("none"));
    // The escalations and snoozes ended, each in its resolve's commit (the rules let only that commit's newest
    // record end one, so these went last in their commits).
    for (int i = 0; i < kCaseworkBulkUsers; ++i) {
        QVERIFY2(!m_seed->hasCasework(m_bulkCases.at(i * 7).uid), qPrintable(m_bulkCases.at(i * 7).uid));
    }
    QVERIFY(!m_seed->hasCasework(m_twoCaseUser.first().uid));

    // The same file again: every case reported already applied, nothing written.
    const auto headBefore = fairuse::testing::wait(m_ownerStore->readAuditHead());
    VERIFY_OK(headBefore);
    clock.restart();
    r = cli(args);
    const qint64 rerunMs = clock.elapsed();
    QVERIFY2(r.exitCode == 1, qPrintable(r.describe()));
    results = r.lines();
    QCOMPARE(results.size(), listed);
    statuses.clear();
    for (const QJsonObject& o : std::as_const(results)) {
        ++statuses[o.value(QStringLiteral("status")).toString()];
    }
    QCOMPARE(statuses.value(QStringLiteral("already_applied")), resolvable);
    QCOMPARE(statuses.value(QStringLiteral("resolved")), 0);
    const auto headAfter = fairuse::testing::wait(m_ownerStore->readAuditHead());
    VERIFY_OK(headAfter);
    QCOMPARE(headAfter->sequence, headBefore->sequence);
    qInfo("bulk-resolve of %d cases (%d listed lines) as a reviewer: %.1f s (%s); rerun, all already applied: %.1f s "
          "(%s)",
          resolvable, listed, static_cast<double>(firstMs) / 1000.0, qPrintable(firstSummary),
          static_cast<double>(rerunMs) / 1000.0, qPrintable(r.err.trimmed().split(QLatin1Char('\n')).last()));

    // Standard input works too, and a clean file exits 0.
    r = cli(onProject({QStringLiteral("bulk-resolve"), QStringLiteral("--cases"), QStringLiteral("-"),
                       QStringLiteral("--outcome"), QStringLiteral("false_positive"), QStringLiteral("--reason-code"),
                       QStringLiteral("classifier_error"), QStringLiteral("--notes"), QStringLiteral("weekly sweep")}),
            m_bulkCases.first().caseRef.toUtf8() + "\n");
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QVERIFY2(r.out.contains("already_applied"), qPrintable(r.describe()));
}

void ReviewerCommandsTest::auditRecordsNameTheVerifiedReviewer() {
    REQUIRE_BACKENDS();
    const auto records = fairuse::testing::wait(m_ownerStore->listAudit(AuditFilter{}));
    VERIFY_OK(records);
    QCOMPARE(records->size(), m_expectedRecords);
    for (const AuditRecord& a : *records) {
        const Account& who = a.reviewer == m_senior.email ? m_senior : m_reviewer;
        QCOMPARE(a.reviewer, who.email);
        QCOMPARE(a.reviewerUid, who.uid);
        QCOMPARE(toString(a.role), who.role);
        QVERIFY(a.clientVersion.startsWith(QLatin1String("fairuse-cli/")));
    }
    QVERIFY(verifyChain(*records).ok);
}

void ReviewerCommandsTest::auditVerifyFindsATamperedRecord() {
    REQUIRE_BACKENDS();
    Run r = cli(onProject({QStringLiteral("audit"), QStringLiteral("verify"), QStringLiteral("--json")}));
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QCOMPARE(r.json().value(QStringLiteral("ok")).toBool(), true);
    QCOMPARE(r.json().value(QStringLiteral("records")).toInt(), m_expectedRecords);

    // The owner (server credentials bypass the rules) rewrites the reason of record #2.
    VERIFY_OK(fairuse::testing::wait(m_owner->patch(FirestoreCaseStore::auditPath(2),
                                                    {{QStringLiteral("reason"), V::string(QStringLiteral("nothing"))}},
                                                    {QStringLiteral("reason")})));
    r = cli(onProject({QStringLiteral("audit"), QStringLiteral("verify"), QStringLiteral("--json")}));
    QVERIFY2(r.exitCode == 1, qPrintable(r.describe()));
    const QJsonObject o = r.json();
    QCOMPARE(o.value(QStringLiteral("ok")).toBool(), false);
    QCOMPARE(o.value(QStringLiteral("broken")).toObject().value(QStringLiteral("sequence")).toInteger(), 2);
    QVERIFY2(r.err.contains(QLatin1String("BROKEN at record #2")), qPrintable(r.err));
    r = cli(onProject({QStringLiteral("audit"), QStringLiteral("verify")}));
    QVERIFY2(r.exitCode == 1 && r.err.contains(QLatin1String("record #2")), qPrintable(r.describe()));
}

void ReviewerCommandsTest::reviewersGrantListRevoke() {
    REQUIRE_BACKENDS();
    const Account newcomer = makeAccount(QStringLiteral("newcomer"), QString(), true);
    QVERIFY(!newcomer.uid.isEmpty());
    Run r = cli(onProject(
        {QStringLiteral("reviewers"), QStringLiteral("grant"), newcomer.email, QStringLiteral("senior_reviewer")}));
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QVERIFY2(r.err.contains(QLatin1String("sign in again")), qPrintable(r.describe()));

    const auto listed = [this](const QString& email) -> QJsonObject {
        const Run l = cli(onProject({QStringLiteral("reviewers"), QStringLiteral("list"), QStringLiteral("--json")}));
        if (l.exitCode != 0) {
            qWarning("%s", qPrintable(l.describe()));
            return QJsonObject{{QStringLiteral("error"), true}};
        }
        for (const QJsonValue& v : QJsonDocument::fromJson(l.out).array()) {
            if (v.toObject().value(QStringLiteral("email")).toString() == email) {
                return v.toObject();
            }
        }
        return {};
    };
    QJsonObject entry = listed(newcomer.email);
    QCOMPARE(entry.value(QStringLiteral("role")).toString(), QStringLiteral("senior_reviewer"));
    QCOMPARE(entry.value(QStringLiteral("uid")).toString(), newcomer.uid);
    QCOMPARE(entry.value(QStringLiteral("email_verified")).toBool(), true);
    QVERIFY(!listed(m_senior.email).isEmpty());

    // The newcomer signs in and acts with the granted role.
    QVERIFY(login(newcomer).exitCode == 0);
    r = cli({QStringLiteral("whoami"), QStringLiteral("--json")});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QCOMPARE(r.json().value(QStringLiteral("role")).toString(), QStringLiteral("senior_reviewer"));

    // Revoked: the next command refreshes the token and finds no role.
    r = cli(onProject({QStringLiteral("reviewers"), QStringLiteral("revoke"), newcomer.email}));
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QVERIFY(listed(newcomer.email).isEmpty());
    r = cli({QStringLiteral("whoami")});
    QVERIFY2(r.exitCode == 1 && r.err.contains(QLatin1String("is not a reviewer")), qPrintable(r.describe()));

    r = cli(onProject({QStringLiteral("reviewers"), QStringLiteral("grant"),
                       QStringLiteral("nobody-%1@example.com").arg(QCoreApplication::applicationPid()),
                       QStringLiteral("reviewer")}));
    QVERIFY2(r.exitCode == 1 && r.err.contains(QLatin1String("has no account")), qPrintable(r.describe()));
}

QTEST_GUILESS_MAIN(ReviewerCommandsTest)
#include "ReviewerCommandsTest.moc"
