// Export of a model's visible rows to CSV (RFC 4180) and JSON.

#include "Export.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSortFilterProxyModel>
#include <QStandardItemModel>
#include <QTemporaryDir>
#include <QTest>

using namespace fairuse;

namespace {

constexpr int kRawRole = Qt::UserRole + 7;

/** Two columns: name (display) and a count (display text plus a raw number in kRawRole). */
std::unique_ptr<QStandardItemModel> makeModel(const QList<std::pair<QString, int>>& rows) {
    auto model = std::make_unique<QStandardItemModel>(0, 2);
    model->setHorizontalHeaderLabels({QStringLiteral("Name"), QStringLiteral("Count, total")});
    for (const auto& [name, count] : rows) {
        auto* n = new QStandardItem(name);
        n->setData(name, kRawRole);
        auto* c = new QStandardItem(QStringLiteral("%1 items").arg(count));
        c->setData(count, kRawRole);
        model->appendRow({n, c});
    }
    return model;
}

} // namespace

class ExportTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void csvQuotesFields_data() {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("field");
        QTest::newRow("plain") << QStringLiteral("alice") << QStringLiteral("alice");
        QTest::newRow("comma") << QStringLiteral("a,b") << QStringLiteral("\"a,b\"");
        QTest::newRow("quote") << QStringLiteral("say \"hi\"") << QStringLiteral("\"say \"\"hi\"\"\"");
        QTest::newRow("newline") << QStringLiteral("two\nlines") << QStringLiteral("\"two\nlines\"");
        QTest::newRow("carriage return") << QStringLiteral("a\rb") << QStringLiteral("\"a\rb\"");
        QTest::newRow("empty") << QString() << QString();
        QTest::newRow("unicode") << QStringLiteral("Zoë – 日本") << QStringLiteral("Zoë – 日本");
    }

    void csvQuotesFields() {
        QFETCH(QString, name);
        QFETCH(QString, field);
        auto model = makeModel({{name, 3}});
        const QString csv = QString::fromUtf8(ui::toCsv(*model));
        QCOMPARE(csv, QString(QStringLiteral("Name,\"Count, total\"\r\n") + field + QStringLiteral(",3 items\r\n")));
    }

    void csvFollowsTheVisibleOrderAndFilter() {
        auto model =
            makeModel({{QStringLiteral("carol"), 1}, {QStringLiteral("alice"), 2}, {QStringLiteral("bob"), 3}});
        QSortFilterProxyModel proxy;
        proxy.setSourceModel(model.get());
        proxy.sort(0);
        proxy.setFilterFixedString(QStringLiteral("o")); // carol, bob
        QCOMPARE(QString::fromUtf8(ui::toCsv(proxy)),
                 QStringLiteral("Name,\"Count, total\"\r\nbob,3 items\r\ncarol,1 items\r\n"));
    }

    void jsonUsesRawValuesWhenGiven() {
        auto model = makeModel({{QStringLiteral("a,\"b\"\nc"), 42}});
        model->setData(model->index(0, 1), QVariant(), kRawRole); // missing value -> null
        model->appendRow({new QStandardItem(QStringLiteral("x")), new QStandardItem(QStringLiteral("7 items"))});
        model->setData(model->index(1, 1), 7, kRawRole);
        model->setData(model->index(1, 0), QStringLiteral("x"), kRawRole);

        const QJsonDocument raw = QJsonDocument::fromJson(ui::toJson(*model, kRawRole));
        QVERIFY(raw.isArray());
        const QJsonArray rows = raw.array();
        QCOMPARE(rows.size(), 2);
        QCOMPARE(rows.at(0).toObject().value(QStringLiteral("Name")).toString(), QStringLiteral("a,\"b\"\nc"));
        QVERIFY(rows.at(0).toObject().value(QStringLiteral("Count, total")).isNull());
        QCOMPARE(rows.at(1).toObject().value(QStringLiteral("Count, total")).toInteger(), 7);
        QVERIFY(rows.at(1).toObject().value(QStringLiteral("Count, total")).isDouble());

        const QJsonDocument text = QJsonDocument::fromJson(ui::toJson(*model));
        QCOMPARE(text.array().at(1).toObject().value(QStringLiteral("Count, total")).toString(),
                 QStringLiteral("7 items"));
    }

    void writesFilesAndReportsFailures() {
        auto model = makeModel({{QStringLiteral("alice"), 1}});
        QTemporaryDir dir;
        const QString csvPath = dir.filePath(QStringLiteral("queue.csv"));
        const QString jsonPath = dir.filePath(QStringLiteral("queue.JSON"));
        QVERIFY(ui::formatForPath(csvPath) == ui::ExportFormat::Csv);
        QVERIFY(ui::formatForPath(jsonPath) == ui::ExportFormat::Json);
        QVERIFY(ui::exportModel(*model, csvPath, ui::formatForPath(csvPath)).ok());
        QVERIFY(ui::exportModel(*model, jsonPath, ui::formatForPath(jsonPath), kRawRole).ok());
        QFile csv(csvPath);
        QVERIFY(csv.open(QIODevice::ReadOnly));
        QCOMPARE(csv.readAll(), ui::toCsv(*model));
        QFile json(jsonPath);
        QVERIFY(json.open(QIODevice::ReadOnly));
        QCOMPARE(
            QJsonDocument::fromJson(json.readAll()).array().at(0).toObject().value(QStringLiteral("Name")).toString(),
            QStringLiteral("alice"));

        const Status failed =
            ui::exportModel(*model, dir.filePath(QStringLiteral("missing/dir/queue.csv")), ui::ExportFormat::Csv);
        QVERIFY(!failed.ok());
        QVERIFY(failed.error().message.contains(QStringLiteral("queue.csv")));
    }
};

QTEST_MAIN(ExportTest)
#include "ExportTest.moc"
