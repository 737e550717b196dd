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

ErrorOr<FrameNr> AnonymousSharedObject::get_page(std::uint64_t index, PhysicalMemory& phys)
{
    FrameNr const frame = TRY(m_cache.find_or_alloc(index));
    phys.get(frame);  // The mapping's own reference.
    return frame;
}

}  // namespace forklab
