// `fairuse replay` input: JSON lines of speech, checks and overrides, replayed through metering and enforcement.
#include "Commands.h"

#include <QString>
#include <QTextStream>

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const fairuse::enforcement::Policy policy = fairuse::enforcement::Policy::forReview();
    QString out;
    QString err;
    QTextStream outStream(&out);
    QTextStream errStream(&err);
    (void)fairuse::cli::replayLines(QByteArray(reinterpret_cast<const char*>(data), static_cast<qsizetype>(size)),
                                    policy, fairuse::cli::Io{outStream, errStream});
    return 0;
}
