#include "CaseHeader.h"

#include "CasePage.h"
#include "DetailFormat.h"

#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QVBoxLayout>

namespace fairuse::ui {

namespace {

QString stageColour(Stage stage) {
    switch (stage) {
    case Stage::None:
        return QStringLiteral("#607d8b");
    case Stage::Warning:
        return QStringLiteral("#f9a825");
    case Stage::Throttle:
        return QStringLiteral("#ef6c00");
    case Stage::Restrict:
        return QStringLiteral("#c62828");
    }
    return {};
}

QLabel* wrapped(QWidget* parent, const QString& name) {
    auto* label = new QLabel(parent);
    label->setObjectName(name);
    label->setWordWrap(true);
    label->setTextFormat(Qt::PlainText);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    return label;
}

} // namespace

CaseHeader::CaseHeader(QWidget* parent)
    : QWidget(parent) {
    setAccessibleName(tr("Case header"));
    auto* outer = new QVBoxLayout(this);
    outer->setContentsMargins(4, 2, 4, 2);
    outer->setSpacing(4);

    auto* top = new QHBoxLayout;
    m_title = wrapped(this, QStringLiteral("caseTitle"));
    QFont bold = m_title->font();
    bold.setBold(true);
    bold.setPointSizeF(bold.pointSizeF() * 1.2);
    m_title->setFont(bold);
    m_title->setAccessibleName(tr("User"));
    m_stage = new QLabel(this);
    m_stage->setObjectName(QStringLiteral("stageBadge"));
    m_stage->setAccessibleName(tr("Stage"));
    m_plan = wrapped(this, QStringLiteral("planText"));
    m_plan->setAccessibleName(tr("Plan"));
    top->addWidget(m_title);
    top->addWidget(m_stage);
    top->addWidget(m_plan, 1);
    outer->addLayout(top);

    auto* grid = new QGridLayout;
    grid->setHorizontalSpacing(8);
    grid->setVerticalSpacing(2);
    const std::array<QString, 3> names{tr("Day"), tr("3 days"), tr("Week")};
    for (int i = 0; i < 3; ++i) {
        const auto at = static_cast<std::size_t>(i);
        m_barLabels.at(at) = new QLabel(names.at(at), this);
        m_bars.at(at) = new QProgressBar(this);
        m_bars.at(at)->setObjectName(QStringLiteral("capBar%1").arg(i));
        m_bars.at(at)->setAccessibleName(tr("%1 cap used").arg(names.at(at)));
        m_bars.at(at)->setRange(0, 100);
        m_bars.at(at)->setTextVisible(true);
        m_bars.at(at)->setMinimumWidth(160);
        m_barLabels.at(at)->setBuddy(m_bars.at(at));
        grid->addWidget(m_barLabels.at(at), i, 0);
        grid->addWidget(m_bars.at(at), i, 1);
    }
    m_classifier = wrapped(this, QStringLiteral("classifierSummary"));
    m_classifier->setAccessibleName(tr("Latest classifier verdict"));
    m_classifier->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    grid->addWidget(m_classifier, 0, 2, 3, 1);
    grid->setColumnStretch(1, 2);
    grid->setColumnStretch(2, 3);
    outer->addLayout(grid);
    showTitle(tr("No user selected"));
}

void CaseHeader::showTitle(const QString& title) {
    m_title->setText(title);
    m_stage->clear();
    m_stage->setStyleSheet({});
    m_stage->hide();
    m_plan->clear();
    m_classifier->clear();
    for (QProgressBar* bar : m_bars) {
        bar->setValue(0);
        bar->setFormat(QStringLiteral("\u2014"));
        bar->setStyleSheet({});
    }
}

void CaseHeader::showUser(const FairUseState& state, const QString& planText, const Caps& caps,
                          const std::optional<SpeechTotals>& speech, const std::optional<ClassifierResult>& latest) {
    m_title->setText(tr("User %1").arg(state.uid));
    m_stage->setText(QStringLiteral(" %1%2 ").arg(models::stageLabel(state.stage).toUpper(),
                                                  state.exempt ? tr(" \u00b7 EXEMPT") : QString()));
    m_stage->setStyleSheet(
        QStringLiteral("QLabel { background: %1; color: white; border-radius: 4px; padding: 2px 6px; "
                       "font-weight: bold; }")
            .arg(stageColour(state.stage)));
    m_stage->show();
    m_plan->setText(tr("Plan: %1").arg(planText));

    const std::array<std::int64_t, 3> capMs{caps.dailyMs, caps.threeDayMs, caps.weeklyMs};
    for (std::size_t i = 0; i < 3; ++i) {
        QProgressBar* bar = m_bars.at(i);
        if (!speech) {
            bar->setValue(0);
            bar->setFormat(tr("not read (cap %1)").arg(models::formatSpeechHours(capMs.at(i))));
            bar->setStyleSheet({});
            continue;
        }
        const std::array<std::int64_t, 3> used{speech->dailyMs, speech->threeDayMs, speech->weeklyMs};
        const int share = models::capSharePercent(used.at(i), capMs.at(i));
        bar->setValue(std::min(share, 100));
        bar->setFormat(tr("%1 of %2 (%3 %)")
                           .arg(models::formatSpeechHours(used.at(i)), models::formatSpeechHours(capMs.at(i)))
                           .arg(share));
        // A cap is hit when usage is strictly greater than it.
        bar->setStyleSheet(used.at(i) > capMs.at(i) ? QStringLiteral("QProgressBar::chunk { background: #c62828; }")
                                                    : QString());
    }

    if (latest) {
        m_classifier->setText(tr("Score %1 \u00b7 %2 \u00b7 confidence %3\n%4 %5 (%6)")
                                  .arg(QLocale().toString(latest->misuseScore, 'f', 2),
                                       models::usageTypeLabel(latest->usageType),
                                       QLocale().toString(latest->confidence, 'f', 2),
                                       models::classifierKindLabel(*latest), latest->model, latest->promptVersion));
    } else if (state.lastClassifierScore) {
        m_classifier->setText(tr("Score %1 \u00b7 %2 (last run %3)")
                                  .arg(QLocale().toString(*state.lastClassifierScore, 'f', 2),
                                       state.lastClassifierType ? models::usageTypeLabel(*state.lastClassifierType)
                                                                : QStringLiteral("\u2014"),
                                       models::formatTime(state.lastClassifierAt)));
    } else {
        m_classifier->setText(tr("No classifier verdict yet."));
    }
}

QString CaseHeader::text() const {
    QStringList lines{m_title->text(), m_stage->text().trimmed(), m_plan->text()};
    for (std::size_t i = 0; i < 3; ++i) {
        lines << m_barLabels.at(i)->text() + QStringLiteral(": ") + m_bars.at(i)->text();
    }
    lines << m_classifier->text();
    return lines.join(QLatin1Char('\n'));
}

} // namespace fairuse::ui
