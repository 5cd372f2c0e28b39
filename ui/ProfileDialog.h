#pragma once

#include "ConnectionProfile.h"
#include "common/Stores.h"

#include <QDialog>
#include <QHash>

#include <memory>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QListWidget;

namespace fairuse::ui {

/**
 * Edits connection profiles (File > Connection profiles): the list of profiles, their fields, and their secrets.
 * Fields are saved to ProfileSettings (no secrets); a secret typed into a password field is written to the
 * SecretStore (the keychain, or the session store when none is reachable) and never shown back. "Connect" accepts
 * the dialog with selectedProfile() set.
 */
class ProfileDialog : public QDialog {
    Q_OBJECT
public:
    ProfileDialog(models::ProfileSettings& settings, std::shared_ptr<services::SecretStore> secrets,
                  const QString& current, QWidget* parent = nullptr);

    QString selectedProfile() const { return m_selected; }

    /** Saves the form to the settings and writes any secret typed in; false (with a message) when invalid. */
    bool saveCurrent();

private:
    void load(const QString& name);
    models::ConnectionProfile fromForm() const;
    void updateVisibility();

    models::ProfileSettings& m_settings;
    std::shared_ptr<services::SecretStore> m_secrets;
    QString m_selected;
    QString m_editing;
    QListWidget* m_list;
    QComboBox* m_kind;
    QLineEdit* m_dbPath;
    QLineEdit* m_redisUrl;
    QCheckBox* m_allowPlaintextRedis;
    QLabel* m_plaintextWarning;
    QLineEdit* m_project;
    QLineEdit* m_emulatorHost;
    QLineEdit* m_llmUrl;
    QLineEdit* m_llmModel;
    QComboBox* m_rerunWhere;
    QLineEdit* m_authProject;
    QLineEdit* m_apiKey;
    QLineEdit* m_authEmulatorHost;
    QComboBox* m_provider;
    QLineEdit* m_clientId;
    QLineEdit* m_authorizationUrl;
    QLineEdit* m_tokenUrl;
    QCheckBox* m_passwordSignIn;
    QHash<int, QLineEdit*> m_secretEdits;
    QLabel* m_status;
};

} // namespace fairuse::ui
