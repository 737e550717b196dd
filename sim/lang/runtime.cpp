// The first set of library functions: process life cycle, files, signals, exec, and the
// forklab.h checks. Each reads its arguments as 64-bit values and reaches the kernel with the
// caller's pid, as a system call would.
#include "lang/runtime.h"

#include "lang/libc.h"
#include "lang/memory_reader.h"

#include "base/format.h"

#include <climits>
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

CallOutcome do_abort(BuiltinCall& c) { return abort_process(c); }

CallOutcome do_getpid(BuiltinCall& c) { auto r = c.kernel.getpid(c.pid); return result(c, r, r ? *r : 0); }
CallOutcome do_getppid(BuiltinCall& c) { auto r = c.kernel.getppid(c.pid); return result(c, r, r ? *r : 0); }

CallOutcome wait_for(BuiltinCall& c, pid_t pid, std::uint64_t status_at, int options)
{
    auto r = c.kernel.wait4(c.pid, pid, options);
    if (!r)
        return fail(c, r.error().code());
    switch (r->kind) {
    case WaitResult::Kind::Reported: {
        // Linux: kernel_wait4() reaps the child, then put_user()s the status: a bad pointer
        // is EFAULT, with the child gone all the same.
        std::int32_t const status = r->status;
        if (status_at && !c.mem.copy_to_user(status_at, &status, sizeof status))
            return fail(c, EFAULT);
        return value(r->pid);
    }
    case WaitResult::Kind::NothingYet: return value(0);
    case WaitResult::Kind::Sleeping: return {Kind::Block};
    case WaitResult::Kind::Interrupted: return {Kind::Interrupted};
    }
    return {Kind::Block};
}

CallOutcome do_wait(BuiltinCall& c) { return wait_for(c, -1, c.arg(0), 0); }
CallOutcome do_waitpid(BuiltinCall& c) { return wait_for(c, as_int(c.arg(0)), c.arg(1), as_int(c.arg(2))); }

// sleep(3): nanosleep(2) on the simulated clock; the task sleeps and the scheduler runs the
// others (or moves the clock on when every task sleeps). Woken early by a signal, it returns
// the whole seconds left, as glibc does (tv_sec of nanosleep's rem). (Linux runs the handler
// before sleep() returns; here it runs before the caller's next statement, after the rest of
// this one.)
CallOutcome do_sleep(BuiltinCall& c)
{
    auto r = c.kernel.nanosleep(c.pid, std::uint64_t(std::uint32_t(c.arg(0))) * 1'000'000'000);
    if (!r)
        return fail(c, r.error().code());
    if (r->kind == Blocking::Kind::Sleeping)
        return {Kind::Block};
    return value(r->value / 1'000'000'000);
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
    if (!c.mem.copy_to_user(c.arg(0), fds, sizeof fds)) {  // EFAULT, and no signal.
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
// glibc's sigaction() copies both structs in user space (to and from the kernel's layout), so
// a bad act or oldact is the program's own fault: SIGSEGV, not EFAULT.
CallOutcome do_sigaction(BuiltinCall& c)
{
    std::optional<SigAction> act;
    if (c.arg(1)) {
        std::uint64_t words[3] = {};
        if (!c.mem.read(c.arg(1), words, sizeof words))
            return {Kind::Fault};
        act = SigAction{words[0], words[1], std::uint32_t(words[2])};
    }
    auto r = c.kernel.sigaction(c.pid, as_int(c.arg(0)), act);
    if (!r)
        return fail(c, r.error().code());
    if (c.arg(2)) {
        std::uint64_t const words[4] = {r->handler, r->mask, r->flags, 0};
        if (!c.mem.write(c.arg(2), words, sizeof words))
            return {Kind::Fault};
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
    return {Kind::Interrupted, 0, false};  // pause() only ever returns -1 with EINTR.
}

// ---- exec -----------------------------------------------------------------------------------

using Strings = std::vector<std::string>;

// execve(2), then the new program's start: a successful exec never returns. The new stack
// gets the strings as passed, as Linux's copy_strings copies them.
CallOutcome exec_with(BuiltinCall& c, std::string const& path, Strings const& argv, Strings const& envp, int& err)
{
    auto r = c.kernel.execve(c.pid, path, argv, envp);
    if (!r) {
        err = r.error().code();
        return value(-1);
    }
    auto program = std::dynamic_pointer_cast<CompiledProgram const>(*r);
    if (!program || !c.kernel.find_task(c.pid)) {
        c.machine.diagnose(format("pid {}: {} is not a program this machine can run", c.pid, path));
        (void)c.kernel.kill(c.pid, c.pid, SIGKILL);
        return {Kind::Restart};
    }
    if (!c.machine.enter_program(c.pid, c.cpu, program, argv, envp)) {
        (void)c.kernel.force_fault(c.pid, SIGSEGV);  // Linux: exec past the point of no return fails: SIGSEGV.
        return {Kind::Restart};
    }
    return {Kind::Replaced};
}

// The file argument. execvp reads it itself (glibc's strchr for a '/'), so a bad pointer
// faults there; the others hand it to the kernel, which fails with EFAULT.
ErrorOr<std::string> read_file_name(BuiltinCall& c, std::uint64_t at, Access access)
{
    std::string name;
    MemoryReader in(c.mem, access);
    switch (in.string(at, PATH_MAX - 1, name)) {
    case MemoryReader::Status::Ok: return name;
    case MemoryReader::Status::Fault: return error(EFAULT);
    case MemoryReader::Status::TooLong: return error(ENAMETOOLONG);
    }
    return error(EFAULT);
}

// execvp(3)'s search: a name without a slash is tried in each directory of the program's own
// PATH (glibc: getenv("PATH"), else "/bin:/usr/bin") in turn; EACCES from one is remembered
// if nothing else is found.
CallOutcome exec_search(BuiltinCall& c, std::string const& file, Strings const& argv, Strings const& envp)
{
    std::optional<std::string> path;
    if (!library_getenv(c, "PATH", path))
        return {Kind::Fault};
    if (!path)
        path = "/bin:/usr/bin";
    int err = 0;
    bool saw_eacces = false;
    std::size_t from = 0;
    for (;;) {
        std::size_t const colon = path->find(':', from);
        std::string dir = path->substr(from, colon == std::string::npos ? std::string::npos : colon - from);
        std::string const full = (dir.empty() ? std::string(".") : dir) + "/" + file;
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

CallOutcome exec_common(BuiltinCall& c, std::uint64_t file_at, ErrorOr<Strings> const& argv,
    ErrorOr<Strings> const& envp, bool search)
{
    auto file = read_file_name(c, file_at, search ? Access::User : Access::Kernel);
    if (!file && search)
        return {Kind::Fault};
    if (!file)
        return fail(c, file.error().code());
    if (!argv)
        return fail(c, argv.error().code());
    if (!envp)
        return fail(c, envp.error().code());
    if (search && file->empty())
        return fail(c, ENOENT);
    if (search && file->find('/') == std::string::npos)
        return exec_search(c, *file, *argv, *envp);
    int err = 0;
    CallOutcome const out = exec_with(c, *file, *argv, *envp, err);
    return out.kind == Kind::Return ? fail(c, err) : out;
}

// execv(3) and execvp(3): the argument array as given, the environment from environ.
CallOutcome exec_array(BuiltinCall& c, bool search)
{
    return exec_common(c, c.arg(0), read_string_array(c, c.arg(1)), current_environ(c), search);
}

// execl(3), execlp(3) and execle(3) gather their variadic arguments into an array up to the
// NULL that ends them; execle's envp comes after that NULL.
enum class EnvFrom : std::uint8_t { Environ, AfterNull };
CallOutcome exec_list(BuiltinCall& c, bool search, EnvFrom env_from)
{
    ErrorOr<Strings> argv = Strings{};
    std::size_t i = 1;
    for (; i < c.args.size() && c.args[i]; ++i) {
        std::string s;
        MemoryReader in(c.mem, Access::Kernel);
        switch (in.string(c.args[i], 32 * kPageSize - 1, s)) {
        case MemoryReader::Status::Ok: break;
        case MemoryReader::Status::Fault: argv = error(EFAULT); break;
        case MemoryReader::Status::TooLong: argv = error(E2BIG); break;
        }
        if (!argv)
            break;
        argv->push_back(std::move(s));
    }
    if (env_from == EnvFrom::Environ)
        return exec_common(c, c.arg(0), argv, current_environ(c), search);
    std::uint64_t const envp = c.arg(i + 1);
    return exec_common(c, c.arg(0), argv, envp ? read_string_array(c, envp) : ErrorOr<Strings>(Strings{}), search);
}

// execve(2) itself: a NULL envp is an empty environment (Linux accepts it).
CallOutcome do_execve(BuiltinCall& c)
{
    auto envp = c.arg(2) ? read_string_array(c, c.arg(2)) : ErrorOr<Strings>(Strings{});
    return exec_common(c, c.arg(0), read_string_array(c, c.arg(1)), envp, false);
}
CallOutcome do_execv(BuiltinCall& c) { return exec_array(c, false); }
CallOutcome do_execvp(BuiltinCall& c) { return exec_array(c, true); }
CallOutcome do_execl(BuiltinCall& c) { return exec_list(c, false, EnvFrom::Environ); }
CallOutcome do_execlp(BuiltinCall& c) { return exec_list(c, true, EnvFrom::Environ); }
CallOutcome do_execle(BuiltinCall& c) { return exec_list(c, false, EnvFrom::AfterNull); }

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

}  // namespace

// abort(3): SIGABRT with its default action, whatever the program had installed.
CallOutcome abort_process(BuiltinCall& c)
{
    (void)c.kernel.sigaction(c.pid, SIGABRT, SigAction{});
    (void)c.kernel.sigprocmask(c.pid, SIG_UNBLOCK, sigbit(SIGABRT));
    (void)c.kernel.kill(c.pid, c.pid, SIGABRT);
    return {Kind::Restart};
}

std::span<Entry const> core_builtins()
{
    static Entry const table[] = {
        {"fork", do_fork}, {"vfork", do_vfork}, {"_exit", do_exit}, {"abort", do_abort},
        {"getpid", do_getpid}, {"getppid", do_getppid}, {"wait", do_wait}, {"waitpid", do_waitpid},
        {"sleep", do_sleep}, {"write", do_write}, {"read", do_read}, {"close", do_close}, {"dup", do_dup},
        {"dup2", do_dup2}, {"pipe", do_pipe}, {"kill", do_kill}, {"raise", do_raise}, {"signal", do_signal},
        {"sigaction", do_sigaction}, {"pause", do_pause}, {"execve", do_execve}, {"execv", do_execv},
        {"execvp", do_execvp}, {"execl", do_execl}, {"execlp", do_execlp}, {"execle", do_execle}, {"WIFEXITED", w_ifexited},
        {"WEXITSTATUS", w_exitstatus}, {"WIFSIGNALED", w_ifsignaled}, {"WTERMSIG", w_termsig},
        {"WIFSTOPPED", w_ifstopped}, {"WSTOPSIG", w_stopsig}, {"WIFCONTINUED", w_ifcontinued},
        {"WCOREDUMP", w_coredump}, {"EXPECT", do_expect}, {"NOTE", do_note},
    };
    return table;
}

}  // namespace libc

namespace {

auto const& tables()
{
    static std::span<libc::Entry const> const all[] = {libc::core_builtins(), libc::stdio_builtins(),
        libc::malloc_builtins(), libc::string_builtins(), libc::env_builtins(), libc::sys_builtins(), libc::forklab_builtins()};
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
