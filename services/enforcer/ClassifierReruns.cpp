#include "enforcer/ClassifierReruns.h"

#include "common/Await.h"
#include "firestore/ClassifierRunDocument.h"
#include "firestore/FirestoreMapping.h"
#include "logging/Logging.h"

#include <QRandomGenerator>

namespace fairuse::services {

namespace {

using V = FirestoreValue;

/** SET the mark only forward: two instances polling at once never move it back. */
constexpr const char* kAdvanceScript = R"lua(
local cur = tonumber(redis.call('GET', KEYS[1]) or '0') or 0
local new = tonumber(ARGV[1])
if new > cur then
  redis.call('SET', KEYS[1], ARGV[1])
  return 1
end
return 0
)lua";

QByteArray lockToken() {
    return QByteArray::number(QRandomGenerator::system()->generate64(), 16) +
           QByteArray::number(QRandomGenerator::system()->generate64(), 16);
}

} // namespace

ClassifierReruns::ClassifierReruns(RedisCommands* redis, RedisUsageStore* usage,
                                   std::shared_ptr<FirestoreClient> firestore, FirestoreCaseStore* cases,
                                   ClassifierService* classifier, RerunOptions options, Sink sink)
    : m_redis(redis)
    , m_usage(usage)
    , m_firestore(std::move(firestore))
    , m_cases(cases)
    , m_classifier(classifier)
    , m_options(std::move(options))
    , m_sink(std::move(sink)) {}

Result<std::int64_t> ClassifierReruns::readMark() {
    if (m_options.shadow && m_shadowMark) {
        return *m_shadowMark;
    }
    const Result<RedisReply> r = awaitResult(m_redis->command({"GET", kMarkKey}), m_options.timeoutMs);
    if (!r) {
        return r.error();
    }
    if (r->isError()) {
        return m_redis->replyError(*r, QStringLiteral("read the re-run mark"));
    }
    std::int64_t mark = 0;
    if (!r->isNil()) {
        const std::optional<std::int64_t> n = r->toInteger();
        if (!n) {
            // Not ours to repair silently: the requests above 0 are checked against their answers anyway.
            qCWarning(lcEnforcer) << kMarkKey << "holds no sequence; the requests are read from the start";
        }
        mark = n.value_or(0);
    }
    if (m_options.shadow) {
        m_shadowMark = mark;
    }
    return mark;
}

void ClassifierReruns::advanceMark(std::int64_t sequence, RerunReport& report) {
    if (m_options.shadow) {
        m_shadowMark = std::max(m_shadowMark.value_or(0), sequence);
        return;
    }
    const Result<RedisReply> r = awaitResult(
        m_redis->command({"EVAL", kAdvanceScript, "1", kMarkKey, QByteArray::number(static_cast<qint64>(sequence))}),
        m_options.timeoutMs);
    if (!r || r->isError()) {
        // The answers are written: the next poll reads these requests again and finds them answered.
        qCWarning(lcEnforcer) << "re-run mark not advanced:"
                              << (r ? m_redis->replyError(*r, QStringLiteral("advance the mark")).message
                                    : r.error().message);
        ++report.redisErrors;
    }
}

void ClassifierReruns::emitLine(QJsonObject line, const AuditRecord& request, const QString& outcome) {
    line.insert(QStringLiteral("rerun"), FirestoreCaseStore::auditRecordId(request.sequence));
    line.insert(QStringLiteral("uid"), request.uid);
    line.insert(QStringLiteral("requested_by"), request.reviewer);
    line.insert(QStringLiteral("outcome"), outcome);
    line.insert(QStringLiteral("shadow"), m_options.shadow);
    if (m_sink) {
        m_sink(line);
    }
}

RerunReport ClassifierReruns::poll() {
    RerunReport report;
    const Result<std::int64_t> mark = readMark();
    if (!mark) {
        qCWarning(lcEnforcer) << "re-run mark unreadable:" << mark.error().message;
        ++report.redisErrors;
        return report;
    }
    std::int64_t after = *mark;
    for (;;) {
        FirestoreQuery q;
        q.collectionId = QStringLiteral("fair_use_audit");
        q.filters = {
            {QStringLiteral("action"), QStringLiteral("EQUAL"), V::string(toString(AuditAction::RerunClassifier))},
            {QStringLiteral("sequence"), QStringLiteral("GREATER_THAN"), V::integer(after)}};
        q.orderBy = {{QStringLiteral("sequence"), false}};
        q.limit = m_options.batch;
        const Result<QList<FirestoreDocument>> docs = awaitResult(m_firestore->runQuery(q), m_options.timeoutMs);
        if (!docs) {
            qCWarning(lcEnforcer) << "re-run requests unreadable:" << docs.error().message;
            ++report.firestoreErrors;
            return report;
        }
        if (docs->isEmpty()) {
            return report;
        }
        QList<AuditRecord> requests;
        QStringList answerPaths;
        std::int64_t lastRead = after;
        for (const FirestoreDocument& doc : *docs) {
            Result<AuditRecord> a = decodeAudit(doc.fields);
            if (!a) {
                // A record the chain check will flag; nothing to answer.
                qCWarning(lcEnforcer).noquote() << doc.relativePath() << "is no re-run request:" << a.error().message;
                lastRead = std::max(lastRead, doc.fields.value(QStringLiteral("sequence")).toInteger());
                continue;
            }
            lastRead = a->sequence;
            answerPaths.append(classifierRunPath(FirestoreCaseStore::auditRecordId(a->sequence)));
            requests.append(std::move(a.value()));
        }
        report.requests += static_cast<int>(requests.size());
        QList<std::optional<FirestoreDocument>> answers;
        if (!answerPaths.isEmpty()) {
            const auto read = awaitResult(m_firestore->batchGet(answerPaths), m_options.timeoutMs);
            if (!read) {
                qCWarning(lcEnforcer) << "re-run answers unreadable:" << read.error().message;
                ++report.firestoreErrors;
                return report;
            }
            answers = *read;
        }
        std::int64_t handledUpTo = after;
        bool inOrder = true;
        for (qsizetype i = 0; i < requests.size(); ++i) {
            const AuditRecord& request = requests.at(i);
            Handled handled = Handled::Yes;
            if (i < answers.size() && answers.at(i)) {
                ++report.alreadyAnswered;
                emitLine({}, request, QStringLiteral("already_answered"));
            } else {
                handled = answer(request, report);
            }
            if (handled == Handled::No) {
                inOrder = false;
            } else if (inOrder) {
                handledUpTo = request.sequence;
            }
        }
        if (inOrder) {
            handledUpTo = lastRead; // undecodable records at the end of the batch too
        }
        if (handledUpTo > after) {
            advanceMark(handledUpTo, report);
        }
        if (!inOrder || docs->size() < m_options.batch || report.backendsFailed()) {
            return report;
        }
        after = lastRead;
    }
}

ClassifierReruns::Handled ClassifierReruns::answer(const AuditRecord& request, RerunReport& report) {
    const TimePoint now = m_options.clock();
    const QString id = FirestoreCaseStore::auditRecordId(request.sequence);
    if (request.uid.isEmpty()) {
        ++report.stale;
        emitLine({}, request, QStringLiteral("no_user"));
        return Handled::Yes;
    }
    if (now - request.at > m_options.maxAge) {
        ++report.stale;
        emitLine({{QStringLiteral("requested_at"), formatRfc3339(request.at)}}, request, QStringLiteral("stale"));
        return Handled::Yes;
    }
    QByteArray token;
    if (!m_options.shadow) {
        token = lockToken();
        const Result<bool> locked = awaitResult(
            m_usage->acquireClassifierLock(request.uid, token, m_options.classifierLockTtl), m_options.timeoutMs);
        if (!locked) {
            qCWarning(lcEnforcer) << "classifier lock of" << request.uid << "failed:" << locked.error().message;
            ++report.redisErrors;
            emitLine({{QStringLiteral("error"), locked.error().message}}, request, QStringLiteral("error"));
            return Handled::No;
        }
        if (!*locked) {
            ++report.lockedElsewhere;
            emitLine({}, request, QStringLiteral("locked_elsewhere"));
            return Handled::No;
        }
    }
    const auto release = [&] {
        if (token.isEmpty()) {
            return;
        }
        const Result<bool> released =
            awaitResult(m_usage->releaseClassifierLock(request.uid, token), m_options.timeoutMs);
        if (!released) {
            qCWarning(lcEnforcer) << "classifier lock of" << request.uid
                                  << "not released (it expires):" << released.error().message;
        }
    };
    // Another instance may have answered between our read and our lock.
    const Result<FirestoreDocument> existing =
        awaitResult(m_firestore->get(classifierRunPath(id)), m_options.timeoutMs);
    if (existing) {
        release();
        ++report.alreadyAnswered;
        emitLine({}, request, QStringLiteral("already_answered"));
        return Handled::Yes;
    }
    const auto firestoreFailed = [&](const Error& e, const char* what) {
        release();
        qCWarning(lcEnforcer) << what << "for re-run" << id << "failed:" << e.message;
        ++report.firestoreErrors;
        emitLine({{QStringLiteral("error"), e.message}}, request, QStringLiteral("error"));
        return Handled::No;
    };
    if (existing.error().kind != ErrorKind::NotFound) {
        return firestoreFailed(existing.error(), "reading the answer");
    }
    const Result<QList<Conversation>> conversations = awaitResult(
        m_cases->listConversations(request.uid, now - m_options.conversationWindow, m_options.conversationLimit),
        m_options.timeoutMs);
    if (!conversations) {
        return firestoreFailed(conversations.error(), "reading the conversations");
    }
    const Result<ClassifierResult> verdict =
        awaitResult(m_classifier->classify(request.uid, *conversations, now), m_options.timeoutMs);
    ClassifierRun run;
    run.uid = request.uid;
    run.requestedBy = request.reviewer;
    run.requestedSequence = request.sequence;
    run.finishedAt = m_options.clock();
    run.instance = m_options.instance;
    run.ok = verdict.ok();
    if (verdict) {
        run.classifier = verdict.value();
    } else {
        run.error = verdict.error().message;
        qCWarning(lcEnforcer) << "classifier failed for re-run" << id << "of" << request.uid << "("
                              << m_classifier->describe() << "):" << run.error;
    }
    const Result<CommitResponse> written =
        awaitResult(m_firestore->commit({FirestoreWrite::set(classifierRunPath(id), encodeClassifierRun(run),
                                                             Precondition::mustNotExist())}),
                    m_options.timeoutMs);
    if (!written) {
        if (written.error().kind == ErrorKind::Conflict) {
            release();
            ++report.alreadyAnswered;
            emitLine({}, request, QStringLiteral("already_answered"));
            return Handled::Yes;
        }
        return firestoreFailed(written.error(), "writing the answer");
    }
    release();
    // Requests are answered in sequence order: the last one answered is the newest.
    report.newestAnswerLag = run.finishedAt - request.at;
    QJsonObject line{{QStringLiteral("conversations"), static_cast<int>(conversations->size())}};
    if (verdict) {
        ++report.answered;
        line.insert(QStringLiteral("score"), verdict->misuseScore);
        line.insert(QStringLiteral("usage_type"), toString(verdict->usageType));
        emitLine(line, request, QStringLiteral("answered"));
    } else {
        ++report.failed;
        line.insert(QStringLiteral("error"), run.error);
        emitLine(line, request, QStringLiteral("failed"));
    }
    return Handled::Yes;
}

} // namespace fairuse::services
