#include "SavedViewsControl.h"

#include "FilterBar.h"
#include "SavedViewList.h"

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QVBoxLayout>

namespace fairuse::ui {

SaveViewDialog::SaveViewDialog(models::SavedViewList& views, const casework::ViewFilter& filter,
                               std::optional<SavedView> chosen, QWidget* parent)
    : QDialog(parent)
    , m_views(views)
    , m_filter(filter)
    , m_chosen(std::move(chosen))
    , m_name(new QLineEdit(this))
    , m_shared(new QCheckBox(tr("&Share with the team"), this))
    , m_replace(new QCheckBox(this))
    , m_saveButton(nullptr)
    , m_message(new QLabel(this)) {
    setWindowTitle(tr("Save view"));
    setAttribute(Qt::WA_DeleteOnClose);
    m_name->setObjectName(QStringLiteral("nameEdit"));
    m_name->setMaxLength(static_cast<int>(casework::kMaxViewNameChars));
    m_name->setPlaceholderText(tr("e.g. Escalated audiobook throttles"));
    m_shared->setObjectName(QStringLiteral("sharedCheck"));
    m_shared->setToolTip(tr("Every reviewer sees a shared view; a personal one is yours alone"));
    m_replace->setObjectName(QStringLiteral("replaceCheck"));
    const bool mayReplace = m_chosen && m_views.mayChange(*m_chosen);
    if (mayReplace) {
        m_replace->setText(tr("&Replace \"%1\"").arg(m_chosen->name));
        m_replace->setChecked(true);
        m_name->setText(m_chosen->name);
        m_shared->setChecked(m_chosen->shared);
    }
    m_replace->setVisible(mayReplace);
    auto* filterLabel = new QLabel(casework::describeFilter(filter), this);
    filterLabel->setObjectName(QStringLiteral("filterLabel"));
    filterLabel->setWordWrap(true);
    m_message->setObjectName(QStringLiteral("messageLabel"));
    m_message->setWordWrap(true);
    m_message->setStyleSheet(QStringLiteral("color: #b00020"));
    m_message->hide();

    auto* form = new QFormLayout;
    form->addRow(tr("&Name"), m_name);
    form->addRow(tr("Filter"), filterLabel);
    form->addRow(QString(), m_shared);
    form->addRow(QString(), m_replace);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel, this);
    m_saveButton = buttons->button(QDialogButtonBox::Save);
    m_saveButton->setObjectName(QStringLiteral("saveButton"));
    connect(buttons, &QDialogButtonBox::accepted, this, &SaveViewDialog::save);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_message);
    layout->addWidget(buttons);

    connect(&m_views, &models::SavedViewList::saved, this, [this] {
        if (m_waiting) {
            m_waiting = false;
            accept();
        }
    });
    connect(&m_views, &models::SavedViewList::failed, this, [this](const QString& text) {
        if (m_waiting) {
            m_waiting = false;
            m_saveButton->setEnabled(true);
            showMessage(text);
        }
    });
}

QString SaveViewDialog::message() const {
    return m_message->isVisible() ? m_message->text() : QString();
}

void SaveViewDialog::showMessage(const QString& text) {
    m_message->setText(text);
    m_message->setVisible(!text.isEmpty());
}

void SaveViewDialog::save() {
    if (m_waiting) {
        return;
    }
    const bool replace = m_replace->isVisible() && m_replace->isChecked();
    if (const auto name = casework::checkViewName(m_name->text()); !name) {
        showMessage(name.error().message);
        return;
    }
    showMessage({});
    m_waiting = true;
    m_saveButton->setEnabled(false);
    m_views.save(m_name->text(), m_shared->isChecked(), m_filter, replace ? m_chosen : std::nullopt);
}

SavedViewsControl::SavedViewsControl(models::Backend& backend, FilterBar* filterBar, QWidget* window)
    : QObject(window)
    , m_backend(backend)
    , m_bar(filterBar)
    , m_window(window)
    , m_list(new models::SavedViewList(backend, this)) {
    auto* open = new QAction(tr("Sa&ved views"), this);
    open->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_V));
    open->setStatusTip(tr("Choose one of the team's shared views or your own (the box left of the search)"));
    connect(open, &QAction::triggered, this, [this] {
        m_list->reload();
        m_bar->viewBox()->setFocus(Qt::ShortcutFocusReason);
        m_bar->viewBox()->showPopup();
    });
    auto* save = new QAction(tr("Sa&ve view…"), this);
    save->setShortcut(QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_S));
    save->setStatusTip(tr("Save the queue's filter as a view, for the team or for yourself"));
    connect(save, &QAction::triggered, this, &SavedViewsControl::openSaveDialog);
    auto* remove = new QAction(tr("&Delete saved view…"), this);
    remove->setStatusTip(tr("Delete the saved view chosen in the box (yours, or a shared one as a senior)"));
    connect(remove, &QAction::triggered, this, &SavedViewsControl::openDeleteConfirm);
    m_actions = {open, save, remove};
    for (QAction* a : m_actions) {
        a->setToolTip(a->statusTip());
        window->addAction(a);
    }

    connect(m_list, &models::SavedViewList::changed, this, &SavedViewsControl::refill);
    connect(m_list, &models::SavedViewList::saved, this, [this](const QString& id) {
        m_pendingSelect = id;
        Q_EMIT message(tr("View saved."));
    });
    connect(m_list, &models::SavedViewList::deleted, this,
            [this](const QString& name) { Q_EMIT message(tr("View \"%1\" deleted.").arg(name)); });
    connect(m_list, &models::SavedViewList::failed, this, &SavedViewsControl::message);
    connect(m_bar, &FilterBar::savedViewChosen, this, [this](const QString& id) {
        if (const auto v = m_list->find(id)) {
            Q_EMIT message(tr("Showing view \"%1\" (%2).")
                               .arg(v->name, v->shared ? tr("shared by %1").arg(v->owner) : tr("personal")));
        }
    });
    m_list->reload();
}

void SavedViewsControl::refill() {
    QString current = m_bar->currentViewId();
    const QString select = m_pendingSelect;
    m_bar->setSavedViews(m_list->views(), current);
    if (!select.isEmpty() && m_list->find(select)) {
        m_pendingSelect.clear();
        const QSignalBlocker quiet(m_bar);
        m_bar->chooseView(select); // the filter is the one just saved: nothing re-queries
    }
}

SaveViewDialog* SavedViewsControl::openSaveDialog() {
    if (!m_list->supported()) {
        Q_EMIT message(tr("This store keeps no saved views."));
        return nullptr;
    }
    auto* dialog = new SaveViewDialog(*m_list, m_bar->viewFilter(), m_list->find(m_bar->currentViewId()), m_window);
    dialog->open();
    return dialog;
}

QMessageBox* SavedViewsControl::openDeleteConfirm() {
    const auto view = m_list->find(m_bar->currentViewId());
    if (!view) {
        Q_EMIT message(tr("Choose the view to delete in the saved-views box first (Ctrl+Shift+V)."));
        return nullptr;
    }
    if (const Status may = casework::mayChangeView(*view, m_backend.reviewer); !may) {
        Q_EMIT message(may.error().message);
        return nullptr;
    }
    auto* box = new QMessageBox(QMessageBox::Question, tr("Delete saved view"),
                                view->shared ? tr("Delete the shared view \"%1\" for the whole team?").arg(view->name)
                                             : tr("Delete your view \"%1\"?").arg(view->name),
                                QMessageBox::Yes | QMessageBox::Cancel, m_window);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setDefaultButton(QMessageBox::Cancel);
    connect(box->button(QMessageBox::Yes), &QPushButton::clicked, this, [this, v = *view] { m_list->remove(v); });
    box->open();
    return box;
}

} // namespace fairuse::ui
