#include "mm/vma.h"

#include "mm/physical_memory.h"

namespace forklab {

char const* vma_kind_name(VmaKind kind)
{
    switch (kind) {
    case VmaKind::Text: return "text";
    case VmaKind::Rodata: return "rodata";
    case VmaKind::Data: return "data";
    case VmaKind::Bss: return "bss";
    case VmaKind::Heap: return "[heap]";
    case VmaKind::Stack: return "[stack]";
    case VmaKind::Mmap: return "mmap";
    }
    return "?";
}

AnonymousSharedObject::~AnonymousSharedObject()
{
    for (FrameNr frame : m_pages)
        if (frame)
            m_phys.put(frame);
}

std::vector<FrameNr> AnonymousSharedObject::frames() const
{
    std::vector<FrameNr> held;
    for (FrameNr f : m_pages)
        if (f)
            held.push_back(f);
    return held;
}

ErrorOr<FrameNr> AnonymousSharedObject::get_page(std::uint64_t index, PhysicalMemory& phys)
{
    if (index >= m_pages.size())
        m_pages.resize(index + 1, 0);
    if (!m_pages[index])
        m_pages[index] = TRY(phys.alloc());
    phys.get(m_pages[index]);
    return m_pages[index];
}

}  // namespace forklab
