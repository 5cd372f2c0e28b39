#pragma once
// The saved-views contract of CaseStore, one body for every implementation: a view is stored with its save_view
// record (a record that names no user) in one commit; a reader lists every shared view and only their own personal
// ones; a change or delete on a stale version conflicts and leaves the view and the audit trail as they were; a
// deleted view is gone; the idempotency key applies a retried save once.

#include "ConformanceSupport.h"

#include "audit/AuditChain.h"
#include "casework/SavedViews.h"
#include "enforcement/ReviewerActions.h"

#include <QObject>

#include <algorithm>

namespace fairuse::conformance {

class ViewConformance : public QObject, SuiteSubject<CaseStoreSubject> {
    Q_OBJECT
public:
    using SuiteSubject::SuiteSubject;

private:
    static Reviewer ana() { return Reviewer{QStringLiteral("ana@example.com"), Role::Reviewer, QStringLiteral("ana")}; }
    static Reviewer ben() { return Reviewer{QStringLiteral("ben@example.com"), Role::Reviewer, QStringLiteral("ben")}; }
    static Reviewer sam() {
        return Reviewer{QStringLiteral("sam@example.com"), Role::SeniorReviewer, QStringLiteral("sam")};
    }
    static TimePoint t0() { return at("2026-03-20T12:00:00Z"); }

    static enforcement::ActionContext as(const Reviewer& r, TimePoint now) {
        enforcement::ActionContext ctx;
        ctx.reviewer = r;
        ctx.now = now;
        ctx.clientVersion = QStringLiteral("conformance");
        return ctx;
    }

    static casework::ViewFilter audiobooks() {
        casework::ViewFilter f;
        f.stage = Stage::Throttle;
        f.usageType = UsageType::Audiobook;
        f.minScore = 0.7;
        f.claims = casework::ViewFilter::Claims::Unclaimed;
        return f;
    }

    Result<QList<SavedView>> viewsOf(const Reviewer& r) { return wait(store().listViews(r)); }

    Result<CommitResult> save(const Reviewer& who, const QString& name, bool shared,
                              const casework::ViewFilter& filter = {},
                              const std::optional<SavedView>& existing = std::nullopt, TimePoint now = t0()) {
        auto visible = viewsOf(who);
        if (!visible) {
            return visible.error();
        }
        auto cs = casework::buildSaveView(*visible, existing, name, shared, filter, as(who, now));
        if (!cs) {
            return cs.error();
        }
        return wait(store().apply(*cs));
    }

    static std::optional<SavedView> named(const QList<SavedView>& views, const QString& name) {
        const auto it =
            std::find_if(views.cbegin(), views.cend(), [&name](const SavedView& v) { return v.name == name; });
        return it == views.cend() ? std::nullopt : std::optional<SavedView>(*it);
    }

    int auditCount(AuditAction action) {
        services::AuditFilter f;
        f.action = action;
        f.limit = 0;
        auto records = wait(store().listAudit(f));
        return records ? int(records->size()) : -1;
    }

private Q_SLOTS:
    void init() {
        CONFORM_OK(renewSubject());
        CONFORM_OK(m_subject.seed(standardPopulation()));
    }

    void aViewIsStoredWithItsRecord() {
        auto r = save(ana(), QStringLiteral("Audiobook throttles"), true, audiobooks());
        CONFORM_OK(r);
        QVERIFY(!r->viewVersion.isEmpty());
        QVERIFY(r->audit.action == AuditAction::SaveView);
        QVERIFY(r->audit.uid.isEmpty());
        QCOMPARE(r->audit.reviewer, ana().email);
        QCOMPARE(r->audit.reviewerUid, ana().uid);

        auto views = viewsOf(ben());
        CONFORM_OK(views);
        QCOMPARE(views->size(), 1);
        const SavedView& v = views->at(0);
        QCOMPARE(v.name, QStringLiteral("Audiobook throttles"));
        QCOMPARE(v.owner, ana().email);
        QCOMPARE(v.ownerUid, ana().uid);
        QVERIFY(v.shared);
        QCOMPARE(v.createdAt, t0());
        QCOMPARE(v.updatedAt, t0());
        QCOMPARE(v.updatedBy, ana().email);
        QCOMPARE(v.version, r->viewVersion);
        QCOMPARE(casework::parseViewFilter(v.filter).value(), audiobooks());
        QCOMPARE(r->audit.reason, QStringLiteral("view %1 saved: Audiobook throttles").arg(v.id));
        QCOMPARE(auditCount(AuditAction::SaveView), 1);
    }

    void personalViewsAreTheirOwnersOnly() {
        CONFORM_OK(save(ana(), QStringLiteral("Ana's own"), false));
        CONFORM_OK(save(ana(), QStringLiteral("Team view"), true));
        CONFORM_OK(save(ben(), QStringLiteral("Ben's own"), false));

        auto anas = viewsOf(ana());
        CONFORM_OK(anas);
        QStringList names;
        for (const SavedView& v : casework::sortedViews(*anas)) {
            names << v.name;
        }
        QCOMPARE(names, (QStringList{QStringLiteral("Team view"), QStringLiteral("Ana's own")}));

        auto sams = viewsOf(sam()); // a senior reads shared views, not others' personal ones
        CONFORM_OK(sams);
        QCOMPARE(sams->size(), 1);
        QCOMPARE(sams->at(0).name, QStringLiteral("Team view"));
    }

    void aReaderWithoutAUidFindsTheirOwnByEmail() {
        // The embedded demo store's identity has no uid: its personal views are its own by e-mail.
        const Reviewer dee{QStringLiteral("dee@example.com"), Role::Reviewer};
        CONFORM_OK(save(dee, QStringLiteral("Dee's own"), false));
        CONFORM_OK(save(ana(), QStringLiteral("Ana's own"), false));
        auto views = viewsOf(dee);
        CONFORM_OK(views);
        QCOMPARE(views->size(), 1);
        QCOMPARE(views->at(0).name, QStringLiteral("Dee's own"));
        QVERIFY(views->at(0).ownerUid.isEmpty());
    }

    void changingAViewKeepsItsIdAndOwner() {
        CONFORM_OK(save(ana(), QStringLiteral("Old name"), true));
        const auto before = named(viewsOf(ana()).valueOr({}), QStringLiteral("Old name"));
        QVERIFY(before);
        auto r = save(sam(), QStringLiteral("New name"), true, audiobooks(), before, t0() + std::chrono::hours(1));
        CONFORM_OK(r);
        QVERIFY(r->viewVersion != before->version);
        auto views = viewsOf(ana());
        CONFORM_OK(views);
        QCOMPARE(views->size(), 1);
        const SavedView& after = views->at(0);
        QCOMPARE(after.id, before->id);
        QCOMPARE(after.name, QStringLiteral("New name"));
        QCOMPARE(after.owner, ana().email);
        QCOMPARE(after.createdAt, t0());
        QCOMPARE(after.updatedAt, t0() + std::chrono::hours(1));
        QCOMPARE(after.updatedBy, sam().email);
        QCOMPARE(casework::parseViewFilter(after.filter).value(), audiobooks());
        QCOMPARE(auditCount(AuditAction::SaveView), 2);
    }

    void aStaleChangeConflictsAndWritesNothing() {
        CONFORM_OK(save(ana(), QStringLiteral("Shared"), true));
        const auto stale = named(viewsOf(ana()).valueOr({}), QStringLiteral("Shared"));
        QVERIFY(stale);
        CONFORM_OK(save(ana(), QStringLiteral("Renamed by ana"), true, {}, stale));
        auto late = save(sam(), QStringLiteral("Renamed by sam"), true, {}, stale);
        QVERIFY(!late);
        QCOMPARE(late.error().kind, ErrorKind::Conflict);
        auto lateDelete = wait(store().apply(casework::buildDeleteView(*stale, as(sam(), t0())).value()));
        QVERIFY(!lateDelete);
        QCOMPARE(lateDelete.error().kind, ErrorKind::Conflict);
        auto views = viewsOf(ana());
        CONFORM_OK(views);
        QCOMPARE(views->size(), 1);
        QCOMPARE(views->at(0).name, QStringLiteral("Renamed by ana"));
        QCOMPARE(auditCount(AuditAction::SaveView), 2);
        QCOMPARE(auditCount(AuditAction::DeleteView), 0);
    }

    void aNewViewMayNotReplaceAnExistingOne() {
        auto first = casework::buildSaveView({}, std::nullopt, QStringLiteral("Same"), true, {}, as(ana(), t0()));
        QVERIFY(first);
        CONFORM_OK(wait(store().apply(*first)));
        ChangeSet again = *first; // the same id, written as new a second time without its idempotency key
        again.audit.at = t0() + std::chrono::minutes(1);
        auto second = wait(store().apply(again));
        QVERIFY(!second);
        QCOMPARE(second.error().kind, ErrorKind::Conflict);
        QCOMPARE(auditCount(AuditAction::SaveView), 1);
    }

    void aDeletedViewIsGone() {
        CONFORM_OK(save(ben(), QStringLiteral("Short-lived"), false));
        const auto v = named(viewsOf(ben()).valueOr({}), QStringLiteral("Short-lived"));
        QVERIFY(v);
        auto r = wait(store().apply(casework::buildDeleteView(*v, as(ben(), t0())).value()));
        CONFORM_OK(r);
        QVERIFY(r->audit.action == AuditAction::DeleteView);
        QCOMPARE(r->audit.reason, QStringLiteral("view %1 deleted: Short-lived").arg(v->id));
        QVERIFY(r->viewVersion.isEmpty());
        auto views = viewsOf(ben());
        CONFORM_OK(views);
        QVERIFY(views->isEmpty());
    }

    void aRetriedSaveIsAppliedOnce() {
        auto ctx = as(ana(), t0());
        ctx.idempotencyKey = QStringLiteral("save-view-retry-1");
        auto cs = casework::buildSaveView({}, std::nullopt, QStringLiteral("Retried"), true, {}, ctx);
        QVERIFY(cs);
        CONFORM_OK(wait(store().apply(*cs)));
        auto again = wait(store().apply(*cs));
        CONFORM_OK(again);
        QVERIFY(again->alreadyApplied);
        QCOMPARE(viewsOf(ana()).valueOr({}).size(), 1);
        QCOMPARE(auditCount(AuditAction::SaveView), 1);
    }

    void viewRecordsChainWithUsersRecords() {
        CONFORM_OK(save(ana(), QStringLiteral("One"), true));
        CONFORM_OK(save(ben(), QStringLiteral("Two"), false));
        services::AuditFilter all;
        all.limit = 0;
        auto records = wait(store().listAudit(all));
        CONFORM_OK(records);
        QVERIFY(records->size() >= 2);
        auto sorted = *records;
        std::sort(sorted.begin(), sorted.end(),
                  [](const AuditRecord& a, const AuditRecord& b) { return a.sequence < b.sequence; });
        const ChainVerification check = verifyChain(sorted, sorted.last().hash);
        QVERIFY2(check.ok, qPrintable(check.reason));
    }
};

} // namespace fairuse::conformance
