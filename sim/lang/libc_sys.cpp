// The system-call wrappers beyond the core (runtime.cpp): identity and sessions here; files,
// memory, and signals and time in libc_sys_*.cpp. Each passes its arguments to the model
// kernel with the caller's pid and, as glibc does, turns an error into errno and -1.
//
// A pointer handed to a system call is read and written by the kernel (MemoryPort's
// copy_from_user/copy_to_user): a bad one is EFAULT and no signal. Memory the library itself
// touches in user space (a sigset_t for sigaddset, a DIR, time()'s tloc) faults as the
// program's own load or store would: SIGSEGV.
#include "lang/libc_sys.h"

#include <vector>

namespace forklab::lang::libc {

namespace {

Credentials const* cred_of(BuiltinCall& c)
{
    Task const* me = c.kernel.find_task(c.pid);
    return me ? &me->cred : nullptr;
}

// getuid(2) and friends cannot fail.
template<auto Field>
CallOutcome get_id(BuiltinCall& c)
{
    Credentials const* cred = cred_of(c);
    return cred ? value(cred->*Field) : fail(c, ESRCH);
}

CallOutcome do_setuid(BuiltinCall& c)
{
    auto r = c.kernel.setuid(c.pid, uid_t(c.arg(0)));
    return r ? value(0) : fail(c, r.error().code());
}

// setgid(2): root may set any group; anyone else only its real or saved group (EPERM). The
// model keeps groups but has no call to change them, so a permitted change that would alter
// anything is refused with EPERM as well (the kernel gains setgid with the credentials issue).
CallOutcome do_setgid(BuiltinCall& c)
{
    Credentials const* cred = cred_of(c);
    if (!cred)
        return fail(c, ESRCH);
    gid_t const gid = gid_t(c.arg(0));
    bool const unchanged = cred->euid == 0 ? cred->gid == gid && cred->egid == gid && cred->sgid == gid
                                           : cred->egid == gid && (cred->gid == gid || cred->sgid == gid);
    return unchanged ? value(0) : fail(c, EPERM);
}

CallOutcome do_getpgrp(BuiltinCall& c) { return returned(c, c.kernel.getpgid(c.pid, 0)); }
CallOutcome do_getpgid(BuiltinCall& c) { return returned(c, c.kernel.getpgid(c.pid, as_int(c.arg(0)))); }
CallOutcome do_getsid(BuiltinCall& c) { return returned(c, c.kernel.getsid(c.pid, as_int(c.arg(0)))); }
CallOutcome do_setsid(BuiltinCall& c) { return returned(c, c.kernel.setsid(c.pid)); }
CallOutcome do_setpgid(BuiltinCall& c)
{
    auto r = c.kernel.setpgid(c.pid, as_int(c.arg(0)), as_int(c.arg(1)));
    return r ? value(0) : fail(c, r.error().code());
}

std::span<Entry const> id_builtins()
{
    static Entry const table[] = {
        {"getuid", get_id<&Credentials::uid>}, {"geteuid", get_id<&Credentials::euid>},
        {"getgid", get_id<&Credentials::gid>}, {"getegid", get_id<&Credentials::egid>},
        {"setuid", do_setuid}, {"setgid", do_setgid}, {"getpgrp", do_getpgrp}, {"getpgid", do_getpgid},
        {"setpgid", do_setpgid}, {"getsid", do_getsid}, {"setsid", do_setsid},
    };
    return table;
}

}  // namespace

std::span<Entry const> sys_builtins()
{
    static std::vector<Entry> const all = [] {
        std::vector<Entry> v;
        for (auto table : {id_builtins(), sys_file_builtins(), sys_memory_builtins(), sys_signal_builtins()})
            v.insert(v.end(), table.begin(), table.end());
        return v;
    }();
    return all;
}

}  // namespace forklab::lang::libc
