#include "FilterBar.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QVBoxLayout>

namespace fairuse::ui {

FilterBar::FilterBar(QWidget* parent)
    : QWidget(parent)
    , m_stage(new QComboBox(this))
    , m_type(new QComboBox(this))
    , m_minScore(new QDoubleSpinBox(this))
    , m_maxScore(new QDoubleSpinBox(this))
    , m_resolution(new QComboBox(this))
    , m_search(new QLineEdit(this))
    , m_claims(new QComboBox(this))
    , m_casework(new QComboBox(this)) {
    m_stage->addItem(tr("All stages"));
    for (Stage s : {Stage::Warning, Stage::Throttle, Stage::Restrict}) {
        m_stage->addItem(toString(s), static_cast<int>(s));
    }
    m_stage->setAccessibleName(tr("Stage filter"));

    m_type->addItem(tr("All usage types"));
    for (UsageType t : {UsageType::None, UsageType::Audiobook, UsageType::Podcast, UsageType::Prerecorded,
                        UsageType::TvMovie, UsageType::Commercial, UsageType::Unknown}) {
        m_type->addItem(toString(t), static_cast<int>(t));
    }
    m_type->setAccessibleName(tr("Usage type filter"));

    for (QDoubleSpinBox* box : {m_minScore, m_maxScore}) {
        box->setRange(0.0, 1.0);
        box->setSingleStep(0.05);
        box->setDecimals(2);
        box->setKeyboardTracking(false); // one re-query when the reviewer is done typing
    }
    m_minScore->setValue(0.0);
    m_maxScore->setValue(1.0);
    m_minScore->setAccessibleName(tr("Minimum misuse score"));
    m_maxScore->setAccessibleName(tr("Maximum misuse score"));
    m_minScore->setToolTip(tr("Minimum misuse score"));
    m_maxScore->setToolTip(tr("Maximum misuse score"));

    m_resolution->addItem(tr("Open and resolved"), static_cast<int>(services::QueueFilter::Resolution::Any));
    m_resolution->addItem(tr("Open cases"), static_cast<int>(services::QueueFilter::Resolution::OpenOnly));
    m_resolution->addItem(tr("Resolved only"), static_cast<int>(services::QueueFilter::Resolution::ResolvedOnly));
    m_resolution->setAccessibleName(tr("Open or resolved filter"));

    m_claims->addItem(tr("All cases"));
    m_claims->addItem(tr("My cases"));
    m_claims->addItem(tr("Unclaimed"));
    m_claims->setAccessibleName(tr("Claim filter"));
    m_claims->setToolTip(tr("Every case, the cases you are reviewing, or the cases nobody is reviewing"));
    m_claims->setObjectName(QStringLiteral("claimBox"));
    m_claims->hide();

    m_casework->addItem(tr("Not snoozed"));
    m_casework->addItem(tr("Escalated"));
    m_casework->addItem(tr("Snoozed"));
    m_casework->addItem(tr("Snoozed too"));
    m_casework->setAccessibleName(tr("Escalation and snooze filter"));
    m_casework->setToolTip(tr("Hide snoozed cases (the default), show only escalated cases, only snoozed ones, or "
                              "every case"));
    m_casework->setObjectName(QStringLiteral("caseworkBox"));
    m_casework->hide();

    m_search->setPlaceholderText(tr("User id or case reference (Ctrl+F)"));
    m_search->setAccessibleName(tr("Search by user id or case reference"));
    m_search->setClearButtonEnabled(true);

    // Two rows, so the queue pane fits half of a 1500 px window with the search field readable: the search and
    // who-works-what boxes, then the case filters.
    auto* rows = new QVBoxLayout(this);
    rows->setContentsMargins(0, 0, 0, 0);
    rows->setSpacing(2);
    auto* top = new QHBoxLayout;
    top->addWidget(m_search, 1);
    top->addWidget(m_claims);
    top->addWidget(m_casework);
    rows->addLayout(top);
    auto* layout = new QHBoxLayout;
    layout->addWidget(m_stage);
    layout->addWidget(m_type);
    auto* scoreLabel = new QLabel(tr("Score"), this);
    scoreLabel->setBuddy(m_minScore);
    layout->addWidget(scoreLabel);
    layout->addWidget(m_minScore);
    layout->addWidget(new QLabel(QStringLiteral("–"), this));
    layout->addWidget(m_maxScore);
    layout->addWidget(m_resolution);
    layout->addStretch(1);
    rows->addLayout(layout);

    connect(m_stage, &QComboBox::currentIndexChanged, this, &FilterBar::emitChanged);
    connect(m_type, &QComboBox::currentIndexChanged, this, &FilterBar::emitChanged);
    connect(m_resolution, &QComboBox::currentIndexChanged, this, &FilterBar::emitChanged);
    connect(m_minScore, &QDoubleSpinBox::valueChanged, this, &FilterBar::emitChanged);
    connect(m_maxScore, &QDoubleSpinBox::valueChanged, this, &FilterBar::emitChanged);
    connect(m_claims, &QComboBox::currentIndexChanged, this, &FilterBar::claimViewChanged);
    connect(m_casework, &QComboBox::currentIndexChanged, this, &FilterBar::caseworkViewChanged);
    connect(m_search, &QLineEdit::returnPressed, this, [this] { Q_EMIT searchRequested(m_search->text().trimmed()); });
}

services::QueueFilter FilterBar::filter() const {
    services::QueueFilter f;
    if (m_stage->currentData().isValid()) {
        f.stage = static_cast<Stage>(m_stage->currentData().toInt());
    }
    if (m_type->currentData().isValid()) {
        f.usageType = static_cast<UsageType>(m_type->currentData().toInt());
    }
    f.minScore = m_minScore->value();
    f.maxScore = m_maxScore->value();
    f.resolution = static_cast<services::QueueFilter::Resolution>(m_resolution->currentData().toInt());
    return f;
}

void FilterBar::setFilter(const services::QueueFilter& f) {
    m_quiet = true;
    m_stage->setCurrentIndex(f.stage ? m_stage->findData(static_cast<int>(*f.stage)) : 0);
    m_type->setCurrentIndex(f.usageType ? m_type->findData(static_cast<int>(*f.usageType)) : 0);
    m_minScore->setValue(f.minScore);
    m_maxScore->setValue(f.maxScore);
    m_resolution->setCurrentIndex(m_resolution->findData(static_cast<int>(f.resolution)));
    m_quiet = false;
    emitChanged();
}

void FilterBar::emitChanged() {
    if (!m_quiet) {
        Q_EMIT filterChanged();
    }
}

} // namespace fairuse::ui
