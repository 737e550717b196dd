// MemoryReader: the library's way to walk a task's memory forward (strings, environ). It reads
// from an address to the end of that address's page in one access and serves later bytes from
// that copy, so a string costs the kernel one access per page rather than one per byte. The
// rest of a page is readable whenever one byte of it is (protection is per page), so this reads
// nothing a byte-by-byte walk would not: it faults exactly where the first unreadable byte is.
#pragma once

#include "lang/memory_port.h"
#include "mm/page.h"

#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>

namespace forklab::lang {

// Who reads: the program itself (a bad address faults: SIGSEGV is queued, as for the CPU's
// load), or the kernel for a system call (copy_from_user: a bad address only fails the call).
enum class Access : std::uint8_t { User, Kernel };

class MemoryReader {
public:
    explicit MemoryReader(MemoryPort& mem, Access access = Access::User) : m_mem(mem), m_access(access) {}
    MemoryReader(MemoryReader const&) = delete;
    MemoryReader& operator=(MemoryReader const&) = delete;

    // The bytes from `va` to the end of its page; empty if `va` could not be read.
    std::span<std::uint8_t const> chunk(std::uint64_t va)
    {
        if (va - m_base >= m_size && !fill(va))
            return {};
        return std::span<std::uint8_t const>(m_page + (va - m_base), m_size - (va - m_base));
    }

    bool byte(std::uint64_t va, std::uint8_t& out)
    {
        auto const c = chunk(va);
        if (c.empty())
            return false;
        out = c[0];
        return true;
    }

    // A little-endian 64-bit word (a pointer in an array such as environ).
    bool word(std::uint64_t va, std::uint64_t& out)
    {
        std::uint8_t bytes[8];
        for (std::uint64_t i = 0; i < 8; ++i)
            if (!byte(va + i, bytes[i]))
                return false;
        std::memcpy(&out, bytes, sizeof out);
        return true;
    }

    // The length of the NUL-terminated string at `va`, or nothing if it faulted first.
    std::optional<std::uint64_t> length(std::uint64_t va)
    {
        for (std::uint64_t n = 0;;) {
            auto const c = chunk(va + n);
            if (c.empty())
                return std::nullopt;
            if (void const* nul = std::memchr(c.data(), 0, c.size()))
                return n + std::uint64_t(static_cast<std::uint8_t const*>(nul) - c.data());
            n += c.size();
        }
    }

    enum class Status : std::uint8_t { Ok, Fault, TooLong };
    // The string at `va` into `out`, if it has at most `max` bytes before its NUL.
    Status string(std::uint64_t va, std::size_t max, std::string& out)
    {
        out.clear();
        for (;;) {
            auto const c = chunk(va + out.size());
            if (c.empty())
                return Status::Fault;
            void const* nul = std::memchr(c.data(), 0, c.size());
            std::size_t const n = nul ? std::size_t(static_cast<std::uint8_t const*>(nul) - c.data()) : c.size();
            if (out.size() + n > max)
                return Status::TooLong;
            out.append(reinterpret_cast<char const*>(c.data()), n);
            if (nul)
                return Status::Ok;
        }
    }

private:
    bool fill(std::uint64_t va)
    {
        std::size_t const n = std::size_t(kPageSize - (va & kPageMask));
        m_size = 0;
        bool const ok = m_access == Access::User ? m_mem.read(va, m_page, n) : m_mem.copy_from_user(va, m_page, n);
        if (!ok)
            return false;
        m_base = va;
        m_size = n;
        return true;
    }

    MemoryPort& m_mem;
    Access m_access;
    std::uint64_t m_base = 0;
    std::size_t m_size = 0;
    std::uint8_t m_page[kPageSize];
};

}  // namespace forklab::lang
