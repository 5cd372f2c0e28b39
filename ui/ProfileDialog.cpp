#include "ProfileDialog.h"

#include "FutureWatch.h"
#include "redis/RedisConfig.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>

namespace fairuse::ui {

using models::ProfileKind;
using models::ProfileSecret;

ProfileDialog::ProfileDialog(models::ProfileSettings& settings, std::shared_ptr<services::SecretStore> secrets,
                             const QString& current, QWidget* parent)
    : QDialog(parent)
    , m_settings(settings)
    , m_secrets(std::move(secrets))
    , m_list(new QListWidget(this))
    , m_kind(new QComboBox(this))
    , m_dbPath(new QLineEdit(this))
    , m_redisUrl(new QLineEdit(this))
    , m_allowPlaintextRedis(new QCheckBox(tr("Allow plain redis:// (no TLS)"), this))
    , m_plaintextWarning(new QLabel(this))
    , m_project(new QLineEdit(this))
    , m_emulatorHost(new QLineEdit(this))
    , m_llmUrl(new QLineEdit(this))
    , m_llmModel(new QLineEdit(this))
    , m_rerunWhere(new QComboBox(this))
    , m_authProject(new QLineEdit(this))
    , m_apiKey(new QLineEdit(this))
    , m_authEmulatorHost(new QLineEdit(this))
    , m_provider(new QComboBox(this))
    , m_clientId(new QLineEdit(this))
    , m_authorizationUrl(new QLineEdit(this))
    , m_tokenUrl(new QLineEdit(this))
    , m_passwordSignIn(new QCheckBox(tr("Offer e-mail and password sign-in"), this))
    , m_status(new QLabel(this)) {
    setWindowTitle(tr("Connection profiles"));
    m_list->setAccessibleName(tr("Profiles"));
    m_list->addItems(m_settings.names());
    m_kind->addItem(tr("Embedded demo"), static_cast<int>(ProfileKind::Demo));
    m_kind->addItem(tr("Emulator"), static_cast<int>(ProfileKind::Emulator));
    m_kind->addItem(tr("Production"), static_cast<int>(ProfileKind::Production));
    m_dbPath->setPlaceholderText(tr("default demo store"));
    m_redisUrl->setPlaceholderText(QStringLiteral("rediss://host:6380/0"));
    m_authProject->setPlaceholderText(tr("the Firestore project"));
    m_authEmulatorHost->setPlaceholderText(QStringLiteral("127.0.0.1:9099"));
    m_provider->setEditable(true);
    m_provider->addItem(tr("none"), QString());
    m_provider->addItem(QStringLiteral("google.com"), QStringLiteral("google.com"));
    m_provider->setToolTip(tr("google.com, or the id of your company's OIDC provider in Identity Platform "
                              "(oidc.…)"));
    m_authorizationUrl->setPlaceholderText(tr("Google's (for an OIDC provider: its authorization endpoint)"));
    m_tokenUrl->setPlaceholderText(tr("Google's (for an OIDC provider: its token endpoint)"));
    m_llmUrl->setPlaceholderText(tr("empty: offline heuristic classifier"));
    m_rerunWhere->addItem(tr("on this computer"), false);
    m_rerunWhere->addItem(tr("by the enforcement service"), true);
    m_rerunWhere->setToolTip(
        tr("By the enforcement service: the service answers the re-run's audit record with its own "
           "classifier, and no LLM key is read on this computer."));

    auto* form = new QFormLayout;
    auto addRow = [form](const QString& label, QWidget* field) {
        field->setAccessibleName(QString(label).remove(QLatin1Char('&')));
        form->addRow(label, field);
    };
    addRow(tr("&Kind"), m_kind);
    addRow(tr("&Demo store file"), m_dbPath);
    addRow(tr("&Redis URL"), m_redisUrl);
    m_allowPlaintextRedis->setAccessibleName(tr("Allow plain redis://"));
    m_allowPlaintextRedis->setToolTip(
        tr("Production profiles need rediss:// (TLS). Tick this only when a TLS tunnel that ends on this machine "
           "(stunnel, an SSH forward) protects the connection."));
    form->addRow(QString(), m_allowPlaintextRedis);
    m_plaintextWarning->setObjectName(QStringLiteral("plaintextWarning"));
    m_plaintextWarning->setWordWrap(true);
    m_plaintextWarning->setText(tr("Warning: with plain redis:// the Redis password and every user's speech data "
                                   "cross the network unencrypted unless a tunnel protects them."));
    form->addRow(QString(), m_plaintextWarning);
    addRow(tr("&Firestore project"), m_project);
    addRow(tr("Firestore &emulator host"), m_emulatorHost);
    addRow(tr("&LLM endpoint"), m_llmUrl);
    addRow(tr("LLM &model"), m_llmModel);
    addRow(tr("Re-run classifier"), m_rerunWhere);
    addRow(tr("Sign-in pro&ject"), m_authProject);
    addRow(tr("Firebase &API key"), m_apiKey);
    addRow(tr("A&uth emulator host"), m_authEmulatorHost);
    addRow(tr("&Identity provider"), m_provider);
    addRow(tr("OAuth &client id"), m_clientId);
    addRow(tr("Authori&zation URL"), m_authorizationUrl);
    addRow(tr("T&oken URL"), m_tokenUrl);
    m_passwordSignIn->setAccessibleName(tr("Offer e-mail and password sign-in"));
    form->addRow(QString(), m_passwordSignIn);
    for (ProfileSecret s : {ProfileSecret::RedisPassword, ProfileSecret::LlmApiKey, ProfileSecret::OAuthClientSecret}) {
        auto* edit = new QLineEdit(this);
        edit->setEchoMode(QLineEdit::Password);
        edit->setPlaceholderText(tr("unchanged"));
        m_secretEdits.insert(static_cast<int>(s), edit);
        addRow(models::secretLabel(s), edit);
    }
    m_status->setObjectName(QStringLiteral("statusLabel"));
    m_status->setWordWrap(true);
    form->addRow(m_status);

    auto* buttons = new QDialogButtonBox(this);
    QPushButton* add = buttons->addButton(tr("&New profile…"), QDialogButtonBox::ActionRole);
    QPushButton* save = buttons->addButton(QDialogButtonBox::Save);
    QPushButton* connectButton = buttons->addButton(tr("&Connect"), QDialogButtonBox::AcceptRole);
    buttons->addButton(QDialogButtonBox::Close);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(save, &QPushButton::clicked, this, [this] {
        if (saveCurrent()) {
            m_status->setText(tr("Saved."));
        }
    });
    connect(connectButton, &QPushButton::clicked, this, [this] {
        if (saveCurrent()) {
            m_selected = m_editing;
            accept();
        }
    });
    connect(add, &QPushButton::clicked, this, [this] {
        bool ok = false;
        const QString name =
            QInputDialog::getText(this, tr("New profile"), tr("Name:"), QLineEdit::Normal, {}, &ok).trimmed();
        if (ok && !name.isEmpty() && m_list->findItems(name, Qt::MatchExactly).isEmpty()) {
            m_list->addItem(name);
            m_list->setCurrentRow(m_list->count() - 1);
        }
    });
    connect(m_list, &QListWidget::currentTextChanged, this, &ProfileDialog::load);
    connect(m_kind, &QComboBox::currentIndexChanged, this, &ProfileDialog::updateVisibility);
    connect(m_allowPlaintextRedis, &QCheckBox::toggled, this, &ProfileDialog::updateVisibility);

    auto* right = new QVBoxLayout;
    right->addLayout(form);
    right->addStretch();
    auto* top = new QHBoxLayout;
    top->addWidget(m_list, 1);
    top->addLayout(right, 3);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(buttons);

    const QList<QListWidgetItem*> found = m_list->findItems(current, Qt::MatchExactly);
    m_list->setCurrentItem(found.isEmpty() ? m_list->item(0) : found.first());
    resize(760, 460);
}

void ProfileDialog::load(const QString& name) {
    if (name.isEmpty()) {
        return;
    }
    m_editing = name;
    const models::ConnectionProfile p = m_settings.profile(name);
    m_kind->setCurrentIndex(m_kind->findData(static_cast<int>(p.kind)));
    m_dbPath->setText(p.dbPath);
    m_redisUrl->setText(p.redisUrl);
    m_allowPlaintextRedis->setChecked(p.allowPlaintextRedis);
    m_project->setText(p.firestoreProject);
    m_emulatorHost->setText(p.firestoreEmulatorHost);
    m_llmUrl->setText(p.llmBaseUrl);
    m_llmModel->setText(p.llmModel);
    m_rerunWhere->setCurrentIndex(m_rerunWhere->findData(p.rerunByService));
    m_authProject->setText(p.authProject);
    m_apiKey->setText(p.firebaseApiKey);
    m_authEmulatorHost->setText(p.authEmulatorHost);
    m_provider->setCurrentText(p.signInProvider.isEmpty() ? m_provider->itemText(0) : p.signInProvider);
    m_clientId->setText(p.oauthClientId);
    m_authorizationUrl->setText(p.oauthAuthorizationUrl);
    m_tokenUrl->setText(p.oauthTokenUrl);
    m_passwordSignIn->setChecked(p.passwordSignIn);
    for (QLineEdit* e : std::as_const(m_secretEdits)) {
        e->clear();
    }
    m_status->clear();
    updateVisibility();
}

models::ConnectionProfile ProfileDialog::fromForm() const {
    models::ConnectionProfile p;
    p.name = m_editing;
    p.kind = static_cast<ProfileKind>(m_kind->currentData().toInt());
    p.dbPath = m_dbPath->text().trimmed();
    p.redisUrl = m_redisUrl->text().trimmed();
    p.allowPlaintextRedis = p.kind == ProfileKind::Production && m_allowPlaintextRedis->isChecked();
    p.firestoreProject = m_project->text().trimmed();
    p.firestoreEmulatorHost = m_emulatorHost->text().trimmed();
    p.llmBaseUrl = m_llmUrl->text().trimmed();
    p.llmModel = m_llmModel->text().trimmed();
    p.rerunByService = p.kind != ProfileKind::Demo && m_rerunWhere->currentData().toBool();
    p.authProject = m_authProject->text().trimmed();
    p.firebaseApiKey = m_apiKey->text().trimmed();
    p.authEmulatorHost = m_authEmulatorHost->text().trimmed();
    const QString provider = m_provider->currentText().trimmed();
    p.signInProvider = provider == m_provider->itemText(0) ? QString() : provider;
    p.oauthClientId = m_clientId->text().trimmed();
    p.oauthAuthorizationUrl = m_authorizationUrl->text().trimmed();
    p.oauthTokenUrl = m_tokenUrl->text().trimmed();
    p.passwordSignIn = m_passwordSignIn->isChecked();
    return p;
}

void ProfileDialog::updateVisibility() {
    const bool demo = static_cast<ProfileKind>(m_kind->currentData().toInt()) == ProfileKind::Demo;
    for (QWidget* w :
         {static_cast<QWidget*>(m_redisUrl), static_cast<QWidget*>(m_project), static_cast<QWidget*>(m_emulatorHost),
          static_cast<QWidget*>(m_llmUrl), static_cast<QWidget*>(m_llmModel), static_cast<QWidget*>(m_rerunWhere),
          static_cast<QWidget*>(m_authProject), static_cast<QWidget*>(m_apiKey),
          static_cast<QWidget*>(m_authEmulatorHost), static_cast<QWidget*>(m_provider),
          static_cast<QWidget*>(m_clientId), static_cast<QWidget*>(m_authorizationUrl),
          static_cast<QWidget*>(m_tokenUrl), static_cast<QWidget*>(m_passwordSignIn)}) {
        w->setEnabled(!demo);
    }
    for (QLineEdit* e : std::as_const(m_secretEdits)) {
        e->setEnabled(!demo);
    }
    m_dbPath->setEnabled(demo);
    m_authEmulatorHost->setEnabled(static_cast<ProfileKind>(m_kind->currentData().toInt()) == ProfileKind::Emulator);
    // Only production needs TLS; demo and emulator profiles never show the opt-out.
    const bool production = static_cast<ProfileKind>(m_kind->currentData().toInt()) == ProfileKind::Production;
    m_allowPlaintextRedis->setVisible(production);
    m_plaintextWarning->setVisible(production && m_allowPlaintextRedis->isChecked());
}

bool ProfileDialog::saveCurrent() {
    const models::ConnectionProfile p = fromForm();
    if (p.name.isEmpty()) {
        return false;
    }
    if (p.redisUrl.contains(QLatin1Char('@'))) {
        m_status->setText(tr("Put the Redis password in the password field, not in the URL: URLs end up in logs."));
        return false;
    }
    if (p.kind != ProfileKind::Demo) {
        // The same checks the composition root makes when connecting, so a profile that cannot work is never saved.
        if (const Result<services::RedisConfig> redis = services::RedisConfig::fromUrl(p.redisUrl); !redis.ok()) {
            m_status->setText(tr("The Redis URL is not valid: %1").arg(redis.error().message));
            return false;
        }
        if (const Status transport = models::checkRedisTransport(p); !transport.ok()) {
            m_status->setText(transport.error().message);
            return false;
        }
        if (p.firestoreProject.isEmpty()) {
            m_status->setText(tr("Enter the Firestore project id."));
            return false;
        }
        if (p.kind == ProfileKind::Emulator && !p.firestoreEmulatorHost.isEmpty()) {
            const qsizetype colon = p.firestoreEmulatorHost.lastIndexOf(QLatin1Char(':'));
            bool portOk = false;
            const int port = colon > 0 ? p.firestoreEmulatorHost.mid(colon + 1).toInt(&portOk) : 0;
            if (!portOk || port <= 0 || port > 65535) {
                m_status->setText(tr("The Firestore emulator host must be host:port, for example 127.0.0.1:8080."));
                return false;
            }
        }
        if (p.firebaseApiKey.isEmpty()) {
            m_status->setText(
                tr("Enter the Firebase Web API key of the project reviewers sign in to (Firebase console, "
                   "Project settings)."));
            return false;
        }
        if (!p.passwordSignIn && p.signInProvider.isEmpty()) {
            m_status->setText(tr("Offer e-mail and password sign-in, or name an identity provider."));
            return false;
        }
        if (!p.signInProvider.isEmpty() && p.oauthClientId.isEmpty()) {
            m_status->setText(tr("Enter the OAuth client id of this app at %1.").arg(p.signInProvider));
            return false;
        }
    }
    m_settings.save(p);
    for (auto it = m_secretEdits.cbegin(); it != m_secretEdits.cend(); ++it) {
        const QString value = it.value()->text();
        if (value.isEmpty()) {
            continue;
        }
        const auto secret = static_cast<ProfileSecret>(it.key());
        // Not then(this, ...): the keychain may answer after "Connect" closed the dialog (see FutureWatch.h).
        models::whenFinished(
            this, m_secrets->write(models::secretKey(p.name, secret), value),
            [this, secret](const Result<bool>& written) {
                if (!written.ok()) {
                    m_status->setText(
                        tr("Could not store the %1: %2").arg(models::secretLabel(secret), written.error().message));
                }
            });
        it.value()->clear();
    }
    return true;
}

} // namespace fairuse::ui
