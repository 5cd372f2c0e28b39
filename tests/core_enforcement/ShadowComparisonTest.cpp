// Where the shadow service and the backend disagree (enforcement/ShadowComparison.h): tables of shadow decisions,
// backend cases and states, each with the verdicts it must give.
#include "enforcement/ShadowComparison.h"
#include "enforcement/Enforcement.h"

#include <QTest>

using namespace fairuse;
using namespace fairuse::enforcement;
using namespace std::chrono_literals;

namespace {

TimePoint at(const QString& hhmm) {
    return parseRfc3339(QStringLiteral("2026-12-01T%1:00Z").arg(hhmm)).value();
}

/** "u1@10:00 warn none>warning [case] [expiry]": a shadow decision. */
ShadowDecision shadow(const QString& spec) {
    const QStringList words = spec.split(QLatin1Char(' '));
    const QStringList who = words.at(0).split(QLatin1Char('@'));
    const QStringList stages = words.at(2).split(QLatin1Char('>'));
    ShadowDecision d;
    d.uid = who.at(0);
    d.passAt = at(who.at(1));
    d.intervalStart = checkIntervalStart(d.passAt, 300s);
    d.id = shadowDecisionId(d.uid, d.intervalStart);
    d.instance = QStringLiteral("shadow-1");
    d.action = words.at(1);
    d.stageBefore = stageFromString(stages.at(0)).value();
    d.stageAfter = stageFromString(stages.at(1)).value();
    if (words.contains(QStringLiteral("case"))) {
        d.caseId = QStringLiteral("enf_") + d.id;
        d.caseRef = QStringLiteral("FU-SHADOW");
    }
    d.expiry = words.contains(QStringLiteral("expiry"));
    return d;
}

/** "u1@10:02 none>warning warn [enf]": a backend case ([enf]: the service's own, by its id). */
FairUseEvent backendCase(const QString& spec) {
    const QStringList words = spec.split(QLatin1Char(' '));
    const QStringList who = words.at(0).split(QLatin1Char('@'));
    const QStringList stages = words.at(1).split(QLatin1Char('>'));
    FairUseEvent e;
    e.uid = who.at(0);
    e.createdAt = who.at(1).contains(QLatin1Char('T')) ? parseRfc3339(who.at(1)).value() : at(who.at(1));
    e.id = words.contains(QStringLiteral("enf")) ? QStringLiteral("enf_0123") : QStringLiteral("evt_") + spec.left(12);
    e.caseRef = QStringLiteral("FU-") + who.at(1);
    e.previousStage = stageFromString(stages.at(0)).value();
    e.newStage = stageFromString(stages.at(1)).value();
    e.enforcementAction = words.at(2);
    return e;
}

QString verdictList(const ShadowComparison& c) {
    QStringList out;
    for (const ShadowComparisonRow& r : c.rows) {
        out.append(r.uid + QLatin1Char(':') + toString(r.verdict));
    }
    out.sort();
    return out.join(QLatin1Char(' '));
}

ShadowComparisonInput input(const QStringList& shadows, const QStringList& cases, const QStringList& states) {
    ShadowComparisonInput in;
    for (const QString& s : shadows) {
        in.shadow.append(shadow(s));
    }
    for (const QString& c : cases) {
        in.backendCases.append(backendCase(c));
    }
    for (const QString& s : states) {
        FairUseState st;
        st.uid = s.section(QLatin1Char(':'), 0, 0);
        st.stage = stageFromString(s.section(QLatin1Char(':'), 1)).value();
        in.backendStates.insert(st.uid, st);
    }
    in.from = at(QStringLiteral("00:00"));
    in.to = at(QStringLiteral("23:59"));
    in.matchWindow = 300s;
    return in;
}

} // namespace

class ShadowComparisonTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void verdicts_data() {
        QTest::addColumn<QStringList>("shadows");
        QTest::addColumn<QStringList>("cases");
        QTest::addColumn<QStringList>("states");
        QTest::addColumn<QString>("expected");
        QTest::addColumn<int>("disagree");

        QTest::newRow("both warn") << QStringList{QStringLiteral("u1@10:00 warn none>warning case")}
                                   << QStringList{QStringLiteral("u1@10:02 none>warning warn")} << QStringList{}
                                   << QStringLiteral("u1:agree") << 0;
        QTest::newRow("only the service") << QStringList{QStringLiteral("u1@10:00 warn none>warning case")}
                                          << QStringList{} << QStringList{} << QStringLiteral("u1:service_only") << 1;
        QTest::newRow("only the backend, no shadow record")
            << QStringList{QStringLiteral("u2@10:00 cooldown_skip warning>warning")}
            << QStringList{QStringLiteral("u1@10:02 none>warning warn")} << QStringList{}
            << QStringLiteral("u1:backend_only u2:agree") << 1;
        QTest::newRow("no shadow decision at all: no service to compare")
            << QStringList{} << QStringList{QStringLiteral("u1@10:02 none>warning warn")} << QStringList{} << QString()
            << 0;
        QTest::newRow("backend cases before the service's first decision are left out")
            << QStringList{QStringLiteral("u2@12:00 cooldown_skip warning>warning")}
            << QStringList{QStringLiteral("u1@10:02 none>warning warn"), QStringLiteral("u1@11:56 none>warning warn")}
            << QStringList{} << QStringLiteral("u1:backend_only u2:agree") << 1;
        QTest::newRow("only the backend, the service found legitimate use")
            << QStringList{QStringLiteral("u1@10:00 legitimate_use none>none")}
            << QStringList{QStringLiteral("u1@10:01 none>warning warn")} << QStringList{}
            << QStringLiteral("u1:backend_only") << 1;
        QTest::newRow("different stages") << QStringList{QStringLiteral("u1@10:00 throttle warning>throttle case")}
                                          << QStringList{QStringLiteral("u1@10:01 warning>restrict restrict")}
                                          << QStringList{} << QStringLiteral("u1:stage_differs") << 1;
        QTest::newRow("a repeated warning at warning agrees")
            << QStringList{QStringLiteral("u1@10:00 warn warning>warning case")}
            << QStringList{QStringLiteral("u1@10:01 warning>warning warn")} << QStringList{}
            << QStringLiteral("u1:agree") << 0;
        QTest::newRow("neither acted") << QStringList{QStringLiteral("u1@10:00 cooldown_skip warning>warning")}
                                       << QStringList{} << QStringList{} << QStringLiteral("u1:agree") << 0;
        QTest::newRow("a logged legitimate use is no action")
            << QStringList{QStringLiteral("u1@10:00 legitimate_use none>none")}
            << QStringList{QStringLiteral("u1@10:01 none>none legitimate_use")} << QStringList{}
            << QStringLiteral("u1:agree") << 0;
        QTest::newRow("expiry, no backend state")
            << QStringList{QStringLiteral("u1@10:00 throttle_expired_to_warning throttle>warning expiry")}
            << QStringList{} << QStringList{} << QStringLiteral("u1:service_only") << 1;
        QTest::newRow("expiry, the backend lowered it too")
            << QStringList{QStringLiteral("u1@10:00 throttle_expired_to_warning throttle>warning expiry")}
            << QStringList{} << QStringList{QStringLiteral("u1:warning")} << QStringLiteral("u1:agree") << 0;
        QTest::newRow("expiry, the backend still throttles")
            << QStringList{QStringLiteral("u1@10:00 restrict_expired_to_throttle restrict>throttle")} << QStringList{}
            << QStringList{QStringLiteral("u1:restrict")} << QStringLiteral("u1:service_only") << 1;
        QTest::newRow("several intervals, all agree")
            << QStringList{QStringLiteral("u1@10:00 warn none>warning case"),
                           QStringLiteral("u1@10:05 throttle warning>throttle case")}
            << QStringList{QStringLiteral("u1@10:01 none>warning warn"),
                           QStringLiteral("u1@10:06 warning>throttle throttle")}
            << QStringList{} << QStringLiteral("u1:agree u1:agree") << 0;
        QTest::newRow("several intervals, one case missing")
            << QStringList{QStringLiteral("u1@10:00 warn none>warning case"),
                           QStringLiteral("u1@10:05 throttle warning>throttle case")}
            << QStringList{QStringLiteral("u1@10:01 none>warning warn")} << QStringList{}
            << QStringLiteral("u1:agree u1:service_only") << 1;
        QTest::newRow("a case takes the decision of its own stage, not the nearest")
            << QStringList{QStringLiteral("u1@10:00 warn none>warning case"),
                           QStringLiteral("u1@10:04 throttle warning>throttle case")}
            << QStringList{QStringLiteral("u1@10:02 warning>throttle throttle")} << QStringList{}
            << QStringLiteral("u1:agree u1:service_only") << 1;
        QTest::newRow("too far apart to match")
            << QStringList{QStringLiteral("u1@10:00 warn none>warning case"),
                           QStringLiteral("u2@10:40 cooldown_skip warning>warning")}
            << QStringList{QStringLiteral("u1@10:30 none>warning warn")} << QStringList{}
            << QStringLiteral("u1:backend_only u1:service_only u2:agree") << 2;
        QTest::newRow("outside the period") << QStringList{QStringLiteral("u2@00:01 cooldown_skip warning>warning")}
                                            << QStringList{QStringLiteral("u1@2026-11-30T23:58:00Z none>warning warn")}
                                            << QStringList{} << QStringLiteral("u2:agree") << 0;
        QTest::newRow("the service's own case is not the backend's")
            << QStringList{QStringLiteral("u1@10:00 warn none>warning case")}
            << QStringList{QStringLiteral("u1@10:00 none>warning warn enf")} << QStringList{}
            << QStringLiteral("u1:service_only") << 1;
        QTest::newRow("two users, cases not crossed")
            << QStringList{QStringLiteral("u1@10:00 warn none>warning case"),
                           QStringLiteral("u2@10:00 warn none>warning case")}
            << QStringList{QStringLiteral("u2@10:01 none>warning warn")} << QStringList{}
            << QStringLiteral("u1:service_only u2:agree") << 1;
    }
    void verdicts() {
        QFETCH(QStringList, shadows);
        QFETCH(QStringList, cases);
        QFETCH(QStringList, states);
        QFETCH(QString, expected);
        QFETCH(int, disagree);
        const ShadowComparison c = compareShadow(input(shadows, cases, states));
        QCOMPARE(verdictList(c), expected);
        QCOMPARE(c.disagree(), disagree);
        QCOMPARE(c.decisions(), static_cast<int>(c.rows.size()));
        QCOMPARE(c.agree + c.disagree(), c.decisions());
    }

    void disagreementsComeFirstNewestFirst() {
        const ShadowComparison c = compareShadow(input(
            {QStringLiteral("a@09:00 cooldown_skip warning>warning"), QStringLiteral("b@09:30 warn none>warning case"),
             QStringLiteral("c@11:00 warn none>warning case"), QStringLiteral("d@12:00 legitimate_use none>none")},
            {QStringLiteral("c@11:01 none>warning warn")}, {}));
        QStringList order;
        for (const ShadowComparisonRow& r : c.rows) {
            order.append(r.uid);
        }
        QCOMPARE(order,
                 (QStringList{QStringLiteral("b"), QStringLiteral("d"), QStringLiteral("c"), QStringLiteral("a")}));
        QCOMPARE(c.serviceOnly, 1);
        QCOMPARE(c.agree, 3);
        QVERIFY(c.rows.first().verdict == ShadowVerdict::ServiceOnly);
        QVERIFY(c.rows.first().reason.contains(QStringLiteral("no case")));
        QVERIFY(!c.rows.first().backendStage.has_value());
        QVERIFY(c.rows.at(2).backendCase.has_value());
        QCOMPARE(c.rows.at(2).backendCase->caseRef, QStringLiteral("FU-11:01"));
    }

    void stagesOfARow() {
        const ShadowComparison c = compareShadow(input({QStringLiteral("u1@10:00 throttle warning>throttle case")},
                                                       {QStringLiteral("u1@10:01 warning>restrict restrict")}, {}));
        QCOMPARE(c.rows.size(), 1);
        QVERIFY(c.rows.first().serviceStage == Stage::Throttle);
        QVERIFY(c.rows.first().backendStage == Stage::Restrict);
        QVERIFY(c.rows.first().shadow.has_value());
    }

    void intervalAndId_data() {
        QTest::addColumn<QString>("time");
        QTest::addColumn<QString>("start");
        QTest::newRow("on the boundary") << QStringLiteral("10:00") << QStringLiteral("10:00");
        QTest::newRow("inside") << QStringLiteral("10:04") << QStringLiteral("10:00");
        QTest::newRow("next") << QStringLiteral("10:05") << QStringLiteral("10:05");
    }
    void intervalAndId() {
        QFETCH(QString, time);
        QFETCH(QString, start);
        QVERIFY(checkIntervalStart(at(time), 300s) == at(start));
        QCOMPARE(shadowDecisionId(QStringLiteral("u1"), checkIntervalStart(at(time), 300s)),
                 QStringLiteral("u1_%1").arg(
                     std::chrono::floor<std::chrono::seconds>(at(start)).time_since_epoch().count()));
    }

    void verdictNames() {
        QCOMPARE(toString(ShadowVerdict::Agree), QStringLiteral("agree"));
        QCOMPARE(toString(ShadowVerdict::ServiceOnly), QStringLiteral("service_only"));
        QCOMPARE(toString(ShadowVerdict::BackendOnly), QStringLiteral("backend_only"));
        QCOMPARE(toString(ShadowVerdict::StageDiffers), QStringLiteral("stage_differs"));
    }
};

QTEST_GUILESS_MAIN(ShadowComparisonTest)
#include "ShadowComparisonTest.moc"
