#include "classifier/ChatCompletion.h"

#include <QTest>

using namespace fairuse;
using namespace fairuse::classifier;

namespace {

/** JSON written with single quotes, which keeps the tables readable: every ' becomes ". */
QByteArray j(const char* text) {
    return QByteArray(text).replace('\'', '"');
}

/** An OpenAI chat-completions body; finish and usage can be replaced by a variant or removed with an empty string. */
QByteArray
envelope(const QByteArray& message = {}, const QByteArray& finish = j("'finish_reason':'stop'"),
         const QByteArray& usage = j("'usage':{'prompt_tokens':1234,'completion_tokens':56,'total_tokens':1290}")) {
    // An empty message stands for the standard one, so rows can vary only the later parts.
    const QByteArray standard = j("{'role':'assistant','content':'{\\'misuse_score\\':0.1}','refusal':null}");
    QByteArray choice = "{\"index\":0,\"message\":" + (message.isEmpty() ? standard : message);
    if (!finish.isEmpty()) {
        choice += "," + finish;
    }
    choice += "}";
    QByteArray body =
        j("{'id':'chatcmpl-abc','object':'chat.completion','model':'gpt-4.1-mini-2025-04-14','choices':[") + choice +
        "]";
    if (!usage.isEmpty()) {
        body += "," + usage;
    }
    return body + "}";
}

} // namespace

class ClassifierChatCompletionTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void parsesGoodEnvelopes_data() {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("content");
        QTest::addColumn<qint64>("promptTokens");
        QTest::addColumn<qint64>("completionTokens");
        QTest::addColumn<bool>("usageMissing");

        const QString content = QStringLiteral("{\"misuse_score\":0.1}");
        QTest::newRow("complete") << envelope() << content << qint64(1234) << qint64(56) << false;
        QTest::newRow("usage missing") << envelope({}, j("'finish_reason':'stop'"), {}) << content << qint64(0)
                                       << qint64(0) << true;
        QTest::newRow("usage null") << envelope({}, j("'finish_reason':'stop'"), j("'usage':null")) << content
                                    << qint64(0) << qint64(0) << true;
        QTest::newRow("usage without completion_tokens")
            << envelope({}, j("'finish_reason':'stop'"), j("'usage':{'prompt_tokens':10}")) << content << qint64(0)
            << qint64(0) << true;
        QTest::newRow("negative token count")
            << envelope({}, j("'finish_reason':'stop'"), j("'usage':{'prompt_tokens':-1,'completion_tokens':5}"))
            << content << qint64(0) << qint64(0) << true;
        QTest::newRow("fractional token count")
            << envelope({}, j("'finish_reason':'stop'"), j("'usage':{'prompt_tokens':1.5,'completion_tokens':5}"))
            << content << qint64(0) << qint64(0) << true;
        QTest::newRow("token count as a string")
            << envelope({}, j("'finish_reason':'stop'"), j("'usage':{'prompt_tokens':'10','completion_tokens':5}"))
            << content << qint64(0) << qint64(0) << true;
        QTest::newRow("zero tokens are a real count")
            << envelope({}, j("'finish_reason':'stop'"), j("'usage':{'prompt_tokens':0,'completion_tokens':0}"))
            << content << qint64(0) << qint64(0) << false;
        QTest::newRow("large token counts")
            << envelope({}, j("'finish_reason':'stop'"),
                        j("'usage':{'prompt_tokens':3000000000,'completion_tokens':4000000000}"))
            << content << qint64(3000000000) << qint64(4000000000) << false;
        QTest::newRow("finish_reason missing") << envelope({}, {}) << content << qint64(1234) << qint64(56) << false;
        QTest::newRow("finish_reason null")
            << envelope({}, j("'finish_reason':null")) << content << qint64(1234) << qint64(56) << false;
        QTest::newRow("empty refusal") << envelope(j("{'content':'{\\'misuse_score\\':0.1}','refusal':''}")) << content
                                       << qint64(1234) << qint64(56) << false;
        QTest::newRow("no refusal field")
            << envelope(j("{'content':'{\\'misuse_score\\':0.1}'}")) << content << qint64(1234) << qint64(56) << false;
    }
    void parsesGoodEnvelopes() {
        QFETCH(QByteArray, body);
        QFETCH(QString, content);
        QFETCH(qint64, promptTokens);
        QFETCH(qint64, completionTokens);
        QFETCH(bool, usageMissing);
        const Result<ChatCompletion> c = parseChatCompletion(body);
        QVERIFY2(c.ok(), qPrintable(c.ok() ? QString() : c.error().message));
        QCOMPARE(c->content, content);
        QCOMPARE(c->promptTokens, promptTokens);
        QCOMPARE(c->completionTokens, completionTokens);
        QCOMPARE(c->usageMissing, usageMissing);
        QCOMPARE(c->model, QStringLiteral("gpt-4.1-mini-2025-04-14"));
        QCOMPARE(c->id, QStringLiteral("chatcmpl-abc"));
    }

    void rejectsBadEnvelopes_data() {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("messagePart");

        QTest::newRow("refusal") << envelope(
                                        j("{'role':'assistant','content':null,'refusal':'I cannot help with that.'}"))
                                 << QStringLiteral("model refused: I cannot help with that.");
        QTest::newRow("refusal next to content") << envelope(j("{'content':'{}','refusal':'I will not score people.'}"))
                                                 << QStringLiteral("model refused: I will not score people.");
        QTest::newRow("finish_reason length")
            << envelope({}, j("'finish_reason':'length'")) << QStringLiteral("cut off (finish_reason \"length\")");
        QTest::newRow("finish_reason content_filter")
            << envelope({}, j("'finish_reason':'content_filter'")) << QStringLiteral("content filter");
        QTest::newRow("finish_reason tool_calls") << envelope({}, j("'finish_reason':'tool_calls'"))
                                                  << QStringLiteral("unexpected finish_reason \"tool_calls\"");
        QTest::newRow("finish_reason a number")
            << envelope({}, j("'finish_reason':1")) << QStringLiteral("finish_reason must be a string");
        QTest::newRow("content null") << envelope(j("{'content':null,'refusal':null}"))
                                      << QStringLiteral("content must be a string, not null");
        QTest::newRow("content missing") << envelope(j("{'role':'assistant'}"))
                                         << QStringLiteral("content must be a string, not missing");
        QTest::newRow("content empty") << envelope(j("{'content':'  '}")) << QStringLiteral("content is empty");
        QTest::newRow("content an object") << envelope(j("{'content':{'misuse_score':0.1}}"))
                                           << QStringLiteral("content must be a string, not object");
        QTest::newRow("message missing") << QByteArray(j("{'choices':[{'finish_reason':'stop'}]}"))
                                         << QStringLiteral("choices[0].message must be an object, not missing");
        QTest::newRow("choices missing") << QByteArray(j("{'id':'x','usage':{}}"))
                                         << QStringLiteral("\"choices\" must be an array, not missing");
        QTest::newRow("choices empty") << QByteArray(j("{'choices':[]}")) << QStringLiteral("\"choices\" is empty");
        QTest::newRow("choices an object")
            << QByteArray(j("{'choices':{}}")) << QStringLiteral("\"choices\" must be an array, not object");
        QTest::newRow("choice a string") << QByteArray(j("{'choices':['hi']}"))
                                         << QStringLiteral("choices[0] must be an object, not string");
        QTest::newRow("error object with status 200")
            << QByteArray(j("{'error':{'message':'upstream timed out','type':'server_error'}}"))
            << QStringLiteral("the provider reported an error: upstream timed out");
        QTest::newRow("HTML instead of JSON")
            << QByteArray("<html><body>502 Bad Gateway</body></html>") << QStringLiteral("must be a JSON object");
        QTest::newRow("empty body") << QByteArray() << QStringLiteral("is empty");
        QTest::newRow("truncated body") << envelope().chopped(10) << QStringLiteral("not valid JSON");
        QTest::newRow("top-level array") << QByteArray("[]") << QStringLiteral("not an array");
        QTest::newRow("over 2 MiB") << QByteArray(envelope().chopped(1) + ",\"pad\":\"" +
                                                  QByteArray(2 * 1024 * 1024, 'x') + "\"}")
                                    << QStringLiteral("it was not parsed");
        QTest::newRow("not UTF-8") << QByteArray("{\"choices\":\"\xfe\"}") << QStringLiteral("not valid UTF-8");
    }
    void rejectsBadEnvelopes() {
        QFETCH(QByteArray, body);
        QFETCH(QString, messagePart);
        const Result<ChatCompletion> c = parseChatCompletion(body);
        QVERIFY2(!c.ok(), "bad envelope accepted");
        QCOMPARE(c.error().kind, ErrorKind::Invalid);
        QVERIFY2(c.error().message.contains(messagePart), qPrintable(c.error().message));
    }

    void everyTruncatedEnvelopeIsAnError() {
        const QByteArray full = envelope();
        for (qsizetype n = 0; n < full.size(); ++n) {
            const Result<ChatCompletion> c = parseChatCompletion(full.left(n));
            QVERIFY2(!c.ok(), full.left(n).constData());
            QCOMPARE(c.error().kind, ErrorKind::Invalid);
        }
        QVERIFY(parseChatCompletion(full).ok());
    }

    void mapsApiErrors_data() {
        QTest::addColumn<int>("status");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<int>("kind");
        QTest::addColumn<QString>("messagePart");

        const QByteArray quota =
            j("{'error':{'message':'You exceeded your current quota, please check your plan and billing "
              "details.','type':'insufficient_quota','param':null,'code':'insufficient_quota'}}");
        QTest::newRow("429 insufficient_quota")
            << 429 << quota << int(ErrorKind::Quota) << QStringLiteral("HTTP 429: quota exhausted");
        QTest::newRow("429 quota named by type only")
            << 429 << QByteArray(j("{'error':{'message':'quota','type':'insufficient_quota','code':null}}"))
            << int(ErrorKind::Quota) << QStringLiteral("(insufficient_quota)");
        QTest::newRow("429 rate limit")
            << 429
            << QByteArray(j("{'error':{'message':'Rate limit reached for "
                            "gpt-4.1-mini','type':'requests','code':'rate_limit_exceeded'}}"))
            << int(ErrorKind::Unavailable)
            << QStringLiteral("HTTP 429: rate limited; retry later (rate_limit_exceeded): Rate limit reached");
        QTest::newRow("429 without a body")
            << 429 << QByteArray() << int(ErrorKind::Unavailable) << QStringLiteral("rate limited");
        QTest::newRow("500") << 500
                             << QByteArray(j("{'error':{'message':'The server had an error','type':'server_error'}}"))
                             << int(ErrorKind::Unavailable) << QStringLiteral("HTTP 500: server error");
        QTest::newRow("502 HTML") << 502 << QByteArray("<html>Bad Gateway</html>") << int(ErrorKind::Unavailable)
                                  << QStringLiteral("HTTP 502");
        QTest::newRow("503") << 503 << QByteArray() << int(ErrorKind::Unavailable) << QStringLiteral("HTTP 503");
        QTest::newRow("408") << 408 << QByteArray() << int(ErrorKind::Unavailable) << QStringLiteral("HTTP 408");
        QTest::newRow("no response") << 0 << QByteArray() << int(ErrorKind::Unavailable)
                                     << QStringLiteral("no response from the server");
        QTest::newRow("401 bad key") << 401
                                     << QByteArray(
                                            j("{'error':{'message':'Incorrect API key provided: sk-proj-abcdEFGH1234. "
                                              "You can find your API key at "
                                              "https://platform.openai.com/account/"
                                              "api-keys.','type':'invalid_request_error','code':'invalid_api_key'}}"))
                                     << int(ErrorKind::Permission)
                                     << QStringLiteral("authentication failed; check the API key (invalid_api_key)");
        QTest::newRow("403")
            << 403
            << QByteArray(j("{'error':{'message':'Project does not have access to model','code':'model_not_allowed'}}"))
            << int(ErrorKind::Permission) << QStringLiteral("access denied");
        QTest::newRow("400 bad schema")
            << 400
            << QByteArray(
                   j("{'error':{'message':'Invalid schema for response_format "
                     "fair_use_classification','type':'invalid_request_error','param':'response_format','code':null}}"))
            << int(ErrorKind::Invalid)
            << QStringLiteral("request rejected (invalid_request_error): Invalid schema for response_format");
        QTest::newRow("404 model")
            << 404 << QByteArray(j("{'error':{'message':'The model gpt-9 does not exist','code':'model_not_found'}}"))
            << int(ErrorKind::NotFound) << QStringLiteral("(model_not_found)");
        QTest::newRow("413") << 413 << QByteArray() << int(ErrorKind::Invalid) << QStringLiteral("HTTP 413");
        QTest::newRow("error as a plain string") << 400 << QByteArray(j("{'error':'model is required'}"))
                                                 << int(ErrorKind::Invalid) << QStringLiteral(": model is required");
        QTest::newRow("numeric code") << 500 << QByteArray(j("{'error':{'message':'boom','code':500}}"))
                                      << int(ErrorKind::Unavailable) << QStringLiteral("(500): boom");
        QTest::newRow("oversized body ignored")
            << 503 << QByteArray("{\"error\":{\"message\":\"" + QByteArray(70 * 1024, 'x') + "\"}}")
            << int(ErrorKind::Unavailable) << QStringLiteral("HTTP 503: server error or timeout; retry later");
        QTest::newRow("200 is not an error")
            << 200 << QByteArray() << int(ErrorKind::Internal) << QStringLiteral("not an error status");
    }
    void mapsApiErrors() {
        QFETCH(int, status);
        QFETCH(QByteArray, body);
        QFETCH(int, kind);
        QFETCH(QString, messagePart);
        const Error e = parseApiError(status, body);
        QCOMPARE(int(e.kind), kind);
        QVERIFY2(e.message.contains(messagePart), qPrintable(e.message));
        QVERIFY2(e.message.size() < 600, qPrintable(e.message));
    }

    void masksKeysInErrorMessages() {
        const Error e = parseApiError(401, j("{'error':{'message':'Incorrect API key provided: sk-proj-abcdEFGH1234. "
                                             "Bearer tok_secret.123 rejected','code':'invalid_api_key'}}"));
        QVERIFY2(!e.message.contains(QStringLiteral("abcdEFGH1234")), qPrintable(e.message));
        QVERIFY2(!e.message.contains(QStringLiteral("tok_secret")), qPrintable(e.message));
        QVERIFY2(e.message.contains(QStringLiteral("sk-***")), qPrintable(e.message));
    }
};

QTEST_GUILESS_MAIN(ClassifierChatCompletionTest)
#include "ClassifierChatCompletionTest.moc"
