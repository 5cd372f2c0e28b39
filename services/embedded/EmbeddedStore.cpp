#include "embedded/EmbeddedStore.h"

#include <QDir>
#include <QStandardPaths>

namespace fairuse::services {

EmbeddedStores makeEmbeddedStores(const QString& path, EmbeddedDatabase::Options options) {
    EmbeddedStores s;
    s.database = EmbeddedDatabase::create(path, std::move(options));
    s.usage = std::make_shared<EmbeddedUsageStore>(s.database);
    s.cases = std::make_shared<EmbeddedCaseStore>(s.database);
    return s;
}

QString defaultEmbeddedStorePath() {
    return QDir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation))
        .filePath(QStringLiteral("demo.sqlite"));
}

} // namespace fairuse::services
