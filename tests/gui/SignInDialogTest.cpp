// The sign-in dialog against the real Firebase Auth emulator, driven as a user would: it accepts only a verified
// reviewer, stays open with a clear reason for a wrong password, an unverified e-mail, an account without a role
// and a provider that cannot be reached, and never keeps the password in its field after an attempt.
#include "SignInDialog.h"
#include "AuthEmulator.h"
#include "RequireBackend.h"

#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>

using namespace fairuse;
using namespace fairuse::services;
using fairuse::testing::AuthEmulator;

class SignInDialogTest : public QObject {
    Q_OBJECT

private:
    AuthEmulator m_auth;
    QString m_password = QStringLiteral("dialog-pw-1");

    /** Types the e-mail and password, clicks Sign in, waits for the attempt to end; true when accepted. */
    bool attempt(ui::SignInDialog& dialog, const QString& email, const QString& password) {
        dialog.emailField()->setText(email);
        dialog.passwordField()->setText(password);
        QSignalSpy finished(&dialog, &ui::SignInDialog::attemptFinished);
        QTest::mouseClick(dialog.signInButton(), Qt::LeftButton);
        if (!finished.wait(60000)) {
            qWarning("no answer within 60 s");
            return false;
        }
        return finished.first().at(0).toBool();
    }

    std::unique_ptr<ui::SignInDialog> dialogFor(FirebaseAuthConfig config) {
        ui::SignInDialog::Options options;
        options.projectLabel = config.projectId;
        auto dialog = std::make_unique<ui::SignInDialog>(std::make_shared<FirebaseAuthClient>(config), options);
        dialog->show();
        return dialog;
    }

    /** An account with a password; verified or not, with a role claim or none. */
    QString account(const QString& name, bool verified, const QString& role) {
        const QString email = AuthEmulator::uniqueEmail(name);
        const auto uid = m_auth.createPasswordUser(email, m_password);
        if (!uid) {
            qWarning("%s", qPrintable(uid.error().message));
            return {};
        }
        std::optional<QJsonObject> claims;
        if (!role.isEmpty()) {
            claims = QJsonObject{{QStringLiteral("role"), role}};
        }
        if (Status st = m_auth.updateUser(*uid, verified, claims); !st) {
            qWarning("%s", qPrintable(st.error().message));
        }
        return email;
    }

private Q_SLOTS:
    void initTestCase() { REQUIRE_AUTH_EMULATOR(); }

    void aVerifiedReviewerIsAccepted() {
        const QString email = account(QStringLiteral("dlg-senior"), true, QStringLiteral("senior_reviewer"));
        auto dialog = dialogFor(m_auth.config());
        QVERIFY(attempt(*dialog, email, m_password));
        QCOMPARE(dialog->result(), int(QDialog::Accepted));
        QCOMPARE(dialog->tokens().claims.email, email);
        QCOMPARE(dialog->tokens().claims.role, QStringLiteral("senior_reviewer"));
        QVERIFY(!dialog->tokens().refreshToken.isEmpty());
        QVERIFY(dialog->passwordField()->text().isEmpty());
    }

    void refusalsStayOpenWithTheReason_data() {
        QTest::addColumn<QString>("name");
        QTest::addColumn<bool>("verified");
        QTest::addColumn<QString>("role");
        QTest::addColumn<bool>("wrongPassword");
        QTest::addColumn<QString>("reason");
        QTest::newRow("wrong password") << QStringLiteral("dlg-wrong") << true << QStringLiteral("reviewer") << true
                                        << QStringLiteral("wrong e-mail or password");
        QTest::newRow("unverified e-mail") << QStringLiteral("dlg-unverified") << false << QStringLiteral("reviewer")
                                           << false << QStringLiteral("is not verified");
        QTest::newRow("no role") << QStringLiteral("dlg-norole") << true << QStringLiteral("") << false
                                 << QStringLiteral("is not a reviewer");
        QTest::newRow("unknown role") << QStringLiteral("dlg-unknown") << true << QStringLiteral("superuser") << false
                                      << QStringLiteral("is not a reviewer");
    }

    void refusalsStayOpenWithTheReason() {
        QFETCH(QString, name);
        QFETCH(bool, verified);
        QFETCH(QString, role);
        QFETCH(bool, wrongPassword);
        QFETCH(QString, reason);
        const QString email = account(name, verified, role);
        auto dialog = dialogFor(m_auth.config());
        QVERIFY(!attempt(*dialog, email, wrongPassword ? QStringLiteral("not-the-password") : m_password));
        QVERIFY(dialog->isVisible());
        QVERIFY2(dialog->errorText().contains(reason), qPrintable(dialog->errorText()));
        QVERIFY(dialog->passwordField()->text().isEmpty());
        QVERIFY(dialog->signInButton()->isEnabled());
        QVERIFY(dialog->tokens().idToken.isEmpty());
    }

    void anUnreachableProviderIsNamed() {
        FirebaseAuthConfig config = m_auth.config();
        config.emulatorHost = QStringLiteral("127.0.0.1:%1").arg(testing::backends::closedPort());
        auto dialog = dialogFor(config);
        QVERIFY(!attempt(*dialog, QStringLiteral("someone@example.com"), m_password));
        QVERIFY2(dialog->errorText().contains(QStringLiteral("could not be reached")), qPrintable(dialog->errorText()));
    }

    void emptyFieldsAskForThem() {
        auto dialog = dialogFor(m_auth.config());
        QTest::mouseClick(dialog->signInButton(), Qt::LeftButton);
        QVERIFY(!dialog->isBusy());
        QVERIFY2(dialog->errorText().contains(QStringLiteral("Enter your e-mail")), qPrintable(dialog->errorText()));
    }

    void theIdentityProviderIsOfferedWhenConfigured() {
        ui::SignInDialog::Options options;
        options.provider = OAuthLoopbackConfig::google(QStringLiteral("client-id.apps.googleusercontent.com"));
        options.password = false;
        ui::SignInDialog dialog(std::make_shared<FirebaseAuthClient>(m_auth.config()), options);
        QVERIFY(dialog.providerButton());
        QCOMPARE(dialog.providerButton()->text(), QStringLiteral("Sign in with Google…"));
        QVERIFY(!dialog.emailField());
        ui::SignInDialog none(std::make_shared<FirebaseAuthClient>(m_auth.config()), ui::SignInDialog::Options{});
        QVERIFY(!none.providerButton());
        QVERIFY(none.emailField());
    }
};

QTEST_MAIN(SignInDialogTest)
#include "SignInDialogTest.moc"
