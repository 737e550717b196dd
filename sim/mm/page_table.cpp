#include "mm/page_table.h"

#include "mm/physical_memory.h"

#include <algorithm>

namespace forklab {

std::size_t PageTable::position(std::uint64_t region) const
{
    auto it = std::lower_bound(m_leaves.begin(), m_leaves.end(), region,
        [](Leaf const& l, std::uint64_t r) { return l.region < r; });
    return std::size_t(it - m_leaves.begin());
}

PteTable* PageTable::leaf(std::uint64_t va) const
{
    std::uint64_t const region = region_of(va);
    std::size_t const i = position(region);
    return i < m_leaves.size() && m_leaves[i].region == region ? m_leaves[i].table.get() : nullptr;
}

Pte PageTable::lookup(std::uint64_t va) const
{
    PteTable const* t = leaf(va);
    return t ? t->pte[index_of(va)] : 0;
}

bool PageTable::writable(std::uint64_t va) const
{
    PteTable const* t = leaf(va);
    return t && t->use_count() == 1 && pte_write(t->pte[index_of(va)]);
}

bool PageTable::leaf_is_shared(std::uint64_t va) const
{
    PteTable const* t = leaf(va);
    return t && t->use_count() > 1;
}

PteTable& PageTable::writable_leaf(std::uint64_t va, PhysicalMemory& phys, bool* copied)
{
    std::uint64_t const region = region_of(va);
    std::size_t const i = position(region);
    if (copied)
        *copied = false;
    if (i == m_leaves.size() || m_leaves[i].region != region) {
        m_leaves.insert(m_leaves.begin() + std::ptrdiff_t(i), Leaf{region, make_ref<PteTable>()});
        return *m_leaves[i].table;
    }
    RefPtr<PteTable>& table = m_leaves[i].table;
    if (table->use_count() > 1) {
        // On-demand-fork's deferred work: the page-table page is copied, and since the frames
        // under it are now mapped from two tables, every entry becomes copy-on-write in both.
        RefPtr<PteTable> shared = table;
        table = copy_leaf(*shared, phys);
        for (unsigned idx = 0; idx < kPtesPerTable; ++idx) {
            shared->pte[idx] &= ~kPteWrite;
            table->pte[idx] &= ~kPteWrite;
        }
        if (copied)
            *copied = true;
    }
    return *table;
}

RefPtr<PteTable> PageTable::copy_leaf(PteTable const& from, PhysicalMemory& phys)
{
    auto to = make_ref<PteTable>();
    to->pte = from.pte;
    to->present = from.present;
    for (Pte pte : to->pte)
        if (pte_present(pte))
            phys.get(pte_frame(pte));
    return to;
}

void PageTable::release_leaf(RefPtr<PteTable>& leaf, PhysicalMemory& phys)
{
    if (leaf->use_count() == 1)
        for (Pte pte : leaf->pte)
            if (pte_present(pte))
                phys.put(pte_frame(pte));
    leaf.reset();
}

void PageTable::drop_empty_leaves()
{
    std::erase_if(m_leaves, [](Leaf const& l) { return l.table->present == 0; });
}

void PageTable::clear(PhysicalMemory& phys)
{
    for (Leaf& l : m_leaves)
        release_leaf(l.table, phys);
    m_leaves.clear();
}

}  // namespace forklab
