// Virtual memory areas (Linux: vm_area_struct) and the objects that back shared and
// file mappings (Linux: address_space for files, shmem for shared anonymous memory).
#pragma once

#include "base/error.h"
#include "base/ref.h"
#include "mm/page.h"
#include "mm/page_cache.h"

#include <cstdint>
#include <optional>
#include <string>
#include <sys/mman.h>
#include <vector>

namespace forklab {

class PhysicalMemory;

// What a mapping holds, for /proc/PID/maps and for the GUI.
enum class VmaKind : std::uint8_t { Text, Rodata, Data, Bss, Heap, Stack, Mmap };
char const* vma_kind_name(VmaKind);

// vm_flags this model uses, named after Linux's.
inline constexpr std::uint32_t kVmShared = 1u << 0;      // VM_SHARED: writes are seen by all.
inline constexpr std::uint32_t kVmDontFork = 1u << 1;    // VM_DONTCOPY (MADV_DONTFORK).
inline constexpr std::uint32_t kVmWipeOnFork = 1u << 2;  // VM_WIPEONFORK (MADV_WIPEONFORK).
inline constexpr std::uint32_t kVmLocked = 1u << 3;      // VM_LOCKED (mlock).
inline constexpr std::uint32_t kVmGrowsDown = 1u << 4;   // VM_GROWSDOWN: the stack.

// Pages that several address spaces see: a file's page cache, or shared anonymous memory. The
// files issue implements it for inodes; AnonymousSharedObject below is MAP_SHARED|MAP_ANONYMOUS.
class VmObject : public RefCounted<VmObject> {
public:
    virtual ~VmObject() = default;
    // The frame holding page `index` of the object, with one reference taken for the caller's
    // page-table entry. ENOMEM when no frame is free.
    virtual ErrorOr<FrameNr> get_page(std::uint64_t index, PhysicalMemory&) = 0;
    virtual std::string name() const = 0;
    virtual bool is_file() const { return false; }
    // Every frame the object holds a reference on (for check_invariants()).
    virtual std::vector<FrameNr> frames() const = 0;
    // The frame of page `index` if it is in memory already (mincore, and telling a file's own
    // page from a private copy of it).
    virtual std::optional<FrameNr> cached_frame(std::uint64_t) const { return std::nullopt; }
    bool has_page(std::uint64_t index) const { return cached_frame(index).has_value(); }
};

class AnonymousSharedObject final : public VmObject {
public:
    explicit AnonymousSharedObject(PhysicalMemory& phys) : m_cache(phys) {}
    ErrorOr<FrameNr> get_page(std::uint64_t index, PhysicalMemory&) override;
    std::string name() const override { return "/dev/zero (deleted)"; }
    std::vector<FrameNr> frames() const override { return m_cache.frames(); }
    std::optional<FrameNr> cached_frame(std::uint64_t index) const override { return m_cache.find(index); }

private:
    PageCache m_cache;
};

struct Vma {
    std::uint64_t start = 0;  // Page-aligned, inclusive.
    std::uint64_t end = 0;    // Page-aligned, exclusive.
    int prot = PROT_NONE;     // PROT_READ | PROT_WRITE | PROT_EXEC.
    std::uint32_t flags = 0;  // kVm* flags.
    VmaKind kind = VmaKind::Mmap;
    RefPtr<VmObject> object;  // Null: private anonymous memory.
    std::uint64_t pgoff = 0;  // Page offset of `start` in the object.

    bool contains(std::uint64_t va) const { return va >= start && va < end; }
    bool shared() const { return flags & kVmShared; }
    bool writable() const { return prot & PROT_WRITE; }
    std::uint64_t pages() const { return (end - start) >> kPageShift; }
    std::uint64_t object_index(std::uint64_t va) const { return pgoff + ((va - start) >> kPageShift); }
};

}  // namespace forklab
