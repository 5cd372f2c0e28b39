#pragma once

#include "Backend.h"
#include "PolicyFile.h"
#include "enforcement/Policy.h"

#include <QDialog>

#include <functional>
#include <optional>

class QDoubleSpinBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTableWidget;

namespace fairuse::models {
class SimulationRunner;
}

namespace fairuse::ui {

class PeakSpeechChart;

/**
 * The policy simulator ("what if"): the console's policy next to an edited copy (the three caps of each plan, the
 * score threshold, the violation counts and windows), Run / Cancel with a progress bar, a side-by-side table of the
 * users each policy would warn, throttle and restrict over the last days (models::SimulationRunner over the store),
 * and a chart of the users' peak daily speech against both policies' daily caps.
 *
 * Adopt… (admins only) saves the edited policy under a new label to the console's policy file (models::PolicyFile:
 * the stores have no place for policies yet) and emits policyAdopted(), so the cases the console writes from then on
 * name it.
 *
 * Object names for tests: daysSpin, basicDailySpin, basicThreeDaySpin, basicWeeklySpin, unlimitedDailySpin,
 * unlimitedThreeDaySpin, unlimitedWeeklySpin, thresholdSpin, throttleViolationsSpin, throttleWindowSpin,
 * restrictViolationsSpin, restrictWindowSpin, runButton, cancelButton, adoptButton, progressBar, statusLabel,
 * resultsTable, distributionChart.
 */
class SimulatorDialog : public QDialog {
    Q_OBJECT
public:
    /** Rows of the results table. */
    enum ResultRow { UsersRow, CapHitRow, WarnRow, ThrottleRow, RestrictRow, RowCount };
    /** Columns of the results table. */
    enum ResultColumn { CurrentColumn, EditedColumn, ChangeColumn, ColumnCount };

    SimulatorDialog(models::Backend& backend, models::PolicyFile policyFile, QWidget* parent = nullptr);
    ~SimulatorDialog() override;

    /** The edited policy as the spin boxes say (the current policy's other fields unchanged). */
    enforcement::Policy editedPolicy() const;
    /** Puts `policy`'s editable fields into the spin boxes. */
    void setEditedPolicy(const enforcement::Policy& policy);

    models::SimulationRunner* runner() const { return m_runner; }
    /** The text shown in the results table's cell. */
    QString resultText(ResultRow row, ResultColumn column) const;
    QString statusText() const;

    /** Replaces the label question of Adopt… (tests answer it; nullopt = cancelled). It gets a suggestion. */
    void setLabelPrompt(std::function<std::optional<QString>(const QString& suggestion)> prompt) {
        m_askLabel = std::move(prompt);
    }

public Q_SLOTS:
    void run();
    void cancelRun();
    void adopt();
    /** Close and Escape: cancels a run in progress first. */
    void reject() override;

Q_SIGNALS:
    /** An admin adopted `policy`; it is saved in the policy file. */
    void policyAdopted(const fairuse::enforcement::Policy& policy);

private:
    void buildUi();
    void setRunning(bool running);
    void showResults();
    void showChart();
    void updateAdopt();

    models::Backend& m_backend;
    models::PolicyFile m_policyFile;
    enforcement::Policy m_current;
    models::SimulationRunner* m_runner;
    std::function<std::optional<QString>(const QString&)> m_askLabel;
    bool m_haveResult = false;

    QSpinBox* m_days = nullptr;
    QDoubleSpinBox* m_basic[3] = {};
    QDoubleSpinBox* m_unlimited[3] = {};
    QDoubleSpinBox* m_threshold = nullptr;
    QSpinBox* m_throttleViolations = nullptr;
    QSpinBox* m_throttleWindow = nullptr;
    QSpinBox* m_restrictViolations = nullptr;
    QSpinBox* m_restrictWindow = nullptr;
    QPushButton* m_run = nullptr;
    QPushButton* m_cancel = nullptr;
    QPushButton* m_adopt = nullptr;
    QProgressBar* m_progress = nullptr;
    QLabel* m_status = nullptr;
    QTableWidget* m_results = nullptr;
    PeakSpeechChart* m_chart = nullptr;
};

} // namespace fairuse::ui
