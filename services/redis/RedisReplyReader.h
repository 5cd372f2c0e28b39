#pragma once

#include "common/Result.h"
#include "redis/RedisReply.h"

#include <QByteArray>
#include <QList>

#include <cstdint>
#include <memory>
#include <optional>

namespace fairuse::services {

/**
 * hiredis' RESP2 reader with limits, so that a hostile or broken server cannot make the client allocate without bound.
 *
 * hiredis 0.14 (Debian 12) has no maxelements / maxbulklen settings of its own: it allocates an array's element table
 * as soon as it reads the header ("*2147483647\r\n") and buffers a bulk string until all of its declared length
 * arrived. This reader counts the objects of the reply being read through hiredis' object callbacks and refuses
 * - an array header declaring a negative count or more elements than maxElements allows,
 * - a reply (nested arrays included) with more than maxElements objects in all,
 * - more than maxBufferedBytes of input not yet parsed into a reply (a huge bulk string, or one never finished).
 * After a refusal or a protocol error the reader is broken: every later call reports the same error.
 */
class RedisReplyReader {
public:
    struct Limits {
        /** Objects in one reply, nested arrays and their elements included. */
        std::int64_t maxElements = 4 * 1024 * 1024;
        /** Input bytes waiting for the rest of their reply (bounds one bulk string). */
        std::int64_t maxBufferedBytes = 256 * 1024 * 1024;
    };

    explicit RedisReplyReader(Limits limits);
    RedisReplyReader();
    ~RedisReplyReader();
    RedisReplyReader(const RedisReplyReader&) = delete;
    RedisReplyReader& operator=(const RedisReplyReader&) = delete;

    /** Appends bytes from the server. */
    Status feed(const char* data, std::size_t size);
    /** The next complete reply; nullopt while more input is needed. An Error (Invalid) for a protocol error or a
     *  limit, naming which. */
    Result<std::optional<RedisReply>> next();

    const Limits& limits() const;

private:
    struct Impl;
    std::unique_ptr<Impl> d;
};

/** Every complete reply in `bytes`, read with `limits`; the first protocol error or limit as an Error. Bytes of an
 *  unfinished last reply are ignored. */
Result<QList<RedisReply>> parseRedisReplies(const QByteArray& bytes, RedisReplyReader::Limits limits = {});

} // namespace fairuse::services
