// MemoryPort: the one door through which the machine reads and writes a task's memory. Every
// access goes through the model's page table (Kernel::read_memory/write_memory), so loads and
// stores fault exactly where a real program's would. A software TLB belongs here, and only here.
#pragma once

#include "kernel/kernel.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>

namespace forklab::lang {

// The interpreter's software TLB: for the pages its loads and stores touched last, the frame
// each maps to and whether a store may go straight there. Like a CPU's, it caches only what the
// page table already allows -- a hit is an access that needs no fault, so it changes no counter
// and records no event -- and every miss takes the kernel's path (faults, signals, accounting).
// Its entries belong to one address space at one mapping generation: when either differs they
// are all dropped, so a fault, fork, exec, mmap, munmap, mprotect, brk or exit anywhere in the
// kernel flushes it (PhysicalMemory::mapping_generation()).
class SoftTlb {
public:
    static constexpr unsigned kEntries = 16;  // Direct-mapped by virtual page number.
    static constexpr std::uint64_t kNone = ~std::uint64_t(0);  // No page number is this large.
    struct Entry {
        std::uint64_t vpage = kNone;
        FrameNr frame = 0;
        bool writable = false;
        bool used() const { return vpage != kNone; }
    };

    // Keep the entries if they were made for `mm` at `generation`, else drop them. A null mm
    // (a task that may not access memory now) leaves the TLB empty and unfillable.
    void bind(MmStruct const* mm, std::uint64_t generation)
    {
        if (mm == m_mm && generation == m_generation)
            return;
        m_mm = mm;
        m_generation = generation;
        m_entries.fill(Entry{});
    }
    MmStruct const* mm() const { return m_mm; }
    std::uint64_t generation() const { return m_generation; }
    std::array<Entry, kEntries> const& entries() const { return m_entries; }

    // The entry for an access of `size` bytes at va, if it lies within one cached page (for a
    // store, one the page table lets it write).
    Entry const* find(std::uint64_t va, std::size_t size, bool write) const
    {
        if (size > kPageSize - (va & kPageMask))
            return nullptr;
        std::uint64_t const vpage = va >> kPageShift;
        Entry const& e = m_entries[vpage % kEntries];
        return e.vpage == vpage && (e.writable || !write) ? &e : nullptr;
    }
    void fill(std::uint64_t va, MmStruct::DirectPage page)
    {
        std::uint64_t const vpage = va >> kPageShift;
        m_entries[vpage % kEntries] = Entry{vpage, page.frame, page.writable};
    }

private:
    MmStruct const* m_mm = nullptr;
    std::uint64_t m_generation = 0;
    std::array<Entry, kEntries> m_entries{};
};

class MemoryPort {
public:
    MemoryPort(Kernel& kernel, pid_t pid) : m_kernel(kernel), m_pid(pid) {}
    // A port that caches translations in `tlb` (the interpreter loop's). Whoever uses it calls
    // sync() after anything other than its own accesses may have entered the kernel -- a
    // system call, a library call -- since the task itself may have changed then.
    MemoryPort(Kernel& kernel, pid_t pid, SoftTlb& tlb) : m_kernel(kernel), m_pid(pid), m_tlb(&tlb) { sync(); }

    // The TLB's entries are kept only while the task may still access memory, in the same
    // address space, at the same mapping generation.
    void sync()
    {
        if (!m_tlb)
            return;
        m_tlb->bind(m_kernel.user_mm(m_pid), m_kernel.mapping_generation());
        m_frames = m_tlb->mm() ? &m_tlb->mm()->phys() : nullptr;
    }

    // False when the access faulted: the kernel has already queued SIGSEGV (or killed the task
    // when memory ran out), as a CPU's fault would.
    bool read(std::uint64_t va, void* out, std::size_t size)
    {
        SoftTlb::Entry const* e = m_tlb ? m_tlb->find(va, size, false) : nullptr;
        if (!e)
            return read_through_kernel(va, out, size);
        if (std::uint8_t const* bytes = m_frames->bytes(e->frame))
            copy_bytes(out, bytes + (va & kPageMask), size);
        else
            std::memset(out, 0, size);  // A frame never written reads as zeros.
        return true;
    }
    bool write(std::uint64_t va, void const* bytes, std::size_t size)
    {
        SoftTlb::Entry const* e = m_tlb ? m_tlb->find(va, size, true) : nullptr;
        if (!e)
            return write_through_kernel(va, bytes, size);
        if (std::uint8_t* frame = m_frames->bytes(e->frame))
            copy_bytes(frame + (va & kPageMask), bytes, size);
        else  // The frame's first bytes: PhysicalMemory decides whether it needs any.
            m_frames->write(e->frame, va & kPageMask, std::span(static_cast<std::uint8_t const*>(bytes), size));
        return true;
    }
    // A little-endian integer of 1, 2, 4 or 8 bytes, zero-extended.
    bool load(std::uint64_t va, std::size_t size, std::uint64_t& value)
    {
        value = 0;
        return read(va, &value, size);
    }
    bool store(std::uint64_t va, std::size_t size, std::uint64_t value) { return write(va, &value, size); }

    // memcpy and memset inside the task's memory, a page at a time, so that a huge object costs
    // the host no more than a page of buffer.
    bool copy(std::uint64_t dst, std::uint64_t src, std::uint64_t size)
    {
        std::uint8_t page[4096];
        for (std::uint64_t done = 0; done < size;) {
            std::size_t const n = std::size_t(std::min<std::uint64_t>(sizeof page, size - done));
            if (!read(src + done, page, n) || !write(dst + done, page, n))
                return false;
            done += n;
        }
        return true;
    }
    bool zero(std::uint64_t dst, std::uint64_t size)
    {
        std::uint8_t const page[4096] = {};
        for (std::uint64_t done = 0; done < size;) {
            std::size_t const n = std::size_t(std::min<std::uint64_t>(sizeof page, size - done));
            if (!write(dst + done, page, n))
                return false;
            done += n;
        }
        return true;
    }

    // A NUL-terminated string of at most `max` bytes; nothing if it faults or is longer.
    std::optional<std::string> read_string(std::uint64_t va, std::size_t max = 4096)
    {
        std::string s;
        char c = 0;
        while (s.size() <= max) {
            if (!read(va + s.size(), &c, 1))
                return std::nullopt;
            if (!c)
                return s;
            s.push_back(c);
        }
        return std::nullopt;
    }

    // The kernel's side of a system call: the same memory, read or written as copy_from_user
    // and copy_to_user do. A bad address fails the call (EFAULT) and signals nothing.
    bool copy_from_user(std::uint64_t va, void* out, std::size_t size)
    {
        return bool(m_kernel.copy_in(m_pid, va, std::span(static_cast<std::uint8_t*>(out), size)));
    }
    bool copy_to_user(std::uint64_t va, void const* bytes, std::size_t size)
    {
        return bool(m_kernel.copy_out(m_pid, va, std::span(static_cast<std::uint8_t const*>(bytes), size)));
    }
    // A path argument (Linux: getname(), strncpy_from_user): EFAULT if it cannot be read,
    // ENAMETOOLONG if no NUL ends it within PATH_MAX bytes, ENOENT if it is empty.
    ErrorOr<std::string> path_from_user(std::uint64_t va)
    {
        std::string s;
        for (;;) {
            // Up to the next 64-byte boundary: a chunk never straddles two pages, so a chunk
            // that cannot be read means the string runs into a bad page.
            char chunk[64];
            std::size_t const room = 64 - (va + s.size()) % 64;
            if (!copy_from_user(va + s.size(), chunk, room))
                return error(EFAULT);
            std::size_t const n = strnlen(chunk, room);
            s.append(chunk, n);
            if (s.size() >= 4096)
                return error(ENAMETOOLONG);
            if (n < room)
                break;
        }
        if (s.empty())
            return error(ENOENT);
        return s;
    }

    pid_t pid() const { return m_pid; }

private:
    // memcpy, with the sizes of loads and stores known to the compiler: a move, not a call.
    static void copy_bytes(void* to, void const* from, std::size_t size)
    {
        switch (size) {
        case 1: std::memcpy(to, from, 1); break;
        case 2: std::memcpy(to, from, 2); break;
        case 4: std::memcpy(to, from, 4); break;
        case 8: std::memcpy(to, from, 8); break;
        default: std::memcpy(to, from, size); break;
        }
    }

    // A miss, or a port without a TLB: the kernel's path, faults and all. Kept out of line, so
    // that the hits above are inlined into the interpreter loop.
    [[gnu::noinline]] bool read_through_kernel(std::uint64_t va, void* out, std::size_t size)
    {
        auto r = m_kernel.read_memory(m_pid, va, std::span(static_cast<std::uint8_t*>(out), size));
        return refill(va, r && r->ok);
    }
    [[gnu::noinline]] bool write_through_kernel(std::uint64_t va, void const* bytes, std::size_t size)
    {
        auto r = m_kernel.write_memory(m_pid, va, std::span(static_cast<std::uint8_t const*>(bytes), size));
        return refill(va, r && r->ok);
    }

    // After a miss: the access may have faulted pages in (a new mapping generation), and the
    // page it reached is cached if it is now mapped for it.
    bool refill(std::uint64_t va, bool ok)
    {
        if (!m_tlb)
            return ok;
        sync();
        if (MmStruct const* mm = m_tlb->mm(); ok && mm)
            if (auto page = mm->direct_page(va))
                m_tlb->fill(va, *page);
        return ok;
    }

    Kernel& m_kernel;
    pid_t m_pid;
    SoftTlb* m_tlb = nullptr;
    PhysicalMemory* m_frames = nullptr;  // The TLB's address space's frames.
};

}  // namespace forklab::lang
