#include "model/files_rows.h"

#include <map>

namespace forklab::gui {

namespace {

// Which processes hold a descriptor for each open file description.
std::map<OpenFileDescription const*, std::vector<pid_t>> holders(Kernel const& kernel)
{
    std::map<OpenFileDescription const*, std::vector<pid_t>> by_file;
    for (Task const& t : kernel.tasks()) {
        if (!t.is_thread_group_leader() || !t.files)
            continue;
        for (FdSlot const& slot : t.files->fds) {
            if (!slot.file)
                continue;
            auto& pids = by_file[slot.file.get()];
            if (pids.empty() || pids.back() != t.pid)
                pids.push_back(t.pid);
        }
    }
    return by_file;
}

FdRow make_row(int fd, FdSlot const& slot, std::vector<pid_t> const& holders, pid_t self)
{
    OpenFileDescription const& file = *slot.file;
    Inode const& inode = *file.inode;
    FdRow row;
    row.fd = fd;
    row.cloexec = slot.cloexec;
    row.description = file.id;
    row.path = file.path;
    row.flags = open_flags_text(file.flags);
    row.offset = file.offset;
    row.description_refs = long(file.use_count());
    for (pid_t p : holders)
        if (p != self)
            row.sharers.push_back(p);
    row.ino = inode.ino;
    row.kind = inode.kind;
    row.inode_name = inode.display_name;
    row.nlink = inode.nlink;
    row.inode_opens = inode.open_files;
    row.size = inode.size;
    if (inode.pipe)
        row.pipe = PipeState{inode.pipe->buffered(), inode.pipe->readers, inode.pipe->writers};
    return row;
}

}  // namespace

std::string open_flags_text(int flags)
{
    std::string text;
    switch (flags & O_ACCMODE) {
    case O_RDONLY: text = "O_RDONLY"; break;
    case O_WRONLY: text = "O_WRONLY"; break;
    case O_RDWR: text = "O_RDWR"; break;
    default: text = "O_ACCMODE"; break;
    }
    if (flags & O_APPEND)
        text += "|O_APPEND";
    if (flags & O_NONBLOCK)
        text += "|O_NONBLOCK";
    return text;
}

std::vector<FdRow> files_view(Kernel const& kernel, pid_t pid)
{
    std::vector<FdRow> rows;
    Task const* task = kernel.find_task(pid);
    if (!task || !task->files)
        return rows;
    auto const by_file = holders(kernel);
    for (std::size_t fd = 0; fd < task->files->fds.size(); ++fd) {
        FdSlot const& slot = task->files->fds[fd];
        if (slot.file)
            rows.push_back(make_row(int(fd), slot, by_file.at(slot.file.get()), task->tgid));
    }
    return rows;
}

FilesDiagram files_diagram(Kernel const& kernel, std::span<pid_t const> pids)
{
    FilesDiagram d;
    std::map<int, FdRow> descriptions;  // By #id.
    std::map<ino_t, FdRow> inodes;
    for (pid_t pid : pids) {
        FilesDiagram::Table table{pid, {}};
        for (FdRow const& row : files_view(kernel, pid)) {
            table.fds.push_back({row.fd, row.cloexec, std::size_t(row.description)});  // Re-indexed below.
            descriptions.try_emplace(row.description, row);
            inodes.try_emplace(row.ino, row);
        }
        d.tables.push_back(std::move(table));
    }
    std::map<ino_t, std::size_t> inode_index;
    for (auto const& [ino, row] : inodes) {
        inode_index[ino] = d.inodes.size();
        d.inodes.push_back({ino, row.kind, row.inode_name, row});
    }
    std::map<int, std::size_t> description_index;
    for (auto const& [id, row] : descriptions) {
        description_index[id] = d.descriptions.size();
        d.descriptions.push_back({row, inode_index.at(row.ino)});
    }
    for (auto& table : d.tables)
        for (auto& fd : table.fds)
            fd.description = description_index.at(int(fd.description));
    return d;
}

}  // namespace forklab::gui
