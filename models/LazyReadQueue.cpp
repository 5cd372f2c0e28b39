#include "LazyReadQueue.h"

namespace fairuse::models {

namespace {

/** Requests beyond this many are dropped oldest first. */
constexpr std::size_t kMaxQueuedLazyReads = 256;

} // namespace

bool LazyReadQueue::enqueue(const QString& uid) {
    if (wanted.contains(uid) || failed.contains(uid)) {
        return false;
    }
    wanted.insert(uid);
    queue.push_back(uid);
    while (queue.size() > kMaxQueuedLazyReads) {
        wanted.remove(queue.front());
        queue.pop_front();
    }
    if (pumpScheduled) {
        return false;
    }
    pumpScheduled = true;
    return true;
}

void LazyReadQueue::reset() {
    wanted.clear();
    queue.clear();
    failed.clear();
    ++epoch;
}

} // namespace fairuse::models
