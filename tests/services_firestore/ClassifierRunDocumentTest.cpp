// fair_use_classifier_runs/{recordId}: the enforcement service's answer round-trips, and a malformed answer is refused
// with an error naming the field, never read as a verdict.
#include "firestore/ClassifierRunDocument.h"

#include <QTest>

using namespace fairuse;
using namespace fairuse::services;
using V = FirestoreValue;

namespace {

ClassifierRun sample() {
    ClassifierRun run;
    run.uid = QStringLiteral("u1");
    run.requestedBy = QStringLiteral("ana@fairuse.example");
    run.requestedSequence = 42;
    run.finishedAt = TimePoint(std::chrono::milliseconds(1'764'590'400'000));
    run.ok = true;
    run.instance = QStringLiteral("host:1");
    ClassifierResult c;
    c.misuseScore = 0.8;
    c.usageType = UsageType::Audiobook;
    c.confidence = 0.7;
    c.evidence = {{QStringLiteral("c1"), QStringLiteral("Chapter 1"), QStringLiteral("narration")}};
    c.reasoning = QStringLiteral("long sessions of narration");
    c.model = QStringLiteral("heuristic");
    c.promptVersion = QStringLiteral("h1");
    c.heuristic = true;
    run.classifier = c;
    return run;
}

FirestoreDocument document(const FirestoreFields& fields) {
    FirestoreDocument d;
    d.name = QStringLiteral("projects/p/databases/(default)/documents/fair_use_classifier_runs/000000000042");
    d.fields = fields;
    return d;
}

FirestoreFields withVerdictField(const QString& name, const FirestoreValue& value) {
    FirestoreFields f = encodeClassifierRun(sample());
    FirestoreFields verdict = f.value(QStringLiteral("classifier")).toMap();
    if (value.isNull()) {
        verdict.remove(name);
    } else {
        verdict.insert(name, value);
    }
    f.insert(QStringLiteral("classifier"), V::map(verdict));
    return f;
}

FirestoreFields with(const QString& name, const FirestoreValue& value) {
    FirestoreFields f = encodeClassifierRun(sample());
    if (value.isNull()) {
        f.remove(name);
    } else {
        f.insert(name, value);
    }
    return f;
}

} // namespace

class ClassifierRunDocumentTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void roundTrip() {
        const ClassifierRun in = sample();
        const Result<ClassifierRun> out = decodeClassifierRun(document(encodeClassifierRun(in)));
        QVERIFY2(out.ok(), qPrintable(out ? QString() : out.error().message));
        QCOMPARE(out->auditRecordId, QStringLiteral("000000000042"));
        QCOMPARE(out->uid, in.uid);
        QCOMPARE(out->requestedBy, in.requestedBy);
        QCOMPARE(out->requestedSequence, in.requestedSequence);
        QCOMPARE(out->finishedAt, in.finishedAt);
        QVERIFY(out->ok);
        QCOMPARE(out->instance, in.instance);
        QCOMPARE(out->classifier->misuseScore, 0.8);
        QVERIFY(out->classifier->usageType == UsageType::Audiobook);
        QCOMPARE(out->classifier->evidence.size(), 1);
        QVERIFY(out->classifier->heuristic);

        ClassifierRun failed = in;
        failed.ok = false;
        failed.classifier.reset();
        failed.error = QStringLiteral("HTTP 503");
        const Result<ClassifierRun> f = decodeClassifierRun(document(encodeClassifierRun(failed)));
        QVERIFY2(f.ok(), qPrintable(f ? QString() : f.error().message));
        QVERIFY(!f->ok);
        QVERIFY(!f->classifier);
        QCOMPARE(f->error, QStringLiteral("HTTP 503"));
    }

    void malformed_data() {
        QTest::addColumn<FirestoreFields>("fields");
        QTest::addColumn<QString>("names");
        QTest::newRow("no uid") << with(QStringLiteral("uid"), V::null()) << QStringLiteral("uid");
        QTest::newRow("empty uid") << with(QStringLiteral("uid"), V::string({})) << QStringLiteral("uid");
        QTest::newRow("uid a number") << with(QStringLiteral("uid"), V::integer(3)) << QStringLiteral("uid");
        QTest::newRow("no sequence") << with(QStringLiteral("requested_sequence"), V::null())
                                     << QStringLiteral("requested_sequence");
        QTest::newRow("sequence 0") << with(QStringLiteral("requested_sequence"), V::integer(0))
                                    << QStringLiteral("requested_sequence");
        QTest::newRow("no finished_at") << with(QStringLiteral("finished_at"), V::null())
                                        << QStringLiteral("finished_at");
        QTest::newRow("no status") << with(QStringLiteral("status"), V::null()) << QStringLiteral("status");
        QTest::newRow("unknown status") << with(QStringLiteral("status"), V::string(QStringLiteral("done")))
                                        << QStringLiteral("status");
        QTest::newRow("ok without verdict")
            << with(QStringLiteral("classifier"), V::null()) << QStringLiteral("classifier");
        QTest::newRow("verdict not a map")
            << with(QStringLiteral("classifier"), V::string(QStringLiteral("x"))) << QStringLiteral("classifier");
        QTest::newRow("failed without error")
            << with(QStringLiteral("status"), V::string(QStringLiteral("failed"))) << QStringLiteral("error");
        QTest::newRow("score missing") << withVerdictField(QStringLiteral("misuse_score"), V::null())
                                       << QStringLiteral("misuse_score");
        QTest::newRow("score above 1") << withVerdictField(QStringLiteral("misuse_score"), V::number(1.5))
                                       << QStringLiteral("misuse_score");
        QTest::newRow("score negative") << withVerdictField(QStringLiteral("misuse_score"), V::number(-0.1))
                                        << QStringLiteral("misuse_score");
        QTest::newRow("score a string") << withVerdictField(QStringLiteral("misuse_score"),
                                                            V::string(QStringLiteral("1")))
                                        << QStringLiteral("misuse_score");
        QTest::newRow("confidence missing")
            << withVerdictField(QStringLiteral("confidence"), V::null()) << QStringLiteral("confidence");
        QTest::newRow("evidence not a list")
            << withVerdictField(QStringLiteral("evidence"), V::string(QStringLiteral("c1")))
            << QStringLiteral("evidence");
    }
    void malformed() {
        QFETCH(FirestoreFields, fields);
        QFETCH(QString, names);
        const Result<ClassifierRun> r = decodeClassifierRun(document(fields));
        QVERIFY(!r.ok());
        QVERIFY(r.error().kind == ErrorKind::Invalid);
        QVERIFY2(r.error().message.contains(names), qPrintable(r.error().message));
        QVERIFY2(r.error().message.contains(QStringLiteral("fair_use_classifier_runs/000000000042")),
                 qPrintable(r.error().message));
    }
};

QTEST_GUILESS_MAIN(ClassifierRunDocumentTest)
#include "ClassifierRunDocumentTest.moc"
