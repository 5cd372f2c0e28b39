// packaging/firestore/firestore.rules on saved views (fair_use_views/{id}) and their save_view / delete_view records,
// with ID tokens the Firebase Auth emulator minted. Genuine commits (what the core and FirestoreCaseStore send, through
// the store with the reviewer's own token) pass; each hostile commit, a genuine one with one thing altered, is refused
// with PERMISSION_DENIED, and the genuine commit it was altered from passes after it: the refusal is the alteration's
// doing.
#include "RequireBackend.h"
#include "RulesSupport.h"

#include "casework/SavedViews.h"
#include "firestore/FirestoreViews.h"

#include <QTest>

#include <algorithm>

using namespace fairuse;
using namespace fairuse::services;
using namespace fairuse::testing::rules;

namespace {

FirestoreWrite* viewWrite(QList<FirestoreWrite>& w) {
    return writeTo(w, QStringLiteral("fair_use_views/"));
}

/** The same change sent in `who`'s name: the record and the view's last writer re-stamped. */
ChangeSet restamped(ChangeSet cs, const Reviewer& who) {
    cs.audit.reviewer = who.email;
    cs.audit.reviewerUid = who.uid;
    cs.audit.role = who.role;
    if (cs.viewChange && cs.viewChange->view) {
        cs.viewChange->view->updatedBy = who.email;
    }
    return cs;
}

casework::ViewFilter throttled() {
    casework::ViewFilter f;
    f.stage = Stage::Throttle;
    return f;
}

} // namespace

class ViewRulesTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    // What reviewers genuinely do, through FirestoreCaseStore with their own tokens.
    void aReviewerSavesASharedView();
    void aReviewerSavesAPersonalView();
    void theOwnerChangesTheirView();
    void aSeniorChangesASharedView();
    void theOwnerDeletesTheirView();
    void aSeniorDeletesASharedView();
    void staleChangesAreExplained();
    // Hostile commits.
    void aViewInSomeoneElsesName();
    void aViewWithSomeoneElsesUid();
    void aViewWithoutItsRecord();
    void aRecordNamingAnotherView();
    void aRecordWithAnotherName();
    void aReviewerChangesSomeoneElsesSharedView();
    void aReviewerDeletesSomeoneElsesSharedView();
    void aSeniorChangesSomeoneElsesPersonalView();
    void aSeniorDeletesSomeoneElsesPersonalView();
    void aSeniorUnsharesSomeoneElsesView();
    void nobodyReadsSomeoneElsesPersonalView();
    void aViewRecordThatNamesAUser();
    void aUserRecordThatNamesNoUser();
    void anOverlongName();
    void anOverlongFilter();
    void extraFields();
    void aBareDeleteOfAView();

private:
    /** Every view `who` may read, read with the owner's access (the core's `visible`). */
    QList<SavedView> visibleTo(const Actor& who);
    /** A new view of `who`'s, named uniquely after `name`. */
    Result<ChangeSet> saveNew(const Actor& who, const QString& name, bool shared);
    /** Saves a new view as `who` through the store and returns it as stored. */
    std::optional<SavedView> created(const Actor& who, const QString& name, bool shared);
    std::optional<SavedView> stored(const QString& id);
    QList<FirestoreWrite> writesOf(const ChangeSet& change);
    void refusedThenGenuinePasses(const Actor& sender, const QList<FirestoreWrite>& hostile, const Actor& owner,
                                  const QList<FirestoreWrite>& genuine);
    static Result<CommitResult> applyAs(const Actor& who, const Result<ChangeSet>& change);

    RulesProject m_rules;
    Actor m_ana; // reviewer
    Actor m_ben; // reviewer
    Actor m_sam; // senior reviewer
    int m_names = 0;
};

void ViewRulesTest::initTestCase() {
    FAIRUSE_REQUIRE_EMULATOR(host);
    REQUIRE_AUTH_EMULATOR();
    QVERIFY(m_rules.create(host, QStringLiteral("viewrules")));
    const testing::AuthEmulator auth;
    auto ana = signIn(auth, m_rules.host, m_rules.project, QStringLiteral("ana"), QStringLiteral("reviewer"));
    auto ben = signIn(auth, m_rules.host, m_rules.project, QStringLiteral("ben"), QStringLiteral("reviewer"));
    auto sam = signIn(auth, m_rules.host, m_rules.project, QStringLiteral("sam"), QStringLiteral("senior_reviewer"));
    VERIFY_OK(ana);
    VERIFY_OK(ben);
    VERIFY_OK(sam);
    m_ana = *ana;
    m_ben = *ben;
    m_sam = *sam;
}

QList<SavedView> ViewRulesTest::visibleTo(const Actor& who) {
    return wait(m_rules.ownerStore->listViews(who.reviewer)).valueOr({});
}

Result<ChangeSet> ViewRulesTest::saveNew(const Actor& who, const QString& name, bool shared) {
    return casework::buildSaveView(visibleTo(who), std::nullopt, QStringLiteral("%1 %2").arg(name).arg(++m_names),
                                   shared, throttled(), contextFor(who.reviewer));
}

std::optional<SavedView> ViewRulesTest::stored(const QString& id) {
    auto doc = wait(m_rules.owner->get(viewPath(id)));
    if (!doc) {
        return std::nullopt;
    }
    auto v = decodeView(*doc);
    return v ? std::optional<SavedView>(*v) : std::nullopt;
}

std::optional<SavedView> ViewRulesTest::created(const Actor& who, const QString& name, bool shared) {
    auto cs = saveNew(who, name, shared);
    auto r = applyAs(who, cs);
    if (!r) {
        qWarning("saving view %s failed: %s", qPrintable(name), qPrintable(why(r.error())));
        return std::nullopt;
    }
    return stored(cs->viewChange->id);
}

QList<FirestoreWrite> ViewRulesTest::writesOf(const ChangeSet& change) {
    auto g = commitFor(*m_rules.owner, change);
    if (!g) {
        qWarning("building the commit failed: %s", qPrintable(why(g.error())));
        return {};
    }
    return g->writes;
}

Result<CommitResult> ViewRulesTest::applyAs(const Actor& who, const Result<ChangeSet>& change) {
    if (!change) {
        return change.error();
    }
    FirestoreCaseStore store(who.client);
    return wait(store.apply(*change));
}

void ViewRulesTest::refusedThenGenuinePasses(const Actor& sender, const QList<FirestoreWrite>& hostile,
                                             const Actor& owner, const QList<FirestoreWrite>& genuine) {
    QVERIFY(!hostile.isEmpty());
    QVERIFY(!genuine.isEmpty());
    auto refused = wait(sender.client->commit(hostile));
    QVERIFY2(!refused.ok(), "the hostile commit passed");
    QVERIFY2(refused.error().kind == ErrorKind::Permission, qPrintable(why(refused.error())));
    auto passed = wait(owner.client->commit(genuine));
    QVERIFY2(passed.ok(), qPrintable(passed.ok() ? QString() : why(passed.error())));
}

void ViewRulesTest::aReviewerSavesASharedView() {
    // With an idempotency key, as a retried save sends it: the second apply finds it applied.
    auto cs = casework::buildSaveView(visibleTo(m_ana), std::nullopt, QStringLiteral("Team throttles"), true,
                                      throttled(), contextFor(m_ana.reviewer, QStringLiteral("save-team-throttles")));
    VERIFY_OK(cs);
    auto r = applyAs(m_ana, cs);
    VERIFY_OK(r);
    QVERIFY(!r->viewVersion.isEmpty());
    auto again = applyAs(m_ana, cs);
    VERIFY_OK(again);
    QVERIFY(again->alreadyApplied);
    // Ben reads it through the rules (the store's `shared == true` query).
    FirestoreCaseStore bens(m_ben.client);
    auto views = wait(bens.listViews(m_ben.reviewer));
    VERIFY_OK(views);
    QVERIFY(std::any_of(views->cbegin(), views->cend(),
                        [&cs](const SavedView& v) { return v.id == cs->viewChange->id && v.shared; }));
}

void ViewRulesTest::aReviewerSavesAPersonalView() {
    auto cs = saveNew(m_ben, QStringLiteral("Ben's own"), false);
    VERIFY_OK(cs);
    VERIFY_OK(applyAs(m_ben, cs));
    const QString id = cs->viewChange->id;
    const auto has = [&id](const QList<SavedView>& views) {
        return std::any_of(views.cbegin(), views.cend(), [&id](const SavedView& v) { return v.id == id; });
    };
    FirestoreCaseStore bens(m_ben.client);
    auto own = wait(bens.listViews(m_ben.reviewer));
    VERIFY_OK(own);
    QVERIFY(has(*own));
    FirestoreCaseStore sams(m_sam.client);
    auto others = wait(sams.listViews(m_sam.reviewer));
    VERIFY_OK(others);
    QVERIFY(!has(*others));
}

void ViewRulesTest::theOwnerChangesTheirView() {
    const auto before = created(m_ana, QStringLiteral("Draft"), false);
    QVERIFY(before);
    auto cs = casework::buildSaveView(visibleTo(m_ana), before, QStringLiteral("Final %1").arg(++m_names), true, {},
                                      contextFor(m_ana.reviewer));
    VERIFY_OK(applyAs(m_ana, cs));
    const auto after = stored(before->id);
    QVERIFY(after && after->shared);
    QCOMPARE(after->name, cs->viewChange->view->name);
}

void ViewRulesTest::aSeniorChangesASharedView() {
    const auto before = created(m_ana, QStringLiteral("Stale"), true);
    QVERIFY(before);
    auto cs = casework::buildSaveView(visibleTo(m_sam), before, QStringLiteral("Fresh %1").arg(++m_names), true,
                                      throttled(), contextFor(m_sam.reviewer));
    VERIFY_OK(applyAs(m_sam, cs));
    const auto after = stored(before->id);
    QVERIFY(after);
    QCOMPARE(after->owner, m_ana.reviewer.email);
    QCOMPARE(after->updatedBy, m_sam.reviewer.email);
}

void ViewRulesTest::theOwnerDeletesTheirView() {
    const auto v = created(m_ben, QStringLiteral("Short-lived"), false);
    QVERIFY(v);
    VERIFY_OK(applyAs(m_ben, casework::buildDeleteView(*v, contextFor(m_ben.reviewer))));
    QVERIFY(!stored(v->id));
}

void ViewRulesTest::aSeniorDeletesASharedView() {
    const auto v = created(m_ana, QStringLiteral("Obsolete"), true);
    QVERIFY(v);
    VERIFY_OK(applyAs(m_sam, casework::buildDeleteView(*v, contextFor(m_sam.reviewer))));
    QVERIFY(!stored(v->id));
}

/** A change on a view read before its owner deleted, renamed or un-shared it: the rules refuse the first and the
 *  third, the precondition the second; the store reports a deleted or renamed view as a conflict, and an un-shared one
 *  as the refusal it is (someone else's personal view), saying so. */
void ViewRulesTest::staleChangesAreExplained() {
    const auto deleted = created(m_ana, QStringLiteral("Gone"), true);
    const auto unshared = created(m_ana, QStringLiteral("Going private"), true);
    const auto renamed = created(m_ana, QStringLiteral("Renamed"), true);
    QVERIFY(deleted && unshared && renamed);
    VERIFY_OK(applyAs(m_ana, casework::buildDeleteView(*deleted, contextFor(m_ana.reviewer))));
    VERIFY_OK(
        applyAs(m_ana, casework::buildSaveView({}, unshared, unshared->name, false, {}, contextFor(m_ana.reviewer))));
    VERIFY_OK(applyAs(m_ana, casework::buildSaveView({}, renamed, QStringLiteral("Renamed again %1").arg(++m_names),
                                                     true, {}, contextFor(m_ana.reviewer))));
    const auto conflicts = [](const Result<CommitResult>& r, const char* what) {
        return !r && r.error().kind == ErrorKind::Conflict && r.error().message.contains(QLatin1String(what));
    };
    auto r = applyAs(m_sam, casework::buildDeleteView(*deleted, contextFor(m_sam.reviewer)));
    QVERIFY2(conflicts(r, "was deleted"), qPrintable(r ? QStringLiteral("passed") : why(r.error())));
    r = applyAs(m_sam, casework::buildSaveView({}, unshared, QStringLiteral("Late %1").arg(++m_names), true, {},
                                               contextFor(m_sam.reviewer)));
    QVERIFY2(!r && r.error().kind == ErrorKind::Permission && r.error().message.contains(QLatin1String("un-shared")),
             qPrintable(r ? QStringLiteral("passed") : why(r.error())));
    r = applyAs(m_sam, casework::buildSaveView({}, renamed, QStringLiteral("Late %1").arg(++m_names), true, {},
                                               contextFor(m_sam.reviewer)));
    QVERIFY2(conflicts(r, "was changed"), qPrintable(r ? QStringLiteral("passed") : why(r.error())));
}

void ViewRulesTest::aViewInSomeoneElsesName() {
    auto cs = saveNew(m_ana, QStringLiteral("Mine"), true);
    VERIFY_OK(cs);
    const QList<FirestoreWrite> genuine = writesOf(*cs);
    QList<FirestoreWrite> hostile = genuine;
    QVERIFY(viewWrite(hostile));
    setField(viewWrite(hostile), QStringLiteral("owner"), V::string(m_ben.reviewer.email));
    refusedThenGenuinePasses(m_ana, hostile, m_ana, genuine);
}

void ViewRulesTest::aViewWithSomeoneElsesUid() {
    auto cs = saveNew(m_ana, QStringLiteral("Mine"), false);
    VERIFY_OK(cs);
    const QList<FirestoreWrite> genuine = writesOf(*cs);
    QList<FirestoreWrite> hostile = genuine;
    setField(viewWrite(hostile), QStringLiteral("owner_uid"), V::string(m_ben.reviewer.uid));
    refusedThenGenuinePasses(m_ana, hostile, m_ana, genuine);
}

void ViewRulesTest::aViewWithoutItsRecord() {
    auto cs = saveNew(m_ana, QStringLiteral("Unrecorded"), true);
    VERIFY_OK(cs);
    const QList<FirestoreWrite> genuine = writesOf(*cs);
    QList<FirestoreWrite> all = genuine;
    QVERIFY(viewWrite(all));
    refusedThenGenuinePasses(m_ana, {*viewWrite(all)}, m_ana, genuine);
}

void ViewRulesTest::aRecordNamingAnotherView() {
    const auto other = created(m_ben, QStringLiteral("Ben's"), true);
    QVERIFY(other);
    auto cs = saveNew(m_ana, QStringLiteral("Ana's"), true);
    VERIFY_OK(cs);
    ChangeSet hostile = *cs;
    hostile.audit.reason = QStringLiteral("view %1 saved: %2").arg(other->id, cs->viewChange->view->name);
    refusedThenGenuinePasses(m_ana, writesOf(hostile), m_ana, writesOf(*cs));
}

void ViewRulesTest::aRecordWithAnotherName() {
    auto cs = saveNew(m_ana, QStringLiteral("Named"), true);
    VERIFY_OK(cs);
    ChangeSet hostile = *cs;
    hostile.audit.reason = QStringLiteral("view %1 saved: something harmless").arg(cs->viewChange->id);
    refusedThenGenuinePasses(m_ana, writesOf(hostile), m_ana, writesOf(*cs));
}

void ViewRulesTest::aReviewerChangesSomeoneElsesSharedView() {
    const auto v = created(m_ana, QStringLiteral("Team"), true);
    QVERIFY(v);
    const QString name = QStringLiteral("Renamed %1").arg(++m_names);
    // The core refuses it; a client that sends it anyway re-stamps a senior's change.
    QCOMPARE(casework::buildSaveView(visibleTo(m_ben), v, name, true, {}, contextFor(m_ben.reviewer)).error().kind,
             ErrorKind::Permission);
    auto cs = casework::buildSaveView(visibleTo(m_sam), v, name, true, {}, contextFor(m_sam.reviewer));
    VERIFY_OK(cs);
    refusedThenGenuinePasses(m_ben, writesOf(restamped(*cs, m_ben.reviewer)), m_sam, writesOf(*cs));
}

void ViewRulesTest::aReviewerDeletesSomeoneElsesSharedView() {
    const auto v = created(m_ana, QStringLiteral("Team"), true);
    QVERIFY(v);
    QCOMPARE(casework::buildDeleteView(*v, contextFor(m_ben.reviewer)).error().kind, ErrorKind::Permission);
    auto cs = casework::buildDeleteView(*v, contextFor(m_sam.reviewer));
    VERIFY_OK(cs);
    refusedThenGenuinePasses(m_ben, writesOf(restamped(*cs, m_ben.reviewer)), m_sam, writesOf(*cs));
    QVERIFY(!stored(v->id));
}

void ViewRulesTest::aSeniorChangesSomeoneElsesPersonalView() {
    const auto v = created(m_ben, QStringLiteral("Private"), false);
    QVERIFY(v);
    const QString name = QStringLiteral("Taken %1").arg(++m_names);
    QCOMPARE(casework::buildSaveView(visibleTo(m_sam), v, name, false, {}, contextFor(m_sam.reviewer)).error().kind,
             ErrorKind::Permission);
    auto cs = casework::buildSaveView(visibleTo(m_ben), v, name, false, {}, contextFor(m_ben.reviewer));
    VERIFY_OK(cs);
    refusedThenGenuinePasses(m_sam, writesOf(restamped(*cs, m_sam.reviewer)), m_ben, writesOf(*cs));
}

void ViewRulesTest::aSeniorDeletesSomeoneElsesPersonalView() {
    const auto v = created(m_ben, QStringLiteral("Private"), false);
    QVERIFY(v);
    QCOMPARE(casework::buildDeleteView(*v, contextFor(m_sam.reviewer)).error().kind, ErrorKind::Permission);
    auto cs = casework::buildDeleteView(*v, contextFor(m_ben.reviewer));
    VERIFY_OK(cs);
    refusedThenGenuinePasses(m_sam, writesOf(restamped(*cs, m_sam.reviewer)), m_ben, writesOf(*cs));
}

void ViewRulesTest::aSeniorUnsharesSomeoneElsesView() {
    const auto v = created(m_ana, QStringLiteral("Shared"), true);
    QVERIFY(v);
    QCOMPARE(casework::buildSaveView(visibleTo(m_sam), v, v->name, false, {}, contextFor(m_sam.reviewer)).error().kind,
             ErrorKind::Permission);
    auto cs = casework::buildSaveView(visibleTo(m_ana), v, v->name, false, {}, contextFor(m_ana.reviewer));
    VERIFY_OK(cs);
    refusedThenGenuinePasses(m_sam, writesOf(restamped(*cs, m_sam.reviewer)), m_ana, writesOf(*cs));
    QVERIFY(!stored(v->id)->shared);
}

void ViewRulesTest::nobodyReadsSomeoneElsesPersonalView() {
    const auto v = created(m_ben, QStringLiteral("Private"), false);
    QVERIFY(v);
    VERIFY_OK(wait(m_ben.client->get(viewPath(v->id))));
    for (const Actor* other : {&m_ana, &m_sam}) {
        auto got = wait(other->client->get(viewPath(v->id)));
        QVERIFY2(!got, "someone else read a personal view");
        QCOMPARE(got.error().kind, ErrorKind::Permission);
    }
    // A query the rules cannot prove (no filter, or someone else's uid) is refused as a whole.
    FirestoreQuery all;
    all.collectionId = viewsCollection();
    FirestoreQuery bens = all;
    bens.filters = {{QStringLiteral("owner_uid"), QStringLiteral("EQUAL"), V::string(m_ben.reviewer.uid)}};
    for (const FirestoreQuery& q : {all, bens}) {
        auto listed = wait(m_sam.client->runQuery(q));
        QVERIFY2(!listed, "a query without the reader's own filter passed");
        QCOMPARE(listed.error().kind, ErrorKind::Permission);
    }
    VERIFY_OK(wait(m_ben.client->runQuery(bens)));
}

void ViewRulesTest::aViewRecordThatNamesAUser() {
    VERIFY_OK(wait(m_rules.owner->commit(seedUser(QStringLiteral("viewed1"), Stage::Warning))));
    auto cs = saveNew(m_ana, QStringLiteral("About a user"), true);
    VERIFY_OK(cs);
    ChangeSet hostile = *cs;
    hostile.audit.uid = QStringLiteral("viewed1");
    refusedThenGenuinePasses(m_ana, writesOf(hostile), m_ana, writesOf(*cs));
}

void ViewRulesTest::aUserRecordThatNamesNoUser() {
    const QString uid = QStringLiteral("viewed2");
    VERIFY_OK(wait(m_rules.owner->commit(seedUser(uid, Stage::Throttle))));
    auto state = wait(m_rules.ownerStore->getState(uid));
    VERIFY_OK(state);
    auto cs = enforcement::buildRerunClassifier(*state, QStringLiteral("looks off"), contextFor(m_ana.reviewer));
    VERIFY_OK(cs);
    cs->audit.uid = uid;
    ChangeSet hostile = *cs; // a user's action recorded as the team's: no user, no stage
    hostile.uid.clear();
    hostile.audit.uid.clear();
    hostile.audit.stageBefore.reset();
    hostile.audit.stageAfter.reset();
    refusedThenGenuinePasses(m_ana, writesOf(hostile), m_ana, writesOf(*cs));
}

void ViewRulesTest::anOverlongName() {
    auto cs = saveNew(m_ana, QStringLiteral("Long"), true);
    VERIFY_OK(cs);
    ChangeSet hostile = *cs; // the record agrees with the name: only its length is wrong
    hostile.viewChange->view->name = QString(casework::kMaxViewNameChars + 1, QLatin1Char('n'));
    hostile.audit.reason = QStringLiteral("view %1 saved: %2").arg(cs->viewChange->id, hostile.viewChange->view->name);
    refusedThenGenuinePasses(m_ana, writesOf(hostile), m_ana, writesOf(*cs));
}

void ViewRulesTest::anOverlongFilter() {
    auto cs = saveNew(m_ana, QStringLiteral("Wide"), true);
    VERIFY_OK(cs);
    const QList<FirestoreWrite> genuine = writesOf(*cs);
    QList<FirestoreWrite> hostile = genuine;
    setField(viewWrite(hostile), QStringLiteral("filter"),
             V::string(QString(casework::kMaxViewFilterChars + 1, QLatin1Char(' '))));
    refusedThenGenuinePasses(m_ana, hostile, m_ana, genuine);
}

void ViewRulesTest::extraFields() {
    auto cs = saveNew(m_ana, QStringLiteral("Padded"), true);
    VERIFY_OK(cs);
    const QList<FirestoreWrite> genuine = writesOf(*cs);
    QList<FirestoreWrite> hostile = genuine;
    setField(viewWrite(hostile), QStringLiteral("role"), V::string(QStringLiteral("admin")));
    refusedThenGenuinePasses(m_ana, hostile, m_ana, genuine);
}

void ViewRulesTest::aBareDeleteOfAView() {
    const auto v = created(m_ana, QStringLiteral("Kept"), false);
    QVERIFY(v);
    auto cs = casework::buildDeleteView(*v, contextFor(m_ana.reviewer));
    VERIFY_OK(cs);
    const QList<FirestoreWrite> hostile{FirestoreWrite::remove(viewPath(v->id), Precondition::version(v->version))};
    refusedThenGenuinePasses(m_ana, hostile, m_ana, writesOf(*cs));
}

QTEST_GUILESS_MAIN(ViewRulesTest)
#include "ViewRulesTest.moc"
