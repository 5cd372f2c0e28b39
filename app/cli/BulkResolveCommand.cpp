// fairuse bulk-resolve: many cases with one outcome, through the core and FirestoreCaseStore::applyBatch (the
// console's bulk commits), under the signed-in reviewer's ID token, with one idempotency key per case.
#include "CaseResolution.h"
#include "ReviewerSession.h"

#include "audit/CaseRef.h"
#include "common/Await.h"

#include <QElapsedTimer>
#include <QFile>
#include <QHash>

#include <algorithm>

namespace fairuse::cli {

namespace {

const char* const kHelp =
    "Usage: fairuse bulk-resolve --cases FILE|- --outcome confirmed|false_positive|no_action --reason-code CODE\n"
    "                            [--notes TEXT] [--verdict VERDICT] [--json] [--redis URL] [PROJECT OPTIONS]\n"
    "\n"
    "Resolves every case listed in FILE (or standard input for -) with one outcome, as the signed-in reviewer\n"
    "(fairuse login). One case reference per line, as pasted: any case, with or without FU-, surrounding spaces\n"
    "ignored; blank lines and # comments are skipped. A line that is not a reference, a case that does not exist\n"
    "or cannot be resolved is reported for that line, and the others still go on.\n"
    "\n"
    "The cases are sent in the console's bulk commits (CaseStore::applyBatch: each case all or nothing, a few\n"
    "cases per commit, sized for the project's security rules), each under the key cli-resolve:CASE:OUTCOME:UID.\n"
    "Running the same file again therefore applies nothing twice: those cases are reported as already applied.\n"
    "Cases of one user are resolved oldest first; after a false_positive lowered the user's stage, the next case of\n"
    "that user is built on the new stage. A progress line per commit goes to standard error.\n"
    "\n"
    "Options:\n"
    "  --cases FILE|-          the case references (required)\n"
    "  --outcome OUTCOME       confirmed, false_positive or no_action (required)\n"
    "  --reason-code CODE      a reason code of the policy for every case (required; other needs --notes)\n"
    "  --notes TEXT            notes added to every case\n"
    "  --verdict VERDICT       the same verdict on the classifier of every case that has one (labels)\n"
    "  --json                  JSON lines: one object per listed line, in the file's order: {line, input, case_ref,\n"
    "                          uid, status, message, stage_before, stage_after, audit: {sequence, reviewer,\n"
    "                          reviewer_uid, role, ...} or null, stage_cache}. status is resolved, already_applied,\n"
    "                          invalid, duplicate, not_found, conflict, refused or failed\n"
    "%2"
    "\n"
    "%1"
    "\n"
    "Exit status: 0 every case resolved or already applied (duplicates aside); 1 at least one case was not (each\n"
    "says why), or not signed in; 2 bad usage.\n";

/** Lookups and state reads sent at once. */
constexpr int kReadsInFlight = 16;
/** Document reads the security rules allow a commit (FirestoreCaseStore::kRuleReadsLimit), of which the audit head
 *  before and after and the record before the first take three: the store sizes its commits the same way, so one
 *  applyBatch call here is one commit there unless a conflict splits it. */
constexpr int kRuleReadsPerCommit = services::FirestoreCaseStore::kRuleReadsLimit - 3;

int ruleReads(const ChangeSet& change) {
    return 1 + (change.newState ? 1 : 0) + (change.newEvent ? 1 : 0) + (change.exempt ? 1 : 0);
}

/** The jobs of the listed lines; Invalid when the file cannot be read. */
Result<QList<CaseJob>> readCases(const QString& path) {
    QFile file;
    const bool opened = path == QLatin1String("-")
                            ? file.open(stdin, QIODevice::ReadOnly | QIODevice::Text)
                            : (file.setFileName(path), file.open(QIODevice::ReadOnly | QIODevice::Text));
    if (!opened) {
        return Error::notFound(QStringLiteral("cannot read %1: %2").arg(path, file.errorString()));
    }
    QList<CaseJob> jobs;
    QHash<QString, int> firstLine;
    int lineNumber = 0;
    while (!file.atEnd()) {
        ++lineNumber;
        QString text = QString::fromUtf8(file.readLine());
        if (const qsizetype hash = text.indexOf(QLatin1Char('#')); hash >= 0) {
            text.truncate(hash);
        }
        text = text.trimmed();
        if (text.isEmpty()) {
            continue;
        }
        CaseJob job;
        job.line = lineNumber;
        job.input = text;
        job.caseRef = normaliseCaseRef(text);
        if (job.caseRef.isEmpty()) {
            job.status = CaseStatus::Invalid;
            job.message = QStringLiteral("not a case reference (FU- and 12 hexadecimal digits)");
        } else if (const auto seen = firstLine.constFind(job.caseRef); seen != firstLine.cend()) {
            job.status = CaseStatus::Duplicate;
            job.message = QStringLiteral("the same case as line %1").arg(*seen);
        } else {
            firstLine.insert(job.caseRef, lineNumber);
        }
        jobs.append(std::move(job));
    }
    return jobs;
}

/** One bulk run: the jobs, the users' states, the store. */
class BulkRun {
public:
    BulkRun(QList<CaseJob> jobs, Reviewing& reviewing, ResolveRequest request, Io io)
        : m_jobs(std::move(jobs))
        , m_store(*reviewing.store)
        , m_request(std::move(request))
        , m_io(io) {}

    void lookUpCases();
    void readStates();
    void resolve();
    void dropStageCaches(StageCache* cache);

    const QList<CaseJob>& jobs() const { return m_jobs; }
    qint64 commits() const { return m_store.writeStats().commitRequests; }

private:
    struct User {
        FairUseState state;
        std::optional<Casework> casework; ///< the escalation and snooze the user's first resolve here ends
        QList<int> jobs;                  ///< indexes into m_jobs, oldest case first
        qsizetype next = 0;
    };
    QList<int> pendingJobs() const;
    void sendRound(const QList<int>& round);
    void progress(int jobsInCommit, qint64 commitsBefore);

    QList<CaseJob> m_jobs;
    services::FirestoreCaseStore& m_store;
    ResolveRequest m_request;
    Io m_io;
    QHash<QString, User> m_users;
    QStringList m_userOrder;
    QElapsedTimer m_clock;
    int m_done = 0;
    int m_sent = 0;
};

QList<int> BulkRun::pendingJobs() const {
    QList<int> out;
    for (int i = 0; i < m_jobs.size(); ++i) {
        if (m_jobs.at(i).status == CaseStatus::Pending) {
            out.append(i);
        }
    }
    return out;
}

void BulkRun::lookUpCases() {
    m_clock.start();
    const QList<int> pending = pendingJobs();
    for (qsizetype start = 0; start < pending.size(); start += kReadsInFlight) {
        const QList<int> wave = pending.mid(start, kReadsInFlight);
        QList<services::Async<FairUseEvent>> lookups;
        for (int index : wave) {
            lookups.append(m_store.findByCaseRef(m_jobs.at(index).caseRef));
        }
        for (qsizetype k = 0; k < wave.size(); ++k) {
            CaseJob& job = m_jobs[wave.at(k)];
            const Result<FairUseEvent> event = services::awaitResult(lookups.at(k), kCallTimeoutMs);
            if (event) {
                job.event = *event;
            } else if (event.error().kind == ErrorKind::NotFound) {
                job.status = CaseStatus::NotFound;
                job.message = QStringLiteral("no case has this reference");
            } else {
                job.status = CaseStatus::Failed;
                job.message = event.error().message;
            }
        }
    }
}

void BulkRun::readStates() {
    for (int index : pendingJobs()) {
        const QString& uid = m_jobs.at(index).event.uid;
        if (!m_users.contains(uid)) {
            m_userOrder.append(uid);
        }
        m_users[uid].jobs.append(index);
    }
    // Every escalated or snoozed user in one small query (a document exists only while a case is either).
    const Result<QList<Casework>> casework = services::awaitResult(m_store.listCasework(), kCallTimeoutMs);
    for (qsizetype start = 0; start < m_userOrder.size(); start += kReadsInFlight) {
        const QStringList wave = m_userOrder.mid(start, kReadsInFlight);
        QList<services::Async<FairUseState>> reads;
        for (const QString& uid : wave) {
            reads.append(m_store.getState(uid));
        }
        for (qsizetype k = 0; k < wave.size(); ++k) {
            User& user = m_users[wave.at(k)];
            const Result<FairUseState> state = services::awaitResult(reads.at(k), kCallTimeoutMs);
            if (state && casework) {
                user.state = *state;
                const auto it = std::find_if(casework->cbegin(), casework->cend(),
                                             [&wave, k](const Casework& c) { return c.uid == wave.at(k); });
                user.casework = it == casework->cend() ? std::nullopt : std::optional<Casework>(*it);
            } else {
                for (int index : std::as_const(user.jobs)) {
                    m_jobs[index].status = CaseStatus::Failed;
                    m_jobs[index].message =
                        state ? QStringLiteral("could not read the user's escalation and snooze: %1")
                                    .arg(casework.error().message)
                              : QStringLiteral("could not read the user's state: %1").arg(state.error().message);
                }
                user.jobs.clear();
            }
            // The user's stage steps in the order the cases happened.
            std::stable_sort(user.jobs.begin(), user.jobs.end(), [this](int a, int b) {
                return m_jobs.at(a).event.createdAt < m_jobs.at(b).event.createdAt;
            });
        }
    }
}

void BulkRun::resolve() {
    const enforcement::Policy policy = enforcement::Policy::forReview();
    for (;;) {
        // One round: every user's next cases, up to and including one that changes the user's state; the case after
        // it must be built on the state the store reports, so it waits for the next round.
        QList<int> round;
        // Each round at its own time: a case built on the state the previous round left must move updated_at on,
        // or the security rules see a stage change that does not explain itself.
        m_request.now = std::max(systemNow(), m_request.now + std::chrono::milliseconds{1});
        for (const QString& uid : std::as_const(m_userOrder)) {
            User& user = m_users[uid];
            while (user.next < user.jobs.size()) {
                const int index = user.jobs.at(user.next++);
                CaseJob& job = m_jobs[index];
                planResolve(job, policy, user.state, user.casework, m_request);
                if (job.change && job.change->caseworkChange) {
                    user.casework.reset(); // this resolve ends it; the user's later cases have none to end
                }
                if (!job.change) {
                    ++m_done;
                    continue;
                }
                round.append(index);
                if (!job.probe && job.change->newState) {
                    break;
                }
            }
        }
        if (round.isEmpty()) {
            return;
        }
        sendRound(round);
    }
}

void BulkRun::sendRound(const QList<int>& round) {
    QList<int> chunk;
    int reads = 0;
    const auto send = [this, &chunk, &reads]() {
        QList<ChangeSet> changes;
        for (int index : std::as_const(chunk)) {
            changes.append(*m_jobs.at(index).change);
        }
        const qint64 commitsBefore = commits();
        const auto answers = services::awaitResult(m_store.applyBatch(changes), kCallTimeoutMs * 4);
        for (qsizetype k = 0; k < chunk.size(); ++k) {
            CaseJob& job = m_jobs[chunk.at(k)];
            settleResolve(job, answers ? answers->value(k, Result<CommitResult>(Error::internal(
                                                               QStringLiteral("no answer for this case"))))
                                       : Result<CommitResult>(answers.error()));
            if (job.status == CaseStatus::Resolved && job.change->newState) {
                User& user = m_users[job.event.uid];
                user.state = *job.change->newState;
                user.state.version = answers->at(k)->stateVersion;
            }
        }
        m_done += static_cast<int>(chunk.size());
        progress(static_cast<int>(chunk.size()), commitsBefore);
        chunk.clear();
        reads = 0;
    };
    for (int index : round) {
        const int r = ruleReads(*m_jobs.at(index).change);
        if (!chunk.isEmpty() && reads + r > kRuleReadsPerCommit) {
            send();
        }
        chunk.append(index);
        reads += r;
        if (m_jobs.at(index).change->caseworkChange) {
            send(); // the rules read the casework's end from the commit's newest record: this one
        }
    }
    if (!chunk.isEmpty()) {
        send();
    }
}

void BulkRun::progress(int jobsInCommit, qint64 commitsBefore) {
    int resolved = 0;
    int already = 0;
    int failed = 0;
    for (const CaseJob& job : std::as_const(m_jobs)) {
        resolved += job.status == CaseStatus::Resolved ? 1 : 0;
        already += job.status == CaseStatus::AlreadyApplied ? 1 : 0;
        failed +=
            job.status != CaseStatus::Pending && !succeeded(job.status) && job.status != CaseStatus::Duplicate ? 1 : 0;
    }
    const qint64 commitsNow = commits();
    m_io.err << "bulk-resolve: " << jobsInCommit << " case(s) sent, "
             << (commitsNow == commitsBefore
                     ? QStringLiteral("nothing to commit")
                     : QStringLiteral("commit %1%2")
                           .arg(commitsNow)
                           .arg(commitsNow - commitsBefore > 1
                                    ? QStringLiteral(" (%1 commits)").arg(commitsNow - commitsBefore)
                                    : QString()))
             << "; " << m_done << "/" << m_jobs.size() << " lines done: " << resolved << " resolved, " << already
             << " already applied, " << failed << " not resolved; "
             << QString::number(static_cast<double>(m_clock.elapsed()) / 1000.0, 'f', 1) << " s\n";
    m_io.err.flush();
}

void BulkRun::dropStageCaches(StageCache* cache) {
    QHash<QString, StageCache::Report> reports;
    for (CaseJob& job : m_jobs) {
        if (!job.changedStage()) {
            continue;
        }
        if (!cache) {
            continue;
        }
        const QString& uid = job.event.uid;
        if (!reports.contains(uid)) {
            reports.insert(uid, cache->drop(uid));
            const StageCache::Report& report = reports.value(uid);
            if (report.outcome == StageCache::Outcome::Failed) {
                m_io.err << "bulk-resolve: " << StageCache::describe(uid, report) << "\n";
            }
        }
        job.stageCache = StageCache::name(reports.value(uid).outcome);
        job.stageCacheError = reports.value(uid).error;
    }
}

} // namespace

int runBulkResolve(const QStringList& args, Io io) {
    const QString command = QStringLiteral("bulk-resolve");
    const QCommandLineOption casesOption(QStringLiteral("cases"), QString(), QStringLiteral("FILE"));
    const ResolveOptions resolveOptions;
    CommandLine cli(QList<QCommandLineOption>{casesOption} + resolveOptions.options() + StageCache::options());
    if (const std::optional<int> exit = cli.parse(command, args, 0, StageCache::commandHelp(kHelp), io)) {
        return *exit;
    }
    if (!cli.parser.isSet(casesOption) || cli.parser.value(casesOption).isEmpty()) {
        return usageError(io, command, QStringLiteral("--cases FILE (or - for standard input) is required"));
    }
    const Result<ResolveOptions::Values> how = resolveOptions.read(cli.parser, enforcement::Policy::forReview());
    if (!how) {
        return usageError(io, command, how.error().message);
    }
    const auto cache = StageCache::fromOptions(cli.parser);
    if (!cache) {
        return usageError(io, command, cache.error().message);
    }
    CliSettings settings;
    const Result<Target> target = chooseTarget(cli, settings);
    if (!target) {
        return targetFailure(io, command, target.error());
    }
    auto jobs = readCases(cli.parser.value(casesOption));
    if (!jobs) {
        return fail(io, command, jobs.error().message);
    }
    Result<Reviewing> reviewing = restoreReviewer(*target);
    if (!reviewing) {
        return fail(io, command, reviewing.error().message);
    }
    io.err << "bulk-resolve: " << jobs->size() << " line(s) as " << reviewing->reviewer.email << " ("
           << toString(reviewing->reviewer.role) << ") on " << reviewing->store->describe() << "\n";
    io.err.flush();

    QElapsedTimer clock;
    clock.start();
    BulkRun run(std::move(*jobs), *reviewing,
                ResolveRequest{how->outcome, how->reasonCode, how->notes, how->verdict, reviewing->reviewer,
                               systemNow(), clientVersion()},
                io);
    run.lookUpCases();
    run.readStates();
    run.resolve();
    run.dropStageCaches(cache->get());

    QHash<int, int> counts; // by CaseStatus
    bool allWell = true;
    for (const CaseJob& job : run.jobs()) {
        ++counts[static_cast<int>(job.status)];
        allWell = allWell && (succeeded(job.status) || job.status == CaseStatus::Duplicate);
        if (cli.parser.isSet(cli.project.json)) {
            printJson(io, job.toJson(true));
        } else {
            io.out << QStringLiteral("%1  %2  %3  %4\n")
                          .arg(job.line, 5)
                          .arg(job.caseRef.isEmpty() ? job.input.left(20) : job.caseRef, -20)
                          .arg(statusName(job.status), -15)
                          .arg(job.message);
        }
    }
    bool stageChanged = false;
    for (const CaseJob& job : run.jobs()) {
        stageChanged = stageChanged || job.changedStage();
    }
    if (stageChanged && !cache->get()) {
        io.err << "bulk-resolve: some stages changed; the backend's cached stages run out within 60 s (pass --redis "
                  "URL to delete them at once)\n";
    }
    io.err << "bulk-resolve: " << run.jobs().size() << " line(s) in "
           << QString::number(static_cast<double>(clock.elapsed()) / 1000.0, 'f', 1) << " s, " << run.commits()
           << " commit(s): " << counts.value(static_cast<int>(CaseStatus::Resolved)) << " resolved, "
           << counts.value(static_cast<int>(CaseStatus::AlreadyApplied)) << " already applied, "
           << counts.value(static_cast<int>(CaseStatus::Duplicate)) << " duplicate, "
           << counts.value(static_cast<int>(CaseStatus::Invalid)) << " invalid, "
           << counts.value(static_cast<int>(CaseStatus::NotFound)) << " not found, "
           << counts.value(static_cast<int>(CaseStatus::Conflict)) << " conflict, "
           << counts.value(static_cast<int>(CaseStatus::Refused)) << " refused, "
           << counts.value(static_cast<int>(CaseStatus::Failed)) << " failed\n";
    return allWell ? kExitOk : kExitFailed;
}

} // namespace fairuse::cli
