#include "RedisBenchServer.h"

#include <QRegularExpression>

namespace fairuse::bench {

double incrbyCeiling(const QString& program, quint16 port, int requests, int pipeline) {
    QProcess p;
    p.start(program, {QStringLiteral("-h"), QStringLiteral("127.0.0.1"), QStringLiteral("-p"), QString::number(port),
                      QStringLiteral("-c"), QStringLiteral("1"), QStringLiteral("-P"), QString::number(pipeline),
                      QStringLiteral("-n"), QString::number(requests), QStringLiteral("--csv"),
                      QStringLiteral("INCRBY"), QStringLiteral("bench:incrby"), QStringLiteral("1")});
    if (!p.waitForFinished(300'000)) {
        p.kill();
        return -1;
    }
    // --csv: a header line, then "INCRBY bench:incrby 1","<rps>",...
    const QString out = QString::fromUtf8(p.readAllStandardOutput());
    static const QRegularExpression row(QStringLiteral("^\"INCRBY[^\"]*\",\"([0-9.]+)\""),
                                        QRegularExpression::MultilineOption);
    const auto m = row.match(out);
    return m.hasMatch() ? m.captured(1).toDouble() : -1;
}

} // namespace fairuse::bench
