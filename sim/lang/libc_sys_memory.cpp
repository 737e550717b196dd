// Wrappers for memory and limits: mmap, munmap, mprotect, madvise, mlock, munlock, mlockall,
// munlockall, brk, sbrk, getrlimit, setrlimit and prctl.
#include "lang/libc_sys.h"

#include <sys/mman.h>
#include <sys/prctl.h>

namespace forklab::lang::libc {

namespace {

// mmap(2): the kernel's mmap for MAP_ANONYMOUS (the descriptor is ignored), the file's page
// cache otherwise. Failure is MAP_FAILED, (void *)-1.
CallOutcome do_mmap(BuiltinCall& c)
{
    return returned(c, c.kernel.mmap_file(c.pid, c.arg(0), c.arg(1), as_int(c.arg(2)), as_int(c.arg(3)),
        as_int(c.arg(4)), c.arg(5)));
}

CallOutcome done(BuiltinCall& c, ErrorOr<void> const& r) { return r ? value(0) : fail(c, r.error().code()); }

CallOutcome do_munmap(BuiltinCall& c) { return done(c, c.kernel.munmap(c.pid, c.arg(0), c.arg(1))); }
CallOutcome do_mprotect(BuiltinCall& c) { return done(c, c.kernel.mprotect(c.pid, c.arg(0), c.arg(1), as_int(c.arg(2)))); }
CallOutcome do_madvise(BuiltinCall& c) { return done(c, c.kernel.madvise(c.pid, c.arg(0), c.arg(1), as_int(c.arg(2)))); }
CallOutcome do_mlock(BuiltinCall& c) { return done(c, c.kernel.mlock(c.pid, c.arg(0), c.arg(1))); }
CallOutcome do_munlock(BuiltinCall& c) { return done(c, c.kernel.munlock(c.pid, c.arg(0), c.arg(1))); }
CallOutcome do_mlockall(BuiltinCall& c) { return done(c, c.kernel.mlockall(c.pid, as_int(c.arg(0)))); }
CallOutcome do_munlockall(BuiltinCall& c) { return done(c, c.kernel.munlockall(c.pid)); }

// brk(2) answers with the break as it now is; glibc's brk() calls anything short of the
// address asked for ENOMEM.
CallOutcome do_brk(BuiltinCall& c)
{
    auto r = c.kernel.brk(c.pid, c.arg(0));
    if (!r)
        return fail(c, r.error().code());
    return *r < c.arg(0) ? fail(c, ENOMEM) : value(0);
}

// sbrk(3): the break before the change. It asks the kernel for the current break every time
// (brk(0)) rather than caching it, since malloc moves the break too.
CallOutcome do_sbrk(BuiltinCall& c)
{
    auto current = c.kernel.brk(c.pid, 0);
    if (!current)
        return fail(c, current.error().code());
    std::uint64_t const old = *current;
    std::int64_t const increment = std::int64_t(c.arg(0));
    if (increment == 0)
        return value(std::int64_t(old));
    // Wrapping arithmetic: a break past the top of the address space, or below 0, is ENOMEM.
    std::uint64_t const wanted = old + std::uint64_t(increment);
    if (increment > 0 ? wanted < old : wanted > old)
        return fail(c, ENOMEM);
    auto r = c.kernel.brk(c.pid, wanted);
    if (!r)
        return fail(c, r.error().code());
    return *r < wanted ? fail(c, ENOMEM) : value(std::int64_t(old));
}

struct UserRlimit {
    std::uint64_t cur, max;
};

CallOutcome do_getrlimit(BuiltinCall& c)
{
    auto r = c.kernel.prlimit(c.pid, 0, as_int(c.arg(0)), std::nullopt);
    if (!r)
        return fail(c, r.error().code());
    return copy_out(c, c.arg(1), UserRlimit{r->cur, r->max}) ? value(0) : fail(c, EFAULT);
}

// setrlimit(2) copies the new limits in before it looks at the resource: EFAULT first.
CallOutcome do_setrlimit(BuiltinCall& c)
{
    UserRlimit limit{};
    if (!copy_in(c, c.arg(1), limit))
        return fail(c, EFAULT);
    auto r = c.kernel.prlimit(c.pid, 0, as_int(c.arg(0)), Rlimit{limit.cur, limit.max});
    return r ? value(0) : fail(c, r.error().code());
}

// The prctl options whose answer goes through a pointer: PR_GET_PDEATHSIG and
// PR_GET_CHILD_SUBREAPER put_user() an int there and return 0.
CallOutcome prctl_get_int(BuiltinCall& c, int option)
{
    auto r = c.kernel.prctl(c.pid, option);
    if (!r)
        return fail(c, r.error().code());
    return copy_out(c, c.arg(1), std::int32_t(*r)) ? value(0) : fail(c, EFAULT);
}

// PR_SET_NAME copies up to 16 bytes (TASK_COMM_LEN) and keeps the first 15; PR_GET_NAME
// copies the 16-byte comm out.
CallOutcome prctl_set_name(BuiltinCall& c)
{
    char name[16] = {};
    std::size_t n = 0;
    for (; n < 15; ++n) {
        if (!c.mem.copy_from_user(c.arg(1) + n, &name[n], 1))
            return fail(c, EFAULT);
        if (!name[n])
            break;
    }
    auto r = c.kernel.set_name(c.pid, std::string_view(name, n));
    return r ? value(0) : fail(c, r.error().code());
}

CallOutcome prctl_get_name(BuiltinCall& c)
{
    Task const* me = c.kernel.find_task(c.pid);
    if (!me)
        return fail(c, ESRCH);
    return c.mem.copy_to_user(c.arg(1), me->comm.data(), me->comm.size()) ? value(0) : fail(c, EFAULT);
}

CallOutcome do_prctl(BuiltinCall& c)
{
    int const option = as_int(c.arg(0));
    switch (option) {
    case PR_GET_PDEATHSIG:
    case PR_GET_CHILD_SUBREAPER: return prctl_get_int(c, option);
    case PR_SET_NAME: return prctl_set_name(c);
    case PR_GET_NAME: return prctl_get_name(c);
    default: return returned(c, c.kernel.prctl(c.pid, option, c.arg(1)));
    }
}

}  // namespace

std::span<Entry const> sys_memory_builtins()
{
    static Entry const table[] = {
        {"mmap", do_mmap}, {"munmap", do_munmap}, {"mprotect", do_mprotect}, {"madvise", do_madvise},
        {"mlock", do_mlock}, {"munlock", do_munlock}, {"mlockall", do_mlockall}, {"munlockall", do_munlockall},
        {"brk", do_brk}, {"sbrk", do_sbrk}, {"getrlimit", do_getrlimit}, {"setrlimit", do_setrlimit},
        {"prctl", do_prctl},
    };
    return table;
}

}  // namespace forklab::lang::libc
