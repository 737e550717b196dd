#include "fs/inode.h"

#include "fs/vfs.h"
#include "mm/physical_memory.h"

#include <algorithm>

namespace forklab {

std::string_view inode_kind_name(InodeKind kind)
{
    switch (kind) {
    case InodeKind::Regular: return "regular file";
    case InodeKind::Directory: return "directory";
    case InodeKind::Pipe: return "pipe";
    case InodeKind::Terminal: return "terminal";
    case InodeKind::Null: return "null device";
    }
    return "?";
}

Inode::Inode(Vfs& vfs, InodeKind k, mode_t m, uid_t owner, gid_t group, std::string name)
    : kind(k), ino(vfs.m_next_ino++), mode(m & 07777), uid(owner), gid(group), display_name(std::move(name)),
      m_vfs(vfs), m_pages(vfs.phys())
{
    ++m_vfs.m_nr_inodes;
    if (kind == InodeKind::Pipe)
        pipe = std::make_unique<Pipe>();
    if (kind == InodeKind::Terminal)
        tty = std::make_unique<Terminal>();
}

Inode::~Inode()
{
    --m_vfs.m_nr_inodes;
}

std::size_t Inode::read_at(std::uint64_t offset, std::span<std::uint8_t> out) const
{
    if (offset >= size)
        return 0;
    std::size_t const n = std::min<std::uint64_t>(out.size(), size - offset);
    for (std::size_t done = 0; done < n;) {
        std::uint64_t const pos = offset + done;
        std::uint64_t const index = pos >> kPageShift;
        std::size_t const in_page = pos & kPageMask;
        std::size_t const chunk = std::min<std::size_t>(n - done, kPageSize - in_page);
        auto part = out.subspan(done, chunk);
        if (auto frame = m_pages.find(index))
            m_vfs.phys().read(*frame, in_page, part);
        else
            std::fill(part.begin(), part.end(), 0);  // A hole.
        done += chunk;
    }
    return n;
}

ErrorOr<std::size_t> Inode::write_at(std::uint64_t offset, std::span<std::uint8_t const> bytes)
{
    std::size_t done = 0;
    while (done < bytes.size()) {
        std::uint64_t const pos = offset + done;
        std::size_t const in_page = pos & kPageMask;
        std::size_t const chunk = std::min<std::size_t>(bytes.size() - done, kPageSize - in_page);
        auto frame = m_pages.find_or_alloc(pos >> kPageShift);
        if (!frame) {
            if (done)
                break;  // A short write: what fitted is written.
            return error(ENOSPC);
        }
        m_vfs.phys().write(*frame, in_page, bytes.subspan(done, chunk));
        done += chunk;
    }
    size = std::max<std::uint64_t>(size, offset + done);
    return done;
}

// Pages wholly past the new end leave the page cache; the part of the last page past the end is
// zeroed, so that growing the file again reads zeros there. (A process that still maps a
// dropped page keeps its frame; Linux would unmap it and SIGBUS a later access.)
void Inode::truncate(std::uint64_t new_size)
{
    std::uint64_t const keep = page_ceil(new_size) >> kPageShift;
    m_pages.truncate(keep);
    std::size_t const tail = new_size & kPageMask;
    if (auto last = tail && keep ? m_pages.find(keep - 1) : std::nullopt) {
        std::vector<std::uint8_t> const zeros(kPageSize - tail, 0);
        m_vfs.phys().write(*last, tail, zeros);
    }
    size = new_size;
}

ErrorOr<FrameNr> Inode::get_page(std::uint64_t index, PhysicalMemory& phys)
{
    if (kind != InodeKind::Regular)
        return error(ENODEV);
    FrameNr const frame = TRY(m_pages.find_or_alloc(index));
    phys.get(frame);  // The mapping's own reference.
    return frame;
}

std::string Inode::name() const
{
    return display_name;
}

}  // namespace forklab
