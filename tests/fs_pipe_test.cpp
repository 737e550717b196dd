// Pipes: pipe2(2) and its descriptors, the flow of bytes between processes, end-of-file only
// when every write end is closed, sleeping readers and writers and what wakes them, the 65,536-
// byte capacity and PIPE_BUF atomicity, O_NONBLOCK, SIGPIPE and EPIPE, signals during a sleep,
// a shell's pipeline, and the counters and events a teacher reads. The references are pipe(7),
// pipe(2), read(2), write(2) and Linux's fs/pipe.c; where they leave room, a C program run on
// the host kernel decided. Every step is followed by check_invariants().
#include "support/lab.h"

#include "trace/event.h"

#include <algorithm>
#include <cstdint>
#include <fcntl.h>
#include <random>
#include <string>
#include <utility>
#include <vector>

using namespace forklab;
using namespace forklab::test;

namespace {

constexpr std::uint64_t kHandler = 0x401136;  // A function in the simulated program.
constexpr std::size_t kCapacity = 65536;      // pipe(7): 16 pages since Linux 2.6.11.
constexpr std::size_t kPipeBuf = 4096;        // pipe(7): PIPE_BUF on Linux.
using Kind = Blocking::Kind;

// `n` bytes that are not all alike, so a byte out of order shows.
std::string pattern(std::size_t n, unsigned seed = 0)
{
    std::string s(n, '\0');
    for (std::size_t i = 0; i < n; ++i)
        s[i] = char('a' + (seed * 7 + i * 13 + i / 26) % 26);
    return s;
}

Pipe const& pipe_of(Lab const& lab, pid_t pid, int fd)
{
    OpenFileDescription const* file = lab.task(pid).files->get(fd);
    REQUIRE(file != nullptr);
    REQUIRE(file->inode->pipe != nullptr);
    return *file->inode->pipe;
}

bool asleep(Lab const& lab, pid_t pid, BlockReason reason)
{
    Task const& t = lab.task(pid);
    return t.state == TaskState::Blocked && t.blocked_on == reason;
}

bool runnable(Lab const& lab, pid_t pid) { return lab.task(pid).state == TaskState::Runnable; }

void close(Lab& lab, pid_t pid, int fd)
{
    auto r = lab.k.close(pid, fd);
    REQUIRE_MESSAGE(r, "close(" << fd << ") failed: " << why(r));
    lab.check();
}

void dup2(Lab& lab, pid_t pid, int oldfd, int newfd)
{
    auto r = lab.k.dup2(pid, oldfd, newfd);
    REQUIRE_MESSAGE(r, "dup2 failed: " << why(r));
    lab.check();
}

long fcntl(Lab& lab, pid_t pid, int fd, int cmd)
{
    auto r = lab.k.fcntl(pid, fd, cmd);
    REQUIRE_MESSAGE(r, "fcntl failed: " << why(r));
    return *r;
}

void set_nonblock(Lab& lab, pid_t pid, int fd)
{
    REQUIRE(lab.k.fcntl(pid, fd, F_SETFL, fcntl(lab, pid, fd, F_GETFL) | O_NONBLOCK));
    lab.check();
}

// A call that may sleep: what kind of result it gave (the call must not fail).
Kind kind_of(ErrorOr<Blocking> const& r)
{
    REQUIRE_MESSAGE(r, "the call failed: " << why(r));
    return r->kind;
}

bool is_queued(Lab const& lab, pid_t pid, int sig)
{
    Task const& t = lab.task(pid);
    return ((t.pending | t.signal->shared_pending) & sigbit(sig)) != 0;
}

std::vector<Event> events_since(Lab const& lab, std::size_t mark, EventKind kind)
{
    std::vector<Event> found;
    for (Event const& e : lab.k.events().since(mark))
        if (e.kind == kind)
            found.push_back(e);
    return found;
}

int woken_since(Lab const& lab, std::size_t mark, pid_t pid, BlockReason reason)
{
    int n = 0;
    for (Event const& e : events_since(lab, mark, EventKind::Woken))
        n += e.pid == pid && e.aux == std::uint8_t(reason);
    return n;
}

// The child takes its pending signals and must die of them; main reaps it.
int dies(Lab& lab, pid_t child)
{
    CHECK_FALSE(lab.run(child).has_value());
    REQUIRE(lab.task(child).is_zombie());
    return lab.reap(lab.main, child).status;
}

// A child of main holding only the write end, and main holding only the read end.
struct Pair {
    int r, w;
    pid_t writer;
};
Pair main_reads_child_writes(Lab& lab)
{
    auto [r, w] = lab.pipe(lab.main);
    pid_t const c = lab.fork(lab.main);
    close(lab, c, r);
    close(lab, lab.main, w);
    return {r, w, c};
}

// Fill an empty pipe to its capacity with page-sized writes.
void fill(Lab& lab, pid_t pid, int w)
{
    for (std::size_t i = 0; i < kCapacity / kPipeBuf; ++i)
        REQUIRE(lab.write(pid, w, pattern(kPipeBuf, unsigned(i))) == std::int64_t(kPipeBuf));
    REQUIRE(pipe_of(lab, pid, w).buffered() == kCapacity);
}

}  // namespace

// ------------------------------------------------------------------------------------------
// pipe2(2): the descriptors and their flags
// ------------------------------------------------------------------------------------------

TEST_CASE("pipe puts the read end in the lowest free descriptor and the write end in the next")
{
    Lab lab;
    SUBCASE("after stdin, stdout and stderr: 3 and 4")
    {
        auto [r, w] = lab.pipe(lab.main);
        CHECK(r == 3);
        CHECK(w == 4);
    }
    SUBCASE("a hole below: the hole, then the lowest free above it")
    {
        CHECK(lab.open(lab.main, "/dev/null", O_RDONLY) == 3);
        close(lab, lab.main, 1);
        auto [r, w] = lab.pipe(lab.main);
        CHECK(r == 1);
        CHECK(w == 4);
    }
}

TEST_CASE("the first descriptor pipe returns reads what the second one writes")
{
    Lab lab;
    auto [r, w] = lab.pipe(lab.main);
    CHECK((fcntl(lab, lab.main, r, F_GETFL) & O_ACCMODE) == O_RDONLY);
    CHECK((fcntl(lab, lab.main, w, F_GETFL) & O_ACCMODE) == O_WRONLY);
    lab.write(lab.main, w, "ping");
    CHECK(lab.read(lab.main, r, 10) == "ping");
}

TEST_CASE("pipe2 with O_CLOEXEC makes both descriptors close-on-exec, and plain pipe neither")
{
    Lab lab;
    auto [r0, w0] = lab.pipe(lab.main);
    CHECK(fcntl(lab, lab.main, r0, F_GETFD) == 0);
    CHECK(fcntl(lab, lab.main, w0, F_GETFD) == 0);
    auto [r1, w1] = lab.pipe(lab.main, O_CLOEXEC);
    CHECK(fcntl(lab, lab.main, r1, F_GETFD) == FD_CLOEXEC);
    CHECK(fcntl(lab, lab.main, w1, F_GETFD) == FD_CLOEXEC);
    // O_CLOEXEC is a descriptor flag: it does not show among the description's status flags.
    CHECK((fcntl(lab, lab.main, r1, F_GETFL) & O_CLOEXEC) == 0);
}

TEST_CASE("pipe2 with O_NONBLOCK sets O_NONBLOCK on both open file descriptions")
{
    Lab lab;
    auto [r, w] = lab.pipe(lab.main, O_NONBLOCK);
    CHECK((fcntl(lab, lab.main, r, F_GETFL) & O_NONBLOCK) != 0);
    CHECK((fcntl(lab, lab.main, w, F_GETFL) & O_NONBLOCK) != 0);
    auto [r0, w0] = lab.pipe(lab.main);
    CHECK((fcntl(lab, lab.main, r0, F_GETFL) & O_NONBLOCK) == 0);
    CHECK((fcntl(lab, lab.main, w0, F_GETFL) & O_NONBLOCK) == 0);
}

TEST_CASE("F_GETFL of a pipe end is its access mode and O_NONBLOCK, without O_LARGEFILE")
{
    // Linux's create_pipe_files() sets only O_RDONLY or O_WRONLY and the O_NONBLOCK asked for;
    // force_o_largefile() is open()'s, not pipe()'s. On the host, F_GETFL gives 0 and 01, and
    // 04000 and 04001 after pipe2(O_NONBLOCK).
    Lab lab;
    auto [r, w] = lab.pipe(lab.main);
    CHECK(fcntl(lab, lab.main, r, F_GETFL) == O_RDONLY);
    CHECK(fcntl(lab, lab.main, w, F_GETFL) == O_WRONLY);
    auto [rn, wn] = lab.pipe(lab.main, O_NONBLOCK);
    CHECK(fcntl(lab, lab.main, rn, F_GETFL) == (O_RDONLY | O_NONBLOCK));
    CHECK(fcntl(lab, lab.main, wn, F_GETFL) == (O_WRONLY | O_NONBLOCK));
}

TEST_CASE("pipe2 with O_DIRECT puts the write end in packet mode and leaves the read end alone")
{
    // Linux's create_pipe_files() gives O_DIRECT to the write end only; on the host, F_GETFL
    // after pipe2(O_DIRECT) is 0 for the read end and 040001 for the write end.
    Lab lab;
    auto [r, w] = lab.pipe(lab.main, O_DIRECT);
    CHECK(fcntl(lab, lab.main, r, F_GETFL) == O_RDONLY);
    CHECK(fcntl(lab, lab.main, w, F_GETFL) == (O_WRONLY | O_DIRECT));
}

TEST_CASE("pipe2 with a flag other than O_CLOEXEC, O_NONBLOCK or O_DIRECT fails with EINVAL and creates nothing")
{
    Lab lab;
    long const files = lab.k.vfs().nr_files();
    long const inodes = lab.k.vfs().nr_inodes();
    int flag = 0;
    SUBCASE("O_APPEND") { flag = O_APPEND; }
    SUBCASE("O_NOATIME") { flag = O_NOATIME; }
    SUBCASE("O_RDWR") { flag = O_RDWR; }
    SUBCASE("O_CLOEXEC with a bad flag") { flag = O_CLOEXEC | O_TRUNC; }
    lab.fails(lab.k.pipe2(lab.main, flag), EINVAL);
    CHECK(lab.k.vfs().nr_files() == files);
    CHECK(lab.k.vfs().nr_inodes() == inodes);
    CHECK(lab.open(lab.main, "/dev/null", O_RDONLY) == 3);
}

TEST_CASE("pipe fails with EMFILE when fewer than two descriptors are free under RLIMIT_NOFILE, and leaks none")
{
    Lab lab;
    std::uint64_t limit = 0;
    SUBCASE("one descriptor free") { limit = 4; }
    SUBCASE("none free") { limit = 3; }
    REQUIRE(lab.k.prlimit(lab.main, 0, RLIMIT_NOFILE, Rlimit{limit, limit}));
    long const files = lab.k.vfs().nr_files();
    long const inodes = lab.k.vfs().nr_inodes();
    lab.fails(lab.k.pipe2(lab.main), EMFILE);
    CHECK(lab.k.vfs().nr_files() == files);
    CHECK(lab.k.vfs().nr_inodes() == inodes);
    CHECK(lab.task(lab.main).files->count_open() == 3);
    if (limit == 4)
        CHECK(lab.open(lab.main, "/dev/null", O_RDONLY) == 3);  // The free one is still free.
}

// ------------------------------------------------------------------------------------------
// Bytes flow, in order; a read takes what is there
// ------------------------------------------------------------------------------------------

TEST_CASE("after fork, what the parent writes into the pipe the child reads, in order")
{
    Lab lab;
    auto [r, w] = lab.pipe(lab.main);
    pid_t const c = lab.fork(lab.main);
    close(lab, c, w);
    close(lab, lab.main, r);
    lab.write(lab.main, w, "hello, ");
    lab.write(lab.main, w, "child");
    CHECK(lab.read(c, r, 100) == "hello, child");
}

TEST_CASE("a read returns what the pipe holds when that is less than count, and never more than count")
{
    Lab lab;
    auto [r, w] = lab.pipe(lab.main);
    lab.write(lab.main, w, "abcdefg");
    CHECK(lab.read(lab.main, r, 3) == "abc");
    CHECK(lab.read(lab.main, r, 100) == "defg");  // A short read: all there is, and it does not wait.
    CHECK(pipe_of(lab, lab.main, r).empty());
}

TEST_CASE("a read of zero bytes returns 0 at once, even from an empty pipe with a writer")
{
    Lab lab;
    auto [r, w] = lab.pipe(lab.main);
    (void)w;
    auto res = lab.try_read(lab.main, r, 0);
    REQUIRE(kind_of(res) == Kind::Done);
    CHECK(res->value == 0);
    CHECK(runnable(lab, lab.main));
}

// ------------------------------------------------------------------------------------------
// End-of-file: only when no write end is open anywhere
// ------------------------------------------------------------------------------------------

TEST_CASE("a parent that forgot to close its write end leaves its child's read asleep forever")
{
    Lab lab;
    auto [r, w] = lab.pipe(lab.main);
    pid_t const c = lab.fork(lab.main);
    close(lab, c, w);  // The child closes its copy, as it should.
    lab.write(lab.main, w, "job");
    CHECK(lab.read(c, r, 100) == "job");
    // The child reads on, expecting end-of-file; the parent's copy of the write end is open.
    CHECK(kind_of(lab.try_read(c, r, 100)) == Kind::Sleeping);
    CHECK(asleep(lab, c, BlockReason::PipeRead));
    // The parent waits for the child: each now sleeps until the other acts -- a deadlock.
    CHECK(lab.wait(lab.main).kind == WaitResult::Kind::Sleeping);
    CHECK(asleep(lab, lab.main, BlockReason::Wait));
    CHECK(asleep(lab, c, BlockReason::PipeRead));
    CHECK(pipe_of(lab, c, r).writers == 1);
}

TEST_CASE("closing the last write end wakes the reader, and its re-issued read returns 0")
{
    Lab lab;
    auto [r, w] = lab.pipe(lab.main);
    pid_t const c = lab.fork(lab.main);
    close(lab, c, w);
    REQUIRE(kind_of(lab.try_read(c, r, 100)) == Kind::Sleeping);
    std::size_t const mark = lab.k.events().size();
    close(lab, lab.main, w);
    CHECK(runnable(lab, c));
    CHECK(woken_since(lab, mark, c, BlockReason::PipeRead) == 1);
    CHECK(lab.read(c, r, 100).empty());  // End-of-file.
    lab.exit(c);
    CHECK(lab.reap(lab.main, c).pid == c);
}

TEST_CASE("end-of-file waits for every write end in every process")
{
    Lab lab;
    auto [r, w] = lab.pipe(lab.main);
    pid_t const reader = lab.fork(lab.main);
    pid_t const other = lab.fork(lab.main);  // Holds a copy of the write end, too.
    close(lab, reader, w);
    close(lab, lab.main, w);
    REQUIRE(kind_of(lab.try_read(reader, r, 10)) == Kind::Sleeping);
    // Two of the three copies are closed; the third keeps the reader waiting.
    CHECK(asleep(lab, reader, BlockReason::PipeRead));
    CHECK(pipe_of(lab, reader, r).writers == 1);
    close(lab, other, w);
    REQUIRE(runnable(lab, reader));
    CHECK(lab.read(reader, r, 10).empty());
}

TEST_CASE("a process that cannot run still holds its write end open, and its death gives end-of-file")
{
    Lab lab;
    auto [r, w] = lab.pipe(lab.main);
    pid_t const holder = lab.fork(lab.main);
    close(lab, holder, r);
    close(lab, lab.main, w);
    SUBCASE("stopped by SIGSTOP")
    {
        lab.kill(lab.main, holder, SIGSTOP);
        CHECK_FALSE(lab.run(holder).has_value());
        REQUIRE(lab.task(holder).state == TaskState::Stopped);
    }
    SUBCASE("asleep in pause()")
    {
        auto p = lab.k.pause(holder);
        REQUIRE(p);
        lab.check();
        REQUIRE(asleep(lab, holder, BlockReason::Pause));
    }
    REQUIRE(kind_of(lab.try_read(lab.main, r, 10)) == Kind::Sleeping);
    CHECK(asleep(lab, lab.main, BlockReason::PipeRead));
    lab.kill(1, holder, SIGKILL);
    CHECK(asleep(lab, lab.main, BlockReason::PipeRead));  // Not dead yet: SIGKILL is only pending.
    CHECK_FALSE(lab.run(holder).has_value());
    REQUIRE(lab.task(holder).is_zombie());
    // exit closed the holder's descriptors: the last write end is gone.
    REQUIRE(runnable(lab, lab.main));
    CHECK(lab.read(lab.main, r, 10).empty());
}

TEST_CASE("the exit of the last writer wakes the reader: it reads what was written, then end-of-file")
{
    Lab lab;
    auto [r, w, writer] = main_reads_child_writes(lab);
    REQUIRE(kind_of(lab.try_read(lab.main, r, 100)) == Kind::Sleeping);
    lab.write(writer, w, "last words");
    REQUIRE(runnable(lab, lab.main));
    REQUIRE(kind_of(lab.try_read(lab.main, r, 4)) == Kind::Done);
    lab.exit(writer);
    // Bytes written before the writer exited stay in the pipe for the reader.
    CHECK(lab.read(lab.main, r, 100) == " words");
    CHECK(lab.read(lab.main, r, 100).empty());
}

TEST_CASE("the exit of the last writer wakes a reader asleep on the empty pipe")
{
    Lab lab;
    auto [r, w, writer] = main_reads_child_writes(lab);
    (void)w;
    REQUIRE(kind_of(lab.try_read(lab.main, r, 100)) == Kind::Sleeping);
    std::size_t const mark = lab.k.events().size();
    lab.exit(writer, 0);
    CHECK(woken_since(lab, mark, lab.main, BlockReason::PipeRead) == 1);
    CHECK(lab.read(lab.main, r, 100).empty());
}

// ------------------------------------------------------------------------------------------
// Sleeping readers and what wakes them
// ------------------------------------------------------------------------------------------

TEST_CASE("a reader asleep on an empty pipe is woken by a write, and its re-issued read returns the data")
{
    Lab lab;
    auto [r, w, writer] = main_reads_child_writes(lab);
    REQUIRE(kind_of(lab.try_read(lab.main, r, 100)) == Kind::Sleeping);
    CHECK(asleep(lab, lab.main, BlockReason::PipeRead));
    std::size_t const mark = lab.k.events().size();
    lab.write(writer, w, "wake up");
    CHECK(runnable(lab, lab.main));
    CHECK(woken_since(lab, mark, lab.main, BlockReason::PipeRead) == 1);
    CHECK(lab.read(lab.main, r, 100) == "wake up");
}

TEST_CASE("a write wakes only the tasks asleep on that pipe")
{
    Lab lab;
    auto [ra, wa] = lab.pipe(lab.main);
    auto [rb, wb] = lab.pipe(lab.main);
    pid_t const a = lab.fork(lab.main);
    pid_t const b = lab.fork(lab.main);
    REQUIRE(kind_of(lab.try_read(a, ra, 10)) == Kind::Sleeping);
    REQUIRE(kind_of(lab.try_read(b, rb, 10)) == Kind::Sleeping);
    lab.write(lab.main, wa, "for a");
    CHECK(runnable(lab, a));
    CHECK(asleep(lab, b, BlockReason::PipeRead));
    CHECK(lab.read(a, ra, 10) == "for a");
    (void)wb;
}

TEST_CASE("with two readers asleep on a pipe, one write's bytes go to one of them and the other sleeps on")
{
    // Linux wakes one reader (exclusive waits since 5.5); waking both is also correct, as long
    // as the one that finds the pipe empty again goes back to sleep. Either way the bytes are
    // read once.
    Lab lab;
    auto [r, w] = lab.pipe(lab.main);
    pid_t const x = lab.fork(lab.main);
    pid_t const y = lab.fork(lab.main);
    REQUIRE(kind_of(lab.try_read(x, r, 10)) == Kind::Sleeping);
    REQUIRE(kind_of(lab.try_read(y, r, 10)) == Kind::Sleeping);
    lab.write(lab.main, w, "once");
    int got = 0, sleeping = 0;
    for (pid_t p : {x, y}) {
        if (!runnable(lab, p)) {
            ++sleeping;
            continue;
        }
        std::string out;
        auto res = lab.try_read(p, r, 10, &out);
        if (kind_of(res) == Kind::Done) {
            CHECK(out == "once");
            ++got;
        } else {
            ++sleeping;
        }
    }
    CHECK(got == 1);
    CHECK(sleeping == 1);
}

// ------------------------------------------------------------------------------------------
// Capacity and PIPE_BUF
// ------------------------------------------------------------------------------------------

TEST_CASE("a pipe holds 65,536 bytes: once full, the next blocking write sleeps")
{
    Lab lab;
    auto [r, w, writer] = main_reads_child_writes(lab);
    fill(lab, writer, w);
    CHECK(kind_of(lab.try_write(writer, w, "x")) == Kind::Sleeping);
    CHECK(asleep(lab, writer, BlockReason::PipeWrite));
    CHECK(pipe_of(lab, lab.main, r).buffered() == kCapacity);
}

TEST_CASE("a read that makes room wakes the writer asleep on the full pipe, and its re-issued write completes")
{
    Lab lab;
    auto [r, w, writer] = main_reads_child_writes(lab);
    fill(lab, writer, w);
    REQUIRE(kind_of(lab.try_write(writer, w, "tail")) == Kind::Sleeping);
    std::size_t const mark = lab.k.events().size();
    CHECK(lab.read(lab.main, r, kPipeBuf) == pattern(kPipeBuf, 0));  // One page's worth.
    CHECK(runnable(lab, writer));
    CHECK(woken_since(lab, mark, writer, BlockReason::PipeWrite) == 1);
    CHECK(lab.write(writer, w, "tail") == 4);
    CHECK(pipe_of(lab, lab.main, r).buffered() == kCapacity - kPipeBuf + 4);
}

TEST_CASE("a write of at most PIPE_BUF bytes goes in whole or waits: it is never split")
{
    Lab lab;
    auto [r, w, writer] = main_reads_child_writes(lab);
    std::size_t const held = kCapacity - 2000;
    REQUIRE(lab.write(writer, w, pattern(held)) == std::int64_t(held));
    // 2000 bytes of room; a 3000-byte write does not take them: it sleeps with nothing written.
    REQUIRE(kind_of(lab.try_write(writer, w, pattern(3000, 9))) == Kind::Sleeping);
    CHECK(pipe_of(lab, lab.main, r).buffered() == held);
    CHECK(pipe_of(lab, lab.main, r).bytes_written == held);
    lab.read(lab.main, r, kPipeBuf);
    REQUIRE(runnable(lab, writer));
    CHECK(lab.write(writer, w, pattern(3000, 9)) == 3000);
    CHECK(pipe_of(lab, lab.main, r).buffered() == held - kPipeBuf + 3000);
}

TEST_CASE("a write of exactly PIPE_BUF bytes into a pipe with one byte less of room sleeps")
{
    Lab lab;
    auto [r, w, writer] = main_reads_child_writes(lab);
    REQUIRE(lab.write(writer, w, pattern(kCapacity - kPipeBuf + 1)) == std::int64_t(kCapacity - kPipeBuf + 1));
    CHECK(kind_of(lab.try_write(writer, w, pattern(kPipeBuf))) == Kind::Sleeping);
    CHECK(pipe_of(lab, lab.main, r).buffered() == kCapacity - kPipeBuf + 1);
}

TEST_CASE("a write longer than PIPE_BUF fills the pipe, sleeps, and the re-issued call finishes it and returns the whole count")
{
    Lab lab;
    auto [r, w, writer] = main_reads_child_writes(lab);
    std::string const text = pattern(100000, 3);
    REQUIRE(kind_of(lab.try_write(writer, w, text)) == Kind::Sleeping);
    CHECK(pipe_of(lab, lab.main, r).buffered() == kCapacity);  // As much as fits went in.
    std::string got = lab.read(lab.main, r, kCapacity);
    REQUIRE(runnable(lab, writer));
    CHECK(lab.write(writer, w, text) == 100000);  // The total, not what this last round wrote.
    got += lab.read(lab.main, r, 100000);
    CHECK(got == text);
}

TEST_CASE("Linux counts a pipe's capacity in 16 pages, not in bytes")
{
    // fs/pipe.c: a write goes into a page of its own unless it fits in what is left of the last
    // page; a pipe has 16 page slots. On the host: 16 writes of 3000 bytes fill a pipe at
    // 48,000 bytes (100-byte writes at 64,000), and after one byte is read from a full pipe a
    // 1-byte O_NONBLOCK write still fails with EAGAIN, because no page was freed.
    Lab lab;
    auto [r, w] = lab.pipe(lab.main, O_NONBLOCK);
    SUBCASE("3000-byte writes fill it at 48,000 bytes")
    {
        for (unsigned i = 0; i < 16; ++i)
            REQUIRE(lab.write(lab.main, w, pattern(3000, i)) == 3000);
        CHECK(why(lab.try_write(lab.main, w, pattern(3000))) == "EAGAIN");
        CHECK(pipe_of(lab, lab.main, r).buffered() == 48000);
    }
    SUBCASE("one byte read from a full pipe makes no room")
    {
        fill(lab, lab.main, w);
        lab.read(lab.main, r, 1);
        CHECK(why(lab.try_write(lab.main, w, "x")) == "EAGAIN");
    }
}

// ------------------------------------------------------------------------------------------
// O_NONBLOCK
// ------------------------------------------------------------------------------------------

TEST_CASE("O_NONBLOCK: a read of an empty pipe fails with EAGAIN while a write end is open")
{
    Lab lab;
    auto [r, w] = lab.pipe(lab.main, O_NONBLOCK);
    (void)w;
    lab.fails(lab.try_read(lab.main, r, 10), EAGAIN);
    CHECK(runnable(lab, lab.main));
}

TEST_CASE("O_NONBLOCK: a read of an empty pipe with no write end returns 0, end-of-file")
{
    Lab lab;
    auto [r, w] = lab.pipe(lab.main, O_NONBLOCK);
    close(lab, lab.main, w);
    CHECK(lab.read(lab.main, r, 10).empty());
}

TEST_CASE("O_NONBLOCK: a write to a full pipe fails with EAGAIN, and so does a small write that does not fit")
{
    Lab lab;
    auto [r, w] = lab.pipe(lab.main, O_NONBLOCK);
    SUBCASE("full")
    {
        fill(lab, lab.main, w);
        lab.fails(lab.try_write(lab.main, w, "x"), EAGAIN);
        CHECK(pipe_of(lab, lab.main, r).buffered() == kCapacity);
    }
    SUBCASE("2000 bytes of room, a 3000-byte write")
    {
        lab.write(lab.main, w, pattern(kCapacity - 2000));
        lab.fails(lab.try_write(lab.main, w, pattern(3000)), EAGAIN);
        CHECK(pipe_of(lab, lab.main, r).buffered() == kCapacity - 2000);
    }
    CHECK(runnable(lab, lab.main));
}

TEST_CASE("O_NONBLOCK: a write longer than PIPE_BUF writes what fits and returns that count")
{
    Lab lab;
    auto [r, w] = lab.pipe(lab.main, O_NONBLOCK);
    SUBCASE("into an empty pipe")
    {
        CHECK(lab.write(lab.main, w, pattern(100000)) == std::int64_t(kCapacity));
    }
    SUBCASE("into a pipe with one page of room")
    {
        lab.write(lab.main, w, pattern(kCapacity - kPipeBuf));
        CHECK(lab.write(lab.main, w, pattern(10000)) == std::int64_t(kPipeBuf));
    }
    CHECK(pipe_of(lab, lab.main, r).buffered() == kCapacity);
    CHECK(runnable(lab, lab.main));
}

TEST_CASE("O_NONBLOCK set by F_SETFL on a shared write end makes the other process's write fail instead of sleep")
{
    Lab lab;
    auto [r, w] = lab.pipe(lab.main);
    pid_t const c = lab.fork(lab.main);
    fill(lab, c, w);
    set_nonblock(lab, lab.main, w);  // The status flags are the description's, shared with c.
    lab.fails(lab.try_write(c, w, "x"), EAGAIN);
    (void)r;
}

// ------------------------------------------------------------------------------------------
// No reader: SIGPIPE and EPIPE
// ------------------------------------------------------------------------------------------

TEST_CASE("a write with no read end open anywhere kills the writer with SIGPIPE")
{
    Lab lab;
    auto [r, w] = lab.pipe(lab.main);
    pid_t const c = lab.fork(lab.main);
    close(lab, c, r);
    close(lab, lab.main, r);
    lab.fails(lab.try_write(c, w, "anyone?"), EPIPE);
    CHECK(is_queued(lab, c, SIGPIPE));
    int const status = dies(lab, c);
    CHECK(WIFSIGNALED(status));
    CHECK(WTERMSIG(status) == SIGPIPE);
    CHECK_FALSE(WCOREDUMP(status));  // signal(7): SIGPIPE's default action is Term, not Core.
}

TEST_CASE("a write succeeds while any process still has the read end open")
{
    Lab lab;
    auto [r, w] = lab.pipe(lab.main);
    pid_t const c = lab.fork(lab.main);
    close(lab, lab.main, r);  // The child's copy is still open.
    CHECK(lab.write(lab.main, w, "still read") == 10);
    CHECK_FALSE(is_queued(lab, lab.main, SIGPIPE));
    CHECK(lab.read(c, r, 100) == "still read");
}

TEST_CASE("with SIGPIPE ignored, a write with no reader fails with EPIPE and the writer lives")
{
    Lab lab;
    auto [r, w] = lab.pipe(lab.main);
    REQUIRE(lab.k.sigaction(lab.main, SIGPIPE, SigAction{kSigIgn, 0, 0}));
    close(lab, lab.main, r);
    lab.fails(lab.try_write(lab.main, w, "x"), EPIPE);
    CHECK_FALSE(is_queued(lab, lab.main, SIGPIPE));
    CHECK_FALSE(lab.run(lab.main).has_value());
    CHECK(runnable(lab, lab.main));
}

TEST_CASE("with SIGPIPE blocked, a write with no reader fails with EPIPE and SIGPIPE stays pending until unblocked")
{
    Lab lab;
    auto [r, w] = lab.pipe(lab.main);
    pid_t const c = lab.fork(lab.main);
    close(lab, lab.main, r);
    close(lab, c, r);
    REQUIRE(lab.k.sigprocmask(c, SIG_BLOCK, sigbit(SIGPIPE)));
    lab.fails(lab.try_write(c, w, "x"), EPIPE);
    CHECK(is_queued(lab, c, SIGPIPE));
    CHECK_FALSE(lab.run(c).has_value());
    CHECK(runnable(lab, c));  // Blocked: not delivered.
    REQUIRE(lab.k.sigprocmask(c, SIG_UNBLOCK, sigbit(SIGPIPE)));
    int const status = dies(lab, c);
    CHECK(WTERMSIG(status) == SIGPIPE);
}

TEST_CASE("the SIGPIPE of a broken pipe is a SignalSent event whose reason is BrokenPipe")
{
    Lab lab;
    auto [r, w] = lab.pipe(lab.main);
    close(lab, lab.main, r);
    std::size_t const mark = lab.k.events().size();
    lab.fails(lab.try_write(lab.main, w, "x"), EPIPE);
    auto sent = events_since(lab, mark, EventKind::SignalSent);
    REQUIRE(sent.size() == 1);
    CHECK(sent[0].pid == lab.main);
    CHECK(sent[0].value == SIGPIPE);
    CHECK(sent[0].aux == std::uint8_t(SignalReason::BrokenPipe));
}

TEST_CASE("a zero-byte write with no reader returns 0 and sends no SIGPIPE")
{
    // fs/pipe.c, pipe_write(): "Null write succeeds" comes before the readers check. On the
    // host, write(fd, buf, 0) to a pipe whose read end is closed returns 0 under SIG_DFL and
    // the process lives.
    Lab lab;
    auto [r, w] = lab.pipe(lab.main);
    close(lab, lab.main, r);
    auto res = lab.try_write(lab.main, w, "");
    REQUIRE_MESSAGE(res, "write failed: " << why(res));
    CHECK(res->kind == Kind::Done);
    CHECK(res->value == 0);
    CHECK_FALSE(is_queued(lab, lab.main, SIGPIPE));
}

TEST_CASE("a writer asleep on a full pipe gets SIGPIPE when the last reader goes")
{
    Lab lab;
    auto [r, w, writer] = main_reads_child_writes(lab);
    SUBCASE("a small write: nothing went in, so EPIPE")
    {
        fill(lab, writer, w);
        REQUIRE(kind_of(lab.try_write(writer, w, "x")) == Kind::Sleeping);
        close(lab, lab.main, r);
        REQUIRE(runnable(lab, writer));
        lab.fails(lab.try_write(writer, w, "x"), EPIPE);
    }
    SUBCASE("a long write: it returns what went in (on the host, 65536 of 100000)")
    {
        std::string const text = pattern(100000);
        REQUIRE(kind_of(lab.try_write(writer, w, text)) == Kind::Sleeping);
        close(lab, lab.main, r);
        REQUIRE(runnable(lab, writer));
        auto res = lab.try_write(writer, w, text);
        REQUIRE(kind_of(res) == Kind::Done);
        CHECK(res->value == std::int64_t(kCapacity));
    }
    CHECK(is_queued(lab, writer, SIGPIPE));
    CHECK(WTERMSIG(dies(lab, writer)) == SIGPIPE);
}

// ------------------------------------------------------------------------------------------
// A signal while asleep on a pipe
// ------------------------------------------------------------------------------------------

TEST_CASE("a signal ends a read's sleep: the re-issued read returns Interrupted, and a restart sleeps again")
{
    Lab lab;
    auto [r, w, writer] = main_reads_child_writes(lab);
    (void)w;
    REQUIRE(lab.k.sigaction(lab.main, SIGUSR1, SigAction{kHandler, 0, SA_RESTART}));
    REQUIRE(kind_of(lab.try_read(lab.main, r, 10)) == Kind::Sleeping);
    lab.kill(writer, lab.main, SIGUSR1);
    REQUIRE(runnable(lab, lab.main));
    CHECK(kind_of(lab.try_read(lab.main, r, 10)) == Kind::Interrupted);
    auto delivery = lab.run(lab.main);
    REQUIRE(delivery.has_value());
    CHECK(delivery->sig == SIGUSR1);
    // Without SA_RESTART the caller would fail with EINTR; with it, it calls again and sleeps.
    CHECK(kind_of(lab.try_read(lab.main, r, 10)) == Kind::Sleeping);
}

TEST_CASE("a signal ends a small write's sleep on a full pipe: Interrupted, with nothing written")
{
    Lab lab;
    auto [r, w, writer] = main_reads_child_writes(lab);
    REQUIRE(lab.k.sigaction(writer, SIGUSR1, SigAction{kHandler, 0, 0}));
    fill(lab, writer, w);
    REQUIRE(kind_of(lab.try_write(writer, w, "late")) == Kind::Sleeping);
    lab.kill(lab.main, writer, SIGUSR1);
    REQUIRE(runnable(lab, writer));
    CHECK(kind_of(lab.try_write(writer, w, "late")) == Kind::Interrupted);
    CHECK(pipe_of(lab, lab.main, r).buffered() == kCapacity);
}

TEST_CASE("a long write interrupted by a signal after part of it went in returns that many bytes")
{
    // The host agrees: write(100000) to a pipe nobody reads, interrupted by SIGALRM, returns
    // 65536 rather than failing with EINTR.
    Lab lab;
    auto [r, w, writer] = main_reads_child_writes(lab);
    REQUIRE(lab.k.sigaction(writer, SIGUSR1, SigAction{kHandler, 0, 0}));
    std::string const text = pattern(100000);
    REQUIRE(kind_of(lab.try_write(writer, w, text)) == Kind::Sleeping);
    lab.kill(lab.main, writer, SIGUSR1);
    REQUIRE(runnable(lab, writer));
    auto res = lab.try_write(writer, w, text);
    REQUIRE(kind_of(res) == Kind::Done);
    CHECK(res->value == std::int64_t(kCapacity));
    auto delivery = lab.run(writer);
    REQUIRE(delivery.has_value());
    CHECK(delivery->sig == SIGUSR1);
    CHECK(lab.read(lab.main, r, kCapacity) == text.substr(0, kCapacity));
}

TEST_CASE("SIGKILL to a reader asleep on a pipe kills it, and exit closes its ends")
{
    Lab lab;
    auto [r, w] = lab.pipe(lab.main);
    pid_t const c = lab.fork(lab.main);
    close(lab, lab.main, r);
    REQUIRE(kind_of(lab.try_read(c, r, 10)) == Kind::Sleeping);
    CHECK(pipe_of(lab, lab.main, w).readers == 1);
    lab.kill(lab.main, c, SIGKILL);
    CHECK(WTERMSIG(dies(lab, c)) == SIGKILL);
    CHECK(pipe_of(lab, lab.main, w).readers == 0);
    CHECK(pipe_of(lab, lab.main, w).rd_wait.empty());
}

// ------------------------------------------------------------------------------------------
// Misuse
// ------------------------------------------------------------------------------------------

TEST_CASE("lseek on either end of a pipe fails with ESPIPE")
{
    Lab lab;
    auto [r, w] = lab.pipe(lab.main);
    lab.write(lab.main, w, "abc");
    lab.fails(lab.k.lseek(lab.main, r, 0, SEEK_CUR), ESPIPE);
    lab.fails(lab.k.lseek(lab.main, w, 0, SEEK_SET), ESPIPE);
    CHECK(lab.read(lab.main, r, 10) == "abc");
}

TEST_CASE("reading from the write end or writing to the read end fails with EBADF")
{
    Lab lab;
    auto [r, w] = lab.pipe(lab.main);
    lab.write(lab.main, w, "abc");
    lab.fails(lab.try_read(lab.main, w, 10), EBADF);
    lab.fails(lab.try_write(lab.main, r, "x"), EBADF);
    CHECK(pipe_of(lab, lab.main, r).buffered() == 3);
}

// ------------------------------------------------------------------------------------------
// A shell's pipeline: producer | consumer
// ------------------------------------------------------------------------------------------

TEST_CASE("a pipeline built as a shell does it: data flows, every end closes, and nothing leaks after reaping")
{
    Lab lab;
    long const files = lab.k.vfs().nr_files();
    long const inodes = lab.k.vfs().nr_inodes();
    pid_t const sh = lab.main;
    auto [r, w] = lab.pipe(sh);
    pid_t const producer = lab.fork(sh);
    dup2(lab, producer, w, 1);  // Its stdout is now the write end ...
    close(lab, producer, r);
    close(lab, producer, w);    // ... and nothing else names the pipe in it.
    pid_t const consumer = lab.fork(sh);
    dup2(lab, consumer, r, 0);
    close(lab, consumer, r);
    close(lab, consumer, w);
    close(lab, sh, r);  // The shell keeps neither end: otherwise the consumer never sees EOF.
    close(lab, sh, w);
    CHECK(pipe_of(lab, producer, 1).readers == 1);
    CHECK(pipe_of(lab, producer, 1).writers == 1);

    std::string const before = lab.k.terminal().text();
    lab.write(producer, 1, "one\ntwo\n");
    CHECK(lab.read(consumer, 0, 100) == "one\ntwo\n");
    CHECK(lab.k.terminal().text() == before);  // Nothing went to the terminal.
    lab.exit(producer);
    CHECK(lab.read(consumer, 0, 100).empty());
    lab.exit(consumer);
    lab.reap(sh, producer);
    lab.reap(sh, consumer);
    CHECK(lab.k.vfs().nr_files() == files);
    CHECK(lab.k.vfs().nr_inodes() == inodes);
}

// ------------------------------------------------------------------------------------------
// Counters, fstat and events
// ------------------------------------------------------------------------------------------

TEST_CASE("bytes_written and bytes_read count everything that went through, and the difference is what is buffered")
{
    Lab lab;
    auto [r, w] = lab.pipe(lab.main);
    lab.write(lab.main, w, "0123456789");
    lab.read(lab.main, r, 4);
    lab.write(lab.main, w, "abcde");
    Pipe const& p = pipe_of(lab, lab.main, r);
    CHECK(p.bytes_written == 15);
    CHECK(p.bytes_read == 4);
    CHECK(p.buffered() == 11);
}

TEST_CASE("fstat of a pipe: a pipe inode, mode 0600, owned by the creator, the same inode for both ends")
{
    Lab lab;
    auto [r, w] = lab.pipe(lab.main);
    auto sr = lab.k.fstat(lab.main, r);
    auto sw = lab.k.fstat(lab.main, w);
    REQUIRE(sr);
    REQUIRE(sw);
    CHECK(sr->kind == InodeKind::Pipe);
    CHECK(sr->mode == 0600);
    CHECK(sr->uid == Lab::kStudent);
    CHECK(sr->ino == sw->ino);
    auto [r2, w2] = lab.pipe(lab.main);
    (void)w2;
    auto s2 = lab.k.fstat(lab.main, r2);
    REQUIRE(s2);
    CHECK(s2->ino != sr->ino);
}

TEST_CASE("fstat of a pipe reports one link and size 0, however much is buffered")
{
    // Linux's pipe inodes come from new_inode_pseudo() with i_nlink 1 and never set i_size. On
    // the host, fstat of a pipe holding 5 bytes gives st_nlink 1 and st_size 0.
    Lab lab;
    auto [r, w] = lab.pipe(lab.main);
    lab.write(lab.main, w, "hello");
    auto st = lab.k.fstat(lab.main, r);
    REQUIRE(st);
    CHECK(st->nlink == 1);
    CHECK(st->size == 0);
}

TEST_CASE("pipe emits PipeCreated with the creator, the inode and both descriptors")
{
    Lab lab;
    std::size_t const mark = lab.k.events().size();
    auto [r, w] = lab.pipe(lab.main);
    auto created = events_since(lab, mark, EventKind::PipeCreated);
    REQUIRE(created.size() == 1);
    Event const& e = created[0];
    CHECK(e.pid == lab.main);
    CHECK(e.other == pid_t(lab.k.fstat(lab.main, r)->ino));
    CHECK((std::uint64_t(e.value) & 0xffffffff) == std::uint64_t(r));
    CHECK((std::uint64_t(e.value) >> 32) == std::uint64_t(w));
    CHECK(e.extra == std::uint32_t(lab.task(lab.main).files->get(r)->id));
    CHECK(e.extra + 1 == std::uint32_t(lab.task(lab.main).files->get(w)->id));
    CHECK(explain(e).find("read end") != std::string::npos);
}

TEST_CASE("reads and writes on a pipe are FileRead and FileWrite events of kind Pipe with their byte counts")
{
    Lab lab;
    auto [r, w] = lab.pipe(lab.main);
    std::size_t const mark = lab.k.events().size();
    lab.write(lab.main, w, "twelve bytes");
    lab.read(lab.main, r, 5);
    auto writes = events_since(lab, mark, EventKind::FileWrite);
    auto reads = events_since(lab, mark, EventKind::FileRead);
    REQUIRE(writes.size() == 1);
    REQUIRE(reads.size() == 1);
    CHECK(writes[0].aux == std::uint8_t(InodeKind::Pipe));
    CHECK(io_bytes(writes[0].value) == 12);
    CHECK(writes[0].extra == std::uint32_t(lab.task(lab.main).files->get(w)->id));
    CHECK(reads[0].aux == std::uint8_t(InodeKind::Pipe));
    CHECK(io_bytes(reads[0].value) == 5);
    CHECK(reads[0].pid == lab.main);
}

TEST_CASE("a read that sleeps emits no FileRead, only Blocked")
{
    Lab lab;
    auto [r, w] = lab.pipe(lab.main);
    (void)w;
    std::size_t const mark = lab.k.events().size();
    REQUIRE(kind_of(lab.try_read(lab.main, r, 5)) == Kind::Sleeping);
    CHECK(events_since(lab, mark, EventKind::FileRead).empty());
    auto blocked = events_since(lab, mark, EventKind::Blocked);
    REQUIRE(blocked.size() == 1);
    CHECK(blocked[0].aux == std::uint8_t(BlockReason::PipeRead));
}

TEST_CASE("explain() of an end-of-file read says the pipe is empty and no write end is open")
{
    Lab lab;
    auto [r, w] = lab.pipe(lab.main);
    close(lab, lab.main, w);
    std::size_t const mark = lab.k.events().size();
    CHECK(lab.read(lab.main, r, 10).empty());
    auto reads = events_since(lab, mark, EventKind::FileRead);
    REQUIRE(reads.size() == 1);
    CHECK(io_bytes(reads[0].value) == 0);
    std::string const text = explain(reads[0]);
    CHECK(text.find("end-of-file") != std::string::npos);
    CHECK(text.find("no write end is open") != std::string::npos);
}

// ------------------------------------------------------------------------------------------
// Randomized: several processes share a pipe
// ------------------------------------------------------------------------------------------

TEST_CASE("random reads, writes, closes and exits by processes sharing a pipe keep every byte in order")
{
    int reader_sleeps = 0, writer_sleeps = 0, eofs = 0, broken = 0;
    for (unsigned seed = 1; seed <= 30; ++seed) {
        CAPTURE(seed);
        Lab lab;
        long const files = lab.k.vfs().nr_files();
        long const inodes = lab.k.vfs().nr_inodes();
        std::mt19937 rng(seed);  // mt19937's sequence is fixed by the standard: deterministic.
        auto [r, w] = lab.pipe(lab.main);
        struct Proc {
            pid_t pid;
            int rfd, wfd;
            bool alive = true;
            bool asleep = false;  // In `writing` a write of `text` or a read of `count`; re-issued once woken.
            bool writing = false;
            std::string text = {};
            std::size_t count = 0, done = 0;
        };
        std::vector<Proc> procs;
        for (int i = 0; i < 4; ++i)
            procs.push_back(Proc{.pid = lab.fork(lab.main), .rfd = r, .wfd = w});
        close(lab, lab.main, r);
        close(lab, lab.main, w);
        Pipe const* pp = &pipe_of(lab, procs[0].pid, r);
        std::string expected;  // What the pipe must hold, in order.
        std::uint64_t total_written = 0, total_read = 0;
        auto ends_open = [&] {
            int n = 0;
            for (Proc const& p : procs)
                n += p.alive * ((p.rfd >= 0) + (p.wfd >= 0));
            return n;
        };
        for (int step = 0; step < 600 && ends_open() > 0; ++step) {
            CAPTURE(step);
            Proc& p = procs[rng() % procs.size()];
            bool const stuck = std::none_of(procs.begin(), procs.end(),
                [&](Proc const& q) { return q.alive && runnable(lab, q.pid); });
            if (stuck && p.alive) {  // Everyone left is asleep: kill one, which closes its ends.
                lab.kill(lab.main, p.pid, SIGKILL);
                dies(lab, p.pid);
                p.alive = false;
                continue;
            }
            unsigned const dice = rng() % 50;
            if (!p.alive || !runnable(lab, p.pid))
                continue;
            if (!p.asleep) {  // A new call.
                p.writing = dice < 20 && p.wfd >= 0;
                if (p.writing) {
                    p.text = pattern(1 + rng() % (dice % 2 ? kPipeBuf : 90000), rng());
                    p.done = 0;
                } else if (dice < 40 && p.rfd >= 0) {
                    p.count = 1 + rng() % 30000;
                } else if (dice < 48) {
                    // Odd seeds mostly close read ends (towards SIGPIPE), even ones write ends (EOF).
                    bool const read_end = seed % 2 ? dice % 3 != 0 : dice % 3 == 0;
                    int& fd = read_end ? p.rfd : p.wfd;
                    if (fd >= 0)
                        close(lab, p.pid, std::exchange(fd, -1));
                    continue;
                } else {
                    lab.exit(p.pid);
                    p.alive = false;
                    lab.reap(lab.main, p.pid);
                    continue;
                }
            }
            if (p.writing) {
                std::uint64_t const before = pp->bytes_written;
                auto res = lab.try_write(p.pid, p.wfd, p.text);
                std::uint64_t const went_in = pp->bytes_written - before;
                if (p.text.size() <= kPipeBuf)
                    CHECK((went_in == 0 || went_in == p.text.size()));  // PIPE_BUF: all or nothing.
                expected += p.text.substr(p.done, went_in);
                p.done += went_in;
                total_written += went_in;
                p.asleep = res && res->kind == Kind::Sleeping;
                writer_sleeps += p.asleep;
                if (!res) {
                    REQUIRE(res.error().code() == EPIPE);
                    CHECK(pp->readers == 0);
                } else {
                    REQUIRE(res->kind != Kind::Interrupted);
                    if (res->kind == Kind::Done)
                        CHECK(std::uint64_t(res->value) == p.done);
                }
                if (is_queued(lab, p.pid, SIGPIPE)) {
                    ++broken;
                    CHECK(WTERMSIG(dies(lab, p.pid)) == SIGPIPE);
                    p.alive = false;
                }
            } else {
                std::string out;
                auto res = lab.try_read(p.pid, p.rfd, p.count, &out);
                REQUIRE(kind_of(res) != Kind::Interrupted);
                p.asleep = res->kind == Kind::Sleeping;
                reader_sleeps += p.asleep;
                if (res->kind == Kind::Done) {
                    CHECK(out == expected.substr(0, out.size()));
                    expected.erase(0, out.size());
                    total_read += out.size();
                    if (out.empty()) {
                        ++eofs;
                        CHECK(pp->writers == 0);
                    }
                }
            }
            if (ends_open() > 0) {  // Written == read + buffered.
                CHECK(pp->bytes_written == total_written);
                CHECK(pp->bytes_read == total_read);
                CHECK(pp->buffered() == expected.size());
                CHECK(pp->bytes_written == pp->bytes_read + pp->buffered());
            }
        }
        // The end: whoever is left is killed; after reaping, the pipe is gone.
        for (Proc& p : procs)
            if (p.alive) {
                lab.kill(lab.main, p.pid, SIGKILL);
                dies(lab, p.pid);
            }
        CHECK(lab.k.vfs().nr_files() == files);
        CHECK(lab.k.vfs().nr_inodes() == inodes);
    }
    // The seeds reach every path: readers and writers asleep, end-of-file and broken pipes.
    INFO("reader sleeps " << reader_sleeps << ", writer sleeps " << writer_sleeps << ", EOFs " << eofs << ", SIGPIPEs " << broken);
    CHECK(reader_sleeps > 0);
    CHECK(writer_sleeps > 0);
    CHECK(eofs > 0);
    CHECK(broken > 0);
}

TEST_CASE("a huge write into a pipe copies in only what fits")
{
    // write(2) of a gigabyte from untouched memory (it reads as zeros) into an empty
    // non-blocking pipe: 65,536 bytes go in, and the kernel reads no more of the buffer than
    // that -- the rest of the gigabyte is never touched.
    Lab lab;
    auto [r, w] = lab.pipe(lab.main, O_NONBLOCK);
    std::uint64_t const gib = std::uint64_t(1) << 30;
    auto buf = lab.k.mmap(lab.main, 0, gib, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
    REQUIRE(buf);
    std::uint64_t const faults_before = lab.k.mm_counters().minor_faults;
    auto wrote = lab.k.write(lab.main, w, *buf, gib);
    lab.check();
    REQUIRE(wrote);
    CHECK(wrote->value == 65536);
    CHECK(pipe_of(lab, lab.main, r).buffered() == 65536);
    // 16 pages of the buffer were read (each maps the zero page once), not 262,144.
    CHECK(lab.k.mm_counters().minor_faults - faults_before == 16);
}
