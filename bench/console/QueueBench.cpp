#include "QueueBench.h"

#include "Backend.h"
#include "Composition.h"
#include "ConnectionProfile.h"
#include "FilterBar.h"
#include "MainWindow.h"
#include "QueueModel.h"
#include "QueueView.h"
#include "SpeechChart.h"
#include "SpeechSeries.h"
#include "common/Await.h"
#include "embedded/DemoEmbeddedWriter.h"
#include "embedded/DemoGenerator.h"
#include "embedded/EmbeddedStore.h"
#include "firestore/FirestoreAuth.h"
#include "firestore/FirestoreCaseStore.h"
#include "firestore/FirestoreClient.h"
#include "firestore/FirestoreValue.h"
#include "llm/HeuristicClassifierService.h"
#include "secrets/SessionSecretStore.h"

#include <QApplication>
#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QHeaderView>
#include <QImage>
#include <QItemSelectionModel>
#include <QProcess>
#include <QScrollBar>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTableView>
#include <QTemporaryDir>
#include <QTextStream>
#include <QTimer>

#include <algorithm>
#include <ctime>
#include <unistd.h>

namespace fairuse::bench {

namespace {

using Clock = std::chrono::steady_clock;

double msSince(Clock::time_point start) {
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

double median(QList<double> values) {
    if (values.isEmpty()) {
        return -1;
    }
    std::sort(values.begin(), values.end());
    return values.at(values.size() / 2);
}

/** Peak resident set size of this process, from /proc/self/status (VmHWM), in MiB; -1 when unreadable. */
double peakRssMiB() {
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly)) {
        return -1;
    }
    for (const QByteArray& line : status.readAll().split('\n')) {
        if (line.startsWith("VmHWM:")) {
            return line.mid(6).trimmed().split(' ').value(0).toDouble() / 1024.0;
        }
    }
    return -1;
}

/** Milliseconds since the kernel started this process (/proc/self/stat starttime, 10 ms resolution). */
double msSinceExec() {
    QFile stat(QStringLiteral("/proc/self/stat"));
    if (!stat.open(QIODevice::ReadOnly)) {
        return -1;
    }
    const QByteArray text = stat.readAll();
    const QList<QByteArray> fields = text.mid(text.lastIndexOf(')') + 2).split(' ');
    // Field 22 of the file is the 20th after "pid (comm)".
    const double startTicks = fields.value(19).toDouble();
    timespec boot{};
    clock_gettime(CLOCK_BOOTTIME, &boot);
    const double nowMs = static_cast<double>(boot.tv_sec) * 1000.0 + static_cast<double>(boot.tv_nsec) / 1e6;
    return nowMs - startTicks * 1000.0 / static_cast<double>(sysconf(_SC_CLK_TCK));
}

QString fmt(double ms, int decimals = 1) {
    return ms < 0 ? QStringLiteral("n/a") : QString::number(ms, 'f', decimals);
}

struct TableRow {
    QString what;
    QString value;
    QString target;
};

/** What one store's queue measured. */
struct QueueFigures {
    int rows = 0;
    int pages = 0;
    double firstRowsMs = -1;
    double detailsInViewMs = -1; ///< rows delivered without details: until the rows in view have them
    double loadedMs = -1;
    double stallMs = -1;
    int stallAtRows = 0;
    double stallAtMs = -1;
    bool complete = false;
    QList<QPair<QString, QPair<double, double>>> sorts; ///< column -> (call, call + repaint)
    double filterShownMs = -1;
    double filterStoreMs = -1;
    int filterRows = 0;
    double widenShownMs = -1;
    double widenStoreMs = -1;
    QString error;
};

/** Runs the event loop until `done` or `timeoutMs`; a 5 ms ticker records the longest gap (UI-thread stall). */
bool spin(const std::function<bool()>& done, int timeoutMs, double* longestStallMs = nullptr,
          const std::function<void()>& onLongestStall = {}) {
    QEventLoop loop;
    QTimer ticker;
    ticker.setInterval(5);
    Clock::time_point last = Clock::now();
    double stall = 0;
    const Clock::time_point start = Clock::now();
    QObject::connect(&ticker, &QTimer::timeout, &loop, [&] {
        if (msSince(last) > stall) {
            stall = msSince(last);
            if (onLongestStall) {
                onLongestStall();
            }
        }
        last = Clock::now();
        if (done() || msSince(start) > timeoutMs) {
            loop.quit();
        }
    });
    ticker.start();
    if (!done()) {
        loop.exec();
    }
    if (longestStallMs) {
        *longestStallMs = stall;
    }
    return done();
}

QueueFigures measureQueue(models::Backend& backend, int loadTimeoutMs) {
    QueueFigures fig;
    ui::QueueView view(backend);
    view.resize(900, 800);
    view.show();
    models::QueueModel* model = view.model();
    QTableView* table = view.table();
    QCoreApplication::processEvents();

    bool finished = false;
    QObject::connect(model, &models::QueueModel::loadingFinished, &view, [&] { finished = true; });
    QObject::connect(model, &models::QueueModel::loadFailed, &view, [&](ErrorKind, const QString& message) {
        fig.error = message;
        finished = true;
    });
    Clock::time_point start = Clock::now();
    QObject::connect(model, &models::QueueModel::pageLoaded, &view, [&](int loaded, bool) {
        if (fig.firstRowsMs < 0 && loaded > 0) {
            fig.firstRowsMs = msSince(start);
        }
    });
    // Rows that arrive without open cases and last action (Firestore without enrichment) get them for the rows in
    // view: the time until the first screen is complete.
    bool detailsPending = false;
    const auto detailsInView = [&] {
        if (fig.detailsInViewMs >= 0 || model->rowCount() == 0) {
            return;
        }
        const int top = std::max(0, table->rowAt(0));
        int bottom = table->rowAt(table->viewport()->height() - 1);
        bottom = bottom < 0 ? model->rowCount() - 1 : bottom;
        bool known = true;
        for (int r = top; r <= bottom && r < model->rowCount(); ++r) {
            known = known && model->rowAt(view.proxy()->mapToSource(view.proxy()->index(r, 0)).row()).detailsKnown;
        }
        detailsPending = detailsPending || !known;
        if (known && detailsPending) {
            fig.detailsInViewMs = msSince(start);
        }
    };
    QObject::connect(model, &QAbstractItemModel::dataChanged, &view, detailsInView);
    QObject::connect(model, &models::QueueModel::pageLoaded, &view, detailsInView);
    view.refresh();
    spin([&] { return finished; }, loadTimeoutMs, &fig.stallMs,
         [&] {
             fig.stallAtRows = model->rowCount();
             fig.stallAtMs = msSince(start);
         });
    fig.loadedMs = finished ? msSince(start) : -1;
    if (detailsPending) {
        spin([&] { return fig.detailsInViewMs >= 0; }, 10000);
    }
    QObject::disconnect(model, &QAbstractItemModel::dataChanged, &view, nullptr);
    fig.complete = model->isComplete();
    fig.rows = model->rowCount();
    fig.pages = model->pagesLoaded();
    if (!fig.complete || fig.rows == 0) {
        return fig;
    }

    // A reviewer's selection and current row, which every sort must carry along.
    QItemSelectionModel* selection = table->selectionModel();
    for (int r : {3, fig.rows / 2, fig.rows - 2}) {
        selection->select(view.proxy()->index(r, 0), QItemSelectionModel::Select | QItemSelectionModel::Rows);
    }
    selection->setCurrentIndex(view.proxy()->index(fig.rows / 3, 0), QItemSelectionModel::NoUpdate);
    QCoreApplication::processEvents();

    const QList<int> columns = {models::QueueModel::ScoreColumn, models::QueueModel::StageColumn,
                                models::QueueModel::WeeklyColumn};
    for (int column : columns) {
        QList<double> calls;
        QList<double> painted;
        for (int run = 0; run < 5; ++run) {
            const Qt::SortOrder order = run % 2 == 0 ? Qt::DescendingOrder : Qt::AscendingOrder;
            const Clock::time_point t0 = Clock::now();
            table->sortByColumn(column, order);
            calls.append(msSince(t0));
            view.repaint();
            painted.append(msSince(t0));
            QCoreApplication::processEvents();
        }
        fig.sorts.append({model->headerData(column, Qt::Horizontal).toString(), {median(calls), median(painted)}});
    }

    // Filter on the stage (the loaded rows answer at once; the store's answer follows), then widen back.
    QComboBox* stage = view.filterBar()->stageBox();
    finished = false;
    Clock::time_point t0 = Clock::now();
    stage->setCurrentIndex(stage->findData(static_cast<int>(Stage::Restrict)));
    fig.filterShownMs = msSince(t0);
    fig.filterRows = model->rowCount();
    spin([&] { return finished; }, loadTimeoutMs);
    fig.filterStoreMs = finished ? msSince(t0) : -1;
    finished = false;
    t0 = Clock::now();
    stage->setCurrentIndex(0);
    fig.widenShownMs = msSince(t0);
    spin([&] { return finished; }, loadTimeoutMs);
    fig.widenStoreMs = finished ? msSince(t0) : -1;
    return fig;
}

void addQueueRows(QList<TableRow>& table, const QString& store, const QueueFigures& f) {
    if (!f.error.isEmpty()) {
        table.append({store + QStringLiteral(": load failed"), f.error, {}});
        return;
    }
    table.append({store + QStringLiteral(": rows loaded"),
                  QStringLiteral("%1 in %2 pages%3")
                      .arg(f.rows)
                      .arg(f.pages)
                      .arg(f.complete ? QString() : QStringLiteral(" (timed out)")),
                  {}});
    table.append({store + QStringLiteral(": time to first rows (ms)"), fmt(f.firstRowsMs), QStringLiteral("< 300")});
    if (f.detailsInViewMs >= 0) {
        table.append({store + QStringLiteral(": open cases + last action of the rows in view (ms)"),
                      fmt(f.detailsInViewMs, 0),
                      {}});
    }
    table.append({store + QStringLiteral(": time to fully loaded (ms)"), fmt(f.loadedMs, 0), {}});
    table.append(
        {store + QStringLiteral(": longest UI stall while loading (ms)"),
         fmt(f.stallMs) + QStringLiteral(" (ended at %1 ms, %2 rows)").arg(fmt(f.stallAtMs, 0)).arg(f.stallAtRows),
         {}});
    for (const auto& [column, ms] : f.sorts) {
        table.append({store + QStringLiteral(": sort by %1 (ms, call / +repaint)").arg(column),
                      fmt(ms.first) + QStringLiteral(" / ") + fmt(ms.second), QStringLiteral("< 100")});
    }
    if (f.filterShownMs >= 0) {
        table.append({store + QStringLiteral(": filter stage=restrict, shown (ms)"),
                      fmt(f.filterShownMs) + QStringLiteral(" (%1 rows)").arg(f.filterRows), QStringLiteral("< 100")});
        table.append({store + QStringLiteral(": filter stage=restrict, store answer complete (ms)"),
                      fmt(f.filterStoreMs, 0),
                      {}});
        table.append(
            {store + QStringLiteral(": clear filter, shown (ms)"), fmt(f.widenShownMs), QStringLiteral("< 100")});
        table.append(
            {store + QStringLiteral(": clear filter, store answer complete (ms)"), fmt(f.widenStoreMs, 0), {}});
    }
}

/** A heavy user's minutes (12 h of speech a day) over two weeks before `to`, one sample per active minute. */
QList<services::MinuteSample> heavyUserMinutes(TimePoint to) {
    const std::int64_t toMinute = std::chrono::duration_cast<std::chrono::minutes>(to.time_since_epoch()).count();
    QList<services::MinuteSample> out;
    for (std::int64_t m = toMinute - 14 * 24 * 60; m < toMinute; ++m) {
        const std::int64_t minuteOfDay = ((m % 1440) + 1440) % 1440;
        if (minuteOfDay >= 8 * 60 && minuteOfDay < 20 * 60) {
            out.append({m, 40'000 + (m * 7919) % 20'000});
        }
    }
    return out;
}

void benchChart(QList<TableRow>& table) {
    const TimePoint to = std::chrono::floor<std::chrono::minutes>(
        TimePoint(std::chrono::milliseconds(QDateTime::currentMSecsSinceEpoch())));
    const TimePoint from = to - std::chrono::hours(24 * 7);
    const QList<services::MinuteSample> minutes = heavyUserMinutes(to);
    const QSize size(1000, 320);

    QList<double> aggregate;
    QList<double> render;
    ui::SpeechChart chart;
    chart.resize(size);
    for (int run = 0; run < 5; ++run) {
        const auto fromMinute = std::chrono::duration_cast<std::chrono::minutes>(from.time_since_epoch()).count();
        const auto toMinute = std::chrono::duration_cast<std::chrono::minutes>(to.time_since_epoch()).count();
        Clock::time_point t0 = Clock::now();
        const QList<models::SpeechBucket> buckets = models::aggregateMinutes(minutes, fromMinute, toMinute, 1000);
        const QList<std::int64_t> weekly = models::rollingTotals(minutes, buckets, 7 * 24 * 60);
        aggregate.append(msSince(t0));
        if (weekly.isEmpty()) {
            aggregate.last() = -1;
        }
        t0 = Clock::now();
        chart.setData(minutes, from, to, Caps::forPlan(Plan::Basic));
        const QImage image = chart.renderImage(size);
        render.append(image.isNull() ? -1 : msSince(t0));
    }
    table.append({QStringLiteral("chart: aggregate 7 days of minutes (%1 samples) (ms)").arg(minutes.size()),
                  fmt(median(aggregate), 2),
                  {}});
    table.append({QStringLiteral("chart: build + render %1x%2 offscreen (ms, %3 points)")
                      .arg(size.width())
                      .arg(size.height())
                      .arg(chart.bucketPointCount()),
                  fmt(median(render)), QStringLiteral("< 50")});
}

/** Runs this executable with `args` and returns its stdout; empty on failure or timeout. */
QByteArray runSelf(const QStringList& args, const QProcessEnvironment& env, int timeoutMs, QString* error) {
    QProcess child;
    child.setProcessEnvironment(env);
    child.setProcessChannelMode(QProcess::SeparateChannels);
    child.start(QCoreApplication::applicationFilePath(), args);
    if (!child.waitForFinished(timeoutMs)) {
        child.kill();
        child.waitForFinished(5000);
        *error = QStringLiteral("timed out after %1 ms").arg(timeoutMs);
        return {};
    }
    if (child.exitStatus() != QProcess::NormalExit || child.exitCode() != 0) {
        *error = QStringLiteral("exit code %1: %2")
                     .arg(child.exitCode())
                     .arg(QString::fromUtf8(child.readAllStandardError().right(400)));
        return {};
    }
    return child.readAllStandardOutput();
}

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

/** The test fixture's emulator script, under the source tree named by FAIRUSE_SOURCE_DIR (scripts/bench sets it). */
QString emulatorScript() {
    const QString root = qEnvironmentVariable("FAIRUSE_SOURCE_DIR");
    return root.isEmpty() ? QString() : root + QStringLiteral("/tests/fixtures/firestore/emulator.sh");
}

/** Writes `users` flagged users (state + one open event each) in commits of 500 writes. */
Status seedFirestore(services::FirestoreClient& client, int users, TimePoint now) {
    QList<services::FirestoreWrite> writes;
    writes.reserve(users * 2);
    const Stage stages[] = {Stage::Warning, Stage::Throttle, Stage::Restrict};
    const UsageType types[] = {UsageType::Audiobook, UsageType::Podcast,    UsageType::Prerecorded,
                               UsageType::TvMovie,   UsageType::Commercial, UsageType::Unknown};
    for (int i = 0; i < users; ++i) {
        FairUseState s;
        s.uid = QStringLiteral("bench-%1").arg(i, 6, 10, QLatin1Char('0'));
        s.stage = stages[i % 3];
        s.updatedAt = now - std::chrono::seconds(i * 7);
        s.lastViolationAt = s.updatedAt;
        s.violationCount7d = 1 + i % 4;
        s.violationCount30d = 1 + i % 9;
        s.lastClassifierScore = static_cast<double>((i * 37) % 100) / 100.0;
        s.lastClassifierType = types[i % 6];
        s.lastClassifierAt = s.updatedAt;
        FairUseEvent e;
        e.id = QStringLiteral("ev-%1").arg(i, 6, 10, QLatin1Char('0'));
        e.uid = s.uid;
        e.createdAt = *s.updatedAt;
        e.caseRef = QStringLiteral("FU-%1").arg(i, 12, 16, QLatin1Char('0')).toUpper();
        s.lastCaseRef = e.caseRef;
        e.trigger = CapWindow::Daily;
        e.windowSpeech = SpeechTotals{9'000'000, 20'000'000, 30'000'000};
        e.previousStage = Stage::None;
        e.newStage = s.stage;
        writes.append(services::FirestoreWrite::set(QStringLiteral("users/%1/fair_use_state/current").arg(s.uid),
                                                    services::encodeState(s)));
        writes.append(services::FirestoreWrite::set(QStringLiteral("users/%1/fair_use_events/%2").arg(s.uid, e.id),
                                                    services::encodeEvent(e)));
    }
    const auto done = services::awaitResult(client.commitInBatches(writes, 500), 150000);
    if (!done.ok()) {
        return done.error();
    }
    return {};
}

/** The requests behind a first page, alone, on the (now warm) emulator: where the time to first rows goes. */
void benchQueueRequests(QList<TableRow>& table, services::FirestoreClient& client) {
    services::FirestoreQuery q;
    q.collectionId = QStringLiteral("fair_use_state");
    q.allDescendants = true;
    q.filters = {{QStringLiteral("stage"), QStringLiteral("IN"),
                  services::FirestoreValue::array({services::FirestoreValue::string(toString(Stage::Warning)),
                                                   services::FirestoreValue::string(toString(Stage::Throttle)),
                                                   services::FirestoreValue::string(toString(Stage::Restrict))})}};
    q.orderBy = {{QStringLiteral("updated_at"), true}, {QStringLiteral("__name__"), true}};
    for (const int rows : {100, 10}) {
        q.limit = rows;
        QList<double> runs;
        QStringList uids;
        for (int run = 0; run < 5; ++run) {
            const Clock::time_point t0 = Clock::now();
            const auto page = services::awaitResult(client.runQuery(q), 60000);
            runs.append(page.ok() ? msSince(t0) : -1);
            if (page.ok() && uids.isEmpty()) {
                for (const services::FirestoreDocument& doc : *page) {
                    uids.append(doc.pathSegments().value(1));
                }
            }
        }
        table.append({QStringLiteral("firestore: page query alone, %1 rows, warm (ms, median of 5)").arg(rows),
                      fmt(median(runs)),
                      {}});
        if (rows == 100) {
            QStringList paths;
            for (const QString& uid : uids) {
                paths.append(QStringLiteral("fair_use_exemptions/%1").arg(uid));
            }
            QList<double> gets;
            for (int run = 0; run < 5; ++run) {
                const Clock::time_point t0 = Clock::now();
                gets.append(services::awaitResult(client.batchGet(paths), 60000).ok() ? msSince(t0) : -1);
            }
            table.append({QStringLiteral("firestore: exemptions batchGet of %1 (ms, median of 5)").arg(paths.size()),
                          fmt(median(gets)),
                          {}});
        }
    }
}

void benchFirestore(QList<TableRow>& table, int users, int loadTimeoutMs) {
    QString host = qEnvironmentVariable("FIRESTORE_EMULATOR_HOST");
    QTemporaryDir state;
    const QString script = emulatorScript();
    bool started = false;
    if (host.isEmpty()) {
        if (script.isEmpty() || !QFileInfo::exists(script)) {
            table.append({QStringLiteral("firestore emulator"),
                          QStringLiteral("skipped: set FIRESTORE_EMULATOR_HOST or FAIRUSE_SOURCE_DIR"),
                          {}});
            return;
        }
        const Clock::time_point t0 = Clock::now();
        // The script starts the emulator in its own process group and waits until it answers.
        QProcess::execute(QStringLiteral("bash"), {script, QStringLiteral("start"), state.path()});
        QFile hostFile(state.filePath(QStringLiteral("firestore.host")));
        if (!hostFile.open(QIODevice::ReadOnly)) {
            table.append({QStringLiteral("firestore emulator"), QStringLiteral("skipped: emulator not available"), {}});
            return;
        }
        host = QString::fromUtf8(hostFile.readAll()).trimmed();
        started = true;
        table.append({QStringLiteral("firestore: emulator start (ms)"), fmt(msSince(t0), 0), {}});
    }
    {
        services::FirestoreConfig config;
        config.projectId = QStringLiteral("bench-queue-%1").arg(QCoreApplication::applicationPid());
        config.emulatorHost = host;
        auto client = std::make_shared<services::FirestoreClient>(config, services::StaticToken::emulatorOwner());
        const TimePoint now = std::chrono::floor<std::chrono::seconds>(
            TimePoint(std::chrono::milliseconds(QDateTime::currentMSecsSinceEpoch())));
        Clock::time_point t0 = Clock::now();
        const Status seeded = seedFirestore(*client, users, now);
        if (!seeded.ok()) {
            table.append({QStringLiteral("firestore: seeding failed"), seeded.error().message, {}});
        } else {
            table.append({QStringLiteral("firestore: seed %1 users + 1 event each, 500 writes/commit (ms)").arg(users),
                          fmt(msSince(t0), 0),
                          {}});
            // The store without per-row enrichment, as the console runs it (one query + one exemptions batchGet per
            // page; the model reads open cases and last action for the rows in view): first right after seeding,
            // when the emulator's JVM has not run this query yet, then again on the warm emulator (as a server that
            // has been up for a while answers). Last, with enrichment (two more queries per row, per page).
            for (const int run : {0, 1, 2}) {
                const bool enrich = run == 2;
                models::Backend backend;
                services::FirestoreCaseStore::Options storeOptions;
                storeOptions.enrichQueueRows = enrich;
                // A client per run: a run cut off by its time limit must not leave requests queued ahead of the next.
                auto runClient =
                    std::make_shared<services::FirestoreClient>(config, services::StaticToken::emulatorOwner());
                backend.cases = std::make_shared<services::FirestoreCaseStore>(runClient, storeOptions);
                backend.now = [now] { return now; };
                backend.profileName = QStringLiteral("bench");
                const QString label = QStringLiteral("firestore %1 (%2)")
                                          .arg(users)
                                          .arg(enrich     ? QStringLiteral("rows enriched in the page")
                                               : run == 0 ? QStringLiteral("console, first query after seeding")
                                                          : QStringLiteral("console, emulator warm"));
                addQueueRows(table, label, measureQueue(backend, enrich ? loadTimeoutMs : loadTimeoutMs / 2));
            }
            benchQueueRequests(table, *client);
            table.append(
                {QStringLiteral("firestore: peak RSS so far (MiB)"), fmt(peakRssMiB(), 0), QStringLiteral("< 300")});
        }
    }
    if (started) {
        QProcess::execute(QStringLiteral("bash"), {script, QStringLiteral("stop"), state.path()});
    }
}

} // namespace

int runBenchSeed(int flaggedUsers, const QString& dbPath) {
    QTextStream out(stdout);
    const TimePoint reference = std::chrono::floor<std::chrono::minutes>(
        TimePoint(std::chrono::milliseconds(QDateTime::currentMSecsSinceEpoch())));
    auto db = services::EmbeddedDatabase::openBlocking(dbPath);
    if (!db.ok()) {
        out << "bench-seed: cannot open " << dbPath << ": " << db.error().message << Qt::endl;
        return 1;
    }
    services::DemoOptions options;
    options.referenceTime = reference;
    options.users = 500;
    options.flaggedPerKind = 4;
    options.bulkFlagged = flaggedUsers;
    const services::DemoPopulation population = services::generateDemoPopulation(options);
    const Status written = services::writeToEmbedded(population, **db);
    if (!written.ok()) {
        out << "bench-seed: seeding failed: " << written.error().message << Qt::endl;
        return 1;
    }
    out << "seeded " << population.states.size() << " users" << Qt::endl;
    return 0;
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

int runQueueBench(const QueueBenchOptions& options) {
    QTextStream out(stdout);
    const Clock::time_point benchStart = Clock::now();
    QList<TableRow> table;
    QTemporaryDir tmp;
    const QString dbPath = options.dbPath.isEmpty() ? tmp.filePath(QStringLiteral("bench.sqlite")) : options.dbPath;

    if (!QFileInfo::exists(dbPath)) {
        // Seeded by a child process, so the generator's memory does not count towards the console's RSS.
        QString error;
        const Clock::time_point t0 = Clock::now();
        if (runSelf({QStringLiteral("--seed"), QString::number(options.embeddedUsers), QStringLiteral("--db"), dbPath},
                    QProcessEnvironment::systemEnvironment(), 170000, &error)
                .isEmpty()) {
            out << "fairuse_bench_queue: seeding failed: " << error << Qt::endl;
            return 1;
        }
        table.append({QStringLiteral("embedded: seed %1 flagged users (child process) (ms)").arg(options.embeddedUsers),
                      fmt(msSince(t0), 0),
                      {}});
    }

    {
        services::EmbeddedStores stores = services::makeEmbeddedStores(dbPath);
        if (!services::awaitResult(stores.database->ready(), 60000).ok()) {
            out << "fairuse_bench_queue: the embedded store did not open" << Qt::endl;
            return 1;
        }
        models::Backend backend;
        backend.usage = stores.usage;
        backend.cases = stores.cases;
        backend.classifier = std::make_shared<services::HeuristicClassifierService>();
        backend.profileName = QStringLiteral("bench");
        addQueueRows(table, QStringLiteral("embedded"), measureQueue(backend, 120000));
        table.append(
            {QStringLiteral("embedded: peak RSS, VmHWM (MiB)"), fmt(peakRssMiB(), 0), QStringLiteral("< 300")});
    }

    benchChart(table);
    benchStartup(table, options.startupRuns);
    if (options.firestoreUsers > 0) {
        benchFirestore(table, options.firestoreUsers, 40000);
    }
    table.append({QStringLiteral("whole bench (s)"), fmt(msSince(benchStart) / 1000.0), {}});

    int width = 0;
    for (const TableRow& r : table) {
        width = std::max(width, static_cast<int>(r.what.size()));
    }
    out << QStringLiteral("%1  %2  %3")
               .arg(QStringLiteral("measure"), -width)
               .arg(QStringLiteral("value"), -22)
               .arg(QStringLiteral("target"))
        << Qt::endl;
    for (const TableRow& r : table) {
        out << QStringLiteral("%1  %2  %3").arg(r.what, -width).arg(r.value, -22).arg(r.target) << Qt::endl;
    }
    return 0;
}

} // namespace fairuse::bench
