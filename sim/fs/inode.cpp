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
      m_vfs(vfs)
{
    ++m_vfs.m_nr_inodes;
    if (kind == InodeKind::Pipe)
        pipe = std::make_unique<Pipe>();
    if (kind == InodeKind::Terminal)
        tty = std::make_unique<Terminal>();
}

Inode::~Inode()
{
    for (FrameNr f : m_pages)
        if (f)
            m_vfs.phys().put(f);
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
        if (index < m_pages.size() && m_pages[index])
            m_vfs.phys().read(m_pages[index], in_page, part);
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
        auto frame = get_page(pos >> kPageShift, m_vfs.phys());
        if (!frame) {
            if (done)
                break;  // A short write: what fitted is written.
            return error(ENOSPC);
        }
        m_vfs.phys().put(*frame);  // get_page took a reference for a mapping; a write keeps none.
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
    for (std::uint64_t i = keep; i < m_pages.size(); ++i)
        if (m_pages[i])
            m_vfs.phys().put(m_pages[i]);
    if (m_pages.size() > keep)
        m_pages.resize(keep);
    std::size_t const tail = new_size & kPageMask;
    if (tail && keep && m_pages[keep - 1]) {
        std::vector<std::uint8_t> const zeros(kPageSize - tail, 0);
        m_vfs.phys().write(m_pages[keep - 1], tail, zeros);
    }
    size = new_size;
}

ErrorOr<FrameNr> Inode::get_page(std::uint64_t index, PhysicalMemory& phys)
{
    if (kind != InodeKind::Regular)
        return error(ENODEV);
    if (index >= m_pages.size())
        m_pages.resize(index + 1, 0);
    if (!m_pages[index])
        m_pages[index] = TRY(phys.alloc());
    phys.get(m_pages[index]);
    return m_pages[index];
}

std::string Inode::name() const
{
    return display_name;
}

std::vector<FrameNr> Inode::frames() const
{
    std::vector<FrameNr> held;
    for (FrameNr f : m_pages)
        if (f)
            held.push_back(f);
    return held;
}

std::optional<FrameNr> Inode::cached_frame(std::uint64_t index) const
{
    if (index < m_pages.size() && m_pages[index])
        return m_pages[index];
    return std::nullopt;
}

}  // namespace forklab
