// File locks and fork(): flock(2) locks and OFD locks belong to the open file description, so a
// forked child shares them; POSIX record locks belong to the process, so a child does not inherit
// them and any close() of any descriptor for the file drops them. The references are flock(2),
// fcntl(2) ("Advisory record locking", "Open file description locks") and Linux's fs/locks.c;
// every rule below was checked against the host kernel with a small C program first. Every step
// is followed by check_invariants().
#include "support/lab.h"

#include "trace/event.h"

#include <climits>
#include <cstdint>
#include <fcntl.h>
#include <signal.h>
#include <string>
#include <sys/file.h>

using namespace forklab;
using namespace forklab::test;

namespace {

constexpr char const* kPath = "/home/student/data";
constexpr std::uint64_t kHandler = 0x401000;  // A signal handler's address in the simulated program.
constexpr std::int64_t kInt64Max = INT64_MAX;

// A ten-byte file the student owns, made before the scenario runs.
void make_file(Lab& lab, std::string_view contents = "0123456789")
{
    auto r = lab.k.vfs().create_file(kPath, contents);
    REQUIRE(r);
}

// The file's inode, found by name. The test holds no reference of its own: the invariants count
// every reference to an inode.
Inode const& inode_of(Lab& lab, std::string_view path = kPath)
{
    auto r = lab.k.vfs().lookup("/", path, FsCred{});
    REQUIRE(r);
    REQUIRE(r->inode);
    return *r->inode;
}

std::vector<FileLock> const& locks_on(Lab& lab) { return inode_of(lab).locks.all(); }

FlockArgs range(short type, std::int64_t start, std::int64_t len, short whence = SEEK_SET)
{
    return FlockArgs{.type = type, .whence = whence, .start = start, .len = len, .pid = 0};
}

// fcntl(fd, cmd, &lock) as the kernel answers it.
ErrorOr<Blocking> setlk(Lab& lab, pid_t pid, int fd, short type, std::int64_t start, std::int64_t len,
    int cmd = F_SETLK, short whence = SEEK_SET)
{
    FlockArgs args = range(type, start, len, whence);
    auto r = lab.k.fcntl_lock(pid, fd, cmd, args);
    lab.check();
    return r;
}

// A lock request that must be granted at once.
void lock(Lab& lab, pid_t pid, int fd, short type, std::int64_t start, std::int64_t len, int cmd = F_SETLK,
    short whence = SEEK_SET)
{
    auto r = setlk(lab, pid, fd, type, start, len, cmd, whence);
    REQUIRE_MESSAGE(r, "fcntl lock failed: " << why(r));
    REQUIRE(r->kind == Blocking::Kind::Done);
}

// F_GETLK (or F_OFD_GETLK): what is in the way of the described lock.
FlockArgs getlk(Lab& lab, pid_t pid, int fd, short type, std::int64_t start, std::int64_t len, int cmd = F_GETLK)
{
    FlockArgs args = range(type, start, len);
    auto r = lab.k.fcntl_lock(pid, fd, cmd, args);
    lab.check();
    REQUIRE_MESSAGE(r, "F_GETLK failed: " << why(r));
    REQUIRE(r->kind == Blocking::Kind::Done);
    return args;
}

ErrorOr<Blocking> try_flock(Lab& lab, pid_t pid, int fd, int op)
{
    auto r = lab.k.flock(pid, fd, op);
    lab.check();
    return r;
}

void flock_ok(Lab& lab, pid_t pid, int fd, int op)
{
    auto r = try_flock(lab, pid, fd, op);
    REQUIRE_MESSAGE(r, "flock failed: " << why(r));
    REQUIRE(r->kind == Blocking::Kind::Done);
}

void close(Lab& lab, pid_t pid, int fd)
{
    auto r = lab.k.close(pid, fd);
    REQUIRE_MESSAGE(r, "close failed: " << why(r));
    lab.check();
}

bool asleep_on_lock(Lab const& lab, pid_t pid)
{
    Task const& t = lab.task(pid);
    return t.state == TaskState::Blocked && t.blocked_on == BlockReason::FileLock;
}

bool sleeps(ErrorOr<Blocking> const& r) { return r && r->kind == Blocking::Kind::Sleeping; }
bool done(ErrorOr<Blocking> const& r) { return r && r->kind == Blocking::Kind::Done; }

// The last event of a kind, which must exist.
Event last_event(Lab const& lab, EventKind kind)
{
    auto const& all = lab.k.events().all();
    for (auto it = all.rbegin(); it != all.rend(); ++it)
        if (it->kind == kind)
            return *it;
    FAIL("no event of that kind");
    return {};
}

bool contains(std::string const& text, std::string_view part) { return text.find(part) != std::string::npos; }

}  // namespace

// ------------------------------------------------------------------------------------------------
// flock(2): one lock per open file description, on the whole file.

TEST_CASE("flock - a forked child shares the parent's lock, as it shares the open file description")
{
    Lab lab;
    make_file(lab);
    int const fd = lab.open(lab.main, kPath, O_RDWR);
    flock_ok(lab, lab.main, fd, LOCK_EX);
    pid_t const child = lab.fork(lab.main);

    // The child's LOCK_EX on the inherited descriptor is a request by the lock's own owner, the
    // description, so it is granted at once: it is the same lock, not a second one.
    CHECK(done(try_flock(lab, child, fd, LOCK_EX | LOCK_NB)));
    REQUIRE(locks_on(lab).size() == 1);
    CHECK(locks_on(lab)[0].kind == LockKind::Flock);
    CHECK(locks_on(lab)[0].type == F_WRLCK);
}

TEST_CASE("flock - the child can release the lock its parent took")
{
    Lab lab;
    make_file(lab);
    int const fd = lab.open(lab.main, kPath, O_RDWR);
    flock_ok(lab, lab.main, fd, LOCK_EX);
    pid_t const child = lab.fork(lab.main);

    // LOCK_UN acts on the description's lock, whoever calls it.
    flock_ok(lab, child, fd, LOCK_UN);
    CHECK(locks_on(lab).empty());
    int const other = lab.open(lab.main, kPath, O_RDWR);
    CHECK(done(try_flock(lab, lab.main, other, LOCK_EX | LOCK_NB)));
}

TEST_CASE("flock - a separate open() of the same file conflicts, and LOCK_NB makes that EWOULDBLOCK")
{
    Lab lab;
    make_file(lab);
    int const fd = lab.open(lab.main, kPath, O_RDWR);
    flock_ok(lab, lab.main, fd, LOCK_EX);

    // Each open() makes a new description with its own flock lock, so two opens conflict even
    // inside one process.
    pid_t who = lab.main;
    SUBCASE("in another process") { who = lab.fork(lab.main); }
    SUBCASE("in the same process") {}
    int const other = lab.open(who, kPath, O_RDWR);
    lab.fails(try_flock(lab, who, other, LOCK_EX | LOCK_NB), EWOULDBLOCK);
    lab.fails(try_flock(lab, who, other, LOCK_SH | LOCK_NB), EWOULDBLOCK);
    CHECK(locks_on(lab).size() == 1);
}

TEST_CASE("flock - shared locks coexist and an exclusive one excludes them")
{
    Lab lab;
    make_file(lab);
    int const a = lab.open(lab.main, kPath, O_RDONLY);
    pid_t const child = lab.fork(lab.main);
    int const b = lab.open(child, kPath, O_RDONLY);
    flock_ok(lab, lab.main, a, LOCK_SH);
    flock_ok(lab, child, b, LOCK_SH);
    CHECK(locks_on(lab).size() == 2);

    int const c = lab.open(lab.main, kPath, O_RDONLY);
    lab.fails(try_flock(lab, lab.main, c, LOCK_EX | LOCK_NB), EWOULDBLOCK);
}

TEST_CASE("flock - without LOCK_NB the caller sleeps until the holder unlocks")
{
    Lab lab;
    make_file(lab);
    int const fd = lab.open(lab.main, kPath, O_RDWR);
    flock_ok(lab, lab.main, fd, LOCK_EX);
    pid_t const child = lab.fork(lab.main);
    int const other = lab.open(child, kPath, O_RDWR);

    CHECK(sleeps(try_flock(lab, child, other, LOCK_EX)));
    CHECK(asleep_on_lock(lab, child));
    // A sleeping task makes no system calls.
    lab.fails(lab.k.getpid(child), EBUSY);

    flock_ok(lab, lab.main, fd, LOCK_UN);
    CHECK(lab.task(child).state == TaskState::Runnable);
    // Woken, the child makes the same call again, and now it succeeds.
    CHECK(done(try_flock(lab, child, other, LOCK_EX)));
    REQUIRE(locks_on(lab).size() == 1);
    CHECK(locks_on(lab)[0].pid == child);
}

TEST_CASE("flock - the lock lasts until the last descriptor for the description closes")
{
    Lab lab;
    make_file(lab);
    int const fd = lab.open(lab.main, kPath, O_RDWR);
    flock_ok(lab, lab.main, fd, LOCK_EX);
    pid_t const child = lab.fork(lab.main);

    // The parent's close leaves the description open in the child, and the lock with it.
    close(lab, lab.main, fd);
    int const other = lab.open(lab.main, kPath, O_RDWR);
    lab.fails(try_flock(lab, lab.main, other, LOCK_EX | LOCK_NB), EWOULDBLOCK);

    SUBCASE("the child closes it")
    {
        close(lab, child, fd);
    }
    SUBCASE("the child exits")
    {
        lab.exit(child);
        lab.reap(lab.main, child);
    }
    CHECK(locks_on(lab).empty());
    CHECK(done(try_flock(lab, lab.main, other, LOCK_EX | LOCK_NB)));
}

TEST_CASE("flock - the last close of the holder's description wakes a sleeper")
{
    Lab lab;
    make_file(lab);
    pid_t const child = lab.fork(lab.main);
    int const held = lab.open(child, kPath, O_RDWR);
    flock_ok(lab, child, held, LOCK_SH);
    int const fd = lab.open(lab.main, kPath, O_RDWR);
    CHECK(sleeps(try_flock(lab, lab.main, fd, LOCK_EX)));

    SUBCASE("by close") { close(lab, child, held); }
    SUBCASE("by exit") { lab.exit(child); }
    CHECK(lab.task(lab.main).state == TaskState::Runnable);
    CHECK(done(try_flock(lab, lab.main, fd, LOCK_EX)));
}

TEST_CASE("flock - a lock converts between shared and exclusive")
{
    Lab lab;
    make_file(lab);
    int const fd = lab.open(lab.main, kPath, O_RDWR);
    flock_ok(lab, lab.main, fd, LOCK_SH);
    flock_ok(lab, lab.main, fd, LOCK_EX);
    REQUIRE(locks_on(lab).size() == 1);
    CHECK(locks_on(lab)[0].type == F_WRLCK);

    // Downgraded to shared, it lets another description share the file.
    flock_ok(lab, lab.main, fd, LOCK_SH);
    REQUIRE(locks_on(lab).size() == 1);
    CHECK(locks_on(lab)[0].type == F_RDLCK);
    int const other = lab.open(lab.main, kPath, O_RDONLY);
    CHECK(done(try_flock(lab, lab.main, other, LOCK_SH | LOCK_NB)));
}

TEST_CASE("flock - a conversion that fails has already let go of the old lock")
{
    Lab lab;
    make_file(lab);
    int const a = lab.open(lab.main, kPath, O_RDWR);
    int const b = lab.open(lab.main, kPath, O_RDWR);
    flock_ok(lab, lab.main, a, LOCK_SH);
    flock_ok(lab, lab.main, b, LOCK_SH);

    // flock(2): conversion is not atomic; the existing lock is removed first. So a's failed
    // upgrade leaves a with nothing, and b may now upgrade.
    lab.fails(try_flock(lab, lab.main, a, LOCK_EX | LOCK_NB), EWOULDBLOCK);
    CHECK(done(try_flock(lab, lab.main, b, LOCK_EX | LOCK_NB)));
}

TEST_CASE("flock - an operation other than LOCK_SH, LOCK_EX or LOCK_UN is EINVAL")
{
    Lab lab;
    make_file(lab);
    int const fd = lab.open(lab.main, kPath, O_RDWR);
    lab.fails(try_flock(lab, lab.main, fd, 0), EINVAL);
    lab.fails(try_flock(lab, lab.main, fd, LOCK_SH | LOCK_EX), EINVAL);
    lab.fails(try_flock(lab, lab.main, fd, LOCK_NB), EINVAL);
    lab.fails(try_flock(lab, lab.main, fd, 16), EINVAL);
    CHECK(locks_on(lab).empty());
    // And a descriptor that is not open is EBADF.
    lab.fails(try_flock(lab, lab.main, 42, LOCK_EX), EBADF);
}

TEST_CASE("flock and fcntl locks do not conflict with each other")
{
    Lab lab;
    make_file(lab);
    int const fd = lab.open(lab.main, kPath, O_RDWR);
    pid_t const child = lab.fork(lab.main);
    int const other = lab.open(child, kPath, O_RDWR);

    // On Linux flock locks and record locks live in separate lists and never meet.
    SUBCASE("flock first, then a POSIX lock")
    {
        flock_ok(lab, lab.main, fd, LOCK_EX);
        lock(lab, child, other, F_WRLCK, 0, 0);
    }
    SUBCASE("flock first, then an OFD lock")
    {
        flock_ok(lab, lab.main, fd, LOCK_EX);
        lock(lab, child, other, F_WRLCK, 0, 0, F_OFD_SETLK);
    }
    SUBCASE("a POSIX lock first, then flock")
    {
        lock(lab, lab.main, fd, F_WRLCK, 0, 0);
        flock_ok(lab, child, other, LOCK_EX | LOCK_NB);
    }
    CHECK(locks_on(lab).size() == 2);
}

// ------------------------------------------------------------------------------------------------
// POSIX record locks: owned by the process.

TEST_CASE("POSIX lock - a forked child does not inherit its parent's record lock")
{
    Lab lab;
    make_file(lab);
    int const fd = lab.open(lab.main, kPath, O_RDWR);
    lock(lab, lab.main, fd, F_WRLCK, 10, 20);
    pid_t const child = lab.fork(lab.main);

    // fork(2): "The child does not inherit record locks from its parent". The child is another
    // owner, so the same range conflicts.
    lab.fails(setlk(lab, child, fd, F_WRLCK, 15, 1), EAGAIN);
    lab.fails(setlk(lab, child, fd, F_RDLCK, 29, 1), EAGAIN);
    CHECK(done(setlk(lab, child, fd, F_WRLCK, 30, 1)));
}

TEST_CASE("POSIX lock - F_GETLK in the child reports the parent's pid, type and range")
{
    Lab lab;
    make_file(lab);
    int const fd = lab.open(lab.main, kPath, O_RDWR);
    lock(lab, lab.main, fd, F_WRLCK, 10, 20);
    pid_t const child = lab.fork(lab.main);

    FlockArgs const held = getlk(lab, child, fd, F_RDLCK, 0, 0);
    CHECK(held.type == F_WRLCK);
    CHECK(held.whence == SEEK_SET);
    CHECK(held.start == 10);
    CHECK(held.len == 20);
    CHECK(held.pid == lab.main);
}

TEST_CASE("POSIX lock - F_GETLK finds nothing in the caller's own locks")
{
    Lab lab;
    make_file(lab);
    int const fd = lab.open(lab.main, kPath, O_RDWR);
    lock(lab, lab.main, fd, F_WRLCK, 0, 0);
    // A process's own locks are never in its own way, so F_GETLK answers F_UNLCK.
    CHECK(getlk(lab, lab.main, fd, F_WRLCK, 0, 0).type == F_UNLCK);
}

TEST_CASE("POSIX lock - closing any descriptor for the file releases all the process's locks")
{
    Lab lab;
    make_file(lab);
    int const fd = lab.open(lab.main, kPath, O_RDWR);
    int const second = lab.open(lab.main, kPath, O_RDONLY);
    lock(lab, lab.main, fd, F_WRLCK, 0, 5);
    lock(lab, lab.main, fd, F_RDLCK, 20, 5);
    REQUIRE(locks_on(lab).size() == 2);

    // fcntl(2): the locks go when the process closes ANY descriptor referring to the file, even
    // one that never took a lock.
    SUBCASE("close") { close(lab, lab.main, second); }
    SUBCASE("dup2 over it")
    {
        int const null = lab.open(lab.main, "/dev/null", O_RDONLY);
        REQUIRE(lab.k.dup2(lab.main, null, second));
        lab.check();
    }
    CHECK(locks_on(lab).empty());
    pid_t const child = lab.fork(lab.main);
    CHECK(done(setlk(lab, child, fd, F_WRLCK, 0, 0)));
}

TEST_CASE("POSIX lock - closing a descriptor for another file leaves the locks alone")
{
    Lab lab;
    make_file(lab);
    REQUIRE(lab.k.vfs().create_file("/home/student/other", "x"));
    int const fd = lab.open(lab.main, kPath, O_RDWR);
    int const unrelated = lab.open(lab.main, "/home/student/other", O_RDWR);
    lock(lab, lab.main, fd, F_WRLCK, 0, 0);
    close(lab, lab.main, unrelated);
    CHECK(locks_on(lab).size() == 1);
}

TEST_CASE("POSIX lock - the child's close of an inherited descriptor does not release the parent's locks")
{
    Lab lab;
    make_file(lab);
    int const fd = lab.open(lab.main, kPath, O_RDWR);
    lock(lab, lab.main, fd, F_WRLCK, 0, 0);
    pid_t const child = lab.fork(lab.main);

    // A close releases the locks of the process that closes, and the child owns none.
    close(lab, child, fd);
    CHECK(locks_on(lab).size() == 1);
    int const again = lab.open(child, kPath, O_RDWR);
    lab.fails(setlk(lab, child, again, F_WRLCK, 0, 0), EAGAIN);
}

TEST_CASE("POSIX lock - exit releases the process's locks")
{
    Lab lab;
    make_file(lab);
    int const fd = lab.open(lab.main, kPath, O_RDWR);
    pid_t const child = lab.fork(lab.main);
    lock(lab, child, fd, F_WRLCK, 0, 0);
    lab.fails(setlk(lab, lab.main, fd, F_WRLCK, 0, 1), EAGAIN);

    lab.exit(child);
    CHECK(locks_on(lab).empty());
    CHECK(done(setlk(lab, lab.main, fd, F_WRLCK, 0, 1)));
}

TEST_CASE("POSIX lock - locks of different processes on separate ranges coexist")
{
    Lab lab;
    make_file(lab);
    int const fd = lab.open(lab.main, kPath, O_RDWR);
    pid_t const child = lab.fork(lab.main);
    lock(lab, lab.main, fd, F_WRLCK, 0, 10);
    lock(lab, child, fd, F_WRLCK, 10, 10);
    CHECK(locks_on(lab).size() == 2);
    // The ranges meet at byte 9/10 but do not share a byte.
    lab.fails(setlk(lab, child, fd, F_WRLCK, 9, 1), EAGAIN);
}

TEST_CASE("POSIX lock - read locks are shared and a write lock excludes")
{
    Lab lab;
    make_file(lab);
    int const fd = lab.open(lab.main, kPath, O_RDWR);
    pid_t const child = lab.fork(lab.main);
    lock(lab, lab.main, fd, F_RDLCK, 0, 10);
    lock(lab, child, fd, F_RDLCK, 5, 10);
    CHECK(locks_on(lab).size() == 2);

    lab.fails(setlk(lab, child, fd, F_WRLCK, 0, 1), EAGAIN);
    pid_t const third = lab.fork(lab.main);
    lab.fails(setlk(lab, third, fd, F_WRLCK, 12, 1), EAGAIN);
    CHECK(done(setlk(lab, third, fd, F_WRLCK, 15, 1)));
}

TEST_CASE("POSIX lock - a process's own locks never conflict, a new one replaces the old")
{
    Lab lab;
    make_file(lab);
    int const fd = lab.open(lab.main, kPath, O_RDWR);
    lock(lab, lab.main, fd, F_RDLCK, 0, 10);
    lock(lab, lab.main, fd, F_WRLCK, 0, 10);
    REQUIRE(locks_on(lab).size() == 1);
    CHECK(locks_on(lab)[0].type == F_WRLCK);
    lock(lab, lab.main, fd, F_RDLCK, 0, 10);
    REQUIRE(locks_on(lab).size() == 1);
    CHECK(locks_on(lab)[0].type == F_RDLCK);
}

TEST_CASE("POSIX lock - unlocking the middle of a range splits it in two")
{
    Lab lab;
    make_file(lab);
    int const fd = lab.open(lab.main, kPath, O_RDWR);
    lock(lab, lab.main, fd, F_WRLCK, 0, 100);
    lock(lab, lab.main, fd, F_UNLCK, 40, 20);

    auto const& locks = locks_on(lab);
    REQUIRE(locks.size() == 2);
    CHECK(locks[0].start == 0);
    CHECK(locks[0].end == 39);
    CHECK(locks[1].start == 60);
    CHECK(locks[1].end == 99);

    pid_t const child = lab.fork(lab.main);
    CHECK(getlk(lab, child, fd, F_WRLCK, 50, 1).type == F_UNLCK);
    FlockArgs const left = getlk(lab, child, fd, F_WRLCK, 39, 1);
    CHECK(left.type == F_WRLCK);
    CHECK(left.start == 0);
    CHECK(left.len == 40);
}

TEST_CASE("POSIX lock - adjacent locks of the same type merge into one")
{
    Lab lab;
    make_file(lab);
    int const fd = lab.open(lab.main, kPath, O_RDWR);
    lock(lab, lab.main, fd, F_WRLCK, 0, 10);
    lock(lab, lab.main, fd, F_WRLCK, 10, 10);
    REQUIRE(locks_on(lab).size() == 1);
    CHECK(locks_on(lab)[0].start == 0);
    CHECK(locks_on(lab)[0].end == 19);

    // A lock of the other type next to it stays separate (as /proc/locks shows on Linux).
    lock(lab, lab.main, fd, F_RDLCK, 20, 10);
    CHECK(locks_on(lab).size() == 2);

    // Filling the hole of a split range makes one lock again.
    lock(lab, lab.main, fd, F_UNLCK, 0, 0);
    lock(lab, lab.main, fd, F_WRLCK, 0, 100);
    lock(lab, lab.main, fd, F_UNLCK, 40, 20);
    lock(lab, lab.main, fd, F_WRLCK, 40, 20);
    REQUIRE(locks_on(lab).size() == 1);
    CHECK(locks_on(lab)[0].end == 99);
}

TEST_CASE("POSIX lock - a read lock inside a write lock splits it in three")
{
    Lab lab;
    make_file(lab);
    int const fd = lab.open(lab.main, kPath, O_RDWR);
    lock(lab, lab.main, fd, F_WRLCK, 0, 100);
    lock(lab, lab.main, fd, F_RDLCK, 40, 20);
    REQUIRE(locks_on(lab).size() == 3);

    pid_t const child = lab.fork(lab.main);
    // Reading bytes 40-59 is now allowed to others; writing them is not.
    CHECK(getlk(lab, child, fd, F_RDLCK, 45, 1).type == F_UNLCK);
    FlockArgs const middle = getlk(lab, child, fd, F_WRLCK, 45, 1);
    CHECK(middle.type == F_RDLCK);
    CHECK(middle.start == 40);
    CHECK(middle.len == 20);
    CHECK(getlk(lab, child, fd, F_RDLCK, 60, 1).type == F_WRLCK);
}

TEST_CASE("POSIX lock - l_whence SEEK_CUR counts from the file offset")
{
    Lab lab;
    make_file(lab);
    int const fd = lab.open(lab.main, kPath, O_RDWR);
    REQUIRE(lab.k.lseek(lab.main, fd, 5, SEEK_SET));
    lock(lab, lab.main, fd, F_WRLCK, 3, 2, F_SETLK, SEEK_CUR);
    REQUIRE(locks_on(lab).size() == 1);
    CHECK(locks_on(lab)[0].start == 8);
    CHECK(locks_on(lab)[0].end == 9);
}

TEST_CASE("POSIX lock - l_whence SEEK_END counts from the file size")
{
    Lab lab;
    make_file(lab, "0123456789");
    int const fd = lab.open(lab.main, kPath, O_RDWR);
    lock(lab, lab.main, fd, F_WRLCK, -4, 0, F_SETLK, SEEK_END);
    REQUIRE(locks_on(lab).size() == 1);
    CHECK(locks_on(lab)[0].start == 6);
    CHECK(locks_on(lab)[0].end == FileLock::kToEof);
    // A start before byte 0 is EINVAL.
    lab.fails(setlk(lab, lab.main, fd, F_WRLCK, -11, 1, F_SETLK, SEEK_END), EINVAL);
}

TEST_CASE("POSIX lock - a negative l_len locks the bytes before l_start")
{
    Lab lab;
    make_file(lab);
    int const fd = lab.open(lab.main, kPath, O_RDWR);
    lock(lab, lab.main, fd, F_WRLCK, 100, -50);

    // fcntl(2): with a negative l_len the range is l_start+l_len up to l_start-1.
    pid_t const child = lab.fork(lab.main);
    FlockArgs const held = getlk(lab, child, fd, F_RDLCK, 0, 0);
    CHECK(held.type == F_WRLCK);
    CHECK(held.start == 50);
    CHECK(held.len == 50);
    CHECK(getlk(lab, child, fd, F_RDLCK, 100, 0).type == F_UNLCK);
}

TEST_CASE("POSIX lock - l_len 0 reaches to the end of the file however far it grows")
{
    Lab lab;
    make_file(lab);
    int const fd = lab.open(lab.main, kPath, O_RDWR);
    lock(lab, lab.main, fd, F_WRLCK, 10, 0);
    pid_t const child = lab.fork(lab.main);

    FlockArgs const held = getlk(lab, child, fd, F_RDLCK, 1000000, 1);
    CHECK(held.type == F_WRLCK);
    CHECK(held.start == 10);
    CHECK(held.len == 0);  // Reported as it was asked for: to end of file.
    CHECK(getlk(lab, child, fd, F_WRLCK, 0, 10).type == F_UNLCK);
}

TEST_CASE("POSIX lock - a range that starts before byte 0 or has a bad l_whence is EINVAL")
{
    Lab lab;
    make_file(lab);
    int const fd = lab.open(lab.main, kPath, O_RDWR);
    lab.fails(setlk(lab, lab.main, fd, F_WRLCK, 10, -20), EINVAL);
    lab.fails(setlk(lab, lab.main, fd, F_WRLCK, -1, 5), EINVAL);
    lab.fails(setlk(lab, lab.main, fd, F_WRLCK, 0, 5, F_SETLK, 7), EINVAL);
    CHECK(locks_on(lab).empty());
}

TEST_CASE("POSIX lock - a range that ends past the largest file offset is EOVERFLOW")
{
    Lab lab;
    make_file(lab);
    int const fd = lab.open(lab.main, kPath, O_RDWR);
    // Linux's flock_to_posix_lock(): the last byte must still be a valid off_t.
    lab.fails(setlk(lab, lab.main, fd, F_WRLCK, kInt64Max - 1, 10), EOVERFLOW);
    CHECK(locks_on(lab).empty());
    // The very last byte can be locked.
    CHECK(done(setlk(lab, lab.main, fd, F_WRLCK, kInt64Max, 1)));
}

TEST_CASE("POSIX lock - a read lock needs a readable descriptor and a write lock a writable one")
{
    Lab lab;
    make_file(lab);
    int const ro = lab.open(lab.main, kPath, O_RDONLY);
    int const wo = lab.open(lab.main, kPath, O_WRONLY);
    lab.fails(setlk(lab, lab.main, wo, F_RDLCK, 0, 0), EBADF);
    lab.fails(setlk(lab, lab.main, ro, F_WRLCK, 0, 0), EBADF);
    // Unlocking needs neither, and F_GETLK only asks.
    CHECK(done(setlk(lab, lab.main, ro, F_UNLCK, 0, 0)));
    CHECK(getlk(lab, lab.main, ro, F_WRLCK, 0, 0).type == F_UNLCK);
    CHECK(locks_on(lab).empty());
}

TEST_CASE("POSIX lock - a type other than F_RDLCK, F_WRLCK or F_UNLCK is EINVAL")
{
    Lab lab;
    make_file(lab);
    int const fd = lab.open(lab.main, kPath, O_RDWR);
    lab.fails(setlk(lab, lab.main, fd, 42, 0, 5), EINVAL);
    lab.fails(setlk(lab, lab.main, fd, 42, 0, 5, F_GETLK), EINVAL);
    CHECK(locks_on(lab).empty());
}

TEST_CASE("POSIX lock - F_GETLK with F_UNLCK is EINVAL")
{
    Lab lab;
    make_file(lab);
    int const fd = lab.open(lab.main, kPath, O_RDWR);
    // F_GETLK asks whether a lock could be placed; F_UNLCK is no lock, and Linux refuses it.
    // (F_OFD_GETLK accepts F_UNLCK since Linux 6.10: see the next test.)
    lab.fails(setlk(lab, lab.main, fd, F_UNLCK, 0, 0, F_GETLK), EINVAL);
}

TEST_CASE("OFD lock - F_OFD_GETLK with F_UNLCK reports the caller's own description's lock")
{
    // Since Linux 6.10 (the host here runs a newer kernel, and a C program shows it) F_UNLCK
    // asks "does this description hold a lock over the range?" instead of failing.
    Lab lab;
    make_file(lab);
    int const fd = lab.open(lab.main, kPath, O_RDWR);
    int const other = lab.open(lab.main, kPath, O_RDWR);
    lock(lab, lab.main, fd, F_RDLCK, 0, 10, F_OFD_SETLK);
    FlockArgs const mine = getlk(lab, lab.main, fd, F_UNLCK, 5, 1, F_OFD_GETLK);
    CHECK(mine.type == F_RDLCK);
    CHECK(mine.start == 0);
    CHECK(mine.len == 10);
    CHECK(mine.pid == -1);
    // Another description holds nothing there, though the same process opened it.
    CHECK(getlk(lab, lab.main, other, F_UNLCK, 5, 1, F_OFD_GETLK).type == F_UNLCK);
    // Nor does the first one beyond its range.
    CHECK(getlk(lab, lab.main, fd, F_UNLCK, 10, 5, F_OFD_GETLK).type == F_UNLCK);
}

TEST_CASE("POSIX lock - a clone(CLONE_FILES) child shares its parent's lock owner")
{
    Lab lab;
    make_file(lab);
    int const fd = lab.open(lab.main, kPath, O_RDWR);
    lock(lab, lab.main, fd, F_WRLCK, 0, 10);
    auto r = lab.k.clone(lab.main, CloneArgs{.flags = CLONE_FILES, .exit_signal = SIGCHLD});
    REQUIRE(r);
    lab.check();
    pid_t const sharer = *r;

    // Linux keys a POSIX lock on the fd table (fl_owner = current->files), so a process that
    // shares the table is the same owner: no conflict, and the existing lock absorbs the request.
    CHECK(done(setlk(lab, sharer, fd, F_WRLCK, 5, 1)));
    // Its exit does not close the shared table, so the lock stays.
    lab.exit(sharer);
    lab.reap(lab.main, sharer);
    REQUIRE(locks_on(lab).size() == 1);

    // On the host, F_GETLK still reports the parent, who took the lock that absorbed the child's.
    pid_t const child = lab.fork(lab.main);
    FlockArgs const held = getlk(lab, child, fd, F_RDLCK, 0, 0);
    CHECK(held.start == 0);
    CHECK(held.len == 10);
    CHECK(held.pid == lab.main);
}

// ------------------------------------------------------------------------------------------------
// F_SETLKW: waiting for a record lock.

TEST_CASE("F_SETLKW sleeps behind a conflicting lock and succeeds, re-issued, after the unlock")
{
    Lab lab;
    make_file(lab);
    int const fd = lab.open(lab.main, kPath, O_RDWR);
    lock(lab, lab.main, fd, F_WRLCK, 0, 10);
    pid_t const child = lab.fork(lab.main);

    CHECK(sleeps(setlk(lab, child, fd, F_WRLCK, 5, 1, F_SETLKW)));
    CHECK(asleep_on_lock(lab, child));
    // An unlock elsewhere in the file would not help; an unlock of the range does.
    lock(lab, lab.main, fd, F_UNLCK, 0, 10);
    CHECK(lab.task(child).state == TaskState::Runnable);
    CHECK(done(setlk(lab, child, fd, F_WRLCK, 5, 1, F_SETLKW)));
    REQUIRE(locks_on(lab).size() == 1);
    CHECK(locks_on(lab)[0].pid == child);
}

TEST_CASE("F_SETLKW is woken when the holder closes a descriptor for the file")
{
    Lab lab;
    make_file(lab);
    int const fd = lab.open(lab.main, kPath, O_RDWR);
    pid_t const child = lab.fork(lab.main);
    int const other = lab.open(lab.main, kPath, O_RDONLY);
    lock(lab, lab.main, fd, F_WRLCK, 0, 0);
    CHECK(sleeps(setlk(lab, child, fd, F_RDLCK, 0, 1, F_SETLKW)));

    close(lab, lab.main, other);
    CHECK(lab.task(child).state == TaskState::Runnable);
    CHECK(done(setlk(lab, child, fd, F_RDLCK, 0, 1, F_SETLKW)));
}

TEST_CASE("F_SETLKW is woken when the holder exits")
{
    Lab lab;
    make_file(lab);
    int const fd = lab.open(lab.main, kPath, O_RDWR);
    pid_t const child = lab.fork(lab.main);
    lock(lab, child, fd, F_WRLCK, 0, 0);
    CHECK(sleeps(setlk(lab, lab.main, fd, F_WRLCK, 0, 0, F_SETLKW)));

    lab.exit(child);
    CHECK(lab.task(lab.main).state == TaskState::Runnable);
    CHECK(done(setlk(lab, lab.main, fd, F_WRLCK, 0, 0, F_SETLKW)));
    lab.reap(lab.main, child);
}

TEST_CASE("F_SETLKW woken while another lock is still in the way sleeps again")
{
    Lab lab;
    make_file(lab);
    int const fd = lab.open(lab.main, kPath, O_RDWR);
    pid_t const a = lab.fork(lab.main);
    pid_t const b = lab.fork(lab.main);
    lock(lab, a, fd, F_RDLCK, 0, 10);
    lock(lab, b, fd, F_RDLCK, 0, 10);
    CHECK(sleeps(setlk(lab, lab.main, fd, F_WRLCK, 0, 10, F_SETLKW)));

    lock(lab, a, fd, F_UNLCK, 0, 10);
    CHECK(sleeps(setlk(lab, lab.main, fd, F_WRLCK, 0, 10, F_SETLKW)));  // b still reads.
    lock(lab, b, fd, F_UNLCK, 0, 10);
    CHECK(done(setlk(lab, lab.main, fd, F_WRLCK, 0, 10, F_SETLKW)));
}

TEST_CASE("F_SETLKW with a signal pending returns Interrupted")
{
    Lab lab;
    make_file(lab);
    int const fd = lab.open(lab.main, kPath, O_RDWR);
    lock(lab, lab.main, fd, F_WRLCK, 0, 0);
    pid_t const child = lab.fork(lab.main);
    REQUIRE(lab.k.sigaction(child, SIGUSR1, SigAction{kHandler, 0, 0}));
    CHECK(sleeps(setlk(lab, child, fd, F_WRLCK, 0, 0, F_SETLKW)));

    // The sleep is interruptible: the signal wakes the child, and its call does not sleep again
    // but returns so that the handler can run (then fcntl fails with EINTR, as on the host).
    lab.kill(lab.main, child, SIGUSR1);
    CHECK(lab.task(child).state == TaskState::Runnable);
    auto r = setlk(lab, child, fd, F_WRLCK, 0, 0, F_SETLKW);
    REQUIRE(r);
    CHECK(r->kind == Blocking::Kind::Interrupted);
    auto delivery = lab.run(child);
    REQUIRE(delivery);
    CHECK(delivery->sig == SIGUSR1);
    REQUIRE(locks_on(lab).size() == 1);
    CHECK(locks_on(lab)[0].pid == lab.main);
}

TEST_CASE("flock with a signal pending returns Interrupted")
{
    Lab lab;
    make_file(lab);
    int const fd = lab.open(lab.main, kPath, O_RDWR);
    flock_ok(lab, lab.main, fd, LOCK_EX);
    pid_t const child = lab.fork(lab.main);
    int const other = lab.open(child, kPath, O_RDWR);
    REQUIRE(lab.k.sigaction(child, SIGUSR1, SigAction{kHandler, 0, 0}));
    CHECK(sleeps(try_flock(lab, child, other, LOCK_EX)));

    lab.kill(lab.main, child, SIGUSR1);
    auto r = try_flock(lab, child, other, LOCK_EX);
    REQUIRE(r);
    CHECK(r->kind == Blocking::Kind::Interrupted);
    REQUIRE(locks_on(lab).size() == 1);
    CHECK(locks_on(lab)[0].pid == lab.main);
}

TEST_CASE("F_SETLKW fails with EDEADLK when two processes would wait for each other")
{
    Lab lab;
    make_file(lab);
    int const fd = lab.open(lab.main, kPath, O_RDWR);
    pid_t const child = lab.fork(lab.main);
    lock(lab, lab.main, fd, F_WRLCK, 0, 1);
    lock(lab, child, fd, F_WRLCK, 1, 1);

    CHECK(sleeps(setlk(lab, lab.main, fd, F_WRLCK, 1, 1, F_SETLKW)));
    // The child's wait would close the circle, so the kernel refuses it rather than sleep.
    lab.fails(setlk(lab, child, fd, F_WRLCK, 0, 1, F_SETLKW), EDEADLK);
    Event const e = last_event(lab, EventKind::LockConflict);
    CHECK(e.pid == child);
    CHECK(e.other == lab.main);
    CHECK(e.value == std::int64_t(LockOutcome::Deadlock));
    CHECK(contains(explain(e), "EDEADLK"));

    // The child gives way; the parent's wait then ends.
    lock(lab, child, fd, F_UNLCK, 1, 1);
    CHECK(done(setlk(lab, lab.main, fd, F_WRLCK, 1, 1, F_SETLKW)));
}

// ------------------------------------------------------------------------------------------------
// OFD locks: byte ranges like POSIX locks, owned by the description like flock.

TEST_CASE("OFD lock - a forked child shares it through the inherited description")
{
    Lab lab;
    make_file(lab);
    int const fd = lab.open(lab.main, kPath, O_RDWR);
    lock(lab, lab.main, fd, F_WRLCK, 0, 10, F_OFD_SETLK);
    pid_t const child = lab.fork(lab.main);

    // Same description, same owner: no conflict.
    CHECK(done(setlk(lab, child, fd, F_WRLCK, 0, 10, F_OFD_SETLK)));
    CHECK(locks_on(lab).size() == 1);
    // Through a description of its own, the child is another owner.
    int const other = lab.open(child, kPath, O_RDWR);
    lab.fails(setlk(lab, child, other, F_WRLCK, 5, 1, F_OFD_SETLK), EAGAIN);
}

TEST_CASE("OFD lock - conflicts with a POSIX lock of the same process")
{
    Lab lab;
    make_file(lab);
    int const fd = lab.open(lab.main, kPath, O_RDWR);
    // The two kinds share one list, and their owners (description, process) always differ.
    SUBCASE("the OFD lock first")
    {
        lock(lab, lab.main, fd, F_WRLCK, 0, 10, F_OFD_SETLK);
        lab.fails(setlk(lab, lab.main, fd, F_WRLCK, 5, 1), EAGAIN);
    }
    SUBCASE("the POSIX lock first")
    {
        lock(lab, lab.main, fd, F_WRLCK, 0, 10);
        lab.fails(setlk(lab, lab.main, fd, F_WRLCK, 5, 1, F_OFD_SETLK), EAGAIN);
    }
    CHECK(locks_on(lab).size() == 1);
}

TEST_CASE("OFD lock - F_OFD_GETLK and F_GETLK report l_pid -1 for it")
{
    Lab lab;
    make_file(lab);
    int const fd = lab.open(lab.main, kPath, O_RDWR);
    lock(lab, lab.main, fd, F_WRLCK, 0, 10, F_OFD_SETLK);
    pid_t const child = lab.fork(lab.main);
    int const other = lab.open(child, kPath, O_RDWR);

    // No single process owns it, so no pid is reported.
    int cmd = F_OFD_GETLK;
    SUBCASE("F_OFD_GETLK") { cmd = F_OFD_GETLK; }
    SUBCASE("F_GETLK") { cmd = F_GETLK; }
    FlockArgs const held = getlk(lab, child, other, F_RDLCK, 0, 0, cmd);
    CHECK(held.type == F_WRLCK);
    CHECK(held.start == 0);
    CHECK(held.len == 10);
    CHECK(held.pid == -1);
}

TEST_CASE("OFD lock - l_pid must be 0 in the request")
{
    Lab lab;
    make_file(lab);
    int const fd = lab.open(lab.main, kPath, O_RDWR);
    for (int cmd : {F_OFD_SETLK, F_OFD_SETLKW, F_OFD_GETLK}) {
        for (short type : {short(F_RDLCK), short(F_UNLCK)}) {
            if (cmd == F_OFD_GETLK && type == F_UNLCK)
                continue;
            FlockArgs args = range(type, 0, 0);
            args.pid = 1234;
            lab.fails(lab.k.fcntl_lock(lab.main, fd, cmd, args), EINVAL);
        }
    }
    CHECK(locks_on(lab).empty());
    // A POSIX request ignores l_pid.
    FlockArgs args = range(F_RDLCK, 0, 0);
    args.pid = 1234;
    CHECK(done(lab.k.fcntl_lock(lab.main, fd, F_SETLK, args)));
    lab.check();
}

TEST_CASE("OFD lock - closing another descriptor for the file does not release it")
{
    Lab lab;
    make_file(lab);
    int const fd = lab.open(lab.main, kPath, O_RDWR);
    lock(lab, lab.main, fd, F_WRLCK, 0, 0, F_OFD_SETLK);
    int const second = lab.open(lab.main, kPath, O_RDWR);
    close(lab, lab.main, second);
    // The POSIX rule "any close releases" is exactly what OFD locks were made to avoid.
    CHECK(locks_on(lab).size() == 1);
    int const third = lab.open(lab.main, kPath, O_RDWR);
    lab.fails(setlk(lab, lab.main, third, F_WRLCK, 0, 0, F_OFD_SETLK), EAGAIN);
}

TEST_CASE("OFD lock - released only when the description's last descriptor closes")
{
    Lab lab;
    make_file(lab);
    int const fd = lab.open(lab.main, kPath, O_RDWR);
    lock(lab, lab.main, fd, F_WRLCK, 0, 0, F_OFD_SETLK);
    pid_t other_holder = 0;
    int other_fd = -1;
    SUBCASE("a dup in the same process")
    {
        other_holder = lab.main;
        auto d = lab.k.dup(lab.main, fd);
        REQUIRE(d);
        other_fd = *d;
    }
    SUBCASE("the inherited descriptor of a forked child")
    {
        other_holder = lab.fork(lab.main);
        other_fd = fd;
    }
    close(lab, lab.main, fd);
    CHECK(locks_on(lab).size() == 1);
    int const probe = lab.open(lab.main, kPath, O_RDWR);
    lab.fails(setlk(lab, lab.main, probe, F_WRLCK, 0, 0, F_OFD_SETLK), EAGAIN);

    close(lab, other_holder, other_fd);
    CHECK(locks_on(lab).empty());
    CHECK(done(setlk(lab, lab.main, probe, F_WRLCK, 0, 0, F_OFD_SETLK)));
}

TEST_CASE("OFD lock - F_OFD_SETLKW sleeps and the holder description's last close wakes it")
{
    Lab lab;
    make_file(lab);
    // A child takes the lock and forks a grandchild, so two processes hold its description.
    pid_t const holder = lab.fork(lab.main);
    int const fd = lab.open(holder, kPath, O_RDWR);
    lock(lab, holder, fd, F_WRLCK, 0, 0, F_OFD_SETLK);
    pid_t const sharer = lab.fork(holder);
    int const mine = lab.open(lab.main, kPath, O_RDWR);
    CHECK(sleeps(setlk(lab, lab.main, mine, F_WRLCK, 0, 0, F_OFD_SETLKW)));

    close(lab, holder, fd);
    CHECK(locks_on(lab).size() == 1);  // The grandchild's descriptor keeps the description.
    if (lab.task(lab.main).state == TaskState::Runnable)  // A spurious wake-up is allowed.
        CHECK(sleeps(setlk(lab, lab.main, mine, F_WRLCK, 0, 0, F_OFD_SETLKW)));
    CHECK(asleep_on_lock(lab, lab.main));
    close(lab, sharer, fd);
    CHECK(lab.task(lab.main).state == TaskState::Runnable);
    CHECK(done(setlk(lab, lab.main, mine, F_WRLCK, 0, 0, F_OFD_SETLKW)));
}

// ------------------------------------------------------------------------------------------------
// Events and their explanations.

TEST_CASE("Events - FileLocked says who owns the lock")
{
    Lab lab;
    make_file(lab);
    ino_t const ino = inode_of(lab).ino;
    int const fd = lab.open(lab.main, kPath, O_RDWR);

    SUBCASE("POSIX")
    {
        lock(lab, lab.main, fd, F_WRLCK, 7, 3);
        Event const e = last_event(lab, EventKind::FileLocked);
        CHECK(e.aux == lock_aux(std::uint8_t(LockKind::Posix), F_WRLCK));
        CHECK(e.value == 7);
        CHECK(contains(explain(e), "belongs to the process"));
    }
    SUBCASE("OFD")
    {
        lock(lab, lab.main, fd, F_RDLCK, 7, 3, F_OFD_SETLK);
        Event const e = last_event(lab, EventKind::FileLocked);
        CHECK(e.aux == lock_aux(std::uint8_t(LockKind::Ofd), F_RDLCK));
        CHECK(contains(explain(e), "belongs to the open file description"));
    }
    SUBCASE("flock")
    {
        flock_ok(lab, lab.main, fd, LOCK_EX);
        Event const e = last_event(lab, EventKind::FileLocked);
        CHECK(e.aux == lock_aux(std::uint8_t(LockKind::Flock), F_WRLCK));
        CHECK(contains(explain(e), "belongs to the open file description"));
    }
    Event const e = last_event(lab, EventKind::FileLocked);
    CHECK(e.pid == lab.main);
    CHECK(e.extra == std::uint32_t(ino));
}

TEST_CASE("Events - LockConflict names the holder and what the caller did")
{
    Lab lab;
    make_file(lab);
    int const fd = lab.open(lab.main, kPath, O_RDWR);
    lock(lab, lab.main, fd, F_WRLCK, 0, 0);
    pid_t const child = lab.fork(lab.main);

    lab.fails(setlk(lab, child, fd, F_RDLCK, 0, 1), EAGAIN);
    Event e = last_event(lab, EventKind::LockConflict);
    CHECK(e.pid == child);
    CHECK(e.other == lab.main);
    CHECK(e.value == std::int64_t(LockOutcome::WouldBlock));
    CHECK(contains(explain(e), "pid " + std::to_string(lab.main) + " holds"));
    CHECK(contains(explain(e), "EAGAIN"));

    CHECK(sleeps(setlk(lab, child, fd, F_RDLCK, 0, 1, F_SETLKW)));
    e = last_event(lab, EventKind::LockConflict);
    CHECK(e.value == std::int64_t(LockOutcome::Sleeps));
    CHECK(contains(explain(e), "sleeps"));
    Event const blocked = last_event(lab, EventKind::Blocked);
    CHECK(blocked.pid == child);
    CHECK(blocked.aux == std::uint8_t(BlockReason::FileLock));
}

TEST_CASE("Events - LocksReleased by a close says that any close releases the POSIX locks")
{
    Lab lab;
    make_file(lab);
    int const fd = lab.open(lab.main, kPath, O_RDWR);
    int const second = lab.open(lab.main, kPath, O_RDONLY);
    lock(lab, lab.main, fd, F_WRLCK, 0, 5);
    lock(lab, lab.main, fd, F_WRLCK, 10, 5);
    close(lab, lab.main, second);

    Event const e = last_event(lab, EventKind::LocksReleased);
    CHECK(e.pid == lab.main);
    CHECK(e.extra == std::uint32_t(inode_of(lab).ino));
    CHECK(e.value == 2);
    CHECK((e.aux & 3) == std::uint8_t(LockKind::Posix));
    CHECK((e.aux >> 4) == 1);  // Why: a close by the owning process.
    CHECK(contains(explain(e), "any close"));
}

TEST_CASE("Events - LocksReleased when the last descriptor for a locked description closes")
{
    Lab lab;
    make_file(lab);
    int const fd = lab.open(lab.main, kPath, O_RDWR);
    LockKind kind = LockKind::Flock;
    SUBCASE("flock")
    {
        kind = LockKind::Flock;
        flock_ok(lab, lab.main, fd, LOCK_EX);
    }
    SUBCASE("OFD")
    {
        kind = LockKind::Ofd;
        lock(lab, lab.main, fd, F_WRLCK, 0, 0, F_OFD_SETLK);
    }
    pid_t const child = lab.fork(lab.main);
    close(lab, lab.main, fd);
    int const before = lab.count_events(EventKind::LocksReleased);
    close(lab, child, fd);
    CHECK(locks_on(lab).empty());

    // event.h: reason 0 is "the description's last close".
    REQUIRE(lab.count_events(EventKind::LocksReleased) == before + 1);
    Event const e = last_event(lab, EventKind::LocksReleased);
    CHECK((e.aux & 3) == std::uint8_t(kind));
    CHECK((e.aux >> 4) == 0);
    CHECK(e.extra == std::uint32_t(inode_of(lab).ino));
    CHECK(contains(explain(e), "last descriptor"));
}

// ------------------------------------------------------------------------------------------------
// The end of the story.

TEST_CASE("After every process exits and is reaped no lock remains on the file")
{
    Lab lab;
    make_file(lab);
    int const fd = lab.open(lab.main, kPath, O_RDWR);
    flock_ok(lab, lab.main, fd, LOCK_SH);
    lock(lab, lab.main, fd, F_WRLCK, 0, 10);
    lock(lab, lab.main, fd, F_RDLCK, 20, 10, F_OFD_SETLK);
    pid_t const child = lab.fork(lab.main);
    int const own = lab.open(child, kPath, O_RDWR);
    lock(lab, child, own, F_WRLCK, 40, 0);
    lock(lab, child, own, F_RDLCK, 20, 5, F_OFD_SETLK);
    pid_t const waiter = lab.fork(lab.main);
    CHECK(sleeps(setlk(lab, waiter, fd, F_WRLCK, 0, 0, F_SETLKW)));
    CHECK(locks_on(lab).size() == 5);

    lab.kill(lab.main, waiter, SIGKILL);
    lab.run(waiter);
    lab.exit(child);
    lab.reap(lab.main, child);
    lab.reap(lab.main, waiter);
    // init reaps its children as soon as they exit.
    lab.exit(lab.main);
    CHECK_FALSE(lab.exists(lab.main));

    CHECK(inode_of(lab).locks.empty());
    CHECK(inode_of(lab).open_files == 0);
    CHECK(lab.k.check_invariants().empty());
}
