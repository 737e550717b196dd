// An open file description (POSIX's term; Linux: struct file): what an fd points to. fork()
// copies the fd table but not the descriptions, so parent and child share each one's offset and
// status flags. The files issue fills in the inode, the offset rules and the operations; the
// process core needs only the reference count that fork takes.
#pragma once

#include "base/ref.h"

#include <cstdint>
#include <string>

namespace forklab {

class OpenFileDescription : public RefCounted<OpenFileDescription> {
public:
    OpenFileDescription(std::string opened_path, int open_flags) : path(std::move(opened_path)), flags(open_flags) {}

    std::string path;         // What was opened, for display ("/dev/tty").
    int flags = 0;            // Access mode and status flags (O_RDWR, O_APPEND, ...).
    std::uint64_t offset = 0;  // Shared by every fd, in every process, that points here.
};

}  // namespace forklab
