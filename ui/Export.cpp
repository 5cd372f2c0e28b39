#include "Export.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileDialog>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonValue>
#include <QMessageBox>
#include <QSaveFile>
#include <QStandardPaths>

namespace fairuse::ui {

namespace {

QString headerText(const QAbstractItemModel& model, int column) {
    return model.headerData(column, Qt::Horizontal, Qt::DisplayRole).toString();
}

QString csvField(const QString& text) {
    if (!text.contains(QLatin1Char(',')) && !text.contains(QLatin1Char('"')) && !text.contains(QLatin1Char('\n')) &&
        !text.contains(QLatin1Char('\r'))) {
        return text;
    }
    QString quoted = text;
    quoted.replace(QStringLiteral("\""), QStringLiteral("\"\""));
    return QString(QLatin1Char('"') + quoted + QLatin1Char('"'));
}

QJsonValue jsonValue(const QVariant& v) {
    if (!v.isValid() || v.isNull()) {
        return QJsonValue(QJsonValue::Null);
    }
    switch (v.typeId()) {
    case QMetaType::Bool:
        return v.toBool();
    case QMetaType::Int:
    case QMetaType::UInt:
    case QMetaType::LongLong:
    case QMetaType::ULongLong:
        return QJsonValue(v.toLongLong());
    case QMetaType::Double:
    case QMetaType::Float:
        return v.toDouble();
    default:
        return v.toString();
    }
}

QString tr(const char* text) {
    return QCoreApplication::translate("fairuse::ui::Export", text);
}

} // namespace

QByteArray toCsv(const QAbstractItemModel& model) {
    const int columns = model.columnCount();
    QString out;
    QStringList fields;
    for (int c = 0; c < columns; ++c) {
        fields.append(csvField(headerText(model, c)));
    }
    out += fields.join(QLatin1Char(',')) + QStringLiteral("\r\n");
    const int rows = model.rowCount();
    for (int r = 0; r < rows; ++r) {
        fields.clear();
        for (int c = 0; c < columns; ++c) {
            fields.append(csvField(model.index(r, c).data(Qt::DisplayRole).toString()));
        }
        out += fields.join(QLatin1Char(',')) + QStringLiteral("\r\n");
    }
    return out.toUtf8();
}

QByteArray toJson(const QAbstractItemModel& model, int valueRole) {
    const int columns = model.columnCount();
    QStringList keys;
    for (int c = 0; c < columns; ++c) {
        keys.append(headerText(model, c));
    }
    QJsonArray array;
    const int rows = model.rowCount();
    for (int r = 0; r < rows; ++r) {
        QJsonObject object;
        for (int c = 0; c < columns; ++c) {
            const QModelIndex index = model.index(r, c);
            object.insert(keys.at(c), valueRole >= 0 ? jsonValue(index.data(valueRole))
                                                     : QJsonValue(index.data(Qt::DisplayRole).toString()));
        }
        array.append(object);
    }
    return QJsonDocument(array).toJson(QJsonDocument::Indented);
}

ExportFormat formatForPath(const QString& path) {
    return path.endsWith(QStringLiteral(".json"), Qt::CaseInsensitive) ? ExportFormat::Json : ExportFormat::Csv;
}

Status exportModel(const QAbstractItemModel& model, const QString& path, ExportFormat format, int valueRole) {
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        return Error::unavailable(tr("Cannot write %1: %2").arg(QDir::toNativeSeparators(path), file.errorString()));
    }
    const QByteArray bytes = format == ExportFormat::Json ? toJson(model, valueRole) : toCsv(model);
    if (file.write(bytes) != bytes.size() || !file.commit()) {
        return Error::unavailable(tr("Cannot write %1: %2").arg(QDir::toNativeSeparators(path), file.errorString()));
    }
    return {};
}

QString exportModelInteractive(const QAbstractItemModel& model, QWidget* parent, const QString& baseName,
                               int valueRole) {
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    QString selected;
    const QString path = QFileDialog::getSaveFileName(parent, tr("Export"),
                                                      QDir(dir).filePath(QString(baseName + QStringLiteral(".csv"))),
                                                      tr("CSV (*.csv);;JSON (*.json)"), &selected);
    if (path.isEmpty()) {
        return {};
    }
    const Status written = exportModel(model, path, formatForPath(path), valueRole);
    if (!written.ok()) {
        QMessageBox::warning(
            parent, tr("Export failed"),
            tr("%1\n\nChoose another folder or free some disk space, then export again.").arg(written.error().message));
        return {};
    }
    return path;
}

} // namespace fairuse::ui
