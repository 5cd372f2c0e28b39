// The security rules on manual reviews of restricted users (casework/ManualReview.h), with ID tokens from the Auth
// emulator: the genuine decisions land (a reviewer keeps, a senior restores and extends), and each hostile variant of
// one is refused: a reviewer's extension, a keep on a user who is not restricted, a reason that does not read
// "<decision> <code>", a decision whose stage does not match its reason, and an extension that moves the end earlier.
#include "RulesActorsTestBase.h"

#include "casework/ManualReview.h"

using namespace fairuse;
using namespace fairuse::services;
using namespace fairuse::testing::rules;

namespace {

using casework::ReviewDecision;

Result<ChangeSet> review(const Subject& s, const Reviewer& r, ReviewDecision d) {
    return casework::buildManualReview(kPolicy, s.state, d, QStringLiteral("media_confirmed"),
                                       QStringLiteral("rules test"), contextFor(r));
}

/** `change` as `who` would send it (the core refused `who` the decision). */
ChangeSet sentBy(ChangeSet change, const Reviewer& who) {
    change.audit.reviewer = who.email;
    change.audit.reviewerUid = who.uid;
    change.audit.role = who.role;
    return change;
}

} // namespace

class ManualReviewRulesTest : public ActorsTestBase {
    Q_OBJECT

private Q_SLOTS:
    void genuineDecisionsLand();
    void hostileDecisionsAreRefused();

private:
    /** A restricted user, read back as the console would. */
    Subject restrictedSubject(FirestoreCaseStore& store) {
        auto s = readSubject(store, freshUser(Stage::Restrict));
        return s ? *s : Subject{};
    }

    void expectRefused(FirestoreCaseStore& store, const ChangeSet& change, const char* what) {
        auto r = wait(store.apply(change));
        QVERIFY2(!r.ok(), what);
        QVERIFY2(r.error().kind == ErrorKind::Permission,
                 qPrintable(QString::fromLatin1(what) + QStringLiteral(": ") + r.error().message));
    }
};

void ManualReviewRulesTest::genuineDecisionsLand() {
    const Actor& reviewer = actor(Who::Reviewer);
    const Actor& senior = actor(Who::Senior);
    FirestoreCaseStore asReviewer(reviewer.client);
    FirestoreCaseStore asSenior(senior.client);

    const Subject kept = restrictedSubject(asReviewer);
    VERIFY_OK(applyChange(asReviewer, review(kept, reviewer.reviewer, ReviewDecision::KeepRestricted)));
    QCOMPARE(toString(wait(asReviewer.getState(kept.state.uid))->stage), QStringLiteral("restrict"));

    const Subject restored = restrictedSubject(asSenior);
    VERIFY_OK(applyChange(asSenior, review(restored, senior.reviewer, ReviewDecision::RestoreNone)));
    QCOMPARE(toString(wait(asSenior.getState(restored.state.uid))->stage), QStringLiteral("none"));

    const Subject extended = restrictedSubject(asSenior);
    VERIFY_OK(applyChange(asSenior, review(extended, senior.reviewer, ReviewDecision::Extend)));
    QVERIFY(*wait(asSenior.getState(extended.state.uid))->restrictUntil ==
            *extended.state.restrictUntil + kPolicy.restrictDuration);

    auto records = wait(m_rules.ownerStore->listAudit(AuditFilter{}));
    VERIFY_OK(records);
    QVERIFY(verifyChain(*records).ok);
}

void ManualReviewRulesTest::hostileDecisionsAreRefused() {
    const Actor& reviewer = actor(Who::Reviewer);
    const Actor& senior = actor(Who::Senior);
    FirestoreCaseStore asReviewer(reviewer.client);
    FirestoreCaseStore asSenior(senior.client);

    // A reviewer's extension (the core refuses it; a client sends it anyway).
    const Subject a = restrictedSubject(asReviewer);
    auto extension = review(a, senior.reviewer, ReviewDecision::Extend);
    VERIFY_OK(extension);
    expectRefused(asReviewer, sentBy(*extension, reviewer.reviewer), "a reviewer's extension");
    // ... and a reviewer lifting a restriction.
    auto lifted = review(a, senior.reviewer, ReviewDecision::RestoreWarning);
    VERIFY_OK(lifted);
    expectRefused(asReviewer, sentBy(*lifted, reviewer.reviewer), "a reviewer's restore");

    // A keep on a user who is not restricted, claiming a restriction in the record.
    auto warned = readSubject(asReviewer, freshUser(Stage::Warning));
    VERIFY_OK(warned);
    auto keepOfA = review(a, reviewer.reviewer, ReviewDecision::KeepRestricted);
    VERIFY_OK(keepOfA);
    ChangeSet keepWarned = *keepOfA;
    keepWarned.uid = warned->state.uid;
    keepWarned.audit.uid = warned->state.uid;
    expectRefused(asReviewer, keepWarned, "a keep on a user at warning");

    // A reason that does not read "<decision> <code>".
    ChangeSet badReason = *keepOfA;
    badReason.audit.reason = QStringLiteral("kept: because");
    expectRefused(asReviewer, badReason, "a malformed reason");

    // A decision whose stage does not match its reason: "keep" that lifts the restriction.
    const Subject b = restrictedSubject(asSenior);
    auto restore = review(b, senior.reviewer, ReviewDecision::RestoreNone);
    VERIFY_OK(restore);
    ChangeSet mislabelled = *restore;
    mislabelled.audit.reason = QStringLiteral("keep media_confirmed: rules test");
    expectRefused(asSenior, mislabelled, "a keep that lifts the restriction");

    // An extension that moves the end earlier.
    auto extend = review(b, senior.reviewer, ReviewDecision::Extend);
    VERIFY_OK(extend);
    ChangeSet earlier = *extend;
    earlier.newState->restrictUntil = *b.state.restrictUntil - std::chrono::hours(24);
    expectRefused(asSenior, earlier, "an extension that shortens the restriction");

    // Each genuine commit still passes after its hostile variants.
    VERIFY_OK(applyChange(asReviewer, review(a, reviewer.reviewer, ReviewDecision::KeepRestricted)));
    VERIFY_OK(applyChange(asSenior, review(b, senior.reviewer, ReviewDecision::Extend)));
}

QTEST_GUILESS_MAIN(ManualReviewRulesTest)
#include "ManualReviewRulesTest.moc"
