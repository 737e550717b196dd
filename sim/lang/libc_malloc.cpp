// malloc, calloc, realloc and free on a brk heap in the process's own memory, laid out as
// glibc's ptmalloc lays it out on x86-64, so that a program's heap overflow lands on the next
// chunk's header exactly as it would in C:
//
//   chunk:  prev_size (8)  size | PREV_INUSE (8)  user data ...   (user pointer = chunk + 16)
//
// A chunk is a multiple of 16 bytes, at least 32, and its user data may use the next chunk's
// prev_size field (malloc(24) takes a 32-byte chunk). Small freed chunks (up to 1040 bytes) go
// to per-size LIFO lists of at most 7, like glibc's tcache -- whose 0x290-byte table is the
// heap's first chunk, so the first malloc returns heap start + 0x2a0 as on Linux -- and the
// freed chunk carries the tcache key that catches a double free. Others are coalesced with
// free neighbours and the top chunk. The heap grows with brk(2) by the request plus 128 KiB
// (M_TOP_PAD) and never shrinks. Unlike glibc, large requests are not given their own mmap.
#include "lang/libc.h"
#include "lang/libc_stream.h"

#include <csignal>
#include <cstring>

namespace forklab::lang::libc {

namespace {

constexpr std::uint64_t kPrevInuse = 1;
constexpr std::uint64_t kMinChunk = 32;
constexpr std::uint64_t kTcacheMax = 1040;   // The largest chunk the tcache holds.
constexpr std::uint64_t kTcacheBins = 64;
constexpr std::uint64_t kTcacheCount = 7;    // mp_.tcache_count
constexpr std::uint64_t kTcacheStruct = 0x290;
constexpr std::uint64_t kTopPad = 128 << 10;  // M_TOP_PAD
constexpr std::uint64_t kPage = 4096;
constexpr std::uint64_t kMagic = 0x6d616c6c6f63ULL;  // "malloc"

// The heap's state in the library's data (data::kHeap).
enum Field : std::uint64_t { kInit = 0, kBase = 8, kTop = 16, kEnd = 24, kFreeList = 32, kTcache = 40, kMark = 48 };

std::uint64_t request_size(std::uint64_t n) { return std::max<std::uint64_t>(kMinChunk, (n + 8 + 15) & ~std::uint64_t(15)); }

// An allocator error as glibc's malloc_printerr reports it.
struct Corruption {
    char const* message = nullptr;
};

class Heap {
public:
    explicit Heap(BuiltinCall& c) : m_c(c), m_state(libc_data(c, data::kHeap)) {}

    // The user pointer, or 0: `err` is ENOMEM, or a fault/corruption (see corruption()).
    std::uint64_t allocate(std::uint64_t n);
    bool release(std::uint64_t p);  // False: a fault or a corruption was found.
    std::uint64_t reallocate(std::uint64_t p, std::uint64_t n);
    bool zero_fresh(std::uint64_t p, std::uint64_t n, std::uint64_t old_mark);
    std::uint64_t mark() { return get(kMark); }

    bool faulted() const { return m_fault; }
    char const* corruption() const { return m_corrupt.message; }

private:
    std::uint64_t get(std::uint64_t field) { return load(m_state + field); }
    void set(std::uint64_t field, std::uint64_t v) { store(m_state + field, v); }
    std::uint64_t load(std::uint64_t at)
    {
        std::uint64_t v = 0;
        if (!m_fault && !m_c.mem.load(at, 8, v))
            m_fault = true;
        return v;
    }
    void store(std::uint64_t at, std::uint64_t v)
    {
        if (!m_fault && !m_c.mem.store(at, 8, v))
            m_fault = true;
    }
    bool corrupt(char const* message)
    {
        if (!m_corrupt.message)
            m_corrupt.message = message;
        return false;
    }
    bool ok() const { return !m_fault && !m_corrupt.message; }

    std::uint64_t size_of(std::uint64_t chunk) { return load(chunk + 8) & ~std::uint64_t(7); }
    bool prev_inuse(std::uint64_t chunk) { return load(chunk + 8) & kPrevInuse; }
    void set_head(std::uint64_t chunk, std::uint64_t size, bool prev_inuse) { store(chunk + 8, size | (prev_inuse ? kPrevInuse : 0)); }
    void set_prev_inuse(std::uint64_t chunk, bool on)
    {
        std::uint64_t const h = load(chunk + 8);
        store(chunk + 8, on ? h | kPrevInuse : h & ~kPrevInuse);
    }

    bool init();
    bool grow(std::uint64_t need);
    std::uint64_t from_tcache(std::uint64_t size);
    std::uint64_t from_free_list(std::uint64_t size);
    std::uint64_t from_top(std::uint64_t size);
    void split(std::uint64_t chunk, std::uint64_t size);
    bool to_tcache(std::uint64_t chunk, std::uint64_t size, bool& taken);
    bool free_chunk(std::uint64_t chunk);
    void link(std::uint64_t chunk);
    bool unlink(std::uint64_t chunk);
    bool check_pointer(std::uint64_t p, char const* invalid_pointer);

    BuiltinCall& m_c;
    std::uint64_t m_state;
    bool m_fault = false;
    Corruption m_corrupt;
};

// The first use: the heap starts at the program break; glibc's tcache table is its first chunk.
bool Heap::init()
{
    if (get(kInit) == kMagic)
        return ok();
    auto brk = m_c.kernel.brk(m_c.pid, 0);
    if (!brk)
        return false;
    std::uint64_t const base = (*brk + 15) & ~std::uint64_t(15);
    set(kBase, base), set(kTop, base), set(kEnd, base), set(kMark, base), set(kFreeList, 0), set(kTcache, 0);
    if (!ok() || !grow(kTcacheStruct + kMinChunk))
        return false;
    std::uint64_t const table = from_top(kTcacheStruct);
    if (!table)
        return false;
    set(kTcache, table + 16);
    set(kInit, kMagic);
    return ok();
}

// sbrk(): the top chunk grows by what is missing plus M_TOP_PAD, in whole pages.
bool Heap::grow(std::uint64_t need)
{
    std::uint64_t const top = get(kTop), end = get(kEnd);
    std::uint64_t const have = end - top;
    if (have >= need)
        return true;
    std::uint64_t const want = ((end + (need - have) + kTopPad + kPage - 1) & ~(kPage - 1));
    if (want < end)
        return false;
    auto r = m_c.kernel.brk(m_c.pid, want);
    if (!r || *r != want)
        return false;  // ENOMEM: the break did not move (RLIMIT_DATA, a mapping in the way).
    set(kEnd, want);
    bool const prev = top == get(kBase) || prev_inuse(top);
    set_head(top, want - top, prev);
    return ok();
}

std::uint64_t Heap::from_top(std::uint64_t size)
{
    if (!grow(size + kMinChunk))
        return 0;
    std::uint64_t const top = get(kTop), end = get(kEnd);
    bool const prev = top == get(kBase) || prev_inuse(top);
    set_head(top, size, prev);
    set_head(top + size, end - top - size, true);
    set(kTop, top + size);
    set(kMark, std::max(get(kMark), top + size + 16));
    return ok() ? top : 0;
}

std::uint64_t Heap::from_tcache(std::uint64_t size)
{
    std::uint64_t const table = get(kTcache);
    if (size > kTcacheMax || !table)
        return 0;
    std::uint64_t const bin = (size - kMinChunk) / 16;
    std::uint64_t count = 0;
    if (!m_c.mem.load(table + 2 * bin, 2, count))
        return m_fault = true, 0;
    std::uint64_t const entry = load(table + 128 + 8 * bin);
    if (!count || !entry)
        return 0;
    if (entry & 15)
        return corrupt("malloc(): unaligned tcache chunk detected"), 0;
    store(table + 128 + 8 * bin, load(entry));
    (void)m_c.mem.store(table + 2 * bin, 2, count - 1);
    store(entry + 8, 0);  // The key: no longer free.
    return ok() ? entry - 16 : 0;
}

void Heap::link(std::uint64_t chunk)
{
    std::uint64_t const head = get(kFreeList);
    store(chunk + 16, head);
    store(chunk + 24, 0);
    if (head)
        store(head + 24, chunk);
    set(kFreeList, chunk);
}

bool Heap::unlink(std::uint64_t chunk)
{
    std::uint64_t const fd = load(chunk + 16), bk = load(chunk + 24);
    if ((bk ? load(bk + 16) : get(kFreeList)) != chunk || (fd && load(fd + 24) != chunk))
        return corrupt("corrupted double-linked list");
    if (bk)
        store(bk + 16, fd);
    else
        set(kFreeList, fd);
    if (fd)
        store(fd + 24, bk);
    return ok();
}

// A remainder of at least the minimum chunk becomes a free chunk of its own.
void Heap::split(std::uint64_t chunk, std::uint64_t size)
{
    std::uint64_t const total = size_of(chunk);
    if (total - size < kMinChunk) {
        set_prev_inuse(chunk + total, true);
        return;
    }
    set_head(chunk, size, prev_inuse(chunk));
    set_head(chunk + size, total - size, true);
    store(chunk + total, total - size);  // The next chunk's prev_size.
    set_prev_inuse(chunk + total, false);
    link(chunk + size);
}

// Best fit over the coalesced free chunks.
std::uint64_t Heap::from_free_list(std::uint64_t size)
{
    std::uint64_t const base = get(kBase), end = get(kEnd);
    std::uint64_t best = 0, best_size = 0;
    std::uint64_t steps = (end - base) / kMinChunk + 1;
    for (std::uint64_t c = get(kFreeList); c && ok(); c = load(c + 16)) {
        if (c < base || c >= end || (c & 15) || steps-- == 0)
            return corrupt("malloc(): corrupted unsorted chunks"), 0;
        std::uint64_t const s = size_of(c);
        if (s >= size && (!best || s < best_size))
            best = c, best_size = s;
        if (s == size)
            break;
    }
    if (!best || !unlink(best))
        return 0;
    split(best, size);
    return ok() ? best : 0;
}

std::uint64_t Heap::allocate(std::uint64_t n)
{
    if (n > (std::uint64_t(1) << 62) || !init())
        return 0;
    std::uint64_t const size = request_size(n);
    std::uint64_t chunk = from_tcache(size);
    if (!chunk && ok())
        chunk = from_free_list(size);
    if (!chunk && ok())
        chunk = from_top(size);
    return chunk && ok() ? chunk + 16 : 0;
}

// glibc's checks at the top of free() and realloc().
bool Heap::check_pointer(std::uint64_t p, char const* invalid_pointer)
{
    if (get(kInit) != kMagic)
        return corrupt(invalid_pointer);
    std::uint64_t const chunk = p - 16;
    if ((p & 15) || chunk < get(kBase) || chunk >= get(kEnd))
        return corrupt(invalid_pointer);
    std::uint64_t const size = size_of(chunk);
    if (size < kMinChunk || (size & 15) || chunk + size > get(kEnd))
        return corrupt("free(): invalid size");
    return ok();
}

// tcache_put, after glibc's double-free check: a chunk whose key is the tcache's is looked for
// in its list.
bool Heap::to_tcache(std::uint64_t chunk, std::uint64_t size, bool& taken)
{
    taken = false;
    std::uint64_t const table = get(kTcache);
    if (size > kTcacheMax || !table)
        return ok();
    std::uint64_t const bin = (size - kMinChunk) / 16, p = chunk + 16;
    std::uint64_t count = 0;
    if (!m_c.mem.load(table + 2 * bin, 2, count))
        return m_fault = true, false;
    if (load(p + 8) == table) {
        std::uint64_t e = load(table + 128 + 8 * bin);
        for (std::uint64_t i = 0; e && i < count && ok(); ++i, e = load(e))
            if (e == p)
                return corrupt("free(): double free detected in tcache 2");
    }
    if (count >= kTcacheCount)
        return ok();
    store(p, load(table + 128 + 8 * bin));
    store(p + 8, table);
    store(table + 128 + 8 * bin, p);
    (void)m_c.mem.store(table + 2 * bin, 2, count + 1);
    taken = true;
    return ok();
}

// _int_free's checks and consolidation with the neighbours and the top chunk.
bool Heap::free_chunk(std::uint64_t chunk)
{
    std::uint64_t size = size_of(chunk);
    std::uint64_t const top = get(kTop), end = get(kEnd);
    if (chunk == top)
        return corrupt("double free or corruption (top)");
    std::uint64_t const next = chunk + size;
    if (next >= end)
        return corrupt("double free or corruption (out)");
    if (!prev_inuse(next))
        return corrupt("double free or corruption (!prev)");
    std::uint64_t const next_size = size_of(next);
    if (next_size <= 16 || next + next_size > end)
        return corrupt("free(): invalid next size (normal)");
    if (!prev_inuse(chunk)) {
        std::uint64_t const prev_size = load(chunk);
        std::uint64_t const prev = chunk - prev_size;
        if (prev < get(kBase) || size_of(prev) != prev_size)
            return corrupt("corrupted size vs. prev_size while consolidating");
        if (!unlink(prev))
            return false;
        chunk = prev, size += prev_size;
    }
    if (next == top) {
        set_head(chunk, size + next_size, true);
        set(kTop, chunk);
        return ok();
    }
    if (!prev_inuse(next + next_size)) {
        if (!unlink(next))
            return false;
        size += next_size;
    } else {
        set_prev_inuse(next, false);
    }
    set_head(chunk, size, true);
    store(chunk + size, size);
    link(chunk);
    return ok();
}

bool Heap::release(std::uint64_t p)
{
    if (!p)
        return true;
    if (!check_pointer(p, "free(): invalid pointer"))
        return false;
    std::uint64_t const chunk = p - 16, size = size_of(chunk);
    bool taken = false;
    if (!to_tcache(chunk, size, taken))
        return false;
    return taken || free_chunk(chunk);
}

// realloc: shrink in place, grow into the top chunk or a free neighbour, or move.
std::uint64_t Heap::reallocate(std::uint64_t p, std::uint64_t n)
{
    if (n > (std::uint64_t(1) << 62) || !check_pointer(p, "realloc(): invalid pointer"))
        return 0;
    std::uint64_t const chunk = p - 16, old = size_of(chunk), size = request_size(n);
    if (old >= size) {
        if (old - size >= kMinChunk) {
            set_head(chunk, size, prev_inuse(chunk));
            set_head(chunk + size, old - size, true);
            if (!release(chunk + size + 16))
                return 0;
        }
        return ok() ? p : 0;
    }
    std::uint64_t const next = chunk + old;
    if (next == get(kTop) && grow(size - old + kMinChunk)) {
        std::uint64_t const end = get(kEnd);
        set_head(chunk, size, prev_inuse(chunk));
        set_head(chunk + size, end - chunk - size, true);
        set(kTop, chunk + size);
        set(kMark, std::max(get(kMark), chunk + size + 16));
        return ok() ? p : 0;
    }
    std::uint64_t const q = allocate(n);
    if (!q)
        return 0;
    if (!m_c.mem.copy(q, p, std::min(old - 8, n))) {
        m_fault = true;
        return 0;
    }
    return release(p) ? q : 0;
}

// calloc's clearing: memory the heap has never handed out is still the kernel's zeros.
bool Heap::zero_fresh(std::uint64_t p, std::uint64_t n, std::uint64_t old_mark)
{
    std::uint64_t const end = std::min(p + n, std::max(old_mark, p));
    return end <= p || m_c.mem.zero(p, end - p);
}

// malloc_printerr: the message on stderr (straight to the descriptor), then abort().
CallOutcome heap_corrupted(BuiltinCall& c, Heap const& heap)
{
    Session s(c);
    std::string const text = std::string(heap.corruption()) + "\n";
    std::uint64_t const at = (c.cpu.sp - 256 - text.size()) & ~std::uint64_t(15);
    if (!c.mem.write(at, text.data(), text.size()))
        return {Kind::Fault};
    if (!s.write(2, at, text.size()))
        return s.suspend();
    (void)c.kernel.sigaction(c.pid, SIGABRT, SigAction{});
    (void)c.kernel.sigprocmask(c.pid, SIG_UNBLOCK, sigbit(SIGABRT));
    (void)c.kernel.kill(c.pid, c.pid, SIGABRT);
    return {Kind::Restart};
}

CallOutcome finish(BuiltinCall& c, Heap const& heap, std::uint64_t p)
{
    if (heap.faulted())
        return {Kind::Fault};
    if (heap.corruption())
        return heap_corrupted(c, heap);
    if (!p && !c.machine.set_errno(c, ENOMEM))
        return {Kind::Fault};
    return value(std::int64_t(p));
}

CallOutcome do_malloc(BuiltinCall& c)
{
    Heap heap(c);
    return finish(c, heap, heap.allocate(c.arg(0)));
}

CallOutcome do_calloc(BuiltinCall& c)
{
    std::uint64_t total = 0;
    Heap heap(c);
    if (__builtin_mul_overflow(c.arg(0), c.arg(1), &total))
        return finish(c, heap, 0);
    std::uint64_t const mark = heap.mark();
    std::uint64_t const p = heap.allocate(total);
    if (p && !heap.zero_fresh(p, total, mark))
        return {Kind::Fault};
    return finish(c, heap, p);
}

CallOutcome do_realloc(BuiltinCall& c)
{
    Heap heap(c);
    std::uint64_t const p = c.arg(0), n = c.arg(1);
    if (!p)
        return finish(c, heap, heap.allocate(n));
    if (n == 0) {
        (void)heap.release(p);
        if (heap.faulted() || heap.corruption())
            return finish(c, heap, 0);
        return value(0);
    }
    return finish(c, heap, heap.reallocate(p, n));
}

CallOutcome do_free(BuiltinCall& c)
{
    Heap heap(c);
    if (heap.release(c.arg(0)))
        return value(0);
    return finish(c, heap, 0);
}

}  // namespace

std::span<Entry const> malloc_builtins()
{
    static Entry const table[] = {
        {"malloc", do_malloc}, {"calloc", do_calloc}, {"realloc", do_realloc}, {"free", do_free},
    };
    return table;
}

std::uint64_t heap_alloc(BuiltinCall& c, std::uint64_t size)
{
    Heap heap(c);
    std::uint64_t const p = heap.allocate(size);
    return heap.faulted() || heap.corruption() ? 0 : p;
}

void heap_free(BuiltinCall& c, std::uint64_t at)
{
    Heap heap(c);
    (void)heap.release(at);
}

}  // namespace forklab::lang::libc
