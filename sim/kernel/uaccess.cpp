// The kernel's copies of a system call's arguments and results. Linux: copy_from_user() and
// copy_to_user() (arch/x86/lib/usercopy). A pointer a program passes to a system call is read
// and written by the kernel, which catches its own fault (the exception table) and fails the
// call with EFAULT: unlike the same bad pointer dereferenced by the program, it raises no
// SIGSEGV.
#include "kernel/kernel.h"

namespace forklab {

ErrorOr<void> Kernel::copy_in(pid_t caller, std::uint64_t va, std::span<std::uint8_t> out)
{
    Task* me = TRY(current(caller));
    auto bytes = copy_from_user(*me, va, out.size());
    if (!bytes || bytes->size() != out.size())
        return error(EFAULT);
    std::copy(bytes->begin(), bytes->end(), out.begin());
    return {};
}

ErrorOr<void> Kernel::copy_out(pid_t caller, std::uint64_t va, std::span<std::uint8_t const> bytes)
{
    Task* me = TRY(current(caller));
    if (copy_to_user(*me, va, bytes) != bytes.size())
        return error(EFAULT);
    return {};
}

}  // namespace forklab
