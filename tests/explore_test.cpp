// The explorer of every interleaving (explore/outcomes.h) and its state hash: answer sets of
// classic fork puzzles worked out by hand, the same answers with and without the reduction of
// private steps, equal hashes for equal states, the bound, and replays of reported schedules.
#include "explore/outcomes.h"
#include "explore/state_hash.h"
#include "lang/session.h"
#include "support/program.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <set>

using namespace forklab;
using explore::Exploration;
using explore::ExploreOptions;

namespace {

Exploration explore_checked(std::string source, ExploreOptions how = {}, lang::RunOptions options = {})
{
    Exploration x = explore::explore("puzzle.c", std::move(source), test::checked(std::move(options)), how);
    INFO(x.error);
    REQUIRE(x.ok);
    return x;
}

std::set<std::string> outputs(Exploration const& x)
{
    std::set<std::string> set;
    for (explore::Outcome const& o : x.outcomes) {
        INFO(o.output);
        INFO(o.error);
        CHECK(o.end == lang::RunEnd::Finished);
        set.insert(o.output);
    }
    return set;
}

// Each outcome's schedule, replayed by a plain run, prints exactly that outcome.
void check_replays(std::string const& source, Exploration const& x)
{
    for (explore::Outcome const& o : x.outcomes) {
        lang::RunOptions options;
        options.schedule = o.schedule;
        lang::Run const r = test::run(source, options);
        CHECK(r.output == o.output);
        CHECK(r.schedule == o.schedule);
    }
}

// One program explored with the reductions and without them (every order of every step).
struct BothWays {
    Exploration reduced, every;
};

BothWays both_ways(std::string const& source, lang::RunOptions const& options = {})
{
    ExploreOptions full;
    full.reduce = false;
    BothWays b{explore_checked(source, {}, options), explore_checked(source, full, options)};
    CHECK_FALSE(b.reduced.bound_hit);
    CHECK_FALSE(b.every.bound_hit);
    CHECK(outputs(b.reduced) == outputs(b.every));
    return b;
}

// The reduced search finds exactly `expected` (as the full one does) in fewer than one in
// `factor` of the full search's choice points.
void check_reduced(std::string const& source, std::set<std::string> const& expected, std::uint64_t factor)
{
    auto const [reduced, every] = both_ways(source);
    CHECK(outputs(reduced) == expected);
    CHECK(reduced.states * factor < every.states);
}

// The answers with the reduction and without it agree, and each answer's schedule replays.
std::set<std::string> answers(std::string const& source)
{
    Exploration const reduced = both_ways(source).reduced;
    check_replays(source, reduced);
    return outputs(reduced);
}

char const* const kParentChild =
    "#include <stdio.h>\n#include <unistd.h>\n"
    "int main(void) {\n"
    "    if (fork() == 0)\n"
    "        printf(\"child\\n\");\n"
    "    else\n"
    "        printf(\"parent\\n\");\n"
    "    return 0;\n"
    "}\n";

}  // namespace

TEST_CASE("explore: parent and child printing unsynchronised give exactly two outputs")
{
    // Each printf ends its line, so each is one write to the line-buffered terminal; nothing
    // orders the two processes, so either line may come first -- and nothing else can happen.
    CHECK(answers(kParentChild) == std::set<std::string>{"child\nparent\n", "parent\nchild\n"});
}

TEST_CASE("explore: fork then one printf in both gives one output")
{
    // Both processes print the same line: every order shows it twice.
    CHECK(answers("#include <stdio.h>\n#include <unistd.h>\n"
                  "int main(void) { fork(); printf(\"A\\n\"); return 0; }\n") ==
          std::set<std::string>{"A\nA\n"});
}

TEST_CASE("explore: fork twice gives four lines in every order")
{
    CHECK(answers("#include <stdio.h>\n#include <unistd.h>\n"
                  "int main(void) { fork(); fork(); printf(\"x\\n\"); return 0; }\n") ==
          std::set<std::string>{"x\nx\nx\nx\n"});
}

TEST_CASE("explore: wait orders the parent after the child")
{
    CHECK(answers("#include <stdio.h>\n#include <unistd.h>\n#include <sys/wait.h>\n"
                  "int main(void) {\n"
                  "    if (fork() == 0) { printf(\"child\\n\"); return 0; }\n"
                  "    wait(NULL);\n"
                  "    printf(\"parent\\n\");\n"
                  "    return 0;\n"
                  "}\n") == std::set<std::string>{"child\nparent\n"});
}

TEST_CASE("explore: one line of the parent fits in three places among two of the child")
{
    // The child's A comes before its B; the parent's C goes before A, between, or after B.
    CHECK(answers("#include <stdio.h>\n#include <unistd.h>\n"
                  "int main(void) {\n"
                  "    if (fork() == 0) {\n"
                  "        printf(\"A\\n\");\n"
                  "        printf(\"B\\n\");\n"
                  "    } else {\n"
                  "        printf(\"C\\n\");\n"
                  "    }\n"
                  "    return 0;\n"
                  "}\n") == std::set<std::string>{"C\nA\nB\n", "A\nC\nB\n", "A\nB\nC\n"});
}

TEST_CASE("explore: output without a newline waits in the buffer until exit")
{
    // No newline: stdio keeps "A" and "B" in the child's buffer and writes them together when
    // it exits, so C can come before or after "AB" but never between them. The "X" printed
    // before the fork is in the buffer that fork copies, so both processes print it.
    CHECK(answers("#include <stdio.h>\n#include <unistd.h>\n"
                  "int main(void) {\n"
                  "    printf(\"X\");\n"
                  "    if (fork() == 0) {\n"
                  "        printf(\"A\");\n"
                  "        printf(\"B\");\n"
                  "    } else {\n"
                  "        printf(\"C\");\n"
                  "    }\n"
                  "    return 0;\n"
                  "}\n") == std::set<std::string>{"XABXC", "XCXAB"});
}

TEST_CASE("explore: a pipe synchronises the two processes into one output")
{
    // The child blocks in read() until the parent has printed and written the byte.
    CHECK(answers("#include <stdio.h>\n#include <unistd.h>\n#include <sys/wait.h>\n"
                  "int main(void) {\n"
                  "    int fd[2];\n"
                  "    char c;\n"
                  "    pipe(fd);\n"
                  "    if (fork() == 0) {\n"
                  "        read(fd[0], &c, 1);\n"
                  "        printf(\"second\\n\");\n"
                  "        return 0;\n"
                  "    }\n"
                  "    printf(\"first\\n\");\n"
                  "    write(fd[1], \"x\", 1);\n"
                  "    wait(NULL);\n"
                  "    return 0;\n"
                  "}\n") == std::set<std::string>{"first\nsecond\n"});
}

TEST_CASE("explore: a shared counter without a lock loses updates")
{
    // Two processes increment a counter in shared memory, each by a load then a store in
    // separate statements: the increments can overlap, so the final value is 1 or 2.
    CHECK(answers("#include <stdio.h>\n#include <unistd.h>\n#include <sys/mman.h>\n#include <sys/wait.h>\n"
                  "int main(void) {\n"
                  "    int *n = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);\n"
                  "    pid_t p = fork();\n"
                  "    int v = *n;\n"
                  "    *n = v + 1;\n"
                  "    if (p == 0)\n"
                  "        return 0;\n"
                  "    wait(NULL);\n"
                  "    printf(\"%d\\n\", *n);\n"
                  "    return 0;\n"
                  "}\n") == std::set<std::string>{"1\n", "2\n"});
}

TEST_CASE("explore: the reduction of private steps explores fewer states on a loop")
{
    // Each process counts privately before printing: the private statements commute, so
    // the reduced search needs far fewer choice points than every order of them.
    std::string const source = "#include <stdio.h>\n#include <unistd.h>\n"
                               "int main(void) {\n"
                               "    int s = 0;\n"
                               "    fork();\n"
                               "    for (int i = 0; i < 5; i++)\n"
                               "        s += i;\n"
                               "    printf(\"%d\\n\", s);\n"
                               "    return 0;\n"
                               "}\n";
    check_reduced(source, {"10\n10\n"}, 4);
}

// The reduction runs a fork, an exit or a terminal write alone when nothing the other tasks
// could still do depends on it (explore/footprint.h). Each test below has a step that does
// depend on another task's later call -- a wait, getppid, a pending signal, a kill, a full
// RLIMIT_NPROC, a flush at exit -- and would lose an answer if the reduction missed it.

TEST_CASE("explore: an exit is ordered against a later waitpid with WNOHANG")
{
    CHECK(answers("#include <stdio.h>\n#include <unistd.h>\n#include <sys/wait.h>\n"
                  "int main(void) {\n"
                  "    if (fork() == 0)\n"
                  "        return 0;\n"
                  "    int r = waitpid(-1, NULL, WNOHANG);\n"
                  "    printf(\"%d\\n\", r > 0);\n"
                  "    return 0;\n"
                  "}\n") == std::set<std::string>{"0\n", "1\n"});
}

TEST_CASE("explore: a parent's exit is ordered against the child's getppid")
{
    // Reparented to init, the orphan's getppid() says 1.
    CHECK(answers("#include <stdio.h>\n#include <unistd.h>\n"
                  "int main(void) {\n"
                  "    if (fork() == 0) {\n"
                  "        printf(\"%d\\n\", getppid() == 1);\n"
                  "        return 0;\n"
                  "    }\n"
                  "    return 0;\n"
                  "}\n") == std::set<std::string>{"0\n", "1\n"});
}

TEST_CASE("explore: a child's getppid is ordered against the parent's later exit")
{
    // As above, but the child asks before it prints: its getppid step itself must not be run
    // ahead of the parent's exit.
    CHECK(answers("#include <stdio.h>\n#include <unistd.h>\n"
                  "int main(void) {\n"
                  "    if (fork() == 0) {\n"
                  "        int orphan = getppid() == 1;\n"
                  "        printf(\"%d\\n\", orphan);\n"
                  "        return 0;\n"
                  "    }\n"
                  "    return 0;\n"
                  "}\n") == std::set<std::string>{"0\n", "1\n"});
}

TEST_CASE("explore: a child's exit is ordered against the parent's sigpending")
{
    // A blocked SIGCHLD stays pending: the parent sees it only if the child has exited.
    CHECK(answers("#include <stdio.h>\n#include <unistd.h>\n#include <signal.h>\n"
                  "int main(void) {\n"
                  "    sigset_t set, pending;\n"
                  "    sigemptyset(&set);\n"
                  "    sigaddset(&set, SIGCHLD);\n"
                  "    sigprocmask(SIG_BLOCK, &set, NULL);\n"
                  "    if (fork() == 0)\n"
                  "        return 0;\n"
                  "    sigpending(&pending);\n"
                  "    printf(\"%d\\n\", sigismember(&pending, SIGCHLD));\n"
                  "    return 0;\n"
                  "}\n") == std::set<std::string>{"0\n", "1\n"});
}

TEST_CASE("explore: a kill is ordered against the victim's writes")
{
    CHECK(answers("#include <stdio.h>\n#include <unistd.h>\n#include <signal.h>\n#include <sys/wait.h>\n"
                  "int main(void) {\n"
                  "    pid_t p = fork();\n"
                  "    if (p == 0) {\n"
                  "        printf(\"a\\n\");\n"
                  "        printf(\"b\\n\");\n"
                  "        return 0;\n"
                  "    }\n"
                  "    kill(p, SIGKILL);\n"
                  "    wait(NULL);\n"
                  "    printf(\"done\\n\");\n"
                  "    return 0;\n"
                  "}\n") == std::set<std::string>{"done\n", "a\ndone\n", "a\nb\ndone\n"});
}

TEST_CASE("explore: a flush at exit is ordered against the other process's flush")
{
    // Fully buffered, each process writes its letter only when it exits.
    CHECK(answers("#include <stdio.h>\n#include <unistd.h>\n"
                  "int main(void) {\n"
                  "    setvbuf(stdout, NULL, _IOFBF, 0);\n"
                  "    if (fork() == 0)\n"
                  "        printf(\"C\");\n"
                  "    else\n"
                  "        printf(\"P\");\n"
                  "    return 0;\n"
                  "}\n") == std::set<std::string>{"CP", "PC"});
}

TEST_CASE("explore: with RLIMIT_NPROC full an exit is ordered against a later fork")
{
    // Two processes of uid 1000 are allowed. The parent ignores SIGCHLD, so its first child
    // is reaped as it exits; the second fork succeeds only if that happened first. The
    // parent's printf in between keeps the child's exit from being second to the fork: an
    // explorer that put exits before forks (as if no fork could fail) would see only "room".
    lang::RunOptions options;
    options.rlimits[RLIMIT_NPROC] = Rlimit{2, 2};
    std::string const source = "#include <stdio.h>\n#include <unistd.h>\n#include <signal.h>\n"
                               "int main(void) {\n"
                               "    signal(SIGCHLD, SIG_IGN);\n"
                               "    if (fork() == 0)\n"
                               "        return 0;\n"
                               "    printf(\"x\\n\");\n"
                               "    int r = fork();\n"
                               "    if (r == 0)\n"
                               "        return 0;\n"
                               "    printf(r < 0 ? \"full\\n\" : \"room\\n\");\n"
                               "    return 0;\n"
                               "}\n";
    CHECK(outputs(both_ways(source, options).reduced) == std::set<std::string>{"x\nfull\n", "x\nroom\n"});
}

TEST_CASE("explore: forks and exits run alone in the classic loop puzzle")
{
    // for (i < 2) fork(): four processes, each printing once. Only the order of the four
    // writes is worth exploring; the forks and exits around them commute.
    std::string const source = "#include <stdio.h>\n#include <unistd.h>\n"
                               "int main(void) {\n"
                               "    for (int i = 0; i < 2; i++)\n"
                               "        fork();\n"
                               "    printf(\"hi\\n\");\n"
                               "    return 0;\n"
                               "}\n";
    check_reduced(source, {"hi\nhi\nhi\nhi\n"}, 10);
}

TEST_CASE("explore: siblings' exits commute but each is ordered against the parent's wait")
{
    // Two children print and exit; the parent reaps one and reports whether the other has
    // exited too (it may not even have printed yet). Their exits are independent of each
    // other, not of their parent's waits.
    CHECK(answers("#include <stdio.h>\n#include <unistd.h>\n#include <sys/wait.h>\n"
                  "int main(void) {\n"
                  "    if (fork() == 0) { printf(\"a\\n\"); return 0; }\n"
                  "    if (fork() == 0) { printf(\"b\\n\"); return 0; }\n"
                  "    wait(NULL);\n"
                  "    printf(\"%d\\n\", waitpid(-1, NULL, WNOHANG) > 0);\n"
                  "    return 0;\n"
                  "}\n") == std::set<std::string>{"a\nb\n0\n", "a\nb\n1\n", "b\na\n0\n", "b\na\n1\n",
                                               "a\n0\nb\n", "b\n0\na\n"});
}

TEST_CASE("explore: a parent asleep in wait keeps its children's exits in every order")
{
    // The children sleep, so the parent is asleep in wait() before either can exit; then both
    // wake at once, and the one whose exit comes first is the one it reaps.
    CHECK(answers("#include <stdio.h>\n#include <unistd.h>\n#include <sys/wait.h>\n"
                  "int main(void) {\n"
                  "    pid_t a = fork();\n"
                  "    if (a == 0) { sleep(1); return 0; }\n"
                  "    pid_t b = fork();\n"
                  "    if (b == 0) { sleep(1); return 0; }\n"
                  "    pid_t w = wait(NULL);\n"
                  "    printf(w == a ? \"a\\n\" : \"b\\n\");\n"
                  "    wait(NULL);\n"
                  "    return 0;\n"
                  "}\n") == std::set<std::string>{"a\n", "b\n"});
}

TEST_CASE("explore: a caught SIGCHLD keeps the child's exit in every order")
{
    // The handler may run before or after the parent's own line.
    CHECK(answers("#include <stdio.h>\n#include <unistd.h>\n#include <signal.h>\n#include <sys/wait.h>\n"
                  "void on_child(int sig) { write(1, \"chld\\n\", 5); }\n"
                  "int main(void) {\n"
                  "    signal(SIGCHLD, on_child);\n"
                  "    if (fork() == 0)\n"
                  "        return 0;\n"
                  "    write(1, \"parent\\n\", 7);\n"
                  "    wait(NULL);\n"
                  "    return 0;\n"
                  "}\n") == std::set<std::string>{"chld\nparent\n", "parent\nchld\n"});
}

TEST_CASE("explore: a tiny bound is reported as hit")
{
    ExploreOptions how;
    how.max_states = 1;
    how.reduce = false;
    Exploration const x = explore_checked(kParentChild, how);
    CHECK(x.bound_hit);
    CHECK(x.states == 1);
    explore::OutcomeCheck const c = explore::compare_outcomes(x, {"child\nparent\n", "parent\nchild\n"});
    CHECK_FALSE(c.pass());
}

TEST_CASE("explore: a time budget stops the search and is reported as the bound")
{
    // Every order of every step of eight processes printing: far more than a millisecond's
    // worth of choice points, and far fewer than the state bound.
    ExploreOptions how;
    how.reduce = false;
    how.max_states = 1'000'000;
    how.max_time = std::chrono::milliseconds(1);
    Exploration const x = explore_checked("#include <stdio.h>\n#include <unistd.h>\n"
                                          "int main(void) {\n"
                                          "    for (int i = 0; i < 3; i++)\n"
                                          "        fork();\n"
                                          "    printf(\"hi\\n\");\n"
                                          "    return 0;\n"
                                          "}\n",
        how);
    CHECK(x.bound_hit);
    CHECK(x.states < how.max_states);
    CHECK_FALSE(explore::compare_outcomes(x, {"hi\nhi\nhi\nhi\nhi\nhi\nhi\nhi\n"}).pass());
}

TEST_CASE("explore: a deadlock is an outcome of its own")
{
    Exploration const x = explore_checked("#include <unistd.h>\n"
                                          "int main(void) { int fd[2]; char c; pipe(fd); read(fd[0], &c, 1); return 0; }\n");
    REQUIRE(x.outcomes.size() == 1);
    CHECK(x.outcomes[0].end == lang::RunEnd::Deadlock);
}

TEST_CASE("explore: a compile error is reported and not explored")
{
    Exploration const x = explore::explore("bad.c", "int main(void) { return }\n", {});
    CHECK_FALSE(x.ok);
    CHECK(x.error.find("bad.c") != std::string::npos);
}

TEST_CASE("explore: comparing with declared outcomes names the missing and the unexpected")
{
    Exploration const x = explore_checked(kParentChild);
    explore::OutcomeCheck const same = explore::compare_outcomes(x, {"parent\nchild\n", "child\nparent\n"});
    CHECK(same.pass());
    explore::OutcomeCheck const c = explore::compare_outcomes(x, {"parent\nchild\n", "nobody\n"});
    CHECK(c.missing == std::vector<std::string>{"nobody\n"});
    CHECK(c.unexpected == std::vector<std::string>{"child\nparent\n"});
}

namespace {

char const* const kTwoPrivateSteps =
    "#include <unistd.h>\n"
    "int main(int argc, char **argv) {\n"
    "    int x = argv[0][0];\n"
    "    pid_t p = fork();\n"
    "    x = x + 1;\n"
    "    x = x + 2;\n"
    "    return p > 0 ? x : 0;\n"
    "}\n";

// Run to the fork, then the given pids one statement each; the state's hash.
std::uint64_t hash_after(std::vector<std::string> argv, std::vector<int> order)
{
    lang::RunOptions options;
    options.sched.policy = lang::SchedPolicy::Manual;
    options.argv = std::move(argv);
    lang::Session s("hash.c", kTwoPrivateSteps, test::checked(options));
    while (s.runnable().size() == 1)
        REQUIRE(s.step());
    auto const tasks = s.runnable();
    REQUIRE(tasks.size() == 2);  // The parent and the child, after the fork.
    for (int which : order)
        REQUIRE(s.step_task(tasks[std::size_t(which)]));
    return explore::state_hash(s.kernel(), s.machine());
}

}  // namespace

TEST_CASE("state hash: two orders of private steps reach one state")
{
    // Parent then child, or child then parent: the same statements ran, the same bytes are in
    // each process's memory (the copy-on-write copies sit in other frames, which the hash
    // leaves out), so the hashes agree.
    CHECK(hash_after({"p"}, {0, 1}) == hash_after({"p"}, {1, 0}));
    CHECK(hash_after({"p"}, {0, 1, 0, 1}) == hash_after({"p"}, {1, 1, 0, 0}));
    // A different state: one process went further.
    CHECK(hash_after({"p"}, {0, 0}) != hash_after({"p"}, {0, 1}));
}

TEST_CASE("state hash: a different byte of memory hashes differently")
{
    // The same program, the same steps; only argv[0]'s first byte (on the stack, and in x)
    // differs.
    CHECK(hash_after({"p"}, {0, 1}) == hash_after({"p"}, {0, 1}));
    CHECK(hash_after({"p"}, {0, 1}) != hash_after({"q"}, {0, 1}));
}
