#include "RedisBenchDriver.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QTimer>

namespace fairuse::bench {

using namespace fairuse::services;

QByteArray num(std::int64_t v) {
    return QByteArray::number(static_cast<qlonglong>(v));
}

double drive(int total, int depth, const Op& op) {
    QEventLoop loop;
    int next = 0;
    int finished = 0;
    bool failed = false;
    std::function<void()> launch;
    launch = [&] {
        const int i = next++;
        op(i, [&](bool ok) {
            failed = failed || !ok;
            ++finished;
            if (next < total && !failed) {
                launch();
            } else if (finished == next) {
                loop.quit();
            }
        });
    };
    QElapsedTimer timer;
    timer.start();
    for (int k = 0; k < depth && next < total; ++k) {
        launch();
    }
    QTimer::singleShot(600'000, &loop, &QEventLoop::quit);
    loop.exec();
    const double s = static_cast<double>(timer.nsecsElapsed()) / 1e9;
    return failed || finished != total ? -1.0 : s;
}

std::optional<services::RedisReply> call(services::RedisClient& c, QList<QByteArray> argv) {
    std::optional<services::RedisReply> out;
    QEventLoop loop;
    c.command(std::move(argv)).then(QtFuture::Launch::Sync, [&](Result<RedisReply> r) {
        if (r.ok()) {
            out = r.value();
        }
        loop.quit();
    });
    QTimer::singleShot(30'000, &loop, &QEventLoop::quit);
    loop.exec();
    return out;
}

} // namespace fairuse::bench
