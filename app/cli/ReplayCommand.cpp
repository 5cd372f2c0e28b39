#include "Commands.h"

namespace fairuse::cli {

int runReplay(const QStringList& /*args*/, Io io)
{
    io.err << "fairuse: this command is not built yet\n";
    return 3;
}

} // namespace fairuse::cli
