// MemoryPort: the one door through which the machine reads and writes a task's memory. Every
// access goes through the model's page table (Kernel::read_memory/write_memory), so loads and
// stores fault exactly where a real program's would. A software TLB belongs here, and only here.
#pragma once

#include "kernel/kernel.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>

namespace forklab::lang {

class MemoryPort {
public:
    MemoryPort(Kernel& kernel, pid_t pid) : m_kernel(kernel), m_pid(pid) {}

    // False when the access faulted: the kernel has already queued SIGSEGV (or killed the task
    // when memory ran out), as a CPU's fault would.
    bool read(std::uint64_t va, void* out, std::size_t size)
    {
        auto r = m_kernel.read_memory(m_pid, va, std::span(static_cast<std::uint8_t*>(out), size));
        return r && r->ok;
    }
    bool write(std::uint64_t va, void const* bytes, std::size_t size)
    {
        auto r = m_kernel.write_memory(m_pid, va, std::span(static_cast<std::uint8_t const*>(bytes), size));
        return r && r->ok;
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
    Kernel& m_kernel;
    pid_t m_pid;
};

}  // namespace forklab::lang
