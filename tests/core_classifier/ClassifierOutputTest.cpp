#include "classifier/ClassifierOutput.h"
#include "ClassifierTestData.h"
#include "classifier/ClassifierPrompt.h"

#include <QRandomGenerator>
#include <QSet>
#include <QStringList>
#include <QTest>

using namespace fairuse;
using namespace fairuse::classifier;
using namespace classifier_test;

namespace {

/** The conversations that were sent: c1..c12, titled "Title c1" ... */
QList<Conversation> sentInput() {
    QList<Conversation> list;
    for (int i = 1; i <= 12; ++i) {
        list.append(conversation(QStringLiteral("c%1").arg(i), QStringLiteral("Title c%1").arg(i), 70,
                                 QStringLiteral("other"), 60.0 * i));
    }
    return list;
}

QByteArray evidenceItem(const QByteArray& id, const QByteArray& reason = "Chapter narration") {
    return "{\"conversation_id\":\"" + id + "\",\"title\":\"Title " + id + "\",\"reason\":\"" + reason + "\"}";
}

/** A valid answer; `replace` swaps one part for a malformed variant. */
QByteArray answer(const QByteArray& score = "0.8", const QByteArray& type = "\"audiobook\"",
                  const QByteArray& confidence = "0.9", const QByteArray& evidence = "[" + evidenceItem("c1") + "]",
                  const QByteArray& reasoning = "\"Chapter titles, one narrator.\"") {
    return "{\"misuse_score\":" + score + ",\"usage_type\":" + type + ",\"confidence\":" + confidence +
           ",\"evidence\":" + evidence + ",\"reasoning\":" + reasoning + "}";
}

QByteArray evidenceList(const QList<QByteArray>& ids) {
    QByteArray out = "[";
    for (qsizetype i = 0; i < ids.size(); ++i) {
        out += (i ? "," : "") + evidenceItem(ids.at(i));
    }
    return out + "]";
}

QByteArray nested(int depth) {
    return "{\"misuse_score\":0.1,\"usage_type\":\"none\",\"confidence\":0.5,\"evidence\":[],\"reasoning\":\"r\","
           "\"x\":" +
           QByteArray(depth, '[') + QByteArray(depth, ']') + "}";
}
} // namespace

class ClassifierOutputTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void rejectsMalformedOutput_data() {
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<QString>("messagePart");

        const QByteArray valid = answer();
        // Shape of the text
        QTest::newRow("empty") << QByteArray() << QStringLiteral("is empty");
        QTest::newRow("whitespace only") << QByteArray(" \n\t ") << QStringLiteral("is empty");
        QTest::newRow("truncated mid-object") << valid.left(valid.size() / 2) << QStringLiteral("not valid JSON");
        QTest::newRow("truncated before the closing brace") << valid.chopped(1) << QStringLiteral("not valid JSON");
        QTest::newRow("top-level array") << QByteArray("[" + valid + "]") << QStringLiteral("not an array");
        QTest::newRow("top-level string") << QByteArray("\"audiobook\"") << QStringLiteral("must be a JSON object");
        QTest::newRow("top-level number") << QByteArray("0.9") << QStringLiteral("must be a JSON object");
        QTest::newRow("top-level null") << QByteArray("null") << QStringLiteral("must be a JSON object");
        QTest::newRow("prose before the object")
            << QByteArray("Here is the result: " + valid) << QStringLiteral("must be a JSON object");
        QTest::newRow("trailing prose") << QByteArray(valid + " Hope this helps!") << QStringLiteral("trailing text");
        QTest::newRow("two objects") << QByteArray(valid + valid) << QStringLiteral("trailing text");
        QTest::newRow("trailing comma") << answer().replace("}", ",}") << QStringLiteral("not valid JSON");
        QTest::newRow("single quotes") << QByteArray("{'misuse_score': 0.9}") << QStringLiteral("not valid JSON");
        QTest::newRow("comment") << QByteArray("{// score\n\"misuse_score\":0.9}") << QStringLiteral("not valid JSON");
        QTest::newRow("raw newline inside a string")
            << answer("0.8", "\"audio\nbook\"") << QStringLiteral("raw control character");
        QTest::newRow("NUL byte") << answer("0.8", QByteArray("\"audio\0book\"", 11))
                                  << QStringLiteral("raw control character");
        // Required fields
        QTest::newRow("missing misuse_score")
            << QByteArray("{\"usage_type\":\"none\",\"confidence\":0.5,\"evidence\":[],\"reasoning\":\"r\"}")
            << QStringLiteral("\"misuse_score\" is missing");
        QTest::newRow("missing usage_type")
            << QByteArray("{\"misuse_score\":0.1,\"confidence\":0.5,\"evidence\":[],\"reasoning\":\"r\"}")
            << QStringLiteral("\"usage_type\" is missing");
        QTest::newRow("missing confidence")
            << QByteArray("{\"misuse_score\":0.1,\"usage_type\":\"none\",\"evidence\":[],\"reasoning\":\"r\"}")
            << QStringLiteral("\"confidence\" is missing");
        QTest::newRow("missing evidence")
            << QByteArray("{\"misuse_score\":0.1,\"usage_type\":\"none\",\"confidence\":0.5,\"reasoning\":\"r\"}")
            << QStringLiteral("\"evidence\" is missing");
        QTest::newRow("missing reasoning")
            << QByteArray("{\"misuse_score\":0.1,\"usage_type\":\"none\",\"confidence\":0.5,\"evidence\":[]}")
            << QStringLiteral("\"reasoning\" is missing");
        QTest::newRow("empty object") << QByteArray("{}") << QStringLiteral("\"misuse_score\" is missing");
        // Types
        QTest::newRow("score as a string")
            << answer("\"0.9\"") << QStringLiteral("\"misuse_score\" must be of type number, not string");
        QTest::newRow("score null") << answer("null")
                                    << QStringLiteral("\"misuse_score\" must be of type number, not null");
        QTest::newRow("score boolean") << answer("true")
                                       << QStringLiteral("\"misuse_score\" must be of type number, not boolean");
        QTest::newRow("score in an array")
            << answer("[0.9]") << QStringLiteral("\"misuse_score\" must be of type number, not array");
        QTest::newRow("score NaN") << answer("NaN") << QStringLiteral("not valid JSON");
        QTest::newRow("score Infinity") << answer("Infinity") << QStringLiteral("not valid JSON");
        QTest::newRow("score -Infinity") << answer("-Infinity") << QStringLiteral("not valid JSON");
        QTest::newRow("score overflowing to infinity") << answer("1e999") << QStringLiteral("not valid JSON");
        QTest::newRow("confidence as a string") << answer("0.8", "\"audiobook\"", "\"high\"")
                                                << QStringLiteral("\"confidence\" must be of type number, not string");
        QTest::newRow("usage_type number")
            << answer("0.8", "3") << QStringLiteral("\"usage_type\" must be of type string, not number");
        QTest::newRow("usage_type null") << answer("0.8", "null")
                                         << QStringLiteral("\"usage_type\" must be of type string, not null");
        QTest::newRow("evidence object") << answer("0.8", "\"audiobook\"", "0.9", evidenceItem("c1"))
                                         << QStringLiteral("\"evidence\" must be of type array, not object");
        QTest::newRow("evidence null") << answer("0.8", "\"audiobook\"", "0.9", "null")
                                       << QStringLiteral("\"evidence\" must be of type array, not null");
        QTest::newRow("evidence item a string") << answer("0.8", "\"audiobook\"", "0.9", "[\"c1\"]")
                                                << QStringLiteral("\"evidence[0]\" must be of type object, not string");
        QTest::newRow("evidence item an array")
            << answer("0.8", "\"audiobook\"", "0.9", "[" + evidenceItem("c1") + ",[]]")
            << QStringLiteral("\"evidence[1]\" must be of type object, not array");
        QTest::newRow("evidence item without conversation_id")
            << answer("0.8", "\"audiobook\"", "0.9", "[{\"title\":\"t\",\"reason\":\"r\"}]")
            << QStringLiteral("\"evidence[0].conversation_id\" is missing");
        QTest::newRow("evidence conversation_id a number")
            << answer("0.8", "\"audiobook\"", "0.9", "[{\"conversation_id\":1,\"title\":\"t\",\"reason\":\"r\"}]")
            << QStringLiteral("\"evidence[0].conversation_id\" must be of type string, not number");
        QTest::newRow("evidence without title")
            << answer("0.8", "\"audiobook\"", "0.9", "[{\"conversation_id\":\"c1\",\"reason\":\"r\"}]")
            << QStringLiteral("\"evidence[0].title\" is missing");
        QTest::newRow("evidence reason null")
            << answer("0.8", "\"audiobook\"", "0.9", "[{\"conversation_id\":\"c1\",\"title\":\"t\",\"reason\":null}]")
            << QStringLiteral("\"evidence[0].reason\" must be of type string, not null");
        QTest::newRow("reasoning a number") << answer("0.8", "\"audiobook\"", "0.9", "[]", "42")
                                            << QStringLiteral("\"reasoning\" must be of type string, not number");
        // Hostile input
        QTest::newRow("more than 1 MiB") << answer("0.8", "\"audiobook\"", "0.9", "[]",
                                                   "\"" + QByteArray(1024 * 1024, 'a') + "\"")
                                         << QStringLiteral("allowed; it was not parsed");
        QTest::newRow("nested 9 deep") << nested(8) << QStringLiteral("nested more than 8 levels");
        QTest::newRow("nested 100000 deep") << nested(100000) << QStringLiteral("nested more than 8 levels");
        QTest::newRow("invalid UTF-8 byte")
            << answer("0.8", "\"audiobook\"", "0.9", "[]", "\"bad \xff byte\"") << QStringLiteral("not valid UTF-8");
        QTest::newRow("overlong UTF-8") << answer("0.8", "\"audiobook\"", "0.9", "[]", "\"\xc0\xaf\"")
                                        << QStringLiteral("not valid UTF-8");
        QTest::newRow("UTF-8 encoded surrogate")
            << answer("0.8", "\"audiobook\"", "0.9", "[]", "\"\xed\xa0\x80\"") << QStringLiteral("not valid UTF-8");
        QTest::newRow("UTF-16 text") << QByteArray("\xff\xfe{\0}\0", 6) << QStringLiteral("not valid UTF-8");
        QTest::newRow("repeated misuse_score")
            << QByteArray("{\"misuse_score\":0.1,\"misuse_score\":0.9,\"usage_type\":\"none\",\"confidence\":0.5,"
                          "\"evidence\":[],\"reasoning\":\"r\"}")
            << QStringLiteral("repeats the key \"misuse_score\"");
        QTest::newRow("repeated key inside evidence")
            << answer("0.8", "\"audiobook\"", "0.9",
                      "[{\"conversation_id\":\"c1\",\"conversation_id\":\"c2\",\"title\":\"t\",\"reason\":\"r\"}]")
            << QStringLiteral("repeats the key \"conversation_id\"");
        // Code fences
        QTest::newRow("fence never closed") << QByteArray("```json\n" + valid) << QStringLiteral("never closed");
        QTest::newRow("fence on one line") << QByteArray("```" + valid + "```") << QStringLiteral("never closed");
        QTest::newRow("prose after the fence")
            << QByteArray("```json\n" + valid + "\n```\nLet me know!") << QStringLiteral("never closed");
        QTest::newRow("fence of another language")
            << QByteArray("```yaml\n" + valid + "\n```") << QStringLiteral("fenced as \"yaml\"");
        QTest::newRow("junk inside the fence")
            << QByteArray("```json\n" + valid + " ok\n```") << QStringLiteral("trailing text");
    }
    void rejectsMalformedOutput() {
        QFETCH(QByteArray, content);
        QFETCH(QString, messagePart);
        const Result<ClassifierResult> r = parseClassifierOutput(content, sentInput());
        QVERIFY2(!r.ok(), "malformed output was accepted");
        QCOMPARE(r.error().kind, ErrorKind::Invalid);
        QVERIFY2(r.error().message.contains(messagePart), qPrintable(r.error().message));
        QVERIFY2(r.error().message.startsWith(QStringLiteral("classifier output")), qPrintable(r.error().message));
    }

    void acceptsAndCorrectsOutput_data() {
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<double>("score");
        QTest::addColumn<double>("confidence");
        QTest::addColumn<QString>("type");
        QTest::addColumn<QStringList>("evidence");
        QTest::addColumn<int>("dropped");
        QTest::addColumn<QStringList>("corrections"); // parts, one per expected correction, in order

        const QByteArray valid = answer();
        const QStringList c1{QStringLiteral("c1")};
        const QStringList none;
        QTest::newRow("valid") << valid << 0.8 << 0.9 << QStringLiteral("audiobook") << c1 << 0 << none;
        QTest::newRow("surrounding whitespace")
            << QByteArray("\n\t " + valid + " \r\n") << 0.8 << 0.9 << QStringLiteral("audiobook") << c1 << 0 << none;
        QTest::newRow("byte order mark") << QByteArray("\xEF\xBB\xBF" + valid) << 0.8 << 0.9
                                         << QStringLiteral("audiobook") << c1 << 0 << none;
        QTest::newRow("json code fence") << QByteArray("```json\n" + valid + "\n```") << 0.8 << 0.9
                                         << QStringLiteral("audiobook") << c1 << 0
                                         << QStringList{QStringLiteral("code fence")};
        QTest::newRow("bare code fence with CRLF and spaces")
            << QByteArray("  ```\r\n" + valid + "\r\n```  ") << 0.8 << 0.9 << QStringLiteral("audiobook") << c1 << 0
            << QStringList{QStringLiteral("code fence")};
        QTest::newRow("JSON fence in capitals")
            << QByteArray("```JSON\n" + valid + "\n```") << 0.8 << 0.9 << QStringLiteral("audiobook") << c1 << 0
            << QStringList{QStringLiteral("code fence")};
        QTest::newRow("integer score") << answer("1", "\"audiobook\"", "0") << 1.0 << 0.0 << QStringLiteral("audiobook")
                                       << c1 << 0 << none;
        QTest::newRow("score above 1 clamped") << answer("1.3") << 1.0 << 0.9 << QStringLiteral("audiobook") << c1 << 0
                                               << QStringList{QStringLiteral("misuse_score 1.3 clamped to 1")};
        QTest::newRow("negative score clamped") << answer("-0.2") << 0.0 << 0.9 << QStringLiteral("audiobook") << c1
                                                << 0 << QStringList{QStringLiteral("misuse_score -0.2 clamped to 0")};
        QTest::newRow("confidence in percent clamped")
            << answer("0.8", "\"audiobook\"", "85") << 0.8 << 1.0 << QStringLiteral("audiobook") << c1 << 0
            << QStringList{QStringLiteral("confidence 85 clamped to 1")};
        QTest::newRow("unknown usage_type") << answer("0.8", "\"ebook\"") << 0.8 << 0.9 << QStringLiteral("unknown")
                                            << c1 << 0 << QStringList{QStringLiteral("unknown usage_type \"ebook\"")};
        QTest::newRow("empty usage_type") << answer("0.8", "\"\"") << 0.8 << 0.9 << QStringLiteral("unknown") << c1 << 0
                                          << QStringList{QStringLiteral("unknown usage_type")};
        QTest::newRow("usage_type in other case")
            << answer("0.8", "\" TV_Movie \"") << 0.8 << 0.9 << QStringLiteral("tv_movie") << c1 << 0
            << QStringList{QStringLiteral("normalised to \"tv_movie\"")};
        QTest::newRow("no evidence") << answer("0.1", "\"none\"", "0.7", "[]") << 0.1 << 0.7 << QStringLiteral("none")
                                     << none << 0 << none;
        QTest::newRow("evidence naming unknown conversations dropped")
            << answer("0.8", "\"audiobook\"", "0.9", evidenceList({"ghost", "c2", "c99"})) << 0.8 << 0.9
            << QStringLiteral("audiobook") << QStringList{QStringLiteral("c2")} << 2
            << QStringList{QStringLiteral("2 evidence entries dropped: they name conversations not in the input")};
        QTest::newRow("all evidence unknown")
            << answer("0.8", "\"audiobook\"", "0.9", evidenceList({"x", "y"})) << 0.8 << 0.9
            << QStringLiteral("audiobook") << none << 2 << QStringList{QStringLiteral("2 evidence entries dropped")};
        {
            QList<QByteArray> twelve;
            QStringList firstTen;
            for (int i = 1; i <= 12; ++i) {
                twelve.append("c" + QByteArray::number(i));
                if (i <= 10) {
                    firstTen.append(QStringLiteral("c%1").arg(i));
                }
            }
            QTest::newRow("12 entries truncated to 10")
                << answer("0.8", "\"audiobook\"", "0.9", evidenceList(twelve)) << 0.8 << 0.9
                << QStringLiteral("audiobook") << firstTen << 0
                << QStringList{QStringLiteral("evidence truncated from 12 to 10 entries")};
            QList<QByteArray> withGhosts = twelve.mid(0, 9);
            withGhosts.insert(3, "ghost1");
            withGhosts.insert(5, "ghost2");
            withGhosts.append("ghost3");
            QTest::newRow("unknown dropped before truncation")
                << answer("0.8", "\"audiobook\"", "0.9", evidenceList(withGhosts)) << 0.8 << 0.9
                << QStringLiteral("audiobook") << firstTen.mid(0, 9) << 3
                << QStringList{QStringLiteral("3 evidence entries dropped: they name conversations not in the input")};
        }
        QTest::newRow("repeated conversation dropped, not counted as unknown")
            << answer("0.8", "\"audiobook\"", "0.9", evidenceList({"c1", "c2", "c1"})) << 0.8 << 0.9
            << QStringLiteral("audiobook") << QStringList{QStringLiteral("c1"), QStringLiteral("c2")} << 0
            << QStringList{QStringLiteral("1 evidence entries dropped: they repeat a conversation already cited")};
        QTest::newRow("id with surrounding spaces matched")
            << answer("0.8", "\"audiobook\"", "0.9",
                      "[{\"conversation_id\":\" c3 \",\"title\":\"Title c3\",\"reason\":\"r\"}]")
            << 0.8 << 0.9 << QStringLiteral("audiobook") << QStringList{QStringLiteral("c3")} << 0 << none;
        QTest::newRow("empty reason") << answer("0.8", "\"audiobook\"", "0.9", "[" + evidenceItem("c1", "  ") + "]")
                                      << 0.8 << 0.9 << QStringLiteral("audiobook") << c1 << 0
                                      << QStringList{QStringLiteral("1 evidence entries had an empty reason")};
        QTest::newRow("paraphrased title replaced")
            << answer("0.8", "\"audiobook\"", "0.9",
                      "[{\"conversation_id\":\"c4\",\"title\":\"Chapter Four\",\"reason\":\"r\"}]")
            << 0.8 << 0.9 << QStringLiteral("audiobook") << QStringList{QStringLiteral("c4")} << 0
            << QStringList{QStringLiteral("1 evidence titles replaced by the conversation's stored title")};
        QTest::newRow("unknown top-level field ignored")
            << QByteArray(valid.chopped(1) + ",\"verdict\":\"guilty\"}") << 0.8 << 0.9 << QStringLiteral("audiobook")
            << c1 << 0 << QStringList{QStringLiteral("ignored the unknown field \"verdict\"")};
        QTest::newRow("unknown evidence field ignored")
            << answer("0.8", "\"audiobook\"", "0.9",
                      "[{\"conversation_id\":\"c1\",\"title\":\"Title c1\",\"reason\":\"r\",\"weight\":3}]")
            << 0.8 << 0.9 << QStringLiteral("audiobook") << c1 << 0
            << QStringList{QStringLiteral("1 unknown evidence fields ignored")};
        QTest::newRow("long reasoning cut")
            << answer("0.8", "\"audiobook\"", "0.9", "[" + evidenceItem("c1") + "]",
                      "\"" + QByteArray(5000, 'a') + "\"")
            << 0.8 << 0.9 << QStringLiteral("audiobook") << c1 << 0
            << QStringList{QStringLiteral("reasoning cut from 5000 to 4000 characters")};
        QTest::newRow("nested 8 deep is still fine") << nested(7) << 0.1 << 0.5 << QStringLiteral("none") << none << 0
                                                     << QStringList{QStringLiteral("ignored the unknown field \"x\"")};
        QTest::newRow("several corrections together")
            << QByteArray("```json\n" + answer("2", "\"Podcast\"", "-1", evidenceList({"c5", "nope"})) + "\n```") << 1.0
            << 0.0 << QStringLiteral("podcast") << QStringList{QStringLiteral("c5")} << 1
            << QStringList{QStringLiteral("code fence"), QStringLiteral("misuse_score 2 clamped to 1"),
                           QStringLiteral("normalised to \"podcast\""), QStringLiteral("confidence -1 clamped to 0"),
                           QStringLiteral("1 evidence entries dropped")};
    }
    void acceptsAndCorrectsOutput() {
        QFETCH(QByteArray, content);
        QFETCH(double, score);
        QFETCH(double, confidence);
        QFETCH(QString, type);
        QFETCH(QStringList, evidence);
        QFETCH(int, dropped);
        QFETCH(QStringList, corrections);

        const Result<ClassifierResult> r = parseClassifierOutput(content, sentInput());
        QVERIFY2(r.ok(), qPrintable(r.ok() ? QString() : r.error().message));
        QCOMPARE(r->misuseScore, score);
        QCOMPARE(r->confidence, confidence);
        QCOMPARE(toString(r->usageType), type);
        QCOMPARE(evidenceIds(*r), evidence);
        QCOMPARE(r->droppedEvidence, dropped);
        QVERIFY2(r->corrections.size() == corrections.size(), qPrintable(r->corrections.join(QStringLiteral(" | "))));
        for (qsizetype i = 0; i < corrections.size(); ++i) {
            QVERIFY2(r->corrections.at(i).contains(corrections.at(i)), qPrintable(r->corrections.at(i)));
        }
        QCOMPARE(r->promptVersion, promptVersion());
        QVERIFY(!r->heuristic);
        QVERIFY(r->model.isEmpty());
        QVERIFY(r->evidence.size() <= 10);
    }

    void keepsTextOfEvidenceAndReasoning() {
        const Result<ClassifierResult> r = parseClassifierOutput(
            answer("0.75", "\"audiobook\"", "0.6",
                   "[{\"conversation_id\":\"c2\",\"title\":\"Ch. 2\",\"reason\":\"  A narrator reads chapter 2. \"}," +
                       evidenceItem("c3", "") + "]",
                   "\"  Chapters in order, one narrator.  \""),
            sentInput());
        QVERIFY(r.ok());
        QCOMPARE(r->reasoning, QStringLiteral("Chapters in order, one narrator."));
        QCOMPARE(r->evidence.size(), 2);
        QCOMPARE(r->evidence.at(0), (Evidence{QStringLiteral("c2"), QStringLiteral("Title c2"),
                                              QStringLiteral("A narrator reads chapter 2.")}));
        QCOMPARE(r->evidence.at(1),
                 (Evidence{QStringLiteral("c3"), QStringLiteral("Title c3"), QStringLiteral("(no reason given)")}));
    }

    void evidenceIsCheckedAgainstTheInputActuallySent() {
        // The same answer is good for one input and loses its evidence for another.
        const QByteArray content = answer("0.8", "\"audiobook\"", "0.9", evidenceList({"c1", "c2"}));
        const Result<ClassifierResult> withAll = parseClassifierOutput(content, sentInput());
        QVERIFY(withAll.ok());
        QCOMPARE(withAll->droppedEvidence, 0);
        const Result<ClassifierResult> withNone = parseClassifierOutput(content, {});
        QVERIFY(withNone.ok());
        QCOMPARE(withNone->droppedEvidence, 2);
        QVERIFY(withNone->evidence.isEmpty());
    }

    void everyTruncationIsAnError() {
        // A model cut off anywhere (network, max tokens) must never yield a partial verdict.
        const QByteArray full = answer("0.8", "\"audiobook\"", "0.9", evidenceList({"c1", "c2", "c3"}));
        for (qsizetype n = 0; n < full.size(); ++n) {
            const Result<ClassifierResult> r = parseClassifierOutput(full.left(n), sentInput());
            QVERIFY2(!r.ok(), qPrintable(QString::fromUtf8(full.left(n))));
            QCOMPARE(r.error().kind, ErrorKind::Invalid);
        }
        QVERIFY(parseClassifierOutput(full, sentInput()).ok());
    }

    void randomMutationsNeverBreakTheContract() {
        // Deterministic: a fixed seed, so a failure reproduces. Whatever the bytes, the parser either refuses them or
        // returns a result inside the contract.
        QRandomGenerator random(20260320);
        const QByteArray base = answer("0.8", "\"audiobook\"", "0.9", evidenceList({"c1", "c2", "ghost"}));
        const QByteArray alphabet = "{}[]\":,.-+eE0123456789 \\\n\xff\xc3truefalsenull";
        QSet<QString> ids;
        for (const Conversation& c : sentInput()) {
            ids.insert(c.id);
        }
        int accepted = 0;
        for (int round = 0; round < 3000; ++round) {
            QByteArray text = base;
            const int edits = 1 + static_cast<int>(random.bounded(4));
            for (int e = 0; e < edits; ++e) {
                const auto at = static_cast<qsizetype>(random.bounded(static_cast<quint32>(text.size())));
                const char ch =
                    alphabet.at(static_cast<qsizetype>(random.bounded(static_cast<quint32>(alphabet.size()))));
                switch (random.bounded(3)) {
                case 0:
                    text[at] = ch;
                    break;
                case 1:
                    text.insert(at, ch);
                    break;
                default:
                    text.remove(at, 1);
                    break;
                }
            }
            const Result<ClassifierResult> r = parseClassifierOutput(text, sentInput());
            if (!r.ok()) {
                QCOMPARE(r.error().kind, ErrorKind::Invalid);
                QVERIFY(!r.error().message.isEmpty());
                continue;
            }
            ++accepted;
            QVERIFY2(r->misuseScore >= 0.0 && r->misuseScore <= 1.0, text.constData());
            QVERIFY2(r->confidence >= 0.0 && r->confidence <= 1.0, text.constData());
            QVERIFY(r->evidence.size() <= 10);
            for (const Evidence& e : r->evidence) {
                QVERIFY2(ids.contains(e.conversationId), text.constData());
            }
        }
        // Some mutations (a digit changed, a space added) leave a valid answer; the loop must exercise both paths.
        QVERIFY(accepted > 0);
        QVERIFY(accepted < 3000);
    }

    void parsesAWholeResponse() {
        const QByteArray content = answer();
        QByteArray escaped = content;
        escaped.replace("\\", "\\\\").replace("\"", "\\\"");
        const QByteArray body =
            "{\"id\":\"chatcmpl-1\",\"model\":\"gpt-4.1-mini-2025-04-14\",\"choices\":[{\"index\":0,"
            "\"message\":{\"role\":\"assistant\",\"content\":\"" +
            escaped +
            "\",\"refusal\":null},\"finish_reason\":\"stop\"}],"
            "\"usage\":{\"prompt_tokens\":1200,\"completion_tokens\":80}}";
        const Result<ClassifierResult> r = parseClassifierResponse(body, sentInput(), QStringLiteral("gpt-4.1-mini"));
        QVERIFY2(r.ok(), qPrintable(r.ok() ? QString() : r.error().message));
        QCOMPARE(r->model, QStringLiteral("gpt-4.1-mini-2025-04-14"));
        QCOMPARE(r->misuseScore, 0.8);

        const Result<ClassifierResult> refused = parseClassifierResponse(
            "{\"choices\":[{\"message\":{\"content\":null,\"refusal\":\"I can't help\"},\"finish_reason\":\"stop\"}]}",
            sentInput(), QStringLiteral("m"));
        QVERIFY(!refused.ok());
        QVERIFY(refused.error().message.startsWith(QStringLiteral("model refused")));

        const QByteArray noModel = QByteArray(body).replace("\"model\":\"gpt-4.1-mini-2025-04-14\",", "");
        const Result<ClassifierResult> fallback = parseClassifierResponse(noModel, sentInput(), QStringLiteral("mine"));
        QVERIFY(fallback.ok());
        QCOMPARE(fallback->model, QStringLiteral("mine"));
    }
};

QTEST_GUILESS_MAIN(ClassifierOutputTest)
#include "ClassifierOutputTest.moc"
