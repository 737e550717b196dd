#include "mm/physical_memory.h"

#include <algorithm>
#include <cstring>

namespace forklab {

PhysicalMemory::PhysicalMemory(std::size_t frames)
    : m_refs(frames + 1, 0)
    , m_data(frames + 1)
{
    m_refs[kZeroFrame] = 1;  // Pinned for ever.
    m_free.reserve(frames);
    for (std::size_t f = frames; f >= 1; --f)
        m_free.push_back(FrameNr(f));  // Frame 1 comes out first.
}

ErrorOr<FrameNr> PhysicalMemory::alloc()
{
    if (m_free.empty())
        return error(ENOMEM);
    FrameNr const frame = m_free.back();
    m_free.pop_back();
    m_refs[frame] = 1;
    return frame;
}

void PhysicalMemory::put(FrameNr frame)
{
    if (frame == kZeroFrame || --m_refs[frame] != 0)
        return;
    if (m_data[frame]) {
        m_data[frame].reset();
        --m_with_data;
    }
    m_free.push_back(frame);
}

std::uint8_t PhysicalMemory::read_byte(FrameNr frame, std::size_t offset) const
{
    return m_data[frame] ? m_data[frame][offset] : 0;
}

void PhysicalMemory::read(FrameNr frame, std::size_t offset, std::span<std::uint8_t> out) const
{
    if (m_data[frame])
        std::memcpy(out.data(), m_data[frame].get() + offset, out.size());
    else
        std::fill(out.begin(), out.end(), 0);
}

void PhysicalMemory::write(FrameNr frame, std::size_t offset, std::span<std::uint8_t const> bytes)
{
    if (!m_data[frame]) {
        if (std::all_of(bytes.begin(), bytes.end(), [](std::uint8_t b) { return b == 0; }))
            return;  // Zeros on a zero page change nothing.
        m_data[frame] = std::make_unique<std::uint8_t[]>(kPageSize);  // Zero-filled.
        ++m_with_data;
    }
    std::memcpy(m_data[frame].get() + offset, bytes.data(), bytes.size());
}

void PhysicalMemory::copy(FrameNr to, FrameNr from)
{
    if (!m_data[from]) {
        if (m_data[to]) {
            m_data[to].reset();
            --m_with_data;
        }
        return;
    }
    if (!m_data[to]) {
        m_data[to] = std::make_unique_for_overwrite<std::uint8_t[]>(kPageSize);
        ++m_with_data;
    }
    std::memcpy(m_data[to].get(), m_data[from].get(), kPageSize);
}

}  // namespace forklab
