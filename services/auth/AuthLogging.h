#pragma once
// The logging category of services/auth ("fairuse.auth"); private to this folder. Never log a token, a refresh
// token or a password through it: only what was asked, of whom, and how it ended.

#include <QLoggingCategory>

namespace fairuse::services {

Q_DECLARE_LOGGING_CATEGORY(lcAuth)

} // namespace fairuse::services
