// The demo population: distribution of daily speech, determinism, internal consistency, and what it seeds.
#include "EmbeddedTestSupport.h"

#include "audit/AuditChain.h"
#include "embedded/DemoEmbeddedWriter.h"
#include "embedded/DemoGenerator.h"
#include "embedded/DemoSpendCases.h"
#include "enforcement/ReviewerActions.h"
#include "metering/Metering.h"

#include <QHash>
#include <QSet>

#include <algorithm>
#include <cmath>
#include <map>

using namespace fairuse;
using namespace fairuse::services;
using namespace fairuse::testing;
using std::chrono::hours;

namespace {

const TimePoint kRef = at("2026-03-23T09:30:15.250Z");

DemoOptions defaults() {
    DemoOptions o;
    o.referenceTime = kRef;
    return o;
}

DemoOptions small() {
    DemoOptions o = defaults();
    o.users = 400;
    o.flaggedPerKind = 6;
    return o;
}

double quantile(QList<double> values, double p) {
    std::sort(values.begin(), values.end());
    const double rank = p * (values.size() - 1);
    const auto lo = static_cast<qsizetype>(std::floor(rank));
    const auto hi = std::min(lo + 1, values.size() - 1);
    return values[lo] + (values[hi] - values[lo]) * (rank - static_cast<double>(lo));
}

/** Mean daily speech (minutes) of every user over the last 7 days, from the minute buckets actually generated. */
QList<double> dailyMinutesFromBuckets(const DemoPopulation& pop) {
    QHash<QString, std::int64_t> total;
    for (const DemoMinute& m : pop.minutes) {
        total[m.uid] += m.speechMs;
    }
    QList<double> out;
    for (const DemoUser& u : pop.users) {
        out.append(static_cast<double>(total.value(u.uid)) / 7.0 / 60'000.0);
    }
    return out;
}

} // namespace

class TestDemoGenerator : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void dailySpeechFollowsTheTargetDistribution() {
        const DemoPopulation pop = generateDemoPopulation(defaults());
        QCOMPARE(pop.users.size(), 2000);
        const QList<double> daily = dailyMinutesFromBuckets(pop);
        const double median = quantile(daily, 0.50);
        const double p95 = quantile(daily, 0.95);
        const double p99 = quantile(daily, 0.99);
        qInfo("daily speech: median %.1f min, P95 %.1f min, P99 %.1f min, max %.1f min", median, p95, p99,
              *std::max_element(daily.begin(), daily.end()));
        QVERIFY2(std::abs(median - 12.7) <= 12.7 * 0.08, qPrintable(QString::number(median)));
        QVERIFY2(std::abs(p95 - 126.0) <= 126.0 * 0.10, qPrintable(QString::number(p95)));
        QVERIFY2(std::abs(p99 - 204.0) <= 204.0 * 0.12, qPrintable(QString::number(p99)));
        // The planted top user speaks 11.7 h a day, more than anyone else.
        const double top = *std::max_element(daily.begin(), daily.end());
        QVERIFY2(std::abs(top - 702.0) <= 702.0 * 0.02, qPrintable(QString::number(top)));
        QVERIFY(std::count_if(daily.begin(), daily.end(), [&](double d) { return d > 0.9 * top; }) == 1);
    }

    void sameSeedSamePopulation() {
        const DemoPopulation a = generateDemoPopulation(small());
        const DemoPopulation b = generateDemoPopulation(small());
        QCOMPARE(a.users.size(), b.users.size());
        for (int i = 0; i < a.users.size(); ++i) {
            QCOMPARE(a.users[i].uid, b.users[i].uid);
            QVERIFY(a.users[i].dailySpeechMs == b.users[i].dailySpeechMs);
        }
        QCOMPARE(a.minutes.size(), b.minutes.size());
        QCOMPARE(a.events.size(), b.events.size());
        for (int i = 0; i < a.events.size(); ++i) {
            QCOMPARE(a.events[i].caseRef, b.events[i].caseRef);
            QCOMPARE(a.events[i].classifier->misuseScore, b.events[i].classifier->misuseScore);
        }
        QCOMPARE(a.conversations.size(), b.conversations.size());
        QCOMPARE(a.spend.size(), b.spend.size());
        QCOMPARE(a.audit.size(), b.audit.size());
        QVERIFY(!a.audit.isEmpty());
        QCOMPARE(a.audit.last().hash, b.audit.last().hash);
        QCOMPARE(a.appeals.size(), b.appeals.size());
        for (int i = 0; i < a.appeals.size(); ++i) {
            QCOMPARE(a.appeals[i].id, b.appeals[i].id);
            QCOMPARE(a.appeals[i].createdAt, b.appeals[i].createdAt);
        }

        DemoOptions other = small();
        other.seed += 1;
        const DemoPopulation c = generateDemoPopulation(other);
        QVERIFY(c.users.first().uid != a.users.first().uid);
    }

    void appealsContestTheLatestCaseOfThrottledAndRestrictedUsers() {
        const DemoPopulation pop = generateDemoPopulation(defaults());
        QVERIFY(pop.appeals.size() >= 5);
        int open = 0;
        QSet<QString> ids;
        for (int i = 0; i < pop.appeals.size(); ++i) {
            const Appeal& a = pop.appeals[i];
            QVERIFY(i == 0 || pop.appeals[i - 1].createdAt <= a.createdAt);
            QVERIFY(!ids.contains(a.id));
            ids.insert(a.id);
            QVERIFY(a.channel == QLatin1String("in_app") || a.channel == QLatin1String("support_email"));
            QVERIFY(!a.message.isEmpty());
            QVERIFY(a.createdAt < pop.referenceTime);
            const auto state = std::find_if(pop.states.begin(), pop.states.end(),
                                            [&](const FairUseState& s) { return s.uid == a.uid; });
            QVERIFY(state != pop.states.end());
            QVERIFY(state->stage >= Stage::Throttle);
            QCOMPARE(a.caseRef, state->lastCaseRef);
            const auto contested = std::find_if(pop.events.begin(), pop.events.end(),
                                                [&](const FairUseEvent& e) { return e.caseRef == a.caseRef; });
            QVERIFY(contested != pop.events.end() && contested->createdAt < a.createdAt);
            if (a.isOpen()) {
                ++open;
                continue;
            }
            // A decided appeal has its record in the chain, named as the core names it.
            const auto record = std::find_if(pop.audit.begin(), pop.audit.end(), [&](const AuditRecord& r) {
                return r.action == AuditAction::DecideAppeal && r.uid == a.uid;
            });
            QVERIFY(record != pop.audit.end());
            QVERIFY(record->reason.startsWith(QStringLiteral("appeal %1 upheld: ").arg(a.id)));
            QCOMPARE(record->reviewer, a.decidedBy);
        }
        QVERIFY(open >= 3);
        QVERIFY(pop.appeals.size() - open >= 1 && pop.appeals.size() - open <= 2);
        QVERIFY(verifyChain(pop.audit).ok);
    }

    void flaggedUsersOfEveryKind() {
        const DemoPopulation pop = generateDemoPopulation(defaults());
        std::map<DemoProfile, int> kinds;
        for (const DemoUser& u : pop.users) {
            kinds[u.profile]++;
        }
        for (DemoProfile p : {DemoProfile::Audiobook, DemoProfile::Podcast, DemoProfile::TvMovie,
                              DemoProfile::Commercial, DemoProfile::LegitimateHeavy}) {
            QCOMPARE(kinds[p], 24);
        }
        std::map<Stage, int> stages;
        for (const FairUseState& s : pop.states) {
            stages[s.stage]++;
        }
        QVERIFY(stages[Stage::Warning] >= 20);
        QVERIFY(stages[Stage::Throttle] >= 20);
        QVERIFY(stages[Stage::Restrict] >= 15);
        QVERIFY(stages[Stage::None] >= 8); // legitimate heavy users who scored low or were cleared
        // Chapters of audiobooks, as the classifier and the reviewer see them.
        const auto chapter = std::find_if(pop.conversations.begin(), pop.conversations.end(), [](const auto& c) {
            return c.conversation.title.startsWith(QStringLiteral("Chapter "));
        });
        QVERIFY(chapter != pop.conversations.end());
        QVERIFY(chapter->conversation.durationMinutes() >= 1.0 && chapter->conversation.durationMinutes() <= 90.0);
    }

    void casesAreConsistentWithStatesAndConversations() {
        const DemoPopulation pop = generateDemoPopulation(defaults());
        QHash<QString, QSet<QString>> conversationIds;
        for (const DemoConversation& c : pop.conversations) {
            conversationIds[c.uid].insert(c.conversation.id);
        }
        QHash<QString, QList<const FairUseEvent*>> eventsOf;
        QSet<QString> refs;
        for (const FairUseEvent& e : pop.events) {
            eventsOf[e.uid].append(&e);
            QVERIFY2(!refs.contains(e.caseRef), qPrintable(e.caseRef));
            refs.insert(e.caseRef);
            QVERIFY(e.createdAt < kRef);
            if (isSpendTrigger(e.trigger)) {
                // The service's LLM-spend case (embedded/DemoSpendCases.h): figures over the cap, no verdict, no
                // stage change.
                QVERIFY(e.llmSpend.has_value() && !e.classifier.has_value());
                QVERIFY(e.newStage == e.previousStage);
                QVERIFY(e.trigger == CapWindow::LlmDaily
                            ? e.llmSpend->dailyMicroUsd > e.llmSpend->dailyCapMicroUsd
                            : e.llmSpend->monthlyMicroUsd > e.llmSpend->monthlyCapMicroUsd);
                continue;
            }
            QVERIFY(!e.llmSpend.has_value());
            QVERIFY(e.classifier.has_value());
            QVERIFY(e.classifier->model == QLatin1String("gpt-5.1") ||
                    e.classifier->model == QLatin1String("heuristic"));
            for (const Evidence& ev : e.classifier->evidence) {
                QVERIFY2(conversationIds.value(e.uid).contains(ev.conversationId), qPrintable(ev.conversationId));
            }
            if (e.newStage != e.previousStage) {
                QVERIFY(e.classifier->misuseScore >= 0.7);
                // Escalation needs a cap that was really hit.
                QVERIFY(!metering::capsHit(e.windowSpeech, e.thresholds).isEmpty());
            }
            if (e.resolved) {
                QVERIFY(e.resolvedAt.has_value() && !e.resolvedBy.isEmpty() && e.outcome.has_value());
            }
        }
        for (const FairUseState& s : pop.states) {
            const auto events = eventsOf.value(s.uid);
            QVERIFY(!events.isEmpty());
            const FairUseEvent* latest = *std::max_element(events.begin(), events.end(),
                                                           [](auto a, auto b) { return a->createdAt < b->createdAt; });
            QCOMPARE(s.lastCaseRef, latest->caseRef);
            if (s.stage != Stage::None) {
                QCOMPARE(nm(s.stage), nm(latest->newStage));
                int in7 = 0;
                for (const FairUseEvent* e : events) {
                    in7 += e->createdAt >= kRef - hours(24 * 7) ? 1 : 0;
                }
                QCOMPARE(s.violationCount7d, in7);
            }
            QCOMPARE(s.restrictUntil.has_value(), s.stage == Stage::Restrict);
            QCOMPARE(s.throttleUntil.has_value() || s.stage < Stage::Throttle, true);
        }
        const ChainVerification chain = verifyChain(pop.audit);
        QVERIFY2(chain.ok, qPrintable(chain.reason));
        QVERIFY(pop.audit.size() >= 5);
        QVERIFY(std::any_of(pop.reviewers.begin(), pop.reviewers.end(), [](const Reviewer& r) {
            return r.email == QLatin1String(kDemoReviewerEmail) && r.role == Role::SeniorReviewer;
        }));
        QVERIFY(!pop.sttBudget.isEmpty());
        QVERIFY(std::any_of(pop.spend.begin(), pop.spend.end(), [](const LlmSpendRecord& r) { return r.customStt; }));
        QVERIFY(std::all_of(pop.spend.begin(), pop.spend.end(),
                            [](const LlmSpendRecord& r) { return r.costMicroUsd > 0; }));
        // One bucket per (uid, source, minute), never more than a minute of speech, never in the future.
        QSet<QString> keys;
        for (const DemoMinute& m : pop.minutes) {
            QVERIFY(m.speechMs > 0 && m.speechMs <= 60'000);
            QVERIFY(m.unixMinute < unixMinute(kRef));
            const QString key =
                m.uid + QLatin1Char('/') + toString(m.source) + QLatin1Char('/') + QString::number(m.unixMinute);
            QVERIFY(!keys.contains(key));
            keys.insert(key);
        }
    }

    void everyActionIsAllowedForTheActorsRole() {
        for (const DemoOptions& options : {defaults(), small()}) {
            const DemoPopulation pop = generateDemoPopulation(options);
            QHash<QString, Role> roleOf;
            for (const Reviewer& r : pop.reviewers) {
                roleOf.insert(r.email, r.role);
            }
            // The enforcement service's records (its LLM-spend cases) name the service, with the service's role.
            roleOf.insert(QString::fromLatin1(kDemoServiceEmail), Role::Service);
            for (const AuditRecord& a : pop.audit) {
                const QString what =
                    QStringLiteral("%1 by %2 (%3) on %4").arg(toString(a.action), a.reviewer, toString(a.role), a.uid);
                QVERIFY2(roleOf.contains(a.reviewer), qPrintable(what));
                QVERIFY((a.action == AuditAction::Enforce) == (a.role == Role::Service));
                QCOMPARE(nm(a.role), nm(roleOf.value(a.reviewer)));
                const Role needed = enforcement::roleNeeded(a.action, a.stageBefore.value_or(Stage::None),
                                                            a.stageAfter.value_or(Stage::None));
                QVERIFY2(static_cast<int>(a.role) >= static_cast<int>(needed),
                         qPrintable(what + QStringLiteral(" needs ") + toString(needed)));
            }
            // A state that records a reset names someone who may reset, and the audit trail has that reset.
            int resets = 0;
            for (const FairUseState& s : pop.states) {
                if (s.resetBy.isEmpty() && !s.resetAt) {
                    continue;
                }
                ++resets;
                const QString what = QStringLiteral("reset of %1 by %2").arg(s.uid, s.resetBy);
                QVERIFY2(static_cast<int>(roleOf.value(s.resetBy, Role::Reviewer)) >=
                             static_cast<int>(enforcement::roleNeeded(AuditAction::Reset, Stage::None, Stage::None)),
                         qPrintable(what));
                QVERIFY2(std::any_of(pop.audit.begin(), pop.audit.end(),
                                     [&](const AuditRecord& a) {
                                         return a.action == AuditAction::Reset && a.uid == s.uid &&
                                                a.reviewer == s.resetBy && s.resetAt && a.at == *s.resetAt;
                                     }),
                         qPrintable(what + QStringLiteral(": no audit record")));
            }
            QVERIFY(resets > 0); // the demo shows a reset
        }
    }

    void seededStoreAgreesWithItself() {
        TempStore store;
        const DemoPopulation pop = generateDemoPopulation(small());
        const Status written = writeToEmbedded(pop, *store.stores.database);
        QVERIFY2(written.ok(), qPrintable(written.ok() ? QString() : written.error().message));

        // Every flagged row's speech (the seeded snapshot) equals the buckets summed at the reference time.
        QueueFilter all;
        QString cursor;
        int rows = 0;
        do {
            auto page = awaitResult(store.cases().fetchQueuePage(all, cursor, 100));
            QVERIFY(page.ok());
            for (const QueueRow& r : page->rows) {
                auto live = awaitResult(store.usage().readSpeech(r.state.uid, kRef));
                QVERIFY(live.ok());
                QVERIFY(r.speech.has_value());
                QCOMPARE(r.speech->dailyMs, live->totals.dailyMs);
                QCOMPARE(r.speech->threeDayMs, live->totals.threeDayMs);
                QCOMPARE(r.speech->weeklyMs, live->totals.weeklyMs);
                ++rows;
            }
            cursor = page->nextCursor;
        } while (!cursor.isEmpty());
        const auto flagged = std::count_if(pop.states.begin(), pop.states.end(),
                                           [](const FairUseState& s) { return s.stage != Stage::None; });
        QCOMPARE(rows, int(flagged));

        QCOMPARE(nm(awaitResult(store.cases().reviewerRole(QString::fromLatin1(kDemoReviewerEmail))).value()),
                 nm(Role::SeniorReviewer));
        QCOMPARE(awaitResult(store.stores.database->referenceTime()).value(), std::optional<TimePoint>(kRef));

        // A reviewer action after seeding extends the seeded chain.
        const FairUseState& someone = pop.states.first();
        ChangeSet note;
        note.uid = someone.uid;
        note.checkStateVersion = false;
        note.audit = makeAudit(someone.uid, AuditAction::AddNote, kRef, QStringLiteral("looked at it"));
        auto commit = awaitResult(store.cases().apply(note));
        QVERIFY(commit.ok());
        QCOMPARE(commit->audit.sequence, pop.audit.size() + 1);
        AuditFilter f;
        f.limit = 0;
        auto chain = awaitResult(store.cases().listAudit(f));
        const ChainVerification v = verifyChain(*chain, commit->audit.hash);
        QVERIFY2(v.ok, qPrintable(v.reason));

        // Restricted users have their STT budget in the usage store.
        const DemoSttBudget& b = pop.sttBudget.first();
        QCOMPARE(awaitResult(store.usage().readSttBudgetUsedMs(b.uid, b.day)).value(), b.usedMs);
    }

    void bulkFlaggedUsersForScale() {
        DemoOptions o = small();
        o.users = 100;
        o.flaggedPerKind = 2;
        o.bulkFlagged = 500;
        const DemoPopulation pop = generateDemoPopulation(o);
        QCOMPARE(pop.users.size(), 600);
        TempStore store;
        QVERIFY(writeToEmbedded(pop, *store.stores.database).ok());
        const QueueFilter f;
        auto page = awaitResult(store.cases().fetchQueuePage(f, QString(), 200));
        QVERIFY(page.ok());
        QCOMPARE(page->rows.size(), 200);
        QVERIFY(!page->nextCursor.isEmpty());
        QSet<QString> bulk;
        for (const DemoUser& u : pop.users) {
            if (u.bulk) {
                bulk.insert(u.uid);
            }
        }
        QCOMPARE(bulk.size(), 500);
        int bulkRows = 0;
        for (const QueueRow& r : page->rows) {
            QVERIFY(r.speech && r.speech->weeklyMs > 0);
            if (bulk.contains(r.state.uid)) {
                QVERIFY(r.openCases >= 1); // bulk cases are never reviewed
                ++bulkRows;
            }
        }
        QVERIFY(bulkRows > 0);
    }
};

QTEST_GUILESS_MAIN(TestDemoGenerator)
#include "DemoGeneratorTest.moc"
