// getdents64(2): reading a directory. Linux: fs/readdir.c (filldir64) over tmpfs's
// dcache_readdir(), which lists "." and ".." first and then the entries.
//
// The description's offset counts entries: 0 is ".", 1 is "..", 2 + i the i-th name in the
// directory (here in name order). Each record's d_off is the offset of the one after it, so
// lseek(fd, d_off, SEEK_SET) resumes there, and lseek(fd, 0, SEEK_SET) rewinds (rewinddir).
#include "kernel/kernel.h"

#include <cstring>
#include <dirent.h>

namespace forklab {

namespace {

// struct linux_dirent64: d_ino (8), d_off (8), d_reclen (2), d_type (1), then the name and its
// NUL, the whole padded to 8 bytes.
constexpr std::size_t kNameOffset = 19;

std::size_t record_length(std::string_view name)
{
    return (kNameOffset + name.size() + 1 + 7) & ~std::size_t(7);
}

std::uint8_t dirent_type(InodeKind kind)
{
    switch (kind) {
    case InodeKind::Regular: return DT_REG;
    case InodeKind::Directory: return DT_DIR;
    case InodeKind::Pipe: return DT_FIFO;
    case InodeKind::Terminal:
    case InodeKind::Null: return DT_CHR;
    }
    return DT_UNKNOWN;
}

void put_record(std::vector<std::uint8_t>& out, ino_t ino, std::uint64_t next, InodeKind kind, std::string_view name)
{
    std::size_t const at = out.size();
    std::size_t const len = record_length(name);
    out.resize(at + len, 0);
    std::uint64_t const d_ino = ino;
    std::int64_t const d_off = std::int64_t(next);
    std::uint16_t const d_reclen = std::uint16_t(len);
    std::uint8_t const d_type = dirent_type(kind);
    std::memcpy(&out[at], &d_ino, 8);
    std::memcpy(&out[at + 8], &d_off, 8);
    std::memcpy(&out[at + 16], &d_reclen, 2);
    out[at + 18] = d_type;
    std::memcpy(&out[at + kNameOffset], name.data(), name.size());
}

}  // namespace

ErrorOr<std::int64_t> Kernel::getdents64(pid_t caller, int fd, std::uint64_t buf, std::uint64_t count)
{
    Task* me = TRY(current(caller));
    OpenFileDescription* file = TRY(fget(*me, fd));
    Inode const& dir = *file->inode;
    if (!dir.is_dir())
        return error(ENOTDIR);
    // Linux: a directory is listed only while it is linked; rmdir'd, it reads as empty. The
    // offset goes over the entries in order; a name unlinked meanwhile shifts the later ones.
    std::vector<std::uint8_t> out;
    std::uint64_t pos = file->offset;
    auto fits = [&](std::string_view name) { return out.size() + record_length(name) <= count; };
    auto emit_one = [&](ino_t ino, InodeKind kind, std::string_view name) {
        if (!fits(name))
            return false;
        put_record(out, ino, pos + 1, kind, name);
        ++pos;
        return true;
    };
    bool room = true;
    if (pos == 0)
        room = emit_one(dir.ino, InodeKind::Directory, ".");
    if (room && pos == 1) {
        Inode const* parent = dir.parent ? dir.parent : &dir;
        room = emit_one(parent->ino, InodeKind::Directory, "..");
    }
    if (room && pos >= 2 && pos - 2 < dir.entries.size()) {
        auto it = std::next(dir.entries.begin(), std::ptrdiff_t(pos - 2));
        for (; it != dir.entries.end(); ++it)
            if (!emit_one(it->second->ino, it->second->kind, it->first))
                break;
    }
    if (out.empty() && pos < 2 + dir.entries.size())
        return error(EINVAL);  // Linux: "Result buffer is too small".
    if (copy_to_user(*me, buf, out) != out.size())
        return error(EFAULT);
    file->offset = pos;
    return std::int64_t(out.size());
}

}  // namespace forklab
