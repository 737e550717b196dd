// A page table designed for fork. The leaves are Linux's last level: a table of 512 entries
// mapping one 2 MiB region (a "page-table page"). Above them, instead of three levels of
// mostly empty 512-way tables, a sorted directory holds just the leaves in use, so that a
// textbook process has a handful of entries and fork copies a short array.
//
// Leaves are reference-counted: On-demand-fork shares them between parent and child until
// either writes under them (PageTable::unshare).
#pragma once

#include "base/ref.h"
#include "mm/page.h"

#include <array>
#include <cstdint>
#include <vector>

namespace forklab {

class PhysicalMemory;

inline constexpr unsigned kPtesPerTable = 512;
inline constexpr std::uint64_t kTableShift = kPageShift + 9;  // 2 MiB per leaf.
inline constexpr std::uint64_t kTableSpan = std::uint64_t(1) << kTableShift;

struct PteTable : RefCounted<PteTable> {
    std::array<Pte, kPtesPerTable> pte{};
    unsigned present = 0;  // Entries in use; an empty table is freed.
};

class PageTable {
public:
    struct Leaf {
        std::uint64_t region;  // va >> kTableShift
        RefPtr<PteTable> table;
    };

    PageTable() = default;
    PageTable(PageTable const&) = delete;
    PageTable& operator=(PageTable const&) = delete;

    static std::uint64_t region_of(std::uint64_t va) { return va >> kTableShift; }
    static unsigned index_of(std::uint64_t va) { return unsigned((va >> kPageShift) & (kPtesPerTable - 1)); }

    // The entry for va, or 0 when no table covers it.
    Pte lookup(std::uint64_t va) const;
    // Whether a store to va may go straight through: the entry is writable and its page-table
    // page is not shared (an On-demand-fork shared page is read-only as a whole).
    bool writable(std::uint64_t va) const;
    // The leaf covering va, created if needed, and first unshared if On-demand-fork left it
    // shared; *copied says whether that happened.
    PteTable& writable_leaf(std::uint64_t va, PhysicalMemory& phys, bool* copied = nullptr);
    PteTable* leaf(std::uint64_t va) const;
    bool leaf_is_shared(std::uint64_t va) const;

    std::vector<Leaf> const& leaves() const { return m_leaves; }
    std::vector<Leaf>& leaves() { return m_leaves; }
    void drop_empty_leaves();

    // Linux: a copied page-table page takes a reference on every frame it maps.
    static RefPtr<PteTable> copy_leaf(PteTable const& from, PhysicalMemory& phys);
    // Drop a reference on a leaf; the last one puts every frame it maps.
    static void release_leaf(RefPtr<PteTable>& leaf, PhysicalMemory& phys);
    void clear(PhysicalMemory& phys);

private:
    std::size_t position(std::uint64_t region) const;  // First leaf with region >= this one.
    std::vector<Leaf> m_leaves;  // Sorted by region.
};

}  // namespace forklab
