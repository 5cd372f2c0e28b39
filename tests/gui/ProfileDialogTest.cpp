// Connection profile dialog: a new emulator profile is saved to the settings file and its Redis password goes to
// the SecretStore only; invalid profiles (password in the URL, bad Redis URL, no Firestore project, bad emulator
// host, no Firebase API key) are refused with a message and change nothing.

#include "ProfileDialog.h"
#include "ConnectionProfile.h"
#include "common/Await.h"
#include "secrets/SessionSecretStore.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFile>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPromise>
#include <QPushButton>
#include <QSettings>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

using namespace fairuse;
using namespace fairuse::models;
using fairuse::ui::ProfileDialog;

namespace {

const QString kSecret = QStringLiteral("s3cr3t-redis-password-7f1c");

QLineEdit* field(QWidget* dialog, const QString& accessibleName) {
    for (QLineEdit* e : dialog->findChildren<QLineEdit*>()) {
        if (e->accessibleName() == accessibleName) {
            return e;
        }
    }
    return nullptr;
}

void setField(QWidget* dialog, const QString& accessibleName, const QString& text) {
    QLineEdit* e = field(dialog, accessibleName);
    QVERIFY2(e, qPrintable(accessibleName));
    QVERIFY2(e->isEnabled(), qPrintable(accessibleName));
    e->clear();
    QTest::keyClicks(e, text);
}

QPushButton* button(QWidget* dialog, QDialogButtonBox::StandardButton which) {
    return dialog->findChild<QDialogButtonBox*>()->button(which);
}

QPushButton* buttonNamed(QWidget* dialog, const QString& text) {
    for (QAbstractButton* b : dialog->findChild<QDialogButtonBox*>()->buttons()) {
        if (b->text() == text) {
            return qobject_cast<QPushButton*>(b);
        }
    }
    return nullptr;
}

QString status(QWidget* dialog) {
    return dialog->findChild<QLabel*>(QStringLiteral("statusLabel"))->text();
}

/** A SecretStore that answers writes only when told (a keychain behind a slow D-Bus service). */
class LateSecretStore final : public services::SecretStore {
public:
    services::Async<QString> read(const QString&) override {
        return answered(Result<QString>(Error::notFound(QStringLiteral("none"))));
    }
    services::Async<bool> write(const QString& key, const QString&) override {
        keys << key;
        auto promise = std::make_shared<QPromise<Result<bool>>>();
        promise->start();
        m_pending.append(promise);
        return promise->future();
    }
    services::Async<bool> remove(const QString&) override { return answered(Result<bool>(true)); }
    void answerAll(const Result<bool>& answer) {
        for (const auto& p : std::as_const(m_pending)) {
            p->addResult(answer);
            p->finish();
        }
        m_pending.clear();
    }
    QStringList keys;

private:
    template <typename T>
    static services::Async<T> answered(Result<T> r) {
        return services::ready(std::move(r));
    }
    QList<std::shared_ptr<QPromise<Result<bool>>>> m_pending;
};

QByteArray fileBytes(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

} // namespace

class ProfileDialogTest : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    QString m_ini;
    int m_run = 0;
    std::unique_ptr<QSettings> m_qsettings;
    std::unique_ptr<ProfileSettings> m_settings;
    std::shared_ptr<services::SessionSecretStore> m_secrets;

    /** Adds a profile through "New profile…", answering the name prompt. */
    static void addProfile(ProfileDialog& dialog, const QString& name) {
        bool answered = false;
        QTimer::singleShot(0, &dialog, [&answered, name] {
            auto* prompt = qobject_cast<QInputDialog*>(QApplication::activeModalWidget());
            if (prompt) {
                prompt->setTextValue(name);
                prompt->accept();
                answered = true;
            }
        });
        QTest::mouseClick(buttonNamed(&dialog, ProfileDialog::tr("&New profile…")), Qt::LeftButton);
        QVERIFY(answered);
        QCOMPARE(dialog.findChild<QListWidget*>()->currentItem()->text(), name);
    }

    /** Fills a valid emulator profile. */
    static void fillEmulator(ProfileDialog& dialog) {
        auto* kind = dialog.findChild<QComboBox*>();
        kind->setCurrentIndex(kind->findData(static_cast<int>(ProfileKind::Emulator)));
        setField(&dialog, QStringLiteral("Redis URL"), QStringLiteral("redis://127.0.0.1:6390/3"));
        setField(&dialog, QStringLiteral("Firestore project"), QStringLiteral("demo-dialog-test"));
        setField(&dialog, QStringLiteral("Firestore emulator host"), QStringLiteral("127.0.0.1:8099"));
        setField(&dialog, QStringLiteral("Firebase API key"), QStringLiteral("demo-api-key"));
    }

private Q_SLOTS:
    void init() {
        QVERIFY(m_dir.isValid());
        m_ini = m_dir.filePath(QStringLiteral("profiles-%1.ini").arg(++m_run));
        m_qsettings = std::make_unique<QSettings>(m_ini, QSettings::IniFormat);
        m_settings = std::make_unique<ProfileSettings>(m_qsettings.get());
        m_secrets = std::make_shared<services::SessionSecretStore>();
    }

    void cleanup() {
        m_settings.reset();
        m_qsettings.reset();
    }

    void newEmulatorProfileKeepsItsSecretOutOfTheSettings() {
        ProfileDialog dialog(*m_settings, m_secrets, QStringLiteral("demo"));
        dialog.show();
        addProfile(dialog, QStringLiteral("staging-emu"));
        fillEmulator(dialog);
        setField(&dialog, secretLabel(ProfileSecret::RedisPassword), kSecret);
        QTest::mouseClick(button(&dialog, QDialogButtonBox::Save), Qt::LeftButton);
        QCOMPARE(status(&dialog), ProfileDialog::tr("Saved."));
        QVERIFY(field(&dialog, secretLabel(ProfileSecret::RedisPassword))->text().isEmpty());

        // The secret is in the SecretStore under the profile's key...
        const QString key = secretKey(QStringLiteral("staging-emu"), ProfileSecret::RedisPassword);
        QVERIFY(QTest::qWaitFor([&] { return services::awaitResult(m_secrets->read(key)).ok(); }, 5000));
        QCOMPARE(services::awaitResult(m_secrets->read(key)).value(), kSecret);
        // ...and no other secret was written from empty fields.
        QVERIFY(!services::awaitResult(
                     m_secrets->read(secretKey(QStringLiteral("staging-emu"), ProfileSecret::OAuthClientSecret)))
                     .ok());

        // The profile is in the settings file, the secret is not.
        m_qsettings->sync();
        const QByteArray ini = fileBytes(m_ini);
        QVERIFY2(ini.contains("redis://127.0.0.1:6390/3"), ini.constData());
        QVERIFY2(ini.contains("demo-dialog-test"), ini.constData());
        QVERIFY2(!ini.contains(kSecret.toUtf8()), ini.constData());
        const ConnectionProfile saved = m_settings->profile(QStringLiteral("staging-emu"));
        QVERIFY(saved.kind == ProfileKind::Emulator);
        QCOMPARE(saved.firestoreEmulatorHost, QStringLiteral("127.0.0.1:8099"));
        QCOMPARE(saved.firebaseApiKey, QStringLiteral("demo-api-key"));
        QVERIFY(m_settings->names().contains(QStringLiteral("staging-emu")));

        // Reopening shows the fields, never the secret.
        ProfileDialog again(*m_settings, m_secrets, QStringLiteral("staging-emu"));
        QCOMPARE(field(&again, QStringLiteral("Redis URL"))->text(), QStringLiteral("redis://127.0.0.1:6390/3"));
        QVERIFY(field(&again, secretLabel(ProfileSecret::RedisPassword))->text().isEmpty());

        // Connect accepts with the profile selected.
        QTest::mouseClick(buttonNamed(&again, ProfileDialog::tr("&Connect")), Qt::LeftButton);
        QCOMPARE(again.result(), int(QDialog::Accepted));
        QCOMPARE(again.selectedProfile(), QStringLiteral("staging-emu"));
    }

    void invalidProfilesAreRefused_data() {
        QTest::addColumn<QString>("fieldName");
        QTest::addColumn<QString>("value");
        QTest::addColumn<QString>("message");
        QTest::newRow("password in URL") << QStringLiteral("Redis URL")
                                         << QStringLiteral("redis://:hunter2@127.0.0.1:6379/0")
                                         << QStringLiteral("not in the URL");
        QTest::newRow("not a redis URL") << QStringLiteral("Redis URL") << QStringLiteral("http://127.0.0.1:6379")
                                         << QStringLiteral("The Redis URL is not valid");
        QTest::newRow("empty redis URL") << QStringLiteral("Redis URL") << QString()
                                         << QStringLiteral("The Redis URL is not valid");
        QTest::newRow("empty project") << QStringLiteral("Firestore project") << QString()
                                       << QStringLiteral("Firestore project");
        QTest::newRow("emulator host without port")
            << QStringLiteral("Firestore emulator host") << QStringLiteral("localhost") << QStringLiteral("host:port");
        QTest::newRow("no Firebase API key")
            << QStringLiteral("Firebase API key") << QString() << QStringLiteral("Firebase Web API key");
    }

    void invalidProfilesAreRefused() {
        QFETCH(QString, fieldName);
        QFETCH(QString, value);
        QFETCH(QString, message);
        ProfileDialog dialog(*m_settings, m_secrets, QStringLiteral("demo"));
        dialog.show();
        addProfile(dialog, QStringLiteral("broken"));
        fillEmulator(dialog);
        setField(&dialog, fieldName, value);
        setField(&dialog, secretLabel(ProfileSecret::RedisPassword), kSecret);
        QTest::mouseClick(button(&dialog, QDialogButtonBox::Save), Qt::LeftButton);
        QVERIFY2(status(&dialog).contains(message), qPrintable(status(&dialog)));
        QVERIFY(!status(&dialog).contains(QStringLiteral("hunter2"))); // errors never echo a password

        // Nothing was stored: no profile, no secret; Connect is refused the same way.
        QVERIFY(!m_settings->names().contains(QStringLiteral("broken")));
        QTest::qWait(50);
        QVERIFY(
            !services::awaitResult(m_secrets->read(secretKey(QStringLiteral("broken"), ProfileSecret::RedisPassword)))
                 .ok());
        QTest::mouseClick(buttonNamed(&dialog, ProfileDialog::tr("&Connect")), Qt::LeftButton);
        QVERIFY(dialog.isVisible());
        QVERIFY(dialog.selectedProfile().isEmpty());
        m_qsettings->sync();
        QVERIFY(!fileBytes(m_ini).contains("broken"));
    }

    void secretAnsweredAfterTheDialogClosed() {
        // "Connect" closes the dialog; the keychain answers the write later, to nobody.
        auto late = std::make_shared<LateSecretStore>();
        auto dialog = std::make_unique<ProfileDialog>(*m_settings, late, QStringLiteral("demo"));
        dialog->show();
        addProfile(*dialog, QStringLiteral("slow-keychain"));
        fillEmulator(*dialog);
        setField(dialog.get(), secretLabel(ProfileSecret::RedisPassword), kSecret);
        QTest::mouseClick(buttonNamed(dialog.get(), ProfileDialog::tr("&Connect")), Qt::LeftButton);
        QCOMPARE(dialog->selectedProfile(), QStringLiteral("slow-keychain"));
        QCOMPARE(late->keys, QStringList{secretKey(QStringLiteral("slow-keychain"), ProfileSecret::RedisPassword)});
        dialog.reset();
        late->answerAll(Result<bool>(Error::unavailable(QStringLiteral("keychain locked"))));
        QTest::qWait(50); // deliveries to the gone dialog, if any were queued
    }

    void productionNeedsTlsUnlessAllowedExplicitly() {
        ProfileDialog dialog(*m_settings, m_secrets, QStringLiteral("demo"));
        dialog.show();
        auto* allow = dialog.findChild<QCheckBox*>();
        auto* warning = dialog.findChild<QLabel*>(QStringLiteral("plaintextWarning"));
        QVERIFY(allow && warning);
        // Not offered outside production.
        QVERIFY(!allow->isVisible());
        addProfile(dialog, QStringLiteral("prod-tunnel"));
        fillEmulator(dialog);
        QVERIFY(!allow->isVisible());

        auto* kind = dialog.findChild<QComboBox*>();
        kind->setCurrentIndex(kind->findData(static_cast<int>(ProfileKind::Production)));
        setField(&dialog, QStringLiteral("Redis URL"), QStringLiteral("redis://127.0.0.1:6380/0"));
        QVERIFY(allow->isVisible());
        QVERIFY(!allow->isChecked());
        QVERIFY(!warning->isVisible());
        QTest::mouseClick(button(&dialog, QDialogButtonBox::Save), Qt::LeftButton);
        QVERIFY2(status(&dialog).contains(QLatin1String("without TLS")), qPrintable(status(&dialog)));
        QVERIFY(!m_settings->names().contains(QStringLiteral("prod-tunnel")));

        // Ticking the opt-out shows the warning and saves the choice.
        allow->setChecked(true);
        QVERIFY(warning->isVisible());
        QVERIFY(!warning->text().isEmpty());
        QTest::mouseClick(button(&dialog, QDialogButtonBox::Save), Qt::LeftButton);
        QCOMPARE(status(&dialog), ProfileDialog::tr("Saved."));
        QVERIFY(m_settings->profile(QStringLiteral("prod-tunnel")).allowPlaintextRedis);

        // rediss:// needs no opt-out.
        allow->setChecked(false);
        setField(&dialog, QStringLiteral("Redis URL"), QStringLiteral("rediss://redis.internal:6380/0"));
        QTest::mouseClick(button(&dialog, QDialogButtonBox::Save), Qt::LeftButton);
        QCOMPARE(status(&dialog), ProfileDialog::tr("Saved."));
        QVERIFY(!m_settings->profile(QStringLiteral("prod-tunnel")).allowPlaintextRedis);
    }

    void rerunByTheServiceIsSaved() {
        ProfileDialog dialog(*m_settings, m_secrets, QStringLiteral("demo"));
        dialog.show();
        addProfile(dialog, QStringLiteral("keyless"));
        fillEmulator(dialog);
        QComboBox* where = nullptr;
        for (auto* box : dialog.findChildren<QComboBox*>()) {
            where = box->accessibleName() == QLatin1String("Re-run classifier") ? box : where;
        }
        QVERIFY(where);
        QCOMPARE(where->currentData().toBool(), false); // on this computer, by default
        QVERIFY(where->isEnabled());
        where->setCurrentIndex(where->findData(true));
        QVERIFY2(dialog.saveCurrent(), qPrintable(status(&dialog)));
        QVERIFY(m_settings->profile(QStringLiteral("keyless")).rerunByService);
        QVERIFY(!m_settings->profile(QStringLiteral("emulator")).rerunByService);
    }

    void demoProfileNeedsNoServers() {
        ProfileDialog dialog(*m_settings, m_secrets, QStringLiteral("demo"));
        QVERIFY(!field(&dialog, QStringLiteral("Redis URL"))->isEnabled());
        QVERIFY(field(&dialog, QStringLiteral("Demo store file"))->isEnabled());
        QVERIFY(dialog.saveCurrent());
    }
};

QTEST_MAIN(ProfileDialogTest)
#include "ProfileDialogTest.moc"
