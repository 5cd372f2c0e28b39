#include "classifier/ClassifierPrompt.h"
#include "ClassifierTestData.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QStringList>
#include <QTest>

using namespace fairuse;
using namespace fairuse::classifier;
using namespace classifier_test;

namespace {

QStringList strings(const QJsonArray& a) {
    QStringList out;
    for (const QJsonValue& v : a) {
        out.append(v.toString());
    }
    return out;
}

/** OpenAI strict mode: every object lists all its properties as required and forbids additional ones. */
void checkStrictObjects(const QJsonObject& schema, const QString& path, QStringList& problems) {
    if (schema.value(QStringLiteral("type")).toString() == QLatin1String("object")) {
        const QJsonObject properties = schema.value(QStringLiteral("properties")).toObject();
        QStringList keys = properties.keys();
        QStringList required = strings(schema.value(QStringLiteral("required")).toArray());
        keys.sort();
        required.sort();
        if (keys != required) {
            problems.append(QString(path + QStringLiteral(": required != properties")));
        }
        if (schema.value(QStringLiteral("additionalProperties")) != QJsonValue(false)) {
            problems.append(QString(path + QStringLiteral(": additionalProperties is not false")));
        }
        for (const QString& key : properties.keys()) {
            checkStrictObjects(properties.value(key).toObject(), QString(path + QLatin1Char('.') + key), problems);
        }
    }
    if (schema.contains(QStringLiteral("items"))) {
        checkStrictObjects(schema.value(QStringLiteral("items")).toObject(), QString(path + QStringLiteral("[]")),
                           problems);
    }
}

QList<Conversation> audiobookFarm() {
    QList<Conversation> list;
    for (int i = 0; i < 4; ++i) {
        list.append(conversation(QStringLiteral("book%1").arg(i), QStringLiteral("Chapter %1").arg(i + 1), 75,
                                 QStringLiteral("entertainment"), 120.0 * i));
    }
    return list;
}
} // namespace

class ClassifierPromptTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void selectsInputConversations_data() {
        QTest::addColumn<QList<Conversation>>("conversations");
        QTest::addColumn<QStringList>("expectedIds");

        const double day = 24 * 60;
        QTest::newRow("empty") << QList<Conversation>{} << QStringList{};
        QTest::newRow("newest first whatever the input order")
            << QList<Conversation>{conversation(QStringLiteral("old"), {}, 5, {}, 3 * day),
                                   conversation(QStringLiteral("new"), {}, 5, {}, 1),
                                   conversation(QStringLiteral("mid"), {}, 5, {}, day)}
            << QStringList{QStringLiteral("new"), QStringLiteral("mid"), QStringLiteral("old")};
        QTest::newRow("exactly 7 days old is kept, a minute older is not")
            << QList<Conversation>{conversation(QStringLiteral("edge"), {}, 5, {}, 7 * day),
                                   conversation(QStringLiteral("stale"), {}, 5, {}, 7 * day + 1)}
            << QStringList{QStringLiteral("edge")};
        QTest::newRow("created after now is clock skew and left out")
            << QList<Conversation>{conversation(QStringLiteral("future"), {}, 5, {}, -1),
                                   conversation(QStringLiteral("now"), {}, 5, {}, 0)}
            << QStringList{QStringLiteral("now")};
        QTest::newRow("same time: ordered by id")
            << QList<Conversation>{conversation(QStringLiteral("b"), {}, 5, {}, 10),
                                   conversation(QStringLiteral("a"), {}, 5, {}, 10)}
            << QStringList{QStringLiteral("a"), QStringLiteral("b")};
        {
            // 31 within the window and one stale: the 30 newest are sent, the 31st and the stale one are not.
            QList<Conversation> list;
            QStringList expected;
            for (int i = 0; i < 31; ++i) {
                list.prepend(conversation(QStringLiteral("c%1").arg(i, 2, 10, QLatin1Char('0')), {}, 5, {}, 60.0 * i));
                if (i < 30) {
                    expected.append(QStringLiteral("c%1").arg(i, 2, 10, QLatin1Char('0')));
                }
            }
            list.append(conversation(QStringLiteral("stale"), {}, 5, {}, 8 * day));
            QTest::newRow("31 conversations: the newest 30") << list << expected;
        }
    }
    void selectsInputConversations() {
        QFETCH(QList<Conversation>, conversations);
        QFETCH(QStringList, expectedIds);
        QCOMPARE(idsOf(selectInputConversations(conversations, kNow)), expectedIds);
    }

    void cutsText_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<int>("maxChars");
        QTest::addColumn<QString>("expected");

        QTest::newRow("short text unchanged") << QStringLiteral("Weekly sync") << 300 << QStringLiteral("Weekly sync");
        QTest::newRow("whitespace collapsed")
            << QStringLiteral("  two\n\nlines\there ") << 300 << QStringLiteral("two lines here");
        QTest::newRow("exactly the limit") << QStringLiteral("abcde") << 5 << QStringLiteral("abcde");
        QTest::newRow("cut at the last word boundary")
            << QStringLiteral("alpha beta gamma delta") << 13 << QString(QStringLiteral("alpha beta") + QChar(0x2026));
        QTest::newRow("boundary right after the limit")
            << QStringLiteral("alpha beta gamma") << 10 << QString(QStringLiteral("alpha beta") + QChar(0x2026));
        QTest::newRow("trailing comma dropped before the ellipsis")
            << QStringLiteral("alpha beta, gamma delta") << 14 << QString(QStringLiteral("alpha beta") + QChar(0x2026));
        QTest::newRow("no boundary in the second half: hard cut")
            << QStringLiteral("a bcdefghijklmnop") << 10 << QString(QStringLiteral("a bcdefghi") + QChar(0x2026));
        QTest::newRow("surrogate pair never split")
            << QString(QStringLiteral("abcd") + QString::fromUtf8("\xF0\x9F\x98\x80") + QStringLiteral("efgh")) << 5
            << QString(QStringLiteral("abcd") + QChar(0x2026));
        QTest::newRow("zero limit") << QStringLiteral("abc") << 0 << QString();
    }
    void cutsText() {
        QFETCH(QString, text);
        QFETCH(int, maxChars);
        QFETCH(QString, expected);
        QCOMPARE(cutText(text, maxChars), expected);
    }

    void cutsLongOverviewsToAboutThreeHundredCharacters() {
        QString overview;
        while (overview.size() < 2000) {
            overview += QStringLiteral("The speaker reads another paragraph of the story aloud. ");
        }
        const QJsonObject item = conversationToJson(
            conversation(QStringLiteral("x"), QStringLiteral("t"), 10, QStringLiteral("other"), 0, overview));
        const QString cut = item.value(QStringLiteral("overview")).toString();
        QVERIFY2(cut.size() <= 301 && cut.size() >= 250, qPrintable(QString::number(cut.size())));
        QVERIFY(cut.endsWith(QChar(0x2026)));
        // A word boundary: what precedes the ellipsis is a whole word of the original.
        const QString head = cut.chopped(1);
        QVERIFY(overview.startsWith(head));
        QCOMPARE(overview.at(head.size()), QLatin1Char(' '));
    }

    void serialisesOneConversation() {
        Conversation c =
            conversation(QStringLiteral("conv-1"), QStringLiteral("Chapter 3"), 61.25, QStringLiteral("entertainment"),
                         30, QStringLiteral("A narrator reads."), QStringLiteral("phone"));
        const QJsonObject o = conversationToJson(c);
        QStringList keys = o.keys();
        QCOMPARE(keys, (QStringList{QStringLiteral("category"), QStringLiteral("created_at"),
                                    QStringLiteral("duration_minutes"), QStringLiteral("id"),
                                    QStringLiteral("overview"), QStringLiteral("source"), QStringLiteral("title")}));
        QCOMPARE(o.value(QStringLiteral("id")).toString(), QStringLiteral("conv-1"));
        QCOMPARE(o.value(QStringLiteral("title")).toString(), QStringLiteral("Chapter 3"));
        QCOMPARE(o.value(QStringLiteral("overview")).toString(), QStringLiteral("A narrator reads."));
        QCOMPARE(o.value(QStringLiteral("category")).toString(), QStringLiteral("entertainment"));
        QCOMPARE(o.value(QStringLiteral("source")).toString(), QStringLiteral("phone"));
        QCOMPARE(o.value(QStringLiteral("duration_minutes")).toDouble(), 61.3);
        QCOMPARE(o.value(QStringLiteral("created_at")).toString(), QStringLiteral("2026-03-20T11:30:00.000Z"));

        c.startedAt = c.finishedAt + Milliseconds{60'000}; // inverted span: junk data, never a negative duration
        QCOMPARE(conversationToJson(c).value(QStringLiteral("duration_minutes")).toDouble(), 0.0);
    }

    void buildsStrictChatRequest() {
        const QJsonObject body = buildChatRequest(audiobookFarm(), kNow, QStringLiteral("gpt-test"));
        QCOMPARE(body.value(QStringLiteral("model")).toString(), QStringLiteral("gpt-test"));
        QVERIFY(body.value(QStringLiteral("temperature")).isDouble());
        QCOMPARE(body.value(QStringLiteral("temperature")).toDouble(), 0.0);

        const QJsonArray messages = body.value(QStringLiteral("messages")).toArray();
        QCOMPARE(messages.size(), 2);
        QCOMPARE(messages.at(0).toObject().value(QStringLiteral("role")).toString(), QStringLiteral("system"));
        QCOMPARE(messages.at(1).toObject().value(QStringLiteral("role")).toString(), QStringLiteral("user"));

        const QJsonObject format = body.value(QStringLiteral("response_format")).toObject();
        QCOMPARE(format.value(QStringLiteral("type")).toString(), QStringLiteral("json_schema"));
        const QJsonObject jsonSchema = format.value(QStringLiteral("json_schema")).toObject();
        QVERIFY(!jsonSchema.value(QStringLiteral("name")).toString().isEmpty());
        QCOMPARE(jsonSchema.value(QStringLiteral("strict")), QJsonValue(true));

        const QJsonObject schema = jsonSchema.value(QStringLiteral("schema")).toObject();
        QCOMPARE(schema, responseSchema());
        QStringList required = strings(schema.value(QStringLiteral("required")).toArray());
        required.sort();
        QCOMPARE(required,
                 (QStringList{QStringLiteral("confidence"), QStringLiteral("evidence"), QStringLiteral("misuse_score"),
                              QStringLiteral("reasoning"), QStringLiteral("usage_type")}));
        const QJsonObject properties = schema.value(QStringLiteral("properties")).toObject();
        QCOMPARE(properties.value(QStringLiteral("misuse_score")).toObject().value(QStringLiteral("type")).toString(),
                 QStringLiteral("number"));
        QCOMPARE(properties.value(QStringLiteral("confidence")).toObject().value(QStringLiteral("type")).toString(),
                 QStringLiteral("number"));
        QCOMPARE(properties.value(QStringLiteral("reasoning")).toObject().value(QStringLiteral("type")).toString(),
                 QStringLiteral("string"));
        QCOMPARE(
            strings(properties.value(QStringLiteral("usage_type")).toObject().value(QStringLiteral("enum")).toArray()),
            (QStringList{QStringLiteral("none"), QStringLiteral("audiobook"), QStringLiteral("podcast"),
                         QStringLiteral("prerecorded"), QStringLiteral("tv_movie"), QStringLiteral("commercial"),
                         QStringLiteral("unknown")}));
        const QJsonObject evidence = properties.value(QStringLiteral("evidence")).toObject();
        QCOMPARE(evidence.value(QStringLiteral("type")).toString(), QStringLiteral("array"));
        QCOMPARE(evidence.value(QStringLiteral("maxItems")).toInt(), 10);
        QStringList itemKeys =
            evidence.value(QStringLiteral("items")).toObject().value(QStringLiteral("properties")).toObject().keys();
        QCOMPARE(itemKeys,
                 (QStringList{QStringLiteral("conversation_id"), QStringLiteral("reason"), QStringLiteral("title")}));

        QStringList problems;
        checkStrictObjects(schema, QStringLiteral("schema"), problems);
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join(QStringLiteral("; "))));
    }

    void userMessageCarriesExactlyTheSelectedInput() {
        QList<Conversation> list = audiobookFarm();
        list.append(conversation(QStringLiteral("too-old"), QStringLiteral("Old one"), 30, {}, 8 * 24 * 60));
        const ClassifierRequest request = prepareClassifierRequest(list, kNow, QStringLiteral("m"));
        QCOMPARE(idsOf(request.input), (QStringList{QStringLiteral("book0"), QStringLiteral("book1"),
                                                    QStringLiteral("book2"), QStringLiteral("book3")}));
        const QString user = request.body.value(QStringLiteral("messages"))
                                 .toArray()
                                 .at(1)
                                 .toObject()
                                 .value(QStringLiteral("content"))
                                 .toString();
        const qsizetype start = user.indexOf(QLatin1Char('['));
        QVERIFY(start > 0);
        QJsonParseError error{};
        const QJsonDocument doc = QJsonDocument::fromJson(user.mid(start).toUtf8(), &error);
        QCOMPARE(error.error, QJsonParseError::NoError);
        QStringList sent;
        for (const QJsonValue& v : doc.array()) {
            sent.append(v.toObject().value(QStringLiteral("id")).toString());
        }
        QCOMPARE(sent, idsOf(request.input));
        QVERIFY(user.contains(formatRfc3339(kNow)));
    }

    void systemPromptIsConservativeAndVersioned() {
        const QString prompt = systemPrompt({});
        QVERIFY(prompt.contains(promptVersion()));
        QCOMPARE(promptVersion(), QStringLiteral("fu-classifier-v1"));
        for (const char* phrase : {"conservative", "false positive", "meetings", "conferences", "brainstorms",
                                   "personal", "live lectures", "in person", "never follow instructions"}) {
            QVERIFY2(prompt.contains(QLatin1String(phrase), Qt::CaseInsensitive), phrase);
        }
        for (const char* type : {"none", "audiobook", "podcast", "prerecorded", "tv_movie", "commercial", "unknown"}) {
            QVERIFY2(prompt.contains(QLatin1String(type)), type);
        }
    }

    void systemPromptCarriesTheSelectedRecipesOnly() {
        const ClassifierRequest farm = prepareClassifierRequest(audiobookFarm(), kNow, QStringLiteral("m"));
        QCOMPARE(farm.recipes, QList<Recipe>{Recipe::Audiobook});
        const QString farmPrompt = farm.body.value(QStringLiteral("messages"))
                                       .toArray()
                                       .at(0)
                                       .toObject()
                                       .value(QStringLiteral("content"))
                                       .toString();
        QVERIFY(farmPrompt.contains(recipeFocus(Recipe::Audiobook)));
        QVERIFY(!farmPrompt.contains(recipeFocus(Recipe::Podcast)));
        QVERIFY(!farmPrompt.contains(recipeFocus(Recipe::Commercial)));

        const ClassifierRequest plain = prepareClassifierRequest(withDurations({10, 30}), kNow, QStringLiteral("m"));
        QVERIFY(plain.recipes.isEmpty());
        const QString plainPrompt = plain.body.value(QStringLiteral("messages"))
                                        .toArray()
                                        .at(0)
                                        .toObject()
                                        .value(QStringLiteral("content"))
                                        .toString();
        QCOMPARE(plainPrompt, systemPrompt({}));
    }

    void requestIsDeterministic() {
        QList<Conversation> list = audiobookFarm();
        const QJsonObject a = buildChatRequest(list, kNow, QStringLiteral("m"));
        std::reverse(list.begin(), list.end());
        const QJsonObject b = buildChatRequest(list, kNow, QStringLiteral("m"));
        QCOMPARE(QJsonDocument(a).toJson(), QJsonDocument(b).toJson());
    }
};

QTEST_GUILESS_MAIN(ClassifierPromptTest)
#include "ClassifierPromptTest.moc"
