// forklab.h's introspection: what is behind an address, read from the model's page table. A
// program asks these about its own memory, as a real one could through /proc/self/pagemap and
// /proc/kpagecount (scenarios/include/forklab.h does exactly that when compiled with gcc). They
// only look: no fault is taken, no page is brought in, no event is logged.
//
//   long forklab_frame(const void *addr)     the frame number, -1 when no page is mapped there;
//                                            the shared zero page is frame 0.
//   long forklab_refcount(const void *addr)  how many page-table entries map that frame (Linux's
//                                            map count: 1 private, 2 or more shared), 0 when no
//                                            page is mapped, -2 for the zero page (not counted).
//   int forklab_shared(const void *addr)     1 when another mapping sees the same page (a COW
//                                            page not yet split, MAP_SHARED memory, the zero
//                                            page, a page-table page shared by On-demand-fork),
//                                            0 when the page is this mapping's alone or absent.
#include "lang/libc.h"

namespace forklab::lang::libc {

namespace {

constexpr std::int64_t kNotPresent = -1;
constexpr std::int64_t kUnknown = -2;

struct Mapping {
    MmStruct const* mm = nullptr;
    std::uint64_t va = 0;
    Pte pte = 0;
};

// The caller's page-table entry for the address (not present when it has no mm at all).
Mapping mapping_of(BuiltinCall const& c)
{
    Task const* task = c.kernel.find_task(c.pid);
    if (!task || !task->mm)
        return {};
    std::uint64_t const va = c.arg(0);
    return {task->mm.get(), va, task->mm->pte(va)};
}

// Linux's map count leaves the page cache's own reference out: a file page mapped by one
// process has a map count of 1 though the cache holds it too.
std::int64_t map_count(Mapping const& m)
{
    FrameNr const frame = pte_frame(m.pte);
    std::int64_t count = m.mm->phys().refcount(frame);
    Vma const* vma = m.mm->find_vma(m.va);
    if (vma && vma->object && vma->object->cached_frame(vma->object_index(m.va)) == frame)
        --count;
    return count;
}

CallOutcome do_frame(BuiltinCall& c)
{
    Mapping const m = mapping_of(c);
    return value(pte_present(m.pte) ? std::int64_t(pte_frame(m.pte)) : kNotPresent);
}

CallOutcome do_refcount(BuiltinCall& c)
{
    Mapping const m = mapping_of(c);
    if (!pte_present(m.pte))
        return value(0);
    if (pte_frame(m.pte) == kZeroFrame)
        return value(kUnknown);
    return value(map_count(m));
}

CallOutcome do_shared(BuiltinCall& c)
{
    Mapping const m = mapping_of(c);
    if (!pte_present(m.pte))
        return value(0);
    bool const shared = pte_frame(m.pte) == kZeroFrame || map_count(m) > 1 || m.mm->page_table().leaf_is_shared(m.va);
    return value(shared);
}

}  // namespace

std::span<Entry const> forklab_builtins()
{
    static Entry const table[] = {
        {"forklab_frame", do_frame},
        {"forklab_refcount", do_refcount},
        {"forklab_shared", do_shared},
    };
    return table;
}

}  // namespace forklab::lang::libc
