// RedisClient's wording of a server's error replies (shared with the cluster client through replyErrorAt).
#include "redis/RedisClient.h"

namespace fairuse::services {

ErrorKind RedisClient::replyErrorKind(const RedisReply& reply) {
    const QByteArray code = reply.errorCode();
    // Inside a script the ACL refusal of a call comes back as ERR with this wording (Redis 7).
    if (code == "NOPERM" || code == "NOAUTH" || code == "WRONGPASS" ||
        reply.text().contains("The user executing the script can't")) {
        return ErrorKind::Permission;
    }
    if (code == "WRONGTYPE") {
        return ErrorKind::Invalid;
    }
    return ErrorKind::Internal;
}

Error RedisClient::replyErrorAt(const QString& where, const QString& aclUser, const RedisReply& reply,
                                const QString& what) {
    const QString text = QString::fromUtf8(reply.text());
    const QByteArray code = reply.errorCode();
    QString message;
    if (replyErrorKind(reply) == ErrorKind::Permission && code != "NOAUTH" && code != "WRONGPASS") {
        message = tr("Redis at %1 refused to %2: its ACL does not allow the user \"%3\" to do this (%4).")
                      .arg(where, what, aclUser, text);
    } else if (code == "NOAUTH" || code == "WRONGPASS") {
        message = tr("Redis at %1 refused to %2 without valid credentials (%3).").arg(where, what, text);
    } else {
        message = tr("Redis at %1 refused to %2: %3").arg(where, what, text);
    }
    return Error{replyErrorKind(reply), message};
}

} // namespace fairuse::services
