#include "SignInDialog.h"

#include "FutureWatch.h"
#include "auth/AuthSession.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QVBoxLayout>

namespace fairuse::ui {

QString providerLabel(const QString& providerId) {
    if (providerId == QLatin1String("google.com")) {
        return QStringLiteral("Google");
    }
    return providerId;
}

SignInDialog::SignInDialog(std::shared_ptr<services::FirebaseAuthClient> client, Options options, QWidget* parent)
    : QDialog(parent)
    , m_client(std::move(client))
    , m_options(std::move(options)) {
    setWindowTitle(tr("Sign in — Fair-use console"));
    auto* layout = new QVBoxLayout(this);
    auto* title = new QLabel(
        m_options.projectLabel.isEmpty()
            ? tr("Sign in with your reviewer account.")
            : tr("Sign in to <b>%1</b> with your reviewer account.").arg(m_options.projectLabel.toHtmlEscaped()),
        this);
    title->setWordWrap(true);
    layout->addWidget(title);
    if (!m_options.reason.isEmpty()) {
        auto* reason = new QLabel(m_options.reason, this);
        reason->setWordWrap(true);
        layout->addWidget(reason);
    }

    if (m_options.provider) {
        m_provider = new QPushButton(tr("Sign in with %1…").arg(providerLabel(m_options.provider->providerId)), this);
        m_provider->setToolTip(
            tr("Opens the sign-in page of %1 in your web browser.").arg(providerLabel(m_options.provider->providerId)));
        layout->addWidget(m_provider);
        connect(m_provider, &QPushButton::clicked, this, &SignInDialog::signInWithProvider);
    }
    if (m_options.password) {
        auto* form = new QFormLayout;
        m_email = new QLineEdit(m_options.email, this);
        m_email->setPlaceholderText(tr("name@example.com"));
        m_email->setAccessibleName(tr("E-mail"));
        m_password = new QLineEdit(this);
        m_password->setEchoMode(QLineEdit::Password);
        m_password->setAccessibleName(tr("Password"));
        form->addRow(tr("&E-mail:"), m_email);
        form->addRow(tr("&Password:"), m_password);
        layout->addLayout(form);
        m_signIn = new QPushButton(tr("&Sign in"), this);
        m_signIn->setDefault(true);
        connect(m_signIn, &QPushButton::clicked, this, &SignInDialog::signInWithPassword);
        connect(m_password, &QLineEdit::returnPressed, this, &SignInDialog::signInWithPassword);
    }

    m_progress = new QProgressBar(this);
    m_progress->setRange(0, 0);
    m_progress->setTextVisible(false);
    m_progress->hide();
    m_status = new QLabel(this);
    m_status->setWordWrap(true);
    m_error = new QLabel(this);
    m_error->setWordWrap(true);
    m_error->setStyleSheet(QStringLiteral("color: #b00020;"));
    m_error->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_error->hide();
    layout->addWidget(m_progress);
    layout->addWidget(m_status);
    layout->addWidget(m_error);

    m_buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    if (m_signIn) {
        m_buttons->addButton(m_signIn, QDialogButtonBox::ActionRole);
    }
    connect(m_buttons, &QDialogButtonBox::rejected, this, &SignInDialog::reject);
    layout->addWidget(m_buttons);
    if (m_email && m_email->text().isEmpty()) {
        m_email->setFocus();
    } else if (m_password) {
        m_password->setFocus();
    }
    setMinimumWidth(420);
}

SignInDialog::~SignInDialog() = default;

QString SignInDialog::errorText() const {
    return m_error->isVisible() || !m_error->text().isEmpty() ? m_error->text() : QString();
}

void SignInDialog::setBusy(bool busy, const QString& what) {
    m_busy = busy;
    m_progress->setVisible(busy);
    m_status->setText(what);
    for (QWidget* w : std::initializer_list<QWidget*>{m_email, m_password, m_signIn, m_provider}) {
        if (w) {
            w->setEnabled(!busy);
        }
    }
    if (busy) {
        m_error->clear();
        m_error->hide();
    }
}

void SignInDialog::showError(const QString& message) {
    m_error->setText(message);
    m_error->show();
}

void SignInDialog::signInWithPassword() {
    if (m_busy || !m_email) {
        return;
    }
    const QString email = m_email->text().trimmed();
    if (email.isEmpty() || m_password->text().isEmpty()) {
        showError(tr("Enter your e-mail address and password."));
        return;
    }
    setBusy(true, tr("Signing in as %1…").arg(email));
    const int attempt = ++m_attempt;
    models::whenFinished(this, m_client->signInWithPassword(email, m_password->text()),
                         [this, attempt](const Result<services::AuthTokens>& tokens) {
                             if (attempt == m_attempt) {
                                 finish(tokens);
                             }
                         });
}

void SignInDialog::signInWithProvider() {
    if (m_busy || !m_options.provider) {
        return;
    }
    const QString label = providerLabel(m_options.provider->providerId);
    m_flow = std::make_unique<services::OAuthLoopbackFlow>(*m_options.provider);
    connect(m_flow.get(), &services::OAuthLoopbackFlow::openBrowser, this, &SignInDialog::openBrowser);
    setBusy(true, tr("Continue in your web browser: sign in with %1 there, then come back.").arg(label));
    const int attempt = ++m_attempt;
    models::whenFinished(this, m_flow->start(), [this, attempt, label](const Result<services::IdpCredential>& idp) {
        if (attempt != m_attempt) {
            return;
        }
        if (!idp.ok()) {
            finish(idp.error());
            return;
        }
        m_status->setText(tr("Signing in with %1…").arg(label));
        models::whenFinished(this, m_client->signInWithIdp(*idp),
                             [this, attempt](const Result<services::AuthTokens>& tokens) {
                                 if (attempt == m_attempt) {
                                     finish(tokens);
                                 }
                             });
    });
}

void SignInDialog::finish(const Result<services::AuthTokens>& tokens) {
    setBusy(false);
    if (m_password) {
        m_password->clear();
    }
    if (!tokens.ok()) {
        showError(tokens.error().kind == ErrorKind::Unavailable
                      ? tr("The sign-in provider could not be reached: %1").arg(tokens.error().message)
                      : tokens.error().message);
        Q_EMIT attemptFinished(false);
        return;
    }
    const auto who = services::AuthSession::identityOf(tokens->claims);
    if (!who.ok()) {
        showError(who.error().message);
        Q_EMIT attemptFinished(false);
        return;
    }
    m_tokens = *tokens;
    Q_EMIT attemptFinished(true);
    accept();
}

void SignInDialog::reject() {
    // Cancel stops a running sign-in first; a second Cancel closes the dialog.
    if (m_busy) {
        ++m_attempt;
        if (m_flow) {
            m_flow->cancel();
        }
        setBusy(false);
        showError(tr("Sign-in cancelled."));
        return;
    }
    QDialog::reject();
}

} // namespace fairuse::ui
