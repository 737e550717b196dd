// execve(2), the kernel's half: finding the file and checking it may be run, checking the size
// of the arguments, then -- past the point of no return -- replacing the program while keeping
// the process. The references are execve(2), and Linux's fs/exec.c (do_open_execat,
// bprm_stack_limits, copy_strings, begin_new_exec) where the man page is silent. Each expected
// value was checked against the host's kernel with a small C program. Every step is followed by
// check_invariants().
#include "support/lab.h"
#include "support/tagged_program.h"

#include "trace/event.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <vector>

using namespace forklab;
using namespace forklab::test;

namespace {

// execve() that must succeed.
void exec(Lab& lab, pid_t pid, std::string_view path, std::vector<std::string> argv = {"prog"},
    std::optional<std::vector<std::string>> envp = std::nullopt)
{
    auto r = lab.k.execve(pid, path, std::move(argv), std::move(envp));
    REQUIRE_MESSAGE(r, "execve(" << path << ") failed: " << why(r));
    lab.check();
}

// execve() that must fail with `code`.
void exec_fails(Lab& lab, pid_t pid, std::string_view path, int code, std::vector<std::string> argv = {"prog"},
    std::optional<std::vector<std::string>> envp = std::nullopt)
{
    lab.fails(lab.k.execve(pid, path, std::move(argv), std::move(envp)), code);
}

// A child of init that has not given up root.
pid_t root_process(Lab& lab)
{
    pid_t const pid = lab.fork(1);
    REQUIRE(lab.task(pid).cred.euid == 0);
    return pid;
}

std::string peek(Lab& lab, pid_t pid, std::uint64_t va, std::size_t n)
{
    std::vector<std::uint8_t> out(n);
    auto r = lab.k.read_memory(pid, va, out);
    REQUIRE_MESSAGE(r, "read_memory failed: " << why(r));
    lab.check();
    REQUIRE_MESSAGE(r->ok, "pid " << pid << " faulted reading " << va);
    return {out.begin(), out.end()};
}

void poke(Lab& lab, pid_t pid, std::uint64_t va, std::string_view s)
{
    auto r = lab.k.write_memory(pid, va, std::span(reinterpret_cast<std::uint8_t const*>(s.data()), s.size()));
    REQUIRE_MESSAGE(r, "write_memory failed: " << why(r));
    lab.check();
    REQUIRE_MESSAGE(r->ok, "pid " << pid << " faulted writing " << va);
}

Vma const& vma_of_kind(Lab const& lab, pid_t pid, VmaKind kind)
{
    for (Vma const& v : lab.task(pid).mm->vmas())
        if (v.kind == kind)
            return v;
    FAIL("pid " << pid << " has no " << vma_kind_name(kind) << " mapping");
    throw 0;
}

// The physical frame the process's page table maps at va (after an access faulted it in).
FrameNr frame_at(Lab const& lab, pid_t pid, std::uint64_t va)
{
    Pte const pte = lab.task(pid).mm->pte(va);
    REQUIRE(pte_present(pte));
    return pte_frame(pte);
}

Event last_event_of(Lab const& lab, EventKind kind)
{
    auto all = lab.k.events().all();
    for (auto it = all.rbegin(); it != all.rend(); ++it)
        if (it->kind == kind)
            return *it;
    FAIL("no event of kind " << event_kind_name(kind));
    return {};
}

std::vector<std::string> strings(std::size_t count, std::size_t length, char c = 'a')
{
    return std::vector<std::string>(count, std::string(length, c));
}

std::vector<std::string> with_argv0(std::vector<std::string> rest)
{
    rest.insert(rest.begin(), "prog");
    return rest;
}

FlockArgs whole_file(short type) { return FlockArgs{.type = type, .whence = SEEK_SET, .start = 0, .len = 0}; }

// F_GETLK from `who`: the process holding a conflicting lock on the file, or 0 if none.
pid_t lock_holder(Lab& lab, pid_t who, int fd)
{
    FlockArgs probe = whole_file(F_WRLCK);
    auto r = lab.k.fcntl_lock(who, fd, F_GETLK, probe);
    REQUIRE_MESSAGE(r, "F_GETLK failed: " << why(r));
    lab.check();
    return probe.type == F_UNLCK ? 0 : probe.pid;
}

void set_handler(Lab& lab, pid_t pid, int sig, std::uint64_t handler)
{
    REQUIRE(lab.k.sigaction(pid, sig, SigAction{.handler = handler}));
    lab.check();
}

std::uint64_t handler_of(Lab& lab, pid_t pid, int sig)
{
    auto r = lab.k.sigaction(pid, sig, std::nullopt);
    REQUIRE(r);
    return r->handler;
}

constexpr std::uint64_t kHandler = MmStruct::kTextBase + 0x40;  // Some function in the program.
constexpr std::uint64_t kSec = 1'000'000'000;

}  // namespace

// ---- Finding the file ------------------------------------------------------------------------

TEST_CASE("execve of a path that names nothing fails with ENOENT")
{
    Lab lab;
    install(lab, "/bin/prog");
    exec_fails(lab, lab.main, "/bin/nosuch", ENOENT);
    // execve(2): "A component of the path prefix of pathname ... does not exist."
    exec_fails(lab, lab.main, "/nodir/prog", ENOENT);
    // An empty path names no file (path_lookupat gives ENOENT).
    exec_fails(lab, lab.main, "", ENOENT);
}

TEST_CASE("execve through a component that is not a directory fails with ENOTDIR")
{
    Lab lab;
    install(lab, "/bin/prog");
    exec_fails(lab, lab.main, "/bin/prog/x", ENOTDIR);
    // A trailing slash asks for a directory, which a program is not.
    exec_fails(lab, lab.main, "/bin/prog/", ENOTDIR);
}

TEST_CASE("execve of a file without an x bit for the caller fails with EACCES")
{
    Lab lab;
    install(lab, "/bin/readonly", "prog", 0644);
    install(lab, "/bin/rootonly", "prog", 0700);
    exec_fails(lab, lab.main, "/bin/readonly", EACCES);
    exec_fails(lab, lab.main, "/bin/rootonly", EACCES);
}

TEST_CASE("execve uses only the caller's class of permission bits: an owner without x is refused")
{
    Lab lab;
    // Mode 071: group and others may execute, the owner may not -- and the owner is judged by
    // the owner bits alone.
    Inode* const mine = install(lab, "/home/student/prog", "prog", 0071);
    mine->uid = Lab::kStudent;
    mine->gid = Lab::kStudent;
    exec_fails(lab, lab.main, "/home/student/prog", EACCES);
    mine->mode = 0700;
    exec(lab, lab.main, "/home/student/prog");
}

TEST_CASE("execve needs x permission but not r permission: an execute-only program runs")
{
    Lab lab;
    install(lab, "/bin/xonly", "prog", 0711);
    exec(lab, lab.main, "/bin/xonly");
    CHECK(lab.task(lab.main).name() == "xonly");
}

TEST_CASE("execve of a directory fails with EACCES even though it has x bits")
{
    Lab lab;
    // execve(2): "the file or a script interpreter is not a regular file" -- EACCES.
    exec_fails(lab, lab.main, "/bin", EACCES);
    exec_fails(lab, lab.main, "/home/student", EACCES);
    pid_t const root = root_process(lab);
    exec_fails(lab, root, "/tmp", EACCES);
}

TEST_CASE("execve of the terminal fails with EACCES: a device is not a regular file")
{
    Lab lab;
    exec_fails(lab, lab.main, "/dev/tty", EACCES);
    exec_fails(lab, lab.main, "/dev/null", EACCES);
    pid_t const root = root_process(lab);
    exec_fails(lab, root, "/dev/tty", EACCES);
    exec_fails(lab, root, "/dev/console", EACCES);
}

TEST_CASE("execve through a directory without search permission fails with EACCES")
{
    Lab lab;
    REQUIRE(lab.k.vfs().mkdir_p("/secret", 0700, 0));
    install(lab, "/secret/prog");
    exec_fails(lab, lab.main, "/secret/prog", EACCES);
    // Not ENOENT for a missing name either: the student may not even look.
    exec_fails(lab, lab.main, "/secret/nosuch", EACCES);
    // Root searches every directory.
    pid_t const root = root_process(lab);
    exec(lab, root, "/secret/prog");
}

TEST_CASE("root may execute any file with at least one x bit, and no file without one")
{
    Lab lab;
    pid_t const root = root_process(lab);
    install(lab, "/bin/noexec", "prog", 0644);
    exec_fails(lab, root, "/bin/noexec", EACCES);
    // Mode 0001: only others may execute, yet CAP_DAC_OVERRIDE lets root run it.
    install(lab, "/bin/othersonly", "prog", 0001);
    exec(lab, root, "/bin/othersonly");
    CHECK(lab.task(root).name() == "othersonly");
}

TEST_CASE("execve of an executable regular file with no program in it fails with ENOEXEC")
{
    Lab lab;
    REQUIRE(lab.k.vfs().create_file("/home/student/notes.txt", "hello world\n", 0755));
    REQUIRE(lab.k.vfs().create_file("/home/student/empty", "", 0755));
    // The kernel knows no binary format for these bytes (the shell, not the kernel, would run
    // such a file as a script).
    exec_fails(lab, lab.main, "/home/student/notes.txt", ENOEXEC);
    exec_fails(lab, lab.main, "/home/student/empty", ENOEXEC);
}

TEST_CASE("execve of a path of PATH_MAX bytes or a component over NAME_MAX fails with ENAMETOOLONG")
{
    Lab lab;
    exec_fails(lab, lab.main, "/" + std::string(4095, 'a'), ENAMETOOLONG);
    exec_fails(lab, lab.main, "/tmp/" + std::string(256, 'b'), ENAMETOOLONG);
    // NAME_MAX itself is allowed: the name merely does not exist.
    exec_fails(lab, lab.main, "/tmp/" + std::string(255, 'b'), ENOENT);
}

TEST_CASE("a relative path is resolved against the working directory, with no PATH search")
{
    Lab lab;
    install(lab, "/bin/prog");
    // The kernel does not search PATH: that is execvp()'s job in the C library.
    exec_fails(lab, lab.main, "prog", ENOENT);
    REQUIRE(lab.k.chdir(lab.main, "/bin"));
    SUBCASE("a bare name") { exec(lab, lab.main, "prog"); }
    SUBCASE("a dotted name") { exec(lab, lab.main, "./prog"); }
    SUBCASE("through ..")
    {
        REQUIRE(lab.k.chdir(lab.main, "/home/student"));
        exec(lab, lab.main, "../../bin/prog");
    }
    CHECK(lab.task(lab.main).name() == "prog");
    CHECK(lab.count_events(EventKind::Exec) == 1);
}

// ---- The size of the arguments -------------------------------------------------------------

TEST_CASE("an argument or environment string of 32 pages or more fails with E2BIG")
{
    Lab lab;
    install(lab, "/bin/prog");
    // MAX_ARG_STRLEN is 32 pages including the terminating NUL.
    exec_fails(lab, lab.main, "/bin/prog", E2BIG, {"prog", std::string(32 * kPageSize, 'a')});
    exec_fails(lab, lab.main, "/bin/prog", E2BIG, {"prog"}, std::vector<std::string>{"X=" + std::string(32 * kPageSize - 2, 'v')});
    exec(lab, lab.main, "/bin/prog", {"prog", std::string(32 * kPageSize - 1, 'a')});
}

TEST_CASE("argv and envp together must fit in a quarter of RLIMIT_STACK")
{
    Lab lab;
    install(lab, "/bin/prog");
    // The default 8 MiB stack leaves 2 MiB for the strings and their pointers.
    exec_fails(lab, lab.main, "/bin/prog", E2BIG, with_argv0(strings(20, 128000)));
    exec_fails(lab, lab.main, "/bin/prog", E2BIG, {"prog"}, strings(20, 128000, 'v'));
    exec_fails(lab, lab.main, "/bin/prog", E2BIG, with_argv0(strings(10, 128000)), strings(10, 128000, 'v'));
    exec(lab, lab.main, "/bin/prog", with_argv0(strings(14, 128000)));
}

TEST_CASE("the pointers of argv count too: many empty arguments fail with E2BIG")
{
    Lab lab;
    install(lab, "/bin/prog");
    // Each empty string costs its NUL and an 8-byte pointer: 300000 of them are 2.7 MB.
    exec_fails(lab, lab.main, "/bin/prog", E2BIG, with_argv0(strings(300000, 0)));
    exec(lab, lab.main, "/bin/prog", with_argv0(strings(200000, 0)));
}

TEST_CASE("the environment a process inherits counts against the limit when execve keeps it")
{
    Lab lab;
    install(lab, "/bin/prog");
    for (int i = 0; i < 20; ++i)
        REQUIRE(lab.k.setenv(lab.main, "BIG" + std::to_string(i), std::string(128000, 'e')));
    exec_fails(lab, lab.main, "/bin/prog", E2BIG);
    // Replacing the environment with a small one makes room.
    exec(lab, lab.main, "/bin/prog", {"prog"}, std::vector<std::string>{"LANG=C"});
}

TEST_CASE("a smaller RLIMIT_STACK lowers the argument limit, but never below 32 pages")
{
    Lab lab;
    install(lab, "/bin/prog");
    SUBCASE("1 MiB of stack: 256 KiB of arguments")
    {
        REQUIRE(lab.k.prlimit(lab.main, 0, RLIMIT_STACK, Rlimit{1 << 20, kRlimInfinity}));
        exec_fails(lab, lab.main, "/bin/prog", E2BIG, with_argv0(strings(3, 100000)));
        exec(lab, lab.main, "/bin/prog", with_argv0(strings(2, 100000)));
    }
    SUBCASE("256 KiB of stack: still 32 pages (128 KiB) of arguments")
    {
        REQUIRE(lab.k.prlimit(lab.main, 0, RLIMIT_STACK, Rlimit{256 << 10, kRlimInfinity}));
        exec_fails(lab, lab.main, "/bin/prog", E2BIG, with_argv0(strings(2, 100000)));
        exec(lab, lab.main, "/bin/prog", with_argv0(strings(1, 100000)));
    }
}

TEST_CASE("however large RLIMIT_STACK is, the arguments may take at most 6 MiB")
{
    Lab lab;
    install(lab, "/bin/prog");
    // Linux's bprm_stack_limits() caps the quarter of RLIMIT_STACK at three quarters of _STK_LIM
    // (8 MiB), so that the arguments cannot crowd out the stack. On the host, with a 64 MiB
    // stack, 56 arguments of 128000 bytes fail with E2BIG and 39 of them run.
    REQUIRE(lab.k.prlimit(lab.main, 0, RLIMIT_STACK, Rlimit{64 << 20, kRlimInfinity}));
    lab.check();
    pid_t const c = lab.fork(lab.main);  // Inherits the 64 MiB limit.
    exec(lab, c, "/bin/prog", with_argv0(strings(39, 128000)));
    exec_fails(lab, lab.main, "/bin/prog", E2BIG, with_argv0(strings(56, 128000)));
}

TEST_CASE("E2BIG is found before ENOEXEC: the arguments are copied before the format is sought")
{
    Lab lab;
    REQUIRE(lab.k.vfs().create_file("/home/student/script", "echo hi\n", 0755));
    // Linux copies argv and envp (copy_strings) before it asks the binary formats
    // (search_binary_handler); on the host a 0755 text file with a 128 KiB argument gives E2BIG.
    exec_fails(lab, lab.main, "/home/student/script", E2BIG, {"script", std::string(32 * kPageSize, 'a')});
    // The permission check comes before both.
    install(lab, "/bin/noexec", "prog", 0644);
    exec_fails(lab, lab.main, "/bin/noexec", EACCES, {"noexec", std::string(32 * kPageSize, 'a')});
}

// ---- A failed exec changes nothing -----------------------------------------------------------

TEST_CASE("a failed execve leaves the process exactly as it was, and it carries on")
{
    Lab lab;
    install(lab, "/bin/prog");
    install(lab, "/bin/noexec", "prog", 0644);
    REQUIRE(lab.k.vfs().create_file("/home/student/notes.txt", "0123456789", 0755));
    pid_t const m = lab.main;
    REQUIRE(lab.k.set_name(m, "shell"));
    // A page of its own (the Lab's scratch buffer is where read() puts its bytes).
    std::uint64_t const buf = lab.k.mmap(m, 0, kPageSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS).value();
    poke(lab, m, buf, "remember me");
    int const fd = lab.open(m, "/home/student/notes.txt", O_RDONLY | O_CLOEXEC);
    CHECK(lab.read(m, fd, 3) == "012");
    set_handler(lab, m, SIGUSR1, kHandler);
    Task const& t = lab.task(m);
    MmStruct const* const mm = t.mm.get();
    OpenFileDescription const* const file = t.files->get(fd);
    int const fds = t.files->count_open();

    int err = 0;
    SUBCASE("ENOENT") { err = ENOENT; exec_fails(lab, m, "/bin/nosuch", err); }
    SUBCASE("EACCES") { err = EACCES; exec_fails(lab, m, "/bin/noexec", err); }
    SUBCASE("ENOEXEC") { err = ENOEXEC; exec_fails(lab, m, "/home/student/notes.txt", err); }
    SUBCASE("E2BIG") { err = E2BIG; exec_fails(lab, m, "/bin/prog", err, {"prog", std::string(1 << 20, 'a'), std::string(1 << 20, 'b')}); }

    Event const e = last_event_of(lab, EventKind::ExecFailed);
    CHECK(e.pid == m);
    CHECK(e.value == err);
    CHECK(explain(e).find(errno_name(Error::from_errno(err))) != std::string::npos);
    CHECK(lab.count_events(EventKind::Exec) == 0);
    CHECK(t.mm.get() == mm);
    CHECK(peek(lab, m, buf, 11) == "remember me");
    CHECK(t.files->count_open() == fds);
    CHECK(t.files->get(fd) == file);  // Even the close-on-exec descriptor is still open.
    CHECK(handler_of(lab, m, SIGUSR1) == kHandler);
    CHECK(t.name() == "shell");
    CHECK_FALSE(t.did_exec);
    // The old program goes on making calls.
    CHECK(lab.read(m, fd, 3) == "345");
    CHECK(lab.k.getpid(m).value() == m);
    CHECK(lab.fork(m) > 0);
}

// ---- A successful exec: the same process, a new program --------------------------------------

TEST_CASE("execve keeps the pid, the parent, the process group, the session and the user")
{
    Lab lab;
    install(lab, "/bin/prog");
    pid_t const c = lab.fork(lab.main);
    REQUIRE(lab.k.setpgid(c, 0, 0));
    pid_t const pgid = lab.k.getpgid(c, 0).value();
    pid_t const sid = lab.k.getsid(c, 0).value();
    exec(lab, c, "/bin/prog");
    CHECK(lab.k.getpid(c).value() == c);
    CHECK(lab.k.getppid(c).value() == lab.main);
    CHECK(lab.k.getpgid(c, 0).value() == pgid);
    CHECK(lab.k.getsid(c, 0).value() == sid);
    CHECK(lab.task(c).cred.uid == Lab::kStudent);
    CHECK(lab.task(c).cred.euid == Lab::kStudent);
    Event const e = last_event_of(lab, EventKind::Exec);
    CHECK(e.pid == c);
}

TEST_CASE("execve returns the program the process now runs")
{
    Lab lab;
    Inode* const inode = install(lab, "/bin/prog");
    auto r = lab.k.execve(lab.main, "/bin/prog", {"prog"});
    lab.check();
    REQUIRE(r);
    CHECK(*r == inode->executable);
}

TEST_CASE("after execve the process is named after the file, not after argv[0]")
{
    Lab lab;
    install(lab, "/bin/prog");
    install(lab, "/bin/a_very_long_program_name");
    exec(lab, lab.main, "/bin/prog", {"pretending-to-be-something-else", "x"});
    CHECK(lab.task(lab.main).name() == "prog");
    CHECK(lab.task(lab.main).cmdline == std::vector<std::string>{"pretending-to-be-something-else", "x"});
    // The name is the basename, cut to 15 characters (TASK_COMM_LEN - 1), as /proc/PID/comm shows.
    exec(lab, lab.main, "/bin/a_very_long_program_name", {"long"});
    CHECK(lab.task(lab.main).name() == "a_very_long_pro");
    CHECK(lab.task(lab.main).cmdline == std::vector<std::string>{"long"});
}

TEST_CASE("execve with an environment replaces it, without one keeps it")
{
    Lab lab;
    install(lab, "/bin/prog");
    REQUIRE(lab.k.setenv(lab.main, "HOME", "/home/student"));
    pid_t const c = lab.fork(lab.main);
    SUBCASE("execv: the environment is kept")
    {
        exec(lab, c, "/bin/prog");
        CHECK(lab.task(c).env.get("HOME") == "/home/student");
    }
    SUBCASE("execve: the environment is the one given")
    {
        exec(lab, c, "/bin/prog", {"prog"}, std::vector<std::string>{"LANG=C", "TERM=vt100"});
        CHECK_FALSE(lab.task(c).env.get("HOME"));
        CHECK(lab.task(c).env.get("LANG") == "C");
        CHECK(lab.task(c).env.get("TERM") == "vt100");
    }
    SUBCASE("execve with an empty environment: none at all")
    {
        exec(lab, c, "/bin/prog", {"prog"}, std::vector<std::string>{});
        CHECK(lab.task(c).env.entries().empty());
    }
    // The parent's environment is its own either way.
    CHECK(lab.task(lab.main).env.get("HOME") == "/home/student");
}

TEST_CASE("execve builds a new address space from the program's image")
{
    Lab lab;
    install(lab, "/bin/prog", "hello");
    std::uint64_t const buf = lab.scratch(lab.main, kPageSize);
    poke(lab, lab.main, buf, "old program");
    MmStruct const* const old = lab.task(lab.main).mm.get();
    exec(lab, lab.main, "/bin/prog");
    Task const& t = lab.task(lab.main);
    CHECK(t.mm.get() != old);
    // The old mappings are gone.
    CHECK(t.mm->find_vma(buf) == nullptr);
    // Text at kTextBase, readable and executable but not writable.
    Vma const& text = vma_of_kind(lab, lab.main, VmaKind::Text);
    CHECK(text.start == MmStruct::kTextBase);
    CHECK(text.prot == (PROT_READ | PROT_EXEC));
    CHECK(peek(lab, lab.main, MmStruct::kTextBase, 10) == "hello text");
    CHECK(peek(lab, lab.main, vma_of_kind(lab, lab.main, VmaKind::Rodata).start, 12) == "hello rodata");
    Vma const& data = vma_of_kind(lab, lab.main, VmaKind::Data);
    CHECK(data.prot == (PROT_READ | PROT_WRITE));
    CHECK(peek(lab, lab.main, data.start, 10) == "hello data");
    CHECK(peek(lab, lab.main, vma_of_kind(lab, lab.main, VmaKind::Bss).start, 4) == std::string(4, '\0'));
    CHECK(t.mm->find_vma(MmStruct::kStackTop - 1) != nullptr);
    // A store into the text faults: SIGSEGV, not a changed program.
    auto w = lab.k.write_memory(lab.main, MmStruct::kTextBase, bytes_of("X"));
    lab.check();
    REQUIRE(w);
    CHECK_FALSE(w->ok);
}

TEST_CASE("after execve the parent may no longer move the child to another process group")
{
    Lab lab;
    install(lab, "/bin/prog");
    pid_t const c = lab.fork(lab.main);
    REQUIRE(lab.k.setpgid(lab.main, c, c));  // Before exec: allowed.
    exec(lab, c, "/bin/prog");
    // setpgid(2): EACCES, "the child had already performed an execve".
    lab.fails(lab.k.setpgid(lab.main, c, 0), EACCES);
}

TEST_CASE("exec'ing a second time replaces the first new program")
{
    Lab lab;
    install(lab, "/bin/one", "first");
    install(lab, "/bin/two", "second");
    exec(lab, lab.main, "/bin/one", {"one"});
    CHECK(peek(lab, lab.main, MmStruct::kTextBase, 10) == "first text");
    exec(lab, lab.main, "/bin/two", {"two"});
    CHECK(peek(lab, lab.main, MmStruct::kTextBase, 11) == "second text");
    CHECK(lab.task(lab.main).name() == "two");
    CHECK(lab.count_events(EventKind::Exec) == 2);
}

TEST_CASE("execve keeps the working directory, the umask, the resource limits and PR_SET_PDEATHSIG")
{
    Lab lab;
    install(lab, "/bin/prog");
    pid_t const m = lab.main;
    REQUIRE(lab.k.chdir(m, "/tmp"));
    REQUIRE(lab.k.umask(m, 077));
    REQUIRE(lab.k.prlimit(m, 0, RLIMIT_NOFILE, Rlimit{64, 64}));
    REQUIRE(lab.k.prctl(m, PR_SET_PDEATHSIG, SIGUSR2));
    exec(lab, m, "/bin/prog");
    CHECK(lab.task(m).fs->cwd == "/tmp");
    CHECK(lab.k.umask(m, 022).value() == 077);
    CHECK(lab.k.prlimit(m, 0, RLIMIT_NOFILE, std::nullopt).value().cur == 64);
    // prctl(2): the parent-death signal is cleared only by exec of a set-user-ID (or otherwise
    // privileged) program; the host keeps it across an ordinary exec.
    CHECK(lab.k.prctl(m, PR_GET_PDEATHSIG).value() == SIGUSR2);
}

TEST_CASE("memory locks are not preserved across execve")
{
    Lab lab;
    install(lab, "/bin/prog");
    pid_t const m = lab.main;
    lab.scratch(m, kPageSize);
    REQUIRE(lab.k.mlockall(m, MCL_CURRENT | MCL_FUTURE));
    REQUIRE(lab.task(m).mm->locked_pages() > 0);
    exec(lab, m, "/bin/prog");
    // execve(2): "Memory locks are not preserved"; MCL_FUTURE goes with the old address space.
    CHECK(lab.task(m).mm->locked_pages() == 0);
    CHECK_FALSE(lab.task(m).mm->lock_future());
}

TEST_CASE("execve resets the exit signal to SIGCHLD, so the parent hears of the exit as usual")
{
    Lab lab;
    install(lab, "/bin/prog");
    pid_t const m = lab.main;
    REQUIRE(lab.k.sigprocmask(m, SIG_BLOCK, sigbit(SIGUSR1) | sigbit(SIGCHLD)));
    // A clone() child that would tell its parent of its death with SIGUSR1.
    pid_t const c = lab.k.clone(m, CloneArgs{0, SIGUSR1}).value();
    lab.check();
    exec(lab, c, "/bin/prog");
    // execve(2): "The termination signal is reset to SIGCHLD". On the host the parent then gets
    // SIGCHLD, and a plain waitpid() (without __WCLONE) finds the child.
    CHECK(lab.task(c).exit_signal == SIGCHLD);
    lab.exit(c, 3);
    SigSet const pending = lab.k.sigpending(m).value();
    CHECK((pending & sigbit(SIGCHLD)) != 0);
    CHECK((pending & sigbit(SIGUSR1)) == 0);
    WaitResult const w = lab.reap(m, c);
    CHECK(w.pid == c);
    CHECK(WEXITSTATUS(w.status) == 3);
}

// ---- Open files ------------------------------------------------------------------------------

TEST_CASE("execve closes close-on-exec descriptors and keeps the others, offsets and all")
{
    Lab lab;
    install(lab, "/bin/prog");
    REQUIRE(lab.k.vfs().create_file("/home/student/data", "0123456789", 0644));
    pid_t const m = lab.main;
    int const keep = lab.open(m, "/home/student/data", O_RDONLY);
    int const gone = lab.open(m, "/home/student/data", O_RDONLY);
    REQUIRE(lab.k.fcntl(m, gone, F_SETFD, FD_CLOEXEC));
    CHECK(lab.read(m, keep, 4) == "0123");
    OpenFileDescription const* const kept = lab.task(m).files->get(keep);
    int const gone_id = lab.task(m).files->get(gone)->id;
    exec(lab, m, "/bin/prog");
    Task const& t = lab.task(m);
    CHECK(t.files->get(gone) == nullptr);
    lab.fails(lab.k.fcntl(m, gone, F_GETFD), EBADF);
    Event const e = last_event_of(lab, EventKind::FileClosed);
    CHECK(e.pid == m);
    CHECK(e.value == gone);
    CHECK(e.extra == std::uint32_t(gone_id));
    CHECK((e.aux & 0x7f) == std::uint8_t(CloseReason::Exec));
    CHECK((e.aux & 0x80) != 0);  // Its last reference: the description is freed.
    // The same description, so the same offset: the new program reads on where the old stopped.
    CHECK(t.files->get(keep) == kept);
    CHECK(lab.read(m, keep, 3) == "456");
    // The standard descriptors are not close-on-exec.
    for (int fd = 0; fd < 3; ++fd)
        CHECK(t.files->get(fd) != nullptr);
}

TEST_CASE("O_CLOEXEC, F_DUPFD_CLOEXEC and dup3(O_CLOEXEC) descriptors close at exec")
{
    Lab lab;
    install(lab, "/bin/prog");
    REQUIRE(lab.k.vfs().create_file("/home/student/data", "x", 0644));
    pid_t const m = lab.main;
    int const plain = lab.open(m, "/home/student/data", O_RDONLY);
    int const opened = lab.open(m, "/home/student/data", O_RDONLY | O_CLOEXEC);
    int const duped = int(lab.k.fcntl(m, plain, F_DUPFD_CLOEXEC, 10).value());
    int const dup3d = lab.k.dup3(m, plain, 20, O_CLOEXEC).value();
    auto const [r, w] = lab.pipe(m, O_CLOEXEC);
    CHECK(lab.k.fcntl(m, opened, F_GETFD).value() == FD_CLOEXEC);
    CHECK(lab.k.fcntl(m, duped, F_GETFD).value() == FD_CLOEXEC);
    int const closes = lab.count_events(EventKind::FileClosed);
    exec(lab, m, "/bin/prog");
    Task const& t = lab.task(m);
    for (int fd : {opened, duped, dup3d, r, w})
        CHECK_MESSAGE(t.files->get(fd) == nullptr, "fd " << fd << " survived exec");
    CHECK(t.files->get(plain) != nullptr);
    CHECK(lab.count_events(EventKind::FileClosed) == closes + 5);
}

TEST_CASE("a dup() of a close-on-exec descriptor survives exec: FD_CLOEXEC is per descriptor")
{
    Lab lab;
    install(lab, "/bin/prog");
    REQUIRE(lab.k.vfs().create_file("/home/student/data", "abcdef", 0644));
    pid_t const m = lab.main;
    int const fd = lab.open(m, "/home/student/data", O_RDONLY | O_CLOEXEC);
    int const copy = lab.k.dup(m, fd).value();
    lab.check();
    CHECK(lab.k.fcntl(m, copy, F_GETFD).value() == 0);
    CHECK(lab.read(m, fd, 2) == "ab");
    long const files = lab.k.vfs().nr_files();
    exec(lab, m, "/bin/prog");
    CHECK(lab.task(m).files->get(fd) == nullptr);
    CHECK(lab.task(m).files->get(copy) != nullptr);
    // The description lives on through the copy, with the shared offset.
    CHECK(lab.k.vfs().nr_files() == files);
    CHECK((last_event_of(lab, EventKind::FileClosed).aux & 0x80) == 0);
    CHECK(lab.read(m, copy, 2) == "cd");
}

TEST_CASE("F_SETFD can clear FD_CLOEXEC again before exec")
{
    Lab lab;
    install(lab, "/bin/prog");
    REQUIRE(lab.k.vfs().create_file("/home/student/data", "x", 0644));
    int const fd = lab.open(lab.main, "/home/student/data", O_RDONLY | O_CLOEXEC);
    REQUIRE(lab.k.fcntl(lab.main, fd, F_SETFD, 0));
    exec(lab, lab.main, "/bin/prog");
    CHECK(lab.task(lab.main).files->get(fd) != nullptr);
}

TEST_CASE("a pipe's close-on-exec write end closes at exec, so the reader sees end-of-file")
{
    Lab lab;
    install(lab, "/bin/prog");
    auto const [r, w] = lab.pipe(lab.main, O_CLOEXEC);
    pid_t const c = lab.fork(lab.main);  // fork keeps FD_CLOEXEC on the child's copies.
    CHECK(lab.k.fcntl(c, w, F_GETFD).value() == FD_CLOEXEC);
    REQUIRE(lab.k.close(lab.main, w));
    // The child's copy is the last write end: the reader waits for it.
    auto before = lab.try_read(lab.main, r, 10);
    REQUIRE(before);
    CHECK(before->kind == Blocking::Kind::Sleeping);
    exec(lab, c, "/bin/prog");
    CHECK(lab.task(lab.main).state == TaskState::Runnable);
    CHECK(lab.read(lab.main, r, 10) == "");
}

TEST_CASE("a POSIX lock on a file whose descriptor was close-on-exec is released by exec")
{
    Lab lab;
    install(lab, "/bin/prog");
    REQUIRE(lab.k.vfs().create_file("/tmp/lockfile", "", 0666));
    pid_t const m = lab.main;
    pid_t const other = lab.fork(m);
    int const probe_fd = lab.open(other, "/tmp/lockfile", O_RDWR);
    bool cloexec = false;
    SUBCASE("close-on-exec: the close at exec releases the lock") { cloexec = true; }
    SUBCASE("kept open: the lock stays with the process") { cloexec = false; }
    int const fd = lab.open(m, "/tmp/lockfile", O_RDWR | (cloexec ? O_CLOEXEC : 0));
    FlockArgs lk = whole_file(F_WRLCK);
    auto got = lab.k.fcntl_lock(m, fd, F_SETLK, lk);
    lab.check();
    REQUIRE((got && got->done()));
    CHECK(lock_holder(lab, other, probe_fd) == m);
    exec(lab, m, "/bin/prog");
    // On the host: F_GETLK after the locker's exec says F_UNLCK for an O_CLOEXEC descriptor,
    // and names the exec'd process when the descriptor stayed open.
    CHECK(lock_holder(lab, other, probe_fd) == (cloexec ? 0 : m));
}

TEST_CASE("a fd table shared by CLONE_FILES is unshared by exec before close-on-exec")
{
    Lab lab;
    install(lab, "/bin/prog");
    REQUIRE(lab.k.vfs().create_file("/home/student/data", "x", 0644));
    pid_t const m = lab.main;
    int const keep = lab.open(m, "/home/student/data", O_RDONLY);
    int const ce = lab.open(m, "/home/student/data", O_RDONLY | O_CLOEXEC);
    pid_t const c = lab.k.clone(m, CloneArgs{CLONE_FILES, SIGCHLD}).value();
    lab.check();
    REQUIRE(lab.task(c).files == lab.task(m).files);
    exec(lab, c, "/bin/prog");
    CHECK(lab.task(c).files != lab.task(m).files);
    CHECK(lab.task(m).files->use_count() == 1);
    // The close-on-exec descriptor closed in the exec'd process only.
    CHECK(lab.task(c).files->get(ce) == nullptr);
    CHECK(lab.task(m).files->get(ce) != nullptr);
    CHECK(lab.task(c).files->get(keep) == lab.task(m).files->get(keep));
    // From now on, what one opens the other does not see (checked on the host with clone()).
    int const late = lab.open(m, "/home/student/data", O_RDONLY);
    CHECK(lab.task(c).files->get(late) == nullptr);
}

// ---- Signals and timers ----------------------------------------------------------------------

TEST_CASE("execve resets caught signals to SIG_DFL and leaves ignored ones ignored")
{
    Lab lab;
    install(lab, "/bin/prog");
    pid_t const m = lab.main;
    set_handler(lab, m, SIGUSR1, kHandler);
    set_handler(lab, m, SIGINT, kHandler + 0x10);
    set_handler(lab, m, SIGUSR2, kSigIgn);
    set_handler(lab, m, SIGCHLD, kSigIgn);
    exec(lab, m, "/bin/prog");
    // The handlers' code is gone with the old program; SIG_IGN names no code, so it stays.
    CHECK(handler_of(lab, m, SIGUSR1) == kSigDfl);
    CHECK(handler_of(lab, m, SIGINT) == kSigDfl);
    CHECK(handler_of(lab, m, SIGUSR2) == kSigIgn);
    CHECK(handler_of(lab, m, SIGCHLD) == kSigIgn);
    CHECK(handler_of(lab, m, SIGTERM) == kSigDfl);
}

TEST_CASE("execve keeps the signal mask and the pending signals")
{
    Lab lab;
    install(lab, "/bin/prog");
    pid_t const c = lab.fork(lab.main);
    set_handler(lab, c, SIGUSR1, kHandler);
    REQUIRE(lab.k.sigprocmask(c, SIG_BLOCK, sigbit(SIGUSR1) | sigbit(SIGHUP)));
    lab.kill(lab.main, c, SIGUSR1);
    exec(lab, c, "/bin/prog");
    CHECK(lab.k.sigprocmask(c, SIG_BLOCK, std::nullopt).value() == (sigbit(SIGUSR1) | sigbit(SIGHUP)));
    CHECK((lab.k.sigpending(c).value() & sigbit(SIGUSR1)) != 0);
    // Unblocked now, the signal finds the default action where the handler was: it kills.
    REQUIRE(lab.k.sigprocmask(c, SIG_UNBLOCK, sigbit(SIGUSR1)));
    CHECK_FALSE(lab.run(c).has_value());
    WaitResult const w = lab.reap(lab.main, c);
    CHECK(WIFSIGNALED(w.status));
    CHECK(WTERMSIG(w.status) == SIGUSR1);
}

TEST_CASE("a handler table shared by CLONE_SIGHAND is unshared by exec")
{
    Lab lab;
    install(lab, "/bin/prog");
    pid_t const m = lab.main;
    set_handler(lab, m, SIGUSR1, kHandler);
    pid_t const c = lab.k.clone(m, CloneArgs{CLONE_SIGHAND | CLONE_VM, SIGCHLD}).value();
    lab.check();
    REQUIRE(lab.task(c).sighand == lab.task(m).sighand);
    exec(lab, c, "/bin/prog");
    CHECK(lab.task(c).sighand != lab.task(m).sighand);
    CHECK(handler_of(lab, c, SIGUSR1) == kSigDfl);
    // The other process still runs the old program, handler and all.
    CHECK(handler_of(lab, m, SIGUSR1) == kHandler);
}

TEST_CASE("an alarm set before execve still fires after it")
{
    Lab lab;
    install(lab, "/bin/prog");
    pid_t const c = lab.fork(lab.main);
    set_handler(lab, c, SIGALRM, kHandler);
    std::uint64_t const due = lab.k.now_ns() + 5 * kSec;
    REQUIRE(lab.k.alarm(c, 5));
    exec(lab, c, "/bin/prog");
    CHECK(lab.task(c).signal->itimers[ITIMER_REAL].expires_ns == due);
    lab.k.advance_time(5 * kSec);
    lab.check();
    // The handler is gone, so SIGALRM's default action ends the new program.
    CHECK_FALSE(lab.run(c).has_value());
    WaitResult const w = lab.reap(lab.main, c);
    CHECK(WIFSIGNALED(w.status));
    CHECK(WTERMSIG(w.status) == SIGALRM);
}

TEST_CASE("execve deletes POSIX timers but keeps interval timers")
{
    Lab lab;
    install(lab, "/bin/prog");
    pid_t const m = lab.main;
    int const id = lab.k.timer_create(m, SIGUSR2).value();
    REQUIRE(lab.k.timer_settime(m, id, 10 * kSec, 0));
    REQUIRE(lab.k.setitimer(m, ITIMER_VIRTUAL, 100 * kSec, 0));
    exec(lab, m, "/bin/prog");
    CHECK(lab.task(m).signal->posix_timers.empty());
    lab.fails(lab.k.timer_settime(m, id, kSec, 0), EINVAL);
    // On the host, timer_gettime of the old id says EINVAL and getitimer still says 100 s.
    Itimer const old = lab.k.setitimer(m, ITIMER_VIRTUAL, 0, 0).value();
    CHECK(old.expires_ns == 100 * kSec);
    // The deleted timer never fires.
    lab.k.advance_time(20 * kSec);
    lab.check();
    CHECK((lab.k.sigpending(m).value() & sigbit(SIGUSR2)) == 0);
}

// ---- vfork -----------------------------------------------------------------------------------

TEST_CASE("a vfork child's successful execve releases its parent")
{
    Lab lab;
    install(lab, "/bin/prog");
    pid_t const c = lab.k.vfork(lab.main).value();
    lab.check();
    Task const& parent = lab.task(lab.main);
    REQUIRE(parent.state == TaskState::Blocked);
    REQUIRE(parent.blocked_on == BlockReason::Vfork);
    exec(lab, c, "/bin/prog");
    CHECK(parent.state == TaskState::Runnable);
    CHECK(lab.task(c).mm != parent.mm);
    CHECK(parent.mm->use_count() == 1);
    Event const woken = last_event_of(lab, EventKind::Woken);
    CHECK(woken.pid == lab.main);
    CHECK(woken.aux == std::uint8_t(BlockReason::Vfork));
    CHECK(lab.k.getpid(lab.main).value() == lab.main);
}

TEST_CASE("a vfork child's failed execve does not release its parent")
{
    Lab lab;
    install(lab, "/bin/prog");
    pid_t const c = lab.k.vfork(lab.main).value();
    lab.check();
    Task const& parent = lab.task(lab.main);
    exec_fails(lab, c, "/bin/nosuch", ENOENT);
    // The child is still running in its parent's memory, so the parent must go on waiting.
    CHECK(parent.state == TaskState::Blocked);
    CHECK(parent.blocked_on == BlockReason::Vfork);
    CHECK(lab.task(c).mm == parent.mm);
    lab.fails(lab.k.getpid(lab.main), EBUSY);
    // The usual next step after a failed exec in a vfork child: _exit(127).
    lab.exit(c, 127);
    CHECK(parent.state == TaskState::Runnable);
    WaitResult const w = lab.reap(lab.main, c);
    CHECK(WEXITSTATUS(w.status) == 127);
}

// ---- Sharing the program's pages -------------------------------------------------------------

TEST_CASE("two processes running the same program share its text frames")
{
    Lab lab;
    Inode* const inode = install(lab, "/bin/prog", "shared");
    pid_t const a = lab.fork(lab.main);
    pid_t const b = lab.fork(lab.main);
    exec(lab, a, "/bin/prog");
    exec(lab, b, "/bin/prog");
    CHECK(peek(lab, a, MmStruct::kTextBase, 11) == "shared text");
    CHECK(peek(lab, b, MmStruct::kTextBase, 11) == "shared text");
    FrameNr const fa = frame_at(lab, a, MmStruct::kTextBase);
    CHECK(fa == frame_at(lab, b, MmStruct::kTextBase));
    // The frame is the program file's own page (Linux: the executable's page cache).
    REQUIRE(inode->image_pages);
    CHECK(inode->image_pages->cached_frame(0) == fa);
    CHECK(lab.k.physical_memory().refcount(fa) == 3);  // The cache and two page tables.
}

TEST_CASE("processes running different programs do not share text frames")
{
    Lab lab;
    install(lab, "/bin/one", "one");
    install(lab, "/bin/two", "two");
    pid_t const a = lab.fork(lab.main);
    pid_t const b = lab.fork(lab.main);
    exec(lab, a, "/bin/one");
    exec(lab, b, "/bin/two");
    CHECK(peek(lab, a, MmStruct::kTextBase, 8) == "one text");
    CHECK(peek(lab, b, MmStruct::kTextBase, 8) == "two text");
    CHECK(frame_at(lab, a, MmStruct::kTextBase) != frame_at(lab, b, MmStruct::kTextBase));
}

TEST_CASE("a write to a program's data is private: the next exec starts from the file's data")
{
    Lab lab;
    install(lab, "/bin/prog", "fresh");
    pid_t const a = lab.fork(lab.main);
    exec(lab, a, "/bin/prog");
    std::uint64_t const data = vma_of_kind(lab, a, VmaKind::Data).start;
    poke(lab, a, data, "dirty");
    pid_t const b = lab.fork(lab.main);
    exec(lab, b, "/bin/prog");
    CHECK(peek(lab, b, vma_of_kind(lab, b, VmaKind::Data).start, 10) == "fresh data");
    CHECK(peek(lab, a, data, 10) == "dirty data");
}

// ---- Threads ---------------------------------------------------------------------------------

TEST_CASE("execve from a thread other than the group leader fails with EINVAL (a model simplification)")
{
    Lab lab;
    install(lab, "/bin/prog");
    pid_t const t = lab.k.clone(lab.main, CloneArgs{CLONE_THREAD | CLONE_SIGHAND | CLONE_VM, 0}).value();
    lab.check();
    // Linux would let the thread exec and take over the leader's pid (de_thread()); the model
    // supports exec from the leader only, and says so with EINVAL.
    exec_fails(lab, t, "/bin/prog", EINVAL);
    CHECK(last_event_of(lab, EventKind::ExecFailed).value == EINVAL);
    CHECK(lab.exists(t));
}

TEST_CASE("execve from the group leader ends every other thread of the process")
{
    Lab lab;
    install(lab, "/bin/prog");
    pid_t const m = lab.main;
    pid_t const t1 = lab.k.clone(m, CloneArgs{CLONE_THREAD | CLONE_SIGHAND | CLONE_VM, 0}).value();
    pid_t const t2 = lab.k.clone(m, CloneArgs{CLONE_THREAD | CLONE_SIGHAND | CLONE_VM, 0}).value();
    lab.check();
    REQUIRE(lab.task(m).signal->nr_threads == 3);
    exec(lab, m, "/bin/prog");
    // execve(2): "All threads other than the calling thread are destroyed during an execve()."
    CHECK_FALSE(lab.exists(t1));
    CHECK_FALSE(lab.exists(t2));
    CHECK(lab.task(m).signal->nr_threads == 1);
    CHECK(lab.k.getpid(m).value() == m);
}

// ---- Nothing leaks ---------------------------------------------------------------------------

TEST_CASE("processes that exec, exit and are reaped give back every frame but the program's cache")
{
    Lab lab;
    Inode* const inode = install(lab, "/bin/prog");
    REQUIRE(lab.k.vfs().create_file("/home/student/data", "0123456789", 0644));
    std::size_t const frames = lab.k.physical_memory().in_use();
    long const files = lab.k.vfs().nr_files();
    long const inodes = lab.k.vfs().nr_inodes();
    for (int i = 0; i < 3; ++i) {
        pid_t const c = lab.fork(lab.main);
        lab.open(c, "/home/student/data", O_RDONLY | O_CLOEXEC);
        lab.open(c, "/home/student/data", O_RDONLY);
        lab.pipe(c);
        exec(lab, c, "/bin/prog");
        CHECK(peek(lab, c, MmStruct::kTextBase, 9) == "prog text");
        poke(lab, c, vma_of_kind(lab, c, VmaKind::Data).start, "written");
        poke(lab, c, vma_of_kind(lab, c, VmaKind::Bss).start, "bss");
        exec_fails(lab, c, "/bin/nosuch", ENOENT);
        lab.exit(c, 0);
        lab.reap(lab.main, c);
    }
    // Linux keeps a program's pages in the page cache after it exits; so does the model, in the
    // inode. Everything else came back.
    REQUIRE(inode->image_pages);
    std::size_t const cached = inode->image_pages->frames().size();
    CHECK(cached > 0);
    CHECK(lab.k.physical_memory().in_use() == frames + cached);
    CHECK(lab.k.vfs().nr_files() == files);
    CHECK(lab.k.vfs().nr_inodes() == inodes);
}

TEST_CASE("exec'ing the student's own process frees the old address space")
{
    Lab lab;
    Inode* const inode = install(lab, "/bin/prog");
    std::uint64_t const buf = lab.scratch(lab.main, 4 * kPageSize);
    for (int i = 0; i < 4; ++i)
        poke(lab, lab.main, buf + std::uint64_t(i) * kPageSize, "page");
    std::size_t const before = lab.k.physical_memory().in_use();
    exec(lab, lab.main, "/bin/prog");
    // The four written pages went with the old address space; nothing of the new one is touched.
    CHECK(lab.k.physical_memory().in_use() == before - 4);
    CHECK(peek(lab, lab.main, MmStruct::kTextBase, 9) == "prog text");
    CHECK(lab.k.physical_memory().in_use() == before - 4 + inode->image_pages->frames().size());
}
