// RedisReplyReader: RESP2 replies read with hiredis and the limits that keep a hostile server from making the client
// allocate without bound, on the reader directly and through RedisClient against a scripted server.
#include "redis/RedisReplyReader.h"
#include "redis/RedisClient.h"

#include "RedisTestSupport.h"

#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

using namespace fairuse;
using namespace fairuse::services;
using namespace fairuse::testing;

namespace {

using Limits = RedisReplyReader::Limits;

QByteArray repeat(const QByteArray& part, int times) {
    QByteArray out;
    out.reserve(part.size() * times);
    for (int i = 0; i < times; ++i) {
        out += part;
    }
    return out;
}

} // namespace

class RedisReplyReaderTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void reads_data() {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QList<RedisReply>>("expected");
        QTest::newRow("status") << QByteArray("+OK\r\n") << QList<RedisReply>{RedisReply::status("OK")};
        QTest::newRow("error") << QByteArray("-ERR no\r\n") << QList<RedisReply>{RedisReply::error("ERR no")};
        QTest::newRow("integer") << QByteArray(":-42\r\n") << QList<RedisReply>{RedisReply::integer(-42)};
        QTest::newRow("bulk") << QByteArray("$3\r\nabc\r\n") << QList<RedisReply>{RedisReply::string("abc")};
        QTest::newRow("nil bulk") << QByteArray("$-1\r\n") << QList<RedisReply>{RedisReply::nil()};
        QTest::newRow("nil array") << QByteArray("*-1\r\n") << QList<RedisReply>{RedisReply::nil()};
        QTest::newRow("nested") << QByteArray("*2\r\n:1\r\n*1\r\n$1\r\nx\r\n")
                                << QList<RedisReply>{RedisReply::array(
                                       {RedisReply::integer(1), RedisReply::array({RedisReply::string("x")})})};
        QTest::newRow("pipeline, last unfinished")
            << QByteArray("+A\r\n:2\r\n$5\r\nab") << QList<RedisReply>{RedisReply::status("A"), RedisReply::integer(2)};
    }
    void reads() {
        QFETCH(QByteArray, bytes);
        QFETCH(QList<RedisReply>, expected);
        const auto whole = parseRedisReplies(bytes);
        QVERIFY2(whole.ok(), whole.ok() ? "" : qPrintable(whole.error().message));
        QCOMPARE(*whole, expected);
        // Byte by byte, as a slow socket delivers them.
        RedisReplyReader reader;
        QList<RedisReply> got;
        for (char c : bytes) {
            QVERIFY(reader.feed(&c, 1));
            for (;;) {
                auto next = reader.next();
                QVERIFY(next.ok());
                if (!next->has_value()) {
                    break;
                }
                got.append(**next);
            }
        }
        QCOMPARE(got, expected);
    }

    void refuses_data() {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<qint64>("maxElements");
        QTest::addColumn<qint64>("maxBytes");
        QTest::addColumn<QString>("message");
        const qint64 big = 1 << 20;
        // hiredis 0.14 would allocate the element table (16 GiB) from the header alone.
        QTest::newRow("array header of 2^31-1")
            << QByteArray("*2147483647\r\n") << qint64(1000) << big << QStringLiteral("more than 1000 elements");
        // Debian's hiredis 0.14 refuses this itself ("Multi-bulk length out of range"); the reader does where not.
        QTest::newRow("negative array") << QByteArray("*-5\r\n") << qint64(1000) << big << QString();
        QTest::newRow("nested arrays add up") << QByteArray("*3\r\n" + repeat("*400\r\n" + repeat(":1\r\n", 400), 3))
                                              << qint64(1000) << big << QStringLiteral("more than 1000 elements");
        QTest::newRow("pipeline of small replies is fine, one big one is not")
            << QByteArray(repeat(":1\r\n", 5000) + "*2000\r\n") << qint64(1000) << big
            << QStringLiteral("more than 1000 elements");
        QTest::newRow("bulk string over the byte limit")
            << QByteArray("$100000\r\n" + QByteArray(5000, 'x')) << qint64(1000) << qint64(4096)
            << QStringLiteral("more than 4096 bytes");
        QTest::newRow("protocol error") << QByteArray("?what\r\n") << qint64(1000) << big
                                        << QStringLiteral("Protocol error");
    }
    void refuses() {
        QFETCH(QByteArray, bytes);
        QFETCH(qint64, maxElements);
        QFETCH(qint64, maxBytes);
        QFETCH(QString, message);
        const auto r = parseRedisReplies(bytes, Limits{maxElements, maxBytes});
        QVERIFY(!r.ok());
        QCOMPARE(r.error().kind, ErrorKind::Invalid);
        QVERIFY2(r.error().message.contains(message), qPrintable(r.error().message));
    }

    void limitIsPerReply() {
        // 3 replies of 900 objects each pass a limit of 1000 objects per reply.
        const QByteArray one = "*899\r\n" + repeat(":7\r\n", 899);
        const auto r = parseRedisReplies(one + one + one, Limits{1000, 1 << 20});
        QVERIFY(r.ok());
        QCOMPARE(r->size(), 3);
        QCOMPARE(r->at(2).elements().size(), 899);
    }

    void brokenReaderStaysBroken() {
        RedisReplyReader reader(Limits{10, 1 << 20});
        QVERIFY(reader.feed("*50\r\n", 5));
        QVERIFY(!reader.next().ok());
        QVERIFY(!reader.feed("+OK\r\n", 5).ok());
        QVERIFY(!reader.next().ok());
    }

    void hostileServerIsDropped_data() {
        QTest::addColumn<QByteArray>("answer");
        QTest::newRow("huge array header") << QByteArray("*2147483647\r\n");
        QTest::newRow("endless nested replies")
            << QByteArray("*3\r\n" + repeat("*50000\r\n" + repeat(":1\r\n", 50000), 3));
        QTest::newRow("endless bulk string") << QByteArray("$2000000000\r\n" + QByteArray(3 << 20, 'x'));
    }
    void hostileServerIsDropped() {
        QFETCH(QByteArray, answer);
        // A scripted server that answers the first command with `answer`.
        QTcpServer server;
        QVERIFY(server.listen(QHostAddress::LocalHost));
        QList<QTcpSocket*> accepted;
        connect(&server, &QTcpServer::newConnection, this, [&] {
            while (QTcpSocket* s = server.nextPendingConnection()) {
                accepted.append(s);
                connect(s, &QTcpSocket::readyRead, s, [s, answer] {
                    s->readAll();
                    s->write(answer);
                });
            }
        });
        RedisConfig c = localConfig(server.serverPort());
        c.autoReconnect = false;
        c.maxReplyElements = 100'000;
        c.maxReplyBytes = 1 << 20;
        RedisClient client(c);
        QFuture<Result<RedisReply>> f = client.command({"PING"});
        QVERIFY(await(f, 30000));
        const Result<RedisReply> r = f.result();
        QVERIFY(!r.ok());
        QCOMPARE(r.error().kind, ErrorKind::Unavailable);
        QVERIFY2(r.error().message.contains(QLatin1String("broke the protocol")), qPrintable(r.error().message));
        QCOMPARE(client.state(), RedisClient::State::Disconnected);
        qDeleteAll(accepted);
    }
};

QTEST_GUILESS_MAIN(RedisReplyReaderTest)
#include "RedisReplyReaderTest.moc"
