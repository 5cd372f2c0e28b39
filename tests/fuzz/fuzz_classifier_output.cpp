// The classifier's answer (the message content) checked against the conversations sent, alone and inside a
// chat-completions envelope.
#include "classifier/ClassifierOutput.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <cstddef>
#include <cstdint>
#include <cstdlib>

using namespace fairuse;
using namespace fairuse::classifier;

namespace {

QList<Conversation> sent() {
    QList<Conversation> out;
    for (const char* id : {"c1", "c2", "conv-3"}) {
        Conversation c;
        c.id = QString::fromLatin1(id);
        c.title = QStringLiteral("Title of %1").arg(c.id);
        out.append(c);
    }
    return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const QList<Conversation> input = sent();
    const QByteArray content(reinterpret_cast<const char*>(data), static_cast<qsizetype>(size));
    if (auto r = parseClassifierOutput(content, input)) {
        if (!(r->misuseScore >= 0.0 && r->misuseScore <= 1.0) || !(r->confidence >= 0.0 && r->confidence <= 1.0) ||
            r->evidence.size() > 10) {
            std::abort(); // the documented corrections must hold
        }
    }
    const QJsonObject message{{QStringLiteral("role"), QStringLiteral("assistant")},
                              {QStringLiteral("content"), QString::fromUtf8(content)}};
    const QJsonObject envelope{
        {QStringLiteral("choices"), QJsonArray{QJsonObject{{QStringLiteral("message"), message}}}}};
    (void)parseClassifierResponse(QJsonDocument(envelope).toJson(QJsonDocument::Compact), input,
                                  QStringLiteral("gpt-test"));
    return 0;
}
