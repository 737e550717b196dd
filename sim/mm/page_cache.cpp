#include "mm/page_cache.h"

#include "mm/physical_memory.h"

namespace forklab {

PageCache::~PageCache()
{
    truncate(0);
}

ErrorOr<FrameNr> PageCache::find_or_alloc(std::uint64_t index, bool* fresh)
{
    if (index >= m_pages.size())
        m_pages.resize(index + 1, 0);
    bool const missing = m_pages[index] == 0;
    if (missing)
        m_pages[index] = TRY(m_phys.alloc());
    if (fresh)
        *fresh = missing;
    return m_pages[index];
}

std::optional<FrameNr> PageCache::find(std::uint64_t index) const
{
    if (index < m_pages.size() && m_pages[index])
        return m_pages[index];
    return std::nullopt;
}

std::vector<FrameNr> PageCache::frames() const
{
    std::vector<FrameNr> held;
    for (FrameNr f : m_pages)
        if (f)
            held.push_back(f);
    return held;
}

void PageCache::truncate(std::uint64_t pages)
{
    for (std::uint64_t i = pages; i < m_pages.size(); ++i)
        if (m_pages[i])
            m_phys.put(m_pages[i]);
    if (m_pages.size() > pages)
        m_pages.resize(pages);
}

}  // namespace forklab
