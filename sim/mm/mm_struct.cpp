#include "mm/mm_struct.h"

#include <algorithm>
#include <csignal>

namespace forklab {

char const* fork_strategy_name(ForkStrategy s)
{
    switch (s) {
    case ForkStrategy::Cow: return "cow";
    case ForkStrategy::Copy: return "copy";
    case ForkStrategy::Odf: return "odf";
    case ForkStrategy::Vfork: return "vfork";
    }
    return "?";
}

MmCounters& MmCounters::operator+=(MmCounters const& o)
{
    ptes_copied += o.ptes_copied;
    pt_pages_copied += o.pt_pages_copied;
    pt_pages_shared += o.pt_pages_shared;
    frames_copied += o.frames_copied;
    cow_copies += o.cow_copies;
    cow_reuses += o.cow_reuses;
    zero_maps += o.zero_maps;
    minor_faults += o.minor_faults;
    return *this;
}

namespace {

// The executable's pages (Linux: its inode's page cache). Text and read-only data are mapped
// from here by every process running the program, so they are shared and never copied.
class ProgramImageObject final : public VmObject {
public:
    ProgramImageObject(std::vector<std::uint8_t> bytes, PhysicalMemory& phys)
        : m_bytes(std::move(bytes)), m_cache(phys) {}
    ErrorOr<FrameNr> get_page(std::uint64_t index, PhysicalMemory& phys) override
    {
        bool fresh = false;
        FrameNr const f = TRY(m_cache.find_or_alloc(index, &fresh));
        std::uint64_t const from = index * kPageSize;
        if (fresh && from < m_bytes.size()) {  // Read in from the "file" on first use.
            std::size_t const n = std::min<std::size_t>(kPageSize, m_bytes.size() - from);
            phys.write(f, 0, std::span(m_bytes).subspan(from, n));
        }
        phys.get(f);
        return f;
    }
    std::string name() const override { return "a.out"; }
    std::optional<FrameNr> cached_frame(std::uint64_t index) const override { return m_cache.find(index); }
    std::vector<FrameNr> frames() const override { return m_cache.frames(); }
    bool is_file() const override { return true; }

private:
    std::vector<std::uint8_t> m_bytes;
    PageCache m_cache;
};

bool access_allowed(int prot, Access access)
{
    // x86-64: a writable or executable page is also readable.
    switch (access) {
    case Access::Read: return prot & (PROT_READ | PROT_WRITE | PROT_EXEC);
    case Access::Write: return prot & PROT_WRITE;
    case Access::Exec: return prot & PROT_EXEC;
    }
    return false;
}

}  // namespace

MmStruct::~MmStruct()
{
    flush_tlb();
    m_pt.clear(*m_phys);
}

namespace {

// Where each section starts in the image's pages: each on a page of its own, and an empty
// section still gets a page of zeros, so that it never reads as the section after it.
struct ImageLayout {
    std::uint64_t text_at = 0, rodata_at = 0, data_at = 0, end = 0;
    explicit ImageLayout(ProgramImage const& image)
    {
        auto span = [](std::size_t n) { return page_ceil(std::max<std::size_t>(n, 1)); };
        rodata_at = text_at + span(image.text.size());
        data_at = rodata_at + span(image.rodata.size());
        end = data_at + span(image.data.size());
    }
};

}  // namespace

RefPtr<VmObject> MmStruct::image_pages(ProgramImage const& image, PhysicalMemory& phys)
{
    ImageLayout const at(image);
    std::vector<std::uint8_t> bytes(at.end, 0);
    std::copy(image.text.begin(), image.text.end(), bytes.begin() + std::ptrdiff_t(at.text_at));
    std::copy(image.rodata.begin(), image.rodata.end(), bytes.begin() + std::ptrdiff_t(at.rodata_at));
    std::copy(image.data.begin(), image.data.end(), bytes.begin() + std::ptrdiff_t(at.data_at));
    return make_ref<ProgramImageObject>(std::move(bytes), phys);
}

ErrorOr<RefPtr<MmStruct>> MmStruct::from_image(ProgramImage const& image, PhysicalMemory& phys, RefPtr<VmObject> file)
{
    auto mm = make_ref<MmStruct>(phys);
    ImageLayout const layout(image);
    if (!file)
        file = image_pages(image, phys);
    std::uint64_t const text_at = layout.text_at, rodata_at = layout.rodata_at, data_at = layout.data_at;
    std::uint64_t addr = kTextBase;
    auto map = [&](std::uint64_t size, int prot, VmaKind kind, RefPtr<VmObject> obj, std::uint64_t at) -> ErrorOr<void> {
        std::uint64_t const len = page_ceil(size ? size : 1);
        TRY(mm->mmap(addr, len, prot, MAP_PRIVATE | MAP_FIXED, obj, at, kind));
        addr += len;
        return {};
    };
    TRY(map(image.text.size(), PROT_READ | PROT_EXEC, VmaKind::Text, file, text_at));
    TRY(map(image.rodata.size(), PROT_READ, VmaKind::Rodata, file, rodata_at));
    TRY(map(image.data.size(), PROT_READ | PROT_WRITE, VmaKind::Data, file, data_at));
    if (image.bss_size)
        TRY(map(image.bss_size, PROT_READ | PROT_WRITE, VmaKind::Bss, nullptr, 0));
    mm->m_start_brk = mm->m_brk = addr;
    // Linux: setup_arg_pages() starts the stack at 128 KiB, or at RLIMIT_STACK if that is less.
    mm->m_stack_max = std::max(page_ceil(image.stack_size), kPageSize);
    std::uint64_t const initial = std::min(kInitialStack, mm->m_stack_max);
    TRY(mm->mmap(kStackTop - initial, initial, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED, nullptr, 0,
        VmaKind::Stack));
    mm->find_vma_mut(kStackTop - 1)->flags |= kVmGrowsDown;
    return mm;
}

Vma const* MmStruct::find_vma(std::uint64_t va) const
{
    auto it = std::upper_bound(m_vmas.begin(), m_vmas.end(), va,
        [](std::uint64_t a, Vma const& v) { return a < v.start; });
    if (it == m_vmas.begin())
        return nullptr;
    --it;
    return it->contains(va) ? &*it : nullptr;
}

Vma* MmStruct::find_vma_mut(std::uint64_t va)
{
    return const_cast<Vma*>(find_vma(va));
}

// ---- Faults ---------------------------------------------------------------------------------

FaultResult MmStruct::handle_fault(std::uint64_t va, Access access, MmCounters& c)
{
    flush_tlb();
    FaultResult r;
    r.va = va;
    Vma const* vma = find_vma(va);
    if (!vma)
        vma = expand_stack(va);
    if (!vma) {
        r.kind = FaultResult::Kind::Segv;
        r.si_code = SEGV_MAPERR;
        return r;
    }
    if (!access_allowed(vma->prot, access)) {
        r.kind = FaultResult::Kind::Segv;
        r.si_code = SEGV_ACCERR;
        return r;
    }
    bool copied = false;
    PteTable& leaf = m_pt.writable_leaf(va, *m_phys, &copied);
    if (copied)
        ++c.pt_pages_copied;
    unsigned const idx = PageTable::index_of(va);
    r = pte_present(leaf.pte[idx]) ? fault_write_protected(*vma, leaf, idx, va, c)
                                   : fault_missing(*vma, leaf, idx, va, access, c);
    r.table_copied = copied;
    if (r.kind != FaultResult::Kind::Oom)
        ++c.minor_faults;
    return r;
}

// Linux: expand_stack(). A fault just below a VM_GROWSDOWN area grows it, up to RLIMIT_STACK
// and never closer than the guard gap to the mapping below.
Vma const* MmStruct::expand_stack(std::uint64_t va)
{
    auto above = std::upper_bound(m_vmas.begin(), m_vmas.end(), va,
        [](std::uint64_t a, Vma const& v) { return a < v.start; });
    if (above == m_vmas.end() || !(above->flags & kVmGrowsDown))
        return nullptr;
    std::uint64_t const start = page_floor(va);
    if (above->end - start > m_stack_max)
        return nullptr;
    if (above != m_vmas.begin() && std::prev(above)->end + kStackGuardGap > start)
        return nullptr;
    above->start = start;
    return &*above;
}

// Linux: do_anonymous_page(), do_read_fault(), do_cow_fault(), do_shared_fault().
FaultResult MmStruct::fault_missing(Vma const& vma, PteTable& leaf, unsigned idx, std::uint64_t va,
    Access access, MmCounters& c)
{
    FaultResult r;
    r.va = va;
    if (vma.object) {
        auto frame = vma.object->get_page(vma.object_index(va), *m_phys);
        if (!frame) {
            r.kind = FaultResult::Kind::Oom;
            return r;
        }
        bool const writable = vma.shared() && vma.writable();
        leaf.pte[idx] = make_pte(*frame, writable ? kPteWrite : 0);
        ++leaf.present;
        r.kind = FaultResult::Kind::ObjectMap;
        r.new_frame = *frame;
        // A write to a private file page copies it at once (do_cow_fault).
        if (access == Access::Write && !vma.shared()) {
            return fault_write_protected(vma, leaf, idx, va, c);
        }
        return r;
    }
    if (access != Access::Write) {
        leaf.pte[idx] = make_pte(kZeroFrame, 0);
        ++leaf.present;
        ++c.zero_maps;
        r.kind = FaultResult::Kind::ZeroMap;
        return r;
    }
    auto frame = m_phys->alloc();
    if (!frame) {
        r.kind = FaultResult::Kind::Oom;
        return r;
    }
    leaf.pte[idx] = make_pte(*frame, kPteWrite | kPteDirty);
    ++leaf.present;
    r.kind = FaultResult::Kind::Alloc;
    r.new_frame = *frame;
    return r;
}

// Linux: do_wp_page(). A write to a present, write-protected page. Shared mappings just become
// writable. A private page is copied -- unless this mapping holds the only reference to it, in
// which case nobody else can see the write and the frame is reused as it is.
FaultResult MmStruct::fault_write_protected(Vma const& vma, PteTable& leaf, unsigned idx, std::uint64_t va,
    MmCounters& c)
{
    FaultResult r;
    r.va = va;
    Pte& pte = leaf.pte[idx];
    FrameNr const old = pte_frame(pte);
    r.old_frame = old;
    r.old_refs = m_phys->refcount(old);
    // Still the file's own page (not a private copy of it): a private mapping never writes it.
    r.file_page = vma.object && !vma.shared() && vma.object->cached_frame(vma.object_index(va)) == old;
    if (vma.shared()) {
        pte |= kPteWrite | kPteDirty;
        r.kind = FaultResult::Kind::MadeWritable;
        r.new_frame = old;
        return r;
    }
    if (old != kZeroFrame && r.old_refs == 1) {
        pte |= kPteWrite | kPteDirty;
        ++c.cow_reuses;
        r.kind = FaultResult::Kind::CowReuse;
        r.new_frame = old;
        return r;
    }
    auto frame = m_phys->alloc();
    if (!frame) {
        r.kind = FaultResult::Kind::Oom;
        return r;
    }
    if (old == kZeroFrame) {
        r.kind = FaultResult::Kind::Alloc;  // The zero page is never copied: a fresh zeroed frame.
    } else {
        m_phys->copy(*frame, old);
        m_phys->put(old);
        ++c.cow_copies;
        r.kind = FaultResult::Kind::CowCopy;
    }
    pte = make_pte(*frame, kPteWrite | kPteDirty);
    r.new_frame = *frame;
    return r;
}

// ---- Access ---------------------------------------------------------------------------------

// Whether the page table already allows the access at va: no fault is needed.
bool MmStruct::maps_directly(Vma const* vma, std::uint64_t va, Access kind) const
{
    return vma && access_allowed(vma->prot, kind) &&
        (kind == Access::Write ? m_pt.writable(va) : pte_present(m_pt.lookup(va)));
}

// Walk [va, va + len) page by page. Where the page table does not already allow the access,
// fault first; stop at a fault that cannot be resolved. `copy(frame, offset, done, n)` moves
// the bytes of one page.
template<typename Copy>
std::optional<FaultResult> MmStruct::access(std::uint64_t va, std::size_t len, Access kind, MmCounters& c,
    std::vector<FaultResult>* faults, Copy const& copy)
{
    std::size_t done = 0;
    while (done < len) {
        std::uint64_t const a = va + done;
        std::size_t const off = a & kPageMask;
        std::size_t const n = std::min<std::size_t>(kPageSize - off, len - done);
        if (!maps_directly(find_vma(a), a, kind)) {
            FaultResult const f = handle_fault(a, kind, c);
            if (faults)
                faults->push_back(f);
            if (f.kind == FaultResult::Kind::Segv || f.kind == FaultResult::Kind::Oom)
                return f;
        }
        copy(pte_frame(m_pt.lookup(a)), off, done, n);
        done += n;
    }
    return std::nullopt;
}

std::optional<MmStruct::DirectPage> MmStruct::direct_page(std::uint64_t va) const
{
    Vma const* vma = find_vma(va);
    if (!maps_directly(vma, va, Access::Read))
        return std::nullopt;
    return DirectPage{pte_frame(m_pt.lookup(va)), maps_directly(vma, va, Access::Write)};
}

std::optional<FaultResult> MmStruct::read(std::uint64_t va, std::span<std::uint8_t> out, MmCounters& c,
    std::vector<FaultResult>* faults)
{
    return access(va, out.size(), Access::Read, c, faults,
        [&](FrameNr frame, std::size_t off, std::size_t done, std::size_t n) { m_phys->read(frame, off, out.subspan(done, n)); });
}

std::optional<FaultResult> MmStruct::write(std::uint64_t va, std::span<std::uint8_t const> bytes, MmCounters& c,
    std::vector<FaultResult>* faults)
{
    return access(va, bytes.size(), Access::Write, c, faults,
        [&](FrameNr frame, std::size_t off, std::size_t done, std::size_t n) { m_phys->write(frame, off, bytes.subspan(done, n)); });
}

// ---- fork -----------------------------------------------------------------------------------

// Linux: dup_mmap(). DONTFORK areas are left out of the child; WIPEONFORK areas arrive empty
// (and stay WIPEONFORK); VM_LOCKED is cleared, since memory locks are not inherited; then
// the page table is copied leaf by leaf under the chosen strategy.
ErrorOr<RefPtr<MmStruct>> MmStruct::dup(ForkStrategy strategy, MmCounters& c)
{
    flush_tlb();
    auto child = make_ref<MmStruct>(*m_phys);
    child->m_start_brk = m_start_brk;
    child->m_brk = m_brk;
    child->m_stack_max = m_stack_max;
    std::vector<bool> skip;  // By VMA: no page-table entries to copy.
    for (Vma const& v : m_vmas) {
        skip.push_back(!vma_needs_copy(v));
        if (v.flags & kVmDontFork)
            continue;
        Vma copy = v;
        copy.flags &= ~kVmLocked;
        child->m_vmas.push_back(copy);
    }
    for (PageTable::Leaf const& leaf : m_pt.leaves()) {
        if (leaf.table->present == 0)
            continue;
        if (strategy == ForkStrategy::Odf && can_share_leaf(leaf)) {
            // Both sides now use this very table, read-only as a whole; the first change under
            // it by either side copies it and write-protects its entries then
            // (PageTable::writable_leaf). Fork itself touches no entry.
            child->m_pt.leaves().push_back(leaf);
            ++c.pt_pages_shared;
            continue;
        }
        TRY(copy_leaf_range(*child, leaf, strategy, skip, c));
    }
    child->m_pt.drop_empty_leaves();
    return child;
}

// Linux: vma_needs_copy(). Fork copies an area's page-table entries only when the area holds
// anonymous pages (it has an anon_vma): a shared mapping, or a private file mapping that nobody
// has written, is left for the child to fault in from the page cache -- "fork becomes much
// lighter when there are big shared or private readonly mappings" (mm/memory.c). A private area
// whose only pages are the zero page has no anon_vma either.
bool MmStruct::vma_needs_copy(Vma const& v) const
{
    if (v.shared())
        return false;
    for (PageTable::Leaf const& leaf : m_pt.leaves()) {
        std::uint64_t const lo = leaf.region << kTableShift;
        if (lo >= v.end || lo + kTableSpan <= v.start || leaf.table->present == 0)
            continue;
        unsigned const from = PageTable::index_of(std::max(v.start, lo));
        unsigned const to = v.end >= lo + kTableSpan ? kPtesPerTable : PageTable::index_of(v.end);
        for (unsigned i = from; i < to; ++i) {
            Pte const pte = leaf.table->pte[i];
            if (!pte_present(pte) || pte_frame(pte) == kZeroFrame)
                continue;
            std::uint64_t const va = lo + (std::uint64_t(i) << kPageShift);
            if (!v.object || v.object->cached_frame(v.object_index(va)) != pte_frame(pte))
                return true;  // An anonymous page, or a private copy of a file's page.
        }
    }
    return false;
}

// On-demand-fork shares a page-table page only when everything under it is private memory
// that the child inherits as it is.
bool MmStruct::can_share_leaf(PageTable::Leaf const& leaf) const
{
    std::uint64_t const lo = leaf.region << kTableShift;
    std::uint64_t const hi = lo + kTableSpan;
    for (Vma const& v : m_vmas)
        if (v.start < hi && v.end > lo && (v.shared() || (v.flags & (kVmDontFork | kVmWipeOnFork))))
            return false;
    return true;
}

// Linux: copy_page_range() for one page-table page, over each VMA under it.
ErrorOr<void> MmStruct::copy_leaf_range(MmStruct& child, PageTable::Leaf const& leaf, ForkStrategy strategy,
    std::vector<bool> const& skip, MmCounters& c)
{
    std::uint64_t const lo = leaf.region << kTableShift;
    std::uint64_t const hi = lo + kTableSpan;
    PteTable& src = *leaf.table;
    // The child's table joins its page table first, so that on ENOMEM its destructor puts
    // whatever was taken so far.
    child.m_pt.leaves().push_back(PageTable::Leaf{leaf.region, make_ref<PteTable>()});
    PteTable& dst = *child.m_pt.leaves().back().table;
    ++c.pt_pages_copied;
    auto first = std::lower_bound(m_vmas.begin(), m_vmas.end(), lo, [](Vma const& v, std::uint64_t a) { return v.end <= a; });
    for (auto v = first; v != m_vmas.end() && v->start < hi; ++v) {
        if ((v->flags & (kVmDontFork | kVmWipeOnFork)) || skip[std::size_t(v - m_vmas.begin())])
            continue;
        unsigned const from = PageTable::index_of(std::max(v->start, lo));
        unsigned const to = v->end >= hi ? kPtesPerTable : PageTable::index_of(v->end);
        for (unsigned i = from; i < to; ++i) {
            Pte const pte = src.pte[i];
            if (!pte_present(pte))
                continue;
            FrameNr const f = pte_frame(pte);
            if (!v->shared() && strategy == ForkStrategy::Copy && f != kZeroFrame) {
                FrameNr const copy = TRY(m_phys->alloc());
                m_phys->copy(copy, f);
                dst.pte[i] = make_pte(copy, pte & (kPteWrite | kPteDirty));
                ++c.frames_copied;
            } else {
                if (!v->shared())
                    src.pte[i] = pte & ~kPteWrite;  // Copy-on-write: read-only in both.
                dst.pte[i] = src.pte[i];
                m_phys->get(f);
            }
            ++dst.present;
            ++c.ptes_copied;
        }
    }
    return {};
}

// ---- Mappings -------------------------------------------------------------------------------

void MmStruct::insert_vma(Vma vma)
{
    auto it = std::lower_bound(m_vmas.begin(), m_vmas.end(), vma.start,
        [](Vma const& v, std::uint64_t a) { return v.start < a; });
    m_vmas.insert(it, std::move(vma));
}

// Make a VMA boundary at addr (Linux: split_vma()).
void MmStruct::split_at(std::uint64_t addr)
{
    Vma* v = find_vma_mut(addr);
    if (!v || v->start == addr)
        return;
    Vma upper = *v;
    upper.start = addr;
    upper.pgoff = v->pgoff + ((addr - v->start) >> kPageShift);
    v->end = addr;
    insert_vma(std::move(upper));
}

bool MmStruct::range_mapped(std::uint64_t start, std::uint64_t end) const
{
    std::uint64_t at = start;
    while (at < end) {
        Vma const* v = find_vma(at);
        if (!v)
            return false;
        at = v->end;
    }
    return true;
}

// Top-down search for a gap below the mmap base, as Linux's default layout does.
std::uint64_t MmStruct::unmapped_area(std::uint64_t len) const
{
    std::uint64_t end = kMmapBase;
    for (auto it = m_vmas.rbegin(); it != m_vmas.rend(); ++it) {
        if (it->start >= end)
            continue;
        if (it->end < end && end - it->end >= len)
            return end - len;
        end = it->start;
    }
    return end >= len + 0x10000 ? end - len : 0;  // Leave mmap_min_addr (64 KiB) unmapped.
}

// Remove the pages of [start, end) from the page table, releasing their frames.
void MmStruct::zap_range(std::uint64_t start, std::uint64_t end)
{
    for (std::uint64_t va = start; va < end;) {
        std::uint64_t const leaf_end = (PageTable::region_of(va) + 1) << kTableShift;
        std::uint64_t const stop = std::min(end, leaf_end);
        if (m_pt.leaf(va)) {
            PteTable& leaf = m_pt.writable_leaf(va, *m_phys);
            for (std::uint64_t a = va; a < stop; a += kPageSize) {
                Pte& pte = leaf.pte[PageTable::index_of(a)];
                if (!pte_present(pte))
                    continue;
                m_phys->put(pte_frame(pte));
                pte = 0;
                --leaf.present;
            }
        }
        va = stop;
    }
    m_pt.drop_empty_leaves();
}

// mprotect() changes the entries, so a page-table page On-demand-fork shared is unshared first.
void MmStruct::write_protect_range(std::uint64_t start, std::uint64_t end)
{
    for (std::uint64_t va = start; va < end; va += kPageSize)
        if (m_pt.leaf(va))
            m_pt.writable_leaf(va, *m_phys).pte[PageTable::index_of(va)] &= ~kPteWrite;
}

ErrorOr<std::uint64_t> MmStruct::mmap(std::uint64_t addr, std::uint64_t len, int prot, int flags,
    RefPtr<VmObject> object, std::uint64_t offset, VmaKind kind)
{
    flush_tlb();
    int const type = flags & (MAP_SHARED | MAP_PRIVATE);
    if (len == 0 || (offset & kPageMask) || (type != MAP_SHARED && type != MAP_PRIVATE))
        return error(EINVAL);
    prot &= PROT_READ | PROT_WRITE | PROT_EXEC;  // Linux's mmap ignores bits it does not know.
    if (len > kTaskSize)
        return error(ENOMEM);
    len = page_ceil(len);
    std::uint64_t start = 0;
    if (flags & MAP_FIXED) {
        if (addr & kPageMask)
            return error(EINVAL);
        if (addr + len > kTaskSize || addr + len < addr)
            return error(ENOMEM);
        TRY(munmap(addr, len));
        start = addr;
    } else {
        start = page_floor(addr);
        bool const hint_fits = addr && start + len <= kMmapBase && !find_vma(start) && [&] {
            for (Vma const& v : m_vmas)
                if (v.start < start + len && v.end > start)
                    return false;
            return true;
        }();
        if (!hint_fits)
            start = unmapped_area(len);
        if (!start)
            return error(ENOMEM);
    }
    Vma vma{start, start + len, prot, 0, kind, std::move(object), offset >> kPageShift};
    if (type == MAP_SHARED) {
        vma.flags |= kVmShared;
        if (!vma.object)
            vma.object = make_ref<AnonymousSharedObject>(*m_phys);
    }
    if (m_lock_future || (flags & MAP_LOCKED))
        vma.flags |= kVmLocked;
    insert_vma(std::move(vma));
    return start;
}

ErrorOr<void> MmStruct::munmap(std::uint64_t addr, std::uint64_t len)
{
    flush_tlb();
    if ((addr & kPageMask) || len == 0 || addr + len < addr || addr + len > kTaskSize)
        return error(EINVAL);
    std::uint64_t const end = addr + page_ceil(len);
    split_at(addr);
    split_at(end);
    zap_range(addr, end);
    std::erase_if(m_vmas, [&](Vma const& v) { return v.start >= addr && v.end <= end; });
    return {};
}

ErrorOr<void> MmStruct::mprotect(std::uint64_t addr, std::uint64_t len, int prot)
{
    flush_tlb();
    if (addr & kPageMask)
        return error(EINVAL);
    if (len == 0)
        return {};  // Linux checks the prot bits only for a non-empty range.
    if (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC))
        return error(EINVAL);
    std::uint64_t const end = addr + page_ceil(len);
    if (end < addr || !range_mapped(addr, end))
        return error(ENOMEM);
    split_at(addr);
    split_at(end);
    for (Vma& v : m_vmas)
        if (v.start >= addr && v.end <= end)
            v.prot = prot;
    if (!(prot & PROT_WRITE))
        write_protect_range(addr, end);
    return {};
}

// Linux: madvise_behavior() for the fork-related advice, and MADV_DONTNEED. WIPEONFORK is for
// private anonymous memory only. A range with holes is advised where mapped and reported ENOMEM.
ErrorOr<void> MmStruct::madvise(std::uint64_t addr, std::uint64_t len, int advice)
{
    flush_tlb();
    if (addr & kPageMask)
        return error(EINVAL);
    bool const known = advice == MADV_DONTFORK || advice == MADV_DOFORK || advice == MADV_WIPEONFORK ||
        advice == MADV_KEEPONFORK || advice == MADV_DONTNEED || advice == MADV_NORMAL;
    if (!known)
        return error(EINVAL);
    if (len == 0)
        return {};
    std::uint64_t const end = addr + page_ceil(len);
    if (end < addr)
        return error(EINVAL);
    for (Vma const& v : m_vmas) {
        if (v.start >= end || v.end <= addr)
            continue;
        if (advice == MADV_WIPEONFORK && (v.object || v.shared()))
            return error(EINVAL);
        if (advice == MADV_DONTNEED && (v.flags & kVmLocked))
            return error(EINVAL);  // Linux: madvise_dontneed_free_valid_vma().
    }
    split_at(addr);
    split_at(end);
    for (Vma& v : m_vmas) {
        if (v.start < addr || v.end > end)
            continue;
        switch (advice) {
        case MADV_DONTFORK: v.flags |= kVmDontFork; break;
        case MADV_DOFORK: v.flags &= ~kVmDontFork; break;
        case MADV_WIPEONFORK: v.flags |= kVmWipeOnFork; break;
        case MADV_KEEPONFORK: v.flags &= ~kVmWipeOnFork; break;
        case MADV_DONTNEED: zap_range(v.start, v.end); break;
        default: break;
        }
    }
    return range_mapped(addr, end) ? ErrorOr<void>{} : error(ENOMEM);
}

// Fault every page of [start, end) in, as mlock and MAP_POPULATE do. A writable private
// mapping is populated for writing, which breaks copy-on-write sharing (Linux does the same).
ErrorOr<void> MmStruct::populate(std::uint64_t start, std::uint64_t end, MmCounters& c)
{
    flush_tlb();
    for (std::uint64_t va = start; va < end; va += kPageSize) {
        Vma const* v = find_vma(va);
        if (!v || v->prot == PROT_NONE)
            continue;
        Access const access = (v->writable() && !v->shared()) ? Access::Write : Access::Read;
        Pte const pte = m_pt.lookup(va);
        if (pte_present(pte) && (access == Access::Read || m_pt.writable(va)))
            continue;
        if (handle_fault(va, access, c).kind == FaultResult::Kind::Oom)
            return error(ENOMEM);
    }
    return {};
}

std::uint64_t MmStruct::locked_pages() const
{
    std::uint64_t n = 0;
    for (Vma const& v : m_vmas)
        if (v.flags & kVmLocked)
            n += v.pages();
    return n;
}

// mlock(2) and munlock(2) take any address: the range is widened to whole pages. It must be
// mapped throughout (ENOMEM otherwise).
ErrorOr<std::pair<std::uint64_t, std::uint64_t>> MmStruct::lock_range(std::uint64_t addr, std::uint64_t len) const
{
    std::uint64_t const start = page_floor(addr);
    std::uint64_t const end = page_ceil(addr + len);
    if (end < start)
        return error(EINVAL);
    if (!range_mapped(start, end))
        return error(ENOMEM);
    return std::pair{start, end};
}

ErrorOr<void> MmStruct::mlock(std::uint64_t addr, std::uint64_t len, std::uint64_t limit_bytes, MmCounters& c)
{
    flush_tlb();
    auto const [start, end] = TRY(lock_range(addr, len));
    std::uint64_t adding = 0;
    for (Vma const& v : m_vmas)
        if (v.start < end && v.end > start && !(v.flags & kVmLocked))
            adding += (std::min(v.end, end) - std::max(v.start, start)) >> kPageShift;
    if ((locked_pages() + adding) * kPageSize > limit_bytes)
        return error(ENOMEM);  // RLIMIT_MEMLOCK, for a process without CAP_IPC_LOCK.
    split_at(start);
    split_at(end);
    for (Vma& v : m_vmas)
        if (v.start >= start && v.end <= end)
            v.flags |= kVmLocked;
    // Locked, but not all of it could be faulted in: mlock(2)'s EAGAIN, not ENOMEM.
    if (!populate(start, end, c))
        return error(EAGAIN);
    return {};
}

ErrorOr<void> MmStruct::munlock(std::uint64_t addr, std::uint64_t len)
{
    flush_tlb();
    auto const [start, end] = TRY(lock_range(addr, len));
    split_at(start);
    split_at(end);
    for (Vma& v : m_vmas)
        if (v.start >= start && v.end <= end)
            v.flags &= ~kVmLocked;
    return {};
}

ErrorOr<void> MmStruct::mlockall(int flags, std::uint64_t limit_bytes, MmCounters& c)
{
    flush_tlb();
    if (flags == 0 || (flags & ~(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT)) || flags == MCL_ONFAULT)
        return error(EINVAL);
    if (flags & MCL_CURRENT) {
        std::uint64_t total = 0;
        for (Vma const& v : m_vmas)
            total += v.pages();
        if (total * kPageSize > limit_bytes)
            return error(ENOMEM);
        for (Vma& v : m_vmas)
            v.flags |= kVmLocked;
        if (!(flags & MCL_ONFAULT))
            for (Vma const& v : std::vector<Vma>(m_vmas))
                (void)populate(v.start, v.end, c);
    }
    if (flags & MCL_FUTURE)
        m_lock_future = true;
    return {};
}

ErrorOr<void> MmStruct::munlockall()
{
    flush_tlb();
    for (Vma& v : m_vmas)
        v.flags &= ~kVmLocked;
    m_lock_future = false;
    return {};
}

ErrorOr<std::vector<std::uint8_t>> MmStruct::mincore(std::uint64_t addr, std::uint64_t len) const
{
    if (addr & kPageMask)
        return error(EINVAL);
    std::uint64_t const end = addr + page_ceil(len);
    if (end < addr || !range_mapped(addr, end))
        return error(ENOMEM);
    // A page of a file or of shared memory is resident if it is in the object's page cache,
    // whoever brought it in (Linux: mincore_page()).
    std::vector<std::uint8_t> resident;
    for (std::uint64_t va = addr; va < end; va += kPageSize) {
        Vma const* v = find_vma(va);
        bool const cached = v->object && v->object->has_page(v->object_index(va));
        resident.push_back(pte_present(m_pt.lookup(va)) || cached ? 1 : 0);
    }
    return resident;
}

// Linux: sys_brk(). The heap grows or shrinks; a request that would collide with another
// mapping leaves the break where it was, and the old break is returned.
std::uint64_t MmStruct::brk(std::uint64_t new_brk)
{
    flush_tlb();
    if (new_brk < m_start_brk)
        return m_brk;
    std::uint64_t const old_end = page_ceil(m_brk);
    std::uint64_t const new_end = page_ceil(new_brk);
    if (new_end < old_end) {
        (void)munmap(new_end, old_end - new_end);
    } else if (new_end > old_end) {
        for (Vma const& v : m_vmas)
            if (v.start < new_end + kPageSize && v.end > old_end)  // Keep a guard page.
                return m_brk;
        // Linux: do_brk_flags(). New heap memory is plain read-write data (locked under
        // MCL_FUTURE); it joins the old heap only if that still has exactly those flags.
        std::uint32_t const flags = m_lock_future ? kVmLocked : 0u;
        Vma* heap = old_end > m_start_brk ? find_vma_mut(old_end - 1) : nullptr;
        if (heap && heap->kind == VmaKind::Heap && heap->prot == (PROT_READ | PROT_WRITE) && heap->flags == flags)
            heap->end = new_end;
        else
            insert_vma(Vma{old_end, new_end, PROT_READ | PROT_WRITE, flags, VmaKind::Heap, nullptr, 0});
    }
    m_brk = new_brk;
    return m_brk;
}

// Like smaps_rollup: a page is shared when another address space maps its frame too.
Rss MmStruct::rss() const
{
    Rss rss;
    for (PageTable::Leaf const& leaf : m_pt.leaves()) {
        bool const shared_table = leaf.table->use_count() > 1;
        for (Pte pte : leaf.table->pte) {
            if (!pte_present(pte) || pte_frame(pte) == kZeroFrame)
                continue;
            if (shared_table || m_phys->refcount(pte_frame(pte)) > 1)
                ++rss.shared;
            else
                ++rss.private_;
        }
    }
    return rss;
}

}  // namespace forklab
