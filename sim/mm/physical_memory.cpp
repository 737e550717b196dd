#include "mm/physical_memory.h"

#include <algorithm>
#include <cstring>

namespace forklab {

PhysicalMemory::PhysicalMemory(std::size_t frames)
    : m_total(frames)
    , m_refs(1, 1)  // The zero page, pinned for ever.
    , m_data(1)
{
    // Address space only: the host touches a frame's bookkeeping when the frame is handed out.
    m_refs.reserve(frames + 1);
    m_data.reserve(frames + 1);
}

ErrorOr<FrameNr> PhysicalMemory::alloc()
{
    if (!m_free.empty()) {
        FrameNr const frame = m_free.back();
        m_free.pop_back();
        m_refs[frame] = 1;
        return frame;
    }
    if (m_refs.size() > m_total)
        return error(ENOMEM);
    m_refs.push_back(1);  // A frame never used before: the next in order.
    m_data.emplace_back();
    return FrameNr(m_refs.size() - 1);
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
