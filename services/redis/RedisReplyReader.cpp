#include "redis/RedisReplyReader.h"

#include <hiredis/hiredis.h>

#include <QString>

namespace fairuse::services {

namespace {

/** The reply object functions hiredis uses by default (static storage inside libhiredis). */
const redisReplyObjectFunctions* defaultFunctions() {
    static const redisReplyObjectFunctions* const fns = [] {
        redisReader* probe = redisReaderCreate();
        const redisReplyObjectFunctions* f = probe->fn;
        redisReaderFree(probe);
        return f;
    }();
    return fns;
}

RedisReply convertReply(const redisReply* r) {
    switch (r->type) {
    case REDIS_REPLY_INTEGER:
        return RedisReply::integer(r->integer);
    case REDIS_REPLY_STRING:
        return RedisReply::string(QByteArray(r->str, static_cast<qsizetype>(r->len)));
    case REDIS_REPLY_STATUS:
        return RedisReply::status(QByteArray(r->str, static_cast<qsizetype>(r->len)));
    case REDIS_REPLY_ERROR:
        return RedisReply::error(QByteArray(r->str, static_cast<qsizetype>(r->len)));
    case REDIS_REPLY_ARRAY: {
        QList<RedisReply> elements;
        elements.reserve(static_cast<qsizetype>(r->elements));
        for (size_t i = 0; i < r->elements; ++i) {
            elements.append(convertReply(r->element[i]));
        }
        return RedisReply::array(std::move(elements));
    }
    case REDIS_REPLY_NIL:
    default:
        return RedisReply::nil();
    }
}

} // namespace

struct RedisReplyReader::Impl {
    Limits limits;
    redisReader* reader = nullptr;
    std::int64_t objects = 0; // objects of the reply being read
    QString refusal;          // why a callback refused an object (hiredis itself only says "Out of memory")
    std::optional<Error> broken;

    /** Counts `n` more objects of the current reply; false (with the reason) past the limit. */
    bool admit(std::int64_t n) {
        if (n > limits.maxElements - objects) {
            refusal = QStringLiteral("a reply with more than %1 elements").arg(limits.maxElements);
            return false;
        }
        objects += n;
        return true;
    }

    static Impl* of(const redisReadTask* task) { return static_cast<Impl*>(task->privdata); }

    static void* createString(const redisReadTask* task, char* str, size_t len) {
        return of(task)->admit(1) ? defaultFunctions()->createString(task, str, len) : nullptr;
    }
    static void* createArray(const redisReadTask* task, int elements) {
        Impl* self = of(task);
        if (elements < 0) {
            self->refusal = QStringLiteral("an array of %1 elements").arg(elements);
            return nullptr;
        }
        // The element table is allocated now, so the declared elements must fit; each is counted when it is read.
        if (static_cast<std::int64_t>(elements) > self->limits.maxElements - self->objects - 1) {
            self->refusal = QStringLiteral("a reply with more than %1 elements").arg(self->limits.maxElements);
            return nullptr;
        }
        return self->admit(1) ? defaultFunctions()->createArray(task, elements) : nullptr;
    }
    static void* createInteger(const redisReadTask* task, long long value) {
        return of(task)->admit(1) ? defaultFunctions()->createInteger(task, value) : nullptr;
    }
    static void* createNil(const redisReadTask* task) {
        return of(task)->admit(1) ? defaultFunctions()->createNil(task) : nullptr;
    }
    static void freeObject(void* reply) { defaultFunctions()->freeObject(reply); }

    static redisReplyObjectFunctions* functions() {
        static redisReplyObjectFunctions fns{&createString, &createArray, &createInteger, &createNil, &freeObject};
        return &fns;
    }

    Error fail(const QString& why) {
        broken = Error::invalid(QStringLiteral("unreadable Redis reply: %1").arg(why));
        return *broken;
    }
};

RedisReplyReader::RedisReplyReader()
    : RedisReplyReader(Limits{}) {}

RedisReplyReader::RedisReplyReader(Limits limits)
    : d(std::make_unique<Impl>()) {
    d->limits = limits;
    d->reader = redisReaderCreateWithFunctions(Impl::functions());
    if (d->reader != nullptr) {
        d->reader->privdata = d.get();
    }
}

RedisReplyReader::~RedisReplyReader() {
    if (d->reader != nullptr) {
        redisReaderFree(d->reader);
    }
}

const RedisReplyReader::Limits& RedisReplyReader::limits() const {
    return d->limits;
}

Status RedisReplyReader::feed(const char* data, std::size_t size) {
    if (d->broken) {
        return *d->broken;
    }
    if (d->reader == nullptr) {
        return d->fail(QStringLiteral("out of memory"));
    }
    if (redisReaderFeed(d->reader, data, size) != REDIS_OK) {
        return d->fail(QString::fromUtf8(d->reader->errstr));
    }
    return {};
}

Result<std::optional<RedisReply>> RedisReplyReader::next() {
    if (d->broken) {
        return *d->broken;
    }
    if (d->reader == nullptr) {
        return d->fail(QStringLiteral("out of memory"));
    }
    void* raw = nullptr;
    if (redisReaderGetReply(d->reader, &raw) != REDIS_OK) {
        return d->fail(d->refusal.isEmpty() ? QString::fromUtf8(d->reader->errstr) : d->refusal);
    }
    if (raw == nullptr) {
        const auto buffered = static_cast<std::int64_t>(d->reader->len - d->reader->pos);
        if (buffered > d->limits.maxBufferedBytes) {
            return d->fail(QStringLiteral("more than %1 bytes of one reply").arg(d->limits.maxBufferedBytes));
        }
        return std::optional<RedisReply>{};
    }
    d->objects = 0;
    auto* reply = static_cast<redisReply*>(raw);
    RedisReply value = convertReply(reply);
    freeReplyObject(reply);
    return std::optional<RedisReply>{std::move(value)};
}

Result<QList<RedisReply>> parseRedisReplies(const QByteArray& bytes, RedisReplyReader::Limits limits) {
    RedisReplyReader reader(limits);
    if (Status s = reader.feed(bytes.constData(), static_cast<std::size_t>(bytes.size())); !s) {
        return s.error();
    }
    QList<RedisReply> out;
    for (;;) {
        Result<std::optional<RedisReply>> r = reader.next();
        if (!r) {
            return r.error();
        }
        if (!r->has_value()) {
            return out;
        }
        out.append(std::move(**r));
    }
}

} // namespace fairuse::services
