// `forklab explain`'s table (sim/trace/attributes.h), row by row, against the model kernel: for
// every attribute a process gets a value no process has by default, then forks (and, in a fresh
// kernel, execs), and what the kernel did is compared with what the row says. A row without a
// probe here fails the build's tests, so the table cannot claim what nobody checked. Then the
// shapes of the ps, /proc/PID/maps and lsof dumps (cli/show.h) on a small kernel state.
//
// The behaviours themselves were checked on the host: fork(2), execve(2), signal(7), sched(7),
// prctl(2) and a C program printing PR_GET_CHILD_SUBREAPER, PR_GET_PDEATHSIG, PR_GET_TIMERSLACK,
// alarm(0), sched_getscheduler() and sigpending() in a forked child and after an exec.
#include "support/lab.h"
#include "support/tagged_program.h"

#include "show.h"
#include "trace/attributes.h"

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <sys/mman.h>
#include <vector>

using namespace forklab;
using namespace forklab::test;

namespace {

// --- A world with two programs -----------------------------------------------------------------

// A system call that must succeed; the invariants must hold after it.
template<typename T>
T must(Lab& lab, ErrorOr<T> r, char const* what)
{
    REQUIRE_MESSAGE(r, what << " failed: " << why(r));
    lab.check();
    if constexpr (!std::is_void_v<T>)
        return *r;
}

void must_finish(Lab& lab, ErrorOr<Blocking> r, char const* what)
{
    Blocking const b = must(lab, std::move(r), what);
    REQUIRE_MESSAGE(b.done(), what << " did not complete");
}

void exec(Lab& lab, pid_t pid, std::string const& path, std::vector<std::string> argv,
    std::optional<std::vector<std::string>> envp = std::nullopt)
{
    lab.k.set_step(lab.k.step() + 1);
    must(lab, lab.k.execve(pid, path, std::move(argv), std::move(envp)), "execve");
}

// The process each probe works on: root (so that it may raise its priority or change its uid),
// a child of init, running /bin/prog.
pid_t subject(Lab& lab)
{
    install(lab, "/bin/prog", "prog");
    install(lab, "/bin/other", "other");
    pid_t const p = lab.fork(1);
    exec(lab, p, "/bin/prog", {"prog", "one"});
    return p;
}

std::string peek(Lab& lab, pid_t pid, std::uint64_t va, std::size_t n)
{
    Vma const* v = lab.task(pid).mm->find_vma(va);
    if (!v)
        return "unmapped";
    std::vector<std::uint8_t> bytes(n);
    auto r = lab.k.read_memory(pid, va, bytes);
    REQUIRE((r && r->ok));
    lab.check();
    std::string text(bytes.begin(), bytes.end());
    return text.find_first_not_of('\0') == std::string::npos ? "zeros" : text;
}

void poke(Lab& lab, pid_t pid, std::uint64_t va, std::string const& s)
{
    auto r = lab.k.write_memory(pid, va, std::span(reinterpret_cast<std::uint8_t const*>(s.data()), s.size()));
    REQUIRE((r && r->ok));
    lab.check();
}

std::uint64_t data_start(Lab& lab, pid_t pid)
{
    for (Vma const& v : lab.task(pid).mm->vmas())
        if (v.kind == VmaKind::Data)
            return v.start;
    FAIL("pid " << pid << " has no data segment");
    return 0;
}

constexpr std::uint64_t kArea = 0x20000000;  // Where probes map their own areas.

void map_area(Lab& lab, pid_t pid, int flags)
{
    must(lab, lab.k.mmap(pid, kArea, kPageSize, PROT_READ | PROT_WRITE, flags | MAP_ANONYMOUS | MAP_FIXED), "mmap");
}

int open_file(Lab& lab, pid_t pid, int flags = O_RDWR | O_CREAT)
{
    return must(lab, lab.k.open(pid, "/tmp/f", flags, 0644), "open");
}

void lock(Lab& lab, pid_t pid, int fd, int cmd, short type)
{
    FlockArgs args{type, SEEK_SET, 0, 10, 0};
    must_finish(lab, lab.k.fcntl_lock(pid, fd, cmd, args), "fcntl lock");
}

SigAction handler(std::uint64_t h) { return SigAction{h, 0, 0}; }

// --- Probes --------------------------------------------------------------------------------------

// How to exercise one attribute. `set` gives the process a value no process has by default and
// returns the process that now carries it (usually the same one); `get` reads the attribute as a
// string (by default through the row's own reader); `change` alters it in one process, which
// after a fork tells a copy from a shared object.
struct Probe {
    std::function<pid_t(Lab&, pid_t)> set = {};
    std::function<std::string(Lab&, pid_t)> get = {};
    std::function<void(Lab&, pid_t)> change = {};
    std::optional<std::vector<std::string>> exec_envp = {};
};

std::map<std::string, Probe> const& probes()
{
    static std::map<std::string, Probe> const table{
        {"process ID", {}},
        {"parent process ID", {}},
        {"children", {[](Lab& l, pid_t p) { l.fork(p); return p; }}},
        {"threads", {[](Lab& l, pid_t p) {
             must(l, l.k.clone(p, CloneArgs{CLONE_THREAD | CLONE_SIGHAND | CLONE_VM, 0}), "clone");
             return p;
         }}},
        {"process group and session", {[](Lab& l, pid_t p) { must(l, l.k.setpgid(p, 0, 0), "setpgid"); return p; }, {},
             [](Lab& l, pid_t c) { must(l, l.k.setpgid(c, 0, 0), "setpgid"); }}},
        {"user and group IDs", {[](Lab& l, pid_t p) { must(l, l.k.setuid(p, 1000), "setuid"); return p; }}},
        {"command name", {[](Lab& l, pid_t p) { must(l, l.k.set_name(p, "renamed"), "prctl"); return p; }, {},
             [](Lab& l, pid_t c) { must(l, l.k.set_name(c, "kid"), "prctl"); }}},
        {"environment", {[](Lab& l, pid_t p) { must(l, l.k.setenv(p, "COLOR", "blue"), "setenv"); return p; }, {},
             [](Lab& l, pid_t c) { must(l, l.k.setenv(c, "COLOR", "red"), "setenv"); },
             std::vector<std::string>{"ONLY=1"}}},
        {"cgroup", {[](Lab& l, pid_t p) {
                        must(l, l.k.cgroup_mkdir("/lab"), "mkdir cgroup");
                        must(l, l.k.cgroup_attach(p, "/lab"), "attach");
                        return p;
                    }, {},
             [](Lab& l, pid_t c) {
                 must(l, l.k.cgroup_mkdir("/box"), "mkdir cgroup");
                 must(l, l.k.cgroup_attach(c, "/box"), "attach");
             }}},
        {"start time", {}},
        {"private memory (data, heap, stack, MAP_PRIVATE)",
            {[](Lab& l, pid_t p) { poke(l, p, data_start(l, p), "parent wrote"); return p; },
                [](Lab& l, pid_t p) { return peek(l, p, data_start(l, p), 12); },
                [](Lab& l, pid_t c) { poke(l, c, data_start(l, c), "child wrote!"); }}},
        {"shared mappings (MAP_SHARED)", {[](Lab& l, pid_t p) {
                                              map_area(l, p, MAP_SHARED);
                                              poke(l, p, kArea, "parent");
                                              return p;
                                          },
                                             [](Lab& l, pid_t p) { return peek(l, p, kArea, 6); },
                                             [](Lab& l, pid_t c) { poke(l, c, kArea, "child!"); }}},
        {"program break (brk)", {[](Lab& l, pid_t p) {
                                     std::uint64_t const b = l.task(p).mm->current_brk();
                                     must(l, l.k.brk(p, b + 3 * kPageSize), "brk");
                                     return p;
                                 }, {},
             [](Lab& l, pid_t c) {
                 std::uint64_t const b = l.task(c).mm->current_brk();
                 must(l, l.k.brk(c, b + 5 * kPageSize), "brk");
             }}},
        {"memory locks (mlock, mlockall)", {[](Lab& l, pid_t p) {
             must(l, l.k.mlock(p, data_start(l, p), kPageSize), "mlock");
             must(l, l.k.mlockall(p, MCL_FUTURE), "mlockall");
             return p;
         }}},
        // What is at the area, and whether it is still advised: a kernel that kept the area
        // but dropped the advice would show it.
        {"MADV_DONTFORK areas", {[](Lab& l, pid_t p) {
                                     map_area(l, p, MAP_PRIVATE);
                                     must(l, l.k.madvise(p, kArea, kPageSize, MADV_DONTFORK), "madvise");
                                     return p;
                                 },
                                    [](Lab& l, pid_t p) {
                                        Vma const* v = l.task(p).mm->find_vma(kArea);
                                        return !v ? std::string("unmapped") : (v->flags & kVmDontFork) ? "dontfork" : "mapped";
                                    }}},
        {"MADV_WIPEONFORK areas", {[](Lab& l, pid_t p) {
                                       map_area(l, p, MAP_PRIVATE);
                                       poke(l, p, kArea, "secret");
                                       must(l, l.k.madvise(p, kArea, kPageSize, MADV_WIPEONFORK), "madvise");
                                       return p;
                                   },
                                      [](Lab& l, pid_t p) {
                                          Vma const* v = l.task(p).mm->find_vma(kArea);
                                          std::string const advice = v && (v->flags & kVmWipeOnFork) ? " wipeonfork" : "";
                                          return peek(l, p, kArea, 6) + advice;
                                      }}},
        {"file descriptors", {[](Lab& l, pid_t p) { open_file(l, p); return p; }, {},
             [](Lab& l, pid_t c) { must(l, l.k.close(c, 3), "close"); }}},
        {"open file descriptions (offset, status flags)", {[](Lab& l, pid_t p) {
                                                               open_file(l, p);
                                                               must(l, l.k.lseek(p, 3, 3, SEEK_SET), "lseek");
                                                               return p;
                                                           }, {},
             [](Lab& l, pid_t c) { must(l, l.k.lseek(c, 3, 10, SEEK_SET), "lseek"); }}},
        {"close-on-exec flag (FD_CLOEXEC)", {[](Lab& l, pid_t p) { open_file(l, p, O_RDWR | O_CREAT | O_CLOEXEC); return p; }, {},
             [](Lab& l, pid_t c) { must(l, l.k.fcntl(c, 3, F_SETFD, 0), "fcntl"); }}},
        {"flock() locks", {[](Lab& l, pid_t p) {
                               open_file(l, p);
                               must_finish(l, l.k.flock(p, 3, LOCK_EX), "flock");
                               return p;
                           }, {},
             [](Lab& l, pid_t c) { must_finish(l, l.k.flock(c, 3, LOCK_UN), "flock"); }}},
        {"open file description locks (F_OFD_SETLK)", {[](Lab& l, pid_t p) {
                                                           open_file(l, p);
                                                           lock(l, p, 3, F_OFD_SETLK, F_WRLCK);
                                                           return p;
                                                       }, {},
             [](Lab& l, pid_t c) { lock(l, c, 3, F_OFD_SETLK, F_UNLCK); }}},
        {"POSIX record locks (F_SETLK)", {[](Lab& l, pid_t p) {
             open_file(l, p);
             lock(l, p, 3, F_SETLK, F_WRLCK);
             return p;
         }}},
        {"working directory", {[](Lab& l, pid_t p) {
                                   must(l, l.k.mkdir(p, "/tmp/w", 0755), "mkdir");
                                   must(l, l.k.chdir(p, "/tmp/w"), "chdir");
                                   return p;
                               }, {},
             [](Lab& l, pid_t c) { must(l, l.k.chdir(c, "/"), "chdir"); }}},
        {"umask", {[](Lab& l, pid_t p) { must(l, l.k.umask(p, 077), "umask"); return p; }, {},
             [](Lab& l, pid_t c) { must(l, l.k.umask(c, 027), "umask"); }}},
        {"caught signals (handlers)", {[](Lab& l, pid_t p) { must(l, l.k.sigaction(p, SIGUSR1, handler(0x401000)), "sigaction"); return p; }, {},
             [](Lab& l, pid_t c) { must(l, l.k.sigaction(c, SIGUSR2, handler(0x401000)), "sigaction"); }}},
        {"ignored signals (SIG_IGN)", {[](Lab& l, pid_t p) { must(l, l.k.sigaction(p, SIGUSR1, handler(kSigIgn)), "sigaction"); return p; }, {},
             [](Lab& l, pid_t c) { must(l, l.k.sigaction(c, SIGUSR2, handler(kSigIgn)), "sigaction"); }}},
        {"signal mask", {[](Lab& l, pid_t p) { must(l, l.k.sigprocmask(p, SIG_BLOCK, sigbit(SIGUSR1)), "sigprocmask"); return p; }, {},
             [](Lab& l, pid_t c) { must(l, l.k.sigprocmask(c, SIG_BLOCK, sigbit(SIGUSR2)), "sigprocmask"); }}},
        {"pending signals", {[](Lab& l, pid_t p) {
             must(l, l.k.sigprocmask(p, SIG_BLOCK, sigbit(SIGUSR1)), "sigprocmask");
             must(l, l.k.kill(p, p, SIGUSR1), "kill");
             return p;
         }}},
        {"parent-death signal (PR_SET_PDEATHSIG)", {[](Lab& l, pid_t p) { must(l, l.k.prctl(p, PR_SET_PDEATHSIG, SIGTERM), "prctl"); return p; }}},
        // A process whose exit signal is not SIGCHLD: one made by clone() with another.
        {"exit signal", {[](Lab& l, pid_t p) { return must(l, l.k.clone(p, CloneArgs{0, SIGUSR1}), "clone"); }}},
        {"alarm and interval timers", {[](Lab& l, pid_t p) { must(l, l.k.alarm(p, 10), "alarm"); return p; }}},
        {"POSIX timers (timer_create)", {[](Lab& l, pid_t p) { must(l, l.k.timer_create(p, SIGALRM), "timer_create"); return p; }}},
        {"timer slack", {[](Lab& l, pid_t p) { must(l, l.k.prctl(p, PR_SET_TIMERSLACK, 1000), "prctl"); return p; }, {},
             [](Lab& l, pid_t c) { must(l, l.k.prctl(c, PR_SET_TIMERSLACK, 2000), "prctl"); }}},
        {"resource limits", {[](Lab& l, pid_t p) { must(l, l.k.prlimit(p, p, RLIMIT_NOFILE, Rlimit{64, 1024}), "prlimit"); return p; }, {},
             [](Lab& l, pid_t c) { must(l, l.k.prlimit(c, c, RLIMIT_NOFILE, Rlimit{32, 1024}), "prlimit"); }}},
        {"nice value", {[](Lab& l, pid_t p) { must(l, l.k.setpriority(p, 0, 5), "setpriority"); return p; }, {},
             [](Lab& l, pid_t c) { must(l, l.k.setpriority(c, 0, 7), "setpriority"); }}},
        {"scheduling policy and priority", {[](Lab& l, pid_t p) { must(l, l.k.sched_setscheduler(p, 0, SCHED_FIFO, 10), "sched_setscheduler"); return p; }, {},
             [](Lab& l, pid_t c) { must(l, l.k.sched_setscheduler(c, 0, SCHED_RR, 5), "sched_setscheduler"); }}},
        {"SCHED_RESET_ON_FORK", {[](Lab& l, pid_t p) {
             must(l, l.k.sched_setscheduler(p, 0, SCHED_FIFO | SCHED_RESET_ON_FORK, 10), "sched_setscheduler");
             return p;
         }}},
        {"child subreaper (PR_SET_CHILD_SUBREAPER)", {[](Lab& l, pid_t p) { must(l, l.k.prctl(p, PR_SET_CHILD_SUBREAPER, 1), "prctl"); return p; }}},
    };
    return table;
}

std::string get(Probe const& probe, TaskAttribute const& row, Lab& lab, pid_t pid)
{
    return probe.get ? probe.get(lab, pid) : row.value(lab.task(pid));
}

// Set the attribute, or leave the default for a row whose probe has nothing to set.
pid_t give_value(Probe const& probe, Lab& lab, pid_t p, std::string const& base, TaskAttribute const& row)
{
    if (!probe.set)
        return p;
    pid_t const q = probe.set(lab, p);
    lab.check();
    std::string const value = get(probe, row, lab, q);
    INFO("value before: " << base << "\nvalue after setting it: " << value);
    REQUIRE_MESSAGE(value != base, "the probe did not change the attribute, so the row would be checked against nothing");
    return q;
}

// fork(), and the row's claim about it against what the kernel did.
void check_fork(TaskAttribute const& row, Probe const& probe)
{
    Lab lab;
    pid_t const p = subject(lab);
    std::string const base = get(probe, row, lab, p);
    pid_t const q = give_value(probe, lab, p, base, row);
    std::string const parent = get(probe, row, lab, q);
    lab.k.set_step(lab.k.step() + 1);
    pid_t const c = lab.fork(q);
    std::string const child = get(probe, row, lab, c);
    INFO("default: " << base << "\nparent: " << parent << "\nchild after fork: " << child);
    switch (row.fork) {
    case AtFork::Inherited:
    case AtFork::Shared:
        REQUIRE(child == parent);
        break;
    case AtFork::Reset:
        CHECK(child != parent);
        return;
    case AtFork::NotInherited:
        CHECK(child != parent);
        CHECK(child == base);
        return;
    }
    // A copy or one object? Change it in the child and look at the parent.
    if (row.fork == AtFork::Shared)
        REQUIRE_MESSAGE(probe.change, "a shared attribute needs a change to show the sharing");
    if (!probe.change)
        return;
    probe.change(lab, c);
    std::string const child_after = get(probe, row, lab, c);
    std::string const parent_after = get(probe, row, lab, q);
    INFO("child after its change: " << child_after << "\nparent then: " << parent_after);
    REQUIRE(child_after != child);
    if (row.fork == AtFork::Shared)
        CHECK(parent_after == child_after);
    else
        CHECK(parent_after == parent);
}

// execve(), in a fresh kernel, and the row's claim about it.
void check_exec(TaskAttribute const& row, Probe const& probe)
{
    Lab lab;
    pid_t const p = subject(lab);
    std::string const base = get(probe, row, lab, p);
    pid_t const q = give_value(probe, lab, p, base, row);
    std::string const before = get(probe, row, lab, q);
    exec(lab, q, "/bin/other", {"other", "two"}, probe.exec_envp);
    std::string const after = get(probe, row, lab, q);
    INFO("default: " << base << "\nbefore exec: " << before << "\nafter exec: " << after);
    switch (row.exec) {
    case AtExec::Kept: CHECK(after == before); break;
    case AtExec::Reset:
        CHECK(after != before);
        CHECK(after == base);
        break;
    case AtExec::Replaced: CHECK(after != before); break;
    }
}

}  // namespace

// --- The table against the kernel ------------------------------------------------------------------

TEST_CASE("every row of the attribute table has a probe and every probe a row")
{
    std::set<std::string> rows, probed;
    for (TaskAttribute const& row : task_attributes())
        CHECK_MESSAGE(rows.insert(std::string(row.name)).second, "two rows are called " << row.name);
    for (auto const& [name, probe] : probes())
        probed.insert(name);
    CHECK(rows == probed);
    CHECK(rows.size() >= 30);
}

TEST_CASE("each row says what fork does as the kernel does it")
{
    for (TaskAttribute const& row : task_attributes()) {
        CAPTURE(row.name);
        auto it = probes().find(std::string(row.name));
        REQUIRE_MESSAGE(it != probes().end(), "no probe for " << row.name);
        check_fork(row, it->second);
    }
}

TEST_CASE("each row says what exec does as the kernel does it")
{
    for (TaskAttribute const& row : task_attributes()) {
        CAPTURE(row.name);
        auto it = probes().find(std::string(row.name));
        REQUIRE_MESSAGE(it != probes().end(), "no probe for " << row.name);
        check_exec(row, it->second);
    }
}

TEST_CASE("every row has a rule a source and a reader that works on init")
{
    Lab lab;
    for (TaskAttribute const& row : task_attributes()) {
        CAPTURE(row.name);
        CHECK_FALSE(row.where.empty());
        CHECK(row.fork_rule.ends_with('.'));
        CHECK(row.exec_rule.ends_with('.'));
        CHECK_FALSE(row.fork_source.empty());
        CHECK_FALSE(row.exec_source.empty());
        CHECK_FALSE(row.value(lab.k.init()).empty());
        CHECK(find_task_attribute(row.name) == &row);
    }
    CHECK(find_task_attribute("no such attribute") == nullptr);
}

// The details two rows state beyond reset or not: the wiped area is there, zeroed, and still
// advised; the timer slack becomes the child's default too.
TEST_CASE("MADV_WIPEONFORK leaves the child a zeroed area that is still advised")
{
    Lab lab;
    pid_t const p = subject(lab);
    map_area(lab, p, MAP_PRIVATE);
    poke(lab, p, kArea, "secret");
    must(lab, lab.k.madvise(p, kArea, kPageSize, MADV_WIPEONFORK), "madvise");
    pid_t const c = lab.fork(p);
    CHECK(peek(lab, c, kArea, 6) == "zeros");
    CHECK(peek(lab, p, kArea, 6) == "secret");
    Vma const* v = lab.task(c).mm->find_vma(kArea);
    REQUIRE(v != nullptr);
    CHECK((v->flags & kVmWipeOnFork) != 0);
}

TEST_CASE("the timer slack a child inherits is also its default")
{
    Lab lab;
    pid_t const p = subject(lab);
    must(lab, lab.k.prctl(p, PR_SET_TIMERSLACK, 1000), "prctl");
    pid_t const c = lab.fork(p);
    must(lab, lab.k.prctl(c, PR_SET_TIMERSLACK, 0), "prctl");  // 0: back to the default.
    CHECK(must(lab, lab.k.prctl(c, PR_GET_TIMERSLACK), "prctl") == 1000);
}

TEST_CASE("exec without an envp keeps the environment as execv and execl do")
{
    Lab lab;
    pid_t const p = subject(lab);
    must(lab, lab.k.setenv(p, "COLOR", "blue"), "setenv");
    exec(lab, p, "/bin/other", {"other"});
    CHECK(lab.task(p).env.get("COLOR") == std::optional<std::string_view>("blue"));
}

// --- The dumps' shapes ------------------------------------------------------------------------------

namespace {

std::vector<std::string> lines_of(std::string const& text)
{
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        lines.push_back(line);
    return lines;
}

std::vector<std::string> words_of(std::string const& line)
{
    std::vector<std::string> words;
    std::istringstream in(line);
    for (std::string w; in >> w;)
        words.push_back(w);
    return words;
}

// The line of a dump whose words pass a test; fails the test when there is none.
template<typename Pred>
std::vector<std::string> row_where(std::vector<std::string> const& lines, Pred pred)
{
    for (std::string const& line : lines)
        if (auto w = words_of(line); pred(w))
            return w;
    FAIL("no such line in:\n" << join(lines));
    return {};
}

}  // namespace

TEST_CASE("show_ps prints ps -ef columns for init and two processes")
{
    Lab lab;
    pid_t const p = subject(lab);
    lab.k.set_step(7);
    pid_t const c = lab.fork(p);
    lab.exit(c, 3);
    std::ostringstream out;
    cli::show_ps(out, lab.k);
    auto const lines = lines_of(out.str());
    REQUIRE(lines.size() >= 4);
    CHECK(words_of(lines[0]) == std::vector<std::string>{"UID", "PID", "PPID", "PGID", "SID", "S", "STIME", "CMD"});
    // Each number ends in the column where its heading ends, as in ps.
    std::size_t const pid_end = lines[0].find("PID") + 3;
    for (std::size_t i = 1; i < lines.size(); ++i)
        CHECK(lines[i][pid_end - 1] != ' ');
    auto const init = row_where(lines, [](auto const& w) { return w.size() > 1 && w[1] == "1"; });
    CHECK(init[0] == "root");
    CHECK(init[2] == "0");
    auto const parent = row_where(lines, [p](auto const& w) { return w.size() > 1 && w[1] == std::to_string(p); });
    CHECK(parent[2] == "1");
    CHECK(parent[7] == "prog");
    CHECK(parent[8] == "one");
    auto const child = row_where(lines, [c](auto const& w) { return w.size() > 1 && w[1] == std::to_string(c); });
    CHECK(child[2] == std::to_string(p));
    CHECK(child[5] == "Z");
    CHECK(child[6] == "7");
    CHECK(child[7] == "[prog]");
    CHECK(child[8] == "<defunct>");
}

TEST_CASE("show_maps prints /proc/PID/maps lines for text data heap and stack")
{
    Lab lab;
    pid_t const p = subject(lab);
    std::uint64_t const brk = lab.task(p).mm->current_brk();
    must(lab, lab.k.brk(p, brk + kPageSize), "brk");
    std::ostringstream out;
    cli::show_maps(out, lab.k, lab.task(p));
    auto const lines = lines_of(out.str());
    std::regex const shape(R"(^([0-9a-f]{8,})-([0-9a-f]{8,}) ([r-][w-][x-][ps]) ([0-9a-f]{8}) ([0-9a-f]{2}:[0-9a-f]{2}) (\d+) ?(.*)$)");
    std::map<std::string, std::vector<std::string>> by_name;  // pathname -> perms
    for (std::string const& line : lines) {
        std::smatch m;
        REQUIRE_MESSAGE(std::regex_match(line, m, shape), "not a maps line: " << line);
        std::string const padded = m[7].str();
        std::size_t const first = padded.find_first_not_of(' ');
        std::string const name = first == std::string::npos ? "" : padded.substr(first);
        if (!name.empty())
            CHECK_MESSAGE(line.find(name) == 73, "the pathname starts in column 73: " << line);
        by_name[name].push_back(m[3].str());
    }
    REQUIRE(by_name.contains("/bin/prog"));
    std::vector<std::string> const& prog = by_name["/bin/prog"];
    CHECK(prog.front() == "r-xp");  // Text first.
    CHECK(std::find(prog.begin(), prog.end(), "rw-p") != prog.end());  // Data.
    CHECK(by_name["[heap]"] == std::vector<std::string>{"rw-p"});
    CHECK(by_name["[stack]"] == std::vector<std::string>{"rw-p"});
    // The whole-kernel dump heads each process's maps as tail does.
    std::ostringstream all;
    cli::show_maps(all, lab.k);
    CHECK(all.str().find("==> /proc/" + std::to_string(p) + "/maps <==\n") != std::string::npos);
}

namespace {

// An lsof line cut into its columns. COMMAND, PID and USER are never empty: the first three
// words. The columns after them are right-aligned, as lsof prints them, and may be empty (a
// read-only descriptor has no FILE-FLAG; cwd has no OFFSET): each ends where its heading ends.
// NAME is the rest of the line.
using Columns = std::map<std::string, std::string>;

Columns columns(std::string const& heading, std::string const& line)
{
    auto trim = [](std::string const& s) {
        std::size_t const a = s.find_first_not_of(' '), b = s.find_last_not_of(' ');
        return a == std::string::npos ? std::string() : s.substr(a, b - a + 1);
    };
    Columns cols;
    std::istringstream in(line);
    in >> cols["COMMAND"] >> cols["PID"] >> cols["USER"];
    std::size_t from = std::size_t(in.tellg());
    std::size_t after = heading.find("USER") + 4;
    for (char const* name : {"FD", "TYPE", "FILE-FLAG", "OFFSET", "NODE", "OFD"}) {
        std::size_t const end = heading.find(name, after) + std::string_view(name).size();
        cols[name] = trim(line.substr(from, end - from));
        from = after = end;
    }
    cols["NAME"] = trim(line.substr(from));
    return cols;
}

}  // namespace

TEST_CASE("show_fds prints lsof lines for a pipe and a file with the description each fd shares")
{
    Lab lab;
    pid_t const p = subject(lab);
    auto const [rd, wr] = lab.pipe(p);
    int const fd = open_file(lab, p);
    must(lab, lab.k.lseek(p, fd, 5, SEEK_SET), "lseek");
    must_finish(lab, lab.k.flock(p, fd, LOCK_EX), "flock");
    pid_t const c = lab.fork(p);
    must(lab, lab.k.close(c, rd), "close");
    std::ostringstream out;
    cli::show_fds(out, lab.k);
    auto const lines = lines_of(out.str());
    REQUIRE_FALSE(lines.empty());
    CHECK(words_of(lines[0]) ==
        std::vector<std::string>{"COMMAND", "PID", "USER", "FD", "TYPE", "FILE-FLAG", "OFFSET", "NODE", "OFD", "NAME"});
    std::vector<Columns> rows;
    for (std::size_t i = 1; i < lines.size(); ++i)
        rows.push_back(columns(lines[0], lines[i]));
    auto find = [&](pid_t pid, std::string const& fd_text) -> std::optional<Columns> {
        for (Columns const& r : rows)
            if (r.at("PID") == std::to_string(pid) && r.at("FD") == fd_text)
                return r;
        return std::nullopt;
    };
    auto line = [&](pid_t pid, std::string const& fd_text) {
        auto r = find(pid, fd_text);
        REQUIRE_MESSAGE(r, "no lsof line for pid " << pid << " fd " << fd_text << " in:\n" << join(lines));
        return *r;
    };
    Columns const read_end = line(p, std::to_string(rd) + "r");
    Columns const write_end = line(p, std::to_string(wr) + "w");
    CHECK(read_end.at("COMMAND") == "prog");
    CHECK(read_end.at("USER") == "root");
    CHECK(read_end.at("TYPE") == "FIFO");
    CHECK(read_end.at("NAME") == "pipe");
    CHECK(read_end.at("OFFSET") == "0t0");
    CHECK(write_end.at("TYPE") == "FIFO");
    CHECK(write_end.at("NODE") == read_end.at("NODE"));  // One pipe inode ...
    CHECK(write_end.at("OFD") != read_end.at("OFD"));    // ... two open file descriptions.
    Columns const file = line(p, std::to_string(fd) + "uW");  // Read-write, flock'd whole.
    CHECK(file.at("TYPE") == "REG");
    CHECK(file.at("NAME") == "/tmp/f");
    CHECK(file.at("OFFSET") == "0t5");
    CHECK(file.at("FILE-FLAG").starts_with("RW"));
    Columns const child_file = line(c, std::to_string(fd) + "uW");
    CHECK(child_file.at("OFD") == file.at("OFD"));  // The child's fd shares the parent's description.
    CHECK(child_file.at("OFFSET") == "0t5");
    CHECK(line(c, std::to_string(wr) + "w").at("OFD") == write_end.at("OFD"));
    CHECK_FALSE(find(c, std::to_string(rd) + "r"));  // The child closed its read end.
    CHECK(line(p, "txt").at("NAME") == "/bin/prog");
    CHECK(line(p, "cwd").at("TYPE") == "DIR");
}

TEST_CASE("every attribute reads without harm from a zombie, which has released its fs, files and mm")
{
    // The GUI's inspector and the CLI read the rows of any task they are shown, zombies included.
    Lab lab;
    pid_t const child = lab.fork(lab.main);
    lab.exit(child, 3);
    lab.check();
    Task const& zombie = lab.task(child);
    REQUIRE(zombie.is_zombie());
    for (TaskAttribute const& a : task_attributes())
        CHECK_MESSAGE(!a.value(zombie).empty(), a.name);
    CHECK(find_task_attribute("umask")->value(zombie) == "(released at exit)");
}
