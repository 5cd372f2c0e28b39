// Saved views in the core: the filter's JSON both ways (and every malformed shape refused with its reason), names,
// who may change or delete a view, and the ChangeSet each action builds.

#include "CaseworkTestSupport.h"

#include "audit/AuditChain.h"
#include "casework/SavedViews.h"

#include <QTest>

using namespace fairuse;
using namespace fairuse::casework;
using fairuse::testing::actingAs;
using fairuse::testing::ana;
using fairuse::testing::ben;
using fairuse::testing::sam;

namespace {

const TimePoint kNow = fromUnixMs(1'780'000'000'000);

ViewFilter escalatedThrottles() {
    ViewFilter f;
    f.stage = Stage::Throttle;
    f.usageType = UsageType::Audiobook;
    f.minScore = 0.5;
    f.resolution = ViewFilter::Resolution::OpenOnly;
    f.claims = ViewFilter::Claims::Unclaimed;
    f.casework = ViewFilter::CaseworkView::Escalated;
    return f;
}

/** A view as a store returns it after buildSaveView's ChangeSet was applied. */
SavedView stored(const ChangeSet& cs, const QString& version = QStringLiteral("v1")) {
    SavedView v = *cs.viewChange->view;
    v.version = version;
    return v;
}

SavedView savedBy(const Reviewer& r, const QString& name, bool shared) {
    auto cs = buildSaveView({}, std::nullopt, name, shared, ViewFilter{}, actingAs(r, kNow));
    return stored(cs.value());
}

} // namespace

class SavedViewsTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void filterRoundTrips() {
        const ViewFilter f = escalatedThrottles();
        const QString json = toJson(f);
        QCOMPARE(json, QStringLiteral("{\"casework\":\"escalated\",\"claims\":\"unclaimed\",\"max_score\":1,"
                                      "\"min_score\":0.5,\"resolution\":\"open\",\"stage\":\"throttle\","
                                      "\"usage_type\":\"audiobook\",\"version\":1}"));
        const auto back = parseViewFilter(json);
        QVERIFY2(back, qPrintable(back ? QString() : back.error().message));
        QCOMPARE(*back, f);
        QCOMPARE(parseViewFilter(toJson(ViewFilter{})).value(), ViewFilter{});
        // Absent keys are the defaults: the smallest valid filter.
        QCOMPARE(parseViewFilter(QStringLiteral("{\"version\":1}")).value(), ViewFilter{});
    }

    void malformedFiltersAreRefusedWithTheirReason_data() {
        QTest::addColumn<QString>("json");
        QTest::addColumn<QString>("reason");
        QTest::newRow("empty") << QString() << "not JSON";
        QTest::newRow("truncated") << "{\"version\":1,"
                                   << "not JSON";
        QTest::newRow("array") << "[1,2]"
                               << "not a JSON object";
        QTest::newRow("no version") << "{}"
                                    << "\"version\" must be 1";
        QTest::newRow("newer version") << "{\"version\":2}"
                                       << "\"version\" must be 1";
        QTest::newRow("unknown key") << "{\"version\":1,\"sort\":\"age\"}"
                                     << "unknown key \"sort\"";
        QTest::newRow("bad stage") << "{\"version\":1,\"stage\":\"banned\"}"
                                   << "\"stage\" must be";
        QTest::newRow("stage not text") << "{\"version\":1,\"stage\":2}"
                                        << "\"stage\" must be";
        QTest::newRow("bad usage type") << "{\"version\":1,\"usage_type\":\"karaoke\"}"
                                        << "\"usage_type\"";
        QTest::newRow("score text") << "{\"version\":1,\"min_score\":\"0.5\"}"
                                    << "\"min_score\" must be a number";
        QTest::newRow("score above 1") << "{\"version\":1,\"max_score\":1.5}"
                                       << "\"max_score\" must be a number";
        QTest::newRow("score below 0") << "{\"version\":1,\"min_score\":-0.1}"
                                       << "\"min_score\" must be a number";
        QTest::newRow("min above max") << "{\"version\":1,\"min_score\":0.8,\"max_score\":0.2}"
                                       << "minimum score 0.80 is above the maximum 0.20";
        QTest::newRow("bad resolution") << "{\"version\":1,\"resolution\":\"closed\"}"
                                        << "\"resolution\" must be one of any, open, resolved";
        QTest::newRow("bad claims") << "{\"version\":1,\"claims\":true}"
                                    << "\"claims\" must be one of";
        QTest::newRow("bad casework") << "{\"version\":1,\"casework\":\"muted\"}"
                                      << "\"casework\" must be one of";
        QTest::newRow("too long") << QStringLiteral("{\"version\":1%1}").arg(QString(2000, QLatin1Char(' ')))
                                  << "at most 2000";
    }
    void malformedFiltersAreRefusedWithTheirReason() {
        QFETCH(QString, json);
        QFETCH(QString, reason);
        const auto parsed = parseViewFilter(json);
        QVERIFY(!parsed);
        QCOMPARE(parsed.error().kind, ErrorKind::Invalid);
        QVERIFY2(parsed.error().message.contains(reason), qPrintable(parsed.error().message));
        QVERIFY(parsed.error().message.startsWith(QStringLiteral("the view's filter is unreadable")));
    }

    void describesTheFilter() {
        QCOMPARE(describeFilter(ViewFilter{}), QStringLiteral("every flagged user"));
        QCOMPARE(describeFilter(escalatedThrottles()), QStringLiteral("throttle \u00b7 audiobook \u00b7 score "
                                                                      "0.50-1.00 \u00b7 open cases \u00b7 unclaimed "
                                                                      "\u00b7 escalated"));
    }

    void namesAreCheckedAndTrimmed() {
        QCOMPARE(checkViewName(QStringLiteral("  Audiobooks  ")).value(), QStringLiteral("Audiobooks"));
        QVERIFY(!checkViewName(QStringLiteral("   ")));
        QVERIFY(!checkViewName(QString(81, QLatin1Char('x'))));
        QVERIFY(checkViewName(QString(80, QLatin1Char('x'))));
        QVERIFY(!checkViewName(QStringLiteral("two\nlines")));
    }

    void savingANewViewWritesItWithItsRecord() {
        const auto cs = buildSaveView({}, std::nullopt, QStringLiteral(" Escalated throttles "), true,
                                      escalatedThrottles(), actingAs(ana(), kNow));
        QVERIFY2(cs, qPrintable(cs ? QString() : cs.error().message));
        QVERIFY(cs->uid.isEmpty());
        QVERIFY(!cs->newState && !cs->newEvent && !cs->caseworkChange && !cs->noteChange);
        QVERIFY(cs->viewChange && cs->viewChange->view);
        const SavedView& v = *cs->viewChange->view;
        QCOMPARE(cs->viewChange->id, v.id);
        QVERIFY(cs->viewChange->expectedVersion.isEmpty());
        QVERIFY(v.id.startsWith(QLatin1Char('v')));
        QCOMPARE(v.id.size(), 20);
        QCOMPARE(v.id, newViewId(ana(), QStringLiteral("Escalated throttles"), kNow)); // a retry names the same one
        QVERIFY(v.id != newViewId(ben(), QStringLiteral("Escalated throttles"), kNow));
        QCOMPARE(v.name, QStringLiteral("Escalated throttles"));
        QCOMPARE(v.owner, ana().email);
        QCOMPARE(v.ownerUid, ana().uid);
        QCOMPARE(v.updatedBy, ana().email);
        QVERIFY(v.shared);
        QCOMPARE(parseViewFilter(v.filter).value(), escalatedThrottles());
        QVERIFY(cs->audit.action == AuditAction::SaveView);
        QVERIFY(cs->audit.uid.isEmpty());
        QCOMPARE(cs->audit.reviewer, ana().email);
        QCOMPARE(cs->audit.reason, QStringLiteral("view %1 saved: Escalated throttles").arg(v.id));
        QVERIFY(validateAuditRecord(cs->audit));
        // A user's action still needs its user; a view's record must not name one.
        AuditRecord aboutAUser = cs->audit;
        aboutAUser.uid = QStringLiteral("u1");
        QVERIFY(!validateAuditRecord(aboutAUser));
        aboutAUser.action = AuditAction::Resolve;
        aboutAUser.uid.clear();
        QVERIFY(!validateAuditRecord(aboutAUser));
    }

    void namesAreUniqueAmongVisibleViews() {
        const SavedView shared = savedBy(ben(), QStringLiteral("Podcasts"), true);
        const auto clash =
            buildSaveView({shared}, std::nullopt, QStringLiteral("podcasts"), false, {}, actingAs(ana(), kNow));
        QVERIFY(!clash);
        QCOMPARE(clash.error().kind, ErrorKind::Invalid);
        QVERIFY2(clash.error().message.contains(QStringLiteral("\"Podcasts\" exists already")),
                 qPrintable(clash.error().message));
        // Saving the same view again under its own name is no clash.
        QVERIFY(buildSaveView({shared}, shared, QStringLiteral("Podcasts"), true, {}, actingAs(ben(), kNow)));
    }

    void changingAViewKeepsItsOwnerAndChecksItsVersion() {
        const SavedView mine = savedBy(ana(), QStringLiteral("Mine"), false);
        const auto cs = buildSaveView({mine}, mine, QStringLiteral("Mine, renamed"), false, escalatedThrottles(),
                                      actingAs(ana(), kNow + std::chrono::hours(1)));
        QVERIFY(cs);
        QCOMPARE(cs->viewChange->id, mine.id);
        QCOMPARE(cs->viewChange->expectedVersion, QStringLiteral("v1"));
        QCOMPARE(cs->viewChange->view->createdAt, mine.createdAt);
        QCOMPARE(cs->viewChange->view->updatedAt, kNow + std::chrono::hours(1));
        QCOMPARE(cs->viewChange->view->name, QStringLiteral("Mine, renamed"));
        QCOMPARE(cs->audit.reason, QStringLiteral("view %1 saved: Mine, renamed").arg(mine.id));
    }

    void whoMayChangeAView() {
        const SavedView anasPersonal = savedBy(ana(), QStringLiteral("A"), false);
        const SavedView anasShared = savedBy(ana(), QStringLiteral("B"), true);
        // Someone else's personal view: nobody, not even a senior.
        for (const Reviewer& r : {ben(), sam()}) {
            const auto change = buildSaveView({}, anasPersonal, QStringLiteral("A"), false, {}, actingAs(r, kNow));
            QVERIFY(!change);
            QCOMPARE(change.error().kind, ErrorKind::Permission);
            QCOMPARE(buildDeleteView(anasPersonal, actingAs(r, kNow)).error().kind, ErrorKind::Permission);
        }
        // Someone else's shared view: a senior, not a plain reviewer.
        QCOMPARE(buildSaveView({}, anasShared, QStringLiteral("B"), true, {}, actingAs(ben(), kNow)).error().kind,
                 ErrorKind::Permission);
        QCOMPARE(buildDeleteView(anasShared, actingAs(ben(), kNow)).error().kind, ErrorKind::Permission);
        const auto bySenior = buildSaveView({}, anasShared, QStringLiteral("B2"), true, {}, actingAs(sam(), kNow));
        QVERIFY(bySenior);
        QCOMPARE(bySenior->viewChange->view->owner, ana().email); // the owner stays
        QCOMPARE(bySenior->viewChange->view->updatedBy, sam().email);
        QVERIFY(buildDeleteView(anasShared, actingAs(sam(), kNow)));
        // ...but only the owner un-shares it.
        QCOMPARE(buildSaveView({}, anasShared, QStringLiteral("B"), false, {}, actingAs(sam(), kNow)).error().kind,
                 ErrorKind::Permission);
        QVERIFY(buildSaveView({}, anasShared, QStringLiteral("B"), false, {}, actingAs(ana(), kNow)));
    }

    void deletingNamesTheViewAndItsVersion() {
        const SavedView v = savedBy(ana(), QStringLiteral("Old"), true);
        const auto cs = buildDeleteView(v, actingAs(ana(), kNow));
        QVERIFY(cs);
        QVERIFY(cs->viewChange && !cs->viewChange->view);
        QCOMPARE(cs->viewChange->id, v.id);
        QCOMPARE(cs->viewChange->expectedVersion, QStringLiteral("v1"));
        QVERIFY(cs->audit.action == AuditAction::DeleteView);
        QCOMPARE(cs->audit.reason, QStringLiteral("view %1 deleted: Old").arg(v.id));
    }

    void aReviewerOwnsAtMostFiftyViews() {
        QList<SavedView> visible;
        for (int i = 0; i < kMaxViewsPerReviewer; ++i) {
            visible.append(savedBy(ana(), QStringLiteral("view %1").arg(i), i % 2 == 0));
        }
        const auto tooMany =
            buildSaveView(visible, std::nullopt, QStringLiteral("one more"), false, {}, actingAs(ana(), kNow));
        QVERIFY(!tooMany);
        QVERIFY(tooMany.error().message.contains(QStringLiteral("50 saved views")));
        // Other reviewers' views do not count against ben.
        QVERIFY(buildSaveView(visible, std::nullopt, QStringLiteral("one more"), false, {}, actingAs(ben(), kNow)));
    }

    void anonymousSavesAreRefused() {
        Reviewer nobody = ana();
        nobody.email.clear();
        QCOMPARE(buildSaveView({}, std::nullopt, QStringLiteral("x"), false, {}, actingAs(nobody, kNow)).error().kind,
                 ErrorKind::Invalid);
    }

    void sharedViewsComeFirstThenByName() {
        const QList<SavedView> sorted = sortedViews(
            {savedBy(ana(), QStringLiteral("zeta"), false), savedBy(ana(), QStringLiteral("Beta"), true),
             savedBy(ana(), QStringLiteral("alpha"), false), savedBy(ana(), QStringLiteral("gamma"), true)});
        QStringList names;
        for (const SavedView& v : sorted) {
            names << v.name;
        }
        QCOMPARE(names, (QStringList{QStringLiteral("Beta"), QStringLiteral("gamma"), QStringLiteral("alpha"),
                                     QStringLiteral("zeta")}));
    }
};

QTEST_GUILESS_MAIN(SavedViewsTest)
#include "SavedViewsTest.moc"
