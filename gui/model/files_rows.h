// The files view's rows: a process's fd table, each descriptor leading to its open file
// description (offset, status flags, how many descriptors in all processes point at it) and on
// to the inode (its kind, links, size; for a pipe, the bytes buffered and the ends still open).
// The three levels are POSIX's: fork copies the first, shares the second, and the third is the
// file itself.
#pragma once

#include "kernel/kernel.h"

#include <optional>
#include <span>
#include <string>
#include <vector>

namespace forklab::gui {

struct PipeState {
    std::size_t buffered = 0;   // Bytes written and not yet read.
    int readers = 0, writers = 0;  // Open descriptions of each end.
};

struct FdRow {
    int fd = 0;
    bool cloexec = false;        // FD_CLOEXEC: per descriptor, not per description.
    int description = 0;         // The description's #id (unique in the run).
    std::string path;            // What was opened: "/tmp/log", "pipe:[12]", "/dev/tty".
    std::string flags;           // "O_RDONLY", "O_WRONLY|O_APPEND", ...
    std::uint64_t offset = 0;
    long description_refs = 0;   // Descriptors (in every process) pointing at the description.
    std::vector<pid_t> sharers;  // The other processes with a descriptor for it.
    ino_t ino = 0;
    InodeKind kind = InodeKind::Regular;
    std::string inode_name;      // The path the inode was created under ("/dev/tty", "pipe:[9]").
    int nlink = 0;
    int inode_opens = 0;         // Open descriptions of the inode.
    std::uint64_t size = 0;
    std::optional<PipeState> pipe;
};

// The open descriptors of `pid`, lowest first. Empty for an unknown pid or a zombie.
std::vector<FdRow> files_view(Kernel const&, pid_t pid);

// The same, as the three-column diagram draws it: each process's descriptors on the left, each
// open file description once in the middle (however many descriptors point at it), each inode
// once on the right. Shared descriptions are visible as several arrows into one box.
struct FilesDiagram {
    struct Fd {
        int fd = 0;
        bool cloexec = false;
        std::size_t description = 0;  // Index into descriptions.
    };
    struct Table {
        pid_t pid = 0;
        std::vector<Fd> fds;
    };
    struct Description {
        FdRow row;                    // The first descriptor's row: the description's fields.
        std::size_t inode = 0;        // Index into inodes.
    };
    struct InodeBox {
        ino_t ino = 0;
        InodeKind kind = InodeKind::Regular;
        std::string name;             // The path it was created under, or the pipe's name.
        FdRow row;                    // A row leading to it: its size, links, pipe state.
    };
    std::vector<Table> tables;
    std::vector<Description> descriptions;  // Sorted by description #id.
    std::vector<InodeBox> inodes;           // Sorted by inode number.
};

FilesDiagram files_diagram(Kernel const&, std::span<pid_t const> pids);

// "O_RDWR|O_APPEND|O_NONBLOCK", as F_GETFL's bits read.
std::string open_flags_text(int flags);

}  // namespace forklab::gui
