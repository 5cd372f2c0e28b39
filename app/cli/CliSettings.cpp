#include "CliSettings.h"

namespace fairuse::cli {

namespace {

/** Every setting and its default, in one place. Per-project keys live under "projects/<project>/". */
struct Key {
    const char* name;
    bool perProject;
};
constexpr Key kLastProject{"last_project", false}; // default: none
constexpr Key kAuthProject{"auth_project", true};  // default: the Firestore project itself
constexpr Key kApiKey{"firebase_api_key", true};   // default: none

QString path(const Key& key, const QString& project) {
    return key.perProject ? QStringLiteral("projects/%1/%2").arg(project, QLatin1String(key.name))
                          : QString::fromLatin1(key.name);
}

} // namespace

CliSettings::CliSettings()
    : m_settings(QSettings::NativeFormat, QSettings::UserScope, QStringLiteral("fairuse"),
                 QStringLiteral("fairuse-cli")) {}

QString CliSettings::lastProject() const {
    return m_settings.value(path(kLastProject, {})).toString();
}

QString CliSettings::authProject(const QString& project) const {
    const QString stored = m_settings.value(path(kAuthProject, project)).toString();
    return stored.isEmpty() ? project : stored;
}

QString CliSettings::apiKey(const QString& project) const {
    return m_settings.value(path(kApiKey, project)).toString();
}

void CliSettings::rememberLogin(const QString& project, const QString& authProject, const QString& apiKey) {
    m_settings.setValue(path(kLastProject, {}), project);
    m_settings.setValue(path(kAuthProject, project), authProject);
    m_settings.setValue(path(kApiKey, project), apiKey);
    m_settings.sync();
}

void CliSettings::forgetLastProject(const QString& project) {
    if (lastProject() == project) {
        m_settings.remove(path(kLastProject, {}));
        m_settings.sync();
    }
}

} // namespace fairuse::cli
