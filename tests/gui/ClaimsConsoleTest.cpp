// Claims between two consoles on one store (an embedded file opened twice, as two desktops would share a server):
// the second console sees the first one's claim within a poll, is warned before acting, may still act, and the first
// console's decision from the versions it read is then a conflict; a decision releases the decider's claim; a senior
// takes over with a record and the first console's renewal finds the claim gone.

#include "ActionDialog.h"
#include "CaseClaims.h"
#include "ClaimBanner.h"
#include "ConflictDialog.h"
#include "DetailTestStore.h"
#include "FilterBar.h"
#include "QueueModel.h"
#include "QueueView.h"
#include "UserView.h"
#include "casework/Claims.h"

#include <QComboBox>
#include <QFont>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QTest>

using namespace fairuse;
using namespace fairuse::ui;

class ClaimsConsoleTest : public QObject {
    Q_OBJECT
private:
    testing::DetailTestStore m_store;
    services::EmbeddedStores m_secondStores;
    models::Backend m_second;
    int m_nextUser = 0;

    /** A user with an open case at warning or throttle, not used by another test. */
    QString nextUser() {
        const QStringList users = m_store.usersWithOpenCases();
        while (m_nextUser < users.size()) {
            const QString uid = users.at(m_nextUser++);
            const Stage s = m_store.state(uid).stage;
            if (s == Stage::Warning || s == Stage::Throttle) {
                return uid;
            }
        }
        return {};
    }

    FairUseState stateOf(const QString& uid) {
        return services::awaitResult(m_store.backend.cases->getState(uid)).value();
    }

    FairUseEvent openCaseOf(const QString& uid) {
        const auto events = services::awaitResult(m_store.backend.cases->listEvents(uid)).value();
        for (const FairUseEvent& e : events) {
            if (!e.resolved) {
                return e;
            }
        }
        return {};
    }

    std::optional<CaseClaim> storedClaim(const QString& uid) {
        return services::awaitResult(m_store.backend.cases->getClaim(uid)).value();
    }

    static bool claimIn(models::CaseClaims& claims, const FairUseState& state) {
        QSignalSpy claimed(&claims, &models::CaseClaims::claimed);
        QSignalSpy refused(&claims, &models::CaseClaims::refused);
        claims.claim(state);
        return QTest::qWaitFor([&] { return !claimed.isEmpty() || !refused.isEmpty(); }, 30000) && !claimed.isEmpty();
    }

    static void click(QWidget* dialog, const char* name) {
        auto* button = dialog->findChild<QPushButton*>(QString::fromLatin1(name));
        QVERIFY(button != nullptr);
        QTest::mouseClick(button, Qt::LeftButton);
    }

    static QString messageOf(ActionDialog& dialog) { return dialog.message(); }

    /** A queue view with `claims`, loaded to its last page. */
    static bool loadQueue(QueueView& queue, models::CaseClaims& claims) {
        queue.setClaims(&claims);
        QSignalSpy done(queue.model(), &models::QueueModel::loadingFinished);
        queue.refresh();
        return QTest::qWaitFor([&] { return !done.isEmpty(); }, 30000);
    }

    static QModelIndex shownIndex(QueueView& queue, const QString& uid, int column = 0) {
        const int row = queue.model()->rowOfUid(uid);
        return row < 0 ? QModelIndex() : queue.proxy()->mapFromSource(queue.model()->index(row, column));
    }

    static QStringList shownUids(QueueView& queue) {
        QStringList out;
        for (int r = 0; r < queue.proxy()->rowCount(); ++r) {
            out.append(queue.proxy()->index(r, 0).data(models::QueueModel::UidRole).toString());
        }
        return out;
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_store.seed(Role::Reviewer));
        m_secondStores = services::makeEmbeddedStores(m_store.path());
        QVERIFY(services::awaitResult(m_secondStores.database->ready(), 60000).ok());
        m_second = m_store.backend;
        m_second.usage = m_secondStores.usage;
        m_second.cases = m_secondStores.cases;
        m_second.reviewer = {QStringLiteral("ben.senior@fairuse.example"), Role::SeniorReviewer};
    }

    void theSecondConsoleSeesTheClaim() {
        const QString uid = nextUser();
        QVERIFY(!uid.isEmpty());
        models::CaseClaims first(m_store.backend);
        models::CaseClaims second(m_second);
        second.start(std::chrono::milliseconds(50));
        QVERIFY(!second.claimOf(uid).has_value());
        QVERIFY(claimIn(first, stateOf(uid)));
        QCOMPARE(first.mine()->uid, uid);
        QTRY_VERIFY_WITH_TIMEOUT(second.claimOf(uid).has_value(), 10000);
        QCOMPARE(second.claimOf(uid)->reviewer, m_store.backend.reviewer.email);
        QVERIFY2(second.othersClaim(uid).startsWith(QStringLiteral("being reviewed by alice.reviewer@fairuse.example "
                                                                   "since ")),
                 qPrintable(second.othersClaim(uid)));
        QVERIFY(first.othersClaim(uid).isEmpty()); // one's own claim is no warning

        // A claim from the second console is refused by the core with who holds it.
        QSignalSpy refused(&second, &models::CaseClaims::refused);
        second.claim(stateOf(uid));
        QTRY_VERIFY_WITH_TIMEOUT(!refused.isEmpty(), 10000);
        QVERIFY(refused.first().at(1).toString().contains(QStringLiteral("alice.reviewer@fairuse.example")));
        QCOMPARE(storedClaim(uid)->reviewer, m_store.backend.reviewer.email);
    }

    /** Two consoles on one case: the second is warned and may act; the first one's change is then a conflict. */
    void warnedThenAConflictIsStillDetected() {
        const QString uid = nextUser();
        QVERIFY(!uid.isEmpty());
        models::CaseClaims first(m_store.backend);
        models::CaseClaims second(m_second);
        QVERIFY(claimIn(first, stateOf(uid)));
        second.refresh();
        QTRY_VERIFY_WITH_TIMEOUT(second.claimOf(uid).has_value(), 10000);

        const FairUseState state = stateOf(uid);
        const FairUseEvent open = openCaseOf(uid);
        ActionDialog firstDialog(m_store.backend, enforcement::Policy::forReview(), ActionKind::Resolve, state, open);
        firstDialog.setClaim(first.mine());
        ActionDialog secondDialog(m_second, enforcement::Policy::forReview(), ActionKind::Resolve, state, open);
        secondDialog.setClaim(second.claimOf(uid));

        click(&secondDialog, "reviewButton");
        QVERIFY(secondDialog.isConfirming());
        QVERIFY2(messageOf(secondDialog).contains(QStringLiteral("being reviewed by alice.reviewer@fairuse.example")),
                 qPrintable(messageOf(secondDialog)));
        QVERIFY(!secondDialog.summary().contains(QStringLiteral("Your claim")));
        click(&secondDialog, "applyButton");
        QTRY_VERIFY_WITH_TIMEOUT(secondDialog.result() == QDialog::Accepted, 10000);
        QCOMPARE(storedClaim(uid)->reviewer, m_store.backend.reviewer.email); // the claim stays with its holder

        click(&firstDialog, "reviewButton");
        QVERIFY(firstDialog.isConfirming());
        QVERIFY(messageOf(firstDialog).isEmpty());
        click(&firstDialog, "applyButton");
        QTRY_VERIFY_WITH_TIMEOUT(firstDialog.conflictDialog() != nullptr, 10000);
        QVERIFY(firstDialog.result() != QDialog::Accepted);
        QVERIFY(storedClaim(uid).has_value()); // a refused commit released nothing
    }

    void aDecisionReleasesTheClaim() {
        const QString uid = nextUser();
        QVERIFY(!uid.isEmpty());
        models::CaseClaims first(m_store.backend);
        QVERIFY(claimIn(first, stateOf(uid)));
        ActionDialog dialog(m_store.backend, enforcement::Policy::forReview(), ActionKind::Resolve, stateOf(uid),
                            openCaseOf(uid));
        dialog.setClaim(first.mine());
        click(&dialog, "reviewButton");
        QVERIFY(dialog.summary().contains(QStringLiteral("Your claim on this case ends with this decision.")));
        click(&dialog, "applyButton");
        QTRY_VERIFY_WITH_TIMEOUT(dialog.result() == QDialog::Accepted, 10000);
        QVERIFY(!storedClaim(uid).has_value());
    }

    void aSeniorTakesOverAndTheHoldersRenewalFails() {
        const QString uid = nextUser();
        QVERIFY(!uid.isEmpty());
        models::CaseClaims first(m_store.backend);
        models::CaseClaims second(m_second);
        QVERIFY(claimIn(first, stateOf(uid)));

        QSignalSpy claimed(&second, &models::CaseClaims::claimed);
        second.takeOver(stateOf(uid), QStringLiteral("alice is off sick"));
        QTRY_VERIFY_WITH_TIMEOUT(!claimed.isEmpty(), 10000);
        QCOMPARE(storedClaim(uid)->reviewer, m_second.reviewer.email);
        const auto records = m_store.audit(uid);
        QVERIFY(!records.isEmpty());
        QCOMPARE(toString(records.last().action), QStringLiteral("take_over_claim"));
        QCOMPARE(records.last().reviewer, m_second.reviewer.email);
        QVERIFY(records.last().reason.contains(QStringLiteral("alice is off sick")));

        // The first console still thinks it holds the case: claiming it again renews, which the store refuses.
        QSignalSpy refused(&first, &models::CaseClaims::refused);
        first.claim(stateOf(uid));
        QTRY_VERIFY_WITH_TIMEOUT(!refused.isEmpty(), 10000);
        QVERIFY(!first.mine().has_value());
    }

    /** The user view claims the flagged user it shows, says so, warns nobody, and a decision releases the claim. */
    void theUserViewClaimsWhatItShows() {
        const QString uid = nextUser();
        QVERIFY(!uid.isEmpty());
        models::CaseClaims claims(m_store.backend);
        UserView view(m_store.backend);
        view.setClaims(&claims);
        QSignalSpy loaded(&view, &UserView::loaded);
        view.showUser(uid);
        QTRY_VERIFY_WITH_TIMEOUT(!loaded.isEmpty(), 30000);
        QVERIFY(view.claimBanner());
        QTRY_VERIFY_WITH_TIMEOUT(view.claimBanner()->text().startsWith(QStringLiteral("You are reviewing")), 10000);
        QCOMPARE(storedClaim(uid)->reviewer, m_store.backend.reviewer.email);

        ActionDialog* dialog = view.openAction(ActionKind::Resolve);
        QVERIFY(dialog);
        click(dialog, "reviewButton");
        QVERIFY(dialog->summary().contains(QStringLiteral("Your claim on this case ends with this decision.")));
        click(dialog, "applyButton");
        QTRY_VERIFY_WITH_TIMEOUT(!storedClaim(uid).has_value(), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(!claims.mine().has_value(), 10000);
    }

    /** Someone else's claim: the view shows who holds it and claims nothing. */
    void theUserViewShowsAColleaguesClaim() {
        const QString uid = nextUser();
        QVERIFY(!uid.isEmpty());
        models::CaseClaims colleague(m_second);
        QVERIFY(claimIn(colleague, stateOf(uid)));
        models::CaseClaims claims(m_store.backend);
        claims.refresh();
        QTRY_VERIFY_WITH_TIMEOUT(claims.claimOf(uid).has_value(), 10000);
        UserView view(m_store.backend);
        view.setClaims(&claims);
        QSignalSpy loaded(&view, &UserView::loaded);
        view.showUser(uid);
        QTRY_VERIFY_WITH_TIMEOUT(!loaded.isEmpty(), 30000);
        QVERIFY2(view.claimBanner()->text().contains(QStringLiteral("being reviewed by ben.senior@fairuse.example")),
                 qPrintable(view.claimBanner()->text()));
        QTest::qWait(200);
        QCOMPARE(storedClaim(uid)->reviewer, m_second.reviewer.email);
        QVERIFY(!claims.mine().has_value());
    }

    /** The queue marks a colleague's claim, the claim views filter by it, and "Next unclaimed" passes it by. */
    void theQueueShowsClaimsAndFiltersByThem() {
        const QString uid = nextUser();
        QVERIFY(!uid.isEmpty());
        models::CaseClaims first(m_store.backend);
        models::CaseClaims second(m_second);
        QVERIFY(claimIn(first, stateOf(uid)));
        second.refresh();
        QTRY_VERIFY_WITH_TIMEOUT(second.claimOf(uid).has_value(), 10000);

        QueueView mine(m_store.backend);
        QueueView theirs(m_second);
        QVERIFY(loadQueue(mine, first));
        QVERIFY(loadQueue(theirs, second));
        QVERIFY(theirs.filterBar()->claimBox()->isVisibleTo(&theirs));

        // The colleague's queue: who and since when in the tooltip, in italics, with a marker on the user column.
        const QModelIndex cell = shownIndex(theirs, uid, models::QueueModel::StageColumn);
        QVERIFY(cell.isValid());
        QVERIFY2(cell.data(Qt::ToolTipRole)
                     .toString()
                     .contains(QStringLiteral("being reviewed by "
                                              "alice.reviewer@fairuse.example since ")),
                 qPrintable(cell.data(Qt::ToolTipRole).toString()));
        QVERIFY(cell.data(Qt::FontRole).value<QFont>().italic());
        QVERIFY(shownIndex(theirs, uid).data(Qt::DecorationRole).isValid());
        // The holder's own queue says it is theirs, not in italics.
        const QModelIndex own = shownIndex(mine, uid, models::QueueModel::StageColumn);
        QVERIFY(own.data(Qt::ToolTipRole).toString().startsWith(QStringLiteral("You are reviewing this case")));
        QVERIFY(!own.data(Qt::FontRole).value<QFont>().italic());
        QString unclaimedUid;
        QStringList aliceHolds;
        int unclaimed = 0;
        for (const QString& u : shownUids(theirs)) {
            const casework::ClaimHolder h = second.holderOf(u);
            unclaimed += h == casework::ClaimHolder::Nobody ? 1 : 0;
            if (h == casework::ClaimHolder::Nobody && unclaimedUid.isEmpty()) {
                unclaimedUid = u;
            }
            if (h == casework::ClaimHolder::SomeoneElse &&
                second.claimOf(u)->reviewer == m_store.backend.reviewer.email) {
                aliceHolds.append(u);
            }
        }
        QVERIFY(!unclaimedUid.isEmpty());
        QVERIFY(!shownIndex(theirs, unclaimedUid).data(Qt::DecorationRole).isValid());
        QVERIFY(!shownIndex(theirs, unclaimedUid, 1).data(Qt::FontRole).value<QFont>().italic());

        // My cases: what the holder claims (this claim among them), nothing of it for the colleague.
        const int all = theirs.proxy()->rowCount();
        first.refresh(); // the claims alice's other consoles hold, too
        QTRY_COMPARE_WITH_TIMEOUT(first.live().size(), second.live().size(), 10000);
        mine.setClaimView(1);
        QVERIFY(shownUids(mine).contains(uid));
        QCOMPARE(shownUids(mine).size(), aliceHolds.size());
        theirs.setClaimView(1);
        QVERIFY(!shownUids(theirs).contains(uid));
        // Unclaimed: only rows nobody claims; the combo box follows.
        theirs.setClaimView(2);
        QCOMPARE(theirs.filterBar()->claimBox()->currentIndex(), 2);
        QCOMPARE(theirs.proxy()->rowCount(), unclaimed);
        QVERIFY(unclaimed < all);
        QVERIFY(!shownUids(theirs).contains(uid));
        theirs.filterBar()->claimBox()->setCurrentIndex(0);
        QCOMPARE(theirs.proxy()->rowCount(), all);

        // Next unclaimed: the unclaimed open case that waited longest, never the claimed one.
        QSignalSpy activated(&theirs, &QueueView::userActivated);
        QVERIFY(theirs.nextUnclaimed());
        QCOMPARE(activated.size(), 1);
        const QString picked = activated.first().at(0).toString();
        QVERIFY(picked != uid);
        QCOMPARE(theirs.currentUid(), picked);
        const auto& rowOf = [&](const QString& u) { return theirs.model()->rowAt(theirs.model()->rowOfUid(u)); };
        QVERIFY(rowOf(picked).openCases > 0 && rowOf(picked).oldestOpenCaseAt.has_value());
        for (const QString& u : shownUids(theirs)) {
            const services::QueueRow& r = rowOf(u);
            if (second.holderOf(u) == casework::ClaimHolder::Nobody && r.openCases > 0 && r.oldestOpenCaseAt) {
                QVERIFY2(*rowOf(picked).oldestOpenCaseAt <= *r.oldestOpenCaseAt, qPrintable(u));
            }
        }
        // Once the colleague claims it too, the next one is another user.
        QVERIFY(claimIn(second, stateOf(picked)));
        activated.clear();
        QVERIFY(theirs.nextUnclaimed());
        QVERIFY(activated.first().at(0).toString() != picked);
        second.release();
        first.release();
    }

    void releasingOnCloseWritesARecord() {
        const QString uid = nextUser();
        QVERIFY(!uid.isEmpty());
        models::CaseClaims first(m_store.backend);
        QVERIFY(claimIn(first, stateOf(uid)));
        first.release();
        QVERIFY(!first.mine().has_value());
        QTRY_VERIFY_WITH_TIMEOUT(!storedClaim(uid).has_value(), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(!m_store.audit(uid).isEmpty() &&
                                     toString(m_store.audit(uid).last().action) == QStringLiteral("release_claim"),
                                 10000);
    }
};

QTEST_MAIN(ClaimsConsoleTest)
#include "ClaimsConsoleTest.moc"
