// UserView on a seeded embedded store: evidence beside the cited conversations, the chart, and the PDF report.

#include "UserView.h"
#include "ConversationsModel.h"
#include "DetailFormat.h"
#include "DetailTestStore.h"
#include "EventsModel.h"
#include "EvidenceModel.h"
#include "LiveObjects.h"
#include "SpeechChart.h"

#include <QAction>
#include <QChart>
#include <QFile>
#include <QItemSelectionModel>
#include <QLabel>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>

using namespace fairuse;
using namespace fairuse::ui;

namespace {

/** The seeded store, with the spend reads it was asked for recorded. */
class SpendRecordingStore : public services::CaseStore {
public:
    explicit SpendRecordingStore(std::shared_ptr<services::CaseStore> inner)
        : m_inner(std::move(inner)) {}
    int everyonesSpendReads = 0;
    QStringList userSpendReads;

    services::Async<services::QueuePage> fetchQueuePage(const services::QueueFilter& f, const QString& c,
                                                        int limit) override {
        return m_inner->fetchQueuePage(f, c, limit);
    }
    services::Async<FairUseState> getState(const QString& uid) override { return m_inner->getState(uid); }
    services::Async<QList<FairUseEvent>> listEvents(const QString& uid) override { return m_inner->listEvents(uid); }
    services::Async<FairUseEvent> findByCaseRef(const QString& ref) override { return m_inner->findByCaseRef(ref); }
    services::Async<QList<Conversation>> listConversations(const QString& uid, TimePoint since, int limit) override {
        return m_inner->listConversations(uid, since, limit);
    }
    services::Async<CommitResult> apply(const ChangeSet& change) override { return m_inner->apply(change); }
    services::Async<QList<AuditRecord>> listAudit(const services::AuditFilter& f) override {
        return m_inner->listAudit(f);
    }
    services::Async<QList<LlmSpendRecord>> listSpend(TimePoint from, TimePoint to) override {
        ++everyonesSpendReads;
        return m_inner->listSpend(from, to);
    }
    services::Async<QList<LlmSpendRecord>> listUserSpend(const QString& uid, TimePoint from, TimePoint to) override {
        userSpendReads << uid;
        return m_inner->listUserSpend(uid, from, to);
    }
    services::Async<Role> reviewerRole(const QString& email) override { return m_inner->reviewerRole(email); }
    QString describe() const override { return m_inner->describe(); }

private:
    std::shared_ptr<services::CaseStore> m_inner;
};

} // namespace

class UserViewTest : public QObject {
    Q_OBJECT
private:
    testing::DetailTestStore m_store;

    static bool waitLoaded(UserView& view, const QString& uid) {
        QSignalSpy spy(&view, &UserView::loaded);
        view.showUser(uid);
        return QTest::qWaitFor([&spy] { return !spy.isEmpty(); }, 30000) && spy.last().at(0).toString() == uid;
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_store.seed()); }

    void publicEntryPoints() {
        UserView view(m_store.backend, nullptr);
        const QList<QAction*> actions = view.actions();
        QCOMPARE(actions.size(), 9);
        QStringList keys;
        for (QAction* a : actions) {
            keys << a->shortcut().toString(QKeySequence::PortableText);
        }
        QVERIFY(keys.contains(QStringLiteral("Ctrl+R")));
        QVERIFY(keys.contains(QStringLiteral("Ctrl+Shift+O")));
        QVERIFY(keys.contains(QStringLiteral("Ctrl+N")));
        QVERIFY(keys.contains(QStringLiteral("Ctrl+P")));
        QVERIFY(keys.contains(QStringLiteral("Ctrl+Shift+G")));
        // Nothing loaded: actions are off.
        for (QAction* a : actions) {
            QVERIFY(!a->isEnabled());
        }
    }

    void showsEvidenceBesideCitedConversations() {
        const QList<FairUseEvent> cases = m_store.openCasesWithEvidence();
        QVERIFY(!cases.isEmpty());
        const FairUseEvent seeded = cases.first();
        UserView view(m_store.backend, nullptr);
        view.resize(1200, 800);
        view.show();
        QVERIFY(waitLoaded(view, seeded.uid));

        // The timeline lists the user's cases, newest first, and the seeded case is among them.
        QVERIFY(view.eventsModel()->rowOfEvent(seeded.id) >= 0);
        // Show the seeded case's verdict.
        view.eventsView()->setCurrentIndex(view.eventsModel()->index(view.eventsModel()->rowOfEvent(seeded.id), 0));
        QCOMPARE(view.evidenceModel()->rowCount(), seeded.classifier->evidence.size());
        for (int i = 0; i < seeded.classifier->evidence.size(); ++i) {
            QCOMPARE(view.evidenceModel()->rowAt(i).conversationId, seeded.classifier->evidence.at(i).conversationId);
        }
        const QString text = view.classifierText();
        QVERIFY2(text.contains(seeded.classifier->heuristic ? QStringLiteral("HEURISTIC") : QStringLiteral("LLM")),
                 qPrintable(text));
        QVERIFY(text.contains(seeded.classifier->model));
        QVERIFY(text.contains(seeded.classifier->promptVersion));
        QVERIFY(text.contains(QStringLiteral("dropped")));

        // The cited conversations are loaded beside the evidence, and marked.
        int citedRows = 0;
        for (const Evidence& e : seeded.classifier->evidence) {
            const int row = view.conversationsModel()->rowOfConversation(e.conversationId);
            QVERIFY2(row >= 0, qPrintable(e.conversationId));
            QVERIFY(view.conversationsModel()->index(row, 0).data(models::ConversationsModel::CitedRole).toBool());
            ++citedRows;
        }
        QVERIFY(citedRows > 0);

        // Selecting an evidence row selects its conversation.
        const int last = static_cast<int>(seeded.classifier->evidence.size()) - 1;
        view.evidenceView()->setCurrentIndex(view.evidenceModel()->index(last, 0));
        const QModelIndexList selected = view.conversationsView()->selectionModel()->selectedRows();
        QCOMPARE(selected.size(), 1);
        QCOMPARE(selected.first().data(models::ConversationsModel::ConversationIdRole).toString(),
                 seeded.classifier->evidence.at(last).conversationId);

        // State and chart.
        const FairUseState state = m_store.state(seeded.uid);
        QVERIFY(view.stateText().contains(models::stageLabel(state.stage)));
        QVERIFY(view.chart()->bucketPointCount() > 0);
        QVERIFY(view.chart()->bucketPointCount() <= qMax(400, view.chart()->width()));
        for (QAction* a : view.actions().mid(0, 2)) {
            QVERIFY(a->isEnabled());
        }
    }

    void capLinesFollowThePlanInForce() {
        // A flagged user whose unlimited period ended before "now" is on basic: the chart's cap lines and the caps
        // line are basic's. In the period, they are unlimited's, and a restriction shows when the cycle ends.
        const QString uid = m_store.usersWithOpenCases().last();
        const TimePoint now = m_store.population.referenceTime;
        const auto setSubscription = [&](const char* status, TimePoint end) {
            return m_store.execSql(QStringLiteral("INSERT OR REPLACE INTO subscriptions (uid, plan, status,"
                                                  " current_period_end) VALUES ('%1', 'unlimited', '%2', %3)")
                                       .arg(uid, QString::fromLatin1(status))
                                       .arg(toUnixMs(end)));
        };
        QVERIFY(setSubscription("canceled", now - std::chrono::hours(24)));
        QVERIFY(m_store.execSql(QStringLiteral("UPDATE fair_use_state SET stage = 'restrict', restrict_until = %1,"
                                               " restrict_reason = 'test' WHERE uid = '%2'")
                                    .arg(toUnixMs(now + std::chrono::hours(24 * 20)))
                                    .arg(uid)));
        UserView view(m_store.backend, nullptr);
        view.resize(1200, 800);
        QVERIFY(waitLoaded(view, uid));
        QCOMPARE(view.chart()->caps(), Caps::forPlan(Plan::Basic));
        QVERIFY2(view.stateText().contains(QStringLiteral("Plan: basic (unlimited ended")),
                 qPrintable(view.stateText()));
        QVERIFY2(view.stateText().contains(QStringLiteral("Caps (basic)")), qPrintable(view.stateText()));
        QVERIFY(!view.stateText().contains(QStringLiteral("billing cycle ends")));

        const TimePoint end = now + std::chrono::hours(24 * 9);
        QVERIFY(setSubscription("active", end));
        QVERIFY(waitLoaded(view, uid));
        QCOMPARE(view.chart()->caps(), Caps::forPlan(Plan::Unlimited));
        QVERIFY2(view.stateText().contains(QStringLiteral("Caps (unlimited)")), qPrintable(view.stateText()));
        QVERIFY2(view.stateText().contains(QStringLiteral("billing cycle ends %1").arg(models::formatTime(end))),
                 qPrintable(view.stateText()));
    }

    /** One user's LLM spend is that user's query, never everyone's spend filtered here. */
    void spendIsReadForTheUserOnly() {
        QString uid;
        for (const LlmSpendRecord& r : m_store.population.spend) {
            uid = r.uid;
        }
        QVERIFY(!uid.isEmpty());
        models::Backend backend = m_store.backend;
        auto recording = std::make_shared<SpendRecordingStore>(m_store.backend.cases);
        backend.cases = recording;
        UserView view(backend, nullptr);
        QVERIFY(waitLoaded(view, uid));
        QCOMPARE(recording->everyonesSpendReads, 0);
        QCOMPARE(recording->userSpendReads, QStringList{uid});
        const TimePoint now = m_store.population.referenceTime;
        qsizetype seeded = 0;
        for (const LlmSpendRecord& r : m_store.population.spend) {
            seeded += r.uid == uid && r.at >= now - std::chrono::hours(24 * 30) && r.at <= now;
        }
        QVERIFY(seeded > 0);
        const QString expectedCalls = QStringLiteral(", %1 calls").arg(seeded);
        bool shown = false;
        for (QLabel* label : view.findChildren<QLabel*>()) {
            shown = shown || label->text().contains(expectedCalls);
        }
        QVERIFY2(shown, qPrintable(expectedCalls));
    }

    void openingUsersKeepsOneChart() {
        const QStringList users = m_store.usersWithOpenCases();
        QVERIFY(users.size() >= 2);
        UserView view(m_store.backend, nullptr);
        QVERIFY(waitLoaded(view, users.at(0)));
        testing::LiveObjects live; // counts the charts made from here on
        for (int round = 0; round < 3; ++round) {
            for (const QString& uid : users.mid(0, 4)) {
                QVERIFY(waitLoaded(view, uid));
                // Each open draws a "Loading" chart and then the data chart; only the one shown may stay alive.
                QCOMPARE(live.count<QChart>(), 1);
            }
        }
    }

    void staleReplyDoesNotWin() {
        const QStringList users = m_store.usersWithOpenCases();
        QVERIFY(users.size() >= 2);
        UserView view(m_store.backend, nullptr);
        QSignalSpy spy(&view, &UserView::loaded);
        view.showUser(users.at(0));
        view.showUser(users.at(1));
        QTRY_VERIFY_WITH_TIMEOUT(!spy.isEmpty(), 30000);
        QTRY_VERIFY(!view.isLoading());
        QCOMPARE(view.uid(), users.at(1));
        QCOMPARE(view.state()->uid, users.at(1));
        for (const FairUseEvent& e : view.events()) {
            QCOMPARE(e.uid, users.at(1));
        }
    }

    void writesPdfReport() {
        const QList<FairUseEvent> cases = m_store.openCasesWithEvidence();
        UserView view(m_store.backend, nullptr);
        view.resize(1000, 700);
        QVERIFY(waitLoaded(view, cases.first().uid));
        const QString path = m_store.dir.filePath(QStringLiteral("report.pdf"));
        QSignalSpy written(&view, &UserView::reportWritten);
        view.saveReport(path);
        QTRY_VERIFY_WITH_TIMEOUT(!written.isEmpty(), 30000);
        QCOMPARE(written.first().at(1).toString(), QString());
        QFile pdf(path);
        QVERIFY(pdf.open(QIODevice::ReadOnly));
        QVERIFY(pdf.size() > 1000);
        QCOMPARE(pdf.read(4), QByteArray("%PDF"));
    }

    void reportToUnwritablePathFails() {
        const QList<FairUseEvent> cases = m_store.openCasesWithEvidence();
        UserView view(m_store.backend, nullptr);
        QVERIFY(waitLoaded(view, cases.first().uid));
        QSignalSpy written(&view, &UserView::reportWritten);
        view.saveReport(m_store.dir.filePath(QStringLiteral("no/such/dir/report.pdf")));
        QTRY_VERIFY_WITH_TIMEOUT(!written.isEmpty(), 30000);
        QVERIFY(!written.first().at(1).toString().isEmpty());
        QVERIFY(view.statusText().contains(QStringLiteral("Could not write")));
    }
};

QTEST_MAIN(UserViewTest)
#include "UserViewTest.moc"
