// FirestoreClient against the real emulator (documents, preconditions, commits, queries) and against a scripted
// server (error mapping, retries, tokens).
#include "EmulatorSupport.h"
#include "ScriptedHttpServer.h"

#include "firestore/FirestoreClient.h"

#include <QTcpServer>
#include <QTest>

#include <algorithm>

using namespace fairuse;
using namespace fairuse::services;
using fairuse::testing::ScriptedHttpServer;

namespace {

using V = FirestoreValue;

using testing::at;
using testing::wait;

QString describe(const Error& e) {
    return QStringLiteral("kind %1: %2").arg(int(e.kind)).arg(e.message);
}

#define REQUIRE_OK(expr)                                                                                               \
    [&] {                                                                                                              \
        auto r_ = (expr);                                                                                              \
        if (!r_.ok()) {                                                                                                \
            qWarning("%s", qPrintable(describe(r_.error())));                                                          \
        }                                                                                                              \
        return r_;                                                                                                     \
    }()

} // namespace

class FirestoreClientTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void createGetPatchWithPreconditions();
    void commitIsAtomic();
    void commitInBatchesSplitsLargeWrites();
    void collectionGroupQueryOrdersAndPages();
    void mapsErrorBodies_data();
    void mapsErrorBodies();
    void retriesUnavailableThenSucceeds();
    void givesUpAfterRetriesNamingTheHost();
    void unreachableHostIsUnavailable();
    void refreshesTokenOnceAfter401();
    void commandTokenRunsTheCommand();
    void destroyingTheClientAnswersPendingCalls();
};

void FirestoreClientTest::createGetPatchWithPreconditions() {
    FAIRUSE_REQUIRE_EMULATOR(host);
    FirestoreClient client(testing::emulatorConfig(testing::freshProject(QStringLiteral("crud")), host),
                           StaticToken::emulatorOwner());

    auto missing = wait(client.get(QStringLiteral("users/nobody/fair_use_state/current")));
    QVERIFY(!missing.ok());
    QCOMPARE(missing.error().kind, ErrorKind::NotFound);

    auto created = REQUIRE_OK(wait(client.create(
        QStringLiteral("things"), QStringLiteral("a"),
        {{QStringLiteral("n"), V::integer(1)}, {QStringLiteral("keep"), V::string(QStringLiteral("x"))}})));
    QVERIFY(created.ok());
    QVERIFY(!created->updateTime.isEmpty());

    auto again = wait(client.create(QStringLiteral("things"), QStringLiteral("a"), {}));
    QVERIFY(!again.ok());
    QCOMPARE(again.error().kind, ErrorKind::Conflict);

    // Right version: applied, only the masked field changes.
    auto v2 = REQUIRE_OK(wait(client.patch(QStringLiteral("things/a"), {{QStringLiteral("n"), V::integer(2)}},
                                           {QStringLiteral("n")}, Precondition::version(created->updateTime))));
    QVERIFY(v2.ok());
    QVERIFY(*v2 != created->updateTime);
    // Stale version: Conflict, and the document is unchanged.
    auto stale = wait(client.patch(QStringLiteral("things/a"), {{QStringLiteral("n"), V::integer(3)}},
                                   {QStringLiteral("n")}, Precondition::version(created->updateTime)));
    QVERIFY(!stale.ok());
    QCOMPARE(stale.error().kind, ErrorKind::Conflict);
    QVERIFY2(stale.error().message.contains(QStringLiteral("someone else changed this case first")),
             qPrintable(stale.error().message));

    auto read = REQUIRE_OK(wait(client.get(QStringLiteral("things/a"))));
    QVERIFY(read.ok());
    QCOMPARE(read->fields.value(QStringLiteral("n")).toInteger(), 2);
    QCOMPARE(read->fields.value(QStringLiteral("keep")).toText(), QStringLiteral("x"));
    QCOMPARE(read->updateTime, *v2);

    // mustExist on a missing document, mustNotExist on an existing one.
    auto noDoc = wait(client.patch(QStringLiteral("things/zz"), {{QStringLiteral("n"), V::integer(1)}},
                                   {QStringLiteral("n")}, Precondition::mustExist()));
    QVERIFY(!noDoc.ok());
    QCOMPARE(noDoc.error().kind, ErrorKind::NotFound);
    auto exists =
        wait(client.patch(QStringLiteral("things/a"), {}, {QStringLiteral("n")}, Precondition::mustNotExist()));
    QVERIFY(!exists.ok());
    QCOMPARE(exists.error().kind, ErrorKind::Conflict);

    QVERIFY(REQUIRE_OK(wait(client.remove(QStringLiteral("things/a")))).ok());
    QCOMPARE(wait(client.get(QStringLiteral("things/a"))).error().kind, ErrorKind::NotFound);

    // batchGet keeps the order asked and reports missing documents.
    QVERIFY(wait(client.create(QStringLiteral("things"), QStringLiteral("b"), {})).ok());
    auto batch = REQUIRE_OK(wait(client.batchGet({QStringLiteral("things/a"), QStringLiteral("things/b")})));
    QVERIFY(batch.ok());
    QCOMPARE(batch->size(), 2);
    QVERIFY(!batch->at(0).has_value());
    QVERIFY(batch->at(1).has_value());
    QCOMPARE(batch->at(1)->relativePath(), QStringLiteral("things/b"));
}

void FirestoreClientTest::commitIsAtomic() {
    FAIRUSE_REQUIRE_EMULATOR(host);
    FirestoreClient client(testing::emulatorConfig(testing::freshProject(QStringLiteral("atomic")), host),
                           StaticToken::emulatorOwner());
    auto base = REQUIRE_OK(
        wait(client.create(QStringLiteral("c"), QStringLiteral("guard"), {{QStringLiteral("v"), V::integer(1)}})));
    QVERIFY(base.ok());

    // Two fresh documents and one update with a stale precondition: nothing may be written.
    const QList<FirestoreWrite> writes{
        FirestoreWrite::set(QStringLiteral("c/one"), {{QStringLiteral("v"), V::integer(1)}},
                            Precondition::mustNotExist()),
        FirestoreWrite::set(QStringLiteral("c/two"), {{QStringLiteral("v"), V::integer(2)}}),
        FirestoreWrite::update(QStringLiteral("c/guard"), {{QStringLiteral("v"), V::integer(9)}}, {QStringLiteral("v")},
                               Precondition::version(QStringLiteral("2001-01-01T00:00:00.000001Z"))),
    };
    auto failed = wait(client.commit(writes));
    QVERIFY(!failed.ok());
    QCOMPARE(failed.error().kind, ErrorKind::Conflict);
    QCOMPARE(wait(client.get(QStringLiteral("c/one"))).error().kind, ErrorKind::NotFound);
    QCOMPARE(wait(client.get(QStringLiteral("c/two"))).error().kind, ErrorKind::NotFound);
    QCOMPARE(wait(client.get(QStringLiteral("c/guard")))->fields.value(QStringLiteral("v")).toInteger(), 1);

    // The same commit with the right version applies all three, and reports one updateTime per write.
    QList<FirestoreWrite> fixed = writes;
    fixed[2].precondition = Precondition::version(base->updateTime);
    auto ok = REQUIRE_OK(wait(client.commit(fixed)));
    QVERIFY(ok.ok());
    QCOMPARE(ok->updateTimes.size(), 3);
    QCOMPARE(wait(client.get(QStringLiteral("c/guard")))->fields.value(QStringLiteral("v")).toInteger(), 9);
    QCOMPARE(wait(client.get(QStringLiteral("c/guard")))->updateTime, ok->updateTimes.at(2));
}

void FirestoreClientTest::commitInBatchesSplitsLargeWrites() {
    FAIRUSE_REQUIRE_EMULATOR(host);
    FirestoreClient client(testing::emulatorConfig(testing::freshProject(QStringLiteral("batches")), host),
                           StaticToken::emulatorOwner());
    QList<FirestoreWrite> writes;
    for (int i = 0; i < 1201; ++i) {
        writes.append(FirestoreWrite::set(QStringLiteral("bulk/d%1").arg(i, 5, 10, QLatin1Char('0')),
                                          {{QStringLiteral("i"), V::integer(i)}}, Precondition::mustNotExist()));
    }
    auto tooMany = wait(client.commit(writes));
    QVERIFY(!tooMany.ok());
    QCOMPARE(tooMany.error().kind, ErrorKind::Invalid);

    auto done = REQUIRE_OK(wait(client.commitInBatches(writes)));
    QVERIFY(done.ok());
    QCOMPARE(done->updateTimes.size(), 1201);
    FirestoreQuery all;
    all.collectionId = QStringLiteral("bulk");
    all.orderBy = {{QStringLiteral("i"), false}};
    auto docs = REQUIRE_OK(wait(client.runQuery(all)));
    QVERIFY(docs.ok());
    QCOMPARE(docs->size(), 1201);
    QCOMPARE(docs->last().fields.value(QStringLiteral("i")).toInteger(), 1200);

    // Again: the first batch fails on its precondition, so nothing more is written and the message says so.
    QList<FirestoreWrite> more;
    for (int i = 0; i < 600; ++i) {
        more.append(FirestoreWrite::set(QStringLiteral("more/d%1").arg(i), {}, Precondition::mustNotExist()));
    }
    more[550] = FirestoreWrite::set(QStringLiteral("bulk/d00001"), {}, Precondition::mustNotExist());
    auto partial = wait(client.commitInBatches(more));
    QVERIFY(!partial.ok());
    QCOMPARE(partial.error().kind, ErrorKind::Conflict);
    QVERIFY2(partial.error().message.contains(QStringLiteral("500 of 600 writes were committed")),
             qPrintable(partial.error().message));
    all.collectionId = QStringLiteral("more");
    all.orderBy.clear();
    QCOMPARE(wait(client.runQuery(all))->size(), 500);
}

void FirestoreClientTest::collectionGroupQueryOrdersAndPages() {
    FAIRUSE_REQUIRE_EMULATOR(host);
    const QString project = testing::freshProject(QStringLiteral("query"));
    FirestoreClient client(testing::emulatorConfig(project, host), StaticToken::emulatorOwner());
    struct Row {
        QString uid;
        QString stage;
        const char* updated;
    };
    // Ties on updated_at (u3/u4) must be broken by document name, so paging neither skips nor repeats them.
    const QList<Row> rows{{QStringLiteral("u1"), QStringLiteral("warning"), "2026-03-20T10:00:00Z"},
                          {QStringLiteral("u2"), QStringLiteral("restrict"), "2026-03-20T12:00:00Z"},
                          {QStringLiteral("u3"), QStringLiteral("throttle"), "2026-03-20T11:00:00Z"},
                          {QStringLiteral("u4"), QStringLiteral("warning"), "2026-03-20T11:00:00Z"},
                          {QStringLiteral("u5"), QStringLiteral("none"), "2026-03-20T13:00:00Z"},
                          {QStringLiteral("u6"), QStringLiteral("throttle"), "2026-03-19T09:00:00Z"},
                          {QStringLiteral("u7"), QStringLiteral("warning"), "2026-03-21T09:00:00Z"}};
    QList<FirestoreWrite> writes;
    for (const auto& r : rows) {
        writes.append(FirestoreWrite::set(QStringLiteral("users/%1/fair_use_state/current").arg(r.uid),
                                          {{QStringLiteral("stage"), V::string(r.stage)},
                                           {QStringLiteral("updated_at"), V::timestamp(at(r.updated))}}));
    }
    // Same stage in another collection: a collection group query on fair_use_state must not see it.
    writes.append(FirestoreWrite::set(QStringLiteral("users/u8/other/current"),
                                      {{QStringLiteral("stage"), V::string(QStringLiteral("warning"))},
                                       {QStringLiteral("updated_at"), V::timestamp(at("2026-03-22T00:00:00Z"))}}));
    QVERIFY(REQUIRE_OK(wait(client.commit(writes))).ok());

    // Expected order, computed from the input: flagged only, updated_at desc, then document name desc.
    QList<Row> flagged;
    std::copy_if(rows.begin(), rows.end(), std::back_inserter(flagged),
                 [](const Row& r) { return r.stage != QLatin1String("none"); });
    std::sort(flagged.begin(), flagged.end(), [](const Row& a, const Row& b) {
        const TimePoint ta = at(a.updated);
        const TimePoint tb = at(b.updated);
        return ta != tb ? ta > tb : a.uid > b.uid;
    });

    FirestoreQuery q;
    q.collectionId = QStringLiteral("fair_use_state");
    q.allDescendants = true;
    q.filters = {{QStringLiteral("stage"), QStringLiteral("IN"),
                  V::array({V::string(QStringLiteral("warning")), V::string(QStringLiteral("throttle")),
                            V::string(QStringLiteral("restrict"))})}};
    q.orderBy = {{QStringLiteral("updated_at"), true}, {QStringLiteral("__name__"), true}};
    q.limit = 2;
    QStringList seen;
    for (int page = 0; page < 10; ++page) {
        auto docs = REQUIRE_OK(wait(client.runQuery(q)));
        QVERIFY(docs.ok());
        for (const auto& d : *docs) {
            seen.append(d.pathSegments().value(1));
        }
        if (docs->size() < q.limit) {
            break;
        }
        const FirestoreDocument& last = docs->last();
        q.startAfter = {last.fields.value(QStringLiteral("updated_at")), V::reference(last.name)};
    }
    QStringList expected;
    for (const auto& r : flagged) {
        expected.append(r.uid);
    }
    QCOMPARE(seen, expected);

    // An equality filter combined with IN through a composite filter.
    FirestoreQuery warnings = q;
    warnings.startAfter.clear();
    warnings.limit = 0;
    warnings.filters.append({QStringLiteral("stage"), QStringLiteral("EQUAL"), V::string(QStringLiteral("warning"))});
    auto w = REQUIRE_OK(wait(client.runQuery(warnings)));
    QVERIFY(w.ok());
    QCOMPARE(w->size(), 3);
}

void FirestoreClientTest::mapsErrorBodies_data() {
    QTest::addColumn<int>("http");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("kind");
    QTest::addColumn<bool>("retryable");
    auto body = [](const char* status, const char* message) -> QByteArray {
        return QByteArray(R"({"error":{"code":400,"message":")") + message + R"(","status":")" + status + R"("}})";
    };
    QTest::newRow("precondition") << 400 << body("FAILED_PRECONDITION", "the stored version (1) does not match")
                                  << int(ErrorKind::Conflict) << false;
    QTest::newRow("already exists") << 409 << body("ALREADY_EXISTS", "entity already exists")
                                    << int(ErrorKind::Conflict) << false;
    QTest::newRow("aborted on version") << 409 << body("ABORTED", "version mismatch") << int(ErrorKind::Conflict)
                                        << false;
    QTest::newRow("aborted contention") << 409 << body("ABORTED", "Too much contention on these documents")
                                        << int(ErrorKind::Unavailable) << true;
    QTest::newRow("missing index") << 400 << body("FAILED_PRECONDITION", "The query requires an index")
                                   << int(ErrorKind::Invalid) << false;
    QTest::newRow("permission") << 403 << body("PERMISSION_DENIED", "false for 'create'") << int(ErrorKind::Permission)
                                << false;
    QTest::newRow("unauthenticated") << 401 << body("UNAUTHENTICATED", "bad token") << int(ErrorKind::Permission)
                                     << false;
    QTest::newRow("not found") << 404 << body("NOT_FOUND", "no doc") << int(ErrorKind::NotFound) << false;
    QTest::newRow("invalid") << 400 << body("INVALID_ARGUMENT", "bad field") << int(ErrorKind::Invalid) << false;
    QTest::newRow("unavailable") << 503 << body("UNAVAILABLE", "try later") << int(ErrorKind::Unavailable) << true;
    QTest::newRow("deadline") << 504 << body("DEADLINE_EXCEEDED", "slow") << int(ErrorKind::Unavailable) << true;
    QTest::newRow("exhausted") << 429 << body("RESOURCE_EXHAUSTED", "quota") << int(ErrorKind::Quota) << true;
    QTest::newRow("html 502") << 502 << QByteArray("<html>bad gateway</html>") << int(ErrorKind::Unavailable) << true;
    QTest::newRow("empty 500") << 500 << QByteArray() << int(ErrorKind::Unavailable) << true;
    QTest::newRow("runQuery array error")
        << 400 << QByteArray(R"([{"error":{"status":"PERMISSION_DENIED","message":"no"}}])")
        << int(ErrorKind::Permission) << false;
    QTest::newRow("teapot") << 418 << QByteArray("{}") << int(ErrorKind::Internal) << false;
}

void FirestoreClientTest::mapsErrorBodies() {
    QFETCH(int, http);
    QFETCH(QByteArray, body);
    QFETCH(int, kind);
    QFETCH(bool, retryable);
    bool isRetryable = !retryable;
    const Error e = FirestoreClient::mapError(http, body, QStringLiteral("h:1"), &isRetryable);
    QCOMPARE(int(e.kind), kind);
    QCOMPARE(isRetryable, retryable);
    QVERIFY(!e.message.isEmpty());
}

void FirestoreClientTest::retriesUnavailableThenSucceeds() {
    ScriptedHttpServer server({{503, R"({"error":{"status":"UNAVAILABLE","message":"busy"}})"},
                               {504, R"({"error":{"status":"DEADLINE_EXCEEDED","message":"slow"}})"},
                               {200, R"({"name":"projects/p/databases/(default)/documents/a/b","updateTime":"t"})"}});
    FirestoreClient client(testing::emulatorConfig(QStringLiteral("p"), server.hostPort()),
                           StaticToken::emulatorOwner());
    auto doc = REQUIRE_OK(wait(client.get(QStringLiteral("a/b"))));
    QVERIFY(doc.ok());
    QCOMPARE(doc->relativePath(), QStringLiteral("a/b"));
    QCOMPARE(server.requests().size(), 3);
    QCOMPARE(server.requests().at(0).authorization, QByteArray("Bearer owner"));
    QCOMPARE(server.requests().at(0).path, QByteArray("/v1/projects/p/databases/(default)/documents/a/b"));
}

void FirestoreClientTest::givesUpAfterRetriesNamingTheHost() {
    QList<ScriptedHttpServer::Response> script;
    for (int i = 0; i < 10; ++i) {
        script.append({503, R"({"error":{"status":"UNAVAILABLE","message":"busy"}})"});
    }
    ScriptedHttpServer server(script);
    auto config = testing::emulatorConfig(QStringLiteral("p"), server.hostPort());
    config.maxAttempts = 3;
    FirestoreClient client(config, StaticToken::emulatorOwner());
    auto doc = wait(client.get(QStringLiteral("a/b")));
    QVERIFY(!doc.ok());
    QCOMPARE(doc.error().kind, ErrorKind::Unavailable);
    QVERIFY2(doc.error().message.contains(server.hostPort()), qPrintable(doc.error().message));
    QVERIFY2(doc.error().message.contains(QStringLiteral("3 attempts")), qPrintable(doc.error().message));
    QCOMPARE(server.requests().size(), 3);

    // Precondition failures are never retried.
    ScriptedHttpServer once({{400, R"({"error":{"status":"FAILED_PRECONDITION","message":"version"}})"}});
    FirestoreClient client2(testing::emulatorConfig(QStringLiteral("p"), once.hostPort()),
                            StaticToken::emulatorOwner());
    auto conflict = wait(client2.patch(QStringLiteral("a/b"), {}, {}, Precondition::version(QStringLiteral("x"))));
    QCOMPARE(conflict.error().kind, ErrorKind::Conflict);
    QCOMPARE(once.requests().size(), 1);
}

void FirestoreClientTest::unreachableHostIsUnavailable() {
    quint16 port = 0;
    {
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        port = probe.serverPort();
    } // closed: nothing listens there now
    auto config = testing::emulatorConfig(QStringLiteral("p"), QStringLiteral("127.0.0.1:%1").arg(port));
    config.maxAttempts = 2;
    FirestoreClient client(config, StaticToken::emulatorOwner());
    auto r = wait(client.get(QStringLiteral("a/b")));
    QVERIFY(!r.ok());
    QCOMPARE(r.error().kind, ErrorKind::Unavailable);
    QVERIFY2(r.error().message.contains(QStringLiteral("cannot reach Firestore at 127.0.0.1:%1").arg(port)),
             qPrintable(r.error().message));
}

namespace {
class CountingToken : public TokenProvider {
public:
    Async<QString> token() override { return ready(Result<QString>(QStringLiteral("token-%1").arg(m_generation))); }
    void invalidate() override { ++m_generation; }
    QString describe() const override { return QStringLiteral("counting"); }
    int m_generation = 1;
};
} // namespace

void FirestoreClientTest::refreshesTokenOnceAfter401() {
    ScriptedHttpServer server({{401, R"({"error":{"status":"UNAUTHENTICATED","message":"expired"}})"},
                               {200, R"({"name":"projects/p/databases/(default)/documents/a/b"})"},
                               {401, R"({"error":{"status":"UNAUTHENTICATED","message":"expired"}})"},
                               {401, R"({"error":{"status":"UNAUTHENTICATED","message":"expired"}})"}});
    auto tokens = std::make_shared<CountingToken>();
    FirestoreClient client(testing::emulatorConfig(QStringLiteral("p"), server.hostPort()), tokens);
    QVERIFY(wait(client.get(QStringLiteral("a/b"))).ok());
    QCOMPARE(server.requests().at(0).authorization, QByteArray("Bearer token-1"));
    QCOMPARE(server.requests().at(1).authorization, QByteArray("Bearer token-2"));
    // Rejected twice in a row: a Permission error, and the token is not in the message.
    auto denied = wait(client.get(QStringLiteral("a/b")));
    QCOMPARE(denied.error().kind, ErrorKind::Permission);
    QVERIFY(!denied.error().message.contains(QStringLiteral("token-")));
    QCOMPARE(server.requests().size(), 4);
}

void FirestoreClientTest::commandTokenRunsTheCommand() {
    CommandToken good(QStringLiteral("printf"), {QStringLiteral("ya29.secret-token\n")});
    auto t = wait(good.token());
    QVERIFY(t.ok());
    QCOMPARE(*t, QStringLiteral("ya29.secret-token"));

    CommandToken failing(QStringLiteral("sh"),
                         {QStringLiteral("-c"), QStringLiteral("echo not logged in >&2; exit 1")});
    auto f = wait(failing.token());
    QVERIFY(!f.ok());
    QCOMPARE(f.error().kind, ErrorKind::Permission);
    QVERIFY2(f.error().message.contains(QStringLiteral("not logged in")), qPrintable(f.error().message));

    CommandToken junk(QStringLiteral("printf"), {QStringLiteral("two\nlines-secret")});
    auto j = wait(junk.token());
    QCOMPARE(j.error().kind, ErrorKind::Invalid);
    QVERIFY(!j.error().message.contains(QStringLiteral("secret")));

    CommandToken missing(QStringLiteral("/nonexistent/gcloud"), {});
    QCOMPARE(wait(missing.token()).error().kind, ErrorKind::Unavailable);
}

void FirestoreClientTest::destroyingTheClientAnswersPendingCalls() {
    // A server that accepts and never answers: the call is still in flight when its client goes away.
    QTcpServer silent;
    QVERIFY(silent.listen(QHostAddress::LocalHost, 0));
    auto client = std::make_unique<FirestoreClient>(
        testing::emulatorConfig(QStringLiteral("p"), QStringLiteral("127.0.0.1:%1").arg(silent.serverPort())),
        StaticToken::emulatorOwner());
    auto pending = client->runQuery(FirestoreQuery{});
    QVERIFY(!pending.isFinished());
    client.reset();
    QVERIFY(pending.isFinished());
    auto r = pending.result();
    QVERIFY(!r.ok());
    QCOMPARE(r.error().kind, ErrorKind::Unavailable);
    QVERIFY2(r.error().message.contains(QStringLiteral("closed")), qPrintable(r.error().message));
}

QTEST_GUILESS_MAIN(FirestoreClientTest)
#include "FirestoreClientTest.moc"
