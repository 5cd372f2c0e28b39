#include "ledger/PriceTable.h"

#include "LedgerTestSupport.h"

#include <QTest>

using namespace fairuse;

Q_DECLARE_METATYPE(fairuse::ErrorKind)

class PriceTableTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void cost_data() {
        QTest::addColumn<QString>("model");
        QTest::addColumn<qint64>("promptTokens");
        QTest::addColumn<qint64>("completionTokens");
        QTest::addColumn<qint64>("expectedMicroUsd");

        // gpt-4.1-mini: $0.40 / $1.60 per 1M tokens. gpt-4.1-nano: $0.10 / $0.40. gpt-5.1: $1.25 / $10.
        QTest::newRow("1M prompt tokens")
            << QStringLiteral("gpt-4.1-mini") << qint64{1'000'000} << qint64{0} << qint64{400'000};
        QTest::newRow("1M completion tokens")
            << QStringLiteral("gpt-4.1-mini") << qint64{0} << qint64{1'000'000} << qint64{1'600'000};
        QTest::newRow("typical structuring call") // 1000*0.4 + 500*1.6 micro-USD
            << QStringLiteral("gpt-4.1-mini") << qint64{1000} << qint64{500} << qint64{1200};
        QTest::newRow("classifier call on gpt-5.1") // 12000*1.25 + 800*10
            << QStringLiteral("gpt-5.1") << qint64{12'000} << qint64{800} << qint64{23'000};
        QTest::newRow("no tokens is free") << QStringLiteral("gpt-4.1-mini") << qint64{0} << qint64{0} << qint64{0};
        QTest::newRow("one token rounds up, never free")
            << QStringLiteral("gpt-4.1-nano") << qint64{1} << qint64{0} << qint64{1};
        QTest::newRow("fractions of both parts add before rounding") // 5*0.1 + 1*0.4 = 0.9 -> 1
            << QStringLiteral("gpt-4.1-nano") << qint64{5} << qint64{1} << qint64{1};
        QTest::newRow("fractions above one micro-USD") // 15*0.1 + 3*0.4 = 2.7 -> 3
            << QStringLiteral("gpt-4.1-nano") << qint64{15} << qint64{3} << qint64{3};
        QTest::newRow("dated snapshot billed as its base model")
            << QStringLiteral("gpt-4.1-mini-2025-04-14") << qint64{1000} << qint64{500} << qint64{1200};
    }

    void cost() {
        QFETCH(QString, model);
        QFETCH(qint64, promptTokens);
        QFETCH(qint64, completionTokens);
        QFETCH(qint64, expectedMicroUsd);
        const Result<std::int64_t> c = PriceTable::defaults().costMicroUsd(model, promptTokens, completionTokens);
        QVERIFY2(c.ok(), qPrintable(c.ok() ? QString() : c.error().message));
        QCOMPARE(*c, expectedMicroUsd);
    }

    void costErrors_data() {
        QTest::addColumn<QString>("model");
        QTest::addColumn<qint64>("promptTokens");
        QTest::addColumn<qint64>("completionTokens");
        QTest::addColumn<fairuse::ErrorKind>("expectedKind");

        QTest::newRow("unknown model") << QStringLiteral("llama-local") << qint64{10} << qint64{10}
                                       << ErrorKind::NotFound;
        QTest::newRow("unknown model with no tokens is still an error")
            << QStringLiteral("llama-local") << qint64{0} << qint64{0} << ErrorKind::NotFound;
        QTest::newRow("empty model name") << QString() << qint64{10} << qint64{10} << ErrorKind::NotFound;
        QTest::newRow("names are case-sensitive")
            << QStringLiteral("GPT-4.1-MINI") << qint64{10} << qint64{10} << ErrorKind::NotFound;
        QTest::newRow("date suffix of an unknown base")
            << QStringLiteral("mystery-2025-04-14") << qint64{1} << qint64{1} << ErrorKind::NotFound;
        QTest::newRow("not a date suffix")
            << QStringLiteral("gpt-4.1-mini-latest") << qint64{1} << qint64{1} << ErrorKind::NotFound;
        QTest::newRow("negative prompt tokens")
            << QStringLiteral("gpt-4.1-mini") << qint64{-1} << qint64{0} << ErrorKind::Invalid;
        QTest::newRow("negative completion tokens")
            << QStringLiteral("gpt-4.1-mini") << qint64{0} << qint64{-5} << ErrorKind::Invalid;
        QTest::newRow("absurd token count")
            << QStringLiteral("gpt-4.1-mini") << qint64{PriceTable::kMaxTokens + 1} << qint64{0} << ErrorKind::Invalid;
    }

    void costErrors() {
        QFETCH(QString, model);
        QFETCH(qint64, promptTokens);
        QFETCH(qint64, completionTokens);
        QFETCH(fairuse::ErrorKind, expectedKind);
        const Result<std::int64_t> c = PriceTable::defaults().costMicroUsd(model, promptTokens, completionTokens);
        QVERIFY(!c.ok());
        QCOMPARE(c.error().kind, expectedKind);
        QVERIFY(!c.error().message.isEmpty());
    }

    void emptyTablePricesNothing() {
        const PriceTable empty;
        QVERIFY(empty.isEmpty());
        QCOMPARE(empty.costMicroUsd(QStringLiteral("gpt-4.1-mini"), 1, 1).error().kind, ErrorKind::NotFound);
    }

    void extremesDoNotOverflow() {
        PriceTable t;
        QVERIFY(t.setPrice({QStringLiteral("max"), PriceTable::kMaxPriceMicroUsdPerMTok,
                            PriceTable::kMaxPriceMicroUsdPerMTok})
                    .ok());
        const Result<std::int64_t> c =
            t.costMicroUsd(QStringLiteral("max"), PriceTable::kMaxTokens, PriceTable::kMaxTokens - 1);
        QVERIFY(c.ok());
        // 1e12 tokens * 1e12 micro-USD / 1e6 = 1e18; one completion token less costs 1e12 / 1e6 = 1e6 less.
        QCOMPARE(*c, std::int64_t{2'000'000'000'000'000'000} - 1'000'000);
    }

    void setPriceValidates_data() {
        QTest::addColumn<QString>("model");
        QTest::addColumn<qint64>("prompt");
        QTest::addColumn<qint64>("completion");
        QTest::addColumn<bool>("ok");
        QTest::newRow("valid") << QStringLiteral("m") << qint64{1} << qint64{2} << true;
        QTest::newRow("explicitly free model") << QStringLiteral("local") << qint64{0} << qint64{0} << true;
        QTest::newRow("empty name") << QString() << qint64{1} << qint64{2} << false;
        QTest::newRow("blank name") << QStringLiteral("  ") << qint64{1} << qint64{2} << false;
        QTest::newRow("name with surrounding space") << QStringLiteral(" m") << qint64{1} << qint64{2} << false;
        QTest::newRow("negative prompt") << QStringLiteral("m") << qint64{-1} << qint64{2} << false;
        QTest::newRow("negative completion") << QStringLiteral("m") << qint64{1} << qint64{-2} << false;
        QTest::newRow("too expensive") << QStringLiteral("m") << qint64{PriceTable::kMaxPriceMicroUsdPerMTok + 1}
                                       << qint64{2} << false;
    }

    void setPriceValidates() {
        QFETCH(QString, model);
        QFETCH(qint64, prompt);
        QFETCH(qint64, completion);
        QFETCH(bool, ok);
        PriceTable t;
        const Status s = t.setPrice({model, prompt, completion});
        QCOMPARE(s.ok(), ok);
        QCOMPARE(t.price(model).ok(), ok);
    }

    void fromJsonValid() {
        const QByteArray json = R"({"models": [
            {"model": "a", "prompt_micro_usd_per_mtok": 1000000, "completion_micro_usd_per_mtok": 3000000},
            {"model": "b", "prompt_micro_usd_per_mtok": 0, "completion_micro_usd_per_mtok": 1e3, "note": "ignored"}
        ], "currency": "USD"})";
        const Result<PriceTable> t = PriceTable::fromJson(json);
        QVERIFY2(t.ok(), qPrintable(t.ok() ? QString() : t.error().message));
        QCOMPARE(t->prices().size(), 2);
        QCOMPARE(*t->costMicroUsd(QStringLiteral("a"), 10, 10), std::int64_t{40});
        QCOMPARE(t->price(QStringLiteral("b"))->completionMicroUsdPerMTok, std::int64_t{1000});
        QCOMPARE(t->costMicroUsd(QStringLiteral("gpt-4.1-mini"), 1, 1).error().kind, ErrorKind::NotFound);
    }

    void jsonRoundTrip() {
        const PriceTable defaults = PriceTable::defaults();
        const Result<PriceTable> back = PriceTable::fromJson(defaults.toJson());
        QVERIFY(back.ok());
        QCOMPARE(back->prices(), defaults.prices());
        QVERIFY(defaults.prices().size() >= 5);
    }

    void fromJsonMalformed_data() {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("messageMentions");

        const QByteArray ok = R"("prompt_micro_usd_per_mtok": 1, "completion_micro_usd_per_mtok": 2)";
        QTest::newRow("empty input") << QByteArray() << QStringLiteral("not JSON");
        QTest::newRow("not JSON") << QByteArray("prices: yes") << QStringLiteral("not JSON");
        QTest::newRow("truncated") << QByteArray(R"({"models": [{"model": "a", )") << QStringLiteral("not JSON");
        QTest::newRow("array root") << QByteArray("[]") << QStringLiteral("object");
        QTest::newRow("no models") << QByteArray("{}") << QStringLiteral("models");
        QTest::newRow("models is an object") << QByteArray(R"({"models": {"a": 1}})") << QStringLiteral("models");
        QTest::newRow("no entries") << QByteArray(R"({"models": []})") << QStringLiteral("no models");
        QTest::newRow("entry is a string") << QByteArray(R"({"models": ["gpt"]})") << QStringLiteral("models[0]");
        QTest::newRow("entry without a name")
            << QByteArray("{\"models\": [{" + ok + "}]}") << QStringLiteral("models[0]");
        QTest::newRow("empty name") << QByteArray("{\"models\": [{\"model\": \"\", " + ok + "}]}")
                                    << QStringLiteral("models[0]");
        QTest::newRow("numeric name") << QByteArray("{\"models\": [{\"model\": 4, " + ok + "}]}")
                                      << QStringLiteral("models[0]");
        QTest::newRow("duplicate model") << QByteArray("{\"models\": [{\"model\": \"a\", " + ok +
                                                       "}, {\"model\": \"a\", " + ok + "}]}")
                                         << QStringLiteral("duplicate");
        QTest::newRow("missing prompt price")
            << QByteArray(R"({"models": [{"model": "a", "completion_micro_usd_per_mtok": 2}]})")
            << QStringLiteral("prompt_micro_usd_per_mtok");
        QTest::newRow("missing completion price")
            << QByteArray(R"({"models": [{"model": "a", "prompt_micro_usd_per_mtok": 2}]})")
            << QStringLiteral("completion_micro_usd_per_mtok");
        QTest::newRow("price as string") << QByteArray(R"({"models": [{"model": "a", "prompt_micro_usd_per_mtok":
                                                          "1", "completion_micro_usd_per_mtok": 2}]})")
                                         << QStringLiteral("number");
        QTest::newRow("price null") << QByteArray(R"({"models": [{"model": "a", "prompt_micro_usd_per_mtok": null,
                                                    "completion_micro_usd_per_mtok": 2}]})")
                                    << QStringLiteral("number");
        QTest::newRow("negative price") << QByteArray(R"({"models": [{"model": "a", "prompt_micro_usd_per_mtok": -1,
                                                        "completion_micro_usd_per_mtok": 2}]})")
                                        << QStringLiteral("range");
        QTest::newRow("fractional micro-USD") << QByteArray(R"({"models": [{"model": "a", "prompt_micro_usd_per_mtok":
                                                              0.5, "completion_micro_usd_per_mtok": 2}]})")
                                              << QStringLiteral("whole");
        QTest::newRow("absurd price") << QByteArray(R"({"models": [{"model": "a", "prompt_micro_usd_per_mtok": 1,
                                                      "completion_micro_usd_per_mtok": 1e300}]})")
                                      << QStringLiteral("range");
        QTest::newRow("second entry bad")
            << QByteArray("{\"models\": [{\"model\": \"a\", " + ok + "}, {\"model\": \"b\"}]}")
            << QStringLiteral("models[1]");
    }

    void fromJsonMalformed() {
        QFETCH(QByteArray, json);
        QFETCH(QString, messageMentions);
        const Result<PriceTable> t = PriceTable::fromJson(json);
        QVERIFY(!t.ok());
        QCOMPARE(t.error().kind, ErrorKind::Invalid);
        QVERIFY2(t.error().message.contains(messageMentions), qPrintable(t.error().message));
    }
};

QTEST_GUILESS_MAIN(PriceTableTest)
#include "PriceTableTest.moc"
