#pragma once
// Files a test puts on disk: a store that is not a store, a list of cases to paste, an empty file.

#include <QByteArray>
#include <QFile>
#include <QString>

namespace fairuse::testing {

/** Writes `content` to `path` (created or truncated); false when the file could not be written whole. */
inline bool writeFile(const QString& path, const QByteArray& content = {}) {
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(content) == content.size();
}

} // namespace fairuse::testing
