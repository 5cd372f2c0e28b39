#include "ShadowComparisonView.h"

#include "BulkResolver.h"
#include "DetailFormat.h"
#include "ShadowComparisonLoader.h"
#include "ShadowComparisonModel.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTableView>
#include <QVBoxLayout>

#include <chrono>

namespace fairuse::ui {

using Verdicts = models::ShadowComparisonFilter::Verdicts;

ShadowComparisonView::ShadowComparisonView(models::Backend& backend, QWidget* parent)
    : QWidget(parent)
    , m_backend(backend)
    , m_loader(new models::ShadowComparisonLoader(backend, this))
    , m_model(new models::ShadowComparisonModel(this))
    , m_filter(new models::ShadowComparisonFilter(this))
    , m_period(new QComboBox(this))
    , m_verdicts(new QComboBox(this))
    , m_search(new QLineEdit(this))
    , m_table(new QTableView(this))
    , m_counts(new QLabel(this))
    , m_detail(new QLabel(this))
    , m_status(new QLabel(this)) {
    setAccessibleName(tr("Shadow comparison"));
    auto* title = new QLabel(tr("The enforcement service in shadow mode against the backend's own decisions. Enter "
                                "opens the user."),
                             this);
    title->setWordWrap(true);

    m_period->setObjectName(QStringLiteral("shadowPeriod"));
    m_period->setAccessibleName(tr("Period"));
    m_period->addItem(tr("Last 24 hours"), 1);
    m_period->addItem(tr("Last 7 days"), 7);
    m_period->addItem(tr("Last 30 days"), 30);
    m_verdicts->setObjectName(QStringLiteral("shadowVerdicts"));
    m_verdicts->setAccessibleName(tr("Verdicts shown"));
    m_verdicts->addItem(tr("Disagreements"), static_cast<int>(Verdicts::Disagreements));
    m_verdicts->addItem(tr("Everything"), static_cast<int>(Verdicts::All));
    m_verdicts->addItem(tr("Service only"), static_cast<int>(Verdicts::ServiceOnly));
    m_verdicts->addItem(tr("Backend only"), static_cast<int>(Verdicts::BackendOnly));
    m_verdicts->addItem(tr("Different stage"), static_cast<int>(Verdicts::StageDiffers));
    m_verdicts->addItem(tr("Agreements"), static_cast<int>(Verdicts::Agree));
    m_search->setObjectName(QStringLiteral("shadowSearch"));
    m_search->setAccessibleName(tr("User id contains"));
    m_search->setPlaceholderText(tr("User id"));
    m_search->setClearButtonEnabled(true);
    auto* periodLabel = new QLabel(tr("&Period:"), this);
    periodLabel->setBuddy(m_period);
    auto* verdictLabel = new QLabel(tr("S&how:"), this);
    verdictLabel->setBuddy(m_verdicts);
    auto* refreshButton = new QPushButton(tr("Re&fresh"), this);
    auto* filters = new QHBoxLayout();
    filters->addWidget(periodLabel);
    filters->addWidget(m_period);
    filters->addWidget(verdictLabel);
    filters->addWidget(m_verdicts);
    filters->addWidget(m_search, 1);
    filters->addWidget(refreshButton);

    m_filter->setSourceModel(m_model);
    m_filter->setVerdicts(Verdicts::Disagreements);
    m_table->setObjectName(QStringLiteral("shadowTable"));
    m_table->setAccessibleName(tr("Compared decisions"));
    m_table->setModel(m_filter);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setWordWrap(false);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setTextElideMode(Qt::ElideMiddle);
    m_table->setColumnWidth(models::ShadowComparisonModel::UserColumn, 150);

    m_counts->setObjectName(QStringLiteral("shadowCounts"));
    m_detail->setObjectName(QStringLiteral("shadowDetail"));
    m_detail->setAccessibleName(tr("Why the decisions differ"));
    m_detail->setWordWrap(true);
    m_detail->setTextFormat(Qt::PlainText);
    m_detail->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    m_status->setObjectName(QStringLiteral("shadowStatus"));
    m_status->setWordWrap(true);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(title);
    layout->addLayout(filters);
    layout->addWidget(m_counts);
    layout->addWidget(m_table, 1);
    layout->addWidget(m_detail);
    layout->addWidget(m_status);

    connect(refreshButton, &QPushButton::clicked, this, &ShadowComparisonView::refresh);
    connect(m_period, &QComboBox::currentIndexChanged, this, &ShadowComparisonView::refresh);
    connect(m_verdicts, &QComboBox::currentIndexChanged, this, [this] {
        m_filter->setVerdicts(static_cast<Verdicts>(m_verdicts->currentData().toInt()));
        showCurrent();
    });
    connect(m_search, &QLineEdit::textChanged, this, [this](const QString& text) {
        m_filter->setUserText(text);
        showCurrent();
    });
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this] { showCurrent(); });
    connect(m_table, &QAbstractItemView::activated, this, [this](const QModelIndex& index) {
        if (index.isValid()) {
            Q_EMIT userRequested(index.data(models::ShadowComparisonModel::UidRole).toString());
        }
    });
    connect(m_loader, &models::ShadowComparisonLoader::finished, this, &ShadowComparisonView::showComparison);
    connect(m_loader, &models::ShadowComparisonLoader::failed, this, [this](const QString& message) {
        m_model->clear();
        m_counts->clear();
        m_status->setText(message);
        showCurrent();
        Q_EMIT refreshed();
    });
}

QString ShadowComparisonView::countsText() const {
    return m_counts->text();
}

QString ShadowComparisonView::statusText() const {
    return m_status->text();
}

QString ShadowComparisonView::detailText() const {
    return m_detail->text();
}

void ShadowComparisonView::refresh() {
    const TimePoint now = models::backendNow(m_backend);
    const auto days = std::chrono::days(m_period->currentData().toInt());
    m_status->setText(m_backend.cases
                          ? tr("Comparing the shadow service's decisions with %1…").arg(m_backend.cases->describe())
                          : QString());
    m_loader->start(now - days, now + std::chrono::seconds(1));
}

void ShadowComparisonView::showComparison(const enforcement::ShadowComparison& comparison) {
    m_model->setRows(comparison.rows);
    for (int c = models::ShadowComparisonModel::VerdictColumn; c < models::ShadowComparisonModel::ReasonColumn; ++c) {
        m_table->resizeColumnToContents(c);
    }
    m_counts->setText(models::ShadowComparisonModel::countsText(comparison));
    m_status->setText(comparison.decisions() == 0
                          ? tr("No shadow decisions and no backend cases in this period: is a shadow service "
                               "(fairuse-enforcer --shadow) running?")
                          : QString());
    if (m_filter->rowCount() > 0) {
        m_table->selectRow(0);
    }
    showCurrent();
    Q_EMIT refreshed();
}

void ShadowComparisonView::showCurrent() {
    const QModelIndex current = m_table->currentIndex();
    if (!current.isValid()) {
        m_detail->setText(m_filter->rowCount() == 0 && m_model->rowCount() > 0 ? tr("No decision matches the filter.")
                                                                               : QString());
        return;
    }
    const enforcement::ShadowComparisonRow& r = m_model->rowAt(m_filter->mapToSource(current).row());
    QString text = tr("%1 at %2: %3").arg(r.uid, models::formatTime(r.at), r.reason);
    if (r.shadow && !r.shadow->explanation.isEmpty()) {
        text += QLatin1Char('\n') + tr("Service: %1").arg(r.shadow->explanation);
    }
    m_detail->setText(text);
}

} // namespace fairuse::ui
