#include "model/memory_rows.h"

#include <algorithm>
#include <map>

namespace forklab::gui {

namespace {

std::string perms_of(Vma const& vma)
{
    std::string p = "---p";
    if (vma.prot & PROT_READ)
        p[0] = 'r';
    if (vma.prot & PROT_WRITE)
        p[1] = 'w';
    if (vma.prot & PROT_EXEC)
        p[2] = 'x';
    if (vma.shared())
        p[3] = 's';
    return p;
}

std::string name_of(Vma const& vma)
{
    if (vma.kind == VmaKind::Mmap && vma.object)
        return vma.object->name();
    return vma_kind_name(vma.kind);
}

PageCell make_cell(Kernel const& kernel, Vma const& vma, std::uint64_t va, Pte pte, bool table_shared)
{
    PageCell c;
    c.va = va;
    c.frame = pte_frame(pte);
    c.refs = kernel.physical_memory().refcount(c.frame);
    c.writable = pte_write(pte);
    c.zero = c.frame == kZeroFrame;
    c.file = vma.object && vma.object->cached_frame(vma.object_index(va)) == c.frame;
    // A private page in a writable mapping that the entry write-protects is copy-on-write: the
    // same test x86 Linux makes in do_wp_page() (there is no separate COW bit).
    c.cow = !c.writable && !c.zero && vma.writable() && !vma.shared();
    c.shared = c.zero || vma.shared() || c.refs > 1 || table_shared;
    c.table_shared = table_shared;
    return c;
}

// The present pages of `vma`, found by walking only the page-table pages that cover it.
std::vector<PageCell> present_pages(Kernel const& kernel, MmStruct const& mm, Vma const& vma)
{
    std::vector<PageCell> cells;
    auto const& leaves = mm.page_table().leaves();
    std::uint64_t const first = PageTable::region_of(vma.start), last = PageTable::region_of(vma.end - 1);
    auto it = std::lower_bound(leaves.begin(), leaves.end(), first,
        [](PageTable::Leaf const& l, std::uint64_t r) { return l.region < r; });
    for (; it != leaves.end() && it->region <= last; ++it) {
        bool const table_shared = it->table->use_count() > 1;
        std::uint64_t const base = it->region << kTableShift;
        for (unsigned i = 0; i < kPtesPerTable; ++i) {
            std::uint64_t const va = base + (std::uint64_t(i) << kPageShift);
            Pte const pte = it->table->pte[i];
            if (va >= vma.start && va < vma.end && pte_present(pte))
                cells.push_back(make_cell(kernel, vma, va, pte, table_shared));
        }
    }
    return cells;
}

// Linux: a write fault's copy shows as PageFault(CowCopy) with the old frame in `other` and
// the new one in `extra`, the address in the low 48 bits of `value`, the old frame's reference
// count before the fault in the high 16.
void mark_copies(Kernel const& kernel, std::vector<VmaRow>& rows, pid_t pid, std::span<Event const> events)
{
    for (Event const& e : events) {
        if (e.kind != EventKind::PageFault || e.pid != pid)
            continue;
        if (FaultResult::Kind(e.aux & 0x1f) != FaultResult::Kind::CowCopy)
            continue;
        std::uint64_t const va = page_floor(std::uint64_t(e.value) & ((std::uint64_t(1) << 48) - 1));
        for (VmaRow& row : rows)
            for (PageCell& c : row.present)
                if (c.va == va) {
                    c.copied_from = FrameNr(e.other);
                    c.copied_from_refs = std::uint32_t(std::uint64_t(e.value) >> 48);
                    c.copied_from_refs_now = kernel.physical_memory().refcount(FrameNr(e.other));
                }
    }
}

}  // namespace

MemoryView memory_view(Kernel const& kernel, pid_t pid, std::span<Event const> last_step_events)
{
    MemoryView view;
    view.pid = pid;
    Task const* task = kernel.find_task(pid);
    if (!task || !task->mm)
        return view;
    MmStruct const& mm = *task->mm;
    view.has_mm = true;
    view.mm_shared = mm.use_count() > 1;
    view.rss = mm.rss();
    view.counters = task->mm_counters;
    for (Vma const& vma : mm.vmas()) {
        VmaRow row{vma.start, vma.end, vma.kind, name_of(vma), perms_of(vma), vma.pages(), {}};
        row.present = present_pages(kernel, mm, vma);
        view.vmas.push_back(std::move(row));
    }
    mark_copies(kernel, view.vmas, pid, last_step_events);
    return view;
}

float copy_animation_phase(float seconds, std::optional<float> fixed)
{
    float const phase = fixed ? *fixed : seconds / kCopyAnimationSeconds;
    return std::clamp(phase, 0.0f, 1.0f);
}

std::vector<FrameNr> frames_in_common(std::span<MemoryView const> views)
{
    std::map<FrameNr, int> seen_in;
    for (MemoryView const& v : views) {
        std::vector<FrameNr> mine;
        for (VmaRow const& row : v.vmas)
            for (PageCell const& c : row.present)
                if (!c.zero)
                    mine.push_back(c.frame);
        std::sort(mine.begin(), mine.end());
        mine.erase(std::unique(mine.begin(), mine.end()), mine.end());
        for (FrameNr f : mine)
            ++seen_in[f];
    }
    std::vector<FrameNr> common;
    for (auto [frame, count] : seen_in)
        if (count > 1)
            common.push_back(frame);
    return common;
}

}  // namespace forklab::gui
