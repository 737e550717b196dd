// Physical memory: a fixed number of frames, each with a reference count and contents that
// cost nothing until non-zero data is written (Linux: mem_map's struct pages and the page
// allocator). A frame's reference count is the number of page-table entries and page caches
// that point at it.
#pragma once

#include "base/error.h"
#include "mm/page.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace forklab {

class PhysicalMemory {
public:
    explicit PhysicalMemory(std::size_t frames);

    // A free frame, zero-filled, with one reference; ENOMEM when every frame is in use.
    ErrorOr<FrameNr> alloc();
    void get(FrameNr frame) { if (frame != kZeroFrame) ++m_refs[frame]; }
    void put(FrameNr frame);
    std::uint32_t refcount(FrameNr frame) const { return frame < m_refs.size() ? m_refs[frame] : 0; }

    std::size_t total() const { return m_total; }  // The zero page is not counted.
    std::size_t in_use() const { return m_refs.size() - 1 - m_free.size(); }
    std::size_t with_data() const { return m_with_data; }    // Frames holding non-zero bytes.

    // Contents. A frame without data reads as zeros; writing zeros to it allocates nothing.
    bool has_data(FrameNr frame) const { return frame < m_data.size() && m_data[frame] != nullptr; }
    std::uint8_t read_byte(FrameNr frame, std::size_t offset) const;
    void read(FrameNr frame, std::size_t offset, std::span<std::uint8_t> out) const;
    void write(FrameNr frame, std::size_t offset, std::span<std::uint8_t const> bytes);
    void copy(FrameNr to, FrameNr from);  // The whole page.
    // A frame's bytes, or null while it has none (it reads as zeros): for the interpreter's
    // software TLB, which reads and writes a frame it already knows is mapped.
    std::uint8_t* bytes(FrameNr frame) const { return m_data[frame].get(); }

    // Bumped by every change to any page table or mapping over these frames (a fault, fork,
    // mmap, munmap, mprotect, brk, exec, exit...). A translation cached while it had one value
    // is good only while it keeps it -- Linux's flush_tlb_mm(), made a counter: a software TLB
    // compares instead of being told.
    std::uint64_t mapping_generation() const { return m_mapping_generation; }
    void mappings_changed() { ++m_mapping_generation; }

private:
    // Frames are handed out in order (1, 2, 3, ...) until one is freed; the bookkeeping covers
    // only the frames handed out so far, so that a large, mostly idle memory costs nothing to
    // create (the outcomes explorer creates a kernel per replay).
    std::size_t m_total = 0;
    std::vector<std::uint32_t> m_refs;                    // Frames 0 .. handed out.
    std::vector<std::unique_ptr<std::uint8_t[]>> m_data;  // Same size as m_refs.
    std::vector<FrameNr> m_free;  // A stack: the most recently freed frame is reused first.
    std::size_t m_with_data = 0;
    std::uint64_t m_mapping_generation = 0;
};

}  // namespace forklab
