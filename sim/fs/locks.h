// File locks (Linux: fs/locks.c). Three kinds, with three different owners, which is exactly
// why they behave differently across fork():
//
//   flock(2)          owned by the open file description: a forked child shares it, and either
//                     process can release it. Conflicts only with other flock locks.
//   POSIX fcntl(2)    owned by the process (Linux: its files_struct): not inherited by fork, and
//   record locks      released by any close() of any descriptor for the file.
//   OFD locks         owned by the open file description, like flock, but byte ranges like POSIX
//                     locks, in the same list: OFD and POSIX locks conflict with each other.
#pragma once

#include <cstdint>
#include <sys/types.h>
#include <vector>

namespace forklab {

enum class LockKind : std::uint8_t { Flock, Posix, Ofd };

struct FileLock {
    static constexpr std::uint64_t kToEof = ~std::uint64_t(0);

    LockKind kind = LockKind::Posix;
    short type = 0;                   // F_RDLCK, F_WRLCK (F_UNLCK in a request to remove).
    std::uint64_t start = 0;          // Byte range, inclusive; flock locks cover everything.
    std::uint64_t end = kToEof;
    void const* owner = nullptr;      // Posix: the FilesStruct. Flock, Ofd: the description.
    pid_t pid = 0;                    // The process that took it (F_GETLK's l_pid for POSIX).

    bool overlaps(FileLock const& o) const { return start <= o.end && o.start <= end; }
    bool conflicts_with(FileLock const& request) const;
};

class FileLocks {
public:
    // The first lock another owner holds that `request` may not coexist with, or null.
    FileLock const* conflict(FileLock const& request) const;
    // The first lock of the request's owner and kind over a byte of its range, or null.
    FileLock const* held_by(FileLock const& request) const;
    // Take, change or (type F_UNLCK) drop the owner's lock. POSIX and OFD requests replace what
    // the owner held in the range, splitting and merging as Linux's posix_lock_inode() does.
    void apply(FileLock const& request);
    // Drop every lock of `kind` held by `owner`; how many there were.
    int remove_owner(void const* owner, LockKind kind);
    bool empty() const { return m_locks.empty(); }
    std::vector<FileLock> const& all() const { return m_locks; }

private:
    void apply_range(FileLock const& request);
    std::vector<FileLock> m_locks;
};

}  // namespace forklab
