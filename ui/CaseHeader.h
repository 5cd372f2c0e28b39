#pragma once

#include "common/Domain.h"

#include <QWidget>

#include <array>
#include <optional>

class QLabel;
class QProgressBar;

namespace fairuse::ui {

/**
 * The head of the case page: the user, the stage (a coloured badge), the plan, each cap as a bar of the share used
 * (over 100 % drawn red) and the latest classifier score and usage type. Everything wraps; nothing is cut off.
 *
 * Object names for tests: caseTitle, stageBadge, planText, capBar0..2 (day, 3 days, week), classifierSummary.
 */
class CaseHeader : public QWidget {
    Q_OBJECT
public:
    explicit CaseHeader(QWidget* parent = nullptr);

    /** Only a title ("No user selected", "User u1: loading…"); bars and badges cleared. */
    void showTitle(const QString& title);
    /**
     * A loaded user. `speech` is the user's trailing totals now (absent: not read, the bars say so); `latest` the
     * classifier verdict to sum up (the open case's, else the newest).
     */
    void showUser(const FairUseState& state, const QString& planText, const Caps& caps,
                  const std::optional<SpeechTotals>& speech, const std::optional<ClassifierResult>& latest);

    /** Everything the header shows, one item a line (for tests and the accessible description). */
    QString text() const;
    QProgressBar* capBar(int window) const { return m_bars.at(static_cast<std::size_t>(window)); }

private:
    QLabel* m_title = nullptr;
    QLabel* m_stage = nullptr;
    QLabel* m_plan = nullptr;
    QLabel* m_classifier = nullptr;
    std::array<QLabel*, 3> m_barLabels{};
    std::array<QProgressBar*, 3> m_bars{};
};

} // namespace fairuse::ui
