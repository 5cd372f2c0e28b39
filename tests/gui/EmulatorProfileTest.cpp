// The console's emulator profile against real servers: a small population is written into redis-server (the
// backend's keys, SPEC 4.1) and the Firestore emulator (SPEC 4.2) with the services' BackendSeeder, the shipped
// security rules are loaded, a senior reviewer signs in through the Firebase Auth emulator, the console is composed
// from an emulator profile exactly as fairuse-console does, and the main window must show those users, open one with
// its cases, and resolve a case into the emulator with an audit record naming the signed-in reviewer. The console
// reaches the emulator through a loopback proxy, so a test can also lose the connection mid-session.

#include "ActionDialog.h"
#include "AppealsInboxView.h"
#include "AppealsModel.h"
#include "AuthEmulator.h"
#include "BackendFixtures.h"
#include "Composition.h"
#include "ConnectionBanner.h"
#include "EmulatorConsoleSupport.h"
#include "EmulatorSupport.h"
#include "EmulatorWindowSupport.h"
#include "EventsModel.h"
#include "FilterBar.h"
#include "MainWindow.h"
#include "QueueModel.h"
#include "QueueView.h"
#include "RequireBackend.h"
#include "SavedViewsControl.h"
#include "TcpProxy.h"
#include "UserView.h"
#include "audit/AuditChain.h"
#include "common/Await.h"
#include "enforcement/Enforcement.h"
#include "enforcement/ReviewerActions.h"
#include "firestore/FirestoreCaseStore.h"
#include "redis/RedisClient.h"
#include "redis/RedisUsageStore.h"
#include "secrets/SessionSecretStore.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBrowser>

#include <algorithm>
#include <optional>

using namespace fairuse;
using namespace fairuse::services;
using namespace fairuse::testing::emulatorconsole;

namespace {

/** Redis database of this test (redis tests use 0..3, the seed tests 8..15). */
constexpr int kRedisDb = 6;

} // namespace

class EmulatorProfileTest : public QObject {
    Q_OBJECT
private:
    quint16 m_redisPort = 0;
    QString m_host;
    QString m_project;
    DemoPopulation m_pop;
    std::unique_ptr<console::Connection> m_connection;
    std::unique_ptr<ui::MainWindow> m_window;
    // A second, independent reader of what the console wrote.
    std::shared_ptr<FirestoreClient> m_checkClient;
    std::unique_ptr<FirestoreCaseStore> m_check;
    // Between the console and the emulator.
    std::unique_ptr<testing::TcpProxy> m_proxy;
    // The reviewer who signs in (the Auth emulator's account).
    QString m_reviewerEmail;
    QString m_reviewerUid;

    models::QueueModel* queue() const { return m_window->queueView()->model(); }
    ui::UserView* userView() const { return m_window->findChild<ui::UserView*>(); }

    FirestoreConfig emulatorConfig() const { return firestoreConfig(m_project, m_host); }

    QSet<QString> flagged() const { return flaggedUsers(m_pop); }

private Q_SLOTS:
    void initTestCase() {
        m_redisPort = backends::redisPort();
        REQUIRE_REDIS(m_redisPort);
        m_host = backends::emulatorHost();
        REQUIRE_FIRESTORE_EMULATOR(m_host);
        m_project = backends::freshProject(QStringLiteral("console-emu"));
        const qsizetype colon = m_host.lastIndexOf(QLatin1Char(':'));
        QVERIFY(colon > 0);
        m_proxy = std::make_unique<testing::TcpProxy>(m_host.left(colon), m_host.mid(colon + 1).toUShort());
        QVERIFY(m_proxy->start());

        // A few users: 12 ordinary ones and one detailed flagged user of each kind.
        DemoOptions o;
        o.referenceTime = reference();
        o.seed = 4711;
        o.users = 12;
        o.flaggedPerKind = 1;
        m_pop = generateDemoPopulation(o);
        QVERIFY(flagged().size() >= 3);
        // One appeal against the latest case of the last flagged user (this population is too small for the
        // generator's appeals of throttled and restricted users; the resolve test below takes the first one).
        const std::optional<Appeal> appeal = appealAgainstLastFlagged(m_pop);
        QVERIFY(appeal.has_value());
        m_pop.appeals = {*appeal};
        QCOMPARE(m_pop.appeals.size(), 1);

        const Status seeded = seedBackends(m_pop, m_redisPort, kRedisDb, emulatorConfig());
        QVERIFY2(seeded.ok(), seeded.ok() ? "" : qPrintable(seeded.error().message));

        // The shipped security rules: the console acts under them, with the reviewer's ID token.
        QVERIFY(testing::loadShippedRules(m_host, m_project));

        // A senior reviewer's account in the Auth emulator.
        REQUIRE_AUTH_EMULATOR();
        const testing::AuthEmulator auth;
        m_reviewerEmail = testing::AuthEmulator::uniqueEmail(QStringLiteral("console-senior"));
        const QString password = QStringLiteral("console-pw");
        auto account = auth.passwordReviewer(m_reviewerEmail, password, QStringLiteral("senior_reviewer"));
        QVERIFY2(account.ok(), account.ok() ? "" : qPrintable(account.error().message));
        m_reviewerUid = account->claims.uid;

        // The emulator profile as a reviewer would set it up, pointed at the fixtures, saved in a settings file that
        // someone has edited to name an admin: who acts comes from the sign-in, never from the settings.
        QTemporaryDir settingsDir;
        QSettings ini(settingsDir.filePath(QStringLiteral("fairuse.ini")), QSettings::IniFormat);
        models::ProfileSettings settings(&ini);
        models::ConnectionProfile profile = settings.profile(QStringLiteral("emulator"));
        QVERIFY(profile.kind == models::ProfileKind::Emulator);
        pointAtFixtures(profile, m_redisPort, kRedisDb, m_project, QStringLiteral("127.0.0.1:%1").arg(m_proxy->port()),
                        auth);
        profile.llmBaseUrl.clear();
        settings.save(profile);
        ini.setValue(QStringLiteral("profiles/emulator/reviewerEmail"), QStringLiteral("ops.admin@fairuse.example"));
        ini.setValue(QStringLiteral("profiles/emulator/role"), QStringLiteral("admin"));
        ini.sync();
        profile = settings.profile(QStringLiteral("emulator"));

        // A password stored for the profile is used; none is stored here and the fixture needs none, and the
        // emulator profile must not stop the start with a prompt for it.
        int asked = 0;
        console::Composer composer(profile, std::make_shared<SessionSecretStore>(),
                                   [&asked](models::ProfileSecret) -> std::optional<QString> {
                                       ++asked;
                                       return std::nullopt;
                                   });
        composer.setPinnedNow(reference());
        // The sign-in dialog's part: nobody is signed in yet, so the console asks once; the answer is a real
        // password sign-in at the Auth emulator.
        int signInRequests = 0;
        connect(&composer, &console::Composer::signInRequired, this, [&](const console::SignInRequest& request) {
            ++signInRequests;
            QVERIFY(request.password);
            QVERIFY(request.reason.isEmpty());
            auto tokens = get(request.client->signInWithPassword(m_reviewerEmail, password));
            QVERIFY2(tokens.ok(), tokens.ok() ? "" : qPrintable(tokens.error().message));
            composer.continueSignIn(*tokens);
        });
        const QString failure = startAndWait(composer);
        QVERIFY2(failure.isEmpty(), qPrintable(failure));
        QCOMPARE(asked, 0); // not even the optional Redis password
        QCOMPARE(signInRequests, 1);
        m_connection = composer.take();
        QCOMPARE(m_connection->backend.reviewer.email, m_reviewerEmail);
        QCOMPARE(m_connection->backend.reviewer.uid, m_reviewerUid);
        QVERIFY(m_connection->backend.reviewer.role == Role::SeniorReviewer);
        QCOMPARE(m_connection->backend.signInMethod, QStringLiteral("password"));
        QVERIFY(m_connection->session);
        QVERIFY(m_connection->backend.cases->describe().contains(m_project));

        m_window = std::make_unique<ui::MainWindow>(m_connection->backend);
        m_window->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
        QVERIFY(QTest::qWaitFor([this] { return queue()->isComplete(); }, kTimeoutMs));

        m_checkClient = std::make_shared<FirestoreClient>(emulatorConfig(), StaticToken::emulatorOwner());
        m_check = std::make_unique<FirestoreCaseStore>(m_checkClient);
    }

    void queueShowsTheSeededUsers() {
        QSet<QString> shown;
        for (int r = 0; r < queue()->rowCount(); ++r) {
            shown.insert(queue()->rowAt(r).state.uid);
            // Speech comes from the backend's Redis keys, not from Firestore.
            const services::QueueRow& row = queue()->rowAt(r);
            QVERIFY(row.state.stage != Stage::None);
        }
        QCOMPARE(shown, flagged());
        QVERIFY2(!m_window->banner()->isVisible(), "the connection banner reports a problem");
    }

    void speechColumnsComeFromRedis() {
        // The queue's speech for a user equals what the usage store reads from the backend's keys at "now".
        RedisConfig rc;
        rc.port = m_redisPort;
        rc.db = kRedisDb;
        rc.autoReconnect = false;
        RedisClient redis(rc);
        RedisUsageStore usage(&redis);
        bool someSpeech = false;
        for (const FairUseState& s : m_pop.states) {
            if (s.stage == Stage::None) {
                continue;
            }
            const Result<SpeechReading> reading = get(usage.readSpeech(s.uid, reference()));
            QVERIFY(reading.ok());
            someSpeech = someSpeech || reading->totals.weeklyMs > 0;
            const auto weekly = [&] {
                const QModelIndex cell = queue()->index(queue()->rowOfUid(s.uid), models::QueueModel::WeeklyColumn);
                (void)cell.data(Qt::DisplayRole); // a painted cell without totals asks the usage store for them
                return cell.data(models::QueueModel::RawValueRole);
            };
            QVERIFY2(QTest::qWaitFor([&] { return weekly().toLongLong() == reading->totals.weeklyMs; }, 30000),
                     qPrintable(QStringLiteral("%1: queue %2, redis %3")
                                    .arg(s.uid, weekly().toString())
                                    .arg(reading->totals.weeklyMs)));
        }
        QVERIFY(someSpeech);
    }

    void openCasesAreReadForPaintedRows() {
        // The console asks Firestore for the page's states only; a painted row then reads its own open cases.
        int withOpenCases = 0;
        for (const FairUseState& s : m_pop.states) {
            if (s.stage == Stage::None) {
                continue;
            }
            int open = 0;
            for (const FairUseEvent& e : m_pop.events) {
                open += e.uid == s.uid && !e.resolved ? 1 : 0;
            }
            withOpenCases += open > 0 ? 1 : 0;
            const auto shown = [&] {
                const QModelIndex cell = queue()->index(queue()->rowOfUid(s.uid), models::QueueModel::OpenCasesColumn);
                (void)cell.data(Qt::DisplayRole); // painting an unknown cell asks the case store
                return cell.data(models::QueueModel::RawValueRole);
            };
            QVERIFY2(QTest::qWaitFor([&] { return shown().isValid() && shown().toInt() == open; }, 30000),
                     qPrintable(QStringLiteral("%1: queue %2, seeded %3").arg(s.uid, shown().toString()).arg(open)));
        }
        QVERIFY(withOpenCases > 0);
    }

    void openingAUserShowsItsCases() {
        ui::UserView* view = userView();
        QVERIFY(view);
        QSignalSpy loaded(view, &ui::UserView::loaded);
        openQueueRow(*m_window, 0);
        const QString current = m_window->queueView()->currentUid();
        QVERIFY(QTest::qWaitFor(
            [&] {
                for (const QList<QVariant>& args : loaded) {
                    if (args.at(0).toString() == current) {
                        return true;
                    }
                }
                return false;
            },
            kTimeoutMs));
        QSet<QString> expected;
        for (const FairUseEvent& e : m_pop.events) {
            if (e.uid == current) {
                expected.insert(e.id);
            }
        }
        QVERIFY(!expected.isEmpty());
        QSet<QString> shown;
        for (const FairUseEvent& e : view->events()) {
            shown.insert(e.id);
            QCOMPARE(e.uid, current);
        }
        QCOMPARE(shown, expected);
        QCOMPARE(view->eventsModel()->rowCount(), static_cast<int>(expected.size()));
    }

    void seededAppealsAppearInTheInboxAndTheUserView() {
        QList<Appeal> open;
        for (const Appeal& a : m_pop.appeals) {
            if (a.isOpen()) {
                open.append(a);
            }
        }
        std::stable_sort(open.begin(), open.end(),
                         [](const Appeal& x, const Appeal& y) { return x.createdAt < y.createdAt; });
        QVERIFY(!open.isEmpty());
        m_window->showAppealsInbox();
        ui::AppealsInboxView* inbox = m_window->appealsInbox();
        QVERIFY(inbox);
        QAbstractItemModelTester tester(inbox->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QTRY_COMPARE_WITH_TIMEOUT(inbox->model()->rowCount(), static_cast<int>(open.size()), kTimeoutMs);
        for (int row = 0; row < open.size(); ++row) {
            QCOMPARE(inbox->model()->index(row, models::AppealsModel::UserColumn).data().toString(), open.at(row).uid);
            QCOMPARE(inbox->model()->index(row, models::AppealsModel::CaseColumn).data().toString(),
                     open.at(row).caseRef);
        }

        ui::UserView* view = userView();
        QSignalSpy loaded(view, &ui::UserView::loaded);
        inbox->table()->setFocus();
        inbox->table()->setCurrentIndex(inbox->model()->index(0, 0));
        QTest::keyClick(inbox->table(), Qt::Key_Return);
        QVERIFY(QTest::qWaitFor([&] { return !loaded.isEmpty() && loaded.last().at(0).toString() == open.first().uid; },
                                kTimeoutMs));
        QVERIFY2(view->statusText().isEmpty(), qPrintable(view->statusText()));
        QVERIFY(view->appealsView()->toPlainText().contains(open.first().message));
        QVERIFY(view->decideAppealAction()->isEnabled()); // the signed-in reviewer is a senior
        m_window->showQueuePage();
    }

    void resolveWritesStateAndNamedAuditIntoTheEmulator() {
        // A flagged user with an open case, below restrict so resolving as a false positive steps the stage down.
        QString uid;
        for (const FairUseState& s : m_pop.states) {
            if (s.stage == Stage::None || s.stage == Stage::Restrict || queue()->rowOfUid(s.uid) < 0) {
                continue;
            }
            for (const FairUseEvent& e : m_pop.events) {
                if (e.uid == s.uid && !e.resolved) {
                    uid = s.uid;
                }
            }
            if (!uid.isEmpty()) {
                break;
            }
        }
        QVERIFY2(!uid.isEmpty(), "the population has no open case below restrict");
        const Result<FairUseState> before = get(m_check->getState(uid));
        QVERIFY(before.ok());
        AuditFilter all;
        all.uid = uid;
        all.limit = 1000;
        const Result<QList<AuditRecord>> auditBefore = get(m_check->listAudit(all));
        QVERIFY(auditBefore.ok());

        ui::UserView* view = userView();
        QSignalSpy loaded(view, &ui::UserView::loaded);
        const int proxyRow =
            m_window->queueView()->proxy()->mapFromSource(queue()->index(queue()->rowOfUid(uid), 0)).row();
        openQueueRow(*m_window, proxyRow);
        QCOMPARE(m_window->queueView()->currentUid(), uid);
        QVERIFY(QTest::qWaitFor(
            [&] { return !loaded.isEmpty() && loaded.last().at(0).toString() == uid && !view->events().isEmpty(); },
            kTimeoutMs));
        int openRow = -1;
        for (int i = 0; i < view->events().size(); ++i) {
            if (!view->events().at(i).resolved) {
                openRow = i;
            }
        }
        QVERIFY(openRow >= 0);
        view->eventsView()->setCurrentIndex(view->eventsModel()->index(openRow, 0));
        const FairUseEvent target = view->events().at(openRow);
        QSignalSpy changed(view, &ui::UserView::stateChanged);

        QAction* resolve = nullptr;
        for (QAction* a : view->actions()) {
            if (a->shortcut().toString(QKeySequence::PortableText) == QStringLiteral("Ctrl+R")) {
                resolve = a;
            }
        }
        QVERIFY(resolve && resolve->isEnabled());
        resolve->trigger();
        auto* dialog = view->findChild<ui::ActionDialog*>();
        QVERIFY(dialog);
        QTRY_VERIFY(dialog->isVisible());
        auto* outcome = dialog->findChild<QComboBox*>(QStringLiteral("outcomeCombo"));
        outcome->setCurrentIndex(outcome->findData(static_cast<int>(Outcome::FalsePositive)));
        QTest::keyClicks(dialog->findChild<QPlainTextEdit*>(QStringLiteral("textEdit")),
                         QStringLiteral("emulator run: lecture recordings"));
        QTest::mouseClick(dialog->findChild<QPushButton*>(QStringLiteral("reviewButton")), Qt::LeftButton);
        QVERIFY2(dialog->isConfirming(), qPrintable(dialog->message()));
        QTest::mouseClick(dialog->findChild<QPushButton*>(QStringLiteral("applyButton")), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(!changed.isEmpty(), kTimeoutMs);

        // Read back from the emulator through an independent client.
        const Stage expected = enforcement::stepDown(before->stage);
        const Result<FairUseState> after = get(m_check->getState(uid));
        QVERIFY(after.ok());
        QVERIFY(after->stage == expected);
        const Result<QList<FairUseEvent>> events = get(m_check->listEvents(uid));
        QVERIFY(events.ok());
        bool found = false;
        for (const FairUseEvent& e : *events) {
            if (e.id == target.id) {
                found = true;
                QVERIFY(e.resolved);
                QVERIFY(e.outcome == std::optional<Outcome>(Outcome::FalsePositive));
                QCOMPARE(e.resolvedBy, m_reviewerEmail);
            }
        }
        QVERIFY(found);
        const Result<QList<AuditRecord>> audit = get(m_check->listAudit(all));
        QVERIFY(audit.ok());
        // Opening the case claimed it (a claim record in the reviewer's name); the resolution released it in its
        // own commit, so the decision is the one other new record.
        QCOMPARE(decisionRecords(*audit), decisionRecords(*auditBefore) + 1);
        // The claim commit raced the decision; it lands, retried after the moved audit head, within a few seconds.
        QTRY_VERIFY_WITH_TIMEOUT(hasClaimBy(get(m_check->listAudit(all)), m_reviewerEmail), kTimeoutMs);
        const AuditRecord* latest = nullptr;
        for (const AuditRecord& r : *audit) {
            if (!isClaimRecord(r) && (!latest || r.sequence > latest->sequence)) { // the decision, not a claim
                latest = &r;
            }
        }
        QVERIFY(latest);
        QCOMPARE(latest->reviewer, m_reviewerEmail);
        QCOMPARE(latest->reviewerUid, m_reviewerUid);
        QVERIFY(latest->role == Role::SeniorReviewer);
        QVERIFY(latest->action == AuditAction::Resolve);
        QCOMPARE(latest->uid, uid);
        QCOMPARE(latest->eventId, target.id);
        QVERIFY(latest->stageAfter == std::optional<Stage>(expected));
    }

    void aGoogleReviewerActsInTheirOwnName() {
        // A second reviewer, signed in with google.com (the Auth emulator's IdP sign-in), composed by a second
        // console on the same profile: a note they add is recorded with their e-mail, uid and the role of their
        // token (reviewer), after the senior reviewer's records, and the chain verifies.
        const testing::AuthEmulator auth;
        const QString email = testing::AuthEmulator::uniqueEmail(QStringLiteral("console-google"));
        auto account = auth.googleReviewer(email, QStringLiteral("reviewer"));
        QVERIFY2(account.ok(), account.ok() ? "" : qPrintable(account.error().message));
        models::ConnectionProfile profile = models::ProfileSettings::builtIns().at(1);
        pointAtFixtures(profile, m_redisPort, kRedisDb, m_project, m_host, auth);
        profile.llmBaseUrl.clear();
        console::Composer composer(profile, std::make_shared<SessionSecretStore>(),
                                   [](models::ProfileSecret) -> std::optional<QString> { return std::nullopt; });
        composer.setPinnedNow(reference());
        connect(&composer, &console::Composer::signInRequired, this, [&](const console::SignInRequest& request) {
            auto tokens = get(request.client->signInWithIdp(
                testing::AuthEmulator::fakeGoogleCredential(QStringLiteral("google-") + email, email, true)));
            QVERIFY2(tokens.ok(), tokens.ok() ? "" : qPrintable(tokens.error().message));
            composer.continueSignIn(*tokens);
        });
        const QString failure = startAndWait(composer);
        QVERIFY2(failure.isEmpty(), qPrintable(failure));
        std::unique_ptr<console::Connection> second = composer.take();
        const Reviewer who = second->backend.reviewer;
        QCOMPARE(who.email, email);
        QVERIFY(who.role == Role::Reviewer);
        QCOMPARE(second->backend.signInMethod, QStringLiteral("google.com"));

        const QString uid = *flagged().begin();
        const Result<FairUseState> state = get(second->backend.cases->getState(uid));
        QVERIFY(state.ok());
        enforcement::ActionContext ctx;
        ctx.reviewer = who;
        ctx.now = reference();
        ctx.clientVersion = QStringLiteral("EmulatorProfileTest");
        auto note = enforcement::buildAddUserNote(*state, QStringLiteral("checked with the user's team"), ctx);
        QVERIFY(note.ok());
        const Result<CommitResult> applied = get(second->backend.cases->apply(*note));
        QVERIFY2(applied.ok(), applied.ok() ? "" : qPrintable(applied.error().message));
        // What a reviewer cannot do, the server refuses too: a plain reviewer's override to restrict.
        auto forged = enforcement::buildOverrideStage(enforcement::Policy{}, *state, Stage::Restrict,
                                                      QStringLiteral("other"), QStringLiteral("forged"), ctx);
        QCOMPARE(forged.error().kind, ErrorKind::Permission);

        const Result<QList<AuditRecord>> audit = get(m_check->listAudit(AuditFilter{}));
        QVERIFY(audit.ok());
        QVERIFY(verifyChain(*audit).ok);
        const AuditRecord& last = audit->last();
        QCOMPARE(last.reviewer, email);
        QCOMPARE(last.reviewerUid, account->claims.uid);
        QVERIFY(last.role == Role::Reviewer);
        bool seniorActed = false;
        for (const AuditRecord& r : *audit) {
            seniorActed = seniorActed || (r.reviewer == m_reviewerEmail && r.role == Role::SeniorReviewer);
        }
        QVERIFY(seniorActed);
    }

    void exportReadsWhatWasNeverPainted() {
        // After a refresh nothing is read yet; the export first reads every row's open cases, then writes them.
        QSignalSpy finished(queue(), &models::QueueModel::loadingFinished);
        queue()->refresh();
        QVERIFY(QTest::qWaitFor([&] { return !finished.isEmpty(); }, kTimeoutMs));
        QVERIFY(queue()->unreadShownRows() > 0);
        std::optional<bool> complete;
        m_window->readQueueForExport([&](bool c) { complete = c; });
        QVERIFY(QTest::qWaitFor([&] { return complete.has_value(); }, kTimeoutMs));
        QVERIFY(*complete);
        QCOMPARE(queue()->unreadShownRows(), 0);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("queue.json"));
        QVERIFY(m_window->exportQueueTo(path));
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QJsonArray rows = QJsonDocument::fromJson(file.readAll()).array();
        QCOMPARE(rows.size(), queue()->rowCount());
        for (const QJsonValue& v : rows) {
            const QString uid = v.toObject().value(QStringLiteral("User")).toString();
            const Result<QList<FairUseEvent>> events = get(m_check->listEvents(uid));
            QVERIFY(events.ok());
            const auto open =
                std::count_if(events->cbegin(), events->cend(), [](const auto& e) { return !e.resolved; });
            QVERIFY2(v.toObject().value(QStringLiteral("Open")).isDouble(), qPrintable(uid));
            QCOMPARE(v.toObject().value(QStringLiteral("Open")).toInt(), static_cast<int>(open));
        }
    }

    void aSharedViewIsSavedUnderTheRules() {
        ui::FilterBar* bar = m_window->queueView()->filterBar();
        bar->stageBox()->setCurrentIndex(bar->stageBox()->findData(static_cast<int>(Stage::Throttle)));
        QPointer<ui::SaveViewDialog> dialog(m_window->savedViews()->openSaveDialog());
        QVERIFY(dialog);
        dialog->findChild<QLineEdit*>(QStringLiteral("nameEdit"))->setText(QStringLiteral("Throttled users"));
        dialog->findChild<QCheckBox*>(QStringLiteral("sharedCheck"))->setChecked(true);
        QTest::mouseClick(dialog->findChild<QPushButton*>(QStringLiteral("saveButton")), Qt::LeftButton);
        QVERIFY(QTest::qWaitFor([&] { return dialog.isNull() || !dialog->message().isEmpty(); }, kTimeoutMs));
        QVERIFY2(dialog.isNull(), qPrintable(dialog ? dialog->message() : QString())); // saved: the dialog closed
        const auto views = get(m_check->listViews(Reviewer{QStringLiteral("x@fairuse.example"), Role::Reviewer}));
        QVERIFY(views.ok() && views->size() == 1);
        QCOMPARE(views->first().ownerUid, m_reviewerUid);
        QCOMPARE(casework::parseViewFilter(views->first().filter)->stage, std::optional<Stage>(Stage::Throttle));
        AuditFilter saves;
        saves.action = AuditAction::SaveView;
        const auto records = get(m_check->listAudit(saves));
        QVERIFY(records.ok() && records->size() == 1);
        QCOMPARE(records->first().reviewer, m_reviewerEmail);
        QCOMPARE(records->first().reviewerUid, m_reviewerUid);
        bar->stageBox()->setCurrentIndex(0);
    }

    void lostConnectionShowsTheBannerAndRetries() {
        QVERIFY(m_proxy->accepted() > 0); // everything so far went through the proxy
        ui::ConnectionBanner* banner = m_window->banner();
        QVERIFY(!banner->isVisible());

        m_proxy->cut();
        queue()->refresh();
        QVERIFY2(QTest::qWaitFor([&] { return banner->isVisible(); }, kTimeoutMs),
                 "losing the Firestore connection did not show the banner");
        QString text;
        for (const QLabel* label : banner->findChildren<QLabel*>()) {
            text += label->text();
        }
        QVERIFY2(text.contains(m_project), qPrintable(text)); // names what failed

        // The server comes back: the banner's own retry reloads the queue and the banner goes.
        const int before = m_proxy->accepted();
        QVERIFY(m_proxy->restore());
        QVERIFY2(QTest::qWaitFor([&] { return !banner->isVisible() && queue()->isComplete(); }, kTimeoutMs),
                 "the queue did not recover after the connection came back");
        QVERIFY(m_proxy->accepted() > before);
        // Exactly the users still flagged in the emulator (the resolve above may have cleared one).
        QSet<QString> stillFlagged;
        for (const QString& uid : flagged()) {
            const Result<FairUseState> state = get(m_check->getState(uid));
            QVERIFY(state.ok());
            if (state->stage != Stage::None) {
                stillFlagged.insert(uid);
            }
        }
        QVERIFY(!stillFlagged.isEmpty());
        QSet<QString> shown;
        for (int r = 0; r < queue()->rowCount(); ++r) {
            shown.insert(queue()->rowAt(r).state.uid);
        }
        QCOMPARE(shown, stillFlagged);
    }

    void cleanupTestCase() {
        // The window goes while its user view still waits for the store: the Firestore client answers what is in
        // flight when it is destroyed, after the view. With then(this, ...) continuations that tripped Qt 6.4's
        // ASSERT: "context"; the view now drops answers that arrive after it is gone (models/FutureWatch.h).
        if (m_window) {
            ui::UserView* view = userView();
            view->showUser(*flagged().cbegin());
            QVERIFY(view->isLoading());
        }
        m_window.reset();
        m_connection.reset();
        QCoreApplication::processEvents(); // anything the destroyed client queued
        m_check.reset();
        m_checkClient.reset();
        m_proxy.reset();
    }
};

QTEST_MAIN(EmulatorProfileTest)
#include "EmulatorProfileTest.moc"
