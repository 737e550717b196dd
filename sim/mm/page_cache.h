// The pages a memory object holds (Linux: an address_space's page cache): a frame per page
// index, allocated zero-filled on first use, with one reference held by the cache for each.
// Shared anonymous memory, a program's image and a file's data all keep their pages this way.
#pragma once

#include "base/error.h"
#include "mm/page.h"

#include <optional>
#include <vector>

namespace forklab {

class PhysicalMemory;

class PageCache {
public:
    explicit PageCache(PhysicalMemory& phys) : m_phys(phys) {}
    ~PageCache();
    PageCache(PageCache const&) = delete;
    PageCache& operator=(PageCache const&) = delete;

    // The frame of page `index`, allocated if it is not cached yet (`fresh` then says so, so
    // that the caller can fill it). The caller gets no reference of its own. ENOMEM when no
    // frame is free.
    ErrorOr<FrameNr> find_or_alloc(std::uint64_t index, bool* fresh = nullptr);
    std::optional<FrameNr> find(std::uint64_t index) const;
    std::vector<FrameNr> frames() const;  // Every cached frame.
    void truncate(std::uint64_t pages);   // Drop the pages at index `pages` and above.
    PhysicalMemory& phys() const { return m_phys; }

private:
    PhysicalMemory& m_phys;
    std::vector<FrameNr> m_pages;  // 0: not cached.
};

}  // namespace forklab
