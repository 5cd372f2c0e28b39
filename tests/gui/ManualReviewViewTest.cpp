// The manual-review inbox on the embedded demo store: the restricted users the population holds, oldest first, with
// the SLA the core computes; a reviewer keeps a restriction (the only decision the role allows) and the user leaves
// the inbox with a manual_review record in the reviewer's name; a senior restores access with "Submit & Next", which
// lowers the stage and moves on to the next user; a code "other" without notes is refused and records nothing.

#include "ManualReviewView.h"
#include "DetailTestStore.h"
#include "ManualReviewInbox.h"
#include "casework/ManualReview.h"
#include "enforcement/Enforcement.h"
#include "enforcement/ReviewerActions.h"

#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardItemModel>
#include <QTableView>
#include <QTest>

using namespace fairuse;
using namespace fairuse::ui;

class ManualReviewViewTest : public QObject {
    Q_OBJECT
private:
    testing::DetailTestStore m_store;
    const enforcement::Policy m_policy = enforcement::Policy::forReview();

    /** The restricted users whose restriction is in force at the store's time, oldest restriction first. */
    QStringList expectedWaiting() {
        const TimePoint now = m_store.backend.now();
        QList<std::pair<TimePoint, QString>> waiting;
        for (const FairUseState& s : m_store.population.states) {
            const FairUseState inForce = enforcement::applyExpiry(m_policy, m_store.state(s.uid), now).state;
            const auto since = casework::restrictedSince(m_policy, inForce);
            const auto audit = m_store.audit(s.uid);
            if (since && !casework::reviewedSince(audit, *since)) {
                waiting.append({*since, s.uid});
            }
        }
        std::sort(waiting.begin(), waiting.end());
        QStringList out;
        for (const auto& w : waiting) {
            out.append(w.second);
        }
        return out;
    }

    static QStringList shown(ManualReviewView& view) {
        QStringList out;
        for (int r = 0; r < view.inbox()->rowCount(); ++r) {
            out.append(view.inbox()->index(r, 0).data(models::ManualReviewInbox::UidRole).toString());
        }
        return out;
    }

    static bool load(ManualReviewView& view) {
        QSignalSpy loaded(view.inbox(), &models::ManualReviewInbox::loaded);
        view.refresh();
        return QTest::qWaitFor([&] { return !loaded.isEmpty(); }, 30000);
    }

    static void choose(ManualReviewView& view, const char* combo, const QVariant& data) {
        auto* box = view.findChild<QComboBox*>(QString::fromLatin1(combo));
        QVERIFY(box);
        box->setCurrentIndex(box->findData(data));
        QVERIFY(box->currentIndex() >= 0);
    }

    static bool decided(ManualReviewView& view, const char* button) {
        QSignalSpy done(&view, &ManualReviewView::decided);
        QTest::mouseClick(view.findChild<QPushButton*>(QString::fromLatin1(button)), Qt::LeftButton);
        return QTest::qWaitFor([&] { return !done.isEmpty(); }, 10000);
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_store.seed(Role::Reviewer));
        // Restrict three more users by hand, 30, 10 and 2 hours before the store's time: one late, two due.
        int restricted = 0;
        for (const FairUseState& s : m_store.population.states) {
            if (restricted == 3 || s.exempt || (s.stage != Stage::Warning && s.stage != Stage::Throttle)) {
                continue;
            }
            enforcement::ActionContext ctx;
            ctx.reviewer = {QStringLiteral("sam.senior@fairuse.example"), Role::SeniorReviewer};
            ctx.now = m_store.backend.now() - std::chrono::hours(restricted == 0 ? 30 : (restricted == 1 ? 10 : 2));
            ctx.clientVersion = QStringLiteral("test");
            auto change = enforcement::buildOverrideStage(m_policy, m_store.state(s.uid), Stage::Restrict,
                                                          QStringLiteral("other"), QStringLiteral("test setup"), ctx);
            QVERIFY2(change.ok(), qPrintable(change ? QString() : change.error().message));
            QVERIFY(services::awaitResult(m_store.backend.cases->apply(*change)).ok());
            ++restricted;
        }
        QCOMPARE(restricted, 3);
    }

    void listsTheRestrictedUsersOldestFirst() {
        ManualReviewView view(m_store.backend, m_policy);
        QAbstractItemModelTester tester(view.inbox(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(load(view));
        const QStringList expected = expectedWaiting();
        QVERIFY2(expected.size() >= 2, "the demo population needs two restricted users");
        QCOMPARE(shown(view), expected);
        // The SLA column says what the core says, and the status line counts the late ones.
        int late = 0;
        for (int r = 0; r < view.inbox()->rowCount(); ++r) {
            const models::InboxEntry& e = view.inbox()->rowAt(r);
            const auto sla = casework::slaStatus(m_policy, e.waitingSince, m_store.backend.now());
            QCOMPARE(e.sla.late, sla.late);
            QCOMPARE(view.inbox()->index(r, models::ManualReviewInbox::SlaColumn).data().toString() ==
                         QStringLiteral("late"),
                     sla.late);
            late += sla.late ? 1 : 0;
        }
        QVERIFY2(view.statusText().contains(QStringLiteral("%1 late").arg(late)), qPrintable(view.statusText()));
        QCOMPARE(view.currentUid(), expected.first());
    }

    void aReviewerKeepsARestriction() {
        ManualReviewView view(m_store.backend, m_policy);
        QVERIFY(load(view));
        const QString uid = view.currentUid();
        QVERIFY(!uid.isEmpty());
        // Restoring and extending are a senior's: the reviewer cannot pick them.
        auto* decision = view.findChild<QComboBox*>(QStringLiteral("decisionCombo"));
        auto* items = qobject_cast<QStandardItemModel*>(decision->model());
        QVERIFY(items);
        for (int i = 0; i < decision->count(); ++i) {
            const bool keep = decision->itemData(i).toInt() == int(casework::ReviewDecision::KeepRestricted);
            QCOMPARE(items->item(i)->isEnabled(), keep);
        }
        // "Other" without notes is refused and records nothing.
        const int before = int(m_store.audit(uid).size());
        choose(view, "decisionCombo", int(casework::ReviewDecision::KeepRestricted));
        choose(view, "reasonCombo", QStringLiteral("other"));
        QTest::mouseClick(view.findChild<QPushButton*>(QStringLiteral("submitButton")), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(view.statusText().startsWith(QStringLiteral("Not recorded")), 10000);
        QCOMPARE(int(m_store.audit(uid).size()), before);

        choose(view, "reasonCombo", QStringLiteral("media_confirmed"));
        QTest::keyClicks(view.findChild<QPlainTextEdit*>(QStringLiteral("notesEdit")), QStringLiteral("audiobooks"));
        QVERIFY(decided(view, "submitButton"));
        QVERIFY(!shown(view).contains(uid));
        const AuditRecord last = m_store.audit(uid).last();
        QCOMPARE(toString(last.action), QStringLiteral("manual_review"));
        QCOMPARE(last.reason, QStringLiteral("keep media_confirmed: audiobooks"));
        QCOMPARE(last.reviewer, m_store.backend.reviewer.email);
        QCOMPARE(toString(m_store.state(uid).stage), QStringLiteral("restrict"));
        // A new load agrees: the reviewed user no longer waits.
        QVERIFY(load(view));
        QVERIFY(!shown(view).contains(uid));
    }

    void aSeniorRestoresAccessAndMovesOn() {
        models::Backend senior = m_store.backend;
        senior.reviewer = {QStringLiteral("ben.senior@fairuse.example"), Role::SeniorReviewer};
        ManualReviewView view(senior, m_policy);
        QVERIFY(load(view));
        QVERIFY(view.inbox()->rowCount() >= 1);
        const QString uid = view.currentUid();
        const QString following = shown(view).value(1);
        choose(view, "decisionCombo", int(casework::ReviewDecision::RestoreWarning));
        choose(view, "reasonCombo", QStringLiteral("legitimate_use"));
        QVERIFY(decided(view, "submitNextButton"));
        QCOMPARE(toString(m_store.state(uid).stage), QStringLiteral("warning"));
        QVERIFY(!m_store.state(uid).restrictUntil.has_value());
        const AuditRecord last = m_store.audit(uid).last();
        QCOMPARE(last.reason, QStringLiteral("restore_warning legitimate_use"));
        QCOMPARE(last.reviewer, senior.reviewer.email);
        QCOMPARE(toString(last.stageAfter.value()), QStringLiteral("warning"));
        QCOMPARE(view.currentUid(), following);
    }
};

QTEST_MAIN(ManualReviewViewTest)
#include "ManualReviewViewTest.moc"
