#pragma once

#include <QHostAddress>
#include <QProcess>
#include <QString>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>

namespace fairuse::bench {

/** A redis-server child on a free loopback port, killed when this object dies. */
class RedisBenchServer {
public:
    bool start(const QString& program) {
        for (int attempt = 0; attempt < 10; ++attempt) {
            QTcpServer probe;
            if (!probe.listen(QHostAddress::LocalHost, 0)) {
                continue;
            }
            m_port = probe.serverPort();
            probe.close();
            m_process.setProgram(program);
            m_process.setArguments({QStringLiteral("--port"), QString::number(m_port), QStringLiteral("--bind"),
                                    QStringLiteral("127.0.0.1"), QStringLiteral("--save"), QString(),
                                    QStringLiteral("--appendonly"), QStringLiteral("no")});
            m_process.setProcessChannelMode(QProcess::MergedChannels);
            m_process.start();
            if (!m_process.waitForStarted(5000)) {
                return false;
            }
            for (int i = 0; i < 100; ++i) {
                QTcpSocket s;
                s.connectToHost(QHostAddress::LocalHost, m_port);
                if (s.waitForConnected(100)) {
                    return true;
                }
                if (m_process.state() != QProcess::Running) {
                    break;
                }
                QThread::msleep(50);
            }
            stop();
        }
        return false;
    }
    void stop() {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.terminate();
            if (!m_process.waitForFinished(3000)) {
                m_process.kill();
                m_process.waitForFinished(3000);
            }
        }
    }
    ~RedisBenchServer() { stop(); }
    quint16 port() const { return m_port; }
    qint64 pid() const { return m_process.processId(); }

private:
    QProcess m_process;
    quint16 m_port = 0;
};

/** redis-benchmark requests per second for `INCRBY key 1` on one connection with `pipeline` in flight. */
double incrbyCeiling(const QString& program, quint16 port, int requests, int pipeline);

} // namespace fairuse::bench
