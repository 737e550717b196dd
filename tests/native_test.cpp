// forklab verify's native side (sim/native): the pid normalisation, the sandbox (its terminal,
// its time limit, its cleanup) and the comparison with the model on the fixtures of
// tests/native/. The cases that compile C exit with status 77, which CTest reports as skipped,
// when the host has no C compiler: they never pass without having run.
#include "native/compile.h"
#include "native/normalise.h"
#include "native/page_broker.h"
#include "native/sandbox.h"
#include "native/verify.h"

#include <doctest/doctest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace forklab;
using namespace forklab::native;

namespace {

namespace fs = std::filesystem;

fs::path fixture(char const* name) { return fs::path(FORKLAB_TEST_NATIVE) / name; }

void require_compiler()
{
    if (!find_compiler()) {
        std::fprintf(stderr, "SKIPPED: no C compiler (gcc or $CC) on this host\n");
        std::exit(77);
    }
}

// Processes on the host whose executable lies in the verify run's work folder (a program
// deleted since is still shown under its old path, with " (deleted)").
int leftover_processes(Verifier const& v)
{
    int found = 0;
    std::error_code ec;
    for (auto const& entry : fs::directory_iterator("/proc", ec)) {
        std::error_code link_ec;
        auto const exe = fs::read_symlink(entry.path() / "exe", link_ec);
        if (!link_ec && exe.string().starts_with(v.work_dir().string() + "/"))
            ++found;
    }
    return found;
}

// A connected client of a PageBroker listening at `path`, as forklab.h's is.
int connect_to(fs::path const& path)
{
    sockaddr_un where{};
    where.sun_family = AF_UNIX;
    std::snprintf(where.sun_path, sizeof where.sun_path, "%s", path.c_str());
    int const fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    if (fd >= 0 && connect(fd, reinterpret_cast<sockaddr const*>(&where), sizeof where) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

// Let the broker take connections and answer for a while (it never blocks).
void serve_a_while(PageBroker& broker)
{
    for (int round = 0; round < 20; ++round) {
        pollfd fds[PageBroker::kMostFds];
        std::size_t const n = broker.poll_fds(fds);
        if (poll(fds, n, 10) > 0)
            broker.serve(std::span(fds, n));
    }
}

// The outcome of verifying fixture `name`, which must match (else its reason and diff show).
// The fixture verified with `native_stdin` on the host side only: it must differ.
Outcome differs_with_stdin(char const* name, std::string native_stdin)
{
    Options options;
    options.native_stdin = std::move(native_stdin);
    Verifier v(options);
    Outcome o = v.verify(fixture(name));
    INFO(o.reason);
    CHECK(o.kind == Outcome::Kind::Differ);
    return o;
}

Outcome matched(Verifier& v, char const* name)
{
    Outcome o = v.verify(fixture(name));
    INFO(o.reason, "\n", o.diff);
    CHECK(o.kind == Outcome::Kind::Match);
    return o;
}

// A path for a test's own files, with this process's pid in it: not under /tmp, which the
// sandbox covers with a fresh tmpfs when it can.
fs::path scratch_path(std::string const& stem)
{
    fs::path const base = fs::is_directory("/var/tmp") ? fs::path("/var/tmp") : fs::temp_directory_path();
    return base / (stem + std::to_string(getpid()));
}

// This test process has no child left, running or zombie.
bool no_children()
{
    int status = 0;
    return waitpid(-1, &status, WNOHANG) < 0 && errno == ECHILD;
}

}  // namespace

TEST_CASE("normalise renames pids in order of first appearance")
{
    std::set<pid_t> const pids = {2, 3, 17};
    CHECK(normalise_pids("child 3 of 2\nparent 2 waited for 3\n", pids) == "child P1 of P2\nparent P2 waited for P1\n");
    CHECK(normalise_pids("17 then 3", pids) == "P1 then P2");
}

TEST_CASE("normalise leaves numbers that are not pids and parts of longer numbers")
{
    std::set<pid_t> const pids = {2, 23};
    CHECK(normalise_pids("x = 100, 1234 and 230", pids) == "x = 100, 1234 and 230");
    CHECK(normalise_pids("pid=23:", pids) == "pid=P1:");
    CHECK(normalise_pids("no digits", pids) == "no digits");
    CHECK(normalise_pids("", pids).empty());
    CHECK(normalise_pids("99999999999999999999", pids) == "99999999999999999999");
}

TEST_CASE("normalise writes the adopting process as init")
{
    std::set<pid_t> const pids = {4100, 4101};
    CHECK(normalise_pids("4101 adopted by 4000", pids, 4000) == "P1 adopted by 1");
    CHECK(normalise_pids("4101 adopted by 1", pids) == "P1 adopted by 1");
}

TEST_CASE("two runs with different pids normalise to the same text")
{
    std::string const model = "parent 2 forked 3\nchild 3\n";
    std::string const host = "parent 5120 forked 5127\nchild 5127\n";
    CHECK(normalise_pids(model, {2, 3}) == normalise_pids(host, {5120, 5127}));
    CHECK(normalise_pids(model, {2, 3}) != normalise_pids("parent 5120 forked 5127\nchild 5120\n", {5120, 5127}));
}

TEST_CASE("same_but_pids accepts one consistent renaming of pids")
{
    std::set<pid_t> const model = {2, 3}, host = {5120, 5127};
    CHECK(same_but_pids("parent 2 forked 3\nchild 3\n", model, "parent 5120 forked 5127\nchild 5127\n", host));
    // The same model pid met two host pids, or two model pids one host pid: not a renaming.
    CHECK_FALSE(same_but_pids("parent 2 forked 3\nchild 3\n", model, "parent 5120 forked 5127\nchild 5120\n", host));
    CHECK_FALSE(same_but_pids("2 and 3", model, "5120 and 5120", host));
    // Numbers that are not pids on both sides must be equal.
    CHECK_FALSE(same_but_pids("x = 2", model, "x = 7", host));
    CHECK_FALSE(same_but_pids("x = 100", model, "x = 5120", host));
    CHECK_FALSE(same_but_pids("child 3", model, "child 5127 done", host));
    CHECK_FALSE(same_but_pids("a", model, "b", host));
}

TEST_CASE("same_but_pids keeps a small model pid that is also a value")
{
    // The model's child is pid 3 and exits with status 3; the host's child is 5127.
    std::set<pid_t> const model = {2, 3}, host = {5120, 5127};
    CHECK(same_but_pids("child 3 exits with 3\n", model, "child 5127 exits with 3\n", host));
    CHECK(normalise_pids("child 3 exits with 3\n", model) != normalise_pids("child 5127 exits with 3\n", host));
    // The adopting subreaper is init's 1.
    CHECK(same_but_pids("orphan 3 adopted by 1", model, "orphan 5127 adopted by 4000", host, 4000));
    CHECK_FALSE(same_but_pids("orphan 3 adopted by 1", model, "orphan 5127 adopted by 4001", host, 4000));
}

TEST_CASE("cannot_run says why a scenario is skipped")
{
    Spec spec;
    spec.work_dir = "/var/tmp";
    spec.files.push_back({"/etc/forklab-test", "x", 0644, 1000});
    auto why = cannot_run(spec);
    REQUIRE(why.has_value());
    CHECK(why->find("outside /tmp and /home") != std::string::npos);

    spec.files.clear();
    spec.stdin_text = std::string(10'000, 'x');
    why = cannot_run(spec);
    REQUIRE(why.has_value());
    CHECK(why->find("stdin") != std::string::npos);

    spec.stdin_text = "short\n";
    spec.uid = geteuid() + 1;
    spec.uid_given = true;
    why = cannot_run(spec);
    if (namespaces_available())
        CHECK_FALSE(why.has_value());
    else
        CHECK((why && why->find("only root") != std::string::npos));
}

TEST_CASE("a deterministic scenario matches with pids stdin and an adopted orphan")
{
    require_compiler();
    Verifier v;
    REQUIRE_FALSE(v.unavailable());
    (void)matched(v, "match_pids.c");
    CHECK(no_children());
}

TEST_CASE("different stdin on the two sides is reported as DIFFER with a diff")
{
    require_compiler();
    Outcome const o = differs_with_stdin("differ_stdin.c", "no\n");
    CHECK(o.reason.find("output differs") != std::string::npos);
    CHECK(o.diff.find("-answer: yes") != std::string::npos);
    CHECK(o.diff.find("+answer: no") != std::string::npos);

    Verifier same;  // The scenario's own stdin on both sides: the same scenario matches.
    CHECK(same.verify(fixture("differ_stdin.c")).kind == Outcome::Kind::Match);
}

TEST_CASE("a racy scenario matches any output the model can show and no other")
{
    require_compiler();
    Verifier v;
    (void)matched(v, "racy_order.c");

    Outcome const d = differs_with_stdin("racy_order.c", "stop\n");
    CHECK(d.reason.find("none of the model's 2 explored outcomes") != std::string::npos);
    CHECK(d.diff.find("+parent stop") != std::string::npos);
}

TEST_CASE("a sleeping orphan is killed at the time limit and nothing is left behind")
{
    require_compiler();
    Options options;
    options.time_limit = std::chrono::milliseconds(1500);
    Verifier v(options);
    auto const start = std::chrono::steady_clock::now();
    Outcome const o = v.verify(fixture("sleeping_child.c"));
    auto const took = std::chrono::steady_clock::now() - start;
    INFO(o.reason);
    CHECK(o.kind == Outcome::Kind::Differ);
    CHECK(o.reason.find("did not end within 1500 ms") != std::string::npos);
    CHECK(took < std::chrono::seconds(30));  // Far less than the child's 300 s of sleep.
    CHECK(leftover_processes(v) == 0);
    CHECK(no_children());
}

TEST_CASE("an endless loop is killed and reported as a run that never ends")
{
    require_compiler();
    Options options;
    options.time_limit = std::chrono::milliseconds(1000);
    options.max_steps = 100'000;
    Verifier v(options);
    Outcome const o = v.verify(fixture("endless.c"));
    INFO(o.reason);
    CHECK(o.kind == Outcome::Kind::Skip);
    CHECK(o.reason.find("neither run ends") != std::string::npos);
    CHECK(leftover_processes(v) == 0);
    CHECK(no_children());
}

TEST_CASE("the sandbox runs main on a terminal in its own group and kills what is left")
{
    require_compiler();
    fs::path const dir = scratch_path("forklab-native-test-");
    fs::create_directories(dir);
    fs::path const src = dir / "t.c";
    {
        std::FILE* f = std::fopen(src.c_str(), "w");
        REQUIRE(f);
        std::fputs("#include <stdio.h>\n#include <unistd.h>\n"
                   "int main(void) { printf(\"tty %d %d pgrp-is-me %d\\n\", isatty(0), isatty(1), getpgrp() == getpid());\n"
                   "  char b[16]; long n = read(0, b, sizeof b); long m = read(0, b, sizeof b);\n"
                   "  printf(\"read %ld then %ld\\n\", n, m); return 5; }\n",
            f);
        std::fclose(f);
    }
    auto cc = find_compiler();
    REQUIRE(compile_c(*cc, src, dir / "t", fs::path(FORKLAB_SOURCE_DIR) / "scenarios/include").has_value());
    Spec spec;
    spec.exe = dir / "t";
    spec.argv = {"t"};
    spec.stdin_text = "abc\ndef\n";
    spec.bin_dir = dir;
    spec.work_dir = dir;
    spec.time_limit = std::chrono::milliseconds(5000);
    auto const why = cannot_run(spec);
    REQUIRE_FALSE(why.has_value());
    Result const r = run(spec);
    INFO(r.error);
    CHECK(r.error.empty());
    CHECK(r.output == "tty 1 1 pgrp-is-me 1\nread 8 then 0\n");
    CHECK(WIFEXITED(r.main_status));
    CHECK(WEXITSTATUS(r.main_status) == 5);
    CHECK_FALSE(r.timed_out);
    CHECK(r.pids.contains(r.main_pid));
    if (r.isolated)
        CHECK(r.main_pid == 2);
    CHECK(no_children());
    fs::remove_all(dir);
}

TEST_CASE("the page broker answers each connection about its own pages and ignores bad questions")
{
    fs::path const path = scratch_path("forklab-broker-test-");
    auto broker = PageBroker::listen(path);
    REQUIRE(broker.has_value());
    static int page_of_mine = 0;
    page_of_mine = 7;  // A page of ours, present.

    int const silent = connect_to(path);  // Connects and never asks: must hold nobody up.
    int const asker = connect_to(path);
    int const garbler = connect_to(path);
    REQUIRE(silent >= 0);
    REQUIRE(asker >= 0);
    REQUIRE(garbler >= 0);
    PageQuestion const q{kPageMagic, 0, std::uint64_t(reinterpret_cast<std::uintptr_t>(&page_of_mine))};
    REQUIRE(send(asker, &q, sizeof q, 0) == ssize_t(sizeof q));
    REQUIRE(send(garbler, "bad", 3, 0) == 3);
    serve_a_while(*broker);

    PageAnswer a{};
    a.magic = 0;
    REQUIRE(recv(asker, &a, sizeof a, MSG_DONTWAIT) == ssize_t(sizeof a));
    CHECK(a.magic == kPageMagic);
    CHECK((a.known & PageAnswer::Pagemap) != 0);
    CHECK((a.pagemap >> 63) == 1);  // Present: we just wrote it.
    PageAnswer const direct = read_page(getpid(), q.address);
    CHECK(direct.pagemap == a.pagemap);  // The asker's own pid was asked about.
    if (geteuid() == 0) {
        // Root reads frame numbers: a frame and its count are known, and the page is ours alone.
        CHECK((a.known & PageAnswer::Frame) != 0);
        CHECK((a.pagemap & ((1ULL << 55) - 1)) != 0);
        CHECK(a.kpagecount == 1);
    }
    char buf[64];
    CHECK(recv(garbler, buf, sizeof buf, MSG_DONTWAIT) == 0);  // Hung up on, no answer.
    CHECK(recv(silent, buf, sizeof buf, MSG_DONTWAIT) < 0);   // Still waiting for its question.
    close(silent);
    close(asker);
    close(garbler);
    fs::remove(path);
}

TEST_CASE("page questions are answered by the page broker as root and skipped without it")
{
    require_compiler();
    Verifier v;
    Outcome const o = matched(v, "pages_shared.c");
    if (namespaces_available()) {
        // Every page question is checked, none skipped: frame numbers need root, and the
        // scenario runs as uid 1000.
        CHECK(o.page_broker);
        CHECK(o.expects.skipped == 0);
        CHECK(o.expects.checked_pages >= 4);
    } else {
        CHECK_FALSE(o.page_broker);
        CHECK(o.expects.skipped > 0);
    }

    Options options;
    options.page_broker = false;  // As a scenario built and run by hand as uid 1000.
    Verifier alone(options);
    Outcome const n = alone.verify(fixture("pages_shared.c"));
    INFO(n.reason);
    CHECK(n.kind == Outcome::Kind::Match);
    CHECK_FALSE(n.page_broker);
    // Main is never root (verify drops to uid 1000 as root): its frame questions are skipped,
    // never passed.
    CHECK(n.expects.skipped > 0);
    CHECK(no_children());
}

TEST_CASE("a page-sharing EXPECT that is false natively is reported as DIFFER")
{
    require_compiler();
    Options options;
    options.native_stdin = "write\n";  // The native child writes x before asking about it.
    Verifier v(options);
    Outcome const o = v.verify(fixture("pages_shared.c"));
    INFO(o.reason);
    // The refcount claim fails on every host: without root the pagemap's "exclusively mapped"
    // bit still answers 1 for the child's written page.
    CHECK(o.kind == Outcome::Kind::Differ);
    CHECK(o.reason.find("failed in 0 process(es) in the model, 1 natively") != std::string::npos);
    bool const frame_claim_failed =
        !o.notes.empty() && o.notes.front().find("failed in 0 process(es) in the model, 1 natively") != std::string::npos;
    if (namespaces_available()) {
        // The frame claim is checked too (by the page broker), and fails.
        CHECK(frame_claim_failed);
        CHECK(o.expects.skipped == 0);
    } else {
        // The host will not say which frame: skipped, so neither a pass nor a difference.
        CHECK_FALSE(frame_claim_failed);
        CHECK(o.expects.skipped > 0);
    }
}

TEST_CASE("processes asking page questions at once each get their own answer")
{
    require_compiler();
    Verifier v;
    Outcome const o = matched(v, "pages_many_askers.c");
    if (namespaces_available()) {
        CHECK(o.expects.skipped == 0);
        CHECK(o.expects.checked_pages >= 4 * 200);
    }
    CHECK(leftover_processes(v) == 0);
    CHECK(no_children());
}

TEST_CASE("page questions leave no descriptor behind and errno as it was")
{
    require_compiler();
    Verifier v;
    Outcome const o = matched(v, "pages_leave_no_trace.c");
    // The fd and errno EXPECTs are plain ones: checked on every host.
    CHECK(o.expects.checked >= 2);
    if (namespaces_available())
        CHECK(o.expects.checked_pages == 1);
}
