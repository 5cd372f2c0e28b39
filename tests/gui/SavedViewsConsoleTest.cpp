// Saved views in the console on a seeded embedded store, with two consoles on one file (two reviewers): a view saved
// from the filter bar is stored with its record; a shared view shows in the other reviewer's box and sets every
// control when chosen; a personal one does not; a hand-made change returns the box to "No saved view"; a plain
// reviewer may not delete someone else's shared view, its owner may; a name taken is refused in the dialog and
// nothing is written.

#include "DetailTestStore.h"
#include "FilterBar.h"
#include "MainWindow.h"
#include "QueueProxy.h"
#include "QueueView.h"
#include "SavedViewList.h"
#include "SavedViewsControl.h"

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>

using namespace fairuse;
using namespace fairuse::ui;

class SavedViewsConsoleTest : public QObject {
    Q_OBJECT
private:
    testing::DetailTestStore m_store;
    services::EmbeddedStores m_secondStores;
    models::Backend m_second;

    QList<SavedView> storedViews(const Reviewer& reader) {
        return services::awaitResult(m_store.stores.cases->listViews(reader)).value();
    }

    static bool listed(const FilterBar& bar, const QString& label) { return bar.viewBox()->findText(label) > 0; }

    /** Waits until the window's saved views are read (the box lists `count` views). */
    static bool viewsRead(MainWindow& window, int count) {
        return QTest::qWaitFor([&] { return window.queueView()->filterBar()->viewBox()->count() == count + 1; }, 30000);
    }

    /** Saves the window's filter through the dialog, as a reviewer would. Returns the dialog's message ("" = saved). */
    static QString saveThroughDialog(MainWindow& window, const QString& name, bool shared, bool replace = false) {
        SaveViewDialog* dialog = window.savedViews()->openSaveDialog();
        if (dialog == nullptr) {
            return QStringLiteral("no dialog");
        }
        QPointer<SaveViewDialog> alive(dialog);
        dialog->findChild<QLineEdit*>(QStringLiteral("nameEdit"))->setText(name);
        dialog->findChild<QCheckBox*>(QStringLiteral("sharedCheck"))->setChecked(shared);
        auto* replaceCheck = dialog->findChild<QCheckBox*>(QStringLiteral("replaceCheck"));
        replaceCheck->setChecked(replace);
        auto* button = dialog->findChild<QPushButton*>(QStringLiteral("saveButton"));
        QTest::mouseClick(button, Qt::LeftButton);
        if (!QTest::qWaitFor([&] { return alive.isNull() || !alive->message().isEmpty(); }, 30000)) {
            return QStringLiteral("the dialog neither closed nor said why");
        }
        if (alive.isNull()) {
            return {};
        }
        const QString message = alive->message();
        alive->close();
        return message;
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

    void aSharedViewReachesTheOtherConsole() {
        MainWindow alice(m_store.backend);
        alice.resize(1500, 900);
        alice.show();
        QVERIFY(viewsRead(alice, 0));
        FilterBar* bar = alice.queueView()->filterBar();
        bar->stageBox()->setCurrentIndex(bar->stageBox()->findData(static_cast<int>(Stage::Throttle)));
        bar->minScoreBox()->setValue(0.6);
        bar->caseworkBox()->setCurrentIndex(3); // snoozed too
        const casework::ViewFilter wanted = bar->viewFilter();
        QCOMPARE(wanted.stage, std::optional<Stage>(Stage::Throttle));
        QCOMPARE(wanted.minScore, 0.6);

        QCOMPARE(saveThroughDialog(alice, QStringLiteral("Throttled, likely media"), true), QString());
        QVERIFY(viewsRead(alice, 1));
        QCOMPARE(bar->viewBox()->currentText(), QStringLiteral("Team: Throttled, likely media"));
        QCOMPARE(saveThroughDialog(alice, QStringLiteral("Alice only"), false), QString());
        QVERIFY(viewsRead(alice, 2));

        // Stored with their records, in the reviewer's name; the filter is the bar's.
        const QList<SavedView> stored = storedViews(m_store.backend.reviewer);
        QCOMPARE(stored.size(), 2);
        for (const SavedView& v : stored) {
            QCOMPARE(v.owner, m_store.backend.reviewer.email);
            QCOMPARE(casework::parseViewFilter(v.filter).value(), wanted);
        }
        int records = 0;
        for (const AuditRecord& r : m_store.audit()) {
            if (r.action == AuditAction::SaveView) {
                ++records;
                QCOMPARE(r.reviewer, m_store.backend.reviewer.email);
                QVERIFY(r.uid.isEmpty());
            }
        }
        QCOMPARE(records, 2);

        // The second console lists the shared view only, and choosing it sets every control.
        MainWindow ben(m_second);
        ben.resize(1500, 900);
        ben.show();
        QVERIFY(viewsRead(ben, 1));
        FilterBar* benBar = ben.queueView()->filterBar();
        QVERIFY(listed(*benBar, QStringLiteral("Team: Throttled, likely media")));
        QVERIFY(!listed(*benBar, QStringLiteral("Mine: Alice only")));
        QCOMPARE(benBar->viewFilter(), casework::ViewFilter{});
        QSignalSpy chosen(benBar, &FilterBar::savedViewChosen);
        QSignalSpy refiltered(benBar, &FilterBar::filterChanged);
        QVERIFY(benBar->chooseView(benBar->viewBox()->itemData(1).toString()));
        QCOMPARE(chosen.size(), 1);
        QCOMPARE(refiltered.size(), 1); // one re-query, not one per control
        QCOMPARE(benBar->viewFilter(), wanted);
        QCOMPARE(benBar->caseworkBox()->currentIndex(), 3);
        auto* proxy = dynamic_cast<QueueProxy*>(ben.queueView()->proxy());
        QVERIFY(proxy != nullptr);
        QVERIFY(proxy->caseworkView() == QueueProxy::CaseworkView::All);

        // A change by hand: the box no longer names the view.
        benBar->maxScoreBox()->setValue(0.9);
        QCOMPARE(benBar->currentViewId(), QString());
        QCOMPARE(benBar->viewBox()->currentIndex(), 0);
    }

    void deletingNeedsTheOwnerOrASenior() {
        // A plain reviewer's console (alice) cannot delete ben's shared view; ben (its owner) can.
        MainWindow ben(m_second);
        ben.show();
        QVERIFY(viewsRead(ben, 1));
        FilterBar* benBar = ben.queueView()->filterBar();
        benBar->typeBox()->setCurrentIndex(benBar->typeBox()->findData(static_cast<int>(UsageType::Podcast)));
        QCOMPARE(saveThroughDialog(ben, QStringLiteral("Podcasts"), true), QString());
        QVERIFY(viewsRead(ben, 2));

        MainWindow alice(m_store.backend);
        alice.show();
        QVERIFY(viewsRead(alice, 3)); // two of hers, ben's shared one
        FilterBar* bar = alice.queueView()->filterBar();
        QVERIFY(bar->chooseView(
            bar->viewBox()->itemData(bar->viewBox()->findText(QStringLiteral("Team: Podcasts"))).toString()));
        QSignalSpy messages(alice.savedViews(), &SavedViewsControl::message);
        QCOMPARE(alice.savedViews()->openDeleteConfirm(), nullptr);
        QCOMPARE(messages.size(), 1);
        QVERIFY2(messages.first().first().toString().contains(QStringLiteral("senior_reviewer")),
                 qPrintable(messages.first().first().toString()));
        // Nor may she replace it: the dialog offers a new view only.
        SaveViewDialog* dialog = alice.savedViews()->openSaveDialog();
        QVERIFY(dialog != nullptr);
        QVERIFY(!dialog->findChild<QCheckBox*>(QStringLiteral("replaceCheck"))->isVisible());
        dialog->close();

        QVERIFY(benBar->chooseView(
            benBar->viewBox()->itemData(benBar->viewBox()->findText(QStringLiteral("Team: Podcasts"))).toString()));
        QMessageBox* confirm = ben.savedViews()->openDeleteConfirm();
        QVERIFY(confirm != nullptr);
        QSignalSpy deleted(ben.savedViews()->list(), &models::SavedViewList::deleted);
        QTest::mouseClick(confirm->button(QMessageBox::Yes), Qt::LeftButton);
        QVERIFY(QTest::qWaitFor([&] { return !deleted.isEmpty(); }, 30000));
        QVERIFY(viewsRead(ben, 1));
        QCOMPARE(storedViews(m_second.reviewer).size(), 1);
        int deletions = 0;
        for (const AuditRecord& r : m_store.audit()) {
            deletions += r.action == AuditAction::DeleteView && r.reviewer == m_second.reviewer.email ? 1 : 0;
        }
        QCOMPARE(deletions, 1);
    }

    void aTakenNameIsRefusedInTheDialog() {
        MainWindow ben(m_second);
        ben.show();
        QVERIFY(viewsRead(ben, 1));
        const int before = int(m_store.audit().size());
        const QString message = saveThroughDialog(ben, QStringLiteral("throttled, LIKELY media"), false);
        QVERIFY2(message.contains(QStringLiteral("exists already")), qPrintable(message));
        QCOMPARE(int(m_store.audit().size()), before);
        QCOMPARE(saveThroughDialog(ben, QStringLiteral("   "), false), QStringLiteral("a saved view needs a name"));
    }

    void theCommandsHaveKeys() {
        MainWindow window(m_store.backend);
        QStringList keys;
        for (QAction* a : window.allActions()) {
            if (a->text().contains(QStringLiteral("view"), Qt::CaseInsensitive)) {
                keys << a->shortcut().toString();
            }
        }
        QVERIFY2(keys.contains(QStringLiteral("Ctrl+Shift+V")), qPrintable(keys.join(u',')));
        QVERIFY2(keys.contains(QStringLiteral("Ctrl+Alt+S")), qPrintable(keys.join(u',')));
    }
};

QTEST_MAIN(SavedViewsConsoleTest)
#include "SavedViewsConsoleTest.moc"
