#include "FilterBar.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QSignalBlocker>
#include <QStandardItemModel>
#include <QVBoxLayout>

#include <algorithm>

namespace fairuse::ui {

namespace {

/** The saved view's filter JSON, kept on its item of the saved-views box. */
constexpr int kFilterRole = Qt::UserRole + 1;

} // namespace

FilterBar::FilterBar(QWidget* parent)
    : QWidget(parent)
    , m_stage(new QComboBox(this))
    , m_type(new QComboBox(this))
    , m_minScore(new QDoubleSpinBox(this))
    , m_maxScore(new QDoubleSpinBox(this))
    , m_resolution(new QComboBox(this))
    , m_search(new QLineEdit(this))
    , m_claims(new QComboBox(this))
    , m_casework(new QComboBox(this))
    , m_views(new QComboBox(this)) {
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

    m_views->addItem(tr("No saved view"));
    m_views->setAccessibleName(tr("Saved views"));
    m_views->setToolTip(tr("Saved views: the team's shared filters and your own (Ctrl+Shift+V)"));
    m_views->setObjectName(QStringLiteral("savedViewBox"));
    m_views->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_views->setMinimumContentsLength(16);

    m_search->setPlaceholderText(tr("User id or case reference (Ctrl+F)"));
    m_search->setAccessibleName(tr("Search by user id or case reference"));
    m_search->setClearButtonEnabled(true);

    // Two rows, so the queue pane fits half of a 1500 px window with the search field readable: the search and
    // who-works-what boxes, then the case filters.
    auto* rows = new QVBoxLayout(this);
    rows->setContentsMargins(0, 0, 0, 0);
    rows->setSpacing(2);
    auto* top = new QHBoxLayout;
    top->addWidget(m_views);
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
    connect(m_claims, &QComboBox::currentIndexChanged, this, [this](int view) {
        syncViewBox();
        Q_EMIT claimViewChanged(view);
    });
    connect(m_casework, &QComboBox::currentIndexChanged, this, [this](int view) {
        syncViewBox();
        Q_EMIT caseworkViewChanged(view);
    });
    connect(m_views, &QComboBox::activated, this, [this](int index) {
        const QString id = m_views->itemData(index).toString();
        if (id.isEmpty() || !chooseView(id)) {
            m_views->setCurrentIndex(0);
        }
    });
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
        syncViewBox();
        Q_EMIT filterChanged();
    }
}

casework::ViewFilter FilterBar::viewFilter() const {
    const services::QueueFilter f = filter();
    casework::ViewFilter v;
    v.stage = f.stage;
    v.usageType = f.usageType;
    v.minScore = f.minScore;
    v.maxScore = f.maxScore;
    v.resolution = static_cast<casework::ViewFilter::Resolution>(static_cast<int>(f.resolution));
    v.claims = static_cast<casework::ViewFilter::Claims>(std::max(0, m_claims->currentIndex()));
    v.casework = static_cast<casework::ViewFilter::CaseworkView>(std::max(0, m_casework->currentIndex()));
    return v;
}

void FilterBar::applyViewFilter(const casework::ViewFilter& v) {
    services::QueueFilter f = filter();
    f.stage = v.stage;
    f.usageType = v.usageType;
    f.minScore = v.minScore;
    f.maxScore = v.maxScore;
    f.resolution = static_cast<services::QueueFilter::Resolution>(static_cast<int>(v.resolution));
    m_quiet = true;
    m_claims->setCurrentIndex(static_cast<int>(v.claims));
    m_casework->setCurrentIndex(static_cast<int>(v.casework));
    m_quiet = false;
    setFilter(f);
}

void FilterBar::setSavedViews(const QList<SavedView>& views, const QString& currentId) {
    const QSignalBlocker quiet(m_views);
    m_views->clear();
    m_views->addItem(tr("No saved view"));
    auto* items = qobject_cast<QStandardItemModel*>(m_views->model());
    for (const SavedView& view : views) {
        const auto parsed = casework::parseViewFilter(view.filter);
        const QString label = view.shared ? tr("Team: %1").arg(view.name) : tr("Mine: %1").arg(view.name);
        m_views->addItem(label, view.id);
        const int row = m_views->count() - 1;
        m_views->setItemData(row, view.filter, kFilterRole);
        m_views->setItemData(row,
                             parsed ? tr("%1\n%2 by %3")
                                          .arg(casework::describeFilter(*parsed),
                                               view.shared ? tr("Shared") : tr("Personal"), view.owner)
                                    : parsed.error().message,
                             Qt::ToolTipRole);
        if (!parsed && items) {
            items->item(row)->setEnabled(false);
        }
    }
    const int index = currentId.isEmpty() ? 0 : m_views->findData(currentId);
    m_views->setCurrentIndex(std::max(0, index));
}

QString FilterBar::currentViewId() const {
    return m_views->currentData().toString();
}

bool FilterBar::chooseView(const QString& id) {
    const int index = m_views->findData(id);
    if (index <= 0) {
        return false;
    }
    const auto* items = qobject_cast<QStandardItemModel*>(m_views->model());
    if (items && !items->item(index)->isEnabled()) {
        return false;
    }
    const QVariant filter = m_views->itemData(index, kFilterRole);
    const auto parsed = casework::parseViewFilter(filter.toString());
    if (!parsed) {
        return false;
    }
    applyViewFilter(*parsed);
    {
        const QSignalBlocker quiet(m_views);
        m_views->setCurrentIndex(index);
    }
    Q_EMIT savedViewChosen(id);
    return true;
}

void FilterBar::syncViewBox() {
    if (m_views->currentIndex() <= 0) {
        return;
    }
    const auto parsed = casework::parseViewFilter(m_views->currentData(kFilterRole).toString());
    if (!parsed || !(*parsed == viewFilter())) {
        const QSignalBlocker quiet(m_views);
        m_views->setCurrentIndex(0);
    }
}

} // namespace fairuse::ui
