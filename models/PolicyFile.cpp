#include "PolicyFile.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>
#include <QStandardPaths>

namespace fairuse::models {

PolicyFile::PolicyFile()
    : m_path(QStandardPaths::writableLocation(QStandardPaths::AppConfigLocation) + QStringLiteral("/policy.json")) {}

PolicyFile::PolicyFile(QString path)
    : m_path(std::move(path)) {}

Result<enforcement::Policy> PolicyFile::load() const {
    QFile file(m_path);
    if (!file.exists()) {
        return enforcement::Policy::forReview();
    }
    if (!file.open(QIODevice::ReadOnly)) {
        return Error::unavailable(QStringLiteral("cannot read %1: %2").arg(m_path, file.errorString()));
    }
    Result<enforcement::Policy> parsed =
        enforcement::Policy::fromJson(file.readAll(), enforcement::Policy::forReview());
    if (!parsed) {
        return Error::invalid(QStringLiteral("%1: %2").arg(m_path, parsed.error().message));
    }
    return parsed;
}

Status PolicyFile::save(const enforcement::Policy& policy) const {
    if (!QDir().mkpath(QFileInfo(m_path).absolutePath())) {
        return Error::unavailable(QStringLiteral("cannot create the folder of %1").arg(m_path));
    }
    QSaveFile file(m_path);
    if (!file.open(QIODevice::WriteOnly) || file.write(policy.toJson()) < 0 || !file.commit()) {
        return Error::unavailable(QStringLiteral("cannot write %1: %2").arg(m_path, file.errorString()));
    }
    return {};
}

} // namespace fairuse::models
