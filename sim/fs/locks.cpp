#include "fs/locks.h"

#include <algorithm>
#include <fcntl.h>

namespace forklab {

namespace {

// flock locks live in their own list in Linux (i_flctx->flc_flock) and never meet record locks;
// POSIX and OFD locks share one list (flc_posix).
bool same_family(LockKind a, LockKind b)
{
    return (a == LockKind::Flock) == (b == LockKind::Flock);
}

}  // namespace

// Linux: posix_locks_conflict() and flock_locks_conflict(). Two locks conflict when different
// owners hold them over a common byte and at least one is a write lock.
bool FileLock::conflicts_with(FileLock const& request) const
{
    if (!same_family(kind, request.kind) || owner == request.owner)
        return false;
    if (!overlaps(request))
        return false;
    return type == F_WRLCK || request.type == F_WRLCK;
}

FileLock const* FileLocks::conflict(FileLock const& request) const
{
    for (FileLock const& held : m_locks)
        if (held.conflicts_with(request))
            return &held;
    return nullptr;
}

FileLock const* FileLocks::held_by(FileLock const& request) const
{
    for (FileLock const& held : m_locks)
        if (held.owner == request.owner && held.kind == request.kind && held.overlaps(request))
            return &held;
    return nullptr;
}

void FileLocks::apply(FileLock const& request)
{
    if (request.kind == LockKind::Flock) {
        // Linux: flock_lock_inode(). An owner has one flock lock; a new request replaces it.
        remove_owner(request.owner, LockKind::Flock);
        if (request.type != F_UNLCK)
            m_locks.push_back(request);
        return;
    }
    apply_range(request);
}

// Linux: posix_lock_inode(). The owner's locks of this kind over the range are cut away (what
// lies outside the range survives, split in two if need be), the new lock goes in, and locks of
// the same type that touch it are merged into one.
void FileLocks::apply_range(FileLock const& request)
{
    std::vector<FileLock> kept;
    FileLock merged = request;
    bool merged_into_held = false;
    for (FileLock const& held : m_locks) {
        bool const mine = held.owner == request.owner && held.kind == request.kind;
        if (!mine) {
            kept.push_back(held);
            continue;
        }
        bool const touches = held.start <= (request.end == FileLock::kToEof ? request.end : request.end + 1) &&
            request.start <= (held.end == FileLock::kToEof ? held.end : held.end + 1);
        if (request.type != F_UNLCK && held.type == request.type && touches) {
            // Linux extends the lock already held, so it keeps that lock's pid: a CLONE_FILES
            // sibling extending its parent's lock does not make the lock its own.
            if (!merged_into_held)
                merged.pid = held.pid;
            merged_into_held = true;
            merged.start = std::min(merged.start, held.start);
            merged.end = std::max(merged.end, held.end);
            continue;
        }
        if (!held.overlaps(request)) {
            kept.push_back(held);
            continue;
        }
        if (held.start < request.start) {
            FileLock left = held;
            left.end = request.start - 1;
            kept.push_back(left);
        }
        if (request.end != FileLock::kToEof && held.end > request.end) {
            FileLock right = held;
            right.start = request.end + 1;
            kept.push_back(right);
        }
    }
    if (request.type != F_UNLCK)
        kept.push_back(merged);
    std::stable_sort(kept.begin(), kept.end(), [](FileLock const& a, FileLock const& b) { return a.start < b.start; });
    m_locks = std::move(kept);
}

int FileLocks::remove_owner(void const* owner, LockKind kind)
{
    auto const before = m_locks.size();
    std::erase_if(m_locks, [&](FileLock const& l) { return l.owner == owner && l.kind == kind; });
    return int(before - m_locks.size());
}

}  // namespace forklab
