#include "audit/AuditChain.h"
#include "TestTime.h"

#include <QCryptographicHash>
#include <QTest>

#include <functional>

using namespace fairuse;

namespace {

using fairuse::testing::at;

AuditRecord draft(int n, const QString& reviewer = QStringLiteral("ana@example.com")) {
    AuditRecord r;
    r.at = at("2026-03-20T10:00:00Z") + std::chrono::minutes{n};
    r.reviewer = reviewer;
    r.role = Role::SeniorReviewer;
    r.action = n % 2 == 0 ? AuditAction::Resolve : AuditAction::OverrideStage;
    r.uid = QStringLiteral("uid-%1").arg(n);
    r.caseRef = QStringLiteral("FU-00000000000%1").arg(n);
    r.eventId = QStringLiteral("ev%1").arg(n);
    r.stageBefore = Stage::Throttle;
    r.stageAfter = Stage::Warning;
    r.reason = QStringLiteral("reason %1").arg(n);
    r.clientVersion = QStringLiteral("0.1.0");
    return r;
}

/** A valid chain of `n` records built with chain(). */
QList<AuditRecord> validChain(int n = 5) {
    QList<AuditRecord> out;
    for (int i = 0; i < n; ++i) {
        out.append(chain(out.isEmpty() ? nullptr : &out.constLast(), draft(i)));
    }
    return out;
}

/** Re-hashes one record the way a forger would after editing it. */
void rehash(AuditRecord& r) {
    r.hash = hashRecord(r);
}

using Tamper = std::function<void(QList<AuditRecord>&)>;

} // namespace

Q_DECLARE_METATYPE(Tamper)

class AuditChainTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void canonicalForm() {
        AuditRecord r;
        r.sequence = 7;
        r.at = at("2026-03-20T10:15:00.123Z");
        r.reviewer = QStringLiteral("ana@example.com");
        r.role = Role::SeniorReviewer;
        r.action = AuditAction::OverrideStage;
        r.uid = QStringLiteral("u1");
        r.caseRef = QStringLiteral("FU-0123456789AB");
        r.eventId = QStringLiteral("e1");
        r.stageBefore = Stage::Restrict;
        r.reason = QStringLiteral("appeal accepted");
        r.clientVersion = QStringLiteral("0.1.0");
        r.prevHash = QStringLiteral("ab");
        r.hash = QStringLiteral("not part of the canonical form");
        // Written by hand from the documented format (sorted keys, compact, null for an absent stage).
        const QByteArray expected = R"({"action":"override_stage","at":"2026-03-20T10:15:00.123Z",)"
                                    R"("case_ref":"FU-0123456789AB","client_version":"0.1.0","event_id":"e1",)"
                                    R"("prev_hash":"ab","reason":"appeal accepted","reviewer":"ana@example.com",)"
                                    R"("role":"senior_reviewer","sequence":7,"stage_after":null,)"
                                    R"("stage_before":"restrict","uid":"u1"})";
        QCOMPARE(canonicalAuditRecord(r), expected);
    }

    void canonicalEscaping_data() {
        // Plain string literals here: moc mis-parses raw strings that contain backslashes.
        QTest::addColumn<QString>("reason");
        QTest::addColumn<QByteArray>("expectedJson");
        QTest::newRow("plain") << QStringLiteral("ok") << QByteArray("\"ok\"");
        QTest::newRow("quote and backslash") << QStringLiteral("a\"b\\c") << QByteArray("\"a\\\"b\\\\c\"");
        QTest::newRow("short escapes") << QStringLiteral("l1\nl2\r\t\b\f") << QByteArray("\"l1\\nl2\\r\\t\\b\\f\"");
        QTest::newRow("other control characters")
            << QString(QString(QChar(0x01)) + QChar(0x1f)) << QByteArray("\"\\u0001\\u001f\"");
        QTest::newRow("slash is not escaped") << QStringLiteral("a/b") << QByteArray("\"a/b\"");
        QTest::newRow("non-ASCII stays UTF-8")
            << QString::fromUtf8("Zoë 🎧") << QByteArray("\"Zo\xc3\xab \xf0\x9f\x8e\xa7\"");
        QTest::newRow("DEL is not escaped") << QString(QChar(0x7f)) << QByteArray("\"\x7f\"");
    }

    void canonicalEscaping() {
        QFETCH(QString, reason);
        QFETCH(QByteArray, expectedJson);
        AuditRecord r = draft(1);
        r.reason = reason;
        QVERIFY2(canonicalAuditRecord(r).contains(QByteArray("\"reason\":" + expectedJson + ",\"reviewer\"")),
                 canonicalAuditRecord(r).constData());
    }

    void hashIsSha256OfCanonicalForm() {
        const AuditRecord r = draft(3);
        const QString h = hashRecord(r);
        QCOMPARE(h.size(), 64);
        QCOMPARE(h, QString::fromLatin1(
                        QCryptographicHash::hash(canonicalAuditRecord(r), QCryptographicHash::Sha256).toHex()));
    }

    void everyFieldIsHashed_data() {
        QTest::addColumn<Tamper>("edit");
        auto one = [](std::function<void(AuditRecord&)> f) { return Tamper([f](QList<AuditRecord>& l) { f(l[0]); }); };
        QTest::newRow("sequence") << one([](AuditRecord& r) { r.sequence += 1; });
        QTest::newRow("at (1 ms)") << one([](AuditRecord& r) { r.at += Milliseconds{1}; });
        QTest::newRow("reviewer") << one([](AuditRecord& r) { r.reviewer = QStringLiteral("bob@example.com"); });
        QTest::newRow("role") << one([](AuditRecord& r) { r.role = Role::Admin; });
        QTest::newRow("action") << one([](AuditRecord& r) { r.action = AuditAction::Reset; });
        QTest::newRow("uid") << one([](AuditRecord& r) { r.uid += QLatin1Char('x'); });
        QTest::newRow("caseRef") << one([](AuditRecord& r) { r.caseRef.clear(); });
        QTest::newRow("eventId") << one([](AuditRecord& r) { r.eventId = QStringLiteral("other"); });
        QTest::newRow("stageBefore absent") << one([](AuditRecord& r) { r.stageBefore.reset(); });
        QTest::newRow("stageAfter") << one([](AuditRecord& r) { r.stageAfter = Stage::None; });
        QTest::newRow("reason") << one([](AuditRecord& r) { r.reason += QLatin1Char(' '); });
        QTest::newRow("clientVersion") << one([](AuditRecord& r) { r.clientVersion = QStringLiteral("0.1.1"); });
        QTest::newRow("prevHash") << one([](AuditRecord& r) { r.prevHash = QString(64, QLatin1Char('0')); });
        // Field boundaries are unambiguous: moving text from one field to the next changes the hash.
        QTest::newRow("text moved between fields") << one([](AuditRecord& r) {
            r.eventId.prepend(r.caseRef.back());
            r.caseRef.chop(1);
        });
    }

    void everyFieldIsHashed() {
        QFETCH(Tamper, edit);
        QList<AuditRecord> l{draft(2)};
        const QString before = hashRecord(l[0]);
        edit(l);
        QVERIFY(hashRecord(l[0]) != before);
    }

    void hashFieldIsNotHashed() {
        AuditRecord r = draft(2);
        const QString h = hashRecord(r);
        r.hash = QStringLiteral("anything");
        QCOMPARE(hashRecord(r), h);
    }

    void chainFillsLinks() {
        const QList<AuditRecord> c = validChain(3);
        QCOMPARE(c[0].sequence, std::int64_t{1});
        QVERIFY(c[0].prevHash.isEmpty());
        QCOMPARE(c[1].sequence, std::int64_t{2});
        QCOMPARE(c[1].prevHash, c[0].hash);
        QCOMPARE(c[2].sequence, std::int64_t{3});
        QCOMPARE(c[2].prevHash, c[1].hash);
        for (const AuditRecord& r : c) {
            QCOMPARE(r.hash, hashRecord(r));
        }
        QCOMPARE(c[1].reason, draft(1).reason); // other fields kept
        QVERIFY(verifyChain(c).ok);
        QVERIFY(verifyChain({}).ok);
    }

    void tampering_data() {
        QTest::addColumn<Tamper>("tamper");
        QTest::addColumn<bool>("passHead"); // verify against the head hash of the untampered chain
        QTest::addColumn<int>("expectedIndex");

        QTest::newRow("untouched") << Tamper([](QList<AuditRecord>&) {}) << false << -1;
        QTest::newRow("untouched, with head") << Tamper([](QList<AuditRecord>&) {}) << true << -1;
        QTest::newRow("edited reason") << Tamper([](QList<AuditRecord>& l) { l[2].reason = QStringLiteral("x"); })
                                       << false << 2;
        QTest::newRow("edited first record")
            << Tamper([](QList<AuditRecord>& l) { l[0].stageAfter = Stage::None; }) << false << 0;
        QTest::newRow("edited last record")
            << Tamper([](QList<AuditRecord>& l) { l[4].uid = QStringLiteral("x"); }) << false << 4;
        QTest::newRow("edited and re-hashed: the next link breaks") << Tamper([](QList<AuditRecord>& l) {
            l[2].stageAfter = Stage::None;
            rehash(l[2]);
        }) << false << 3;
        QTest::newRow("last record edited and re-hashed, without head") << Tamper([](QList<AuditRecord>& l) {
            l[4].reason = QStringLiteral("rewritten");
            rehash(l[4]);
        }) << false << -1; // a limit of hash chains, documented: the head hash covers it
        QTest::newRow("last record edited and re-hashed, with head") << Tamper([](QList<AuditRecord>& l) {
            l[4].reason = QStringLiteral("rewritten");
            rehash(l[4]);
        }) << true << 4;
        QTest::newRow("deleted middle record") << Tamper([](QList<AuditRecord>& l) { l.removeAt(2); }) << false << 2;
        QTest::newRow("deleted first record") << Tamper([](QList<AuditRecord>& l) { l.removeFirst(); }) << false << 0;
        QTest::newRow("deleted last record, without head")
            << Tamper([](QList<AuditRecord>& l) { l.removeLast(); }) << false << -1;
        QTest::newRow("deleted last record, with head")
            << Tamper([](QList<AuditRecord>& l) { l.removeLast(); }) << true << 3;
        QTest::newRow("swapped neighbours") << Tamper([](QList<AuditRecord>& l) { l.swapItemsAt(1, 2); }) << false << 1;
        QTest::newRow("last moved to the front") << Tamper([](QList<AuditRecord>& l) { l.move(4, 0); }) << false << 0;
        QTest::newRow("record duplicated") << Tamper([](QList<AuditRecord>& l) { l.insert(3, l[2]); }) << false << 3;
        QTest::newRow("sequence changed and re-hashed") << Tamper([](QList<AuditRecord>& l) {
            l[3].sequence = 7;
            rehash(l[3]);
        }) << false << 3;
        QTest::newRow("chain starts at sequence 0") << Tamper([](QList<AuditRecord>& l) {
            l = {chain(nullptr, draft(0))};
            l[0].sequence = 0;
            rehash(l[0]);
        }) << false << 0;
        QTest::newRow("first record with a prevHash") << Tamper([](QList<AuditRecord>& l) {
            l[0].prevHash = QString(64, QLatin1Char('a'));
            rehash(l[0]);
        }) << false << 0;
        QTest::newRow("prevHash rewritten and re-hashed") << Tamper([](QList<AuditRecord>& l) {
            l[3].prevHash = QString(64, QLatin1Char('f'));
            rehash(l[3]);
        }) << false << 3;
        QTest::newRow("forged hash") << Tamper([](QList<AuditRecord>& l) { l[1].hash = QString(64, QLatin1Char('e')); })
                                     << false << 1;
        QTest::newRow("hash in upper case")
            << Tamper([](QList<AuditRecord>& l) { l[1].hash = l[1].hash.toUpper(); }) << false << 1;
        QTest::newRow("empty hash") << Tamper([](QList<AuditRecord>& l) { l[2].hash.clear(); }) << false << 2;
        QTest::newRow("record from another chain inserted") << Tamper([](QList<AuditRecord>& l) {
            AuditRecord foreign = chain(&l[1], draft(9));
            l.insert(2, foreign);
        }) << false << 3;
    }

    void tampering() {
        QFETCH(Tamper, tamper);
        QFETCH(bool, passHead);
        QFETCH(int, expectedIndex);
        QList<AuditRecord> records = validChain(5);
        const QString head = records.constLast().hash;
        tamper(records);
        const ChainVerification v = verifyChain(records, passHead ? head : QString());
        QCOMPARE(v.firstBrokenIndex, expectedIndex);
        QCOMPARE(v.ok, expectedIndex == -1);
        QCOMPARE(v.reason.isEmpty(), expectedIndex == -1);
    }

    void invalidRecords_data() {
        QTest::addColumn<QString>("reviewer");
        QTest::addColumn<QString>("uid");
        QTest::addColumn<int>("action");
        QTest::addColumn<QString>("reason");
        QTest::addColumn<bool>("valid");

        const int resolve = int(AuditAction::Resolve);
        const int override = int(AuditAction::OverrideStage);
        const QString ana = QStringLiteral("ana@example.com");
        const QString u = QStringLiteral("u1");
        QTest::newRow("valid") << ana << u << resolve << QString() << true;
        QTest::newRow("override with reason") << ana << u << override << QStringLiteral("appeal") << true;
        QTest::newRow("override without reason") << ana << u << override << QString() << false;
        QTest::newRow("override with blank reason") << ana << u << override << QStringLiteral("  ") << false;
        QTest::newRow("no reviewer") << QString() << u << resolve << QString() << false;
        QTest::newRow("blank reviewer") << QStringLiteral(" \t") << u << resolve << QString() << false;
        QTest::newRow("admin placeholder") << QStringLiteral("admin") << u << resolve << QString() << false;
        QTest::newRow("Admin placeholder with spaces")
            << QStringLiteral(" Admin ") << u << resolve << QString() << false;
        QTest::newRow("an address that contains admin is a name")
            << QStringLiteral("admin@example.com") << u << resolve << QString() << true;
        QTest::newRow("no user") << ana << QString() << resolve << QString() << false;
    }

    void invalidRecords() {
        QFETCH(QString, reviewer);
        QFETCH(QString, uid);
        QFETCH(int, action);
        QFETCH(QString, reason);
        QFETCH(bool, valid);
        AuditRecord r = draft(0);
        r.reviewer = reviewer;
        r.uid = uid;
        r.action = static_cast<AuditAction>(action);
        r.reason = reason;
        QCOMPARE(validateAuditRecord(r).ok(), valid);

        // In a chain the invalid record is reported even though every hash and link is right.
        QList<AuditRecord> records = validChain(2);
        records.append(chain(&records.constLast(), r));
        records.append(chain(&records.constLast(), draft(3)));
        const ChainVerification v = verifyChain(records);
        QCOMPARE(v.firstBrokenIndex, valid ? -1 : 2);
    }
};

QTEST_GUILESS_MAIN(AuditChainTest)
#include "AuditChainTest.moc"
