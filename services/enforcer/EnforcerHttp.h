#pragma once
// The enforcement service's HTTP endpoint (--listen): GET /metrics and GET /healthz from EnforcerMetrics.

#include "common/Result.h"
#include "common/Time.h"

#include <QAbstractHttpServer>
#include <QHostAddress>

#include <functional>

namespace fairuse::services {

class EnforcerMetrics;

/**
 * Serves GET /metrics (Prometheus text) and GET /healthz (JSON, 200 or 503) on the thread that owns it. The
 * enforcement pass spins that thread's event loop while it waits for Redis and Firestore (common/Await.h), so the
 * endpoint answers during a pass too. Other paths answer 404, other methods on these paths 405.
 */
class EnforcerHttp : public QAbstractHttpServer {
    Q_OBJECT
public:
    using Clock = std::function<TimePoint()>;

    /** `metrics` must outlive the server; `clock` gives the time the metrics are read at. */
    EnforcerHttp(const EnforcerMetrics* metrics, Clock clock, QObject* parent = nullptr);

    /** Listens on `address`:`port` (0: a free port). Returns the port, or Unavailable saying why not. */
    Result<quint16> start(const QHostAddress& address, quint16 port);

protected:
    bool handleRequest(const QHttpServerRequest& request, QTcpSocket* socket) override;
    void missingHandler(const QHttpServerRequest& request, QTcpSocket* socket) override;

private:
    const EnforcerMetrics* m_metrics;
    Clock m_clock;
};

} // namespace fairuse::services
