// Pages, frames and page-table entries: the units of the memory model.
#pragma once

#include <cstdint>

namespace forklab {

inline constexpr std::uint64_t kPageShift = 12;
inline constexpr std::uint64_t kPageSize = 1 << kPageShift;  // 4 KiB, as on x86-64.
inline constexpr std::uint64_t kPageMask = kPageSize - 1;
inline constexpr std::uint64_t kTaskSize = 0x7ffffffff000;   // Top of x86-64 user space.

constexpr std::uint64_t page_floor(std::uint64_t a) { return a & ~kPageMask; }
constexpr std::uint64_t page_ceil(std::uint64_t a) { return (a + kPageMask) & ~kPageMask; }

// A physical frame number. Frame 0 is the shared zero page: every read of untouched anonymous
// memory maps it, and it is never written (Linux: ZERO_PAGE).
using FrameNr = std::uint32_t;
inline constexpr FrameNr kZeroFrame = 0;

// A page-table entry, 32 bits: present, writable, dirty, and the frame number. A private page
// that is present but not writable in a writable VMA is copy-on-write, as on x86 (Linux keeps
// no separate COW bit either).
using Pte = std::uint32_t;
inline constexpr Pte kPtePresent = 1u << 0;
inline constexpr Pte kPteWrite = 1u << 1;
inline constexpr Pte kPteDirty = 1u << 2;
inline constexpr unsigned kPteFrameShift = 4;

constexpr Pte make_pte(FrameNr frame, Pte flags) { return (Pte(frame) << kPteFrameShift) | flags | kPtePresent; }
constexpr FrameNr pte_frame(Pte pte) { return FrameNr(pte >> kPteFrameShift); }
constexpr bool pte_present(Pte pte) { return pte & kPtePresent; }
constexpr bool pte_write(Pte pte) { return pte & kPteWrite; }

}  // namespace forklab
