// The definitions of the logging categories declared in logging/Logging.h, apart from the spdlog pipeline so that
// a service slice (e.g. the llm test library) can log without linking spdlog.
#include "logging/Logging.h"

namespace fairuse {

Q_LOGGING_CATEGORY(lcRedis, "fairuse.redis")
// Every REST call is a debug line; off unless QT_LOGGING_RULES="fairuse.firestore.debug=true".
Q_LOGGING_CATEGORY(lcFirestore, "fairuse.firestore", QtInfoMsg)
Q_LOGGING_CATEGORY(lcLlm, "fairuse.llm")
Q_LOGGING_CATEGORY(lcStore, "fairuse.store")
Q_LOGGING_CATEGORY(lcUi, "fairuse.ui")
Q_LOGGING_CATEGORY(lcApp, "fairuse.app")
Q_LOGGING_CATEGORY(lcEnforcer, "fairuse.enforcer")

} // namespace fairuse
