// Where a process stands in the filesystem (Linux: fs_struct): umask, cwd and root. Shared by
// CLONE_FS, so that one thread's chdir() moves the others; copied by fork (copy_fs).
#pragma once

#include "base/ref.h"

#include <string>
#include <sys/types.h>

namespace forklab {

class FsStruct : public RefCounted<FsStruct> {
public:
    mode_t umask = 022;
    std::string cwd = "/";
    std::string root = "/";
};

}  // namespace forklab
