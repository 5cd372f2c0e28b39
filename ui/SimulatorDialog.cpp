#include "SimulatorDialog.h"

#include "PeakSpeechChart.h"
#include "SimulationRunner.h"
#include "enforcement/PolicySimulation.h"

#include <QDialogButtonBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QLocale>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QTableWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace fairuse::ui {

namespace {

constexpr double kMsPerHour = 3'600'000.0;
constexpr int kMaxWindowDays = 3650;
constexpr int kMaxViolations = 1000;
constexpr int kMaxDays = 7; // the backend keeps speech buckets for 8 days

std::int64_t hoursToMs(double hours) {
    return static_cast<std::int64_t>(std::llround(hours * kMsPerHour));
}

QString hoursText(std::int64_t ms) {
    return QLocale().toString(static_cast<double>(ms) / kMsPerHour, 'f', 2);
}

QDoubleSpinBox* hoursSpin(const QString& name, QWidget* parent) {
    auto* spin = new QDoubleSpinBox(parent);
    spin->setObjectName(name);
    spin->setRange(0.25, 24.0 * 7);
    spin->setDecimals(2);
    spin->setSingleStep(0.25);
    spin->setSuffix(SimulatorDialog::tr(" h"));
    return spin;
}

QSpinBox* intSpin(const QString& name, int min, int max, const QString& suffix, QWidget* parent) {
    auto* spin = new QSpinBox(parent);
    spin->setObjectName(name);
    spin->setRange(min, max);
    spin->setSuffix(suffix);
    return spin;
}

} // namespace

SimulatorDialog::SimulatorDialog(models::Backend& backend, models::PolicyFile policyFile, QWidget* parent)
    : QDialog(parent)
    , m_backend(backend)
    , m_policyFile(std::move(policyFile))
    , m_current(backend.policy)
    , m_runner(new models::SimulationRunner(backend, this)) {
    setWindowTitle(tr("Policy simulator"));
    buildUi();
    setEditedPolicy(m_current);
    m_askLabel = [this](const QString& suggestion) -> std::optional<QString> {
        bool ok = false;
        const QString answer = QInputDialog::getText(this, tr("Adopt policy"),
                                                     tr("Name of the new policy (cases decided from now on name it):"),
                                                     QLineEdit::Normal, suggestion, &ok);
        return ok ? std::optional<QString>(answer) : std::nullopt;
    };

    connect(m_runner, &models::SimulationRunner::progress, this, [this](int replayed, int found, bool more) {
        m_progress->setRange(0, std::max(found, 1));
        m_progress->setValue(replayed);
        m_status->setText(more ? tr("Replayed %1 of %2 users found so far…").arg(replayed).arg(found)
                               : tr("Replayed %1 of %2 users…").arg(replayed).arg(found));
    });
    connect(m_runner, &models::SimulationRunner::finished, this, [this] {
        setRunning(false);
        m_haveResult = true;
        const auto& r = m_runner->result();
        m_status->setText(tr("Replayed %1 users over the last %2 days.").arg(r.current.users).arg(m_days->value()));
        showResults();
        showChart();
        updateAdopt();
    });
    connect(m_runner, &models::SimulationRunner::cancelled, this, [this] {
        setRunning(false);
        m_status->setText(
            tr("Cancelled after %1 users; the counts are incomplete.").arg(m_runner->result().current.users));
        showResults();
    });
    connect(m_runner, &models::SimulationRunner::failed, this, [this](const QString& message) {
        setRunning(false);
        m_progress->setRange(0, 1); // stop the busy indicator
        m_progress->setValue(0);
        m_status->setText(tr("The simulation stopped: %1").arg(message));
    });
}

SimulatorDialog::~SimulatorDialog() = default;

void SimulatorDialog::buildUi() {
    auto* layout = new QVBoxLayout(this);

    auto* policies = new QGroupBox(tr("Policies"), this);
    auto* grid = new QGridLayout(policies);
    grid->addWidget(new QLabel(tr("<b>Setting</b>"), policies), 0, 0);
    grid->addWidget(new QLabel(tr("<b>Current (%1)</b>").arg(m_current.label().toHtmlEscaped()), policies), 0, 1);
    grid->addWidget(new QLabel(tr("<b>Edited</b>"), policies), 0, 2);
    int row = 1;
    const auto addRow = [&](const QString& label, const QString& current, QWidget* edit) {
        auto* name = new QLabel(label, policies);
        name->setBuddy(edit);
        grid->addWidget(name, row, 0);
        grid->addWidget(new QLabel(current, policies), row, 1);
        grid->addWidget(edit, row, 2);
        ++row;
    };
    const QString windows[3] = {tr("daily"), tr("3-day"), tr("weekly")};
    const QString basicNames[3] = {QStringLiteral("basicDailySpin"), QStringLiteral("basicThreeDaySpin"),
                                   QStringLiteral("basicWeeklySpin")};
    const QString unlimitedNames[3] = {QStringLiteral("unlimitedDailySpin"), QStringLiteral("unlimitedThreeDaySpin"),
                                       QStringLiteral("unlimitedWeeklySpin")};
    const std::int64_t basicCaps[3] = {m_current.basicCaps.dailyMs, m_current.basicCaps.threeDayMs,
                                       m_current.basicCaps.weeklyMs};
    const std::int64_t unlimitedCaps[3] = {m_current.unlimitedCaps.dailyMs, m_current.unlimitedCaps.threeDayMs,
                                           m_current.unlimitedCaps.weeklyMs};
    for (int i = 0; i < 3; ++i) {
        m_basic[i] = hoursSpin(basicNames[i], policies);
        addRow(tr("Basic plan, &%1 cap").arg(windows[i]), tr("%1 h").arg(hoursText(basicCaps[i])), m_basic[i]);
    }
    for (int i = 0; i < 3; ++i) {
        m_unlimited[i] = hoursSpin(unlimitedNames[i], policies);
        addRow(tr("Unlimited plan, %1 cap").arg(windows[i]), tr("%1 h").arg(hoursText(unlimitedCaps[i])),
               m_unlimited[i]);
    }
    m_threshold = new QDoubleSpinBox(policies);
    m_threshold->setObjectName(QStringLiteral("thresholdSpin"));
    m_threshold->setRange(0.01, 1.0);
    m_threshold->setDecimals(2);
    m_threshold->setSingleStep(0.05);
    addRow(tr("Score &threshold"), QLocale().toString(m_current.scoreThreshold, 'f', 2), m_threshold);
    const QString daysSuffix = tr(" days");
    m_throttleViolations = intSpin(QStringLiteral("throttleViolationsSpin"), 1, kMaxViolations, QString(), policies);
    addRow(tr("Violations to t&hrottle"), QString::number(m_current.throttleViolations), m_throttleViolations);
    m_throttleWindow = intSpin(QStringLiteral("throttleWindowSpin"), 1, kMaxWindowDays, daysSuffix, policies);
    addRow(tr("… within"), tr("%1 days").arg(m_current.throttleWindow / std::chrono::hours(24)), m_throttleWindow);
    m_restrictViolations = intSpin(QStringLiteral("restrictViolationsSpin"), 1, kMaxViolations, QString(), policies);
    addRow(tr("Violations to &restrict"), QString::number(m_current.restrictViolations), m_restrictViolations);
    m_restrictWindow = intSpin(QStringLiteral("restrictWindowSpin"), 1, kMaxWindowDays, daysSuffix, policies);
    addRow(tr("… within"), tr("%1 days").arg(m_current.restrictWindow / std::chrono::hours(24)), m_restrictWindow);
    layout->addWidget(policies);

    auto* runRow = new QHBoxLayout();
    auto* daysLabel = new QLabel(tr("Replay the last"), this);
    m_days = intSpin(QStringLiteral("daysSpin"), 1, kMaxDays, daysSuffix, this);
    m_days->setValue(kMaxDays);
    daysLabel->setBuddy(m_days);
    m_run = new QPushButton(tr("R&un"), this);
    m_run->setObjectName(QStringLiteral("runButton"));
    m_run->setDefault(true);
    m_cancel = new QPushButton(tr("&Cancel run"), this);
    m_cancel->setObjectName(QStringLiteral("cancelButton"));
    m_cancel->setEnabled(false);
    m_adopt = new QPushButton(tr("&Adopt…"), this);
    m_adopt->setObjectName(QStringLiteral("adoptButton"));
    m_adopt->setToolTip(m_backend.reviewer.role == Role::Admin
                            ? tr("Save the edited policy under a new name; the console decides with it from now on")
                            : tr("Only admins can adopt a policy"));
    runRow->addWidget(daysLabel);
    runRow->addWidget(m_days);
    runRow->addStretch();
    runRow->addWidget(m_run);
    runRow->addWidget(m_cancel);
    runRow->addWidget(m_adopt);
    layout->addLayout(runRow);

    m_progress = new QProgressBar(this);
    m_progress->setObjectName(QStringLiteral("progressBar"));
    m_progress->setRange(0, 1);
    m_progress->setValue(0);
    layout->addWidget(m_progress);
    m_status = new QLabel(tr("Edit the policy and run the simulation."), this);
    m_status->setObjectName(QStringLiteral("statusLabel"));
    m_status->setWordWrap(true);
    layout->addWidget(m_status);

    m_results = new QTableWidget(RowCount, ColumnCount, this);
    m_results->setObjectName(QStringLiteral("resultsTable"));
    m_results->setAccessibleName(tr("Users each policy would reach"));
    m_results->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_results->setHorizontalHeaderLabels({tr("Current"), tr("Edited"), tr("Change")});
    m_results->setVerticalHeaderLabels(
        {tr("Users replayed"), tr("Users over a cap"), tr("Warned"), tr("Throttled"), tr("Restricted")});
    m_results->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    m_results->setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_results->setFixedHeight(m_results->verticalHeader()->length() +
                              m_results->horizontalHeader()->sizeHint().height() + 2 * m_results->frameWidth());
    for (int r = 0; r < RowCount; ++r) {
        for (int c = 0; c < ColumnCount; ++c) {
            auto* item = new QTableWidgetItem(QStringLiteral("–"));
            item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            m_results->setItem(r, c, item);
        }
    }
    layout->addWidget(m_results);

    m_chart = new PeakSpeechChart(this);
    m_chart->setObjectName(QStringLiteral("distributionChart"));
    layout->addWidget(m_chart, 1);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    layout->addWidget(buttons);

    connect(buttons, &QDialogButtonBox::rejected, this, &SimulatorDialog::reject);
    connect(m_run, &QPushButton::clicked, this, &SimulatorDialog::run);
    connect(m_cancel, &QPushButton::clicked, this, &SimulatorDialog::cancelRun);
    connect(m_adopt, &QPushButton::clicked, this, &SimulatorDialog::adopt);
    updateAdopt();
}

enforcement::Policy SimulatorDialog::editedPolicy() const {
    enforcement::Policy p = m_current;
    p.basicCaps = Caps{hoursToMs(m_basic[0]->value()), hoursToMs(m_basic[1]->value()), hoursToMs(m_basic[2]->value())};
    p.unlimitedCaps = Caps{hoursToMs(m_unlimited[0]->value()), hoursToMs(m_unlimited[1]->value()),
                           hoursToMs(m_unlimited[2]->value())};
    p.scoreThreshold = m_threshold->value();
    p.throttleViolations = m_throttleViolations->value();
    p.throttleWindow = std::chrono::hours(24) * m_throttleWindow->value();
    p.restrictViolations = m_restrictViolations->value();
    p.restrictWindow = std::chrono::hours(24) * m_restrictWindow->value();
    return p;
}

void SimulatorDialog::setEditedPolicy(const enforcement::Policy& p) {
    const std::int64_t basic[3] = {p.basicCaps.dailyMs, p.basicCaps.threeDayMs, p.basicCaps.weeklyMs};
    const std::int64_t unlimited[3] = {p.unlimitedCaps.dailyMs, p.unlimitedCaps.threeDayMs, p.unlimitedCaps.weeklyMs};
    for (int i = 0; i < 3; ++i) {
        m_basic[i]->setValue(static_cast<double>(basic[i]) / kMsPerHour);
        m_unlimited[i]->setValue(static_cast<double>(unlimited[i]) / kMsPerHour);
    }
    m_threshold->setValue(p.scoreThreshold);
    m_throttleViolations->setValue(p.throttleViolations);
    m_throttleWindow->setValue(static_cast<int>(p.throttleWindow / std::chrono::hours(24)));
    m_restrictViolations->setValue(p.restrictViolations);
    m_restrictWindow->setValue(static_cast<int>(p.restrictWindow / std::chrono::hours(24)));
}

QString SimulatorDialog::resultText(ResultRow row, ResultColumn column) const {
    return m_results->item(row, column)->text();
}

QString SimulatorDialog::statusText() const {
    return m_status->text();
}

void SimulatorDialog::run() {
    const enforcement::Policy edited = editedPolicy();
    if (const std::optional<QString> problem = enforcement::simulationPolicyProblem(edited)) {
        m_status->setText(tr("The edited policy is not valid: %1").arg(*problem));
        return;
    }
    m_haveResult = false;
    updateAdopt();
    models::SimulationRunner::Options options = m_runner->options();
    options.days = m_days->value();
    m_runner->setOptions(options);
    setRunning(true);
    m_status->setText(tr("Reading the flagged users…"));
    m_runner->start(m_current, edited);
}

void SimulatorDialog::cancelRun() {
    m_runner->cancel();
}

void SimulatorDialog::reject() {
    m_runner->cancel();
    QDialog::reject();
}

void SimulatorDialog::setRunning(bool running) {
    m_run->setEnabled(!running);
    m_cancel->setEnabled(running);
    if (running) {
        m_progress->setRange(0, 0);
        m_cancel->setFocus();
    } else {
        m_run->setFocus();
    }
}

void SimulatorDialog::showResults() {
    const enforcement::SimulationComparison& r = m_runner->result();
    const int current[RowCount] = {r.current.users, r.current.capHitUsers, r.current.warned, r.current.throttled,
                                   r.current.restricted};
    const int edited[RowCount] = {r.edited.users, r.edited.capHitUsers, r.edited.warned, r.edited.throttled,
                                  r.edited.restricted};
    const QLocale locale;
    for (int row = 0; row < RowCount; ++row) {
        m_results->item(row, CurrentColumn)->setText(locale.toString(current[row]));
        m_results->item(row, EditedColumn)->setText(locale.toString(edited[row]));
        const int delta = edited[row] - current[row];
        m_results->item(row, ChangeColumn)
            ->setText(delta > 0 ? QStringLiteral("+") + locale.toString(delta) : locale.toString(delta));
    }
}

void SimulatorDialog::showChart() {
    const enforcement::Policy edited = editedPolicy();
    m_chart->setData(m_runner->result().peakDailyMs, m_days->value(), m_current, edited);
}

void SimulatorDialog::updateAdopt() {
    m_adopt->setEnabled(m_backend.reviewer.role == Role::Admin);
}

void SimulatorDialog::adopt() {
    if (m_backend.reviewer.role != Role::Admin) {
        m_status->setText(tr("Only admins can adopt a policy."));
        return;
    }
    enforcement::Policy policy = editedPolicy();
    if (const std::optional<QString> problem = enforcement::simulationPolicyProblem(policy)) {
        m_status->setText(tr("The edited policy is not valid: %1").arg(*problem));
        return;
    }
    const std::optional<QString> answer = m_askLabel ? m_askLabel(m_current.name) : std::nullopt;
    if (!answer) {
        return;
    }
    const QString name = answer->trimmed();
    if (name.isEmpty()) {
        m_status->setText(tr("A policy needs a name."));
        return;
    }
    policy.name = name;
    // The same name as the policy in force is a new version of it; a new name starts at version 1. The label is new
    // either way, so cases decided under the two policies can be told apart.
    const enforcement::Policy& live = m_backend.policy;
    bool isNumber = false;
    const int version = live.version.toInt(&isNumber);
    policy.version = name != live.name ? QStringLiteral("1")
                     : isNumber        ? QString::number(version + 1)
                                       : live.version + QStringLiteral(".1");
    if (const Status saved = m_policyFile.save(policy); !saved) {
        m_status->setText(tr("Could not save the policy: %1").arg(saved.error().message));
        return;
    }
    m_status->setText(tr("Adopted “%1”, saved to %2. Cases decided from now on name it.")
                          .arg(policy.label(), QDir::toNativeSeparators(m_policyFile.path())));
    Q_EMIT policyAdopted(policy);
}

} // namespace fairuse::ui
