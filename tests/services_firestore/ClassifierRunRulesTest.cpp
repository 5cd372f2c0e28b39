// fair_use_classifier_runs under packaging/firestore/firestore.rules, with reviewers signed in through the Firebase
// Auth emulator: reviewers read the enforcement service's answers, nobody writes them through a client; and the
// console's ServiceRerunClassifier, as a signed-in reviewer, finds the re-run request its dialog wrote through the
// store and waits for the service's answer (here written with the server credentials the service uses): an answer,
// a failed run, a malformed answer, no request, and no answer at all (a short timeout naming the newest heartbeat).
#include "RulesActorsTestBase.h"

#include "classifier/HeuristicClassifier.h"
#include "firestore/ClassifierRunDocument.h"
#include "firestore/ServiceHeartbeatDocument.h"
#include "firestore/ServiceRerunClassifier.h"

#include <QElapsedTimer>
#include <QTimer>

using namespace fairuse;
using namespace fairuse::services;
using namespace fairuse::testing::rules;
using namespace std::chrono_literals;

class ClassifierRunRulesTest : public ActorsTestBase {
    Q_OBJECT

    /** The reviewer's rerun_classifier record, as the console's dialog writes it; its sequence (0 on failure). */
    std::int64_t requestRerun(Who who, const QString& uid) {
        FirestoreCaseStore store(actor(who).client);
        auto state = wait(store.getState(uid));
        if (!state) {
            qWarning("state of %s: %s", qPrintable(uid), qPrintable(why(state.error())));
            return 0;
        }
        auto applied = applyChange(store, enforcement::buildRerunClassifier(*state, QStringLiteral("looks off"),
                                                                            contextFor(actor(who).reviewer)));
        if (!applied) {
            qWarning("rerun of %s: %s", qPrintable(uid), qPrintable(why(applied.error())));
            return 0;
        }
        return applied->audit.sequence;
    }

    ClassifierRun answer(const QString& uid, std::int64_t sequence) {
        ClassifierRun run;
        run.uid = uid;
        run.requestedBy = actor(Who::Reviewer).reviewer.email;
        run.requestedSequence = sequence;
        run.finishedAt = actionTime();
        run.ok = true;
        run.instance = QStringLiteral("enforcer-1");
        Conversation c;
        c.id = QStringLiteral("c1");
        c.title = QStringLiteral("Audiobook chapter 12");
        c.overview = QStringLiteral("narration of a novel");
        c.startedAt = actionTime() - 2h;
        c.finishedAt = c.startedAt + 95min;
        c.createdAt = c.startedAt;
        run.classifier = classifier::classifyHeuristically({c, c, c}, actionTime());
        return run;
    }

    /** Writes `fields` as the service does (server credentials), after `delayMs`, while the caller waits. */
    void answerLater(const QString& path, const FirestoreFields& fields, int delayMs) {
        QTimer::singleShot(delayMs, this, [this, path, fields] {
            m_pendingWrite = m_rules.owner->commit({FirestoreWrite::set(path, fields)});
        });
    }

    ServiceRerunClassifier::Options quick(std::chrono::milliseconds timeout = 20s) {
        ServiceRerunClassifier::Options o;
        o.pollInterval = 100ms;
        o.timeout = timeout;
        return o;
    }

    Async<CommitResponse> m_pendingWrite;

private Q_SLOTS:
    void reviewersReadNobodyWrites() {
        const QString uid = freshUser(Stage::Warning);
        const std::int64_t sequence = requestRerun(Who::Reviewer, uid);
        QVERIFY(sequence > 0);
        const QString path = classifierRunPath(FirestoreCaseStore::auditRecordId(sequence));
        ClassifierRun run = answer(uid, sequence);
        VERIFY_OK(wait(m_rules.owner->commit({FirestoreWrite::set(path, encodeClassifierRun(run))}))); // the service
        for (Who who : {Who::Reviewer, Who::Senior, Who::Admin, Who::Other}) {
            auto read = wait(actor(who).client->get(path));
            VERIFY_OK(read);
            auto decoded = decodeClassifierRun(*read);
            VERIFY_OK(decoded);
            QCOMPARE(decoded->classifier->misuseScore, run.classifier->misuseScore);
        }
        for (Who who : {Who::Reviewer, Who::Senior, Who::Admin}) {
            // Forging the service's verdict, answering someone's request first, or deleting an answer.
            run.classifier->misuseScore = 0.0;
            const auto changed = wait(actor(who).client->commit({FirestoreWrite::set(path, encodeClassifierRun(run))}));
            QVERIFY(!changed.ok());
            QVERIFY(changed.error().kind == ErrorKind::Permission);
            const auto created = wait(actor(who).client->commit(
                {FirestoreWrite::set(classifierRunPath(QStringLiteral("999999999999")), encodeClassifierRun(run))}));
            QVERIFY(!created.ok());
            QVERIFY(created.error().kind == ErrorKind::Permission);
            const auto removed = wait(actor(who).client->remove(path));
            QVERIFY(!removed.ok());
            QVERIFY(removed.error().kind == ErrorKind::Permission);
        }
        for (Who who : {Who::NoRole, Who::Unverified, Who::UnknownRole}) {
            const auto denied = wait(actor(who).client->get(path));
            QVERIFY(!denied.ok());
            QVERIFY(denied.error().kind == ErrorKind::Permission);
        }
    }

    void consoleGetsTheServicesAnswer() {
        const QString uid = freshUser(Stage::Warning);
        // An older request of the same reviewer, and a colleague's newer one: the console waits for its own newest.
        QVERIFY(requestRerun(Who::Reviewer, uid) > 0);
        const std::int64_t mine = requestRerun(Who::Reviewer, uid);
        QVERIFY(mine > 0);
        QVERIFY(requestRerun(Who::Other, uid) > mine);
        const ClassifierRun run = answer(uid, mine);
        answerLater(classifierRunPath(FirestoreCaseStore::auditRecordId(mine)), encodeClassifierRun(run), 400);
        ServiceRerunClassifier console(actor(Who::Reviewer).client, actor(Who::Reviewer).reviewer, quick());
        QVERIFY(!console.isHeuristic());
        QCOMPARE(console.describe(), QStringLiteral("enforcement service"));
        auto got = wait(console.classify(uid, {}, actionTime()));
        VERIFY_OK(got);
        VERIFY_OK(wait(m_pendingWrite));
        QCOMPARE(got->misuseScore, run.classifier->misuseScore);
        QVERIFY(got->usageType == run.classifier->usageType);
        QCOMPARE(got->confidence, run.classifier->confidence);
        QCOMPARE(got->reasoning, run.classifier->reasoning);
        QCOMPARE(got->model, run.classifier->model);
        QCOMPARE(got->evidence.size(), run.classifier->evidence.size());
        QVERIFY(got->heuristic);
        QVERIFY(console.isHeuristic());
        QCOMPARE(console.describe(), QStringLiteral("enforcement service (heuristic)"));
    }

    void failedAndMalformedAnswers() {
        const QString uid = freshUser(Stage::Warning);
        ServiceRerunClassifier console(actor(Who::Reviewer).client, actor(Who::Reviewer).reviewer, quick());
        std::int64_t sequence = requestRerun(Who::Reviewer, uid);
        QVERIFY(sequence > 0);
        ClassifierRun failed = answer(uid, sequence);
        failed.ok = false;
        failed.classifier.reset();
        failed.error = QStringLiteral("LLM unavailable: HTTP 503");
        answerLater(classifierRunPath(FirestoreCaseStore::auditRecordId(sequence)), encodeClassifierRun(failed), 200);
        auto r = wait(console.classify(uid, {}, actionTime()));
        QVERIFY(!r.ok());
        QVERIFY(r.error().kind == ErrorKind::Unavailable);
        QVERIFY2(r.error().message.contains(QStringLiteral("HTTP 503")), qPrintable(r.error().message));

        sequence = requestRerun(Who::Reviewer, uid);
        QVERIFY(sequence > 0);
        FirestoreFields malformed = encodeClassifierRun(answer(uid, sequence));
        FirestoreFields verdict = malformed.value(QStringLiteral("classifier")).toMap();
        verdict.insert(QStringLiteral("misuse_score"), FirestoreValue::number(7.5));
        malformed.insert(QStringLiteral("classifier"), FirestoreValue::map(verdict));
        answerLater(classifierRunPath(FirestoreCaseStore::auditRecordId(sequence)), malformed, 200);
        r = wait(console.classify(uid, {}, actionTime()));
        QVERIFY(!r.ok());
        QVERIFY(r.error().kind == ErrorKind::Invalid);
        QVERIFY2(r.error().message.contains(QStringLiteral("misuse_score")), qPrintable(r.error().message));
    }

    void noRequestNoAnswer() {
        const QString uid = freshUser(Stage::Warning);
        ServiceHeartbeat h;
        h.instance = QStringLiteral("enforcer-rerun-test");
        h.lastPassStarted = actionTime();
        h.lastPassFinished = at("2099-01-01T00:00:00Z"); // the newest of every test's heartbeats
        VERIFY_OK(wait(
            m_rules.owner->commit({FirestoreWrite::set(serviceHeartbeatPath(h.instance), encodeServiceHeartbeat(h))})));
        ServiceRerunClassifier console(actor(Who::Reviewer).client, actor(Who::Reviewer).reviewer, quick(1500ms));
        // Nothing asked: nothing to wait for.
        auto none = wait(console.classify(uid, {}, actionTime()));
        QVERIFY(!none.ok());
        QVERIFY(none.error().kind == ErrorKind::NotFound);
        // Asked, and no service answers: a clear error after the (here short) timeout, naming the heartbeat.
        QVERIFY(requestRerun(Who::Reviewer, uid) > 0);
        QElapsedTimer timer;
        timer.start();
        auto r = wait(console.classify(uid, {}, actionTime()));
        QVERIFY(!r.ok());
        QVERIFY(r.error().kind == ErrorKind::Unavailable);
        QVERIFY2(r.error().message.contains(QStringLiteral("did not answer")) &&
                     r.error().message.contains(QStringLiteral("is it running?")) &&
                     r.error().message.contains(QStringLiteral("enforcer-rerun-test")),
                 qPrintable(r.error().message));
        QVERIFY2(timer.elapsed() >= 1500, "the console waited the whole timeout");
    }
};

QTEST_GUILESS_MAIN(ClassifierRunRulesTest)
#include "ClassifierRunRulesTest.moc"
