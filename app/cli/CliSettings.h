#pragma once

#include <QSettings>
#include <QString>

namespace fairuse::cli {

/**
 * What the command line remembers between runs, none of it secret: the project of the last `fairuse login`, and per
 * Firestore project the Firebase Auth project that signs its reviewers in and that project's Web API key (public: it
 * identifies the project and grants nothing). Secrets (refresh tokens, service-account keys) live in the keychain.
 *
 * Stored with QSettings under organisation "fairuse", application "fairuse-cli" (on Linux
 * $XDG_CONFIG_HOME/fairuse/fairuse-cli.conf), apart from the console's settings.
 */
class CliSettings {
public:
    CliSettings();

    /** The Firestore project of the last successful login; empty when there is none (or after its logout). */
    QString lastProject() const;
    /** The Firebase Auth project of `project`'s reviewers; `project` itself unless a login said otherwise. */
    QString authProject(const QString& project) const;
    /** The Web API key remembered for `project`; empty when none. */
    QString apiKey(const QString& project) const;

    /** After a successful login: remembers the three and makes `project` the last project. */
    void rememberLogin(const QString& project, const QString& authProject, const QString& apiKey);
    /** After a logout: `project` is no longer the last project (its Auth project and API key stay). */
    void forgetLastProject(const QString& project);

private:
    QSettings m_settings;
};

} // namespace fairuse::cli
