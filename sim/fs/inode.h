// An inode: one file, whatever names or descriptors lead to it (Linux: struct inode).
//
// Directory entries and open file descriptions hold references to it, so an unlinked file lives
// on while some process still has it open. A regular file keeps its data in its own page cache,
// in frames of the simulated physical memory: read(), write() and every MAP_SHARED mapping see
// the same bytes, as in Linux where all three go through inode->i_mapping.
#pragma once

#include "base/error.h"
#include "fs/locks.h"
#include "fs/pipe.h"
#include "fs/terminal.h"
#include "mm/mm_struct.h"
#include "mm/vma.h"

#include <map>
#include <span>
#include <memory>
#include <string>
#include <sys/types.h>
#include <vector>

namespace forklab {

class Vfs;

enum class InodeKind : std::uint8_t { Regular, Directory, Pipe, Terminal, Null };
std::string_view inode_kind_name(InodeKind);

// A program the language front end compiled, installed as an executable file. The kernel needs
// only its image to build the new address space; the interpreter finds its own code through
// the derived class.
class Executable {
public:
    virtual ~Executable() = default;
    virtual ProgramImage const& image() const = 0;
};

// The pids asleep on something (Linux: wait_queue_head_t). A woken task re-checks its
// condition, so a stale entry costs a spurious look, never a wrong answer.
using WaitQueue = std::vector<pid_t>;

class Inode final : public VmObject {
public:
    Inode(Vfs&, InodeKind, mode_t mode, uid_t uid, gid_t gid, std::string display_name);
    ~Inode() override;

    InodeKind const kind;
    ino_t const ino;         // Unique for the life of the filesystem (st_ino).
    mode_t mode;             // Permission bits only (07777); the kind says the type.
    uid_t uid;
    gid_t gid;
    int nlink = 0;           // Directory entries naming it (st_nlink).
    int open_files = 0;      // Open file descriptions pointing at it.
    std::string display_name;  // The path it was created under, for pictures ("/tmp/log").

    // Regular files: the size; the bytes are in the page cache below.
    std::uint64_t size = 0;
    std::shared_ptr<Executable const> executable;  // Set for programs in /bin.
    RefPtr<VmObject> image_pages;  // The program's text and data pages, shared by every exec.

    // Directories: name -> inode. `parent` is what ".." names (the root's parent is itself).
    std::map<std::string, RefPtr<Inode>, std::less<>> entries;
    Inode* parent = nullptr;

    std::unique_ptr<Pipe> pipe;      // Pipes only.
    std::unique_ptr<Terminal> tty;   // The terminal only.
    FileLocks locks;                 // flock, POSIX record and OFD locks on this file.
    WaitQueue lock_wait;             // Tasks asleep in F_SETLKW or flock.

    bool is_dir() const { return kind == InodeKind::Directory; }
    bool is_regular() const { return kind == InodeKind::Regular; }

    // Regular files: bytes at an offset, through the page cache. A write past the end leaves a
    // hole that reads as zeros; ENOSPC when no frame is left for the data.
    std::size_t read_at(std::uint64_t offset, std::span<std::uint8_t> out) const;
    ErrorOr<std::size_t> write_at(std::uint64_t offset, std::span<std::uint8_t const> bytes);
    void truncate(std::uint64_t new_size);  // O_TRUNC and ftruncate.

    // VmObject: the page cache, for mmap.
    ErrorOr<FrameNr> get_page(std::uint64_t index, PhysicalMemory&) override;
    std::string name() const override;
    bool is_file() const override { return true; }
    std::vector<FrameNr> frames() const override { return m_pages.frames(); }
    std::optional<FrameNr> cached_frame(std::uint64_t index) const override { return m_pages.find(index); }

private:
    Vfs& m_vfs;
    PageCache m_pages;  // A page not cached reads as zeros.
};

}  // namespace forklab
