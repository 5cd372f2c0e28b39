#pragma once

#include "Backend.h"
#include "common/Stores.h"
#include "enforcement/Policy.h"

#include <QDialog>
#include <QList>

class QComboBox;
class QLabel;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QTreeWidget;

namespace fairuse::models {
class BulkResolver;
}

namespace fairuse::ui {

/**
 * Resolves the open cases of the selected users with one outcome and one note (models::BulkResolver): a progress
 * bar, Cancel (stops after the cases in flight), and a result per case: done, conflict, failed with the reason, or
 * skipped as already applied. Running the same selection, outcome and note again applies nothing twice.
 *
 * Object names for tests: outcomeCombo, noteEdit, runButton, cancelButton, closeButton, progressBar, resultsTree,
 * summaryLabel.
 */
class BulkResolveDialog : public QDialog {
    Q_OBJECT
public:
    BulkResolveDialog(models::Backend& backend, QList<services::QueueRow> rows, QWidget* parent = nullptr);
    ~BulkResolveDialog() override;

    void setPolicy(const enforcement::Policy& policy) { m_policy = policy; }
    /** The resolver of the current (or last) run, created when the dialog opens (it loads the cases to preview). */
    models::BulkResolver* resolver() const { return m_resolver; }
    bool isRunning() const;
    /** True once the selected users' cases are loaded and Run is possible. */
    bool isLoaded() const { return m_loaded; }
    QString summary() const;

public Q_SLOTS:
    void run();
    void cancelRun();

Q_SIGNALS:
    /** The cases to resolve are loaded (the preview is shown). */
    void casesLoaded(int openCases);
    /** The run finished (completely or cancelled); the queue refreshes. */
    void runFinished();
    /** A case of `uid` changed. */
    void stateChanged(const QString& uid);

private:
    void load(bool thenRun);
    void startRun();
    void itemFinished(int index);
    void finishRun();

    models::Backend& m_backend;
    QList<services::QueueRow> m_rows;
    enforcement::Policy m_policy;
    models::BulkResolver* m_resolver = nullptr;
    bool m_loaded = false;
    bool m_runAfterLoad = false;
    bool m_ranOnce = false;

    QComboBox* m_outcome;
    QComboBox* m_reasonCode;
    QPlainTextEdit* m_note;
    QProgressBar* m_progress;
    QTreeWidget* m_results;
    QLabel* m_summary;
    QPushButton* m_run;
    QPushButton* m_cancel;
    QPushButton* m_close;
};

} // namespace fairuse::ui
