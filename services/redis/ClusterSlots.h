#pragma once

#include "common/Result.h"
#include "redis/RedisReply.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <optional>

/**
 * @file
 * Redis Cluster's key slots and the two replies that tell a client where a slot lives (CLUSTER SLOTS, and the MOVED
 * and ASK errors), read strictly: they come from servers (fuzz_cluster_slots).
 */
namespace fairuse::services {

inline constexpr int kClusterSlots = 16384;

/** CRC16/XMODEM of `data`, as Redis Cluster computes it. */
quint16 crc16Xmodem(const QByteArray& data);

/** The cluster slot of `key`: CRC16 mod 16384 of the key, or of its hash tag (the text between the first '{' and the
 *  next '}', when not empty), so "fair_use:{u1}:a" and "fair_use:{u1}:b" share a slot. */
int keySlot(const QByteArray& key);

struct ClusterNode {
    QString host;
    quint16 port = 0;
    QByteArray id;
    QString address() const { return QStringLiteral("%1:%2").arg(host).arg(port); }
    bool operator==(const ClusterNode& o) const { return host == o.host && port == o.port; }
};

struct SlotRange {
    int first = 0;
    int last = 0;
    ClusterNode master;
    QList<ClusterNode> replicas;
};

/** Reads a CLUSTER SLOTS reply: [[first, last, [host, port, id, ...], replica...], ...]. Invalid, saying where, for
 *  anything else: a range outside 0..16383 or reversed, a node without a host or a port in 1..65535, overlapping
 *  ranges. The ranges need not cover every slot (a cluster being set up or resharded). */
Result<QList<SlotRange>> parseClusterSlots(const RedisReply& reply);

/** What a MOVED or ASK error names: "MOVED 3999 127.0.0.1:6381". nullopt for any other reply. */
struct Redirection {
    bool ask = false;
    int slot = 0;
    ClusterNode node;
};
std::optional<Redirection> parseRedirection(const RedisReply& reply);

} // namespace fairuse::services
