// Scheduling and sessions: each policy's order, manual stepping, replaying a recorded schedule,
// stepping back, simulated time (sleep, alarm), deadlocks, and what a run is given before it
// starts (stdin, files, resource limits). check_invariants() runs after every step.
#include "support/program.h"

#include "base/format.h"
#include "lang/session.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <set>
#include <string>
#include <sys/resource.h>
#include <sys/wait.h>

using namespace forklab;
using namespace forklab::lang;
using namespace forklab::test;

namespace {

// The parent and its child each write one line.
constexpr char const* kForkOrder = R"(#include <unistd.h>
#include <sys/wait.h>
int main(void) {
    pid_t pid = fork();
    if (pid == 0) {
        write(1, "child\n", 6);
        return 0;
    }
    write(1, "parent\n", 7);
    wait(NULL);
    return 0;
})";

// Two processes each write their letter four times, a statement at a time.
constexpr char const* kLetters = R"(#include <unistd.h>
#include <sys/wait.h>
int main(void) {
    pid_t pid = fork();
    char c = pid == 0 ? 'c' : 'p';
    write(1, &c, 1);
    write(1, &c, 1);
    write(1, &c, 1);
    write(1, &c, 1);
    if (pid != 0)
        wait(NULL);
    return 0;
})";

// Three children that each write their number, and a parent that waits for them.
constexpr char const* kThreeChildren = R"(#include <unistd.h>
#include <sys/wait.h>
int main(void) {
    for (int i = 0; i < 3; i++) {
        pid_t pid = fork();
        if (pid == 0) {
            char c = '0' + i;
            write(1, &c, 1);
            write(1, &c, 1);
            _exit(0);
        }
    }
    while (wait(NULL) > 0)
        ;
    write(1, "\n", 1);
    return 0;
})";

RunOptions with_sched(SchedPolicy policy, std::uint32_t quantum = 1, std::uint64_t seed = 1)
{
    RunOptions o = checked();
    o.sched.policy = policy;
    o.sched.quantum = quantum;
    o.sched.seed = seed;
    return o;
}

Session session_of(char const* source, RunOptions options)
{
    return Session("prog.c", source, checked(std::move(options)));
}

// The longest run of consecutive steps by one task while another could have run.
std::size_t longest_contested_turn(std::vector<Choice> const& choices)
{
    std::size_t longest = 0, run = 0;
    for (std::size_t i = 0; i < choices.size(); ++i) {
        bool const contested = choices[i].runnable > 1;
        run = contested && i > 0 && choices[i - 1].pid == choices[i].pid && choices[i - 1].runnable > 1 ? run + 1
            : contested ? 1 : 0;
        longest = std::max(longest, run);
    }
    return longest;
}

struct TaskView {
    pid_t pid;
    TaskState state;
    bool operator==(TaskView const&) const = default;
};

std::vector<TaskView> task_states(Kernel const& k)
{
    std::vector<TaskView> v;
    for (Task const& t : k.tasks())
        v.push_back({t.pid, t.state});
    return v;
}

bool same_events(Kernel const& a, Kernel const& b)
{
    auto x = a.events().all(), y = b.events().all();
    if (x.size() != y.size())
        return false;
    for (std::size_t i = 0; i < x.size(); ++i)
        if (x[i].step != y[i].step || x[i].kind != y[i].kind || x[i].aux != y[i].aux || x[i].pid != y[i].pid ||
            x[i].other != y[i].other || x[i].extra != y[i].extra || x[i].value != y[i].value)
            return false;
    return true;
}

}  // namespace

// ---- Policies -------------------------------------------------------------------------------

TEST_CASE("sched: parent-first lets the parent run on after fork")
{
    CHECK(output_of(kForkOrder, with_sched(SchedPolicy::ParentFirst)) == "parent\nchild\n");
}

TEST_CASE("sched: child-first runs the new child before its parent")
{
    CHECK(output_of(kForkOrder, with_sched(SchedPolicy::ChildFirst)) == "child\nparent\n");
}

TEST_CASE("sched: when the running task sleeps the lowest-pid runnable task runs next")
{
    // The parent forks three children, then sleeps in wait(): parent-first runs them in pid
    // order, each to its end, because each keeps the CPU until it exits.
    CHECK(output_of(kThreeChildren, with_sched(SchedPolicy::ParentFirst)) == "001122\n");
    // Child-first: each child runs as soon as it is made.
    CHECK(output_of(kThreeChildren, with_sched(SchedPolicy::ChildFirst)) == "001122\n");
}

TEST_CASE("sched: round-robin with quantum 1 and 3 interleaves by turns")
{
    Run one = run(kLetters, with_sched(SchedPolicy::RoundRobin, 1));
    Run three = run(kLetters, with_sched(SchedPolicy::RoundRobin, 3));
    REQUIRE(one.ok);
    REQUIRE(three.ok);
    // Both letters are interleaved: neither process writes all four before the other starts.
    CHECK(one.output != "ppppcccc");
    CHECK(one.output != "ccccpppp");
    CHECK(three.output != "ppppcccc");
    CHECK(one.output != three.output);
    for (auto const* r : {&one, &three}) {
        CHECK(std::count(r->output.begin(), r->output.end(), 'p') == 4);
        CHECK(std::count(r->output.begin(), r->output.end(), 'c') == 4);
    }
    // No turn is longer than the quantum while another task waits for the CPU; with quantum 3
    // some turn uses all of it.
    Session s1 = session_of(kLetters, with_sched(SchedPolicy::RoundRobin, 1));
    s1.run_to_end();
    Session s3 = session_of(kLetters, with_sched(SchedPolicy::RoundRobin, 3));
    s3.run_to_end();
    CHECK(longest_contested_turn(s1.choices()) == 1);
    CHECK(longest_contested_turn(s3.choices()) == 3);
}

TEST_CASE("sched: random is the same run for the same seed and varies with the seed")
{
    std::set<std::string> outputs;
    for (std::uint64_t seed = 1; seed <= 6; ++seed) {
        Run a = run(kLetters, with_sched(SchedPolicy::Random, 1, seed));
        Run b = run(kLetters, with_sched(SchedPolicy::Random, 1, seed));
        REQUIRE(a.ok);
        REQUIRE(b.ok);
        CHECK(a.output == b.output);
        CHECK(a.schedule == b.schedule);
        CHECK(same_events(*a.kernel, *b.kernel));
        outputs.insert(a.output);
    }
    CHECK(outputs.size() >= 2);
}

TEST_CASE("sched: parse_sched reads every policy and rejects the rest")
{
    CHECK(parse_sched("parent-first")->policy == SchedPolicy::ParentFirst);
    CHECK(parse_sched("child-first")->policy == SchedPolicy::ChildFirst);
    CHECK(parse_sched("round-robin")->quantum == 1);
    CHECK(parse_sched("round-robin:5")->quantum == 5);
    CHECK(parse_sched("random:42")->seed == 42);
    CHECK(parse_sched("manual")->policy == SchedPolicy::Manual);
    CHECK_FALSE(parse_sched("round-robin:0"));
    CHECK_FALSE(parse_sched("round-robin:x"));
    CHECK_FALSE(parse_sched("parent-first:3"));
    CHECK_FALSE(parse_sched("fifo"));
    CHECK_FALSE(parse_sched(""));
    CHECK(sched_name(*parse_sched("random:7")) == "random:7");
}

// ---- Sessions -------------------------------------------------------------------------------

TEST_CASE("session: manual mode waits for the client to choose")
{
    Session s = session_of(kForkOrder, with_sched(SchedPolicy::Manual));
    // Only the program's process can run: step() takes that step itself.
    REQUIRE(s.runnable().size() == 1);
    pid_t const parent = s.runnable().front();
    CHECK(s.step());
    std::vector<pid_t> const both = s.runnable();
    REQUIRE(both.size() == 2);
    pid_t const child = both[1];
    CHECK_FALSE(s.step());  // Two could run: the client must say which.
    CHECK(s.steps() == 1);
    CHECK_FALSE(s.step_task(child + 100));
    while (!s.done()) {
        std::vector<pid_t> ready = s.runnable();
        REQUIRE_FALSE(ready.empty());
        REQUIRE(s.step_task(std::find(ready.begin(), ready.end(), child) != ready.end() ? child : parent));
    }
    CHECK(s.end() == RunEnd::Finished);
    CHECK(s.kernel().terminal().text() == "child\nparent\n");
    CHECK(s.choices()[1].pid == child);
    CHECK(s.choices()[1].runnable == 2);
}

TEST_CASE("session: a recorded schedule replayed reproduces the run exactly")
{
    Run original = run(kThreeChildren, with_sched(SchedPolicy::Random, 1, 99));
    REQUIRE(original.ok);
    RunOptions o = with_sched(SchedPolicy::ParentFirst);
    o.schedule = original.schedule;
    Run again = run(kThreeChildren, o);
    REQUIRE(again.ok);
    CHECK(again.output == original.output);
    CHECK(again.schedule == original.schedule);
    CHECK(again.steps == original.steps);
    CHECK(same_events(*again.kernel, *original.kernel));
    // The parent-first run of the same program is a different run: the schedule mattered.
    Run plain = run(kThreeChildren, with_sched(SchedPolicy::ParentFirst));
    CHECK(plain.schedule != original.schedule);
}

TEST_CASE("session: a schedule naming a task that cannot run ends the run with a message")
{
    RunOptions o = checked();
    o.schedule = {2, 77};
    Run r = lang::run_program("prog.c", kForkOrder, o);
    CHECK(r.end == RunEnd::SetupFailed);
    CHECK(r.error.find("pid 77 cannot run step 2") != std::string::npos);
    CHECK(r.steps == 1);
}

TEST_CASE("session: stepping back equals a fresh run to that step")
{
    Session s = session_of(kThreeChildren, with_sched(SchedPolicy::Random, 1, 3));
    s.run_to_end();
    REQUIRE(s.end() == RunEnd::Finished);
    std::vector<pid_t> const schedule = s.schedule();
    std::uint64_t const total = s.steps();
    REQUIRE(total > 10);
    for (std::uint64_t k : {std::uint64_t(0), std::uint64_t(1), total / 3, total / 2, total - 1}) {
        CAPTURE(k);
        REQUIRE(s.at(k + 1));
        REQUIRE(s.step_back());
        CHECK(s.steps() == k);
        RunOptions o = with_sched(SchedPolicy::Manual);
        Session fresh = session_of(kThreeChildren, o);
        for (std::uint64_t i = 0; i < k; ++i)
            REQUIRE(fresh.step_task(schedule[i]));
        CHECK(s.kernel().terminal().text() == fresh.kernel().terminal().text());
        CHECK(task_states(s.kernel()) == task_states(fresh.kernel()));
        CHECK(s.kernel().events().size() == fresh.kernel().events().size());
        CHECK(same_events(s.kernel(), fresh.kernel()));
        CHECK(s.fingerprint() == fresh.fingerprint());
        CHECK(s.runnable() == fresh.runnable());
    }
    // From a step back, the policy takes the run on to the same end.
    REQUIRE(s.at(total / 2));
    s.run_to_end();
    CHECK(s.schedule() == schedule);
    CHECK_FALSE(s.at(total + 1));
}

TEST_CASE("session: another choice after a step back forgets the recorded future")
{
    Session s = session_of(kForkOrder, with_sched(SchedPolicy::ParentFirst));
    s.run_to_end();
    REQUIRE(s.end() == RunEnd::Finished);
    std::size_t const recorded = s.choices().size();
    REQUIRE(s.at(1));  // Just after the fork.
    CHECK(s.choices().size() == recorded);  // Still there to redo.
    std::vector<pid_t> const ready = s.runnable();
    REQUIRE(ready.size() == 2);
    REQUIRE(s.choices()[1].pid == ready[0]);  // Parent-first ran the parent on.
    REQUIRE(s.step_task(ready[1]));
    CHECK(s.choices().size() == 2);
    s.run_to_end();
    CHECK(s.end() == RunEnd::Finished);
    CHECK(s.kernel().terminal().text() == "child\nparent\n");
}

TEST_CASE("session: the fingerprint tells different states apart")
{
    Session s = session_of(kLetters, with_sched(SchedPolicy::ParentFirst));
    std::uint64_t const start = s.fingerprint();
    REQUIRE(s.step());
    CHECK(s.fingerprint() != start);
    REQUIRE(s.step_back());
    CHECK(s.fingerprint() == start);
}

TEST_CASE("session: the tasks of a run with their parents commands and statuses")
{
    Run r = run(kThreeChildren);
    REQUIRE(r.ok);
    REQUIRE(r.tasks.size() == 4);
    CHECK(r.tasks[0].pid == r.main_pid);
    CHECK(r.tasks[0].ppid == 1);
    CHECK(r.tasks[0].command == "prog.c");
    for (std::size_t i = 1; i < 4; ++i) {
        CHECK(r.tasks[i].ppid == r.main_pid);
        CHECK(r.tasks[i].command == "prog.c");
        REQUIRE(r.tasks[i].status);
        CHECK(WIFEXITED(*r.tasks[i].status));
    }
    CHECK(r.tasks[0].status == r.main_status());
}

// ---- Time -----------------------------------------------------------------------------------

TEST_CASE("time: a sleeping parent lets its child run and the clock jumps to its wake-up")
{
    Run r = run(R"(#include <unistd.h>
#include <sys/wait.h>
int main(void) {
    pid_t pid = fork();
    if (pid == 0) {
        write(1, "child\n", 6);
        return 0;
    }
    unsigned left = sleep(2);
    EXPECT(left == 0);
    write(1, "parent\n", 7);
    wait(NULL);
    return 0;
})");
    REQUIRE(r.ok);
    CHECK(r.output == "child\nparent\n");
    // Two seconds slept, plus a microsecond a step.
    CHECK(r.kernel->now_ns() >= 2'000'000'000ULL);
    CHECK(r.kernel->now_ns() <= 2'000'000'000ULL + r.steps * 1000);
    CHECK(count_events(*r.kernel, EventKind::Blocked, 0xff, std::uint8_t(BlockReason::Sleep)) == 1);
}

TEST_CASE("time: when every task sleeps the clock jumps to the next alarm")
{
    // The child sleeps 5 s, the parent waits for it, and an alarm set for 3 s kills the
    // parent (SIGALRM's default action) while both are asleep: time moves twice, in order.
    Run r = run(R"(#include <unistd.h>
#include <sys/wait.h>
int main(void) {
    alarm(3);
    pid_t pid = fork();
    if (pid == 0) {
        sleep(5);
        write(1, "child woke\n", 11);
        return 0;
    }
    wait(NULL);
    write(1, "not reached\n", 12);
    return 0;
})");
    REQUIRE(r.ok);
    CHECK(r.output == "child woke\n");
    CHECK(WIFSIGNALED(r.main_status()));
    CHECK(WTERMSIG(r.main_status()) == SIGALRM);
    CHECK(r.kernel->now_ns() >= 5'000'000'000ULL);
    CHECK(r.kernel->now_ns() < 5'000'000'000ULL + r.steps * 1000 + 1);
    // The parent died at 3 s, before the child woke at 5 s.
    std::uint64_t parent_exit = 0, child_exit = 0;
    for (Event const& e : r.kernel->events().all())
        if (e.kind == EventKind::Exit)
            (e.pid == r.main_pid ? parent_exit : child_exit) = e.step;
    CHECK(parent_exit > 0);
    CHECK(parent_exit < child_exit);
}

TEST_CASE("time: each step takes simulated time so an alarm stops a busy loop")
{
    RunOptions o;
    o.sched.ns_per_step = 1'000'000;  // A millisecond a step: the alarm comes after ~1000 steps.
    Run r = run(R"(#include <unistd.h>
#include <signal.h>
int main(void) {
    alarm(1);
    for (;;)
        ;
})", o);
    REQUIRE(r.ok);
    CHECK(WIFSIGNALED(r.main_status()));
    CHECK(WTERMSIG(r.main_status()) == SIGALRM);
    CHECK(r.steps > 900);
    CHECK(r.steps < 1100);
}

// ---- Deadlock -------------------------------------------------------------------------------

TEST_CASE("deadlock: a reader of a pipe whose write end nobody will use")
{
    Run r = run(R"(#include <unistd.h>
#include <sys/wait.h>
int main(void) {
    int fd[2];
    pipe(fd);
    pid_t pid = fork();
    if (pid == 0) {
        char c;
        read(fd[0], &c, 1);
        return 0;
    }
    wait(NULL);
    return 0;
})");
    CHECK_FALSE(r.ok);
    CHECK(r.end == RunEnd::Deadlock);
    INFO(r.error);
    CHECK(r.error.find("deadlock") != std::string::npos);
    CHECK(r.error.find(format("pid {} sleeps in wait()", r.main_pid)) != std::string::npos);
    CHECK(r.error.find(format("pid {} sleeps in read() on an empty pipe", r.main_pid + 1)) != std::string::npos);
}

// ---- What a run is given --------------------------------------------------------------------

TEST_CASE("setup: stdin_text is the terminal's input then end-of-file")
{
    RunOptions o;
    o.stdin_text = "hello world\n";
    CHECK(output_of(R"(#include <unistd.h>
int main(void) {
    char buf[64];
    int total = 0, n;
    while ((n = read(0, buf, 5)) > 0) {
        write(1, "[", 1);
        write(1, buf, n);
        write(1, "]", 1);
        total += n;
    }
    EXPECT(n == 0 && total == 12);
    return 0;
})", o) == "[hello][ worl][d\n]");
}

TEST_CASE("setup: files are created with their mode and owner before the program starts")
{
    RunOptions o;
    o.files.push_back(FileSpec{"/home/student/data/in.txt", "abc", 0644, 1000});
    o.files.push_back(FileSpec{"/tmp/deep/er/secret", "root only", 0600, 0});
    CHECK(output_of(R"(#include <unistd.h>
#include <fcntl.h>
#include <errno.h>
int main(void) {
    char buf[16];
    int fd = open("/home/student/data/in.txt", O_RDONLY);
    EXPECT(fd >= 0);
    int n = read(fd, buf, sizeof buf);
    write(1, buf, n);
    EXPECT(open("/tmp/deep/er/secret", O_RDONLY) == -1 && errno == EACCES);
    return 0;
})", o) == "abc");
    // The same program as root reads the root-owned file.
    o.uid = 0;
    CHECK(output_of(R"(#include <unistd.h>
#include <fcntl.h>
int main(void) {
    char buf[16];
    int n = read(open("/tmp/deep/er/secret", O_RDONLY), buf, sizeof buf);
    write(1, buf, n);
    return 0;
})", o) == "root only");
}

TEST_CASE("setup: RLIMIT_NPROC set before exec makes fork fail with EAGAIN")
{
    constexpr char const* kForks = R"(#include <unistd.h>
#include <signal.h>
#include <sys/wait.h>
#include <errno.h>
int main(void) {
    pid_t kids[10];
    int made = 0;
    for (;;) {
        pid_t pid = fork();
        if (pid < 0) {
            EXPECT(errno == EAGAIN);
            break;
        }
        if (pid == 0)
            pause();
        kids[made++] = pid;
        if (made == 10)
            break;
    }
    for (int i = 0; i < made; i++) {
        kill(kids[i], SIGKILL);
        waitpid(kids[i], NULL, 0);
    }
    return made;
})";
    RunOptions o;
    o.rlimits[RLIMIT_NPROC] = Rlimit{3, 3};
    Run limited = run(kForks, o);
    REQUIRE(limited.ok);
    CHECK(WEXITSTATUS(limited.main_status()) == 2);  // The student's process and two children.
    CHECK(limited.kernel->counters().fork_failures == 1);
    Run unlimited = run(kForks);
    REQUIRE(unlimited.ok);
    CHECK(WEXITSTATUS(unlimited.main_status()) == 10);
}
