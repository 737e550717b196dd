// An open file description (POSIX's term; Linux: struct file). open() and pipe() create one;
// fork(), dup() and SCM_RIGHTS only add references to it. Everything in it is therefore shared
// by every descriptor, in every process, that points here: the offset, the status flags
// (O_APPEND, O_NONBLOCK) and the access mode. What is per-descriptor -- FD_CLOEXEC -- lives in
// the fd table instead.
#pragma once

#include "base/ref.h"
#include "fs/inode.h"

#include <cstdint>
#include <fcntl.h>
#include <string>

namespace forklab {

class Vfs;

// The kernel sets O_LARGEFILE on every file a 64-bit process opens (force_o_largefile()), so
// F_GETFL reports it, though glibc defines O_LARGEFILE as 0 on x86-64.
inline constexpr int kOLargefile = 0100000;

class OpenFileDescription : public RefCounted<OpenFileDescription> {
public:
    // Counts itself in the filesystem's open files and in the inode (and in the pipe's readers
    // or writers); the destructor undoes that and drops the description's flock and OFD locks.
    OpenFileDescription(Vfs&, RefPtr<Inode>, std::string opened_path, int open_flags);
    ~OpenFileDescription();
    OpenFileDescription(OpenFileDescription const&) = delete;
    OpenFileDescription& operator=(OpenFileDescription const&) = delete;

    // The status flags F_SETFL may change (Linux: SETFL_MASK, less the ones not modelled).
    static constexpr int kSettableFlags = O_APPEND | O_NONBLOCK | O_ASYNC | O_DIRECT | O_NOATIME;

    int const id;              // #N in events and pictures: unique for the run.
    RefPtr<Inode> const inode;
    std::string const path;    // What was opened, for display ("/tmp/log", "pipe:[12]").
    int flags = 0;             // Access mode and status flags, as F_GETFL returns them.
    std::uint64_t offset = 0;  // Shared by every fd, in every process, that points here.

    int access_mode() const { return flags & O_ACCMODE; }
    // Access mode 3 (O_ACCMODE) allows neither: Linux opens such a file for ioctl only.
    bool readable() const { return access_mode() == O_RDONLY || access_mode() == O_RDWR; }
    bool writable() const { return access_mode() == O_WRONLY || access_mode() == O_RDWR; }

private:
    Vfs& m_vfs;
};

}  // namespace forklab
