#include "redis/ClusterSlots.h"

#include <algorithm>

namespace fairuse::services {

namespace {

Error badSlots(const QString& why) {
    return Error::invalid(QStringLiteral("CLUSTER SLOTS reply is not a slot map: %1").arg(why));
}

Result<ClusterNode> nodeFrom(const RedisReply& r, const QString& where) {
    if (!r.isArray() || r.elements().size() < 2 || !r.elements().at(0).isString()) {
        return badSlots(QStringLiteral("%1 is not [host, port, ...]").arg(where));
    }
    const std::optional<std::int64_t> port = r.elements().at(1).toInteger();
    ClusterNode n;
    n.host = QString::fromUtf8(r.elements().at(0).text());
    if (n.host.isEmpty() || !port || *port < 1 || *port > 65535) {
        return badSlots(QStringLiteral("%1 has no host or a port outside 1..65535").arg(where));
    }
    n.port = static_cast<quint16>(*port);
    if (r.elements().size() > 2 && r.elements().at(2).isString()) {
        n.id = r.elements().at(2).text();
    }
    return n;
}

} // namespace

quint16 crc16Xmodem(const QByteArray& data) {
    quint16 crc = 0;
    for (const char c : data) {
        crc ^= static_cast<quint16>(static_cast<quint8>(c)) << 8;
        for (int bit = 0; bit < 8; ++bit) {
            crc = (crc & 0x8000) != 0 ? static_cast<quint16>((crc << 1) ^ 0x1021) : static_cast<quint16>(crc << 1);
        }
    }
    return crc;
}

int keySlot(const QByteArray& key) {
    const qsizetype open = key.indexOf('{');
    if (open >= 0) {
        const qsizetype close = key.indexOf('}', open + 1);
        if (close > open + 1) {
            return crc16Xmodem(key.mid(open + 1, close - open - 1)) % kClusterSlots;
        }
    }
    return crc16Xmodem(key) % kClusterSlots;
}

Result<QList<SlotRange>> parseClusterSlots(const RedisReply& reply) {
    if (!reply.isArray()) {
        return badSlots(reply.isError() ? QString::fromUtf8(reply.text()) : QStringLiteral("not an array"));
    }
    QList<SlotRange> out;
    for (qsizetype i = 0; i < reply.elements().size(); ++i) {
        const RedisReply& e = reply.elements().at(i);
        const QString where = QStringLiteral("entry %1").arg(i);
        if (!e.isArray() || e.elements().size() < 3) {
            return badSlots(QStringLiteral("%1 is not [first, last, master, ...]").arg(where));
        }
        const auto first = e.elements().at(0).toInteger();
        const auto last = e.elements().at(1).toInteger();
        if (!first || !last || *first < 0 || *last >= kClusterSlots || *first > *last) {
            return badSlots(QStringLiteral("%1 has slots outside 0..16383 or reversed").arg(where));
        }
        SlotRange range;
        range.first = static_cast<int>(*first);
        range.last = static_cast<int>(*last);
        for (qsizetype k = 2; k < e.elements().size(); ++k) {
            const Result<ClusterNode> node =
                nodeFrom(e.elements().at(k), QStringLiteral("%1 node %2").arg(where).arg(k - 2));
            if (!node) {
                return node.error();
            }
            if (k == 2) {
                range.master = *node;
            } else {
                range.replicas.append(*node);
            }
        }
        out.append(range);
    }
    std::sort(out.begin(), out.end(), [](const SlotRange& a, const SlotRange& b) { return a.first < b.first; });
    for (qsizetype i = 1; i < out.size(); ++i) {
        if (out.at(i).first <= out.at(i - 1).last) {
            return badSlots(QStringLiteral("slots %1-%2 overlap %3-%4")
                                .arg(out.at(i).first)
                                .arg(out.at(i).last)
                                .arg(out.at(i - 1).first)
                                .arg(out.at(i - 1).last));
        }
    }
    return out;
}

std::optional<Redirection> parseRedirection(const RedisReply& reply) {
    if (!reply.isError()) {
        return std::nullopt;
    }
    const QList<QByteArray> words = reply.text().split(' ');
    if (words.size() != 3 || (words.at(0) != "MOVED" && words.at(0) != "ASK")) {
        return std::nullopt;
    }
    bool slotOk = false;
    const int slot = words.at(1).toInt(&slotOk);
    const qsizetype colon = words.at(2).lastIndexOf(':');
    bool portOk = false;
    const uint port = colon > 0 ? words.at(2).mid(colon + 1).toUInt(&portOk) : 0;
    if (!slotOk || slot < 0 || slot >= kClusterSlots || !portOk || port < 1 || port > 65535) {
        return std::nullopt;
    }
    Redirection r;
    r.ask = words.at(0) == "ASK";
    r.slot = slot;
    r.node.host = QString::fromUtf8(words.at(2).left(colon));
    r.node.port = static_cast<quint16>(port);
    return r;
}

} // namespace fairuse::services
