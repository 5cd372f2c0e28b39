// fairuse_bench_dashboard: the team dashboard over 100,000 audit records and 10,000 cases on the embedded store, from
// "Refresh" to the charts painted (audit trail paged, users' cases and appeals read, figures computed off the GUI
// thread, four charts built and rendered), for the last 90 days (every record) and the last 30; the core's computation
// alone; and the longest stall of the GUI thread meanwhile. Prints a table of figures against their targets
// (docs/performance.md).
//
//   fairuse_bench_dashboard [--records N] [--cases N] [--users N] [--runs N]

#include "DashboardLoader.h"
#include "DashboardView.h"
#include "QueueBenchSupport.h"
#include "casework/Dashboard.h"
#include "common/Await.h"
#include "embedded/DemoEmbeddedWriter.h"
#include "embedded/DemoPopulation.h"
#include "embedded/EmbeddedStore.h"

#include <QApplication>
#include <QComboBox>
#include <QCommandLineParser>
#include <QImage>
#include <QTemporaryDir>
#include <QTextStream>

#include <algorithm>
#include <array>
#include <random>

using namespace fairuse;
using namespace fairuse::bench;

namespace {

const QList<UsageType> kTypes{UsageType::Audiobook, UsageType::Podcast,    UsageType::Prerecorded,
                              UsageType::TvMovie,   UsageType::Commercial, UsageType::Unknown};

/** `cases` cases of `users` flagged users over the 90 days before `now`, most of them claimed and resolved by one of
 *  twenty reviewers, and notes until the audit trail holds `records` records. */
services::DemoPopulation population(TimePoint now, int records, int cases, int users) {
    std::mt19937_64 rng(20261205);
    auto uniform = [&rng](std::int64_t lo, std::int64_t hi) {
        return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng);
    };
    services::DemoPopulation pop;
    pop.referenceTime = now;
    for (int u = 0; u < users; ++u) {
        FairUseState s;
        s.uid = QStringLiteral("bench-user-%1").arg(u, 6, 10, QLatin1Char('0'));
        s.stage = Stage::Warning;
        s.updatedAt = now - std::chrono::minutes(u);
        pop.states.append(s);
    }
    constexpr std::int64_t kHourMs = 3'600'000;
    const std::int64_t span = 90 * 24 * kHourMs;
    QList<AuditRecord> audit;
    auto add = [&audit](AuditAction action, const QString& reviewer, const QString& uid, TimePoint at) {
        AuditRecord r;
        r.at = at;
        r.reviewer = reviewer;
        r.action = action;
        r.uid = uid;
        r.clientVersion = QStringLiteral("bench");
        audit.append(r);
    };
    for (int c = 0; c < cases; ++c) {
        FairUseEvent e;
        e.uid = pop.states.at(c % users).uid;
        e.id = QStringLiteral("e%1").arg(c);
        e.caseRef = QStringLiteral("FU-%1").arg(static_cast<qulonglong>(c), 12, 16, QLatin1Char('0')).toUpper();
        e.createdAt = now - Milliseconds(uniform(0, span));
        e.newStage = Stage::Warning;
        ClassifierResult cr;
        cr.usageType = kTypes.at(c % kTypes.size());
        cr.misuseScore = 0.8;
        e.classifier = cr;
        const QString reviewer = QStringLiteral("reviewer%1@fairuse.example").arg(c % 20);
        const TimePoint resolvedAt = e.createdAt + Milliseconds(uniform(kHourMs, 60 * kHourMs));
        if (c % 5 != 0 && resolvedAt < now) {
            e.resolved = true;
            e.resolvedAt = resolvedAt;
            e.resolvedBy = reviewer;
            e.outcome = c % 4 == 0 ? Outcome::FalsePositive : Outcome::Confirmed;
            add(AuditAction::Claim, reviewer, e.uid, resolvedAt - Milliseconds(uniform(60'000, 2 * kHourMs)));
            add(AuditAction::Resolve, reviewer, e.uid, resolvedAt);
        }
        pop.events.append(e);
    }
    while (audit.size() < records) {
        const int c = static_cast<int>(uniform(0, cases - 1));
        add(AuditAction::AddNote, QStringLiteral("reviewer%1@fairuse.example").arg(c % 20), pop.events.at(c).uid,
            now - Milliseconds(uniform(0, span)));
    }
    std::sort(audit.begin(), audit.end(), [](const AuditRecord& a, const AuditRecord& b) { return a.at < b.at; });
    for (qsizetype i = 0; i < audit.size(); ++i) {
        audit[i].sequence = i + 1;
        audit[i].prevHash = i == 0 ? QString() : audit[i - 1].hash;
        audit[i].hash = QStringLiteral("%1").arg(i + 1, 64, 16, QLatin1Char('0'));
    }
    pop.audit = std::move(audit);
    return pop;
}

} // namespace

int main(int argc, char* argv[]) {
    QApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    const QCommandLineOption recordsOpt(QStringLiteral("records"), QStringLiteral("Audit records."),
                                        QStringLiteral("N"), QStringLiteral("100000"));
    const QCommandLineOption casesOpt(QStringLiteral("cases"), QStringLiteral("Cases."), QStringLiteral("N"),
                                      QStringLiteral("10000"));
    const QCommandLineOption usersOpt(QStringLiteral("users"), QStringLiteral("Flagged users owning the cases."),
                                      QStringLiteral("N"), QStringLiteral("2000"));
    const QCommandLineOption runsOpt(QStringLiteral("runs"), QStringLiteral("Runs per figure (median)."),
                                     QStringLiteral("N"), QStringLiteral("5"));
    parser.addOptions({recordsOpt, casesOpt, usersOpt, runsOpt});
    parser.process(app);
    const int records = std::max(1, parser.value(recordsOpt).toInt());
    const int cases = std::max(1, parser.value(casesOpt).toInt());
    const int users = std::clamp(parser.value(usersOpt).toInt(), 1, cases);
    const int runs = std::max(1, parser.value(runsOpt).toInt());
    QTextStream out(stdout);
    QList<TableRow> table;

    const TimePoint now = parseRfc3339(QStringLiteral("2026-03-20T10:00:00Z")).value();
    QTemporaryDir tmp;
    services::EmbeddedStores stores = services::makeEmbeddedStores(tmp.filePath(QStringLiteral("dashboard.sqlite")));
    if (!services::awaitResult(stores.database->ready(), 60000).ok()) {
        QTextStream(stderr) << "fairuse_bench_dashboard: cannot open the embedded store" << Qt::endl;
        return 1;
    }
    Clock::time_point t0 = Clock::now();
    const services::DemoPopulation pop = population(now, records, cases, users);
    if (Status s = services::writeToEmbedded(pop, *stores.database); !s) {
        QTextStream(stderr) << "fairuse_bench_dashboard: seeding failed: " << s.error().message << Qt::endl;
        return 1;
    }
    table.append({QStringLiteral("seed %1 audit records, %2 cases, %3 users (ms)")
                      .arg(pop.audit.size())
                      .arg(pop.events.size())
                      .arg(users),
                  fmt(msSince(t0), 0),
                  {}});

    // The core alone, on everything in memory.
    {
        casework::DashboardInput in{pop.audit, pop.events, {}};
        QList<double> compute;
        for (int run = 0; run < runs; ++run) {
            t0 = Clock::now();
            const casework::DashboardFigures f =
                casework::computeDashboard(in, now - std::chrono::days(90), now + std::chrono::milliseconds(1));
            compute.append(f.days.isEmpty() ? -1 : msSince(t0));
        }
        table.append({QStringLiteral("core: computeDashboard, 90 days (ms)"), fmt(median(compute), 1), {}});
    }

    models::Backend backend;
    backend.usage = stores.usage;
    backend.cases = stores.cases;
    backend.reviewer = Reviewer{QStringLiteral("bench@fairuse.example"), Role::Admin};
    backend.profileName = QStringLiteral("Bench");
    backend.now = [now] { return now; };

    ui::DashboardView view(backend);
    view.resize(1400, 900);
    auto* period = view.findChild<QComboBox*>(QStringLiteral("periodCombo"));
    struct Sample {
        double total = 0;
        double load = 0;
        double stall = 0;
        double audit = 0;
        double users = 0;
        double compute = 0;
    };
    // One refresh with the loader in one mode: the period's cases in one query, or user by user (stores without it).
    auto measureOnce = [&](bool periodQuery, Sample& sample) {
        view.loader()->setPeriodQuery(periodQuery);
        bool done = false;
        QString step;
        Clock::time_point stepStart = Clock::now();
        const QMetaObject::Connection p = QObject::connect(
            view.loader(), &models::DashboardLoader::progress, &view, [&](const QString& what, int, int) {
                // The cases (or the queue) are read alongside the audit trail, so the first step covers both.
                const QString kind = what.startsWith(QStringLiteral("Reading the audit")) ? QStringLiteral("audit")
                                     : what.startsWith(QStringLiteral("Reading cases"))   ? QStringLiteral("users")
                                                                                          : what;
                if (kind == step) {
                    return;
                }
                const double ms = msSince(stepStart);
                if (step == QStringLiteral("audit")) {
                    sample.audit = ms;
                } else if (step == QStringLiteral("users")) {
                    sample.users = ms;
                }
                step = kind;
                stepStart = Clock::now();
            });
        const QMetaObject::Connection c =
            QObject::connect(&view, &ui::DashboardView::refreshed, &view, [&done] { done = true; });
        t0 = Clock::now();
        view.refresh();
        if (!spin([&done] { return done; }, 60000, &sample.stall) || view.figures().days.isEmpty()) {
            QTextStream(stderr) << "fairuse_bench_dashboard: " << view.statusText() << Qt::endl;
            return false;
        }
        sample.load = msSince(t0);
        sample.compute = msSince(stepStart);
        QObject::disconnect(p);
        const QImage image = view.grab().toImage(); // builds the layout and paints all four charts
        sample.total = image.isNull() ? -1 : msSince(t0);
        QObject::disconnect(c);
        return true;
    };
    for (const int index : {2, 1}) {
        period->blockSignals(true);
        period->setCurrentIndex(index);
        period->blockSignals(false);
        // Both modes run alternately, side by side, so the machine's load weighs on them alike.
        std::array<QList<Sample>, 2> samples;
        std::array<qsizetype, 2> read{};
        std::array<qsizetype, 2> caseCount{};
        std::array<casework::DashboardFigures, 2> figures;
        for (int run = 0; run < runs; ++run) {
            for (int mode = 0; mode < 2; ++mode) {
                Sample sample;
                if (!measureOnce(mode == 0, sample)) {
                    return 1;
                }
                samples.at(static_cast<std::size_t>(mode)).append(sample);
                read.at(static_cast<std::size_t>(mode)) = view.loader()->auditRecordsRead();
                caseCount.at(static_cast<std::size_t>(mode)) = view.loader()->casesRead();
                figures.at(static_cast<std::size_t>(mode)) = view.figures();
            }
        }
        const int days = view.periodDays();
        const auto medianOf = [](const QList<Sample>& list, double Sample::*field) {
            QList<double> values;
            for (const Sample& s : list) {
                values.append(s.*field);
            }
            return median(values);
        };
        for (int mode = 0; mode < 2; ++mode) {
            const auto m = static_cast<std::size_t>(mode);
            const QString how = mode == 0 ? QStringLiteral("cases in one query") : QStringLiteral("cases per user");
            table.append({QStringLiteral("dashboard %1 days, %2: read + compute (ms; %3 records, %4 cases read)")
                              .arg(days)
                              .arg(how)
                              .arg(read.at(m))
                              .arg(caseCount.at(m)),
                          fmt(medianOf(samples.at(m), &Sample::load), 0),
                          {}});
            table.append({QStringLiteral("dashboard %1 days, %2: steps: audit trail + cases / appeals (or cases + "
                                         "appeals) / compute + charts built (ms)")
                              .arg(days)
                              .arg(how),
                          QStringLiteral("%1 / %2 / %3")
                              .arg(fmt(medianOf(samples.at(m), &Sample::audit), 0),
                                   fmt(medianOf(samples.at(m), &Sample::users), 0),
                                   fmt(medianOf(samples.at(m), &Sample::compute), 0)),
                          {}});
            table.append(
                {QStringLiteral("dashboard %1 days, %2: refresh to charts painted, 1400x900 (ms)").arg(days).arg(how),
                 fmt(medianOf(samples.at(m), &Sample::total), 0), QStringLiteral("< 1000")});
            table.append({QStringLiteral("dashboard %1 days, %2: longest GUI-thread stall while reading (ms)")
                              .arg(days)
                              .arg(how),
                          fmt(medianOf(samples.at(m), &Sample::stall), 0),
                          {}});
        }
        table.append({QStringLiteral("dashboard %1 days: per user / one query, refresh to painted (ratio)").arg(days),
                      fmt(medianOf(samples.at(1), &Sample::total) / medianOf(samples.at(0), &Sample::total), 2),
                      {}});
        // The two ways of reading must give the same queue (the one query reads every case open in the period;
        // user by user misses only cases of users neither flagged nor named in the period's records).
        table.append({QStringLiteral("dashboard %1 days: same figures both ways (decisions, SLA breaches, overturn "
                                     "rows)")
                          .arg(days),
                      figures.at(0).totalDecisions == figures.at(1).totalDecisions &&
                              figures.at(0).slaBreaches == figures.at(1).slaBreaches &&
                              figures.at(0).overturnByUsage == figures.at(1).overturnByUsage
                          ? QStringLiteral("yes")
                          : QStringLiteral("NO"),
                      {}});
    }

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
