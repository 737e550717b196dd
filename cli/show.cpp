#include "show.h"

#include "base/format.h"

#include <cstdarg>
#include <cstdio>
#include <ostream>
#include <string>

namespace forklab::cli {

namespace {

// printf into a std::string: the dumps copy the column formats of procps, the kernel's
// show_map_vma() and lsof, which are printf formats (checked by the compiler).
[[gnu::format(printf, 1, 2)]] std::string cformat(char const* fmt, ...)
{
    std::va_list args;
    va_start(args, fmt);
    std::va_list again;
    va_copy(again, args);
    int const n = std::vsnprintf(nullptr, 0, fmt, args);
    va_end(args);
    std::string out(std::size_t(n < 0 ? 0 : n), '\0');
    std::vsnprintf(out.data(), out.size() + 1, fmt, again);
    va_end(again);
    return out;
}

// The model has no /etc/passwd: root has its name, and everyone else shows as a number, which
// is what ps and lsof print for a uid with no entry.
std::string user_name(uid_t uid) { return uid == 0 ? "root" : std::to_string(uid); }

pid_t ppid_of(Task const& t) { return t.real_parent ? t.real_parent->tgid : 0; }

// What ps prints under CMD: the argument list, or the name when there is none; a zombie has
// neither memory nor arguments, so ps shows its name in brackets and says so.
std::string command_line(Task const& t)
{
    if (t.is_zombie())
        return format("[{}] <defunct>", t.name());
    std::string cmd;
    for (std::string const& arg : t.cmdline)
        cmd += (cmd.empty() ? "" : " ") + arg;
    return cmd.empty() ? std::string(t.name()) : cmd;
}

// The file in the simulated filesystem whose program pages `object` is, with its path: the
// executable behind a text or data mapping. Found by walking the tree from /.
struct ProgramFile {
    Inode const* inode = nullptr;
    std::string path;
};

ProgramFile find_program(Inode const& dir, std::string const& path, VmObject const* object, int depth = 0)
{
    if (depth > 64)
        return {};
    for (auto const& [name, inode] : dir.entries) {
        std::string const child_path = (path == "/" ? "/" : path + "/") + name;
        if (inode->image_pages.get() == object)
            return {inode.get(), child_path};
        if (inode->is_dir() && inode.get() != &dir)
            if (ProgramFile found = find_program(*inode, child_path, object, depth + 1); found.inode)
                return found;
    }
    return {};
}

// The model has one filesystem and no block devices: its files show device 00:01, anonymous
// memory 00:00 as on Linux.
constexpr char const* kFsDevice = "00:01";

struct MapsName {
    char const* device = "00:00";
    unsigned long inode = 0;
    std::string path;
};

MapsName maps_name(Vma const& v, Kernel const& k)
{
    switch (v.kind) {
    case VmaKind::Heap: return {"00:00", 0, "[heap]"};
    case VmaKind::Stack: return {"00:00", 0, "[stack]"};
    default: break;
    }
    if (!v.object)
        return {};
    if (auto const* inode = dynamic_cast<Inode const*>(v.object.get()))
        return {kFsDevice, static_cast<unsigned long>(inode->ino), inode->name()};
    if (ProgramFile prog = find_program(k.vfs().root(), "/", v.object.get()); prog.inode)
        return {kFsDevice, static_cast<unsigned long>(prog.inode->ino), prog.path};
    return {"00:01", 0, v.object->name()};  // Shared anonymous memory: "/dev/zero (deleted)".
}

// One line of /proc/PID/maps. Linux: show_map_vma() prints the fields, then pads with spaces so
// that every pathname starts in column 73; a line without a pathname ends after the inode.
std::string maps_line(Vma const& v, Kernel const& k)
{
    MapsName const name = maps_name(v, k);
    std::uint64_t const offset = v.object ? v.pgoff << kPageShift : 0;
    std::string line = cformat("%08llx-%08llx %c%c%c%c %08llx %s %lu ", static_cast<unsigned long long>(v.start),
        static_cast<unsigned long long>(v.end), v.prot & PROT_READ ? 'r' : '-', v.prot & PROT_WRITE ? 'w' : '-',
        v.prot & PROT_EXEC ? 'x' : '-', v.shared() ? 's' : 'p', static_cast<unsigned long long>(offset), name.device,
        name.inode);
    if (name.path.empty())
        return line;
    if (line.size() < 73)
        line.resize(73, ' ');
    return line + name.path;
}

// --- lsof ----------------------------------------------------------------------------------

char const* lsof_type(InodeKind kind)
{
    switch (kind) {
    case InodeKind::Regular: return "REG";
    case InodeKind::Directory: return "DIR";
    case InodeKind::Pipe: return "FIFO";
    case InodeKind::Terminal: return "CHR";
    case InodeKind::Null: return "CHR";
    }
    return "unknown";
}

char access_letter(OpenFileDescription const& f)
{
    return f.access_mode() == O_RDONLY ? 'r' : f.access_mode() == O_WRONLY ? 'w' : 'u';
}

// lsof's lock letter after the mode: W or R for a lock over the whole file, w or r for part of
// it, a space for none. The locks counted are the ones this descriptor's holder owns: flock and
// OFD locks of its description, POSIX locks of its process.
char lock_letter(Task const& t, OpenFileDescription const& f)
{
    char letter = ' ';
    for (FileLock const& l : f.inode->locks.all()) {
        void const* const owner = l.kind == LockKind::Posix ? static_cast<void const*>(t.files.get()) : &f;
        if (l.owner != owner)
            continue;
        bool const whole = l.start == 0 && l.end == FileLock::kToEof;
        char const c = l.type == F_WRLCK ? (whole ? 'W' : 'w') : (whole ? 'R' : 'r');
        if (letter == ' ' || c == 'W' || (c == 'R' && letter != 'W'))
            letter = c;
    }
    return letter;
}

// lsof +fg's FILE-FLAG: the access (W, RW; nothing for read-only), then AP, NB, CX, LG.
std::string file_flags(OpenFileDescription const& f, bool cloexec)
{
    std::string flags = f.access_mode() == O_WRONLY ? "W" : f.access_mode() == O_RDWR ? "RW" : "";
    auto add = [&flags](char const* flag) { flags += (flags.empty() ? "" : ",") + std::string(flag); };
    if (f.flags & O_APPEND)
        add("AP");
    if (f.flags & O_NONBLOCK)
        add("NB");
    if (cloexec)
        add("CX");
    if (f.flags & kOLargefile)
        add("LG");
    return flags;
}

// The pipe's name as lsof gives it; files keep the path they were opened by.
std::string lsof_name(OpenFileDescription const& f)
{
    return f.inode->kind == InodeKind::Pipe ? "pipe" : f.path;
}

void lsof_line(std::ostream& out, Task const& t, std::string const& fd, char const* type, std::string const& flags,
    std::string const& offset, unsigned long node, std::string const& ofd, std::string const& name)
{
    out << cformat("%-9.9s %5d %-5s %5s %5s %9s %8s %7lu %4s %s\n", std::string(t.name()).c_str(), t.tgid,
        user_name(t.cred.uid).c_str(), fd.c_str(), type, flags.c_str(), offset.c_str(), node, ofd.c_str(),
        name.c_str());
}

// lsof's first lines for a process: its working directory and its program.
void lsof_process_lines(std::ostream& out, Kernel const& k, Task const& t)
{
    auto const cwd = k.vfs().lookup("/", t.fs->cwd, FsCred{});
    if (cwd && cwd->inode)
        lsof_line(out, t, "cwd", "DIR", "", "", static_cast<unsigned long>(cwd->inode->ino), "", t.fs->cwd);
    if (!t.mm)
        return;
    for (Vma const& v : t.mm->vmas())
        if (v.kind == VmaKind::Text && v.object)
            if (ProgramFile prog = find_program(k.vfs().root(), "/", v.object.get()); prog.inode) {
                lsof_line(out, t, "txt", "REG", "", "", static_cast<unsigned long>(prog.inode->ino), "", prog.path);
                return;
            }
}

void lsof_fd_lines(std::ostream& out, Task const& t)
{
    for (std::size_t fd = 0; fd < t.files->fds.size(); ++fd) {
        FdSlot const& slot = t.files->fds[fd];
        if (!slot.file)
            continue;
        OpenFileDescription const& f = *slot.file;
        std::string const fd_text = cformat("%zu%c%c", fd, access_letter(f), lock_letter(t, f));
        lsof_line(out, t, fd_text, lsof_type(f.inode->kind), file_flags(f, slot.cloexec),
            cformat("0t%llu", static_cast<unsigned long long>(f.offset)), static_cast<unsigned long>(f.inode->ino),
            format("#{}", f.id), lsof_name(f));
    }
}

}  // namespace

void show_ps(std::ostream& out, Kernel const& k)
{
    out << cformat("%-8s %5s %5s %5s %5s %s %5s %s\n", "UID", "PID", "PPID", "PGID", "SID", "S", "STIME", "CMD");
    for (Task const& t : k.tasks()) {
        if (!t.is_thread_group_leader())
            continue;
        out << cformat("%-8s %5d %5d %5d %5d %c %5llu %s\n", user_name(t.cred.uid).c_str(), t.pid, ppid_of(t), t.pgid(),
            t.sid(), task_state_letter(t.state), static_cast<unsigned long long>(t.start_step),
            command_line(t).c_str());
    }
}

void show_maps(std::ostream& out, Kernel const& k, Task const& t)
{
    if (!t.mm)
        return;
    for (Vma const& v : t.mm->vmas())
        out << maps_line(v, k) << "\n";
}

void show_maps(std::ostream& out, Kernel const& k)
{
    bool first = true;
    for (Task const& t : k.tasks()) {
        // A zombie has no memory left, and the kernel-driven init never had any to show.
        if (!t.is_thread_group_leader() || t.is_zombie() || !t.mm || t.mm->vmas().empty())
            continue;
        out << (first ? "" : "\n") << "==> /proc/" << t.pid << "/maps <==\n";
        first = false;
        show_maps(out, k, t);
    }
}

void show_fds(std::ostream& out, Kernel const& k)
{
    out << cformat("%-9s %5s %-5s %5s %5s %9s %8s %7s %4s %s\n", "COMMAND", "PID", "USER", "FD", "TYPE", "FILE-FLAG",
        "OFFSET", "NODE", "OFD", "NAME");
    for (Task const& t : k.tasks()) {
        if (!t.is_thread_group_leader() || t.is_zombie() || !t.files)
            continue;
        lsof_process_lines(out, k, t);
        lsof_fd_lines(out, t);
    }
}

bool show(std::ostream& out, Kernel const& k, std::string_view what)
{
    if (what == "ps")
        show_ps(out, k);
    else if (what == "maps")
        show_maps(out, k);
    else if (what == "fds")
        show_fds(out, k);
    else
        return false;
    return true;
}

}  // namespace forklab::cli
