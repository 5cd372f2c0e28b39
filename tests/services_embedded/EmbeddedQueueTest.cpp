// EmbeddedCaseStore::fetchQueuePage: order, keyset paging, filters, row aggregates and speech.
#include "EmbeddedTestSupport.h"

#include "audit/AuditChain.h"
#include "embedded/DemoEmbeddedWriter.h"
#include "embedded/DemoGenerator.h"

#include <QSet>

#include <algorithm>

using namespace fairuse;
using namespace fairuse::services;
using namespace fairuse::testing;

namespace {

const TimePoint kRef = at("2026-03-20T10:00:00Z");
constexpr int kUsers = 230;

/** 230 users: every 10th has stage none; updated_at repeats in groups of three so ties are broken by uid. */
DemoPopulation population() {
    DemoPopulation pop;
    pop.referenceTime = kRef;
    const Stage stages[] = {Stage::Warning, Stage::Throttle, Stage::Restrict};
    const UsageType types[] = {UsageType::Audiobook, UsageType::Podcast, UsageType::Commercial};
    for (int i = 0; i < kUsers; ++i) {
        const QString uid = QStringLiteral("user-%1").arg(i, 3, 10, QLatin1Char('0'));
        const TimePoint updated = kRef - minutes(10 * (i / 3));
        FairUseState s = makeState(uid, i % 10 == 9 ? Stage::None : stages[i % 3], updated);
        s.lastClassifierScore = (i % 100) / 100.0;
        s.lastClassifierType = types[i % 3];
        s.lastCaseRef = QStringLiteral("FU-%1").arg(i, 12, 16, QLatin1Char('0')).toUpper();
        pop.states.append(s);
        FairUseEvent e = makeEvent(uid, QStringLiteral("ev-%1").arg(i), s.lastCaseRef, updated - minutes(1));
        e.resolved = i % 4 == 0; // every 4th user has only a resolved case
        pop.events.append(e);
        if (i % 5 == 0) { // and every 5th an older open one
            FairUseEvent older =
                makeEvent(uid, QStringLiteral("old-%1").arg(i),
                          QStringLiteral("FU-F%1").arg(i, 11, 16, QLatin1Char('0')).toUpper(), updated - hours(30));
            pop.events.append(older);
        }
        DemoUser u;
        u.uid = uid;
        u.dailySpeechMs = {std::int64_t(i) * 1000, 1, 2, 3, 4, 5, 6};
        pop.users.append(u);
    }
    // The last audit action of user-000 is a note after an override.
    for (const AuditAction action : {AuditAction::OverrideStage, AuditAction::AddNote}) {
        AuditRecord a = makeAudit(QStringLiteral("user-000"), action, kRef - minutes(5), QStringLiteral("r"));
        pop.audit.append(chain(pop.audit.isEmpty() ? nullptr : &pop.audit.last(), a));
    }
    return pop;
}

struct Seeded {
    TempStore store;
    explicit Seeded(EmbeddedDatabase::Options options = {})
        : store(std::move(options)) {
        const Status s = writeToEmbedded(population(), *store.stores.database);
        if (!s) {
            qFatal("seeding failed: %s", qPrintable(s.error().message));
        }
    }

    /** The first page, of `limit` rows, of a queue search for `text`. */
    Result<QueuePage> search(const QString& text, int limit) {
        QueueFilter f;
        f.search = text;
        return awaitResult(store.cases().fetchQueuePage(f, QString(), limit));
    }
};

QList<QueueRow> fetchAll(EmbeddedCaseStore& cases, const QueueFilter& filter, int pageSize, int* pages = nullptr) {
    QList<QueueRow> rows;
    QString cursor;
    int n = 0;
    do {
        auto page = awaitResult(cases.fetchQueuePage(filter, cursor, pageSize));
        if (!page.ok()) {
            qWarning("page failed: %s", qPrintable(page.error().message));
            return {};
        }
        rows += page->rows;
        cursor = page->nextCursor;
        ++n;
    } while (!cursor.isEmpty() && n < 1000);
    if (pages) {
        *pages = n;
    }
    return rows;
}

bool inQueueOrder(const QueueRow& a, const QueueRow& b) {
    if (*a.state.updatedAt != *b.state.updatedAt) {
        return *a.state.updatedAt > *b.state.updatedAt;
    }
    return a.state.uid < b.state.uid;
}

} // namespace

class TestEmbeddedQueue : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void pagesCoverEveryFlaggedUserOnceInOrder_data() {
        QTest::addColumn<int>("pageSize");
        QTest::newRow("1") << 1;
        QTest::newRow("7 (splits tie groups)") << 7;
        QTest::newRow("200") << 200;
        QTest::newRow("more than all") << 5000;
    }

    void pagesCoverEveryFlaggedUserOnceInOrder() {
        QFETCH(int, pageSize);
        Seeded s;
        int pages = 0;
        const QList<QueueRow> rows = fetchAll(s.store.cases(), {}, pageSize, &pages);
        const int flagged = kUsers - kUsers / 10;
        QCOMPARE(rows.size(), flagged);
        QSet<QString> seen;
        for (int i = 0; i < rows.size(); ++i) {
            QVERIFY2(!seen.contains(rows[i].state.uid), qPrintable(rows[i].state.uid));
            seen.insert(rows[i].state.uid);
            QVERIFY(rows[i].state.stage != Stage::None);
            if (i > 0) {
                QVERIFY2(inQueueOrder(rows[i - 1], rows[i]), qPrintable(rows[i].state.uid));
            }
        }
        const int clamped = std::min(pageSize, 1000);
        QCOMPARE(pages, (flagged + clamped - 1) / clamped);
    }

    void keysetPagingSurvivesConcurrentUpdates() {
        Seeded s;
        auto first = awaitResult(s.store.cases().fetchQueuePage({}, QString(), 50));
        QVERIFY(first.ok());
        // A reviewer touches a user that is still ahead of us: it moves to the top, behind our cursor.
        const QString moved = QStringLiteral("user-200");
        auto state = awaitResult(s.store.cases().getState(moved));
        ChangeSet c;
        c.uid = moved;
        c.newState = *state;
        c.newState->updatedAt = kRef + minutes(1);
        c.expectedStateVersion = state->version;
        c.audit = makeAudit(moved, AuditAction::OverrideStage, kRef + minutes(1), QStringLiteral("touch"));
        QVERIFY(awaitResult(s.store.cases().apply(c)).ok());
        QList<QueueRow> rest;
        QString cursor = first->nextCursor;
        while (!cursor.isEmpty()) {
            auto page = awaitResult(s.store.cases().fetchQueuePage({}, cursor, 50));
            QVERIFY(page.ok());
            rest += page->rows;
            cursor = page->nextCursor;
        }
        QSet<QString> seen;
        for (const QueueRow& r : first->rows + rest) {
            QVERIFY(!seen.contains(r.state.uid));
            seen.insert(r.state.uid);
        }
        QVERIFY(!seen.contains(moved)); // it is on a page before the cursor now; a refresh shows it
        QCOMPARE(seen.size(), kUsers - kUsers / 10 - 1);
    }

    void filters_data() {
        QTest::addColumn<int>("stage");     // -1 any flagged
        QTest::addColumn<int>("usageType"); // -1 any
        QTest::addColumn<double>("minScore");
        QTest::addColumn<double>("maxScore");
        QTest::addColumn<int>("resolution");
        QTest::newRow("throttle only") << int(Stage::Throttle) << -1 << 0.0 << 1.0 << 0;
        QTest::newRow("stage none is never flagged but can be asked for") << int(Stage::None) << -1 << 0.0 << 1.0 << 0;
        QTest::newRow("podcast") << -1 << int(UsageType::Podcast) << 0.0 << 1.0 << 0;
        QTest::newRow("score 0.5..0.8") << -1 << -1 << 0.5 << 0.8 << 0;
        QTest::newRow("open only") << -1 << -1 << 0.0 << 1.0 << 1;
        QTest::newRow("resolved only") << -1 << -1 << 0.0 << 1.0 << 2;
        QTest::newRow("restrict, commercial, open, high score")
            << int(Stage::Restrict) << int(UsageType::Commercial) << 0.3 << 1.0 << 1;
    }

    void filters() {
        QFETCH(int, stage);
        QFETCH(int, usageType);
        QFETCH(double, minScore);
        QFETCH(double, maxScore);
        QFETCH(int, resolution);
        QueueFilter f;
        if (stage >= 0) {
            f.stage = static_cast<Stage>(stage);
        }
        if (usageType >= 0) {
            f.usageType = static_cast<UsageType>(usageType);
        }
        f.minScore = minScore;
        f.maxScore = maxScore;
        f.resolution = static_cast<QueueFilter::Resolution>(resolution);

        // The expected set, from the population's definition rather than from the store.
        const DemoPopulation pop = population();
        QSet<QString> expected;
        for (const FairUseState& st : pop.states) {
            const bool stageOk = f.stage ? st.stage == *f.stage : st.stage != Stage::None;
            const bool typeOk = !f.usageType || st.lastClassifierType == f.usageType;
            const double score = st.lastClassifierScore.value_or(0);
            const bool scoreOk = score >= minScore - 1e-9 && score <= maxScore + 1e-9;
            int open = 0, resolved = 0;
            for (const FairUseEvent& e : pop.events) {
                if (e.uid == st.uid) {
                    (e.resolved ? resolved : open)++;
                }
            }
            const bool resolutionOk =
                f.resolution == QueueFilter::Resolution::Any ||
                (f.resolution == QueueFilter::Resolution::OpenOnly && open > 0) ||
                (f.resolution == QueueFilter::Resolution::ResolvedOnly && open == 0 && resolved > 0);
            if (stageOk && typeOk && scoreOk && resolutionOk) {
                expected.insert(st.uid);
            }
        }
        QVERIFY(!expected.isEmpty());
        Seeded s;
        const QList<QueueRow> rows = fetchAll(s.store.cases(), f, 13);
        QSet<QString> got;
        for (const QueueRow& r : rows) {
            got.insert(r.state.uid);
        }
        QCOMPARE(rows.size(), got.size());
        QCOMPARE(got, expected);
    }

    void searchByUidOrCaseRef_data() {
        QTest::addColumn<QString>("search");
        QTest::addColumn<QString>("uid");
        QTest::newRow("uid") << QStringLiteral("user-042") << QStringLiteral("user-042");
        QTest::newRow("case ref lower case") << QStringLiteral(" fu-00000000002a ") << QStringLiteral("user-042");
        QTest::newRow("older case ref") << QStringLiteral("FU-F00000000028") << QStringLiteral("user-040");
        QTest::newRow("unknown uid") << QStringLiteral("user-9999") << QString();
        QTest::newRow("unflagged user") << QStringLiteral("user-009") << QString();
        QTest::newRow("prefix is not a match") << QStringLiteral("user-04") << QString();
    }

    void searchByUidOrCaseRef() {
        QFETCH(QString, search);
        QFETCH(QString, uid);
        Seeded s;
        auto page = s.search(search, 50);
        QVERIFY(page.ok());
        if (uid.isEmpty()) {
            QCOMPARE(page->rows.size(), 0);
        } else {
            QCOMPARE(page->rows.size(), 1);
            QCOMPARE(page->rows.first().state.uid, uid);
        }
    }

    void rowsCarryCasesLastActionAndSpeech() {
        Seeded s;
        auto page = s.search(QStringLiteral("user-000"), 10);
        QVERIFY(page.ok());
        QCOMPARE(page->rows.size(), 1);
        const QueueRow& r = page->rows.first();
        // user-000: latest case resolved (i % 4 == 0), older case open (i % 5 == 0).
        QCOMPARE(r.openCases, 1);
        QCOMPARE(r.oldestOpenCaseAt, std::optional<TimePoint>(kRef - hours(30)));
        QCOMPARE(r.lastAction, QStringLiteral("add_note"));
        QVERIFY(r.speech.has_value());
        QCOMPARE(*r.speech, (SpeechTotals{0, 0 + 1 + 2, 0 + 1 + 2 + 3 + 4 + 5 + 6}));

        auto other = s.search(QStringLiteral("user-005"), 10);
        QCOMPARE(other->rows.first().openCases, 2);
        QCOMPARE(other->rows.first().lastAction, QString());
        QCOMPARE(other->rows.first().speech->dailyMs, 5000);
    }

    void speechIsLiveWhenTheSnapshotIsNotForNow() {
        // A clock other than the reference time: the snapshot is ignored and buckets are summed.
        const TimePoint later = kRef + hours(2);
        Seeded s(EmbeddedDatabase::Options{[later] { return later; }});
        QVERIFY(awaitResult(s.store.usage().recordSpeech(QStringLiteral("user-001"), later - minutes(30), 42'000,
                                                         SpeechSource::Realtime))
                    .ok());
        auto page = s.search(QStringLiteral("user-001"), 10);
        QVERIFY(page.ok());
        QCOMPARE(*page->rows.first().speech, (SpeechTotals{42'000, 42'000, 42'000}));
    }

    void recordSpeechInvalidatesTheSnapshot() {
        Seeded s; // default clock: the reference time recorded by the seeder
        QVERIFY(awaitResult(s.store.usage().recordSpeech(QStringLiteral("user-002"), kRef - minutes(30), 1'500,
                                                         SpeechSource::Realtime))
                    .ok());
        auto page = s.search(QStringLiteral("user-002"), 10);
        QVERIFY(page.ok());
        // The seeded snapshot said 2000 ms; the store has no buckets for this user, only the new 1500 ms.
        QCOMPARE(page->rows.first().speech->dailyMs, 1'500);
    }

    void malformedCursorIsInvalid_data() {
        QTest::addColumn<QString>("cursor");
        QTest::newRow("garbage") << QStringLiteral("%%%not-base64%%%");
        QTest::newRow("no separator") << QString::fromLatin1(QByteArray("12345").toBase64());
        QTest::newRow("no uid") << QString::fromLatin1(QByteArray("12345\n").toBase64());
        QTest::newRow("not a number") << QString::fromLatin1(QByteArray("abc\nuser").toBase64());
    }

    void malformedCursorIsInvalid() {
        QFETCH(QString, cursor);
        TempStore store;
        auto page = awaitResult(store.cases().fetchQueuePage({}, cursor, 10));
        QVERIFY(!page.ok());
        QCOMPARE(page.error().kind, ErrorKind::Invalid);
    }
};

QTEST_GUILESS_MAIN(TestEmbeddedQueue)
#include "EmbeddedQueueTest.moc"
