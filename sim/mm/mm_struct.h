// An address space (Linux: mm_struct). Shared by vfork and CLONE_VM; otherwise fork builds a
// copy (dup_mm). The memory issue fills in VMAs, page tables and frames; the process core needs
// the reference count and the one flag fork(2) names: memory locks are not inherited.
#pragma once

#include "base/ref.h"

#include <cstdint>

namespace forklab {

class MmStruct : public RefCounted<MmStruct> {
public:
    // Linux: dup_mm(). mlockall(MCL_FUTURE)'s VM_LOCKED in def_flags is cleared in the copy,
    // because a child does not inherit its parent's memory locks (fork(2)).
    RefPtr<MmStruct> dup() const
    {
        auto copy = make_ref<MmStruct>();
        copy->lock_future = false;
        return copy;
    }

    bool lock_future = false;  // mlockall(MCL_FUTURE): new mappings are locked (VM_LOCKED).
};

}  // namespace forklab
