// fairuse-console: the reviewer console. Parses the command line, installs logging, builds the Backend from a
// connection profile (the composition root, Composition.cpp) and shows the main window.

#include "AppealsInboxView.h"
#include "Composition.h"
#include "ConnectionProfile.h"
#include "DashboardView.h"
#include "EvidenceModel.h"
#include "FutureWatch.h"
#include "MainWindow.h"
#include "ManualReviewInbox.h"
#include "ManualReviewView.h"
#include "PolicyFile.h"
#include "ProfileDialog.h"
#include "QueueModel.h"
#include "QueueView.h"
#include "SignInDialog.h"
#include "SimulationRunner.h"
#include "SimulatorDialog.h"
#include "UserView.h"
#include "auth/AuthSession.h"
#include "logging/Logging.h"
#include "secrets/KeychainSecretStore.h"
#include "secrets/SessionSecretStore.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDesktopServices>
#include <QDir>
#include <QFileInfo>
#include <QInputDialog>
#include <QLineEdit>
#include <QMessageBox>
#include <QProcess>
#include <QProgressDialog>
#include <QPushButton>
#include <QRegularExpression>
#include <QSettings>
#include <QTableView>
#include <QTextStream>
#include <QTimer>

#include <memory>

using namespace fairuse;

namespace {

/** Waits for the first page and the first user view, then grabs the window, saves it and quits. */
void armScreenshot(ui::MainWindow* window, const QString& file) {
    auto grab = [window, file] {
        const QPixmap pixmap = window->grab();
        const bool saved = pixmap.save(file);
        QTextStream(stderr) << (saved ? "screenshot saved: " : "screenshot FAILED: ") << file << Qt::endl;
        QCoreApplication::exit(saved ? 0 : 1);
    };
    auto shot = std::make_shared<bool>(false);
    auto later = [window, grab, shot] {
        if (!*shot) {
            *shot = true;
            // The user view loads its own data (state, cases, charts) asynchronously: give it a moment.
            QTimer::singleShot(2500, window, grab);
        }
    };
    QObject::connect(window, &ui::MainWindow::userShown, window, later);
    QObject::connect(window->queueView()->model(), &models::QueueModel::loadingFinished, window, later);
    QObject::connect(window->queueView()->model(), &models::QueueModel::loadFailed, window, later);
    // Never hang a script: grab whatever is there after 60 s.
    QTimer::singleShot(60000, window, grab);
}

/** Shows the team dashboard, waits until its figures are in, then grabs the window, saves it and quits. */
void armDashboardScreenshot(ui::MainWindow* window, const QString& file) {
    auto grab = [window, file] {
        const QPixmap pixmap = window->grab();
        const bool saved = pixmap.save(file);
        QTextStream(stderr) << (saved ? "screenshot saved: " : "screenshot FAILED: ") << file << Qt::endl;
        QCoreApplication::exit(saved ? 0 : 1);
    };
    // The queue opens its first user when it has loaded, which replaces the page on the right: go back to the
    // dashboard then, and once more right before the picture.
    QObject::connect(window, &ui::MainWindow::userShown, window, [window] { window->showDashboard(); });
    QObject::connect(window->dashboardView(), &ui::DashboardView::refreshed, window, [window, grab] {
        QTimer::singleShot(2500, window, [window, grab] {
            window->showDashboard();
            grab();
        });
    });
    QTimer::singleShot(0, window, [window] { window->showDashboard(); });
    QTimer::singleShot(60000, window, grab);
}

/**
 * Screenshot of the policy simulator: opens it once the window is up, runs the console's policy against a looser
 * copy (daily caps 4 h basic and 6 h unlimited, score threshold 0.85), grabs the dialog with its results and quits.
 */
void armSimulatorScreenshot(ui::MainWindow* window, const QString& file) {
    QTimer::singleShot(500, window, [window, file] {
        window->showSimulator();
        auto* dialog = window->findChild<ui::SimulatorDialog*>();
        if (dialog == nullptr) {
            QTextStream(stderr) << "screenshot FAILED: no simulator dialog" << Qt::endl;
            QCoreApplication::exit(1);
            return;
        }
        dialog->resize(980, 1000);
        enforcement::Policy edited = dialog->editedPolicy();
        edited.basicCaps.dailyMs = 4 * 3'600'000;
        edited.unlimitedCaps.dailyMs = 6 * 3'600'000;
        edited.scoreThreshold = 0.85;
        dialog->setEditedPolicy(edited);
        QObject::connect(dialog->runner(), &models::SimulationRunner::finished, dialog, [dialog, file] {
            QTimer::singleShot(800, dialog, [dialog, file] {
                const bool saved = dialog->grab().save(file);
                QTextStream(stderr) << (saved ? "screenshot saved: " : "screenshot FAILED: ") << file << Qt::endl;
                QCoreApplication::exit(saved ? 0 : 1);
            });
        });
        dialog->run();
    });
    QTimer::singleShot(180000, window, [] {
        QTextStream(stderr) << "screenshot FAILED: the simulation did not finish" << Qt::endl;
        QCoreApplication::exit(1);
    });
}

/** The case page of the queue's first user, with the first piece of evidence selected so its conversation shows in
 *  full beside it; grabbed once the page has loaded. */
void armCasePageScreenshot(ui::MainWindow* window, const QString& file) {
    auto grab = [window, file] {
        const bool saved = window->grab().save(file);
        QTextStream(stderr) << (saved ? "screenshot saved: " : "screenshot FAILED: ") << file << Qt::endl;
        QCoreApplication::exit(saved ? 0 : 1);
    };
    auto done = std::make_shared<bool>(false);
    QObject::connect(window->userView(), &ui::UserView::loaded, window, [window, grab, done] {
        if (*done) {
            return;
        }
        *done = true;
        ui::UserView* view = window->userView();
        if (view->evidenceModel()->rowCount() > 0) {
            view->evidenceView()->setCurrentIndex(view->evidenceModel()->index(0, 0));
        }
        QTimer::singleShot(1500, window, grab);
    });
    QTimer::singleShot(60000, window, grab);
}

/** Once the queue has loaded, shows View > Appeals inbox, and grabs the window when the inbox has its rows. */
void armAppealsScreenshot(ui::MainWindow* window, const QString& file) {
    auto grab = [window, file] {
        const bool saved = window->grab().save(file);
        QTextStream(stderr) << (saved ? "screenshot saved: " : "screenshot FAILED: ") << file << Qt::endl;
        QCoreApplication::exit(saved ? 0 : 1);
    };
    auto shown = std::make_shared<bool>(false);
    auto open = [window, grab, shown] {
        if (*shown) {
            return;
        }
        *shown = true;
        window->showAppealsInbox();
        QObject::connect(window->appealsInbox(), &ui::AppealsInboxView::refreshed, window,
                         [window, grab] { QTimer::singleShot(1000, window, grab); });
    };
    QObject::connect(window->queueView()->model(), &models::QueueModel::loadingFinished, window, open);
    QObject::connect(window->queueView()->model(), &models::QueueModel::loadFailed, window, open);
    QTimer::singleShot(60000, window, grab);
}

/** Once the queue has loaded, shows View > Manual review inbox, and grabs the window when the inbox has its rows. */
void armManualReviewScreenshot(ui::MainWindow* window, const QString& file) {
    auto grab = [window, file] {
        const bool saved = window->grab().save(file);
        QTextStream(stderr) << (saved ? "screenshot saved: " : "screenshot FAILED: ") << file << Qt::endl;
        QCoreApplication::exit(saved ? 0 : 1);
    };
    auto shown = std::make_shared<bool>(false);
    auto open = [window, grab, shown] {
        if (*shown) {
            return;
        }
        *shown = true;
        QObject::connect(window->manualReviewView()->inbox(), &models::ManualReviewInbox::loaded, window,
                         [window, grab] { QTimer::singleShot(1000, window, grab); });
        window->showManualReview();
    };
    QObject::connect(window->queueView()->model(), &models::QueueModel::loadingFinished, window, open);
    QObject::connect(window->queueView()->model(), &models::QueueModel::loadFailed, window, open);
    QTimer::singleShot(60000, window, grab);
}

/**
 * Screenshot mode with a sign-in: grabs the sign-in dialog next to the main window's picture (FILE-sign-in.png),
 * then signs in with the throw-away emulator account named by FAIRUSE_SCREENSHOT_EMAIL and
 * FAIRUSE_SCREENSHOT_PASSWORD (scripts/screenshot --sign-in creates it), so the main window's picture shows the
 * status bar after sign-in. Without those variables the dialog waits for a person.
 */
void armSignInScreenshot(ui::SignInDialog* dialog, const QString& file) {
    QTimer::singleShot(800, dialog, [dialog, file] {
        const QString email = qEnvironmentVariable("FAIRUSE_SCREENSHOT_EMAIL");
        if (dialog->emailField()) {
            dialog->emailField()->setText(email);
        }
        QString signInFile = file;
        signInFile.replace(QRegularExpression(QStringLiteral("\\.png$")), QString());
        signInFile += QStringLiteral("-sign-in.png");
        const bool saved = dialog->grab().save(signInFile);
        QTextStream(stderr) << (saved ? "screenshot saved: " : "screenshot FAILED: ") << signInFile << Qt::endl;
        const QString password = qEnvironmentVariable("FAIRUSE_SCREENSHOT_PASSWORD");
        if (dialog->passwordField() && !email.isEmpty() && !password.isEmpty()) {
            QObject::connect(dialog, &ui::SignInDialog::attemptFinished, dialog, [dialog](bool accepted) {
                if (!accepted) {
                    QTextStream(stderr) << "screenshot: sign-in refused: " << dialog->errorText() << Qt::endl;
                    QCoreApplication::exit(1);
                }
            });
            dialog->passwordField()->setText(password);
            dialog->signInButton()->click();
        }
    });
}

std::optional<QString> askSecretDialog(models::ProfileSecret secret, const QString& profile, bool session) {
    bool ok = false;
    const QString prompt =
        session ? QApplication::translate("main", "No keychain is reachable, so the %1 of profile %2 is kept in "
                                                  "memory for this session only.\n%1:")
                      .arg(models::secretLabel(secret), profile)
                : QApplication::translate("main", "%1 of profile %2 (stored in the system keychain):")
                      .arg(models::secretLabel(secret), profile);
    const QString value = QInputDialog::getText(nullptr, QApplication::translate("main", "Connect"), prompt,
                                                QLineEdit::Password, QString(), &ok);
    return ok ? std::optional<QString>(value) : std::nullopt;
}

} // namespace

int main(int argc, char* argv[]) {
    QCoreApplication::setOrganizationName(QStringLiteral("fairuse"));
    QCoreApplication::setApplicationName(QStringLiteral("fairuse-console"));
    QCoreApplication::setApplicationVersion(QStringLiteral(FAIRUSE_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(QApplication::translate("main", "Fair-use reviewer console"));
    const QCommandLineOption helpOpt = parser.addHelpOption();
    const QCommandLineOption versionOpt = parser.addVersionOption();
    const QCommandLineOption profileOpt(
        QStringLiteral("profile"),
        QApplication::translate("main", "Connection profile: demo (default), emulator, production or a saved name."),
        QStringLiteral("NAME"));
    const QCommandLineOption dbOpt(QStringLiteral("db"),
                                   QApplication::translate("main", "Embedded store file of the demo profile."),
                                   QStringLiteral("PATH"));
    const QCommandLineOption nowOpt(
        QStringLiteral("now"), QApplication::translate("main", "Pin the clock (RFC 3339, e.g. 2026-03-20T10:00:00Z)."),
        QStringLiteral("RFC3339"));
    QCommandLineOption screenshotOpt(QStringLiteral("screenshot"), QString(), QStringLiteral("FILE"));
    screenshotOpt.setFlags(QCommandLineOption::HiddenFromHelp);
    // With --screenshot: "dashboard" takes the team dashboard instead of the queue and a user, "simulator" the policy
    // simulator after a run, "appeals" the appeals inbox, "manual-review" the manual-review inbox.
    QCommandLineOption screenshotPageOpt(QStringLiteral("screenshot-page"), QString(), QStringLiteral("PAGE"));
    screenshotPageOpt.setFlags(QCommandLineOption::HiddenFromHelp);
    parser.addOptions({profileOpt, dbOpt, nowOpt, screenshotOpt, screenshotPageOpt});

    // --help and --version answer before QApplication, which needs a display. Qt's own options (-platform, -style)
    // are unknown here: errors are reported by process() below, once QApplication has taken those out.
    QStringList arguments;
    for (int i = 0; i < argc; ++i) {
        arguments << QString::fromLocal8Bit(argv[i]);
    }
    (void)parser.parse(arguments);
    if (parser.isSet(helpOpt)) {
        // Without an application object the parser cannot name the executable.
        QTextStream(stdout) << parser.helpText().replace(QStringLiteral("<executable_name>"),
                                                         QCoreApplication::applicationName());
        return 0;
    }
    if (parser.isSet(versionOpt)) {
        QTextStream(stdout) << QCoreApplication::applicationName() << ' ' << QCoreApplication::applicationVersion()
                            << Qt::endl;
        return 0;
    }

    QApplication app(argc, argv);
    QApplication::setApplicationDisplayName(QApplication::translate("main", "Fair-use console"));
    QGuiApplication::setDesktopFileName(QStringLiteral("io.github.fairuse.Console"));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/fairuse.svg")));
    parser.process(app);

    const Status logging = services::installLogging(services::defaultLogDir(), true);
    if (!logging.ok()) {
        QTextStream(stderr) << "fairuse-console: logging to stderr only: " << logging.error().message << Qt::endl;
    }

    std::optional<TimePoint> pinnedNow;
    if (parser.isSet(nowOpt)) {
        Result<TimePoint> t = parseRfc3339(parser.value(nowOpt));
        if (!t.ok()) {
            QTextStream(stderr) << "fairuse-console: --now: " << t.error().message << Qt::endl;
            return 2;
        }
        pinnedNow = *t;
    }

    models::ProfileSettings settings;
    const QString profileName = parser.isSet(profileOpt) ? parser.value(profileOpt) : QStringLiteral("demo");
    models::ConnectionProfile profile = settings.profile(profileName);
    if (parser.isSet(dbOpt)) {
        profile.dbPath = QFileInfo(parser.value(dbOpt)).absoluteFilePath();
    }

    // Secrets: the OS keychain; when it is not reachable, ask for each secret and keep it for this session only.
    std::shared_ptr<services::SecretStore> secrets;
    bool sessionSecrets = false;
    if (profile.kind == models::ProfileKind::Demo) {
        secrets = std::make_shared<services::SessionSecretStore>(); // the demo needs none
    } else {
        secrets = std::make_shared<services::KeychainSecretStore>();
    }
    auto composer = std::make_unique<console::Composer>(
        profile, secrets, [&sessionSecrets, name = profile.name](models::ProfileSecret s) {
            return askSecretDialog(s, name, sessionSecrets);
        });
    composer->setPinnedNow(pinnedNow);
    composer->setClientVersion(QString(QStringLiteral("fairuse-console/") + QStringLiteral(FAIRUSE_VERSION)));

    QProgressDialog progress(QApplication::translate("main", "Connecting…"), QString(), 0, 0);
    progress.setWindowTitle(QApplication::translate("main", "Fair-use console"));
    progress.setMinimumDuration(300);
    progress.setCancelButton(nullptr);
    progress.setValue(0);

    std::unique_ptr<console::Connection> connection;
    std::unique_ptr<ui::MainWindow> window;
    QObject::connect(composer.get(), &console::Composer::progress, &progress, [&progress](const QString& text) {
        progress.setLabelText(text);
        qCInfo(lcApp) << text;
    });
    QObject::connect(composer.get(), &console::Composer::failed, &app, [&progress](const QString& message) {
        progress.reset();
        qCCritical(lcApp) << "start-up failed:" << message;
        QMessageBox::critical(nullptr, QApplication::translate("main", "Cannot connect"), message);
        QCoreApplication::exit(1);
    });
    QObject::connect(composer.get(), &console::Composer::signInRequired, &app,
                     [&progress, composerPtr = composer.get(),
                      screenshotFile = parser.isSet(screenshotOpt)
                                           ? QFileInfo(parser.value(screenshotOpt)).absoluteFilePath()
                                           : QString()](const console::SignInRequest& request) {
                         progress.hide();
                         ui::SignInDialog::Options options;
                         options.projectLabel = request.project;
                         options.password = request.password;
                         options.provider = request.provider;
                         options.reason = request.reason;
                         ui::SignInDialog dialog(request.client, options);
                         QObject::connect(&dialog, &ui::SignInDialog::openBrowser, &dialog,
                                          [](const QUrl& url) { QDesktopServices::openUrl(url); });
                         if (!screenshotFile.isEmpty()) {
                             armSignInScreenshot(&dialog, screenshotFile);
                         }
                         if (dialog.exec() == QDialog::Accepted) {
                             progress.show();
                             composerPtr->continueSignIn(dialog.tokens());
                         } else {
                             composerPtr->cancelSignIn();
                         }
                     });
    QObject::connect(composer.get(), &console::Composer::ready, &app, [&] {
        progress.reset();
        connection = composer->take();
        // The policy an admin adopted in the simulator; without a file, the requested policy.
        if (Result<enforcement::Policy> policy = models::PolicyFile().load(); policy.ok()) {
            connection->backend.policy = *policy;
        } else {
            qCWarning(lcApp) << "deciding with the requested policy:" << policy.error().message;
        }
        window = std::make_unique<ui::MainWindow>(connection->backend);
        QObject::connect(window.get(), &ui::MainWindow::profilesRequested, window.get(), [&] {
            ui::ProfileDialog dialog(settings, secrets, profile.name, window.get());
            if (dialog.exec() != QDialog::Accepted || dialog.selectedProfile().isEmpty()) {
                return;
            }
            // Reconnecting means a new Backend for every view: start a fresh console on the chosen profile.
            settings.setLastProfile(dialog.selectedProfile());
            if (QProcess::startDetached(QCoreApplication::applicationFilePath(),
                                        {QStringLiteral("--profile"), dialog.selectedProfile()})) {
                window->close();
            }
        });
        QObject::connect(window.get(), &ui::MainWindow::signOutRequested, window.get(), [&] {
            if (!connection->session) {
                return;
            }
            // Forget the refresh token, then start a fresh console on the same profile, which asks for a sign-in.
            models::whenFinished(window.get(), connection->session->signOut(), [&](const Result<bool>& removed) {
                if (!removed.ok()) {
                    QMessageBox::warning(window.get(), QApplication::translate("main", "Sign out"),
                                         QApplication::translate("main", "Signed out, but the sign-in kept in the "
                                                                         "system keychain could not be removed: %1")
                                             .arg(removed.error().message));
                }
                if (QProcess::startDetached(QCoreApplication::applicationFilePath(),
                                            {QStringLiteral("--profile"), profile.name})) {
                    window->close();
                }
            });
        });
        if (parser.isSet(screenshotOpt)) {
            const QString file = QFileInfo(parser.value(screenshotOpt)).absoluteFilePath();
            if (parser.value(screenshotPageOpt) == QStringLiteral("dashboard")) {
                armDashboardScreenshot(window.get(), file);
            } else if (parser.value(screenshotPageOpt) == QStringLiteral("simulator")) {
                armSimulatorScreenshot(window.get(), file);
            } else if (parser.value(screenshotPageOpt) == QLatin1String("appeals")) {
                armAppealsScreenshot(window.get(), file);
            } else if (parser.value(screenshotPageOpt) == QLatin1String("case-page")) {
                armCasePageScreenshot(window.get(), file);
            } else if (parser.value(screenshotPageOpt) == QLatin1String("manual-review")) {
                armManualReviewScreenshot(window.get(), file);
            } else {
                armScreenshot(window.get(), file);
            }
        }
        if (!parser.isSet(screenshotOpt)) {
            // The reviewer's window and splitters as they left them (screenshots keep the defaults).
            QSettings layout(QSettings::NativeFormat, QSettings::UserScope, QStringLiteral("fairuse"),
                             QStringLiteral("fairuse-console-layout"));
            window->restoreLayout(layout);
            QObject::connect(&app, &QCoreApplication::aboutToQuit, window.get(), [&window] {
                QSettings layout(QSettings::NativeFormat, QSettings::UserScope, QStringLiteral("fairuse"),
                                 QStringLiteral("fairuse-console-layout"));
                window->saveLayout(layout);
            });
        }
        window->show();
        settings.setLastProfile(profile.name);
    });

    // Probe the keychain once; without one, secrets are asked for and kept in memory for the session.
    if (profile.kind != models::ProfileKind::Demo) {
        models::whenFinished(
            &app, secrets->read(QStringLiteral("probe")), [&, composerPtr = composer.get()](const Result<QString>& r) {
                if (!r.ok() && r.error().kind == ErrorKind::Unavailable) {
                    qCWarning(lcApp) << "no keychain reachable; secrets are kept for this session only";
                    sessionSecrets = true;
                    secrets = std::make_shared<services::SessionSecretStore>();
                    composerPtr->setSecretStore(secrets);
                }
                composer->start();
            });
    } else {
        composer->start();
    }
    const int rc = QApplication::exec();
    window.reset();
    connection.reset();
    services::flushLogging();
    return rc;
}
