// The per-process fd table (Linux: files_struct, fs/file.c). Shared by CLONE_FILES; otherwise
// fork duplicates it (dup_fd): the same descriptors, each pointing at the same open file
// description, with its own close-on-exec flag.
#pragma once

#include "base/error.h"
#include "base/ref.h"
#include "fs/file.h"

#include <boost/container/small_vector.hpp>

namespace forklab {

struct FdSlot {
    RefPtr<OpenFileDescription> file;  // Null: the descriptor is free.
    bool cloexec = false;              // FD_CLOEXEC belongs to the descriptor, not the description.
};

class FilesStruct : public RefCounted<FilesStruct> {
public:
    // Linux: dup_fd(). Every open description gains a reference.
    RefPtr<FilesStruct> dup() const;

    // Linux: alloc_fd(). The lowest free descriptor at or above `start`, as POSIX requires of
    // open(), dup() and pipe(); EMFILE when that would reach `limit` (RLIMIT_NOFILE).
    ErrorOr<int> alloc_fd(int start, std::uint64_t limit) const;
    // Put a description in a descriptor (Linux: fd_install); returns what was there before.
    RefPtr<OpenFileDescription> install(int fd, RefPtr<OpenFileDescription> file, bool cloexec);
    // The lowest free descriptor, without a limit: for building init's table.
    int install(RefPtr<OpenFileDescription> file, bool cloexec);
    // The description behind fd, or null when fd is not open.
    OpenFileDescription* get(int fd) const;
    // Empty the slot; returns the description that was there (null if none).
    RefPtr<OpenFileDescription> take(int fd);
    int count_open() const;

    // stdin, stdout and stderr fit inline: a forked textbook program costs one allocation here.
    boost::container::small_vector<FdSlot, 4> fds;
};

}  // namespace forklab
