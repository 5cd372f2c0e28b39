#include "QueueBench.h"
#include "QueueBenchParts.h"

#include "Composition.h"
#include "ConnectionProfile.h"
#include "MainWindow.h"
#include "QueueModel.h"
#include "QueueView.h"
#include "secrets/SessionSecretStore.h"

#include <QApplication>
#include <QFileInfo>
#include <QHeaderView>
#include <QScrollBar>
#include <QSplitter>
#include <QTableView>
#include <QTemporaryDir>
#include <QTextStream>
#include <QTimer>

namespace fairuse::bench {

void benchStartup(QList<TableRow>& table, int runs) {
    QTemporaryDir home;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    // Settings and logs of the probe stay in a throw-away home.
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), home.filePath(QStringLiteral("config")));
    env.insert(QStringLiteral("XDG_DATA_HOME"), home.filePath(QStringLiteral("data")));
    env.insert(QStringLiteral("XDG_CACHE_HOME"), home.filePath(QStringLiteral("cache")));
    if (!env.contains(QStringLiteral("QT_QPA_PLATFORM"))) {
        env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    }
    const QString db = home.filePath(QStringLiteral("demo.sqlite"));
    const QStringList args = {QStringLiteral("--startup"), QStringLiteral("--db"), db};
    QString error;
    Clock::time_point t0 = Clock::now();
    if (runSelf(args, env, 120000, &error).isEmpty()) {
        table.append({QStringLiteral("startup: first run (seeds the demo store)"), error, {}});
        return;
    }
    table.append({QStringLiteral("startup: first run, seeding the demo store (ms)"), fmt(msSince(t0), 0), {}});
    QList<double> inMain;
    QList<double> sinceExec;
    QList<double> spawned;
    for (int run = 0; run < runs; ++run) {
        t0 = Clock::now();
        const QByteArray out = runSelf(args, env, 60000, &error);
        const double wall = msSince(t0);
        for (const QByteArray& line : out.split('\n')) {
            if (line.startsWith("queue-fit ") && run == 0) {
                const QList<QByteArray> parts = line.split(' ');
                table.append({QStringLiteral("queue at window width %1: pane %2 px, user column %3 px, horizontal "
                                             "scroll range")
                                  .arg(QString::fromLatin1(parts.value(1)), QString::fromLatin1(parts.value(2)),
                                       QString::fromLatin1(parts.value(4))),
                              QString::fromLatin1(parts.value(3)), QStringLiteral("0 (columns fit)")});
            }
            if (line.startsWith("startup-first-paint-ms ")) {
                const QList<QByteArray> parts = line.split(' ');
                inMain.append(parts.value(1).toDouble());
                sinceExec.append(parts.value(2).toDouble());
                spawned.append(wall);
            }
        }
    }
    if (inMain.isEmpty()) {
        table.append({QStringLiteral("startup: probe"), error.isEmpty() ? QStringLiteral("no figure") : error, {}});
        return;
    }
    table.append({QStringLiteral("startup: main() to first paint, demo store (ms, median of %1)").arg(inMain.size()),
                  fmt(median(inMain)), QStringLiteral("< 500")});
    table.append({QStringLiteral("startup: process start (kernel) to first paint (ms)"), fmt(median(sinceExec), 0),
                  QStringLiteral("< 500")});
    table.append(
        {QStringLiteral("startup: spawn to exit after first paint, incl. teardown (ms)"), fmt(median(spawned), 0), {}});
}

void armStartupProbe(QWidget* window, std::chrono::steady_clock::time_point mainEntered) {
    class Probe : public QObject {
    public:
        Probe(QWidget* window, Clock::time_point start)
            : QObject(window)
            , m_window(window)
            , m_start(start) {}
        bool eventFilter(QObject* watched, QEvent* event) override {
            if (!m_done && event->type() == QEvent::Paint && watched->isWidgetType() &&
                static_cast<QWidget*>(watched)->window() == m_window) {
                m_done = true;
                const double main = msSince(m_start);
                QTextStream out(stdout);
                out << "startup-first-paint-ms " << main << ' ' << msSinceExec() << Qt::endl;
                if (const auto* queue = m_window->findChild<ui::QueueView*>()) {
                    // Whether the queue's columns fit its pane at this window width (no horizontal scroll bar).
                    out << "queue-fit " << m_window->width() << ' ' << queue->table()->viewport()->width() << ' '
                        << queue->table()->horizontalScrollBar()->maximum() << ' '
                        << queue->table()->horizontalHeader()->sectionSize(models::QueueModel::UserColumn);
                    for (int c = 0; c < models::QueueModel::ColumnCount; ++c) {
                        out << (c ? ',' : ' ') << queue->table()->horizontalHeader()->sectionSize(c);
                    }
                    const auto* splitter = m_window->findChild<QSplitter*>();
                    out << ' ' << splitter->sizes().value(1) << ' ' << splitter->widget(1)->minimumSizeHint().width()
                        << Qt::endl;
                }
                QTimer::singleShot(0, qApp, [] { QCoreApplication::exit(0); });
            }
            return false;
        }

    private:
        QWidget* m_window;
        Clock::time_point m_start;
        bool m_done = false;
    };
    window->resize(1500, 900); // the width at which the queue's columns must fit
    qApp->installEventFilter(new Probe(window, mainEntered));
}

int runStartupChild(const QString& dbPath, std::chrono::steady_clock::time_point mainEntered) {
    models::ProfileSettings settings;
    models::ConnectionProfile profile = settings.profile(QStringLiteral("demo"));
    profile.dbPath = QFileInfo(dbPath).absoluteFilePath();
    console::Composer composer(profile, std::make_shared<services::SessionSecretStore>(),
                               [](models::ProfileSecret) { return std::optional<QString>(); });
    std::unique_ptr<console::Connection> connection;
    std::unique_ptr<ui::MainWindow> window;
    QObject::connect(&composer, &console::Composer::failed, qApp, [](const QString& message) {
        QTextStream(stderr) << "fairuse_bench_queue: start-up failed: " << message << Qt::endl;
        QCoreApplication::exit(1);
    });
    QObject::connect(&composer, &console::Composer::ready, qApp, [&] {
        connection = composer.take();
        window = std::make_unique<ui::MainWindow>(connection->backend);
        armStartupProbe(window.get(), mainEntered);
        window->show();
    });
    composer.start();
    const int rc = QApplication::exec();
    window.reset();
    connection.reset();
    return rc;
}

} // namespace fairuse::bench
