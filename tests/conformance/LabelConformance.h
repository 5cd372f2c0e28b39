#pragma once
// The classifier-label contract of CaseStore, one body for every implementation: a decision's label is written in the
// commit of its audit record (or not at all), one per case (a later decision replaces it), and listLabels pages
// oldest first from `since`, following its own cursors.

#include "ConformanceSupport.h"

#include "casework/Appeals.h"
#include "enforcement/Policy.h"
#include "enforcement/ReviewerActions.h"

#include <QObject>

namespace fairuse::conformance {

class LabelConformance : public QObject, SuiteSubject<CaseStoreSubject> {
    Q_OBJECT
public:
    using SuiteSubject::SuiteSubject;

private:
    static enforcement::ActionContext acting(const char* now) {
        enforcement::ActionContext ctx;
        ctx.reviewer = actingReviewer();
        ctx.now = at(now);
        ctx.clientVersion = QStringLiteral("conformance");
        return ctx;
    }

    /** The standard population with a classifier result on every case. */
    static Population classified() {
        Population p = standardPopulation();
        for (FairUseEvent& e : p.events) {
            ClassifierResult c;
            c.misuseScore = 0.9;
            c.usageType = e.uid == QLatin1String("bob") ? UsageType::Podcast : UsageType::Audiobook;
            c.confidence = 0.8;
            c.model = QStringLiteral("gpt-4o-mini");
            c.promptVersion = QStringLiteral("purpose-v3");
            c.reasoning = QStringLiteral("Reads chapters aloud every night");
            c.evidence = {Evidence{QStringLiteral("c1"), QStringLiteral("Chapter 1"), QStringLiteral("narration")}};
            e.classifier = c;
        }
        return p;
    }

    /** `uid`'s open case resolved by the acting reviewer at `now` with `verdict`. */
    Result<ChangeSet> resolveWith(const QString& uid, const char* now, ClassifierVerdict verdict,
                                  Outcome outcome = Outcome::Confirmed) {
        auto state = wait(store().getState(uid));
        auto events = wait(store().listEvents(uid));
        if (!state || !events) {
            return Error::internal(QStringLiteral("reading %1 failed").arg(uid));
        }
        for (const FairUseEvent& e : *events) {
            if (!e.resolved) {
                enforcement::ActionContext ctx = acting(now);
                ctx.caseRef = e.caseRef;
                ctx.eventId = e.id;
                return enforcement::buildResolve(enforcement::Policy::forReview(), *state, e, outcome,
                                                 QStringLiteral("media_confirmed"), QStringLiteral("evidence"), false,
                                                 ctx, verdict);
            }
        }
        return Error::notFound(QStringLiteral("%1 has no open case").arg(uid));
    }

    QList<ClassifierLabel> allLabels(std::optional<TimePoint> since, int pageSize, int* pages) {
        QList<ClassifierLabel> out;
        QString cursor;
        *pages = 0;
        do {
            auto page = wait(store().listLabels(since, cursor, pageSize));
            if (!page) {
                qWarning() << page.error().message;
                return {};
            }
            ++*pages;
            out += page->labels;
            cursor = page->nextCursor;
        } while (!cursor.isEmpty() && *pages < 20);
        return out;
    }

private Q_SLOTS:
    void init() {
        CONFORM_OK(renewSubject());
        CONFORM_OK(m_subject.seed(classified()));
    }
    void cleanup() { m_subject = {}; }

    void noLabelsAtFirst() {
        auto page = wait(store().listLabels(std::nullopt, QString(), 10));
        CONFORM_OK(page);
        QVERIFY(page->labels.isEmpty());
        QVERIFY(page->nextCursor.isEmpty());
    }

    void aResolutionWritesItsLabel() {
        auto cs = resolveWith(QStringLiteral("alice"), "2026-03-20T12:00:00Z", ClassifierVerdict::ModelWrongLegitimate,
                              Outcome::FalsePositive);
        CONFORM_OK(cs);
        auto r = wait(store().apply(*cs));
        CONFORM_OK(r);
        QCOMPARE(r->audit.reason, QStringLiteral("media_confirmed: evidence"));
        auto page = wait(store().listLabels(std::nullopt, QString(), 10));
        CONFORM_OK(page);
        QCOMPARE(page->labels.size(), 1);
        const ClassifierLabel& l = page->labels.first();
        QCOMPARE(l.eventId, QStringLiteral("e1"));
        QCOMPARE(l.uid, QStringLiteral("alice"));
        QCOMPARE(l.caseRef, kAliceOpenRef);
        QCOMPARE(l.model, QStringLiteral("gpt-4o-mini"));
        QCOMPARE(l.promptVersion, QStringLiteral("purpose-v3"));
        QCOMPARE(toString(l.verdict), QStringLiteral("model_wrong_legitimate"));
        QCOMPARE(l.usageType, QStringLiteral("audiobook"));
        QCOMPARE(l.outcome, QStringLiteral("false_positive"));
        QCOMPARE(l.reviewer, actingReviewer().email);
        QCOMPARE(l.reviewerUid, actingReviewer().uid);
        QCOMPARE(l.labelledAt, r->audit.at);
        QVERIFY(page->nextCursor.isEmpty());
    }

    void aRefusedCommitWritesNoLabel() {
        auto cs = resolveWith(QStringLiteral("bob"), "2026-03-20T12:00:00Z", ClassifierVerdict::ModelRight);
        CONFORM_OK(cs);
        ChangeSet stale = *cs;
        stale.expectedEventVersion = QStringLiteral("not-the-version"); // someone changed the case meanwhile
        if (stale.expectedEventVersion == cs->expectedEventVersion) {
            QFAIL("the stale version is the real one");
        }
        auto refused = wait(store().apply(stale));
        QVERIFY(!refused.ok());
        auto page = wait(store().listLabels(std::nullopt, QString(), 10));
        CONFORM_OK(page);
        QVERIFY(page->labels.isEmpty());
    }

    void pagesOldestFirstFromSince() {
        CONFORM_OK(wait(store().apply(
            resolveWith(QStringLiteral("bob"), "2026-03-20T12:00:00Z", ClassifierVerdict::ModelRight).value())));
        CONFORM_OK(wait(store().apply(
            resolveWith(QStringLiteral("alice"), "2026-03-21T12:00:00Z", ClassifierVerdict::NotAssessed).value())));
        // carol's resolved case, relabelled by deciding her open appeal: the label replaces none, adds a third.
        auto state = wait(store().getState(QStringLiteral("carol")));
        auto appeals = wait(store().listAppeals(QStringLiteral("carol")));
        auto events = wait(store().listEvents(QStringLiteral("carol")));
        CONFORM_OK(state);
        CONFORM_OK(appeals);
        CONFORM_OK(events);
        auto decide =
            casework::buildDecideAppeal(enforcement::Policy::forReview(), *state, *casework::openAppeal(*appeals),
                                        events->first(), AppealDecision::Upheld, QStringLiteral("repeat_violation"),
                                        QString(), acting("2026-03-22T12:00:00Z"), ClassifierVerdict::ModelRight);
        CONFORM_OK(decide);
        CONFORM_OK(wait(store().apply(*decide)));

        int pages = 0;
        const QList<ClassifierLabel> all = allLabels(std::nullopt, 2, &pages);
        QCOMPARE(all.size(), 3);
        QCOMPARE(pages, 2);
        QCOMPARE(all.at(0).eventId, QStringLiteral("e2"));
        QCOMPARE(all.at(1).eventId, QStringLiteral("e1"));
        QCOMPARE(all.at(2).eventId, QStringLiteral("e3"));
        QCOMPARE(all.at(2).outcome, QStringLiteral("upheld"));
        const QList<ClassifierLabel> since = allLabels(at("2026-03-21T12:00:00Z"), 1, &pages);
        QCOMPARE(since.size(), 2);
        QCOMPARE(since.at(0).eventId, QStringLiteral("e1")); // labelled exactly at `since`: included
        QCOMPARE(since.at(1).eventId, QStringLiteral("e3"));
        const QList<ClassifierLabel> none = allLabels(at("2026-03-23T00:00:00Z"), 10, &pages);
        QVERIFY(none.isEmpty());
        QCOMPARE(pages, 1);
    }

    void aLaterDecisionReplacesTheLabel() {
        // alice's open case: resolved with a verdict, then her appeal against it decided with another.
        CONFORM_OK(wait(store().apply(
            resolveWith(QStringLiteral("alice"), "2026-03-20T12:00:00Z", ClassifierVerdict::ModelRight).value())));
        auto state = wait(store().getState(QStringLiteral("alice")));
        auto appeals = wait(store().listAppeals(QStringLiteral("alice")));
        auto events = wait(store().listEvents(QStringLiteral("alice")));
        CONFORM_OK(state);
        CONFORM_OK(appeals);
        CONFORM_OK(events);
        std::optional<FairUseEvent> contested;
        for (const FairUseEvent& e : *events) {
            if (e.caseRef == kAliceOpenRef) {
                contested = e;
            }
        }
        QVERIFY(contested.has_value());
        auto decide =
            casework::buildDecideAppeal(enforcement::Policy::forReview(), *state, *casework::openAppeal(*appeals),
                                        contested, AppealDecision::Overturned, QStringLiteral("classifier_error"),
                                        QString(), acting("2026-03-20T13:00:00Z"), ClassifierVerdict::ModelWrongMedia);
        CONFORM_OK(decide);
        CONFORM_OK(wait(store().apply(*decide)));
        auto page = wait(store().listLabels(std::nullopt, QString(), 10));
        CONFORM_OK(page);
        QCOMPARE(page->labels.size(), 1);
        QCOMPARE(toString(page->labels.first().verdict), QStringLiteral("model_wrong_media"));
        QCOMPARE(page->labels.first().outcome, QStringLiteral("overturned"));
        QCOMPARE(page->labels.first().labelledAt, at("2026-03-20T13:00:00Z"));
    }

    void aCursorOfNoOneIsRefused() {
        auto page = wait(store().listLabels(std::nullopt, QStringLiteral("not-a-cursor"), 10));
        QVERIFY(!page.ok());
        QCOMPARE(page.error().kind, ErrorKind::Invalid);
    }
};

} // namespace fairuse::conformance
