#include "ConflictDialog.h"

#include <QDialogButtonBox>
#include <QGridLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>

namespace fairuse::ui {

ConflictDialog::ConflictDialog(const QString& summary, const QString& yours, const QString& stored, QWidget* parent)
    : QDialog(parent)
    , m_yours(new QPlainTextEdit(this))
    , m_stored(new QPlainTextEdit(this)) {
    setWindowTitle(tr("Changed by someone else"));
    setObjectName(QStringLiteral("conflictDialog"));
    auto* layout = new QGridLayout(this);
    auto* text = new QLabel(summary, this);
    text->setWordWrap(true);
    layout->addWidget(text, 0, 0, 1, 2);
    layout->addWidget(new QLabel(tr("What you wanted"), this), 1, 0);
    layout->addWidget(new QLabel(tr("Stored now"), this), 1, 1);
    for (QPlainTextEdit* edit : {m_yours, m_stored}) {
        edit->setReadOnly(true);
        edit->setMinimumWidth(320);
    }
    m_yours->setAccessibleName(tr("Your version"));
    m_yours->setObjectName(QStringLiteral("yours"));
    m_stored->setAccessibleName(tr("Stored version"));
    m_stored->setObjectName(QStringLiteral("stored"));
    m_yours->setPlainText(yours);
    m_stored->setPlainText(stored);
    layout->addWidget(m_yours, 2, 0);
    layout->addWidget(m_stored, 2, 1);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    QPushButton* reload = buttons->addButton(tr("Reload and redo"), QDialogButtonBox::AcceptRole);
    reload->setObjectName(QStringLiteral("reloadButton"));
    connect(reload, &QPushButton::clicked, this, [this] {
        Q_EMIT reloadRequested();
        accept();
    });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons, 3, 0, 1, 2);
}

QString ConflictDialog::yoursText() const {
    return m_yours->toPlainText();
}

QString ConflictDialog::storedText() const {
    return m_stored->toPlainText();
}

} // namespace fairuse::ui
