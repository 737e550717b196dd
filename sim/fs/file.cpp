#include "fs/file.h"

#include "fs/vfs.h"

namespace forklab {

OpenFileDescription::OpenFileDescription(Vfs& vfs, RefPtr<Inode> ino, std::string opened_path, int open_flags)
    : id(vfs.m_next_file_id++), inode(std::move(ino)), path(std::move(opened_path)), flags(open_flags), m_vfs(vfs)
{
    ++m_vfs.m_nr_files;
    ++inode->open_files;
    if (inode->pipe) {
        inode->pipe->readers += readable();
        inode->pipe->writers += writable();
    }
}

// Linux: __fput(). The last reference is gone: the description's own locks go with it, and a
// pipe end closes. (The kernel wakes whoever waited on these; see Kernel::fput().)
OpenFileDescription::~OpenFileDescription()
{
    inode->locks.remove_owner(this, LockKind::Flock);
    inode->locks.remove_owner(this, LockKind::Ofd);
    if (inode->pipe) {
        inode->pipe->readers -= readable();
        inode->pipe->writers -= writable();
    }
    --inode->open_files;
    --m_vfs.m_nr_files;
}

}  // namespace forklab
