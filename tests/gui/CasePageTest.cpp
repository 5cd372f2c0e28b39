// The case page: the timeline, case summary and conversation text as built from documents (models/CasePage), and
// the page itself on a seeded embedded store at 1500 x 900 — header bars from the speech the store holds, the open
// case in the strip, the cited conversation in full, appeals and audit reasons in the timeline, nothing cut off, and
// the window's layout kept between sessions.

#include "CasePage.h"
#include "CaseHeader.h"
#include "ConversationsModel.h"
#include "DetailFormat.h"
#include "DetailTestStore.h"
#include "EventsModel.h"
#include "EvidenceModel.h"
#include "FilterBar.h"
#include "MainWindow.h"
#include "QueueView.h"
#include "UserView.h"
#include "common/Await.h"
#include "common/Subscription.h"
#include "enforcement/ReviewerActions.h"

#include <QAction>
#include <QComboBox>
#include <QHeaderView>
#include <QLabel>
#include <QProgressBar>
#include <QScrollBar>
#include <QSettings>
#include <QSignalSpy>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QTest>
#include <QTextBrowser>

using namespace fairuse;
using namespace fairuse::ui;
using namespace std::chrono_literals;

namespace {

const TimePoint kT0 = parseRfc3339(QStringLiteral("2026-03-20T10:00:00Z")).value();

FairUseEvent makeEvent(const QString& ref, TimePoint at) {
    FairUseEvent e;
    e.id = ref.toLower();
    e.uid = QStringLiteral("u1");
    e.caseRef = ref;
    e.createdAt = at;
    e.trigger = CapWindow::ThreeDay;
    e.windowSpeech = {3'600'000, 30'000'000, 31'000'000};
    e.previousStage = Stage::Warning;
    e.newStage = Stage::Throttle;
    return e;
}

AuditRecord record(AuditAction action, TimePoint at, const QString& caseRef, const QString& reason) {
    AuditRecord r;
    r.action = action;
    r.at = at;
    r.caseRef = caseRef;
    r.reason = reason;
    r.reviewer = QStringLiteral("ana@example.com");
    r.uid = QStringLiteral("u1");
    return r;
}

bool waitLoaded(UserView& view, const QString& uid) {
    QSignalSpy spy(&view, &UserView::loaded);
    view.showUser(uid);
    return QTest::qWaitFor([&spy] { return !spy.isEmpty(); }, 30000) && spy.last().at(0).toString() == uid;
}

} // namespace

class CasePageTest : public QObject {
    Q_OBJECT
private:
    testing::DetailTestStore m_store;

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_store.seed()); }

    void timelineIsNewestFirstWithEveryKind() {
        FairUseEvent old = makeEvent(QStringLiteral("FU-000000000001"), kT0 - 72h);
        old.resolved = true;
        old.resolvedAt = kT0 - 70h;
        old.resolvedBy = QStringLiteral("bo@example.com");
        old.outcome = Outcome::FalsePositive;
        old.adminNotes = QStringLiteral("old note kept on the case only");
        const FairUseEvent open = makeEvent(QStringLiteral("FU-000000000002"), kT0 - 10h);
        Appeal appeal;
        appeal.id = QStringLiteral("ap1");
        appeal.createdAt = kT0 - 9h;
        appeal.caseRef = open.caseRef;
        appeal.channel = QStringLiteral("in_app");
        appeal.message = QStringLiteral("I was in meetings all week, <not> listening to books.");
        appeal.decision = AppealDecision::Overturned;
        appeal.decidedBy = QStringLiteral("sam@example.com");
        appeal.decidedAt = kT0 - 2h;
        appeal.decisionReason = QStringLiteral("meetings confirmed");
        const QString longReason = QString(QStringLiteral("a long reason ")).repeated(40);
        QList<AuditRecord> audit{
            record(AuditAction::Claim, kT0 - 5h, open.caseRef, {}),
            record(AuditAction::AddNote, kT0 - 4h, open.caseRef, QStringLiteral("called the user")),
            record(AuditAction::OverrideStage, kT0 - 3h, open.caseRef, longReason),
            record(AuditAction::DecideAppeal, kT0 - 2h, open.caseRef, QStringLiteral("meetings confirmed")),
        };
        audit[2].stageBefore = Stage::Throttle;
        audit[2].stageAfter = Stage::Warning;

        const QList<models::TimelineEntry> t = models::buildTimeline({open, old}, {appeal}, audit);
        for (qsizetype i = 1; i < t.size(); ++i) {
            QVERIFY(t.at(i - 1).at >= t.at(i).at);
        }
        QStringList titles;
        for (const models::TimelineEntry& e : t) {
            titles << e.title;
        }
        // old case opened + resolved (no resolve record), open case, appeal received + decided, claim, note,
        // override; the appeal's own record is not repeated.
        QCOMPARE(t.size(), 8);
        QCOMPARE(t.first().kind, models::TimelineEntry::Kind::Appeal);
        QVERIFY(t.first().title.contains(QStringLiteral("overturned by sam@example.com")));
        QCOMPARE(t.first().detail, QStringLiteral("meetings confirmed"));
        QCOMPARE(t.at(1).kind, models::TimelineEntry::Kind::Decision);
        QCOMPARE(t.at(1).detail, longReason); // in full
        QVERIFY2(t.at(1).title.contains(QStringLiteral("throttle \u2192 warning")), qPrintable(t.at(1).title));
        QCOMPARE(t.at(2).kind, models::TimelineEntry::Kind::Note);
        QCOMPARE(t.at(3).kind, models::TimelineEntry::Kind::Claim);
        QCOMPARE(t.last().kind, models::TimelineEntry::Kind::Case);
        QVERIFY(t.last().detail.contains(old.adminNotes)); // no note record for that case: the case keeps it
        QCOMPARE(t.at(t.size() - 2).kind, models::TimelineEntry::Kind::Decision);
        QVERIFY(t.at(t.size() - 2).title.contains(QStringLiteral("resolved")));

        const QString html = models::timelineHtml(t);
        QVERIFY(html.contains(QStringLiteral("&lt;not&gt;")));
        QVERIFY(!html.contains(QStringLiteral("<not>")));
        QVERIFY(models::timelineHtml({}).contains(QStringLiteral("Nothing has happened")));

        // A resolve record replaces the event's resolution; a note record replaces the case's admin notes.
        audit << record(AuditAction::Resolve, kT0 - 70h, old.caseRef, QStringLiteral("fine"))
              << record(AuditAction::AddNote, kT0 - 71h, old.caseRef, QStringLiteral("note record"));
        const QList<models::TimelineEntry> again = models::buildTimeline({open, old}, {appeal}, audit);
        QCOMPARE(again.size(), 9);
        for (const models::TimelineEntry& e : again) {
            QVERIFY(!e.detail.contains(old.adminNotes));
            QVERIFY(!e.title.contains(QStringLiteral("resolved:")));
        }
    }

    void caseSummaryAndConversationInFull() {
        FairUseEvent e = makeEvent(QStringLiteral("FU-0000000000AA"), kT0);
        const QString summary = models::caseSummary(e);
        QVERIFY2(summary.startsWith(QStringLiteral("Open case FU-0000000000AA")), qPrintable(summary));
        QVERIFY2(summary.contains(QStringLiteral("3-day")), qPrintable(summary));
        QVERIFY2(summary.contains(QStringLiteral("(over)")), qPrintable(summary)); // 8.3 h of an 8 h cap
        QVERIFY2(summary.contains(QStringLiteral("warning \u2192 throttle")), qPrintable(summary));
        e.resolved = true;
        e.resolvedBy = QStringLiteral("bo@example.com");
        e.outcome = Outcome::Confirmed;
        QVERIFY(models::caseSummary(e).startsWith(QStringLiteral("Case FU-0000000000AA")));

        Conversation c;
        c.id = QStringLiteral("c1");
        c.title = QStringLiteral("Chapter <7>");
        c.overview = QString(QStringLiteral("narration continues ")).repeated(100);
        c.category = QStringLiteral("entertainment");
        c.source = QStringLiteral("omi");
        c.startedAt = kT0;
        c.finishedAt = kT0 + 95min;
        const QString html = models::conversationHtml(c, QStringLiteral("reads like an audiobook"));
        QVERIFY(html.contains(c.overview.trimmed()));
        QVERIFY(html.contains(QStringLiteral("Chapter &lt;7&gt;")));
        QVERIFY(html.contains(QStringLiteral("95 min")));
        QVERIFY(html.contains(QStringLiteral("entertainment")));
        QVERIFY(html.contains(QStringLiteral("omi")));
        QVERIFY(html.contains(QStringLiteral("reads like an audiobook")));
        QVERIFY(!models::conversationHtml(c, {}).contains(QStringLiteral("Cited")));

        QCOMPARE(models::capSharePercent(0, 0), 0);
        QCOMPARE(models::capSharePercent(6'480'000, 7'200'000), 90);
        QCOMPARE(models::capSharePercent(10'800'000, 7'200'000), 150);
        QCOMPARE(models::capSharePercent(7'164'000, 7'200'000), 100); // 99.5 rounds up
    }

    void pageShowsTheDecisionAtHand() {
        const QList<FairUseEvent> cases = m_store.openCasesWithEvidence();
        QVERIFY(!cases.isEmpty());
        const QString uid = cases.first().uid;
        FairUseEvent stored;
        for (const FairUseEvent& e : m_store.events(uid)) {
            if (e.id == cases.first().id) {
                stored = e; // with its version
            }
        }
        // A note with a long text on the open case, which the timeline must show whole.
        const QString note = QString(QStringLiteral("checked the calendar, meetings all morning; ")).repeated(12);
        enforcement::ActionContext ctx;
        ctx.reviewer = m_store.backend.reviewer;
        ctx.now = m_store.backend.now();
        ctx.clientVersion = QStringLiteral("test");
        ctx.caseRef = cases.first().caseRef;
        ctx.eventId = cases.first().id;
        const auto change = enforcement::buildAddNote(m_store.state(uid), stored, note, ctx);
        QVERIFY(change.ok());
        const auto applied = services::awaitResult(m_store.backend.cases->apply(change.value()));
        QVERIFY2(applied.ok(), qPrintable(applied.ok() ? QString() : applied.error().message));
        MainWindow window(m_store.backend);
        window.resize(1500, 900);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        UserView& view = *window.userView();
        QVERIFY(waitLoaded(view, uid));
        window.showUser(uid);
        QVERIFY(QTest::qWaitFor([&] { return !view.isLoading() && view.uid() == uid; }, 30000));

        // Header: the stage, and each cap as the share of the speech the store holds now.
        const FairUseState state = m_store.state(uid);
        const QString header = view.caseHeader()->text();
        QVERIFY2(header.contains(models::stageLabel(state.stage).toUpper()), qPrintable(header));
        const auto reading =
            services::awaitResult(m_store.backend.usage->readSpeech(uid, m_store.population.referenceTime));
        QVERIFY(reading.ok());
        const Caps caps = view.policy().capsFor(effectivePlan(state.subscription, m_store.population.referenceTime));
        QCOMPARE(view.caseHeader()->capBar(0)->value(),
                 std::min(100, models::capSharePercent(reading.value().totals.dailyMs, caps.dailyMs)));
        QCOMPARE(view.caseHeader()->capBar(2)->value(),
                 std::min(100, models::capSharePercent(reading.value().totals.weeklyMs, caps.weeklyMs)));
        QVERIFY2(view.caseHeader()->capBar(2)->text().contains(models::formatSpeechHours(caps.weeklyMs)),
                 qPrintable(view.caseHeader()->capBar(2)->text()));

        // The strip: the selected case, the open one with its verdict.
        const QModelIndex current = view.eventsView()->currentIndex();
        QVERIFY(current.isValid());
        const FairUseEvent selected = view.events().at(current.row());
        QVERIFY(!selected.resolved);
        QVERIFY2(view.caseStrip()->text().startsWith(QStringLiteral("Open case ") + selected.caseRef),
                 qPrintable(view.caseStrip()->text()));

        // An evidence row opens its conversation in full beside it, with the classifier's reason.
        QVERIFY(view.evidenceModel()->rowCount() > 0);
        view.evidenceView()->setCurrentIndex(view.evidenceModel()->index(0, 0));
        const Evidence cited = selected.classifier->evidence.first();
        Conversation conversation;
        for (const auto& c : m_store.population.conversations) {
            if (c.conversation.id == cited.conversationId) {
                conversation = c.conversation;
            }
        }
        QVERIFY(!conversation.id.isEmpty());
        const QString detail = view.conversationDetail()->toPlainText();
        QVERIFY2(detail.contains(conversation.overview.simplified().left(200)), qPrintable(detail));
        QVERIFY(detail.contains(cited.reason.simplified().left(60)));

        // The timeline: every appeal's message, and the reasons of the user's audit records.
        const QString timeline = view.timelineView()->toPlainText();
        QVERIFY2(timeline.contains(note.trimmed()), qPrintable(timeline));
        for (const Appeal& a : view.appeals()) {
            QVERIFY2(timeline.contains(a.message.simplified().left(80)), qPrintable(a.id));
        }
        for (const AuditRecord& r : view.audit()) {
            if (r.action != AuditAction::DecideAppeal && !r.reason.isEmpty()) {
                QVERIFY2(timeline.contains(r.reason.simplified().left(80)), qPrintable(r.reason));
            }
        }

        // Nothing cut off at 1500 x 900: texts wrap, the evidence rows are as tall as their wrapped reasons, the
        // browsers never scroll sideways, and the case page has at least 700 px.
        QVERIFY(view.width() >= 700);
        QVERIFY(view.caseStrip()->wordWrap());
        QTableView* evidence = view.evidenceView();
        QCOMPARE(evidence->verticalHeader()->sectionResizeMode(0), QHeaderView::ResizeToContents);
        QVERIFY(evidence->wordWrap());
        const QFontMetrics metrics(evidence->font());
        const int reasonWidth = evidence->columnWidth(models::EvidenceModel::ReasonColumn);
        for (int row = 0; row < view.evidenceModel()->rowCount(); ++row) {
            const QString reason = view.evidenceModel()->rowAt(row).reason;
            if (metrics.horizontalAdvance(reason) > reasonWidth + 20) {
                QVERIFY2(evidence->rowHeight(row) > metrics.height() * 3 / 2, qPrintable(reason)); // wrapped
            }
        }
        QCOMPARE(view.conversationDetail()->horizontalScrollBar()->maximum(), 0);
        view.sections()->setCurrentWidget(view.timelineView());
        QTest::qWait(50);
        QCOMPARE(view.timelineView()->horizontalScrollBar()->maximum(), 0);
    }

    void escalatedCasesOnAKey() {
        MainWindow window(m_store.backend);
        QAction* escalated = nullptr;
        QAction* active = nullptr;
        for (QAction* a : window.allActions()) {
            if (a->shortcut() == QKeySequence(QStringLiteral("Ctrl+Shift+X"))) {
                escalated = a;
            }
            if (a->text().remove(QLatin1Char('&')) == QStringLiteral("Cases not snoozed")) {
                active = a;
            }
        }
        QVERIFY(escalated && active);
        QComboBox* box = window.queueView()->filterBar()->caseworkBox();
        QCOMPARE(box->currentIndex(), 0); // snoozed cases hidden by default
        escalated->trigger();
        QCOMPARE(box->currentIndex(), 1);
        active->trigger();
        QCOMPARE(box->currentIndex(), 0);
    }

    void layoutIsKeptBetweenSessions() {
        QTemporaryDir dir;
        QSettings settings(dir.filePath(QStringLiteral("layout.ini")), QSettings::IniFormat);
        QList<int> saved;
        QList<int> savedCase;
        {
            MainWindow window(m_store.backend);
            window.resize(1400, 850);
            window.show();
            QVERIFY(QTest::qWaitForWindowExposed(&window));
            auto* split = window.centralWidget()->findChild<QSplitter*>(QString(), Qt::FindDirectChildrenOnly);
            QVERIFY(split);
            const int total = split->sizes().value(0) + split->sizes().value(1);
            split->setSizes({total / 3, total - total / 3});
            saved = split->sizes();
            auto* caseSplit = window.userView()->findChild<QSplitter*>(QStringLiteral("caseSplit"));
            QVERIFY(caseSplit);
            const int height = caseSplit->sizes().value(0) + caseSplit->sizes().value(1);
            caseSplit->setSizes({height / 4, height - height / 4});
            savedCase = caseSplit->sizes();
            window.saveLayout(settings);
        }
        MainWindow again(m_store.backend);
        again.restoreLayout(settings);
        again.show();
        QVERIFY(QTest::qWaitForWindowExposed(&again));
        QCOMPARE(again.size(), QSize(1400, 850));
        QCOMPARE(again.centralWidget()->findChild<QSplitter*>(QString(), Qt::FindDirectChildrenOnly)->sizes(), saved);
        QCOMPARE(again.userView()->findChild<QSplitter*>(QStringLiteral("caseSplit"))->sizes(), savedCase);
    }
};

QTEST_MAIN(CasePageTest)
#include "CasePageTest.moc"
