#pragma once

#include "redis/RedisClient.h"

#include <QByteArray>
#include <QList>

#include <cstdint>
#include <functional>
#include <optional>

namespace fairuse::bench {

/** A number as a Redis argument. */
QByteArray num(std::int64_t v);

using Done = std::function<void(bool)>;
using Op = std::function<void(int, Done)>;

/** Runs `total` ops with `depth` of them in flight; returns seconds, or -1 when one failed. */
double drive(int total, int depth, const Op& op);

/** Awaits one command's reply on the calling thread. */
std::optional<services::RedisReply> call(services::RedisClient& c, QList<QByteArray> argv);

} // namespace fairuse::bench
