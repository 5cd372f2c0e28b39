#pragma once

#include "auth/FirebaseAuthClient.h"
#include "auth/OAuthLoopbackFlow.h"

#include <QDialog>

#include <memory>
#include <optional>

class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;

namespace fairuse::ui {

/**
 * Signs a reviewer in to Firebase Authentication: e-mail and password, and/or the team's identity provider (Google
 * or an OIDC provider of Identity Platform) through the system browser (OAuthLoopbackFlow, PKCE on a loopback
 * redirect). Accepted only with tokens whose verified e-mail and role claim make a reviewer
 * (services::AuthSession::identityOf); otherwise it stays open and says why (wrong password, unverified e-mail,
 * not a reviewer, provider down). While a sign-in runs the dialog shows its progress and Cancel stops it.
 */
class SignInDialog : public QDialog {
    Q_OBJECT
public:
    struct Options {
        /** Shown in the title line: the project being signed in to. */
        QString projectLabel;
        /** E-mail and password sign-in offered. */
        bool password = true;
        /** The identity provider offered, if any. */
        std::optional<services::OAuthLoopbackConfig> provider;
        /** Why sign-in is asked for (e.g. the stored sign-in expired); empty for a first sign-in. */
        QString reason;
        /** E-mail filled in (the last account used); never a password. */
        QString email;
    };

    SignInDialog(std::shared_ptr<services::FirebaseAuthClient> client, Options options, QWidget* parent = nullptr);
    ~SignInDialog() override;

    /** The tokens of the accepted sign-in. */
    const services::AuthTokens& tokens() const { return m_tokens; }
    bool isBusy() const { return m_busy; }

    // For tests, which drive the dialog as a user would.
    QLineEdit* emailField() const { return m_email; }
    QLineEdit* passwordField() const { return m_password; }
    QPushButton* signInButton() const { return m_signIn; }
    QPushButton* providerButton() const { return m_provider; }
    QString errorText() const;

Q_SIGNALS:
    /** The identity provider's page to open in the system browser (the app connects QDesktopServices::openUrl). */
    void openBrowser(const QUrl& url);
    /** A sign-in attempt ended, accepted or not (for tests). */
    void attemptFinished(bool accepted);

private:
    void signInWithPassword();
    void signInWithProvider();
    void finish(const Result<services::AuthTokens>& tokens);
    void setBusy(bool busy, const QString& what = {});
    void showError(const QString& message);
    void reject() override;

    std::shared_ptr<services::FirebaseAuthClient> m_client;
    Options m_options;
    services::AuthTokens m_tokens;
    std::unique_ptr<services::OAuthLoopbackFlow> m_flow;
    bool m_busy = false;
    int m_attempt = 0; ///< answers of an attempt that was cancelled are dropped

    QLineEdit* m_email = nullptr;
    QLineEdit* m_password = nullptr;
    QPushButton* m_signIn = nullptr;
    QPushButton* m_provider = nullptr;
    QLabel* m_status = nullptr;
    QLabel* m_error = nullptr;
    QProgressBar* m_progress = nullptr;
    QDialogButtonBox* m_buttons = nullptr;
};

/** "Google" for google.com, else the provider id ("oidc.acme"). */
QString providerLabel(const QString& providerId);

} // namespace fairuse::ui
