// The first set of library functions: process life cycle, files, signals, exec, and the
// forklab.h checks. Each reads its arguments as 64-bit values and reaches the kernel with the
// caller's pid, as a system call would.
#include "lang/runtime.h"

#include "lang/libc.h"

#include "base/format.h"

#include <csignal>
#include <sys/wait.h>
#include <unordered_map>

namespace forklab::lang {

namespace libc {

namespace {

// ---- Processes ------------------------------------------------------------------------------

// The child's pid as the kernel's root namespace knows it: the Fork event's other.
pid_t last_child(Kernel const& k, pid_t parent)
{
    auto const& all = k.events().all();
    for (auto it = all.rbegin(); it != all.rend(); ++it)
        if (it->kind == EventKind::Fork && it->pid == parent)
            return it->other;
    return 0;
}

// Linux: copy_thread(). The child gets the parent's registers, with 0 as fork's result.
CallOutcome fork_with(BuiltinCall& c, ErrorOr<pid_t> const& r)
{
    if (!r) {
        if (r.error().code() == kErestartNoIntr)
            return {Kind::Restart};
        return fail(c, r.error().code());
    }
    Cpu child = c.cpu;
    Machine::finish_call(child, 0);
    c.machine.add_child(last_child(c.kernel, c.pid), std::move(child));
    return value(*r);
}

CallOutcome do_fork(BuiltinCall& c) { return fork_with(c, c.kernel.fork(c.pid)); }
CallOutcome do_vfork(BuiltinCall& c) { return fork_with(c, c.kernel.vfork(c.pid)); }

CallOutcome do_exit(BuiltinCall& c)
{
    auto r = c.kernel.exit_group(c.pid, as_int(c.arg(0)) & 0xff);
    return r ? CallOutcome{Kind::Exited} : fail(c, r.error().code());
}

// abort(3): SIGABRT with its default action, whatever the program had installed.
CallOutcome do_abort(BuiltinCall& c)
{
    (void)c.kernel.sigaction(c.pid, SIGABRT, SigAction{});
    (void)c.kernel.sigprocmask(c.pid, SIG_UNBLOCK, sigbit(SIGABRT));
    (void)c.kernel.kill(c.pid, c.pid, SIGABRT);
    return {Kind::Restart};
}

CallOutcome do_getpid(BuiltinCall& c) { auto r = c.kernel.getpid(c.pid); return result(c, r, r ? *r : 0); }
CallOutcome do_getppid(BuiltinCall& c) { auto r = c.kernel.getppid(c.pid); return result(c, r, r ? *r : 0); }

CallOutcome wait_for(BuiltinCall& c, pid_t pid, std::uint64_t status_at, int options)
{
    auto r = c.kernel.wait4(c.pid, pid, options);
    if (!r)
        return fail(c, r.error().code());
    switch (r->kind) {
    case WaitResult::Kind::Reported:
        if (status_at && !c.mem.store(status_at, 4, std::uint32_t(r->status)))
            return {Kind::Fault};
        return value(r->pid);
    case WaitResult::Kind::NothingYet: return value(0);
    case WaitResult::Kind::Sleeping: return {Kind::Block};
    case WaitResult::Kind::Interrupted: return {Kind::Interrupted};
    }
    return {Kind::Block};
}

CallOutcome do_wait(BuiltinCall& c) { return wait_for(c, -1, c.arg(0), 0); }
CallOutcome do_waitpid(BuiltinCall& c) { return wait_for(c, as_int(c.arg(0)), c.arg(1), as_int(c.arg(2))); }

CallOutcome do_sleep(BuiltinCall& c)
{
    c.kernel.advance_time(std::uint64_t(std::uint32_t(c.arg(0))) * 1'000'000'000);
    return value(0);
}

// ---- Files ----------------------------------------------------------------------------------

CallOutcome do_write(BuiltinCall& c) { return blocking(c, c.kernel.write(c.pid, as_int(c.arg(0)), c.arg(1), c.arg(2))); }
CallOutcome do_read(BuiltinCall& c) { return blocking(c, c.kernel.read(c.pid, as_int(c.arg(0)), c.arg(1), c.arg(2))); }
CallOutcome do_close(BuiltinCall& c) { return result(c, c.kernel.close(c.pid, as_int(c.arg(0))), 0); }
CallOutcome do_dup(BuiltinCall& c) { auto r = c.kernel.dup(c.pid, as_int(c.arg(0))); return result(c, r, r ? *r : 0); }
CallOutcome do_dup2(BuiltinCall& c)
{
    auto r = c.kernel.dup2(c.pid, as_int(c.arg(0)), as_int(c.arg(1)));
    return result(c, r, r ? *r : 0);
}

CallOutcome do_pipe(BuiltinCall& c)
{
    auto r = c.kernel.pipe2(c.pid, 0);
    if (!r)
        return fail(c, r.error().code());
    std::int32_t const fds[2] = {r->first, r->second};
    if (!c.mem.write(c.arg(0), fds, sizeof fds)) {
        (void)c.kernel.close(c.pid, r->first);
        (void)c.kernel.close(c.pid, r->second);
        return fail(c, EFAULT);
    }
    return value(0);
}

// ---- Signals --------------------------------------------------------------------------------

CallOutcome do_kill(BuiltinCall& c) { return result(c, c.kernel.kill(c.pid, as_int(c.arg(0)), as_int(c.arg(1))), 0); }

CallOutcome do_raise(BuiltinCall& c) { return result(c, c.kernel.kill(c.pid, c.pid, as_int(c.arg(0))), 0); }

// glibc's signal() installs BSD semantics: SA_RESTART, and the handler stays installed.
CallOutcome do_signal(BuiltinCall& c)
{
    auto r = c.kernel.sigaction(c.pid, as_int(c.arg(0)), SigAction{c.arg(1), 0, SA_RESTART});
    if (!r)
        return fail(c, r.error().code());  // SIG_ERR is (sighandler_t)-1.
    return value(std::int64_t(r->handler));
}

// struct sigaction as the prelude lays it out: handler at 0, sa_mask at 8, sa_flags at 16.
CallOutcome do_sigaction(BuiltinCall& c)
{
    std::optional<SigAction> act;
    if (c.arg(1)) {
        std::uint64_t words[3] = {};
        if (!c.mem.read(c.arg(1), words, sizeof words))
            return fail(c, EFAULT);
        act = SigAction{words[0], words[1], std::uint32_t(words[2])};
    }
    auto r = c.kernel.sigaction(c.pid, as_int(c.arg(0)), act);
    if (!r)
        return fail(c, r.error().code());
    if (c.arg(2)) {
        std::uint64_t const words[4] = {r->handler, r->mask, r->flags, 0};
        if (!c.mem.write(c.arg(2), words, sizeof words))
            return fail(c, EFAULT);
    }
    return value(0);
}

CallOutcome do_pause(BuiltinCall& c)
{
    auto r = c.kernel.pause(c.pid);
    if (!r)
        return fail(c, r.error().code());
    if (*r == WaitResult::Kind::Sleeping)
        return {Kind::Block};
    return {Kind::Interrupted};  // pause() only ever returns -1 with EINTR.
}

// ---- exec -----------------------------------------------------------------------------------

// A NULL-terminated array of string pointers in the caller's memory.
std::optional<std::vector<std::string>> read_strings(BuiltinCall& c, std::uint64_t at)
{
    std::vector<std::string> out;
    for (std::size_t i = 0; i < 65536; ++i) {
        std::uint64_t p = 0;
        if (!c.mem.load(at + 8 * i, 8, p))
            return std::nullopt;
        if (!p)
            return out;
        auto s = c.mem.read_string(p, 32 * 4096);
        if (!s)
            return std::nullopt;
        out.push_back(std::move(*s));
    }
    return std::nullopt;
}

// execve(2), then the new program's start: a successful exec never returns.
CallOutcome exec_with(BuiltinCall& c, std::string const& path, std::vector<std::string> argv,
    std::optional<std::vector<std::string>> envp, int& err)
{
    auto r = c.kernel.execve(c.pid, path, argv, envp);
    if (!r) {
        err = r.error().code();
        return value(-1);
    }
    auto program = std::dynamic_pointer_cast<CompiledProgram const>(*r);
    Task const* me = c.kernel.find_task(c.pid);
    if (!program || !me) {
        c.machine.diagnose(format("pid {}: {} is not a program this machine can run", c.pid, path));
        (void)c.kernel.kill(c.pid, c.pid, SIGKILL);
        return {Kind::Restart};
    }
    std::vector<std::string> const env = me->env.entries();
    if (!c.machine.enter_program(c.pid, c.cpu, program, argv, env)) {
        (void)c.kernel.force_fault(c.pid, SIGSEGV);  // Linux: exec past the point of no return fails: SIGSEGV.
        return {Kind::Restart};
    }
    return {Kind::Replaced};
}

// execvp(3)'s search: a name without a slash is tried in each PATH directory in turn; EACCES
// from one is remembered if nothing else is found.
CallOutcome exec_common(BuiltinCall& c, std::uint64_t file_at, std::vector<std::string> argv,
    std::optional<std::vector<std::string>> envp, bool search)
{
    auto file = c.mem.read_string(file_at);
    if (!file)
        return fail(c, EFAULT);
    int err = 0;
    if (!search || file->find('/') != std::string::npos || file->empty()) {
        CallOutcome const out = exec_with(c, *file, std::move(argv), std::move(envp), err);
        return out.kind == Kind::Return ? fail(c, err) : out;
    }
    Task const* me = c.kernel.find_task(c.pid);
    std::string const path = me && me->env.get("PATH") ? std::string(*me->env.get("PATH")) : "/bin:/usr/bin";
    bool saw_eacces = false;
    std::size_t from = 0;
    for (;;) {
        std::size_t const colon = path.find(':', from);
        std::string dir = path.substr(from, colon == std::string::npos ? std::string::npos : colon - from);
        std::string const full = (dir.empty() ? std::string(".") : dir) + "/" + *file;
        CallOutcome const out = exec_with(c, full, argv, envp, err);
        if (out.kind != Kind::Return)
            return out;
        saw_eacces |= err == EACCES;
        if (err != ENOENT && err != EACCES && err != ENOTDIR)
            return fail(c, err);
        if (colon == std::string::npos)
            break;
        from = colon + 1;
    }
    return fail(c, saw_eacces ? EACCES : ENOENT);
}

CallOutcome exec_array(BuiltinCall& c, bool search)
{
    auto argv = read_strings(c, c.arg(1));
    if (!argv)
        return fail(c, EFAULT);
    return exec_common(c, c.arg(0), std::move(*argv), std::nullopt, search);
}

CallOutcome exec_list(BuiltinCall& c, bool search)
{
    std::vector<std::string> argv;
    for (std::size_t i = 1; i < c.args.size() && c.args[i]; ++i) {
        auto s = c.mem.read_string(c.args[i], 32 * 4096);
        if (!s)
            return fail(c, EFAULT);
        argv.push_back(std::move(*s));
    }
    return exec_common(c, c.arg(0), std::move(argv), std::nullopt, search);
}

CallOutcome do_execve(BuiltinCall& c)
{
    auto argv = read_strings(c, c.arg(1));
    auto envp = c.arg(2) ? read_strings(c, c.arg(2)) : std::optional<std::vector<std::string>>(std::vector<std::string>{});
    if (!argv || !envp)
        return fail(c, EFAULT);
    return exec_common(c, c.arg(0), std::move(*argv), std::move(*envp), false);
}
CallOutcome do_execv(BuiltinCall& c) { return exec_array(c, false); }
CallOutcome do_execvp(BuiltinCall& c) { return exec_array(c, true); }
CallOutcome do_execl(BuiltinCall& c) { return exec_list(c, false); }
CallOutcome do_execlp(BuiltinCall& c) { return exec_list(c, true); }

// ---- <sys/wait.h> macros and forklab.h ------------------------------------------------------

CallOutcome w_ifexited(BuiltinCall& c) { return value(WIFEXITED(as_int(c.arg(0)))); }
CallOutcome w_exitstatus(BuiltinCall& c) { return value(WEXITSTATUS(as_int(c.arg(0)))); }
CallOutcome w_ifsignaled(BuiltinCall& c) { return value(WIFSIGNALED(as_int(c.arg(0)))); }
CallOutcome w_termsig(BuiltinCall& c) { return value(WTERMSIG(as_int(c.arg(0)))); }
CallOutcome w_ifstopped(BuiltinCall& c) { return value(WIFSTOPPED(as_int(c.arg(0)))); }
CallOutcome w_stopsig(BuiltinCall& c) { return value(WSTOPSIG(as_int(c.arg(0)))); }
CallOutcome w_ifcontinued(BuiltinCall& c) { return value(WIFCONTINUED(as_int(c.arg(0)))); }
CallOutcome w_coredump(BuiltinCall& c) { return value(WCOREDUMP(as_int(c.arg(0)))); }

// EXPECT(cond): a failed expectation is recorded with its line; the program goes on.
CallOutcome do_expect(BuiltinCall& c)
{
    if (!c.arg(0))
        c.machine.expect_failed(c.pid, c.cpu.line);
    return value(0);
}

CallOutcome do_note(BuiltinCall& c)
{
    auto text = c.mem.read_string(c.arg(0));
    if (!text)
        return {Kind::Fault};
    c.machine.note(c.pid, std::move(*text), c.cpu.line);
    return value(0);
}

// assert(3) without stdio yet: a failed assertion aborts.
CallOutcome do_assert(BuiltinCall& c) { return c.arg(0) ? value(0) : do_abort(c); }

}  // namespace

std::span<Entry const> core_builtins()
{
    static Entry const table[] = {
        {"fork", do_fork}, {"vfork", do_vfork}, {"_exit", do_exit}, {"exit", do_exit}, {"abort", do_abort},
        {"getpid", do_getpid}, {"getppid", do_getppid}, {"wait", do_wait}, {"waitpid", do_waitpid},
        {"sleep", do_sleep}, {"write", do_write}, {"read", do_read}, {"close", do_close}, {"dup", do_dup},
        {"dup2", do_dup2}, {"pipe", do_pipe}, {"kill", do_kill}, {"raise", do_raise}, {"signal", do_signal},
        {"sigaction", do_sigaction}, {"pause", do_pause}, {"execve", do_execve}, {"execv", do_execv},
        {"execvp", do_execvp}, {"execl", do_execl}, {"execlp", do_execlp}, {"WIFEXITED", w_ifexited},
        {"WEXITSTATUS", w_exitstatus}, {"WIFSIGNALED", w_ifsignaled}, {"WTERMSIG", w_termsig},
        {"WIFSTOPPED", w_ifstopped}, {"WSTOPSIG", w_stopsig}, {"WIFCONTINUED", w_ifcontinued},
        {"WCOREDUMP", w_coredump}, {"EXPECT", do_expect}, {"NOTE", do_note}, {"assert", do_assert},
    };
    return table;
}

}  // namespace libc

namespace {

auto const& tables()
{
    static std::span<libc::Entry const> const all[] = {libc::core_builtins(), libc::stdio_builtins(),
        libc::malloc_builtins(), libc::string_builtins(), libc::env_builtins(), libc::sys_builtins()};
    return all;
}

}  // namespace

std::vector<std::string_view> library_names()
{
    std::vector<std::string_view> names;
    for (auto table : tables())
        for (libc::Entry const& e : table)
            names.push_back(e.name);
    return names;
}

// Every table, merged once. A name in two tables is a mistake the tests catch (see
// lang_libc_test): the first table wins.
BuiltinFn find_builtin(std::string_view name)
{
    static std::unordered_map<std::string_view, BuiltinFn> const all = [] {
        std::unordered_map<std::string_view, BuiltinFn> m;
        for (auto table : tables())
            for (libc::Entry const& e : table)
                m.try_emplace(e.name, e.fn);
        return m;
    }();
    auto it = all.find(name);
    return it == all.end() ? nullptr : it->second;
}

}  // namespace forklab::lang
