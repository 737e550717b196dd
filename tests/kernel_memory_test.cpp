// The memory model: copy-on-write after fork, the zero page, shared and file mappings, the fork
// advice of madvise(2), mlock(2), page faults that end in SIGSEGV or the OOM killer, the mapping
// system calls, and the counters a teacher reads. The references are fork(2), mmap(2),
// madvise(2), mlock(2), mincore(2), brk(2), and Linux's mm/memory.c (do_anonymous_page,
// do_wp_page, copy_page_range), kernel/fork.c (dup_mmap), mm/mmap.c and mm/mlock.c where the man
// pages are silent. Every step is followed by check_invariants().
#include "support/lab.h"

#include "trace/event.h"

#include <algorithm>
#include <cstdint>
#include <span>
#include <string>
#include <sys/mman.h>
#include <vector>

using namespace forklab;
using namespace forklab::test;

namespace {

constexpr std::uint64_t P = kPageSize;
constexpr int kRW = PROT_READ | PROT_WRITE;
constexpr int kPrivateAnon = MAP_PRIVATE | MAP_ANONYMOUS;
constexpr int kSharedAnon = MAP_SHARED | MAP_ANONYMOUS;
using Kind = FaultResult::Kind;

// One SUBCASE per strategy that gives the child its own copy of the address space.
ForkStrategy each_copying_strategy()
{
    ForkStrategy s = ForkStrategy::Cow;
    SUBCASE("cow") { s = ForkStrategy::Cow; }
    SUBCASE("copy") { s = ForkStrategy::Copy; }
    SUBCASE("odf") { s = ForkStrategy::Odf; }
    return s;
}

// The strategies under which a private frame stays shared after fork until someone writes.
ForkStrategy each_sharing_strategy()
{
    ForkStrategy s = ForkStrategy::Cow;
    SUBCASE("cow") { s = ForkStrategy::Cow; }
    SUBCASE("odf") { s = ForkStrategy::Odf; }
    return s;
}

// The errno of a failed call, for messages; "ok" for a value (error() of a value is undefined).

KernelConfig with(ForkStrategy s) { return KernelConfig{.fork_strategy = s}; }

MmStruct const& mm_of(Lab const& lab, pid_t pid)
{
    Task const& t = lab.task(pid);
    REQUIRE(t.mm);
    return *t.mm;
}

std::uint64_t map(Lab& lab, pid_t pid, std::uint64_t pages, int prot = kRW, int flags = kPrivateAnon,
    RefPtr<VmObject> file = {})
{
    auto r = lab.k.mmap(pid, 0, pages * P, prot, flags, std::move(file));
    REQUIRE_MESSAGE(r, "mmap failed: " << why(r));
    lab.check();
    return *r;
}

void poke(Lab& lab, pid_t pid, std::uint64_t va, std::uint8_t byte)
{
    auto r = lab.k.write_memory(pid, va, std::span<std::uint8_t const>(&byte, 1));
    REQUIRE_MESSAGE(r, "write_memory failed: " << why(r));
    lab.check();
    REQUIRE_MESSAGE(r->ok, "pid " << pid << " faulted writing " << va);
}

std::uint8_t peek(Lab& lab, pid_t pid, std::uint64_t va)
{
    std::uint8_t byte = 0xee;
    auto r = lab.k.read_memory(pid, va, std::span<std::uint8_t>(&byte, 1));
    REQUIRE_MESSAGE(r, "read_memory failed: " << why(r));
    lab.check();
    REQUIRE_MESSAGE(r->ok, "pid " << pid << " faulted reading " << va);
    return byte;
}

// An access that must stop at a fault: the fault it stopped at.
FaultResult bad_access(Lab& lab, pid_t pid, std::uint64_t va, Access access)
{
    std::uint8_t byte = 1;
    auto r = access == Access::Write ? lab.k.write_memory(pid, va, std::span<std::uint8_t const>(&byte, 1))
                                     : lab.k.read_memory(pid, va, std::span<std::uint8_t>(&byte, 1));
    REQUIRE(r);
    lab.check();
    REQUIRE_FALSE(r->ok);
    REQUIRE(r->fault.has_value());
    return *r->fault;
}

Pte pte(Lab const& lab, pid_t pid, std::uint64_t va) { return mm_of(lab, pid).pte(va); }

// Whether a store goes straight to the frame: a writable entry in a page-table page of this
// address space alone (On-demand-fork leaves entries writable in a shared, read-only table).
bool store_allowed(Lab const& lab, pid_t pid, std::uint64_t va) { return mm_of(lab, pid).page_table().writable(va); }

FrameNr frame(Lab const& lab, pid_t pid, std::uint64_t va)
{
    Pte const p = pte(lab, pid, va);
    REQUIRE_MESSAGE(pte_present(p), "pid " << pid << " has no page at " << va);
    return pte_frame(p);
}

std::uint32_t refs(Lab const& lab, FrameNr f) { return lab.k.physical_memory().refcount(f); }
std::size_t in_use(Lab const& lab) { return lab.k.physical_memory().in_use(); }

Event last_of(Lab const& lab, EventKind kind, pid_t pid)
{
    auto all = lab.k.events().all();
    for (auto it = all.rbegin(); it != all.rend(); ++it)
        if (it->kind == kind && it->pid == pid)
            return *it;
    FAIL("no " << event_kind_name(kind) << " event for pid " << pid);
    return {};
}

Kind kind_of(Event const& e) { return Kind(e.aux & 0x1f); }  // 0x20 file page, 0x40 write, 0x80 table copied.
Event last_fault(Lab const& lab, pid_t pid) { return last_of(lab, EventKind::PageFault, pid); }

// The task died of `sig` when it next ran, and its parent reaps that status.
void dies_of(Lab& lab, pid_t parent, pid_t pid, int sig)
{
    lab.run(pid);
    REQUIRE(lab.task(pid).is_zombie());
    WaitResult const w = lab.reap(parent, pid);
    CHECK(w.pid == pid);
    REQUIRE(WIFSIGNALED(w.status));
    CHECK(WTERMSIG(w.status) == sig);
}

void exit_and_reap(Lab& lab, pid_t pid, pid_t parent)
{
    lab.exit(pid);
    WaitResult const w = lab.reap(parent, pid);
    CHECK(w.pid == pid);
}

// A file with contents, the way the files issue will hand an inode's page cache to mmap: page
// `i` of the file is allocated on first use, filled from the bytes, and kept (with one
// reference) for every later mapping.
class FakeFile final : public VmObject {
public:
    explicit FakeFile(std::vector<std::uint8_t> bytes) : m_bytes(std::move(bytes)) {}
    ~FakeFile() override
    {
        for (FrameNr f : m_pages)
            if (f)
                m_phys->put(f);
    }
    ErrorOr<FrameNr> get_page(std::uint64_t index, PhysicalMemory& phys) override
    {
        m_phys = &phys;
        if (index >= m_pages.size())
            m_pages.resize(index + 1, 0);
        if (!m_pages[index]) {
            auto f = phys.alloc();
            if (!f)
                return std::unexpected(f.error());
            std::uint64_t const from = index * P;
            if (from < m_bytes.size())
                phys.write(*f, 0, std::span(m_bytes).subspan(from, std::min<std::size_t>(P, m_bytes.size() - from)));
            m_pages[index] = *f;
        }
        phys.get(m_pages[index]);
        return m_pages[index];
    }
    std::string name() const override { return "/home/student/notes.txt"; }
    bool is_file() const override { return true; }
    std::vector<FrameNr> frames() const override
    {
        std::vector<FrameNr> held;
        for (FrameNr f : m_pages)
            if (f)
                held.push_back(f);
        return held;
    }
    FrameNr page(std::uint64_t index) const { return index < m_pages.size() ? m_pages[index] : 0; }

private:
    std::vector<std::uint8_t> m_bytes;
    PhysicalMemory* m_phys = nullptr;
    std::vector<FrameNr> m_pages;
};

// A small program: text, rodata and data a page each, two pages of bss, a 64 KiB stack.
constexpr std::uint64_t kText = MmStruct::kTextBase;
constexpr std::uint64_t kRodata = kText + P;
constexpr std::uint64_t kData = kText + 2 * P;
constexpr std::uint64_t kBss = kText + 3 * P;
constexpr std::uint64_t kBrkStart = kText + 5 * P;

ProgramImage small_program()
{
    ProgramImage img;
    img.text.assign(100, 0x90);
    img.rodata = {'h', 'i', 0};
    img.data = {7, 8, 9};
    img.bss_size = 2 * P;
    img.stack_size = 16 * P;
    return img;
}

void exec(Lab& lab, pid_t pid, ProgramImage const& img = small_program())
{
    auto r = lab.k.exec_image(pid, "prog", img);
    REQUIRE_MESSAGE(r, "exec_image failed: " << why(r));
    lab.check();
}

void set_memlock(Lab& lab, pid_t pid, std::uint64_t bytes)
{
    auto r = lab.k.prlimit(pid, 0, RLIMIT_MEMLOCK, Rlimit{bytes, bytes});
    REQUIRE(r);
    lab.check();
}

std::vector<std::uint8_t> resident(Lab& lab, pid_t pid, std::uint64_t va, std::uint64_t pages)
{
    auto r = lab.k.mincore(pid, va, pages * P);
    REQUIRE_MESSAGE(r, "mincore failed: " << why(r));
    lab.check();
    return *r;
}

// A root-owned process beside the student's: init's child that never called setuid().
pid_t root_process(Lab& lab)
{
    pid_t const pid = lab.fork(1);
    REQUIRE(lab.task(pid).cred.euid == 0);
    return pid;
}

}  // namespace

// ================================================================================================
// Copy-on-write: values and the reuse rule
// ================================================================================================

TEST_CASE("after fork parent and child read the old values and never see each other's writes")
{
    ForkStrategy const s = each_copying_strategy();
    Lab lab(with(s));
    std::uint64_t const va = map(lab, lab.main, 2);
    std::uint8_t const old[8] = {'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H'};
    // Across the page boundary, so both pages hold the parent's data.
    auto w = lab.k.write_memory(lab.main, va + P - 4, old);
    REQUIRE(w);
    lab.check();
    REQUIRE(w->ok);

    pid_t const child = lab.fork(lab.main);
    std::uint8_t seen[8] = {};
    auto r = lab.k.read_memory(child, va + P - 4, seen);
    REQUIRE(r);
    lab.check();
    REQUIRE(r->ok);
    CHECK(std::equal(std::begin(seen), std::end(seen), std::begin(old)));
    CHECK(peek(lab, lab.main, va + P - 4) == 'A');

    // fork(2): "The child process and the parent process run in separate memory spaces. ...
    // Memory writes ... performed by one of the processes do not affect the other."
    poke(lab, child, va + P - 4, 'c');
    CHECK(peek(lab, lab.main, va + P - 4) == 'A');
    CHECK(peek(lab, child, va + P - 4) == 'c');
    poke(lab, lab.main, va + P, 'p');
    CHECK(peek(lab, child, va + P) == 'E');
    CHECK(peek(lab, lab.main, va + P) == 'p');
    poke(lab, lab.main, va + P - 4, 'P');
    CHECK(peek(lab, child, va + P - 4) == 'c');
    CHECK(peek(lab, lab.main, va + P - 4) == 'P');
    CHECK(frame(lab, child, va) != frame(lab, lab.main, va));
    CHECK(frame(lab, child, va + P) != frame(lab, lab.main, va + P));
}

TEST_CASE("a child's first write copies the shared frame, and the parent's later write reuses its own")
{
    ForkStrategy const s = each_sharing_strategy();
    Lab lab(with(s));
    std::uint64_t const va = map(lab, lab.main, 1);
    poke(lab, lab.main, va, 'A');
    FrameNr const f = frame(lab, lab.main, va);
    pid_t const child = lab.fork(lab.main);

    // dup_mmap()/copy_page_range(): both map the same frame, write-protected.
    CHECK(frame(lab, child, va) == f);
    CHECK_FALSE(store_allowed(lab, lab.main, va));
    CHECK_FALSE(store_allowed(lab, child, va));
    if (s == ForkStrategy::Cow) {
        CHECK_FALSE(pte_write(pte(lab, lab.main, va)));
        CHECK_FALSE(pte_write(pte(lab, child, va)));
        CHECK(refs(lab, f) == 2);  // One reference per page-table entry.
    } else {
        CHECK(mm_of(lab, child).page_table().leaf_is_shared(va));
        CHECK(refs(lab, f) == 1);  // On-demand-fork: one page-table page, shared, holds it once.
    }

    std::size_t const used = in_use(lab);
    MmCounters const total = lab.k.mm_counters();
    poke(lab, child, va, 'B');
    // do_wp_page(): the page is mapped twice, so the writer gets a copy.
    Event e = last_fault(lab, child);
    CHECK(kind_of(e) == Kind::CowCopy);
    FrameNr const g = frame(lab, child, va);
    CHECK(g != f);
    CHECK(e.other == pid_t(f));
    CHECK(e.extra == g);
    CHECK(refs(lab, f) == 1);
    CHECK(refs(lab, g) == 1);
    CHECK(store_allowed(lab, child, va));
    CHECK(in_use(lab) == used + 1);
    CHECK(lab.k.mm_counters().cow_copies == total.cow_copies + 1);
    CHECK(lab.task(child).mm_counters.cow_copies == 1);

    // do_wp_page(): the parent's entry is now the frame's only mapping: reused, no copy.
    poke(lab, lab.main, va, 'C');
    e = last_fault(lab, lab.main);
    CHECK(kind_of(e) == Kind::CowReuse);
    CHECK(e.other == pid_t(f));
    CHECK(frame(lab, lab.main, va) == f);
    CHECK(store_allowed(lab, lab.main, va));
    CHECK(in_use(lab) == used + 1);
    CHECK(lab.k.mm_counters().cow_copies == total.cow_copies + 1);
    CHECK(lab.k.mm_counters().cow_reuses == total.cow_reuses + 1);
    CHECK(lab.task(lab.main).mm_counters.cow_reuses == 1);
    CHECK(peek(lab, lab.main, va) == 'C');
    CHECK(peek(lab, child, va) == 'B');
}

TEST_CASE("a parent's first write after fork moves the parent to a copy, and the child reuses the original")
{
    ForkStrategy const s = each_sharing_strategy();
    Lab lab(with(s));
    std::uint64_t const va = map(lab, lab.main, 1);
    poke(lab, lab.main, va, 'A');
    FrameNr const f = frame(lab, lab.main, va);
    pid_t const child = lab.fork(lab.main);
    std::size_t const used = in_use(lab);

    poke(lab, lab.main, va, 'P');
    CHECK(kind_of(last_fault(lab, lab.main)) == Kind::CowCopy);
    FrameNr const g = frame(lab, lab.main, va);
    CHECK(g != f);  // The writer moves; the frame stays with the other mapping.
    CHECK(frame(lab, child, va) == f);
    CHECK(refs(lab, f) == 1);
    CHECK(in_use(lab) == used + 1);

    poke(lab, child, va, 'C');
    CHECK(kind_of(last_fault(lab, child)) == Kind::CowReuse);
    CHECK(frame(lab, child, va) == f);
    CHECK(in_use(lab) == used + 1);
    CHECK(lab.task(lab.main).mm_counters.cow_copies == 1);
    CHECK(lab.task(child).mm_counters.cow_reuses == 1);
    CHECK(lab.task(child).mm_counters.cow_copies == 0);
    CHECK(peek(lab, lab.main, va) == 'P');
    CHECK(peek(lab, child, va) == 'C');
}

TEST_CASE("three generations map one frame, and writes peel them off one at a time until the last reuses it")
{
    Lab lab(with(ForkStrategy::Cow));
    std::uint64_t const va = map(lab, lab.main, 1);
    poke(lab, lab.main, va, 1);
    FrameNr const f = frame(lab, lab.main, va);
    pid_t const child = lab.fork(lab.main);
    pid_t const grandchild = lab.fork(child);
    CHECK(frame(lab, child, va) == f);
    CHECK(frame(lab, grandchild, va) == f);
    CHECK(refs(lab, f) == 3);

    poke(lab, grandchild, va, 3);
    Event e = last_fault(lab, grandchild);
    CHECK(kind_of(e) == Kind::CowCopy);
    CHECK(explain(e).find("frame " + std::to_string(f) + " was shared by 3 mappings") != std::string::npos);
    CHECK(refs(lab, f) == 2);

    poke(lab, child, va, 2);
    e = last_fault(lab, child);
    CHECK(kind_of(e) == Kind::CowCopy);
    CHECK(explain(e).find("was shared by 2 mappings") != std::string::npos);
    CHECK(refs(lab, f) == 1);

    poke(lab, lab.main, va, 9);
    CHECK(kind_of(last_fault(lab, lab.main)) == Kind::CowReuse);
    CHECK(frame(lab, lab.main, va) == f);
    CHECK(refs(lab, f) == 1);
    CHECK(peek(lab, lab.main, va) == 9);
    CHECK(peek(lab, child, va) == 2);
    CHECK(peek(lab, grandchild, va) == 3);
    CHECK(lab.k.mm_counters().cow_copies == 2);
    CHECK(lab.k.mm_counters().cow_reuses == 1);
}

TEST_CASE("mprotect back to writable after fork does not let a write into the shared frame")
{
    ForkStrategy const s = each_sharing_strategy();
    Lab lab(with(s));
    std::uint64_t const va = map(lab, lab.main, 1);
    poke(lab, lab.main, va, 'A');
    FrameNr const f = frame(lab, lab.main, va);
    pid_t const child = lab.fork(lab.main);
    REQUIRE(lab.k.mprotect(lab.main, va, P, PROT_READ));
    lab.check();
    REQUIRE(lab.k.mprotect(lab.main, va, P, kRW));
    lab.check();
    // mprotect(PROT_WRITE) never makes a copy-on-write entry writable (mm/mprotect.c only does
    // so for pages that are exclusively this mapping's).
    CHECK_FALSE(store_allowed(lab, lab.main, va));
    poke(lab, lab.main, va, 'P');
    CHECK(kind_of(last_fault(lab, lab.main)) == Kind::CowCopy);
    CHECK(frame(lab, lab.main, va) != f);
    CHECK(peek(lab, child, va) == 'A');
}

TEST_CASE("On-demand-fork: three address spaces share one page-table page until each first writes")
{
    Lab lab(with(ForkStrategy::Odf));
    std::uint64_t const va = map(lab, lab.main, 2);
    poke(lab, lab.main, va, 'a');
    poke(lab, lab.main, va + P, 'b');
    FrameNr const f0 = frame(lab, lab.main, va);
    FrameNr const f1 = frame(lab, lab.main, va + P);
    pid_t const child = lab.fork(lab.main);
    pid_t const grandchild = lab.fork(child);  // While the table is still shared.
    PteTable const* table = mm_of(lab, lab.main).page_table().leaf(va);
    CHECK(mm_of(lab, child).page_table().leaf(va) == table);
    CHECK(mm_of(lab, grandchild).page_table().leaf(va) == table);
    CHECK(table->use_count() == 3);
    CHECK(refs(lab, f0) == 1);
    CHECK(lab.k.mm_counters().pt_pages_shared == 2);
    for (pid_t pid : {lab.main, child, grandchild})
        CHECK_FALSE(store_allowed(lab, pid, va));

    poke(lab, grandchild, va, 'g');  // Copies the table: both pages now have two mappings.
    CHECK((last_fault(lab, grandchild).aux & 0x80) != 0);
    CHECK(table->use_count() == 2);
    CHECK(refs(lab, f1) == 2);
    poke(lab, child, va + P, 'c');   // Copies the table again; the parent keeps the original.
    CHECK((last_fault(lab, child).aux & 0x80) != 0);
    CHECK(mm_of(lab, lab.main).page_table().leaf(va) == table);
    CHECK(table->use_count() == 1);
    poke(lab, lab.main, va + P, 'p');
    CHECK((last_fault(lab, lab.main).aux & 0x80) == 0);
    CHECK(kind_of(last_fault(lab, lab.main)) == Kind::CowCopy);  // The grandchild still maps f1.
    poke(lab, lab.main, va, 'q');
    CHECK(kind_of(last_fault(lab, lab.main)) == Kind::CowCopy);  // And the child still maps f0.

    CHECK(peek(lab, lab.main, va) == 'q');
    CHECK(peek(lab, lab.main, va + P) == 'p');
    CHECK(peek(lab, child, va) == 'a');
    CHECK(peek(lab, child, va + P) == 'c');
    CHECK(peek(lab, grandchild, va) == 'g');
    CHECK(peek(lab, grandchild, va + P) == 'b');
    CHECK(lab.k.mm_counters().pt_pages_copied == 2);
}

TEST_CASE("On-demand-fork copies, rather than shares, a page-table page over shared memory or fork advice")
{
    Lab lab(with(ForkStrategy::Odf));
    std::uint64_t const priv = map(lab, lab.main, 1);
    poke(lab, lab.main, priv, 'v');
    std::uint64_t other = 0;
    SUBCASE("MAP_SHARED") { other = map(lab, lab.main, 1, kRW, kSharedAnon); }
    SUBCASE("MADV_DONTFORK")
    {
        other = map(lab, lab.main, 1);
        REQUIRE(lab.k.madvise(lab.main, other, P, MADV_DONTFORK));
        lab.check();
    }
    SUBCASE("MADV_WIPEONFORK")
    {
        other = map(lab, lab.main, 1);
        REQUIRE(lab.k.madvise(lab.main, other, P, MADV_WIPEONFORK));
        lab.check();
    }
    REQUIRE(PageTable::region_of(other) == PageTable::region_of(priv));  // Under the same table.
    MmCounters const before = lab.k.mm_counters();
    pid_t const child = lab.fork(lab.main);
    CHECK(lab.k.mm_counters().pt_pages_shared == before.pt_pages_shared);
    CHECK(lab.k.mm_counters().pt_pages_copied == before.pt_pages_copied + 1);
    CHECK_FALSE(mm_of(lab, child).page_table().leaf_is_shared(priv));
    CHECK(frame(lab, child, priv) == frame(lab, lab.main, priv));
    CHECK(peek(lab, child, priv) == 'v');
}

TEST_CASE("mprotect in one process after an On-demand-fork leaves the other's entries alone")
{
    Lab lab(with(ForkStrategy::Odf));
    std::uint64_t const va = map(lab, lab.main, 1);
    poke(lab, lab.main, va, 'a');
    pid_t const child = lab.fork(lab.main);
    REQUIRE(lab.k.mprotect(lab.main, va, P, PROT_READ));
    lab.check();
    CHECK_FALSE(mm_of(lab, child).page_table().leaf_is_shared(va));  // Unshared before changing.
    CHECK(mm_of(lab, child).find_vma(va)->prot == kRW);
    poke(lab, child, va, 'c');
    CHECK(peek(lab, lab.main, va) == 'a');
    FaultResult const f = bad_access(lab, lab.main, va, Access::Write);
    CHECK(f.si_code == SEGV_ACCERR);
    CHECK(peek(lab, child, va) == 'c');
}

// ================================================================================================
// The zero page and lazily allocated contents
// ================================================================================================

TEST_CASE("reading untouched anonymous memory maps the shared zero page read-only, a write then allocates")
{
    Lab lab;
    std::uint64_t const va = map(lab, lab.main, 2);
    std::size_t const used = in_use(lab);
    MmCounters const total = lab.k.mm_counters();

    // do_anonymous_page(): a read fault maps ZERO_PAGE, read-only.
    CHECK(peek(lab, lab.main, va) == 0);
    Pte const zero = pte(lab, lab.main, va);
    CHECK(pte_present(zero));
    CHECK(pte_frame(zero) == kZeroFrame);
    CHECK_FALSE(pte_write(zero));
    CHECK(in_use(lab) == used);
    CHECK(refs(lab, kZeroFrame) == 1);  // Pinned; mappings of it are not counted.
    Event const e = last_fault(lab, lab.main);
    CHECK(kind_of(e) == Kind::ZeroMap);
    CHECK(explain(e).find("zero page") != std::string::npos);
    CHECK(lab.k.mm_counters().zero_maps == total.zero_maps + 1);
    CHECK(lab.k.mm_counters().minor_faults == total.minor_faults + 1);
    CHECK(lab.task(lab.main).mm_counters.zero_maps == 1);
    CHECK(lab.task(lab.main).mm_counters.minor_faults == 1);

    // A second read of the same page costs nothing more.
    CHECK(peek(lab, lab.main, va + 5) == 0);
    CHECK(lab.k.mm_counters().minor_faults == total.minor_faults + 1);

    poke(lab, lab.main, va, 42);
    CHECK(kind_of(last_fault(lab, lab.main)) == Kind::Alloc);
    FrameNr const f = frame(lab, lab.main, va);
    CHECK(f != kZeroFrame);
    CHECK(pte_write(pte(lab, lab.main, va)));
    CHECK(refs(lab, f) == 1);
    CHECK(in_use(lab) == used + 1);
    CHECK(lab.k.mm_counters().cow_copies == total.cow_copies);  // The zero page is not copied.
    CHECK(peek(lab, lab.main, va) == 42);
    CHECK(lab.k.mm_counters().zero_maps == total.zero_maps + 1);
}

TEST_CASE("a zero-page mapping shared by fork is never copied: the writer gets a fresh frame")
{
    ForkStrategy const s = each_copying_strategy();
    Lab lab(with(s));
    std::uint64_t const va = map(lab, lab.main, 1);
    CHECK(peek(lab, lab.main, va) == 0);
    std::size_t const used = in_use(lab);
    pid_t const child = lab.fork(lab.main);
    CHECK(in_use(lab) == used);  // Even the copy strategy does not copy the zero page.
    // An area with nothing but the zero page has no anon_vma: Linux's fork leaves its entries
    // for the child to fault in again (vma_needs_copy()).
    // (On-demand-fork shares the whole page-table page instead.)
    if (s != ForkStrategy::Odf)
        CHECK_FALSE(pte_present(pte(lab, child, va)));
    CHECK(peek(lab, child, va) == 0);
    CHECK(frame(lab, child, va) == kZeroFrame);
    poke(lab, child, va, 5);
    CHECK(kind_of(last_fault(lab, child)) == Kind::Alloc);
    CHECK(frame(lab, child, va) != kZeroFrame);
    CHECK(lab.task(child).mm_counters.cow_copies == 0);
    CHECK(frame(lab, lab.main, va) == kZeroFrame);
    CHECK(peek(lab, lab.main, va) == 0);
    CHECK(in_use(lab) == used + 1);
}

TEST_CASE("fork copies the entries of an area with an anonymous page, the zero page's among them")
{
    ForkStrategy const s = each_copying_strategy();
    Lab lab(with(s));
    std::uint64_t const va = map(lab, lab.main, 2);
    CHECK(peek(lab, lab.main, va) == 0);  // The zero page.
    poke(lab, lab.main, va + kPageSize, 9);  // An anonymous page: the area now has an anon_vma.
    pid_t const child = lab.fork(lab.main);
    CHECK(frame(lab, child, va) == kZeroFrame);  // Copied with the rest, without a fault.
    CHECK(peek(lab, child, va + kPageSize) == 9);
    lab.check();
}

TEST_CASE("fork leaves a shared mapping's entries for the child to fault in")
{
    Lab lab;
    std::uint64_t const at = map(lab, lab.main, 1, kRW, MAP_SHARED | MAP_ANONYMOUS);
    poke(lab, lab.main, at, 3);
    FrameNr const shared = frame(lab, lab.main, at);
    pid_t const child = lab.fork(lab.main);
    CHECK_FALSE(pte_present(pte(lab, child, at)));  // Linux: vma_needs_copy() is false.
    CHECK(peek(lab, child, at) == 3);
    CHECK(frame(lab, child, at) == shared);  // The same frame, found again by the fault.
    lab.check();
}

TEST_CASE("a frame holds no contents until a non-zero byte is written to it")
{
    Lab lab;
    PhysicalMemory const& phys = lab.k.physical_memory();
    std::uint64_t const va = map(lab, lab.main, 1);
    std::size_t const data = phys.with_data();
    std::size_t const used = in_use(lab);

    std::uint8_t const zeros[16] = {};
    auto w = lab.k.write_memory(lab.main, va, zeros);
    REQUIRE(w);
    lab.check();
    REQUIRE(w->ok);
    FrameNr const f = frame(lab, lab.main, va);
    CHECK(in_use(lab) == used + 1);  // The write fault allocated a frame ...
    CHECK(phys.with_data() == data);  // ... whose contents are still free.
    CHECK_FALSE(phys.has_data(f));
    CHECK(peek(lab, lab.main, va + 3) == 0);

    poke(lab, lab.main, va + 7, 1);
    CHECK(phys.with_data() == data + 1);
    CHECK(phys.has_data(f));
    CHECK(phys.read_byte(f, 7) == 1);
    poke(lab, lab.main, va + 7, 0);
    CHECK(phys.with_data() == data + 1);  // Once allocated, contents stay until the frame is freed.
    CHECK(peek(lab, lab.main, va + 7) == 0);
}

// ================================================================================================
// Shared and file mappings
// ================================================================================================

TEST_CASE("MAP_SHARED|MAP_ANONYMOUS memory stays one set of frames across fork: writes are seen both ways")
{
    ForkStrategy const s = each_copying_strategy();
    Lab lab(with(s));
    std::uint64_t const va = map(lab, lab.main, 2, kRW, kSharedAnon);
    poke(lab, lab.main, va, 'A');
    FrameNr const f = frame(lab, lab.main, va);
    CHECK(pte_write(pte(lab, lab.main, va)));  // A shared page is mapped writable at once.
    std::size_t const used = in_use(lab);

    pid_t const child = lab.fork(lab.main);
    // copy_page_range() leaves shared mappings writable: no copy-on-write for MAP_SHARED.
    CHECK(in_use(lab) == used);
    CHECK(pte_write(pte(lab, lab.main, va)));
    CHECK(peek(lab, child, va) == 'A');
    CHECK(frame(lab, child, va) == f);

    // The child writes, the parent sees it; then the other way round.
    poke(lab, child, va, 'c');
    CHECK(peek(lab, lab.main, va) == 'c');
    poke(lab, lab.main, va, 'p');
    CHECK(peek(lab, child, va) == 'p');
    // A page that neither had touched before the fork: the child brings it in.
    poke(lab, child, va + P, 'd');
    CHECK(peek(lab, lab.main, va + P) == 'd');
    poke(lab, lab.main, va + P, 'q');
    CHECK(peek(lab, child, va + P) == 'q');
    CHECK(frame(lab, child, va) == f);
    CHECK(frame(lab, lab.main, va) == f);
    CHECK(frame(lab, child, va + P) == frame(lab, lab.main, va + P));
    CHECK(lab.task(child).mm_counters.cow_copies == 0);
    CHECK(lab.task(lab.main).mm_counters.cow_copies == 0);
    CHECK(in_use(lab) == used + 1);
}

TEST_CASE("a MAP_SHARED file mapping writes into the file's page, and every mapping of the file sees it")
{
    ForkStrategy const s = each_copying_strategy();
    Lab lab(with(s));
    auto file = make_ref<FakeFile>(std::vector<std::uint8_t>{'h', 'e', 'l', 'l', 'o'});
    std::uint64_t const va = map(lab, lab.main, 1, kRW, MAP_SHARED, file);
    CHECK(peek(lab, lab.main, va) == 'h');
    CHECK(kind_of(last_fault(lab, lab.main)) == Kind::ObjectMap);
    FrameNr const page = file->page(0);
    REQUIRE(page != 0);
    CHECK(frame(lab, lab.main, va) == page);
    CHECK(refs(lab, page) == 2);  // The file's page cache and the page-table entry.

    pid_t const child = lab.fork(lab.main);
    poke(lab, child, va, 'J');
    CHECK(frame(lab, child, va) == page);
    CHECK(lab.k.physical_memory().read_byte(page, 0) == 'J');  // The file itself changed.
    CHECK(peek(lab, lab.main, va) == 'J');

    // Another mapping of the same file, made after the write, sees the file's contents.
    std::uint64_t const again = map(lab, lab.main, 1, PROT_READ, MAP_SHARED, file);
    CHECK(again != va);
    CHECK(peek(lab, lab.main, again) == 'J');
    CHECK(frame(lab, lab.main, again) == page);
    poke(lab, lab.main, va + 1, 'E');
    CHECK(peek(lab, lab.main, again + 1) == 'E');
    CHECK(peek(lab, child, va + 1) == 'E');
}

TEST_CASE("a MAP_PRIVATE file mapping copies the page on the first write and never changes the file")
{
    Lab lab;
    auto file = make_ref<FakeFile>(std::vector<std::uint8_t>{'h', 'e', 'l', 'l', 'o'});
    std::uint64_t const shared = map(lab, lab.main, 1, kRW, MAP_SHARED, file);
    std::uint64_t const priv = map(lab, lab.main, 1, kRW, MAP_PRIVATE, file);

    // Until it writes, a private mapping reads the file's own page, read-only.
    CHECK(peek(lab, lab.main, priv) == 'h');
    FrameNr const page = file->page(0);
    CHECK(frame(lab, lab.main, priv) == page);
    CHECK_FALSE(pte_write(pte(lab, lab.main, priv)));

    SUBCASE("the file changes under a private mapping that has not written")
    {
        poke(lab, lab.main, shared + 1, 'a');
        CHECK(peek(lab, lab.main, priv + 1) == 'a');
    }
    SUBCASE("a private write goes to a copy")
    {
        poke(lab, lab.main, priv, 'j');
        CHECK(kind_of(last_fault(lab, lab.main)) == Kind::CowCopy);  // do_wp_page on a file page.
        FrameNr const copy = frame(lab, lab.main, priv);
        CHECK(copy != page);
        CHECK(pte_write(pte(lab, lab.main, priv)));
        CHECK(lab.k.physical_memory().read_byte(page, 0) == 'h');
        CHECK(peek(lab, lab.main, shared) == 'h');
        CHECK(peek(lab, lab.main, priv) == 'j');
        CHECK(peek(lab, lab.main, priv + 1) == 'e');  // The rest of the page was copied.
        // Later changes to the file no longer reach the private copy.
        poke(lab, lab.main, shared + 1, 'a');
        CHECK(peek(lab, lab.main, priv + 1) == 'e');
        pid_t const child = lab.fork(lab.main);
        CHECK(peek(lab, child, priv) == 'j');
        CHECK(frame(lab, child, priv) == copy);
    }
    SUBCASE("a write with no read before it copies at once (do_cow_fault)")
    {
        std::uint64_t const second = map(lab, lab.main, 1, kRW, MAP_PRIVATE, file);
        poke(lab, lab.main, second + 4, '!');
        CHECK(kind_of(last_fault(lab, lab.main)) == Kind::CowCopy);
        CHECK(frame(lab, lab.main, second) != page);
        CHECK(peek(lab, lab.main, second) == 'h');
        CHECK(lab.k.physical_memory().read_byte(page, 4) == 'o');
    }
}

// ================================================================================================
// madvise(2): DONTFORK, WIPEONFORK, DONTNEED
// ================================================================================================

TEST_CASE("MADV_DONTFORK leaves the area out of the child, which gets SIGSEGV there, the parent keeps it")
{
    ForkStrategy const s = each_copying_strategy();
    Lab lab(with(s));
    std::uint64_t const kept = map(lab, lab.main, 1);
    std::uint64_t const va = map(lab, lab.main, 2);
    poke(lab, lab.main, kept, 'k');
    poke(lab, lab.main, va, 'D');
    REQUIRE(lab.k.madvise(lab.main, va, 2 * P, MADV_DONTFORK));
    lab.check();
    CHECK((mm_of(lab, lab.main).find_vma(va)->flags & kVmDontFork) != 0);

    pid_t const child = lab.fork(lab.main);
    // dup_mmap() skips VM_DONTCOPY areas entirely.
    CHECK(mm_of(lab, child).find_vma(va) == nullptr);
    CHECK(mm_of(lab, child).find_vma(va + P) == nullptr);
    CHECK(peek(lab, child, kept) == 'k');
    FaultResult const f = bad_access(lab, child, va, Access::Write);
    CHECK(f.kind == Kind::Segv);
    CHECK(f.si_code == SEGV_MAPERR);
    CHECK(peek(lab, lab.main, va) == 'D');
    dies_of(lab, lab.main, child, SIGSEGV);
    CHECK(peek(lab, lab.main, va) == 'D');
    CHECK(refs(lab, frame(lab, lab.main, va)) == 1);
}

TEST_CASE("MADV_DOFORK undoes MADV_DONTFORK")
{
    ForkStrategy const s = each_copying_strategy();
    Lab lab(with(s));
    std::uint64_t const va = map(lab, lab.main, 1);
    poke(lab, lab.main, va, 'D');
    REQUIRE(lab.k.madvise(lab.main, va, P, MADV_DONTFORK));
    lab.check();
    REQUIRE(lab.k.madvise(lab.main, va, P, MADV_DOFORK));
    lab.check();
    CHECK((mm_of(lab, lab.main).find_vma(va)->flags & kVmDontFork) == 0);
    pid_t const child = lab.fork(lab.main);
    REQUIRE(mm_of(lab, child).find_vma(va) != nullptr);
    CHECK(peek(lab, child, va) == 'D');
}

TEST_CASE("MADV_WIPEONFORK gives the child and its own children zeroes and keeps the parent's value")
{
    ForkStrategy const s = each_copying_strategy();
    Lab lab(with(s));
    std::uint64_t const va = map(lab, lab.main, 1);
    poke(lab, lab.main, va, 'X');
    REQUIRE(lab.k.madvise(lab.main, va, P, MADV_WIPEONFORK));
    lab.check();

    pid_t const child = lab.fork(lab.main);
    // madvise(2): "the child process will see the memory ... zero-filled"; the area is there.
    Vma const* v = mm_of(lab, child).find_vma(va);
    REQUIRE(v != nullptr);
    CHECK((v->flags & kVmWipeOnFork) != 0);  // Kept across fork, so grandchildren are wiped too.
    // (On-demand-fork shares the whole page-table page instead.)
    if (s != ForkStrategy::Odf)
        CHECK_FALSE(pte_present(pte(lab, child, va)));
    CHECK(peek(lab, child, va) == 0);
    poke(lab, child, va, 'Y');

    pid_t const grandchild = lab.fork(child);
    CHECK(peek(lab, grandchild, va) == 0);
    CHECK(peek(lab, child, va) == 'Y');
    CHECK(peek(lab, lab.main, va) == 'X');
    CHECK(frame(lab, lab.main, va) != frame(lab, child, va));
}

TEST_CASE("MADV_KEEPONFORK undoes MADV_WIPEONFORK")
{
    Lab lab;
    std::uint64_t const va = map(lab, lab.main, 1);
    poke(lab, lab.main, va, 'X');
    REQUIRE(lab.k.madvise(lab.main, va, P, MADV_WIPEONFORK));
    lab.check();
    REQUIRE(lab.k.madvise(lab.main, va, P, MADV_KEEPONFORK));
    lab.check();
    CHECK((mm_of(lab, lab.main).find_vma(va)->flags & kVmWipeOnFork) == 0);
    pid_t const child = lab.fork(lab.main);
    CHECK(peek(lab, child, va) == 'X');
}

TEST_CASE("MADV_WIPEONFORK is for private anonymous memory only: EINVAL on shared or file mappings")
{
    Lab lab;
    std::uint64_t va = 0;
    SUBCASE("shared anonymous") { va = map(lab, lab.main, 1, kRW, kSharedAnon); }
    SUBCASE("private file")
    {
        auto file = make_ref<FakeFile>(std::vector<std::uint8_t>{1});
        va = map(lab, lab.main, 1, kRW, MAP_PRIVATE, file);
    }
    poke(lab, lab.main, va, 'S');
    lab.fails(lab.k.madvise(lab.main, va, P, MADV_WIPEONFORK), EINVAL);
    CHECK((mm_of(lab, lab.main).find_vma(va)->flags & kVmWipeOnFork) == 0);
    pid_t const child = lab.fork(lab.main);
    CHECK(peek(lab, child, va) == 'S');
}

TEST_CASE("madvise: EINVAL for an unaligned address or unknown advice, ENOMEM for a hole after advising the rest")
{
    Lab lab;
    std::uint64_t const va = map(lab, lab.main, 3);
    poke(lab, lab.main, va, 1);
    lab.fails(lab.k.madvise(lab.main, va + 1, P, MADV_DONTFORK), EINVAL);
    lab.fails(lab.k.madvise(lab.main, va, P, 999), EINVAL);
    CHECK((mm_of(lab, lab.main).find_vma(va)->flags & kVmDontFork) == 0);

    REQUIRE(lab.k.munmap(lab.main, va + P, P));
    lab.check();
    lab.fails(lab.k.madvise(lab.main, va + P, P, MADV_DONTFORK), ENOMEM);
    // Linux's madvise_walk_vmas() advises every mapped part, then reports the hole.
    lab.fails(lab.k.madvise(lab.main, va, 3 * P, MADV_DONTFORK), ENOMEM);
    CHECK((mm_of(lab, lab.main).find_vma(va)->flags & kVmDontFork) != 0);
    CHECK((mm_of(lab, lab.main).find_vma(va + 2 * P)->flags & kVmDontFork) != 0);
    pid_t const child = lab.fork(lab.main);
    CHECK(mm_of(lab, child).find_vma(va) == nullptr);
    // A zero length is a no-op, not an error.
    REQUIRE(lab.k.madvise(lab.main, va + P, 0, MADV_DONTFORK));
    lab.check();
}

TEST_CASE("MADV_DONTNEED drops private pages: the next read sees zeros, and a forked process keeps its own")
{
    ForkStrategy const s = each_copying_strategy();
    Lab lab(with(s));
    std::uint64_t const va = map(lab, lab.main, 2);
    poke(lab, lab.main, va, 'N');
    poke(lab, lab.main, va + P, 'M');
    pid_t const child = lab.fork(lab.main);
    std::size_t const used = in_use(lab);
    REQUIRE(lab.k.madvise(lab.main, va, 2 * P, MADV_DONTNEED));
    lab.check();
    CHECK_FALSE(pte_present(pte(lab, lab.main, va)));
    CHECK(peek(lab, lab.main, va) == 0);  // madvise(2): zero-fill-on-demand pages afterwards.
    CHECK(peek(lab, child, va) == 'N');
    CHECK(peek(lab, child, va + P) == 'M');
    if (s == ForkStrategy::Copy)
        CHECK(in_use(lab) == used - 2);  // The parent's own copies are freed.
    else
        CHECK(in_use(lab) == used);      // The frames are the child's now.
}

TEST_CASE("MADV_DONTNEED on a locked range fails with EINVAL and keeps the pages")
{
    // mm/madvise.c madvise_dontneed_free_valid_vma(): VM_LOCKED areas are refused (only
    // MADV_DONTNEED_LOCKED may drop them). Checked on Linux 6.18: EINVAL, the value survives.
    Lab lab;
    std::uint64_t const va = map(lab, lab.main, 1);
    poke(lab, lab.main, va, 'L');
    REQUIRE(lab.k.mlock(lab.main, va, P));
    lab.check();
    lab.fails(lab.k.madvise(lab.main, va, P, MADV_DONTNEED), EINVAL);
    CHECK(peek(lab, lab.main, va) == 'L');
}

// ================================================================================================
// mlock(2) and mlockall(2)
// ================================================================================================

TEST_CASE("mlock populates the range, and a fork child does not inherit the lock")
{
    ForkStrategy const s = each_copying_strategy();
    Lab lab(with(s));
    std::uint64_t const va = map(lab, lab.main, 3);
    std::size_t const used = in_use(lab);
    REQUIRE(lab.k.mlock(lab.main, va, 3 * P));
    lab.check();
    Vma const* v = mm_of(lab, lab.main).find_vma(va);
    REQUIRE(v != nullptr);
    CHECK((v->flags & kVmLocked) != 0);
    CHECK(mm_of(lab, lab.main).locked_pages() == 3);
    // A writable private area is faulted in for writing: real frames, not the zero page.
    CHECK(resident(lab, lab.main, va, 3) == std::vector<std::uint8_t>{1, 1, 1});
    CHECK(in_use(lab) == used + 3);
    CHECK(frame(lab, lab.main, va + 2 * P) != kZeroFrame);
    poke(lab, lab.main, va, 'm');

    pid_t const child = lab.fork(lab.main);
    // fork(2): "The child does not inherit its parent's memory locks (mlock(2), mlockall(2))."
    Vma const* cv = mm_of(lab, child).find_vma(va);
    REQUIRE(cv != nullptr);
    CHECK((cv->flags & kVmLocked) == 0);
    CHECK(mm_of(lab, child).locked_pages() == 0);
    CHECK((mm_of(lab, lab.main).find_vma(va)->flags & kVmLocked) != 0);
    CHECK(peek(lab, child, va) == 'm');

    REQUIRE(lab.k.munlock(lab.main, va, 3 * P));
    lab.check();
    CHECK(mm_of(lab, lab.main).locked_pages() == 0);
}

TEST_CASE("mlockall(MCL_FUTURE) locks the parent's later mappings but not those of a fork child")
{
    Lab lab;
    REQUIRE(lab.k.mlockall(lab.main, MCL_FUTURE));
    lab.check();
    CHECK(mm_of(lab, lab.main).lock_future());
    std::uint64_t const va = map(lab, lab.main, 2);
    CHECK((mm_of(lab, lab.main).find_vma(va)->flags & kVmLocked) != 0);
    CHECK(resident(lab, lab.main, va, 2) == std::vector<std::uint8_t>{1, 1});

    pid_t const child = lab.fork(lab.main);
    CHECK_FALSE(mm_of(lab, child).lock_future());
    std::uint64_t const cva = map(lab, child, 2);
    CHECK((mm_of(lab, child).find_vma(cva)->flags & kVmLocked) == 0);
    CHECK(resident(lab, child, cva, 2) == std::vector<std::uint8_t>{0, 0});

    REQUIRE(lab.k.munlockall(lab.main));
    lab.check();
    CHECK_FALSE(mm_of(lab, lab.main).lock_future());
    CHECK(mm_of(lab, lab.main).locked_pages() == 0);
}

TEST_CASE("mlock beyond RLIMIT_MEMLOCK fails with ENOMEM for a student, and root is exempt")
{
    Lab lab;
    SUBCASE("a student")
    {
        set_memlock(lab, lab.main, 4 * P);
        std::uint64_t const va = map(lab, lab.main, 8);
        std::size_t const used = in_use(lab);
        lab.fails(lab.k.mlock(lab.main, va, 8 * P), ENOMEM);
        CHECK(mm_of(lab, lab.main).locked_pages() == 0);
        CHECK(in_use(lab) == used);  // Nothing was populated.
        REQUIRE(lab.k.mlock(lab.main, va, 4 * P));
        lab.check();
        CHECK(mm_of(lab, lab.main).locked_pages() == 4);
        // Already-locked pages count against the limit: one more is too many.
        lab.fails(lab.k.mlock(lab.main, va + 4 * P, P), ENOMEM);
        lab.fails(lab.k.mlockall(lab.main, MCL_CURRENT), ENOMEM);
    }
    SUBCASE("root (CAP_IPC_LOCK)")
    {
        pid_t const root = root_process(lab);
        set_memlock(lab, root, 4 * P);
        std::uint64_t const va = map(lab, root, 8);
        REQUIRE(lab.k.mlock(root, va, 8 * P));
        lab.check();
        CHECK(mm_of(lab, root).locked_pages() == 8);
        REQUIRE(lab.k.mlockall(root, MCL_CURRENT));
        lab.check();
    }
    // An unmapped range is ENOMEM whoever asks.
    lab.fails(lab.k.mlock(lab.main, 0x10000, P), ENOMEM);
}

TEST_CASE("with RLIMIT_MEMLOCK at 0 a student may lock nothing at all: EPERM")
{
    // mm/mlock.c: can_do_mlock() is false without CAP_IPC_LOCK and with a zero limit, and
    // mlock(), mlockall() (any flags) return EPERM before looking at the range (mlock(2)
    // ERRORS: "EPERM The caller is not privileged, but needs privilege (CAP_IPC_LOCK)").
    // Checked on Linux 6.18 as uid 1000: mlock, mlockall(MCL_CURRENT), mlockall(MCL_FUTURE) EPERM.
    Lab lab;
    set_memlock(lab, lab.main, 0);
    std::uint64_t const va = map(lab, lab.main, 1);
    lab.fails(lab.k.mlock(lab.main, va, P), EPERM);
    lab.fails(lab.k.mlockall(lab.main, MCL_CURRENT), EPERM);
    lab.fails(lab.k.mlockall(lab.main, MCL_FUTURE), EPERM);
    CHECK_FALSE(mm_of(lab, lab.main).lock_future());
    CHECK(mm_of(lab, lab.main).locked_pages() == 0);
}

TEST_CASE("a mapping that MCL_FUTURE or MAP_LOCKED would lock beyond RLIMIT_MEMLOCK fails with EAGAIN")
{
    // mm/mmap.c do_mmap(): if (!mlock_future_ok(mm, vm_flags, len)) return -EAGAIN; (mmap(2):
    // "EAGAIN ... too much memory has been locked"). Checked on Linux 6.18 as uid 1000.
    Lab lab;
    set_memlock(lab, lab.main, 4 * P);
    int flags = kPrivateAnon;
    SUBCASE("mlockall(MCL_FUTURE)")
    {
        REQUIRE(lab.k.mlockall(lab.main, MCL_FUTURE));
        lab.check();
    }
    SUBCASE("MAP_LOCKED") { flags |= MAP_LOCKED; }
    std::size_t const vmas = mm_of(lab, lab.main).vmas().size();
    std::size_t const used = in_use(lab);
    lab.fails(lab.k.mmap(lab.main, 0, 8 * P, kRW, flags), EAGAIN);
    CHECK(mm_of(lab, lab.main).vmas().size() == vmas);
    CHECK(in_use(lab) == used);
    std::uint64_t const va = map(lab, lab.main, 2, kRW, flags);
    CHECK(resident(lab, lab.main, va, 2) == std::vector<std::uint8_t>{1, 1});
}

TEST_CASE("mlockall rejects empty, unknown and MCL_ONFAULT-only flags with EINVAL")
{
    Lab lab;
    lab.fails(lab.k.mlockall(lab.main, 0), EINVAL);
    lab.fails(lab.k.mlockall(lab.main, MCL_ONFAULT), EINVAL);
    lab.fails(lab.k.mlockall(lab.main, MCL_CURRENT | 0x100), EINVAL);
    CHECK_FALSE(mm_of(lab, lab.main).lock_future());
    REQUIRE(lab.k.mlockall(lab.main, MCL_FUTURE | MCL_ONFAULT));
    lab.check();
    CHECK(mm_of(lab, lab.main).lock_future());
}

TEST_CASE("a small freshly exec'd program can mlockall(MCL_CURRENT) under the default RLIMIT_MEMLOCK")
{
    // On Linux the stack VMA starts at about 132 KiB and grows on demand; only what is mapped
    // counts against RLIMIT_MEMLOCK (mlockall checks mm->total_vm). Checked on Linux 6.18: a
    // static program as uid 1000 with the default 8 MiB limit locks its 1 MiB without error.
    Lab lab;
    ProgramImage img = small_program();
    img.stack_size = ProgramImage{}.stack_size;  // The default: RLIMIT_STACK's 8 MiB.
    exec(lab, lab.main, img);
    REQUIRE(lab.task(lab.main).signal->rlim[RLIMIT_MEMLOCK].cur == 8u << 20);
    auto r = lab.k.mlockall(lab.main, MCL_CURRENT);
    lab.check();
    CHECK_MESSAGE(r, "mlockall(MCL_CURRENT) failed: " << why(r));
}

TEST_CASE("brk under mlockall(MCL_FUTURE) grows a locked heap that is resident at once")
{
    // mm/mmap.c brk(): populate = newbrk > oldbrk && (mm->def_flags & VM_LOCKED); then
    // mm_populate(). Checked on Linux 6.18: mincore reports every new heap page resident.
    Lab lab;
    exec(lab, lab.main);
    REQUIRE(lab.k.mlockall(lab.main, MCL_FUTURE));
    lab.check();
    std::uint64_t const start = mm_of(lab, lab.main).start_brk();
    auto r = lab.k.brk(lab.main, start + 4 * P);
    REQUIRE(r);
    lab.check();
    CHECK(*r == start + 4 * P);
    CHECK((mm_of(lab, lab.main).find_vma(start)->flags & kVmLocked) != 0);
    CHECK(resident(lab, lab.main, start, 4) == std::vector<std::uint8_t>{1, 1, 1, 1});
}

// ================================================================================================
// Frames come back
// ================================================================================================

TEST_CASE("every frame is freed when the last task using it exits")
{
    ForkStrategy const s = each_copying_strategy();
    Lab lab(with(s));
    std::size_t const before = in_use(lab);
    std::uint64_t const va = map(lab, lab.main, 4);
    for (int i = 0; i < 3; ++i)
        poke(lab, lab.main, va + std::uint64_t(i) * P, std::uint8_t(10 + i));
    CHECK(peek(lab, lab.main, va + 3 * P) == 0);
    std::size_t const setup = in_use(lab);
    CHECK(setup == before + 3);

    pid_t const child = lab.fork(lab.main);
    poke(lab, child, va, 20);
    poke(lab, child, va + 3 * P, 21);
    pid_t const grandchild = lab.fork(child);
    poke(lab, grandchild, va + P, 30);
    exit_and_reap(lab, grandchild, child);
    lab.exit(child);
    CHECK(in_use(lab) == setup);  // exit_mm() frees the address space before the zombie is reaped.
    lab.reap(lab.main, child);
    CHECK(in_use(lab) == setup);
    CHECK(lab.k.physical_memory().with_data() == 3);
    for (int i = 0; i < 3; ++i)
        CHECK(refs(lab, frame(lab, lab.main, va + std::uint64_t(i) * P)) == 1);
    CHECK(peek(lab, lab.main, va) == 10);

    lab.exit(lab.main);  // init reaps it at once.
    CHECK_FALSE(lab.exists(lab.main));
    CHECK(in_use(lab) == before);
    CHECK(lab.k.physical_memory().with_data() == 0);
}

TEST_CASE("exec_image frees the frames of the address space it replaces, but not those another process shares")
{
    Lab lab;
    std::size_t const before = in_use(lab);
    exec(lab, lab.main);
    CHECK(peek(lab, lab.main, kText) == 0x90);
    CHECK(peek(lab, lab.main, kRodata) == 'h');
    poke(lab, lab.main, kData, 1);
    poke(lab, lab.main, kBss, 2);
    CHECK(in_use(lab) > before);

    SUBCASE("alone")
    {
        exec(lab, lab.main);
        CHECK(in_use(lab) == before);
        CHECK(peek(lab, lab.main, kData) == 7);  // The new image's data, not the old write.
    }
    SUBCASE("with a forked child still using the old frames")
    {
        pid_t const child = lab.fork(lab.main);
        std::size_t const shared = in_use(lab);
        exec(lab, lab.main);
        CHECK(in_use(lab) == shared);
        CHECK(peek(lab, child, kData) == 1);
        CHECK(peek(lab, child, kBss) == 2);
        CHECK(refs(lab, frame(lab, child, kBss)) == 1);
        exit_and_reap(lab, child, lab.main);
        CHECK(in_use(lab) == before);
    }
}

// ================================================================================================
// The four strategies, vfork and CLONE_VM
// ================================================================================================

TEST_CASE("one program ends in the same state under cow, copy and odf, under vfork the child's write is the parent's")
{
    Lab lab;
    ForkStrategy s = ForkStrategy::Cow;
    SUBCASE("cow") { s = ForkStrategy::Cow; }
    SUBCASE("copy") { s = ForkStrategy::Copy; }
    SUBCASE("odf") { s = ForkStrategy::Odf; }
    SUBCASE("vfork") { s = ForkStrategy::Vfork; }
    REQUIRE(lab.k.set_fork_strategy(s));
    lab.check();
    int const dups = lab.count_events(EventKind::MmDup);
    std::uint64_t const va = map(lab, lab.main, 2);
    poke(lab, lab.main, va, 'P');
    poke(lab, lab.main, va + P, 'Q');
    std::size_t const used = in_use(lab);

    pid_t const child = lab.fork(lab.main);
    CHECK(peek(lab, child, va) == 'P');
    poke(lab, child, va, 'C');
    exit_and_reap(lab, child, lab.main);
    CHECK(in_use(lab) == used);
    CHECK(peek(lab, lab.main, va + P) == 'Q');
    if (s == ForkStrategy::Vfork) {
        // vfork(2): the child "shares all memory with its parent"; a write is the parent's too.
        CHECK(peek(lab, lab.main, va) == 'C');
        CHECK(lab.count_events(EventKind::MmDup) == dups);
    } else {
        CHECK(peek(lab, lab.main, va) == 'P');
        CHECK(last_of(lab, EventKind::MmDup, lab.main).aux == std::uint8_t(s));
    }
}

TEST_CASE("vfork and CLONE_VM share the address space: each side sees the other's writes")
{
    Lab lab;
    std::uint64_t const va = map(lab, lab.main, 1);
    poke(lab, lab.main, va, 'P');
    int const events = lab.count_events(EventKind::MmDup);

    SUBCASE("vfork: the parent sleeps, and finds the child's write when it wakes")
    {
        auto r = lab.k.vfork(lab.main);
        REQUIRE(r);
        lab.check();
        pid_t const child = *r;
        CHECK(lab.task(child).mm == lab.task(lab.main).mm);
        CHECK(lab.task(lab.main).state == TaskState::Blocked);
        poke(lab, child, va, 'C');
        CHECK(pte_write(pte(lab, child, va)));  // No copy-on-write: it is the same page table.
        SUBCASE("the child exits")
        {
            exit_and_reap(lab, child, lab.main);
        }
        SUBCASE("the child execs: it gets an address space of its own, the parent keeps its own")
        {
            exec(lab, child);
            CHECK(lab.task(child).mm != lab.task(lab.main).mm);
            CHECK(lab.task(lab.main).mm->use_count() == 1);
            CHECK(lab.task(lab.main).state == TaskState::Runnable);
            CHECK(peek(lab, child, kData) == 7);
        }
        CHECK(peek(lab, lab.main, va) == 'C');
    }
    SUBCASE("CLONE_VM without CLONE_VFORK: both run, and every write is seen at once")
    {
        auto r = lab.k.clone(lab.main, CloneArgs{CLONE_VM, SIGCHLD});
        REQUIRE(r);
        lab.check();
        pid_t const child = *r;
        CHECK(lab.task(child).mm == lab.task(lab.main).mm);
        poke(lab, child, va, 'C');
        CHECK(peek(lab, lab.main, va) == 'C');
        poke(lab, lab.main, va, 'p');
        CHECK(peek(lab, child, va) == 'p');
        CHECK(lab.task(lab.main).mm_counters.cow_copies + lab.task(child).mm_counters.cow_copies == 0);
        exit_and_reap(lab, child, lab.main);
        CHECK(peek(lab, lab.main, va) == 'p');
    }
    CHECK(lab.count_events(EventKind::MmDup) == events);  // Nothing was copied.
}

// ================================================================================================
// SIGSEGV and the OOM killer
// ================================================================================================

TEST_CASE("an access outside every VMA is SIGSEGV with SEGV_MAPERR, and the process dies of it")
{
    Lab lab;
    std::uint64_t const va = map(lab, lab.main, 1);
    pid_t const child = lab.fork(lab.main);
    std::uint64_t addr = 0;
    Access access = Access::Read;
    SUBCASE("a read of a never-mapped address") { addr = 0x10000; }
    SUBCASE("a write just past a mapping") { addr = va + P; access = Access::Write; }
    SUBCASE("a read after munmap")
    {
        REQUIRE(lab.k.munmap(child, va, P));
        lab.check();
        addr = va;
    }
    FaultResult const f = bad_access(lab, child, addr, access);
    CHECK(f.kind == Kind::Segv);
    CHECK(f.si_code == SEGV_MAPERR);
    Event const e = last_fault(lab, child);
    CHECK(kind_of(e) == Kind::Segv);
    CHECK(explain(e).find("SIGSEGV") != std::string::npos);
    CHECK(lab.task(child).mm_counters.minor_faults == 0);  // A bad access is not a page fault served.
    dies_of(lab, lab.main, child, SIGSEGV);
}

TEST_CASE("a write to a read-only VMA, or any access to PROT_NONE, is SIGSEGV with SEGV_ACCERR")
{
    Lab lab;
    pid_t child = 0;
    std::uint64_t addr = 0;
    Access access = Access::Write;
    std::uint8_t expect = 0;
    SUBCASE("a PROT_READ mapping")
    {
        addr = map(lab, lab.main, 1, PROT_READ);
        child = lab.fork(lab.main);
    }
    SUBCASE("a page made read-only with mprotect after it was written")
    {
        addr = map(lab, lab.main, 1);
        poke(lab, lab.main, addr, 'w');
        expect = 'w';
        child = lab.fork(lab.main);
        REQUIRE(lab.k.mprotect(child, addr, P, PROT_READ));
        lab.check();
        CHECK_FALSE(pte_write(pte(lab, child, addr)));
    }
    SUBCASE("program text")
    {
        exec(lab, lab.main);
        addr = kText;
        expect = 0x90;
        child = lab.fork(lab.main);
    }
    SUBCASE("a read of PROT_NONE")
    {
        addr = map(lab, lab.main, 1, PROT_NONE);
        child = lab.fork(lab.main);
        access = Access::Read;
    }
    FaultResult const f = bad_access(lab, child, addr, access);
    CHECK(f.kind == Kind::Segv);
    CHECK(f.si_code == SEGV_ACCERR);
    CHECK(kind_of(last_fault(lab, child)) == Kind::Segv);
    if (access == Access::Write)
        CHECK(peek(lab, lab.main, addr) == expect);
    dies_of(lab, lab.main, child, SIGSEGV);
}

TEST_CASE("a fault's SIGSEGV kills even when ignored or blocked, and runs a handler when one is set")
{
    // kernel/signal.c force_sig_info_to_task(): an ignored or blocked forced signal is reset
    // to SIG_DFL and unblocked, so that the faulting process cannot loop for ever.
    Lab lab;
    pid_t const child = lab.fork(lab.main);
    SUBCASE("SIG_IGN")
    {
        REQUIRE(lab.k.sigaction(child, SIGSEGV, SigAction{kSigIgn}));
        lab.check();
        bad_access(lab, child, 0x10000, Access::Read);
        CHECK(lab.task(child).sighand->action(SIGSEGV).handler == kSigDfl);
        dies_of(lab, lab.main, child, SIGSEGV);
    }
    SUBCASE("blocked")
    {
        REQUIRE(lab.k.sigprocmask(child, SIG_BLOCK, sigbit(SIGSEGV)));
        lab.check();
        bad_access(lab, child, 0x10000, Access::Read);
        CHECK((lab.task(child).blocked & sigbit(SIGSEGV)) == 0);
        dies_of(lab, lab.main, child, SIGSEGV);
    }
    SUBCASE("a handler")
    {
        REQUIRE(lab.k.sigaction(child, SIGSEGV, SigAction{0x401000}));
        lab.check();
        bad_access(lab, child, 0x10000, Access::Read);
        auto d = lab.run(child);
        REQUIRE(d.has_value());
        CHECK(d->sig == SIGSEGV);
        CHECK_FALSE(lab.task(child).is_zombie());
    }
}

TEST_CASE("a write that needs a frame when none is free kills the faulting task with SIGKILL")
{
    Lab lab(KernelConfig{.physical_frames = 4});
    std::uint64_t const va = map(lab, lab.main, 8);
    for (int i = 0; i < 4; ++i)
        poke(lab, lab.main, va + std::uint64_t(i) * P, std::uint8_t(i + 1));
    REQUIRE(in_use(lab) == lab.k.physical_memory().total());
    pid_t const child = lab.fork(lab.main);  // Copy-on-write needs no frame to fork.
    CHECK(peek(lab, child, va + 5 * P) == 0);  // Nor does a read of untouched memory.

    std::uint64_t addr = 0;
    SUBCASE("a copy-on-write copy") { addr = va + P; }
    SUBCASE("untouched memory") { addr = va + 6 * P; }
    FaultResult const f = bad_access(lab, child, addr, Access::Write);
    CHECK(f.kind == Kind::Oom);
    Event const oom = last_of(lab, EventKind::OomKill, child);
    CHECK(std::uint64_t(oom.value) == addr);
    dies_of(lab, lab.main, child, SIGKILL);
    CHECK(in_use(lab) == 4);
    // The child's references are gone: the parent's write reuses its frame, needing none.
    poke(lab, lab.main, va + P, 9);
    CHECK(kind_of(last_fault(lab, lab.main)) == Kind::CowReuse);
    CHECK(peek(lab, lab.main, va) == 1);
}

TEST_CASE("a copy-strategy fork without enough free frames fails with ENOMEM and leaves nothing behind")
{
    Lab lab(KernelConfig{.physical_frames = 4, .fork_strategy = ForkStrategy::Copy});
    std::uint64_t const va = map(lab, lab.main, 3);
    for (int i = 0; i < 3; ++i)
        poke(lab, lab.main, va + std::uint64_t(i) * P, std::uint8_t(i + 1));
    std::size_t const used = in_use(lab);
    std::size_t const tasks = lab.k.nr_tasks();
    std::uint64_t const failures = lab.k.counters().fork_failures;

    lab.fails(lab.k.fork(lab.main), ENOMEM);
    CHECK(in_use(lab) == used);
    CHECK(lab.k.nr_tasks() == tasks);
    CHECK(lab.task(lab.main).children.empty());
    CHECK(lab.k.counters().fork_failures == failures + 1);
    Event const e = last_of(lab, EventKind::ForkFailed, lab.main);
    CHECK(e.aux == std::uint8_t(ForkFailure::NoMemory));
    CHECK(e.value == ENOMEM);
    for (int i = 0; i < 3; ++i) {
        std::uint64_t const a = va + std::uint64_t(i) * P;
        CHECK(refs(lab, frame(lab, lab.main, a)) == 1);
        CHECK(pte_write(pte(lab, lab.main, a)));  // Not even write-protected.
        CHECK(peek(lab, lab.main, a) == i + 1);
    }
    // The same fork under copy-on-write needs no frame at all.
    REQUIRE(lab.k.set_fork_strategy(ForkStrategy::Cow));
    lab.check();
    pid_t const child = lab.fork(lab.main);
    CHECK(peek(lab, child, va + 2 * P) == 3);
    CHECK(in_use(lab) == used);
}

// ================================================================================================
// The mapping system calls
// ================================================================================================

TEST_CASE("mmap rejects bad arguments with Linux's errnos and maps nothing")
{
    Lab lab;
    auto file = make_ref<FakeFile>(std::vector<std::uint8_t>{1});
    std::size_t const vmas = mm_of(lab, lab.main).vmas().size();
    lab.fails(lab.k.mmap(lab.main, 0, 0, kRW, kPrivateAnon), EINVAL);
    lab.fails(lab.k.mmap(lab.main, 0x10000001, P, kRW, kPrivateAnon | MAP_FIXED), EINVAL);
    lab.fails(lab.k.mmap(lab.main, 0, P, kRW, MAP_ANONYMOUS), EINVAL);  // Neither shared nor private.
    lab.fails(lab.k.mmap(lab.main, 0, P, kRW, MAP_SHARED | MAP_PRIVATE | MAP_ANONYMOUS), EINVAL);
    lab.fails(lab.k.mmap(lab.main, 0, P, kRW, MAP_PRIVATE), EBADF);  // No file and not anonymous.
    lab.fails(lab.k.mmap(lab.main, 0, P, kRW, MAP_PRIVATE, file, 100), EINVAL);  // Unaligned offset.
    lab.fails(lab.k.mmap(lab.main, kTaskSize - P, 2 * P, kRW, kPrivateAnon | MAP_FIXED), ENOMEM);
    lab.fails(lab.k.mmap(lab.main, 0, kTaskSize + P, kRW, kPrivateAnon), ENOMEM);
    CHECK(mm_of(lab, lab.main).vmas().size() == vmas);

    // A length is rounded up to whole pages; MAP_FIXED puts the mapping where asked.
    auto r = lab.k.mmap(lab.main, 0x10000000, 10, kRW, kPrivateAnon | MAP_FIXED);
    REQUIRE(r);
    lab.check();
    CHECK(*r == 0x10000000);
    Vma const* v = mm_of(lab, lab.main).find_vma(0x10000000);
    REQUIRE(v != nullptr);
    CHECK(v->end == 0x10000000 + P);
    CHECK(v->prot == kRW);
    CHECK_FALSE(v->shared());
}

TEST_CASE("mmap ignores prot bits it does not know, as Linux does, while mprotect rejects them")
{
    // mm/mmap.c do_mmap() never validates prot: calc_vm_prot_bits() keeps the bits it knows.
    // mprotect() checks arch_validate_prot(). Checked on Linux 6.18: mmap(PROT_READ|0x100) works,
    // mprotect(PROT_READ|0x100) is EINVAL.
    Lab lab;
    auto r = lab.k.mmap(lab.main, 0, P, PROT_READ | 0x100, kPrivateAnon);
    lab.check();
    REQUIRE_MESSAGE(r, "mmap(PROT_READ|0x100) failed: " << why(r));
    CHECK((mm_of(lab, lab.main).find_vma(*r)->prot & PROT_READ) != 0);
    lab.fails(lab.k.mprotect(lab.main, *r, P, PROT_READ | 0x100), EINVAL);
}

TEST_CASE("munmap splits a VMA and frees the frames of the hole")
{
    Lab lab;
    std::uint64_t const va = map(lab, lab.main, 3);
    for (int i = 0; i < 3; ++i)
        poke(lab, lab.main, va + std::uint64_t(i) * P, std::uint8_t(i + 1));
    std::size_t const vmas = mm_of(lab, lab.main).vmas().size();
    std::size_t const used = in_use(lab);

    REQUIRE(lab.k.munmap(lab.main, va + P, P));
    lab.check();
    MmStruct const& mm = mm_of(lab, lab.main);
    CHECK(mm.vmas().size() == vmas + 1);
    CHECK(mm.find_vma(va + P) == nullptr);
    REQUIRE(mm.find_vma(va) != nullptr);
    CHECK(mm.find_vma(va)->end == va + P);
    REQUIRE(mm.find_vma(va + 2 * P) != nullptr);
    CHECK(mm.find_vma(va + 2 * P)->start == va + 2 * P);
    CHECK(in_use(lab) == used - 1);
    CHECK(peek(lab, lab.main, va) == 1);
    CHECK(peek(lab, lab.main, va + 2 * P) == 3);
    lab.fails(lab.k.mincore(lab.main, va + P, P), ENOMEM);

    REQUIRE(lab.k.munmap(lab.main, va + P, P));  // Unmapping nothing is not an error.
    lab.check();
    lab.fails(lab.k.munmap(lab.main, va, 0), EINVAL);
    lab.fails(lab.k.munmap(lab.main, va + 1, P), EINVAL);
    CHECK(mm.vmas().size() == vmas + 1);
}

TEST_CASE("mprotect splits a VMA, and rejects an unaligned address, unknown bits and a hole")
{
    Lab lab;
    std::uint64_t const va = map(lab, lab.main, 3);
    for (int i = 0; i < 3; ++i)
        poke(lab, lab.main, va + std::uint64_t(i) * P, std::uint8_t(i + 1));
    std::size_t const vmas = mm_of(lab, lab.main).vmas().size();
    REQUIRE(lab.k.mprotect(lab.main, va + P, P, PROT_READ));
    lab.check();
    MmStruct const& mm = mm_of(lab, lab.main);
    CHECK(mm.vmas().size() == vmas + 2);
    CHECK(mm.find_vma(va)->prot == kRW);
    CHECK(mm.find_vma(va + P)->prot == PROT_READ);
    CHECK(mm.find_vma(va + 2 * P)->prot == kRW);
    CHECK(pte_write(pte(lab, lab.main, va)));
    CHECK_FALSE(pte_write(pte(lab, lab.main, va + P)));
    CHECK(peek(lab, lab.main, va + P) == 2);

    lab.fails(lab.k.mprotect(lab.main, va + 1, P, PROT_READ), EINVAL);
    lab.fails(lab.k.mprotect(lab.main, va, P, PROT_READ | 0x100), EINVAL);
    REQUIRE(lab.k.munmap(lab.main, va + 2 * P, P));
    lab.check();
    lab.fails(lab.k.mprotect(lab.main, va + 2 * P, P, PROT_READ), ENOMEM);
    lab.fails(lab.k.mprotect(lab.main, va + P, 2 * P, kRW), ENOMEM);
    CHECK(mm.find_vma(va)->prot == kRW);
}

TEST_CASE("brk grows and shrinks the heap, and refuses to run into another mapping")
{
    Lab lab;
    exec(lab, lab.main);
    std::uint64_t const start = mm_of(lab, lab.main).start_brk();
    CHECK(start == kBrkStart);
    auto brk = [&](std::uint64_t addr) {
        auto r = lab.k.brk(lab.main, addr);
        REQUIRE(r);
        lab.check();
        return *r;
    };
    CHECK(brk(0) == start);  // brk(0) asks where the break is.
    CHECK(mm_of(lab, lab.main).find_vma(start) == nullptr);

    CHECK(brk(start + 3 * P + 100) == start + 3 * P + 100);
    Vma const* heap = mm_of(lab, lab.main).find_vma(start);
    REQUIRE(heap != nullptr);
    CHECK(heap->kind == VmaKind::Heap);
    CHECK(heap->end == start + 4 * P);
    poke(lab, lab.main, start, 'h');
    poke(lab, lab.main, start + 3 * P + 50, 't');
    std::size_t const used = in_use(lab);

    CHECK(brk(start + P) == start + P);
    CHECK(mm_of(lab, lab.main).find_vma(start)->end == start + P);
    CHECK(mm_of(lab, lab.main).find_vma(start + 3 * P) == nullptr);
    CHECK(in_use(lab) == used - 1);  // The page holding 't' is freed.
    CHECK(peek(lab, lab.main, start) == 'h');
    CHECK(brk(start - P) == start + P);  // Below the start of the heap: refused, unchanged.

    // A mapping above the heap: the heap may grow up to one guard page below it, no further.
    auto r = lab.k.mmap(lab.main, start + 3 * P, P, kRW, kPrivateAnon | MAP_FIXED);
    REQUIRE(r);
    lab.check();
    CHECK(brk(start + 3 * P) == start + P);
    CHECK(mm_of(lab, lab.main).find_vma(start)->end == start + P);
    CHECK(brk(start + 2 * P) == start + 2 * P);
    CHECK(mm_of(lab, lab.main).find_vma(start)->end == start + 2 * P);
    // A forked child inherits the break.
    pid_t const child = lab.fork(lab.main);
    CHECK(mm_of(lab, child).current_brk() == start + 2 * P);
    CHECK(peek(lab, child, start) == 'h');
}

TEST_CASE("mincore reports which pages are resident")
{
    Lab lab;
    std::uint64_t const va = map(lab, lab.main, 4);
    CHECK(resident(lab, lab.main, va, 4) == std::vector<std::uint8_t>{0, 0, 0, 0});
    poke(lab, lab.main, va, 1);
    CHECK(peek(lab, lab.main, va + 2 * P) == 0);  // The zero page is mapped, so resident too.
    CHECK(resident(lab, lab.main, va, 4) == std::vector<std::uint8_t>{1, 0, 1, 0});
    CHECK(resident(lab, lab.main, va, 0).empty());
    lab.fails(lab.k.mincore(lab.main, va + 1, P), EINVAL);
    REQUIRE(lab.k.munmap(lab.main, va + 3 * P, P));
    lab.check();
    lab.fails(lab.k.mincore(lab.main, va, 4 * P), ENOMEM);
}

TEST_CASE("mincore reports a shared page as resident once any process has brought it in")
{
    // mm/mincore.c: for a file or shmem mapping, an unmapped page is looked up in the page
    // cache (mincore_page), so it is resident if another process touched it. Checked on Linux
    // 6.18: a MAP_SHARED|MAP_ANONYMOUS page written only by a child reads as resident in the parent.
    Lab lab;
    std::uint64_t const va = map(lab, lab.main, 1, kRW, kSharedAnon);
    pid_t const child = lab.fork(lab.main);
    poke(lab, child, va, 7);
    CHECK(resident(lab, lab.main, va, 1) == std::vector<std::uint8_t>{1});
    CHECK(peek(lab, lab.main, va) == 7);
}

// ================================================================================================
// Counters, RSS and events
// ================================================================================================

TEST_CASE("fork's costs: cow copies entries, copy copies frames, odf shares page-table pages")
{
    ForkStrategy const s = each_copying_strategy();
    Lab lab(with(s));
    std::uint64_t const va = map(lab, lab.main, 3);
    poke(lab, lab.main, va, 1);
    poke(lab, lab.main, va + P, 2);
    CHECK(peek(lab, lab.main, va + 2 * P) == 0);
    std::size_t const leaves = mm_of(lab, lab.main).page_table().leaves().size();
    REQUIRE(leaves == 1);
    MmCounters const t0 = lab.k.mm_counters();
    MmCounters const p0 = lab.task(lab.main).mm_counters;
    std::size_t const used = in_use(lab);

    pid_t const child = lab.fork(lab.main);
    MmCounters const t1 = lab.k.mm_counters();
    MmCounters const p1 = lab.task(lab.main).mm_counters;
    Event const dup = last_of(lab, EventKind::MmDup, lab.main);
    CHECK(dup.other == child);
    CHECK(dup.aux == std::uint8_t(s));
    switch (s) {
    case ForkStrategy::Cow:
        CHECK(t1.ptes_copied - t0.ptes_copied == 3);  // Two frames and one zero-page entry.
        CHECK(t1.pt_pages_copied - t0.pt_pages_copied == leaves);
        CHECK(t1.frames_copied == t0.frames_copied);
        CHECK(t1.pt_pages_shared == t0.pt_pages_shared);
        CHECK(in_use(lab) == used);
        CHECK(dup.value == 3);
        CHECK(dup.extra == 0);
        break;
    case ForkStrategy::Copy:
        CHECK(t1.ptes_copied - t0.ptes_copied == 3);
        CHECK(t1.frames_copied - t0.frames_copied == 2);  // The zero page is not copied.
        CHECK(t1.pt_pages_copied - t0.pt_pages_copied == leaves);
        CHECK(in_use(lab) == used + 2);
        CHECK(dup.value == 5);
        break;
    default:
        CHECK(t1.pt_pages_shared - t0.pt_pages_shared == leaves);
        CHECK(t1.ptes_copied == t0.ptes_copied);
        CHECK(t1.pt_pages_copied == t0.pt_pages_copied);
        CHECK(mm_of(lab, child).page_table().leaf_is_shared(va));
        CHECK(in_use(lab) == used);
        CHECK(dup.value == 0);
        CHECK(dup.extra == leaves);
        break;
    }
    // The parent did the work and pays for it; the child starts with nothing counted.
    CHECK(p1.ptes_copied - p0.ptes_copied == t1.ptes_copied - t0.ptes_copied);
    CHECK(p1.frames_copied - p0.frames_copied == t1.frames_copied - t0.frames_copied);
    CHECK(p1.pt_pages_shared - p0.pt_pages_shared == t1.pt_pages_shared - t0.pt_pages_shared);
    CHECK(p1.pt_pages_copied - p0.pt_pages_copied == t1.pt_pages_copied - t0.pt_pages_copied);
    MmCounters const& c0 = lab.task(child).mm_counters;
    CHECK(c0.ptes_copied + c0.frames_copied + c0.pt_pages_copied + c0.minor_faults == 0);

    poke(lab, child, va, 10);
    poke(lab, lab.main, va, 11);
    CHECK(peek(lab, child, va + 2 * P) == 0);
    MmCounters const& c = lab.task(child).mm_counters;
    MmCounters const& p = lab.task(lab.main).mm_counters;
    MmCounters const t2 = lab.k.mm_counters();
    if (s == ForkStrategy::Copy) {
        // Every page is the child's own, mapped writable: no fault at all.
        CHECK(c.minor_faults == 0);
        CHECK(c.cow_copies == 0);
        CHECK(p.cow_reuses == p1.cow_reuses);
    } else {
        CHECK(c.cow_copies == 1);
        CHECK(c.minor_faults == 1);
        CHECK(p.cow_reuses - p1.cow_reuses == 1);
        CHECK(p.minor_faults - p1.minor_faults == 1);
    }
    if (s == ForkStrategy::Odf) {
        // The first write under the shared page-table page copies it; the other side then
        // holds the original alone.
        CHECK(c.pt_pages_copied == 1);
        CHECK(p.pt_pages_copied == p1.pt_pages_copied);
        CHECK((last_fault(lab, child).aux & 0x80) != 0);
        CHECK(explain(last_fault(lab, child)).find("On-demand-fork") != std::string::npos);
        CHECK((last_fault(lab, lab.main).aux & 0x80) == 0);
        CHECK_FALSE(mm_of(lab, child).page_table().leaf_is_shared(va));
    } else {
        CHECK(c.pt_pages_copied == 0);
    }
    CHECK(c.zero_maps == 0);  // The zero-page entry came with the fork.
    // The kernel's totals are the tasks' sums.
    CHECK(t2.cow_copies - t1.cow_copies == c.cow_copies + (p.cow_copies - p1.cow_copies));
    CHECK(t2.cow_reuses - t1.cow_reuses == c.cow_reuses + (p.cow_reuses - p1.cow_reuses));
    CHECK(t2.minor_faults - t1.minor_faults == c.minor_faults + (p.minor_faults - p1.minor_faults));
    CHECK(t2.pt_pages_copied - t1.pt_pages_copied == c.pt_pages_copied + (p.pt_pages_copied - p1.pt_pages_copied));
}

TEST_CASE("RSS counts a page as shared while another address space maps its frame, private after a write")
{
    ForkStrategy const s = each_copying_strategy();
    Lab lab(with(s));
    std::uint64_t const va = map(lab, lab.main, 3);
    poke(lab, lab.main, va, 1);
    poke(lab, lab.main, va + P, 2);
    CHECK(peek(lab, lab.main, va + 2 * P) == 0);  // The zero page is in nobody's RSS.
    Rss r = mm_of(lab, lab.main).rss();
    CHECK(r.shared == 0);
    CHECK(r.private_ == 2);

    pid_t const child = lab.fork(lab.main);
    std::uint64_t const shared_after_fork = s == ForkStrategy::Copy ? 0 : 2;
    for (pid_t pid : {lab.main, child}) {
        r = mm_of(lab, pid).rss();
        CHECK(r.shared == shared_after_fork);
        CHECK(r.private_ == 2 - shared_after_fork);
    }
    poke(lab, child, va, 10);
    for (pid_t pid : {lab.main, child}) {
        r = mm_of(lab, pid).rss();
        CHECK(r.shared == shared_after_fork / 2);
        CHECK(r.private_ == 2 - shared_after_fork / 2);
    }
}

TEST_CASE("exec_image maps text read-only and shared, and data private and copy-on-write")
{
    ForkStrategy const s = each_sharing_strategy();
    Lab lab(with(s));
    exec(lab, lab.main);
    MmStruct const& mm = mm_of(lab, lab.main);
    REQUIRE(mm.find_vma(kText) != nullptr);
    CHECK(mm.find_vma(kText)->kind == VmaKind::Text);
    CHECK(mm.find_vma(kText)->prot == (PROT_READ | PROT_EXEC));
    CHECK(mm.find_vma(kRodata)->kind == VmaKind::Rodata);
    CHECK(mm.find_vma(kRodata)->prot == PROT_READ);
    CHECK(mm.find_vma(kData)->kind == VmaKind::Data);
    CHECK(mm.find_vma(kData)->prot == kRW);
    CHECK(mm.find_vma(kBss)->kind == VmaKind::Bss);
    CHECK(mm.find_vma(kBss + P)->kind == VmaKind::Bss);
    Vma const* stack = mm.find_vma(MmStruct::kStackTop - 1);
    REQUIRE(stack != nullptr);
    CHECK(stack->kind == VmaKind::Stack);
    CHECK((stack->flags & kVmGrowsDown) != 0);
    CHECK(stack->end - stack->start == 16 * P);
    CHECK(lab.task(lab.main).name() == "prog");

    CHECK(peek(lab, lab.main, kText + 99) == 0x90);
    CHECK(peek(lab, lab.main, kText + 100) == 0);
    CHECK(peek(lab, lab.main, kRodata + 1) == 'i');
    CHECK(peek(lab, lab.main, kData) == 7);
    CHECK(peek(lab, lab.main, kBss) == 0);
    FrameNr const text = frame(lab, lab.main, kText);
    FrameNr const data = frame(lab, lab.main, kData);
    CHECK_FALSE(pte_write(pte(lab, lab.main, kText)));
    CHECK_FALSE(pte_write(pte(lab, lab.main, kData)));  // Private file page: copied on write.
    CHECK(refs(lab, text) == 2);  // The program's page cache and one page-table entry.

    pid_t const child = lab.fork(lab.main);
    // Linux's vma_needs_copy(): text holds no anonymous page, so fork copies none of its entries;
    // the child's first fetch maps the page cache's frame -- the very same one.
    // (On-demand-fork shares the whole page-table page instead.)
    if (s != ForkStrategy::Odf)
        CHECK_FALSE(pte_present(pte(lab, child, kText)));
    CHECK(peek(lab, child, kText) == 0x90);
    CHECK(frame(lab, child, kText) == text);
    if (s == ForkStrategy::Cow)
        CHECK(refs(lab, text) == 3);
    std::size_t const used = in_use(lab);

    poke(lab, child, kData, 42);
    CHECK(kind_of(last_fault(lab, child)) == Kind::CowCopy);
    CHECK(frame(lab, child, kData) != data);
    CHECK(peek(lab, child, kData + 1) == 8);
    CHECK(peek(lab, lab.main, kData) == 7);
    CHECK(lab.k.physical_memory().read_byte(data, 0) == 7);  // The program file is untouched.
    CHECK(in_use(lab) == used + 1);
    // The parent's data page is the file's, so its write must copy too, never reuse.
    poke(lab, lab.main, kData, 43);
    CHECK(kind_of(last_fault(lab, lab.main)) == Kind::CowCopy);
    CHECK(lab.k.physical_memory().read_byte(data, 0) == 7);

    FaultResult const f = bad_access(lab, child, kText, Access::Write);
    CHECK(f.si_code == SEGV_ACCERR);
    CHECK(lab.k.physical_memory().read_byte(text, 0) == 0x90);
    dies_of(lab, lab.main, child, SIGSEGV);
    CHECK(frame(lab, lab.main, kText) == text);
}

TEST_CASE("a failing exec_image leaves the old address space intact")
{
    Lab lab;
    exec(lab, lab.main);
    poke(lab, lab.main, kData, 42);
    MmStruct const* before = &mm_of(lab, lab.main);
    std::size_t const used = in_use(lab);
    int const execs = lab.count_events(EventKind::Exec);

    ProgramImage huge = small_program();
    huge.bss_size = std::uint64_t(1) << 47;  // More than the whole user address space.
    auto r = lab.k.exec_image(lab.main, "huge", huge);
    lab.fails(r, ENOMEM);
    CHECK(&mm_of(lab, lab.main) == before);
    CHECK(peek(lab, lab.main, kData) == 42);
    CHECK(in_use(lab) == used);
    CHECK(lab.task(lab.main).name() == "prog");
    CHECK(lab.count_events(EventKind::Exec) == execs);
}

TEST_CASE("page-fault events name the frames they copy or reuse, and fork logs what it copied")
{
    Lab lab;
    std::uint64_t const va = map(lab, lab.main, 1);
    poke(lab, lab.main, va, 1);
    Event e = last_fault(lab, lab.main);
    CHECK(kind_of(e) == Kind::Alloc);
    CHECK((e.aux & 0x40) != 0);  // A write.
    FrameNr const f = frame(lab, lab.main, va);
    CHECK(explain(e).find("fresh zeroed frame, " + std::to_string(f)) != std::string::npos);

    pid_t const child = lab.fork(lab.main);
    Event const dup = last_of(lab, EventKind::MmDup, lab.main);
    CHECK(dup.other == child);
    CHECK(dup.aux == std::uint8_t(ForkStrategy::Cow));
    CHECK(dup.value == 1);
    CHECK(explain(dup).find("1 entry") != std::string::npos);

    poke(lab, child, va, 2);
    e = last_fault(lab, child);
    FrameNr const g = frame(lab, child, va);
    CHECK((std::uint64_t(e.value) >> 48) == 2);  // References on the old frame before the fault.
    CHECK((std::uint64_t(e.value) & ((std::uint64_t(1) << 48) - 1)) == va);
    std::string const copied = "frame " + std::to_string(f) + " was shared by 2 mappings, so it was copied to frame " +
        std::to_string(g);
    CHECK_MESSAGE(explain(e).find(copied) != std::string::npos, explain(e));

    poke(lab, lab.main, va, 3);
    e = last_fault(lab, lab.main);
    std::string const reused = "frame " + std::to_string(f) + " is mapped only here";
    CHECK_MESSAGE(explain(e).find(reused) != std::string::npos, explain(e));
}
