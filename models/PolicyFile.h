#pragma once

#include "common/Result.h"
#include "enforcement/Policy.h"

#include <QString>

namespace fairuse::models {

/**
 * The console's enforcement policy on disk: a policy JSON file (enforcement::Policy::fromJson over
 * Policy::forReview()) in the console's configuration folder. The case stores have no place for policies yet, so
 * the policy an admin adopts in the simulator lives here, and the console builds its decisions (and so names its
 * cases) with it from then on.
 */
class PolicyFile {
public:
    /** The default file: policy.json in the application's configuration folder. */
    PolicyFile();
    explicit PolicyFile(QString path);

    QString path() const { return m_path; }

    /** The saved policy; Policy::forReview() when there is no file. A file that does not parse is an error naming
     *  the file and the key. */
    Result<enforcement::Policy> load() const;
    /** Writes `policy` atomically (a temporary file renamed over the old one). */
    Status save(const enforcement::Policy& policy) const;

private:
    QString m_path;
};

} // namespace fairuse::models
