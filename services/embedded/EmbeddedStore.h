#pragma once

#include "embedded/EmbeddedCaseStore.h"
#include "embedded/EmbeddedDatabase.h"
#include "embedded/EmbeddedUsageStore.h"

#include <memory>

namespace fairuse::services {

/** The embedded store: one SQLite file serving both interfaces. */
struct EmbeddedStores {
    std::shared_ptr<EmbeddedDatabase> database;
    std::shared_ptr<EmbeddedUsageStore> usage;
    std::shared_ptr<EmbeddedCaseStore> cases;
};

/** Creates both stores over `path` without blocking; database->ready() reports whether the file opened. */
EmbeddedStores makeEmbeddedStores(const QString& path, EmbeddedDatabase::Options options = {});

/** Where the zero-setup demo store lives: QStandardPaths::AppDataLocation/demo.sqlite. */
QString defaultEmbeddedStorePath();

} // namespace fairuse::services
