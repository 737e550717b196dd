// An address space (Linux: mm_struct): its VMAs, its page table, and the rules that fill the
// page table on demand -- page faults -- and copy it on fork.
//
// Shared by vfork and CLONE_VM (reference-counted); fork builds a copy with dup_mmap() under
// one of three strategies, so that their costs can be compared on the same program:
//   Cow  -- Linux: page-table entries copied, private pages write-protected in both, frames
//           shared until one side writes (mm/memory.c copy_page_range, do_wp_page).
//   Copy -- early Unix and xv6: every private page copied at fork.
//   Odf  -- On-demand-fork (EuroSys 2021): the page-table pages themselves shared, and copied
//           only when either side first changes an entry under them.
#pragma once

#include "base/error.h"
#include "base/ref.h"
#include "mm/page.h"
#include "mm/page_table.h"
#include "mm/physical_memory.h"
#include "mm/vma.h"

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace forklab {

enum class ForkStrategy : std::uint8_t { Cow, Copy, Odf, Vfork };
char const* fork_strategy_name(ForkStrategy);

enum class Access : std::uint8_t { Read, Write, Exec };

// What one page fault did; the kernel turns each into an event with its explanation.
struct FaultResult {
    enum class Kind : std::uint8_t {
        ZeroMap,    // Read of untouched anonymous memory: the shared zero page is mapped.
        Alloc,      // Write of untouched anonymous memory: a fresh frame.
        ObjectMap,  // A shared or file page mapped from its object.
        CowCopy,    // Write to a write-protected page others also map: copied.
        CowReuse,   // Write to a write-protected page nobody else maps: made writable again.
        MadeWritable,  // Write to a shared page mapped read-only.
        Segv,       // No VMA there, or the VMA forbids the access.
        Oom,        // No free frame.
    };
    Kind kind{};
    std::uint64_t va = 0;
    FrameNr old_frame = 0;
    FrameNr new_frame = 0;
    std::uint32_t old_refs = 0;  // References on old_frame before the fault.
    bool table_copied = false;   // An On-demand-fork page-table page was unshared first.
    bool file_page = false;      // old_frame is a file's page (MAP_PRIVATE never writes it).
    int si_code = 0;             // SEGV_MAPERR or SEGV_ACCERR for Segv.
};

struct MmCounters {
    std::uint64_t ptes_copied = 0;       // Page-table entries copied by fork.
    std::uint64_t pt_pages_copied = 0;   // Page-table pages (leaves) copied, by fork or unsharing.
    std::uint64_t pt_pages_shared = 0;   // Page-table pages shared by On-demand-fork.
    std::uint64_t frames_copied = 0;     // Frames copied eagerly at fork (the Copy strategy).
    std::uint64_t cow_copies = 0;        // Frames copied by a write fault.
    std::uint64_t cow_reuses = 0;        // Write faults that reused the only mapping's frame.
    std::uint64_t zero_maps = 0;         // Zero-page mappings.
    std::uint64_t minor_faults = 0;      // Faults resolved without I/O (all of them, here).
    MmCounters& operator+=(MmCounters const&);
};

struct Rss {
    std::uint64_t shared = 0;   // Pages (frames) also mapped by another address space.
    std::uint64_t private_ = 0; // Pages only this address space maps.
};

// The layout exec builds from a program (the language issue fills in the bytes).
struct ProgramImage {
    std::vector<std::uint8_t> text, rodata, data;
    std::uint64_t bss_size = 0;
    std::uint64_t stack_size = 8 << 20;  // How far the stack may grow: RLIMIT_STACK at exec.
};

class MmStruct : public RefCounted<MmStruct> {
public:
    static constexpr std::uint64_t kTextBase = 0x400000;
    static constexpr std::uint64_t kStackTop = 0x7ffffffde000;
    static constexpr std::uint64_t kMmapBase = 0x7ffff7fff000;
    static constexpr std::uint64_t kInitialStack = 128 << 10;     // Linux: setup_arg_pages().
    static constexpr std::uint64_t kStackGuardGap = 256 * kPageSize;  // Linux: stack_guard_gap.

    explicit MmStruct(PhysicalMemory& phys) : m_phys(&phys) {}
    ~MmStruct();  // Linux: exit_mmap(). Every frame and page-table page is released.
    MmStruct(MmStruct const&) = delete;
    MmStruct& operator=(MmStruct const&) = delete;

    // Linux: execve's new address space: text, rodata, data, bss, heap and stack.
    // A new address space running `image`. Its text, rodata and data are mapped privately from
    // `pages` (the executable's page cache, from image_pages()), so every process running one
    // program shares the program's frames; a new object is made if none is given.
    static ErrorOr<RefPtr<MmStruct>> from_image(ProgramImage const&, PhysicalMemory&, RefPtr<VmObject> pages = {});
    static RefPtr<VmObject> image_pages(ProgramImage const&, PhysicalMemory&);
    // Linux: dup_mmap(). ENOMEM when the Copy strategy runs out of frames (nothing is left).
    ErrorOr<RefPtr<MmStruct>> dup(ForkStrategy, MmCounters&);

    // Linux: handle_mm_fault() and do_wp_page(). `faults` receives what each fault did.
    FaultResult handle_fault(std::uint64_t va, Access, MmCounters&);

    // Memory as the program sees it: bytes at virtual addresses, through the page table,
    // faulting as needed. On a SIGSEGV or OOM the access stops and the fault is returned.
    std::optional<FaultResult> read(std::uint64_t va, std::span<std::uint8_t> out, MmCounters&,
        std::vector<FaultResult>* faults = nullptr);
    std::optional<FaultResult> write(std::uint64_t va, std::span<std::uint8_t const> bytes, MmCounters&,
        std::vector<FaultResult>* faults = nullptr);
    // Where a load at va goes when it needs no fault, and whether a store may go straight there
    // too: the test read() and write() make before they touch a page. Nothing when a load would
    // fault. For the interpreter's software TLB (lang/memory_port.h), which keeps the answer
    // while PhysicalMemory::mapping_generation() stays the same.
    struct DirectPage {
        FrameNr frame = 0;
        bool writable = false;
    };
    std::optional<DirectPage> direct_page(std::uint64_t va) const;

    // The mapping system calls, on this address space (the kernel checks the caller).
    ErrorOr<std::uint64_t> mmap(std::uint64_t addr, std::uint64_t len, int prot, int flags,
        RefPtr<VmObject> object, std::uint64_t offset, VmaKind kind = VmaKind::Mmap);
    ErrorOr<void> munmap(std::uint64_t addr, std::uint64_t len);
    ErrorOr<void> mprotect(std::uint64_t addr, std::uint64_t len, int prot);
    ErrorOr<void> madvise(std::uint64_t addr, std::uint64_t len, int advice);
    ErrorOr<void> mlock(std::uint64_t addr, std::uint64_t len, std::uint64_t limit_bytes, MmCounters&);
    ErrorOr<void> munlock(std::uint64_t addr, std::uint64_t len);
    ErrorOr<void> mlockall(int flags, std::uint64_t limit_bytes, MmCounters&);
    ErrorOr<void> munlockall();
    ErrorOr<std::vector<std::uint8_t>> mincore(std::uint64_t addr, std::uint64_t len) const;
    std::uint64_t brk(std::uint64_t new_brk);  // Returns the break after the call.
    // Fault every page of [start, end) in, as mlock and MAP_POPULATE do.
    ErrorOr<void> populate(std::uint64_t start, std::uint64_t end, MmCounters&);

    // The read-only view.
    std::vector<Vma> const& vmas() const { return m_vmas; }
    Vma const* find_vma(std::uint64_t va) const;
    PageTable const& page_table() const { return m_pt; }
    Pte pte(std::uint64_t va) const { return m_pt.lookup(va); }
    Rss rss() const;
    std::uint64_t locked_pages() const;
    std::uint64_t start_brk() const { return m_start_brk; }
    std::uint64_t current_brk() const { return m_brk; }
    bool lock_future() const { return m_lock_future; }
    PhysicalMemory& phys() const { return *m_phys; }

private:
    // Every change to the page table or the mappings ends with this, as Linux's end with a TLB
    // flush: translations cached before it are stale.
    void flush_tlb() { m_phys->mappings_changed(); }
    bool maps_directly(Vma const* vma, std::uint64_t va, Access) const;
    Vma* find_vma_mut(std::uint64_t va);
    Vma const* expand_stack(std::uint64_t va);
    template<typename Copy>
    std::optional<FaultResult> access(std::uint64_t va, std::size_t len, Access, MmCounters&,
        std::vector<FaultResult>* faults, Copy const& copy);
    void split_at(std::uint64_t addr);
    bool range_mapped(std::uint64_t start, std::uint64_t end) const;
    ErrorOr<std::pair<std::uint64_t, std::uint64_t>> lock_range(std::uint64_t addr, std::uint64_t len) const;
    std::uint64_t unmapped_area(std::uint64_t len) const;
    void insert_vma(Vma vma);
    void zap_range(std::uint64_t start, std::uint64_t end);
    void write_protect_range(std::uint64_t start, std::uint64_t end);
    FaultResult fault_missing(Vma const&, PteTable&, unsigned idx, std::uint64_t va, Access, MmCounters&);
    FaultResult fault_write_protected(Vma const&, PteTable&, unsigned idx, std::uint64_t va, MmCounters&);
    ErrorOr<void> copy_leaf_range(MmStruct& child, PageTable::Leaf const&, ForkStrategy, std::vector<bool> const& skip,
        MmCounters&);
    bool vma_needs_copy(Vma const&) const;
    bool can_share_leaf(PageTable::Leaf const&) const;

    PhysicalMemory* m_phys;
    std::vector<Vma> m_vmas;  // Sorted, non-overlapping (Linux: the maple tree).
    PageTable m_pt;
    std::uint64_t m_start_brk = 0;
    std::uint64_t m_brk = 0;
    bool m_lock_future = false;  // mlockall(MCL_FUTURE): new mappings are locked.
    std::uint64_t m_stack_max = 0;  // The most the stack may grow to (RLIMIT_STACK at exec).
};

}  // namespace forklab
