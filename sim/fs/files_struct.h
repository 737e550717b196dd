// The per-process fd table (Linux: files_struct, fs/file.c). Shared by CLONE_FILES; otherwise
// fork duplicates it (dup_fd): the same descriptors, each pointing at the same open file
// description, with its own close-on-exec flag.
#pragma once

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

    // Lowest free descriptor first, as POSIX requires of open(), dup() and pipe().
    int install(RefPtr<OpenFileDescription> file, bool cloexec);
    int count_open() const;

    // stdin, stdout and stderr fit inline: a forked textbook program costs one allocation here.
    boost::container::small_vector<FdSlot, 4> fds;
};

}  // namespace forklab
