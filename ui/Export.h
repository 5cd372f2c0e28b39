#pragma once

#include "common/Result.h"

#include <QAbstractItemModel>
#include <QByteArray>
#include <QString>

class QWidget;

namespace fairuse::ui {

/** File formats of an export. */
enum class ExportFormat { Csv, Json };

/**
 * Exports of what is on screen: any QAbstractItemModel's top-level rows in model order (pass the sorting/filtering
 * proxy to export the visible order), one column per horizontal header section.
 *
 * CSV follows RFC 4180: a header line, CRLF line ends, fields quoted when they contain a comma, a quote, CR or LF,
 * with quotes doubled. Cells are the Qt::DisplayRole text, as the reviewer sees them.
 * JSON is an array of objects keyed by the header text; a cell's value is `valueRole` data when the model provides
 * it (numbers stay numbers, an invalid QVariant becomes null), else the display text.
 */
QByteArray toCsv(const QAbstractItemModel& model);
QByteArray toJson(const QAbstractItemModel& model, int valueRole = -1);

/** Writes the export to `path` atomically; Unavailable with the reason when the file cannot be written. */
Status exportModel(const QAbstractItemModel& model, const QString& path, ExportFormat format, int valueRole = -1);

/** The format implied by a file name: ".json" is JSON, anything else CSV. */
ExportFormat formatForPath(const QString& path);

/**
 * Asks for a file name (CSV or JSON), writes the export and reports an error in a message box. Returns the path
 * written, or an empty string when cancelled or failed. `baseName` suggests the file name ("queue", "audit-log").
 */
QString exportModelInteractive(const QAbstractItemModel& model, QWidget* parent, const QString& baseName,
                               int valueRole = -1);

} // namespace fairuse::ui
