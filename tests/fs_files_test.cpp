// Descriptors, open file descriptions and inodes: open(2) and its flags, the fd table (lowest
// free descriptor, RLIMIT_NOFILE), close(2), what fork(2) shares and what it copies, dup(2),
// fcntl(2) without locks, lseek(2), read(2) and write(2) on regular files, the terminal and
// /dev/null, unlink(2), mkdir(2), chdir(2), stat(2), mmap(2) of a file, the kernel's counters and
// the events a teacher reads. Pipes, locks and exec have their own files. Every expected result
// was checked against the Linux kernel this project runs on (x86-64); every step is followed by
// check_invariants().
#include "support/lab.h"

#include "trace/event.h"

#include <csignal>
#include <cstdint>
#include <fcntl.h>
#include <span>
#include <string>
#include <sys/mman.h>
#include <sys/wait.h>
#include <vector>

using namespace forklab;
using namespace forklab::test;

namespace {

constexpr pid_t kInit = 1;  // Root: the permission checks let it through.

// A system call that must succeed; invariants are checked after it.
template<typename T>
T ok(Lab& lab, ErrorOr<T> r)
{
    REQUIRE_MESSAGE(r.has_value(), "unexpected " << errno_name(r.error()));
    lab.check();
    if constexpr (!std::is_void_v<T>)
        return *r;
}

std::int64_t offset_of(Lab& lab, pid_t pid, int fd) { return ok(lab, lab.k.lseek(pid, fd, 0, SEEK_CUR)); }
long getfl(Lab& lab, pid_t pid, int fd) { return ok(lab, lab.k.fcntl(pid, fd, F_GETFL)); }
long getfd(Lab& lab, pid_t pid, int fd) { return ok(lab, lab.k.fcntl(pid, fd, F_GETFD)); }
FileStat fstat_of(Lab& lab, pid_t pid, int fd) { return ok(lab, lab.k.fstat(pid, fd)); }

// The description a descriptor names (null if it is closed).
OpenFileDescription const* description(Lab const& lab, pid_t pid, int fd) { return lab.task(pid).files->get(fd); }

// A file's contents, straight from its inode: what any later reader would get.
std::string file_text(Lab& lab, std::string_view path)
{
    auto where = lab.k.vfs().lookup("/", path, FsCred{});
    REQUIRE(where);
    REQUIRE(where->inode);
    std::vector<std::uint8_t> bytes(where->inode->size);
    where->inode->read_at(0, bytes);
    return std::string(bytes.begin(), bytes.end());
}

void make_file(Lab& lab, std::string_view path, std::string_view contents, mode_t mode = 0644,
    uid_t uid = Lab::kStudent)
{
    REQUIRE(lab.k.vfs().create_file(path, contents, mode, uid));
}

void set_limit(Lab& lab, pid_t pid, int resource, std::uint64_t cur, std::uint64_t max = kRlimInfinity)
{
    ok(lab, lab.k.prlimit(pid, 0, resource, Rlimit{cur, max}));
}

// Put bytes into a process's memory (its scratch buffer, unless told where).
void store(Lab& lab, pid_t pid, std::string_view text, std::uint64_t va = Lab::kScratch)
{
    if (va == Lab::kScratch)
        lab.scratch(pid, text.size());
    auto const* bytes = reinterpret_cast<std::uint8_t const*>(text.data());
    auto r = lab.k.write_memory(pid, va, std::span(bytes, text.size()));
    REQUIRE((r && r->ok));
    lab.check();
}

std::string load(Lab& lab, pid_t pid, std::uint64_t va, std::size_t n)
{
    std::vector<std::uint8_t> bytes(n);
    auto r = lab.k.read_memory(pid, va, bytes);
    REQUIRE((r && r->ok));
    lab.check();
    return std::string(bytes.begin(), bytes.end());
}

Event last_of(Lab const& lab, EventKind kind, pid_t pid)
{
    auto all = lab.k.events().all();
    for (auto it = all.rbegin(); it != all.rend(); ++it)
        if (it->kind == kind && it->pid == pid)
            return *it;
    FAIL("no " << event_kind_name(kind) << " event for pid " << pid);
    return {};
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// open(2)
// ---------------------------------------------------------------------------------------------

TEST_CASE("O_CREAT makes a regular file with the mode asked for less the umask, owned by the caller")
{
    // open(2): "the mode of the created file is (mode & ~umask)"; the owner is the effective uid.
    Lab lab;
    pid_t const m = lab.main;
    mode_t mask = 022, asked = 0666, expected = 0644;
    SUBCASE("the default umask 022") {}
    SUBCASE("umask 077") { mask = 077; expected = 0600; }
    SUBCASE("umask 0 and mode 0777") { mask = 0; asked = 0777; expected = 0777; }
    CHECK(ok(lab, lab.k.umask(m, mask)) == 022);
    int const fd = lab.open(m, "/tmp/new", O_WRONLY | O_CREAT, asked);
    FileStat const st = fstat_of(lab, m, fd);
    CHECK(st.kind == InodeKind::Regular);
    CHECK(st.mode == expected);
    CHECK(st.uid == Lab::kStudent);
    CHECK(st.nlink == 1);
    CHECK(st.size == 0);
}

TEST_CASE("O_CREAT of an existing file opens it and leaves its mode and contents alone")
{
    Lab lab;
    pid_t const m = lab.main;
    make_file(lab, "/tmp/old", "kept", 0600);
    int const fd = lab.open(m, "/tmp/old", O_RDWR | O_CREAT, 0777);
    CHECK(fstat_of(lab, m, fd).mode == 0600);
    CHECK(lab.read(m, fd, 10) == "kept");
}

TEST_CASE("O_CREAT with O_EXCL fails with EEXIST when the name exists and creates it otherwise")
{
    Lab lab;
    pid_t const m = lab.main;
    int const fd = lab.open(m, "/tmp/once", O_WRONLY | O_CREAT | O_EXCL, 0644);
    CHECK(fd == 3);
    lab.fails(lab.k.open(m, "/tmp/once", O_WRONLY | O_CREAT | O_EXCL, 0644), EEXIST);
    lab.fails(lab.k.open(m, "/tmp", O_RDONLY | O_CREAT | O_EXCL, 0644), EEXIST);  // Any kind of file.
}

TEST_CASE("O_TRUNC empties an existing regular file, even opened O_RDONLY as Linux does")
{
    // POSIX leaves O_RDONLY|O_TRUNC unspecified; Linux truncates (do_open() truncates whenever
    // O_TRUNC is given and asks for write permission in build_open_flags()).
    Lab lab;
    pid_t const m = lab.main;
    make_file(lab, "/tmp/t", "old contents");
    int flags = O_WRONLY;
    SUBCASE("O_WRONLY") { flags = O_WRONLY; }
    SUBCASE("O_RDWR") { flags = O_RDWR; }
    SUBCASE("O_RDONLY") { flags = O_RDONLY; }
    int const fd = lab.open(m, "/tmp/t", flags | O_TRUNC);
    CHECK(fstat_of(lab, m, fd).size == 0);
    CHECK(file_text(lab, "/tmp/t").empty());
}

TEST_CASE("O_APPEND: every write goes to the end of the file, even after an lseek")
{
    // open(2): "Before each write(2), the file offset is positioned at the end of the file, as
    // if with lseek(2)." The lseek itself still works, and reads start where it put the offset.
    Lab lab;
    pid_t const m = lab.main;
    make_file(lab, "/tmp/log", "abc");
    int const fd = lab.open(m, "/tmp/log", O_RDWR | O_APPEND);
    CHECK(ok(lab, lab.k.lseek(m, fd, 0, SEEK_SET)) == 0);
    CHECK(lab.write(m, fd, "XY") == 2);
    CHECK(offset_of(lab, m, fd) == 5);
    CHECK(file_text(lab, "/tmp/log") == "abcXY");
    ok(lab, lab.k.lseek(m, fd, 1, SEEK_SET));
    CHECK(lab.read(m, fd, 2) == "bc");
    lab.write(m, fd, "Z");
    CHECK(file_text(lab, "/tmp/log") == "abcXYZ");
}

TEST_CASE("O_CLOEXEC sets FD_CLOEXEC on the new descriptor, and only on it")
{
    Lab lab;
    pid_t const m = lab.main;
    int const a = lab.open(m, "/tmp/f", O_RDWR | O_CREAT | O_CLOEXEC);
    int const b = lab.open(m, "/tmp/f", O_RDWR);
    CHECK(getfd(lab, m, a) == FD_CLOEXEC);
    CHECK(getfd(lab, m, b) == 0);
    CHECK((getfl(lab, m, a) & O_CLOEXEC) == 0);  // A descriptor flag, not a status flag.
}

TEST_CASE("F_GETFL reports the access mode, the status flags and O_LARGEFILE, never the creation flags")
{
    // Linux forces O_LARGEFILE (0100000) on every open by a 64-bit process and drops O_CREAT,
    // O_EXCL, O_NOCTTY and O_TRUNC in do_dentry_open(). Checked on the host: 0106002, 0100000,
    // 0100001 for the three opens below.
    static_assert(kOLargefile == 0100000);
    Lab lab;
    pid_t const m = lab.main;
    int const a = lab.open(m, "/tmp/f", O_RDWR | O_CREAT | O_TRUNC | O_APPEND | O_NONBLOCK | O_CLOEXEC, 0644);
    CHECK(getfl(lab, m, a) == (0100000 | O_RDWR | O_APPEND | O_NONBLOCK));
    CHECK(getfl(lab, m, lab.open(m, "/tmp/f", O_RDONLY)) == 0100000);
    CHECK(getfl(lab, m, lab.open(m, "/tmp/f", O_WRONLY | O_NOCTTY | O_EXCL)) == (0100000 | O_WRONLY));
}

TEST_CASE("F_GETFL keeps O_DIRECTORY and O_NOFOLLOW, as Linux does")
{
    // On the host, open(".", O_RDONLY|O_DIRECTORY|O_NOFOLLOW) then F_GETFL gives 0700000:
    // Linux keeps both in f_flags; only O_CREAT, O_EXCL, O_NOCTTY and O_TRUNC are dropped.
    Lab lab;
    pid_t const m = lab.main;
    int const fd = lab.open(m, "/tmp", O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    CHECK(getfl(lab, m, fd) == (0100000 | O_DIRECTORY | O_NOFOLLOW));
}

TEST_CASE("O_NONBLOCK is a status flag: F_GETFL reports it and F_SETFL clears it")
{
    Lab lab;
    pid_t const m = lab.main;
    int const fd = lab.open(m, "/tmp/f", O_RDWR | O_CREAT | O_NONBLOCK);
    CHECK((getfl(lab, m, fd) & O_NONBLOCK) != 0);
    ok(lab, lab.k.fcntl(m, fd, F_SETFL, 0));
    CHECK(getfl(lab, m, fd) == (0100000 | O_RDWR));
}

TEST_CASE("O_DIRECTORY opens a directory and fails with ENOTDIR on anything else")
{
    Lab lab;
    pid_t const m = lab.main;
    make_file(lab, "/tmp/f", "x");
    int const fd = lab.open(m, "/home/student", O_RDONLY | O_DIRECTORY);
    CHECK(fstat_of(lab, m, fd).kind == InodeKind::Directory);
    lab.fails(lab.k.open(m, "/tmp/f", O_RDONLY | O_DIRECTORY), ENOTDIR);
    lab.fails(lab.k.open(m, "/dev/null", O_RDONLY | O_DIRECTORY), ENOTDIR);
}

TEST_CASE("the access mode decides what a descriptor allows: EBADF for the other direction")
{
    // read(2)/write(2): EBADF when fd "is not open for reading" / "for writing".
    Lab lab;
    pid_t const m = lab.main;
    make_file(lab, "/tmp/f", "data");
    int const ro = lab.open(m, "/tmp/f", O_RDONLY);
    int const wo = lab.open(m, "/tmp/f", O_WRONLY);
    int const rw = lab.open(m, "/tmp/f", O_RDWR);
    lab.fails(lab.try_write(m, ro, "x"), EBADF);
    lab.fails(lab.try_read(m, wo, 1), EBADF);
    CHECK(lab.read(m, rw, 2) == "da");
    CHECK(lab.write(m, rw, "XY") == 2);
    CHECK(file_text(lab, "/tmp/f") == "daXY");
}

TEST_CASE("access mode 3 (O_ACCMODE) opens a file for neither reading nor writing")
{
    // Linux accepts access mode 3 (OPEN_FMODE() gives neither FMODE_READ nor FMODE_WRITE) and
    // asks for both read and write permission. On the host, uid 1000:
    // open("rw", 3) -> fd with F_GETFL 0100003, read and write EBADF; open of a 0444 file -> EACCES.
    Lab lab;
    pid_t const m = lab.main;
    make_file(lab, "/tmp/rw", "data", 0644);
    make_file(lab, "/tmp/ro", "data", 0444);
    lab.fails(lab.k.open(m, "/tmp/ro", O_ACCMODE), EACCES);
    auto fd = lab.k.open(m, "/tmp/rw", O_ACCMODE);
    lab.check();
    REQUIRE_MESSAGE(fd, "open(O_ACCMODE) failed: " << why(fd));
    CHECK(getfl(lab, m, *fd) == (0100000 | O_ACCMODE));
    lab.fails(lab.try_read(m, *fd, 1), EBADF);
    lab.fails(lab.try_write(m, *fd, "x"), EBADF);
}

TEST_CASE("open of a missing name fails with ENOENT, and so does a missing directory on the way")
{
    Lab lab;
    pid_t const m = lab.main;
    lab.fails(lab.k.open(m, "/tmp/none", O_RDONLY), ENOENT);
    lab.fails(lab.k.open(m, "/tmp/nodir/f", O_RDONLY), ENOENT);
    lab.fails(lab.k.open(m, "/tmp/nodir/f", O_RDWR | O_CREAT, 0644), ENOENT);  // O_CREAT makes one name only.
    lab.fails(lab.k.open(m, "", O_RDONLY), ENOENT);
}

TEST_CASE("a path that goes through a regular file fails with ENOTDIR")
{
    Lab lab;
    pid_t const m = lab.main;
    make_file(lab, "/tmp/f", "x");
    lab.fails(lab.k.open(m, "/tmp/f/x", O_RDONLY), ENOTDIR);
    lab.fails(lab.k.open(m, "/tmp/f/x", O_RDWR | O_CREAT, 0644), ENOTDIR);
    lab.fails(lab.k.open(m, "/tmp/f/", O_RDONLY), ENOTDIR);  // A trailing slash asks for a directory.
}

TEST_CASE("a directory opens for reading only: EISDIR for writing or O_CREAT")
{
    // open(2): EISDIR "pathname refers to a directory and the access requested involved writing".
    Lab lab;
    pid_t const m = lab.main;
    int flags = O_WRONLY;
    SUBCASE("O_WRONLY") { flags = O_WRONLY; }
    SUBCASE("O_RDWR") { flags = O_RDWR; }
    SUBCASE("O_RDONLY|O_CREAT") { flags = O_RDONLY | O_CREAT; }
    lab.fails(lab.k.open(m, "/tmp", flags, 0644), EISDIR);
    lab.fails(lab.k.open(m, "/tmp/newdir/", O_RDONLY | O_CREAT, 0644), EISDIR);  // O_CREAT never makes a directory.
    CHECK(lab.open(m, "/tmp", O_RDONLY) == 3);
}

TEST_CASE("creating a file needs write permission on the directory: EACCES in / for uid 1000")
{
    Lab lab;
    pid_t const m = lab.main;
    lab.fails(lab.k.open(m, "/newfile", O_RDWR | O_CREAT, 0644), EACCES);
    lab.fails(lab.k.open(m, "newfile", O_RDWR | O_CREAT, 0644), EACCES);  // The cwd is "/".
    CHECK(lab.open(m, "/tmp/newfile", O_RDWR | O_CREAT) == 3);
    CHECK(lab.open(m, "/home/student/newfile", O_RDWR | O_CREAT) == 4);
    CHECK(lab.open(kInit, "/newfile", O_RDWR | O_CREAT) >= 3);  // Root bypasses the check.
}

TEST_CASE("a root-owned 0600 file is closed to uid 1000 in every access mode, but root opens it")
{
    Lab lab;
    pid_t const m = lab.main;
    make_file(lab, "/tmp/secret", "pw", 0600, 0);
    lab.fails(lab.k.open(m, "/tmp/secret", O_RDONLY), EACCES);
    lab.fails(lab.k.open(m, "/tmp/secret", O_WRONLY), EACCES);
    lab.fails(lab.k.open(m, "/tmp/secret", O_RDWR), EACCES);
    lab.fails(lab.k.open(m, "/tmp/secret", O_RDONLY | O_TRUNC), EACCES);
    CHECK(file_text(lab, "/tmp/secret") == "pw");  // The failed O_TRUNC did nothing.
    int const fd = lab.open(kInit, "/tmp/secret", O_RDWR);
    CHECK(lab.read(kInit, fd, 10) == "pw");
}

TEST_CASE("every directory on the way needs search permission: EACCES below a 0700 root directory")
{
    Lab lab;
    pid_t const m = lab.main;
    REQUIRE(lab.k.vfs().mkdir_p("/secret", 0700, 0));
    make_file(lab, "/secret/x", "x", 0666, Lab::kStudent);
    lab.fails(lab.k.open(m, "/secret/x", O_RDONLY), EACCES);
    lab.fails(lab.k.open(m, "/secret/y", O_RDWR | O_CREAT, 0644), EACCES);
    CHECK(lab.open(kInit, "/secret/x", O_RDONLY) >= 3);
}

TEST_CASE("ENAMETOOLONG for a name over 255 bytes or a path of 4096 bytes or more")
{
    Lab lab;
    pid_t const m = lab.main;
    std::string const name256(256, 'a');
    lab.fails(lab.k.open(m, "/tmp/" + name256, O_RDWR | O_CREAT, 0644), ENAMETOOLONG);
    lab.fails(lab.k.open(m, "/tmp/" + name256.substr(1), O_RDONLY), ENOENT);  // 255 is allowed.
    lab.fails(lab.k.open(m, std::string(4096, '/'), O_RDONLY), ENAMETOOLONG);  // PATH_MAX counts the NUL.
    CHECK(lab.open(m, std::string(4095, '/'), O_RDONLY) == 3);  // "/" spelled long.
}

// ---------------------------------------------------------------------------------------------
// The fd table
// ---------------------------------------------------------------------------------------------

TEST_CASE("open, dup and F_DUPFD take the lowest free descriptor")
{
    // POSIX: open() and dup() return "the lowest numbered unused file descriptor"; F_DUPFD the
    // lowest one at or above its argument.
    Lab lab;
    pid_t const m = lab.main;  // 0, 1 and 2 are the terminal, inherited from init.
    CHECK(lab.open(m, "/tmp/a", O_RDWR | O_CREAT) == 3);
    CHECK(lab.open(m, "/tmp/a", O_RDWR) == 4);
    ok(lab, lab.k.close(m, 3));
    CHECK(ok(lab, lab.k.dup(m, 4)) == 3);
    ok(lab, lab.k.close(m, 1));
    CHECK(ok(lab, lab.k.fcntl(m, 4, F_DUPFD, 0)) == 1);
    CHECK(ok(lab, lab.k.fcntl(m, 4, F_DUPFD, 10)) == 10);
    CHECK(ok(lab, lab.k.fcntl(m, 4, F_DUPFD, 3)) == 5);
    CHECK(lab.open(m, "/tmp/a", O_RDONLY) == 6);
}

TEST_CASE("RLIMIT_NOFILE: EMFILE when every descriptor below the limit is taken")
{
    Lab lab;
    pid_t const m = lab.main;
    set_limit(lab, m, RLIMIT_NOFILE, 5, 5);
    CHECK(lab.open(m, "/tmp/a", O_RDWR | O_CREAT) == 3);
    CHECK(lab.open(m, "/tmp/a", O_RDWR) == 4);
    long const files = lab.k.vfs().nr_files();
    lab.fails(lab.k.open(m, "/tmp/a", O_RDWR), EMFILE);
    lab.fails(lab.k.open(m, "/tmp/b", O_RDWR | O_CREAT, 0644), EMFILE);
    lab.fails(lab.k.dup(m, 0), EMFILE);
    lab.fails(lab.k.fcntl(m, 0, F_DUPFD, 4), EMFILE);
    CHECK(lab.k.vfs().nr_files() == files);  // The failed opens left no description behind.
    ok(lab, lab.k.close(m, 4));
    CHECK(ok(lab, lab.k.dup(m, 0)) == 4);
}

TEST_CASE("a target at or above RLIMIT_NOFILE: dup2 and dup3 fail with EBADF, F_DUPFD with EINVAL")
{
    // dup2(2): EBADF "newfd is out of the allowed range"; fcntl(2): EINVAL "arg is negative or
    // is greater than the maximum allowable value". Checked on the host with a limit of 10.
    Lab lab;
    pid_t const m = lab.main;
    set_limit(lab, m, RLIMIT_NOFILE, 10, 10);
    lab.fails(lab.k.dup2(m, 0, 10), EBADF);
    lab.fails(lab.k.dup3(m, 0, 10, 0), EBADF);
    lab.fails(lab.k.dup2(m, 0, -1), EBADF);
    lab.fails(lab.k.fcntl(m, 0, F_DUPFD, 10), EINVAL);
    lab.fails(lab.k.fcntl(m, 0, F_DUPFD_CLOEXEC, 10), EINVAL);
    lab.fails(lab.k.fcntl(m, 0, F_DUPFD, -1), EINVAL);
    CHECK(ok(lab, lab.k.dup2(m, 0, 9)) == 9);
}

// ---------------------------------------------------------------------------------------------
// close(2)
// ---------------------------------------------------------------------------------------------

TEST_CASE("close of a descriptor that is not open fails with EBADF, so a second close does")
{
    Lab lab;
    pid_t const m = lab.main;
    int const fd = lab.open(m, "/tmp/a", O_RDWR | O_CREAT);
    ok(lab, lab.k.close(m, fd));
    lab.fails(lab.k.close(m, fd), EBADF);
    lab.fails(lab.k.close(m, -1), EBADF);
    lab.fails(lab.k.close(m, 100000), EBADF);
    lab.fails(lab.k.fstat(m, fd), EBADF);
}

TEST_CASE("a child's close leaves the parent's descriptor open, and the child's next open reuses the number")
{
    // fork(2): the child gets copies of the parent's descriptors; closing a copy closes only it.
    Lab lab;
    pid_t const m = lab.main;
    make_file(lab, "/tmp/f", "parent");
    make_file(lab, "/tmp/g", "child");
    int const fd = lab.open(m, "/tmp/f", O_RDONLY);
    pid_t const c = lab.fork(m);
    ok(lab, lab.k.close(c, fd));
    lab.fails(lab.k.fstat(c, fd), EBADF);
    CHECK(lab.read(m, fd, 10) == "parent");
    CHECK(lab.open(c, "/tmp/g", O_RDONLY) == fd);
    CHECK(lab.read(c, fd, 10) == "child");
    CHECK(description(lab, m, fd) != description(lab, c, fd));
}

// ---------------------------------------------------------------------------------------------
// What fork shares: the open file description
// ---------------------------------------------------------------------------------------------

TEST_CASE("after fork the offset is shared: a child's lseek moves where the parent's next read starts")
{
    // fork(2): the child's descriptors "refer to the same open file descriptions ... share file
    // status flags, file offset".
    Lab lab;
    pid_t const m = lab.main;
    make_file(lab, "/tmp/f", "0123456789");
    int const fd = lab.open(m, "/tmp/f", O_RDONLY);
    pid_t const c = lab.fork(m);
    CHECK(description(lab, m, fd) == description(lab, c, fd));
    ok(lab, lab.k.lseek(c, fd, 6, SEEK_SET));
    CHECK(lab.read(m, fd, 2) == "67");
    CHECK(offset_of(lab, c, fd) == 8);  // And the parent's read moved the child's offset.
}

TEST_CASE("a hundred children each read one byte and leave the parent at end-of-file")
{
    Lab lab;
    pid_t const m = lab.main;
    std::string text;
    for (int i = 0; i < 100; ++i)
        text.push_back(char('A' + i % 26));
    make_file(lab, "/tmp/f", text);
    int const fd = lab.open(m, "/tmp/f", O_RDONLY);
    std::string seen;
    for (int i = 0; i < 100; ++i) {
        pid_t const c = lab.fork(m);
        seen += lab.read(c, fd, 1);
        lab.exit(c);
        lab.reap(m, c);
    }
    CHECK(seen == text);  // Each child started where the previous one stopped.
    CHECK(offset_of(lab, m, fd) == 100);
    CHECK(lab.read(m, fd, 10).empty());
}

TEST_CASE("O_APPEND set with F_SETFL by one process is seen by the other: status flags are shared")
{
    Lab lab;
    pid_t const m = lab.main;
    make_file(lab, "/tmp/f", "abc");
    int const fd = lab.open(m, "/tmp/f", O_WRONLY);
    pid_t const c = lab.fork(m);
    pid_t setter = m, other = c;
    SUBCASE("the child sets it") { setter = c; other = m; }
    SUBCASE("the parent sets it") { setter = m; other = c; }
    ok(lab, lab.k.fcntl(setter, fd, F_SETFL, O_APPEND));
    CHECK((getfl(lab, other, fd) & O_APPEND) != 0);
    lab.write(other, fd, "Z");  // The offset is 0, but the write goes to the end.
    CHECK(file_text(lab, "/tmp/f") == "abcZ");
}

TEST_CASE("FD_CLOEXEC set by one process is not seen by the other: it belongs to the descriptor")
{
    Lab lab;
    pid_t const m = lab.main;
    int const fd = lab.open(m, "/tmp/f", O_RDWR | O_CREAT);
    pid_t const c = lab.fork(m);
    SUBCASE("the child sets it")
    {
        ok(lab, lab.k.fcntl(c, fd, F_SETFD, FD_CLOEXEC));
        CHECK(getfd(lab, c, fd) == FD_CLOEXEC);
        CHECK(getfd(lab, m, fd) == 0);
    }
    SUBCASE("the parent clears one the child inherited")
    {
        int const ce = lab.open(m, "/tmp/f", O_RDWR | O_CLOEXEC);
        pid_t const c2 = lab.fork(m);
        CHECK(getfd(lab, c2, ce) == FD_CLOEXEC);  // fork copies the flag with the table.
        ok(lab, lab.k.fcntl(m, ce, F_SETFD, 0));
        CHECK(getfd(lab, c2, ce) == FD_CLOEXEC);
    }
}

TEST_CASE("two separate opens of one file have their own offsets, so their writes overwrite each other")
{
    Lab lab;
    pid_t const m = lab.main;
    int const a = lab.open(m, "/tmp/f", O_WRONLY | O_CREAT);
    SUBCASE("in one process")
    {
        int const b = lab.open(m, "/tmp/f", O_WRONLY);
        lab.write(m, a, "parent");
        lab.write(m, b, "child");
    }
    SUBCASE("in a parent and a child that opened after the fork")
    {
        pid_t const c = lab.fork(m);
        int const b = lab.open(c, "/tmp/f", O_WRONLY);
        lab.write(m, a, "parent");
        lab.write(c, b, "child");
    }
    CHECK(file_text(lab, "/tmp/f") == "childt");
}

TEST_CASE("a parent and a forked child writing through one description never overwrite each other")
{
    Lab lab;
    pid_t const m = lab.main;
    int const fd = lab.open(m, "/tmp/f", O_WRONLY | O_CREAT);
    pid_t const c = lab.fork(m);
    lab.write(m, fd, "parent ");
    lab.write(c, fd, "child ");
    lab.write(m, fd, "parent");
    CHECK(file_text(lab, "/tmp/f") == "parent child parent");
    CHECK(offset_of(lab, c, fd) == 19);
}

TEST_CASE("a forked child has its own working directory and umask: its chdir and umask leave the parent's")
{
    // fork(2) copies the fs_struct (cwd, root, umask); only CLONE_FS shares it.
    Lab lab;
    pid_t const m = lab.main;
    pid_t const c = lab.fork(m);
    ok(lab, lab.k.chdir(c, "/tmp"));
    ok(lab, lab.k.umask(c, 077));
    CHECK(lab.open(c, "f", O_RDWR | O_CREAT, 0666) == 3);
    CHECK(fstat_of(lab, c, 3).mode == 0600);
    lab.fails(lab.k.stat(m, "f"), ENOENT);  // The parent still looks in "/".
    CHECK(ok(lab, lab.k.umask(m, 022)) == 022);
}

// ---------------------------------------------------------------------------------------------
// dup(2), dup2(2), dup3(2)
// ---------------------------------------------------------------------------------------------

TEST_CASE("dup gives a second descriptor for the same description: one offset, one set of status flags")
{
    Lab lab;
    pid_t const m = lab.main;
    make_file(lab, "/tmp/f", "0123456789");
    int const a = lab.open(m, "/tmp/f", O_RDWR);
    int b = -1;
    SUBCASE("dup") { b = ok(lab, lab.k.dup(m, a)); }
    SUBCASE("dup2") { b = ok(lab, lab.k.dup2(m, a, 7)); }
    SUBCASE("dup3") { b = ok(lab, lab.k.dup3(m, a, 7, 0)); }
    SUBCASE("F_DUPFD") { b = int(ok(lab, lab.k.fcntl(m, a, F_DUPFD, 5))); }
    CHECK(description(lab, m, a) == description(lab, m, b));
    CHECK(lab.read(m, a, 3) == "012");
    CHECK(lab.read(m, b, 3) == "345");
    ok(lab, lab.k.fcntl(m, b, F_SETFL, O_APPEND));
    CHECK(getfl(lab, m, a) == (0100000 | O_RDWR | O_APPEND));
}

TEST_CASE("a duplicate is close-on-exec only when asked: FD_CLOEXEC is per descriptor")
{
    // dup(2): "The two file descriptors do not share file descriptor flags (the close-on-exec
    // flag). The close-on-exec flag for the duplicate descriptor is off."
    Lab lab;
    pid_t const m = lab.main;
    int const a = lab.open(m, "/tmp/f", O_RDWR | O_CREAT | O_CLOEXEC);
    int b = -1;
    long expected = 0;
    SUBCASE("dup") { b = ok(lab, lab.k.dup(m, a)); }
    SUBCASE("dup2") { b = ok(lab, lab.k.dup2(m, a, 8)); }
    SUBCASE("dup3 without flags") { b = ok(lab, lab.k.dup3(m, a, 8, 0)); }
    SUBCASE("F_DUPFD") { b = int(ok(lab, lab.k.fcntl(m, a, F_DUPFD, 0))); }
    SUBCASE("dup3 with O_CLOEXEC") { b = ok(lab, lab.k.dup3(m, a, 8, O_CLOEXEC)); expected = FD_CLOEXEC; }
    SUBCASE("F_DUPFD_CLOEXEC") { b = int(ok(lab, lab.k.fcntl(m, a, F_DUPFD_CLOEXEC, 0))); expected = FD_CLOEXEC; }
    CHECK(getfd(lab, m, b) == expected);
    CHECK(getfd(lab, m, a) == FD_CLOEXEC);
}

TEST_CASE("dup2(fd, fd) returns fd and changes nothing, dup3(fd, fd, 0) fails with EINVAL")
{
    // dup2(2): "If oldfd is a valid file descriptor, and newfd has the same value as oldfd, then
    // dup2() does nothing, and returns newfd." dup3(2): EINVAL "oldfd was equal to newfd".
    Lab lab;
    pid_t const m = lab.main;
    int const fd = lab.open(m, "/tmp/f", O_RDWR | O_CREAT | O_CLOEXEC);
    long const files = lab.k.vfs().nr_files();
    CHECK(ok(lab, lab.k.dup2(m, fd, fd)) == fd);
    CHECK(getfd(lab, m, fd) == FD_CLOEXEC);
    CHECK(lab.k.vfs().nr_files() == files);
    lab.fails(lab.k.dup3(m, fd, fd, 0), EINVAL);
    lab.fails(lab.k.dup3(m, fd, fd, O_CLOEXEC), EINVAL);
    lab.fails(lab.k.dup2(m, 9, 9), EBADF);  // dup2 still wants oldfd open.
}

TEST_CASE("dup2 closes what the target named, silently, freeing a description that loses its last reference")
{
    Lab lab;
    pid_t const m = lab.main;
    make_file(lab, "/tmp/f", "from f");
    make_file(lab, "/tmp/g", "from g");
    int const f = lab.open(m, "/tmp/f", O_RDONLY);
    int const g = lab.open(m, "/tmp/g", O_RDONLY);
    long const files = lab.k.vfs().nr_files();
    CHECK(ok(lab, lab.k.dup2(m, f, g)) == g);
    CHECK(lab.k.vfs().nr_files() == files - 1);
    CHECK(lab.read(m, g, 10) == "from f");
    Event const e = last_of(lab, EventKind::FileClosed, m);
    CHECK(CloseReason(e.aux & 0x7f) == CloseReason::Dup2);
    CHECK((e.aux & 0x80) != 0);  // It was the last reference.
}

TEST_CASE("dup3 rejects any flag but O_CLOEXEC with EINVAL and leaves the target alone")
{
    Lab lab;
    pid_t const m = lab.main;
    int const a = lab.open(m, "/tmp/a", O_RDWR | O_CREAT);
    int const b = lab.open(m, "/tmp/b", O_RDWR | O_CREAT);
    OpenFileDescription const* before = description(lab, m, b);
    lab.fails(lab.k.dup3(m, a, b, O_NONBLOCK), EINVAL);
    lab.fails(lab.k.dup3(m, a, b, 0x12345), EINVAL);
    lab.fails(lab.k.dup3(m, 99, b, O_APPEND), EINVAL);  // The flags are checked before the fd.
    CHECK(description(lab, m, b) == before);
}

TEST_CASE("dup, dup2, fcntl, lseek, read and write fail with EBADF on a descriptor that is not open")
{
    Lab lab;
    pid_t const m = lab.main;
    lab.fails(lab.k.dup(m, 7), EBADF);
    lab.fails(lab.k.dup(m, -1), EBADF);
    lab.fails(lab.k.dup2(m, 7, 8), EBADF);
    lab.fails(lab.k.dup3(m, 7, 8, 0), EBADF);
    lab.fails(lab.k.fcntl(m, 7, F_GETFD), EBADF);
    lab.fails(lab.k.fcntl(m, 7, F_DUPFD, 0), EBADF);
    lab.fails(lab.k.fcntl(m, 7, 12345), EBADF);  // The fd is checked before the command.
    lab.fails(lab.k.lseek(m, 7, 0, SEEK_SET), EBADF);
    lab.fails(lab.try_read(m, 7, 1), EBADF);
    lab.fails(lab.try_write(m, 7, "x"), EBADF);
}

// ---------------------------------------------------------------------------------------------
// fcntl(2)
// ---------------------------------------------------------------------------------------------

TEST_CASE("F_GETFD and F_SETFD read and write the FD_CLOEXEC bit and nothing else")
{
    Lab lab;
    pid_t const m = lab.main;
    int const fd = lab.open(m, "/tmp/f", O_RDWR | O_CREAT);
    CHECK(getfd(lab, m, fd) == 0);
    CHECK(ok(lab, lab.k.fcntl(m, fd, F_SETFD, 0xff)) == 0);
    CHECK(getfd(lab, m, fd) == FD_CLOEXEC);
    ok(lab, lab.k.fcntl(m, fd, F_SETFD, 0));
    CHECK(getfd(lab, m, fd) == 0);
}

TEST_CASE("F_SETFL changes O_APPEND and O_NONBLOCK but never the access mode")
{
    // fcntl(2): "File access mode (O_RDONLY, O_WRONLY, O_RDWR) and file creation flags ... in arg
    // are ignored." On the host: F_SETFL O_RDWR|O_APPEND on an O_RDONLY fd, then F_GETFL = 0102000.
    Lab lab;
    pid_t const m = lab.main;
    make_file(lab, "/tmp/f", "abc");
    int const fd = lab.open(m, "/tmp/f", O_RDONLY);
    CHECK(ok(lab, lab.k.fcntl(m, fd, F_SETFL, O_RDWR | O_APPEND | O_TRUNC | O_CREAT)) == 0);
    CHECK(getfl(lab, m, fd) == (0100000 | O_RDONLY | O_APPEND));
    lab.fails(lab.try_write(m, fd, "x"), EBADF);
    CHECK(file_text(lab, "/tmp/f") == "abc");
}

TEST_CASE("fcntl with an unknown command fails with EINVAL")
{
    Lab lab;
    pid_t const m = lab.main;
    int const fd = lab.open(m, "/tmp/f", O_RDWR | O_CREAT);
    lab.fails(lab.k.fcntl(m, fd, 12345), EINVAL);
    lab.fails(lab.k.fcntl(m, fd, -1), EINVAL);
}

// ---------------------------------------------------------------------------------------------
// lseek(2)
// ---------------------------------------------------------------------------------------------

TEST_CASE("lseek with SEEK_SET, SEEK_CUR and SEEK_END returns the new offset, and reads start there")
{
    Lab lab;
    pid_t const m = lab.main;
    make_file(lab, "/tmp/f", "0123456789");
    int const fd = lab.open(m, "/tmp/f", O_RDONLY);
    CHECK(ok(lab, lab.k.lseek(m, fd, 2, SEEK_SET)) == 2);
    CHECK(lab.read(m, fd, 2) == "23");
    CHECK(ok(lab, lab.k.lseek(m, fd, 3, SEEK_CUR)) == 7);
    CHECK(lab.read(m, fd, 1) == "7");
    CHECK(ok(lab, lab.k.lseek(m, fd, -1, SEEK_CUR)) == 7);
    CHECK(ok(lab, lab.k.lseek(m, fd, -4, SEEK_END)) == 6);
    CHECK(lab.read(m, fd, 10) == "6789");
    CHECK(ok(lab, lab.k.lseek(m, fd, 5, SEEK_END)) == 15);  // Past the end is allowed.
    CHECK(lab.read(m, fd, 10).empty());
}

TEST_CASE("a write after seeking past the end leaves a hole that reads as zeros")
{
    Lab lab;
    pid_t const m = lab.main;
    make_file(lab, "/tmp/f", "ab");
    int const fd = lab.open(m, "/tmp/f", O_RDWR);
    CHECK(fstat_of(lab, m, fd).size == 2);
    ok(lab, lab.k.lseek(m, fd, 6000, SEEK_SET));  // Into the second page.
    CHECK(fstat_of(lab, m, fd).size == 2);        // The seek alone changes nothing.
    lab.write(m, fd, "Z");
    CHECK(fstat_of(lab, m, fd).size == 6001);
    std::string expected = "ab" + std::string(5998, '\0') + "Z";
    CHECK(file_text(lab, "/tmp/f") == expected);
    ok(lab, lab.k.lseek(m, fd, 0, SEEK_SET));
    CHECK(lab.read(m, fd, 6001) == expected);
}

TEST_CASE("lseek to a negative offset or with an unknown whence fails with EINVAL and keeps the offset")
{
    Lab lab;
    pid_t const m = lab.main;
    make_file(lab, "/tmp/f", "0123456789");
    int const fd = lab.open(m, "/tmp/f", O_RDONLY);
    ok(lab, lab.k.lseek(m, fd, 4, SEEK_SET));
    lab.fails(lab.k.lseek(m, fd, -1, SEEK_SET), EINVAL);
    lab.fails(lab.k.lseek(m, fd, -5, SEEK_CUR), EINVAL);
    lab.fails(lab.k.lseek(m, fd, -11, SEEK_END), EINVAL);
    lab.fails(lab.k.lseek(m, fd, 0, 7), EINVAL);
    CHECK(offset_of(lab, m, fd) == 4);
}

TEST_CASE("the terminal has no offset: lseek fails with ESPIPE")
{
    // On the host, lseek() on a pseudo-terminal gives ESPIPE (the tty's llseek is no_llseek).
    Lab lab;
    pid_t const m = lab.main;
    lab.fails(lab.k.lseek(m, 1, 0, SEEK_SET), ESPIPE);
    lab.fails(lab.k.lseek(m, 0, 0, SEEK_CUR), ESPIPE);
    int const fd = lab.open(m, "/dev/tty", O_RDWR);
    lab.fails(lab.k.lseek(m, fd, 0, SEEK_END), ESPIPE);
}

TEST_CASE("/dev/null swallows every write, reads as end-of-file, and every seek lands at 0")
{
    // drivers/char/mem.c: null_lseek() sets the position to 0 whatever it is asked.
    Lab lab;
    pid_t const m = lab.main;
    int const fd = lab.open(m, "/dev/null", O_RDWR);
    CHECK(lab.write(m, fd, "thrown away") == 11);
    CHECK(lab.read(m, fd, 10).empty());
    CHECK(ok(lab, lab.k.lseek(m, fd, 100, SEEK_SET)) == 0);
    CHECK(ok(lab, lab.k.lseek(m, fd, -5, SEEK_SET)) == 0);
    CHECK(fstat_of(lab, m, fd).size == 0);
}

TEST_CASE("lseek with an unknown whence fails with EINVAL even on /dev/null")
{
    // ksys_lseek() rejects whence > SEEK_MAX before the driver's llseek is called. On the host,
    // lseek(open("/dev/null"), 0, 9) fails with EINVAL.
    Lab lab;
    pid_t const m = lab.main;
    int const fd = lab.open(m, "/dev/null", O_RDWR);
    lab.fails(lab.k.lseek(m, fd, 0, 9), EINVAL);
}

// ---------------------------------------------------------------------------------------------
// read(2) and write(2)
// ---------------------------------------------------------------------------------------------

TEST_CASE("read and write with a buffer outside the address space fail with EFAULT, and no signal is sent")
{
    // read(2): EFAULT "buf is outside your accessible address space". The kernel returns an
    // error; it does not send SIGSEGV for a bad system-call argument.
    Lab lab;
    pid_t const m = lab.main;
    make_file(lab, "/tmp/f", "0123456789");
    int const fd = lab.open(m, "/tmp/f", O_RDWR);
    std::uint64_t const wild = 0x1000;  // Nothing is mapped there.
    lab.fails(lab.k.read(m, fd, wild, 4), EFAULT);
    lab.fails(lab.k.write(m, fd, wild, 4), EFAULT);
    lab.fails(lab.k.read(m, fd, kTaskSize - 2, 4), EFAULT);  // Crosses the top of user space.
    CHECK(offset_of(lab, m, fd) == 0);
    CHECK(file_text(lab, "/tmp/f") == "0123456789");
    CHECK(ok(lab, lab.k.sigpending(m)) == 0);
    CHECK(lab.task(m).state == TaskState::Runnable);
    CHECK(lab.read(m, fd, 3) == "012");
}

TEST_CASE("a buffer that runs into unmapped memory gives a short read and a short write")
{
    // On the host: read(fd, buf, 8192) with the second page of buf unmapped returns 4096, and
    // write() likewise, each moving the offset by what was copied.
    Lab lab;
    pid_t const m = lab.main;
    make_file(lab, "/tmp/f", std::string(10000, 'z'));
    int const fd = lab.open(m, "/tmp/f", O_RDWR);
    std::uint64_t const buf = ok(lab, lab.k.mmap(m, 0, 2 * kPageSize, PROT_READ | PROT_WRITE,
        MAP_PRIVATE | MAP_ANONYMOUS));
    ok(lab, lab.k.munmap(m, buf + kPageSize, kPageSize));
    auto r = ok(lab, lab.k.read(m, fd, buf, 2 * kPageSize));
    CHECK(r.value == std::int64_t(kPageSize));
    CHECK(offset_of(lab, m, fd) == std::int64_t(kPageSize));
    r = ok(lab, lab.k.write(m, fd, buf, 2 * kPageSize));
    CHECK(r.value == std::int64_t(kPageSize));
    CHECK(offset_of(lab, m, fd) == std::int64_t(2 * kPageSize));
}

TEST_CASE("read returns what is left at end-of-file, then 0")
{
    Lab lab;
    pid_t const m = lab.main;
    make_file(lab, "/tmp/f", "hello");
    int const fd = lab.open(m, "/tmp/f", O_RDONLY);
    CHECK(lab.read(m, fd, 3) == "hel");
    CHECK(lab.read(m, fd, 100) == "lo");  // A short read: only two bytes were left.
    auto r = ok(lab, lab.k.read(m, fd, Lab::kScratch, 100));
    CHECK(r.value == 0);
    CHECK(ok(lab, lab.k.read(m, fd, 0x1000, 100)).value == 0);  // Nothing to copy: no EFAULT either.
}

TEST_CASE("reading into memory that fork shares copy-on-write copies the page: the parent's buffer is unchanged")
{
    Lab lab;
    pid_t const m = lab.main;
    make_file(lab, "/tmp/f", "from the file");
    int const fd = lab.open(m, "/tmp/f", O_RDONLY);
    store(lab, m, "parent's bytes");
    pid_t const c = lab.fork(m);
    CHECK(lab.read(c, fd, 13) == "from the file");
    CHECK(load(lab, m, Lab::kScratch, 14) == "parent's bytes");
    CHECK(load(lab, c, Lab::kScratch, 14) == "from the files");
    Event const fault = last_of(lab, EventKind::PageFault, c);
    CHECK(FaultResult::Kind(fault.aux & 0x1f) == FaultResult::Kind::CowCopy);
    CHECK((fault.aux & 0x40) != 0);  // The kernel wrote to the child's page.
}

TEST_CASE("RLIMIT_FSIZE: a write crossing the limit is cut short, one at the limit gets SIGXFSZ and EFBIG")
{
    // setrlimit(2): "Attempts to extend a file beyond this limit result in delivery of a SIGXFSZ
    // signal... the system call fails with EFBIG." On the host with a limit of 10: write(7) -> 7,
    // write(7) -> 3 with no signal, write(1) -> EFBIG with SIGXFSZ, write(0) -> 0.
    Lab lab;
    pid_t const m = lab.main;
    int const fd = lab.open(m, "/tmp/f", O_WRONLY | O_CREAT);
    pid_t const c = lab.fork(m);
    set_limit(lab, c, RLIMIT_FSIZE, 10);
    bool ignored = false;
    SUBCASE("default action") {}
    SUBCASE("SIGXFSZ ignored")
    {
        ignored = true;
        ok(lab, lab.k.sigaction(c, SIGXFSZ, SigAction{kSigIgn}));
    }
    CHECK(lab.write(c, fd, "0123456") == 7);
    CHECK(lab.write(c, fd, "abcdefg") == 3);
    CHECK(ok(lab, lab.k.sigpending(c)) == 0);
    lab.fails(lab.try_write(c, fd, "x"), EFBIG);
    CHECK(lab.write(c, fd, "") == 0);
    CHECK(file_text(lab, "/tmp/f") == "0123456abc");
    lab.run(c);
    if (ignored) {
        CHECK(lab.task(c).state == TaskState::Runnable);
        return;
    }
    WaitResult const w = lab.reap(m, c);
    CHECK(WIFSIGNALED(w.status));
    CHECK(WTERMSIG(w.status) == SIGXFSZ);
}

// ---------------------------------------------------------------------------------------------
// unlink(2)
// ---------------------------------------------------------------------------------------------

TEST_CASE("unlink removes the name, but an open file lives on: it reads through the fd with nlink 0")
{
    Lab lab;
    pid_t const m = lab.main;
    int const fd = lab.open(m, "/tmp/f", O_RDWR | O_CREAT);
    lab.write(m, fd, "still here");
    long const inodes = lab.k.vfs().nr_inodes();
    ok(lab, lab.k.unlink(m, "/tmp/f"));
    lab.fails(lab.k.stat(m, "/tmp/f"), ENOENT);
    lab.fails(lab.k.open(m, "/tmp/f", O_RDONLY), ENOENT);
    CHECK(fstat_of(lab, m, fd).nlink == 0);
    CHECK(lab.k.vfs().nr_inodes() == inodes);  // Not freed while open.
    ok(lab, lab.k.lseek(m, fd, 0, SEEK_SET));
    CHECK(lab.read(m, fd, 20) == "still here");
    ok(lab, lab.k.close(m, fd));
    CHECK(lab.k.vfs().nr_inodes() == inodes - 1);  // The last close frees it.
    CHECK(lab.open(m, "/tmp/f", O_RDWR | O_CREAT) == fd);  // The name is free for a new file.
    CHECK(fstat_of(lab, m, fd).size == 0);
}

TEST_CASE("unlink of a missing name fails with ENOENT, of a directory with EISDIR")
{
    // Linux returns EISDIR for a directory (unlink(2)); POSIX would allow EPERM.
    Lab lab;
    pid_t const m = lab.main;
    lab.fails(lab.k.unlink(m, "/tmp/none"), ENOENT);
    lab.fails(lab.k.unlink(m, "/tmp/nodir/f"), ENOENT);
    lab.fails(lab.k.unlink(m, "/home/student"), EISDIR);
    lab.fails(lab.k.unlink(kInit, "/tmp"), EISDIR);
}

TEST_CASE("unlink needs write and search permission on the directory: EACCES otherwise")
{
    Lab lab;
    pid_t const m = lab.main;
    REQUIRE(lab.k.vfs().mkdir_p("/etc", 0755, 0));
    make_file(lab, "/etc/passwd", "root", 0666, Lab::kStudent);  // Even the file's owner.
    lab.fails(lab.k.unlink(m, "/etc/passwd"), EACCES);
    lab.fails(lab.k.unlink(m, "/etc/none"), ENOENT);  // The lookup comes first.
    CHECK(file_text(lab, "/etc/passwd") == "root");
    ok(lab, lab.k.unlink(kInit, "/etc/passwd"));
}

TEST_CASE("in the sticky /tmp only the file's owner, the directory's owner or root may unlink: EPERM")
{
    // unlink(2): EPERM "The directory containing pathname has the sticky bit (S_ISVTX) set and
    // the process's effective UID is neither the UID of the file to be deleted nor that of the
    // directory containing it". Checked on the host with uid 1000 and a root-owned file.
    Lab lab;
    pid_t const m = lab.main;
    make_file(lab, "/tmp/roots", "r", 0666, 0);
    make_file(lab, "/tmp/others", "o", 0666, 1001);
    make_file(lab, "/tmp/mine", "m", 0600, Lab::kStudent);
    lab.fails(lab.k.unlink(m, "/tmp/roots"), EPERM);
    lab.fails(lab.k.unlink(m, "/tmp/others"), EPERM);
    ok(lab, lab.k.unlink(m, "/tmp/mine"));
    ok(lab, lab.k.unlink(kInit, "/tmp/others"));
    // Outside a sticky directory, write permission on the directory is enough.
    make_file(lab, "/home/student/roots", "r", 0600, 0);
    ok(lab, lab.k.unlink(m, "/home/student/roots"));
}

// ---------------------------------------------------------------------------------------------
// mkdir(2), chdir(2), stat(2)
// ---------------------------------------------------------------------------------------------

TEST_CASE("after chdir relative paths start at the new working directory, and .. goes up")
{
    Lab lab;
    pid_t const m = lab.main;
    ok(lab, lab.k.chdir(m, "/home/student"));
    ok(lab, lab.k.mkdir(m, "work", 0777));
    FileStat const dir = ok(lab, lab.k.stat(m, "/home/student/work"));
    CHECK(dir.kind == InodeKind::Directory);
    CHECK(dir.mode == 0755);  // Less the umask, as for files.
    CHECK(dir.uid == Lab::kStudent);
    ok(lab, lab.k.chdir(m, "work"));
    int const fd = lab.open(m, "notes", O_RDWR | O_CREAT);
    FileStat const abs = ok(lab, lab.k.stat(m, "/home/student/work/notes"));
    CHECK(abs.ino == fstat_of(lab, m, fd).ino);
    CHECK(ok(lab, lab.k.stat(m, "../work/./notes")).ino == abs.ino);
    ok(lab, lab.k.chdir(m, ".."));
    CHECK(ok(lab, lab.k.stat(m, "work/notes")).ino == abs.ino);
    CHECK(ok(lab, lab.k.stat(m, "/..")).ino == ok(lab, lab.k.stat(m, "/")).ino);  // "/.." is "/".
    CHECK(ok(lab, lab.k.stat(m, "../../../..")).ino == ok(lab, lab.k.stat(m, "/")).ino);
}

TEST_CASE("chdir to a regular file fails with ENOTDIR, to a directory without search permission with EACCES")
{
    Lab lab;
    pid_t const m = lab.main;
    make_file(lab, "/tmp/f", "x");
    REQUIRE(lab.k.vfs().mkdir_p("/secret", 0700, 0));
    lab.fails(lab.k.chdir(m, "/tmp/f"), ENOTDIR);
    lab.fails(lab.k.chdir(m, "/secret"), EACCES);
    lab.fails(lab.k.chdir(m, "/nowhere"), ENOENT);
    ok(lab, lab.k.chdir(kInit, "/secret"));
    CHECK(lab.task(m).fs->cwd == "/");  // The failures left the cwd alone.
}

TEST_CASE("mkdir fails with EEXIST on any existing name, ENOTDIR through a file, EACCES without write permission")
{
    Lab lab;
    pid_t const m = lab.main;
    make_file(lab, "/tmp/f", "x");
    lab.fails(lab.k.mkdir(m, "/tmp/f", 0755), EEXIST);
    lab.fails(lab.k.mkdir(m, "/tmp", 0755), EEXIST);
    lab.fails(lab.k.mkdir(m, "/tmp/f/sub", 0755), ENOTDIR);
    lab.fails(lab.k.mkdir(m, "/sub", 0755), EACCES);
    lab.fails(lab.k.mkdir(m, "/bin/sub", 0755), EACCES);
    lab.fails(lab.k.mkdir(m, "/tmp/a/b", 0755), ENOENT);
}

TEST_CASE("stat follows the rules of lookup: ENOENT, ENOTDIR through a file, EACCES below a closed directory")
{
    Lab lab;
    pid_t const m = lab.main;
    make_file(lab, "/tmp/f", "abc");
    REQUIRE(lab.k.vfs().mkdir_p("/secret", 0700, 0));
    make_file(lab, "/secret/x", "x", 0666, Lab::kStudent);
    FileStat const st = ok(lab, lab.k.stat(m, "/tmp/f"));
    CHECK(st.size == 3);
    CHECK(st.kind == InodeKind::Regular);
    lab.fails(lab.k.stat(m, "/tmp/none"), ENOENT);
    lab.fails(lab.k.stat(m, "/tmp/f/x"), ENOTDIR);
    lab.fails(lab.k.stat(m, "/secret/x"), EACCES);
    CHECK(ok(lab, lab.k.stat(m, "/secret")).mode == 0700);  // The directory itself is visible.
}

// ---------------------------------------------------------------------------------------------
// The terminal
// ---------------------------------------------------------------------------------------------

TEST_CASE("the terminal records which process wrote each byte")
{
    Lab lab;
    pid_t const m = lab.main;
    lab.write(m, 1, "hello ");
    pid_t const c = lab.fork(m);
    lab.write(c, 2, "from the child ");
    lab.write(m, 1, "and the parent");
    int const tty = lab.open(c, "/dev/tty", O_WRONLY);
    lab.write(c, tty, "!");
    Terminal const& t = lab.k.terminal();
    CHECK(t.text() == "hello from the child and the parent!");
    CHECK(t.text_of(m) == "hello and the parent");
    CHECK(t.text_of(c) == "from the child !");
    CHECK(t.text_of(kInit).empty());
}

// ---------------------------------------------------------------------------------------------
// mmap(2) of a file
// ---------------------------------------------------------------------------------------------

TEST_CASE("a MAP_SHARED mapping and read and write see the same bytes")
{
    Lab lab;
    pid_t const m = lab.main;
    make_file(lab, "/tmp/f", "abcdef");
    int const fd = lab.open(m, "/tmp/f", O_RDWR);
    std::uint64_t const va = ok(lab, lab.k.mmap_file(m, 0, kPageSize, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0));
    CHECK(load(lab, m, va, 6) == "abcdef");
    store(lab, m, "XY", va + 1);
    CHECK(lab.read(m, fd, 6) == "aXYdef");
    ok(lab, lab.k.lseek(m, fd, 4, SEEK_SET));
    lab.write(m, fd, "ZZ");
    CHECK(load(lab, m, va, 6) == "aXYdZZ");
    pid_t const c = lab.fork(m);
    store(lab, c, "!", va);  // A shared mapping stays shared across fork.
    CHECK(file_text(lab, "/tmp/f") == "!XYdZZ");
}

TEST_CASE("a MAP_PRIVATE mapping keeps its writes to itself: the file and read() are unchanged")
{
    Lab lab;
    pid_t const m = lab.main;
    make_file(lab, "/tmp/f", "abcdef");
    int const fd = lab.open(m, "/tmp/f", O_RDONLY);
    std::uint64_t const va = ok(lab, lab.k.mmap_file(m, 0, kPageSize, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0));
    store(lab, m, "XY", va);
    CHECK(load(lab, m, va, 6) == "XYcdef");
    CHECK(lab.read(m, fd, 6) == "abcdef");
    CHECK(file_text(lab, "/tmp/f") == "abcdef");
}

TEST_CASE("mapping needs a readable descriptor, and a shared writable mapping a writable one: EACCES")
{
    // mmap(2): EACCES "fd is not open for reading. Or MAP_SHARED was requested and PROT_WRITE is
    // set, but fd is not open in read/write (O_RDWR) mode." Checked on the host.
    Lab lab;
    pid_t const m = lab.main;
    make_file(lab, "/tmp/f", "abcdef");
    int const ro = lab.open(m, "/tmp/f", O_RDONLY);
    int const wo = lab.open(m, "/tmp/f", O_WRONLY);
    lab.fails(lab.k.mmap_file(m, 0, kPageSize, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0), EACCES);
    lab.fails(lab.k.mmap_file(m, 0, kPageSize, PROT_READ, MAP_SHARED, wo, 0), EACCES);
    CHECK(ok(lab, lab.k.mmap_file(m, 0, kPageSize, PROT_READ, MAP_SHARED, ro, 0)) != 0);
    CHECK(ok(lab, lab.k.mmap_file(m, 0, kPageSize, PROT_READ | PROT_WRITE, MAP_PRIVATE, ro, 0)) != 0);
}

TEST_CASE("the terminal and /dev/null have no pages to map: ENODEV")
{
    // Checked on the host: mmap of a pseudo-terminal and of /dev/null (MAP_SHARED) give ENODEV.
    Lab lab;
    pid_t const m = lab.main;
    int const null = lab.open(m, "/dev/null", O_RDWR);
    lab.fails(lab.k.mmap_file(m, 0, kPageSize, PROT_READ, MAP_SHARED, 1, 0), ENODEV);
    lab.fails(lab.k.mmap_file(m, 0, kPageSize, PROT_READ, MAP_SHARED, null, 0), ENODEV);
}

// ---------------------------------------------------------------------------------------------
// Counters, leaks, fstat
// ---------------------------------------------------------------------------------------------

TEST_CASE("nr_files counts open file descriptions and nr_inodes inodes, as they come and go")
{
    Lab lab;
    pid_t const m = lab.main;
    long const files = lab.k.vfs().nr_files();
    long const inodes = lab.k.vfs().nr_inodes();
    int const a = lab.open(m, "/tmp/a", O_RDWR | O_CREAT);
    CHECK(lab.k.vfs().nr_inodes() == inodes + 1);
    CHECK(lab.k.vfs().nr_files() == files + 1);
    int const b = lab.open(m, "/tmp/a", O_RDONLY);  // A second description, the same inode.
    CHECK(lab.k.vfs().nr_files() == files + 2);
    CHECK(lab.k.vfs().nr_inodes() == inodes + 1);
    int const d = ok(lab, lab.k.dup(m, a));  // No new description.
    pid_t const c = lab.fork(m);             // Nor here.
    CHECK(lab.k.vfs().nr_files() == files + 2);
    lab.exit(c);
    lab.reap(m, c);
    ok(lab, lab.k.close(m, a));
    CHECK(lab.k.vfs().nr_files() == files + 2);  // d still holds it.
    ok(lab, lab.k.close(m, d));
    ok(lab, lab.k.close(m, b));
    CHECK(lab.k.vfs().nr_files() == files);
    CHECK(lab.k.vfs().nr_inodes() == inodes + 1);  // The file still has its name.
    ok(lab, lab.k.unlink(m, "/tmp/a"));
    CHECK(lab.k.vfs().nr_inodes() == inodes);
}

TEST_CASE("after children that open, dup and unlink files exit and are reaped, nothing leaks")
{
    Lab lab;
    pid_t const m = lab.main;
    long const files = lab.k.vfs().nr_files();
    long const inodes = lab.k.vfs().nr_inodes();
    int const shared = lab.open(m, "/tmp/shared", O_RDWR | O_CREAT);
    std::vector<pid_t> kids;
    for (int i = 0; i < 5; ++i) {
        pid_t const c = lab.fork(m);
        kids.push_back(c);
        std::string const own = "/tmp/own" + std::to_string(i);
        int const fd = lab.open(c, own, O_RDWR | O_CREAT);
        lab.write(c, fd, "data");
        ok(lab, lab.k.dup2(c, fd, 20));
        ok(lab, lab.k.dup(c, shared));
        ok(lab, lab.k.unlink(c, own));  // Open but nameless: freed by the exit.
        pid_t const g = lab.fork(c);    // A grandchild holding everything too.
        lab.exit(g);
        lab.reap(c, g);
    }
    CHECK(lab.k.vfs().nr_files() == files + 1 + 5);
    for (pid_t c : kids)
        lab.exit(c);
    for (pid_t c : kids)
        lab.reap(m, c);
    CHECK(lab.k.vfs().nr_files() == files + 1);
    CHECK(lab.k.vfs().nr_inodes() == inodes + 1);
    ok(lab, lab.k.close(m, shared));
    ok(lab, lab.k.unlink(m, "/tmp/shared"));
    CHECK(lab.k.vfs().nr_files() == files);
    CHECK(lab.k.vfs().nr_inodes() == inodes);
}

TEST_CASE("fstat reports the inode number, link count and size of the file behind a descriptor")
{
    Lab lab;
    pid_t const m = lab.main;
    make_file(lab, "/tmp/a", "12345");
    make_file(lab, "/tmp/b", "");
    int const a1 = lab.open(m, "/tmp/a", O_RDWR);
    int const a2 = lab.open(m, "/tmp/a", O_RDONLY);
    int const b = lab.open(m, "/tmp/b", O_RDONLY);
    FileStat const s1 = fstat_of(lab, m, a1);
    CHECK(s1.ino == fstat_of(lab, m, a2).ino);  // Two descriptions, one inode.
    CHECK(s1.ino != fstat_of(lab, m, b).ino);
    CHECK(s1.ino == ok(lab, lab.k.stat(m, "/tmp/a")).ino);
    CHECK(s1.nlink == 1);
    CHECK(s1.size == 5);
    ok(lab, lab.k.lseek(m, a1, 0, SEEK_END));
    lab.write(m, a1, "678");
    CHECK(fstat_of(lab, m, a2).size == 8);
    ok(lab, lab.k.ftruncate(m, a1, 2));
    CHECK(fstat_of(lab, m, a2).size == 2);
    CHECK(fstat_of(lab, m, 0).kind == InodeKind::Terminal);
}

// ---------------------------------------------------------------------------------------------
// Events
// ---------------------------------------------------------------------------------------------

TEST_CASE("FileOpened names the inode, the descriptor and a new description, FileDup the same description")
{
    Lab lab;
    pid_t const m = lab.main;
    int const a = lab.open(m, "/tmp/f", O_RDWR | O_CREAT);
    int const b = lab.open(m, "/tmp/f", O_RDWR);
    Event const opened = last_of(lab, EventKind::FileOpened, m);
    CHECK(opened.value == b);
    CHECK(opened.other == pid_t(fstat_of(lab, m, b).ino));
    CHECK(InodeKind(opened.aux) == InodeKind::Regular);
    CHECK(opened.extra == std::uint32_t(description(lab, m, b)->id));
    CHECK(description(lab, m, a)->id != description(lab, m, b)->id);
    int const d = ok(lab, lab.k.dup(m, a));
    Event const dup = last_of(lab, EventKind::FileDup, m);
    CHECK(dup.other == a);
    CHECK(dup.value == d);
    CHECK(dup.extra == std::uint32_t(description(lab, m, a)->id));
    CHECK(explain(dup).find("share its offset") != std::string::npos);
}

TEST_CASE("a seek or read through a description shared by fork names the other process, and explain says so")
{
    Lab lab;
    pid_t const m = lab.main;
    make_file(lab, "/tmp/f", "0123456789");
    int const fd = lab.open(m, "/tmp/f", O_RDONLY);
    std::uint32_t const id = std::uint32_t(description(lab, m, fd)->id);
    pid_t const c = lab.fork(m);
    ok(lab, lab.k.lseek(c, fd, 4, SEEK_SET));
    Event const seek = last_of(lab, EventKind::FileSeek, c);
    CHECK(seek.extra == id);
    CHECK(seek.other == m);
    CHECK(seek.value == 4);
    CHECK(explain(seek).find(std::to_string(m)) != std::string::npos);
    lab.read(m, fd, 3);
    Event const rd = last_of(lab, EventKind::FileRead, m);
    CHECK(rd.extra == id);
    CHECK(rd.other == c);
    CHECK(io_bytes(rd.value) == 3);
    CHECK(io_offset(rd.value) == 7);
    CHECK(explain(rd).find("moved for both") != std::string::npos);
}

TEST_CASE("a description shared only within one process, or no longer shared, names no other process")
{
    Lab lab;
    pid_t const m = lab.main;
    make_file(lab, "/tmp/f", "0123456789");
    int const fd = lab.open(m, "/tmp/f", O_RDONLY);
    SUBCASE("a dup in the same process")
    {
        ok(lab, lab.k.dup(m, fd));
    }
    SUBCASE("a child that closed its copy")
    {
        pid_t const c = lab.fork(m);
        ok(lab, lab.k.close(c, fd));
    }
    lab.read(m, fd, 2);
    Event const rd = last_of(lab, EventKind::FileRead, m);
    CHECK(rd.other == 0);
    CHECK(explain(rd).find("moved for both") == std::string::npos);
    ok(lab, lab.k.lseek(m, fd, 0, SEEK_SET));
    CHECK(last_of(lab, EventKind::FileSeek, m).other == 0);
}

TEST_CASE("a huge read or write moves a chunk at a time and stops short at the first fault")
{
    // write(fd, buf, 1 GiB) with only one page mapped at buf: Linux writes the page and returns
    // 4096 (a short write); the host never holds more than a chunk of the request.
    Lab lab;
    int const fd = lab.open(lab.main, "/tmp/big", O_RDWR | O_CREAT, 0644);
    // Low in the address space, so that buf + 1 GiB is still below the top of user space (above
    // it, access_ok() says EFAULT before anything is copied).
    auto page = lab.k.mmap(lab.main, 0x10000000, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED);
    REQUIRE(page);
    std::uint64_t const gib = std::uint64_t(1) << 30;
    auto wrote = lab.k.write(lab.main, fd, *page, gib);
    lab.check();
    REQUIRE(wrote);
    CHECK(wrote->value == 4096);
    // The file is now 4096 bytes; ftruncate makes it a gigabyte of zeros, and a read of all of
    // it into the one page stops at the page's end.
    REQUIRE(lab.k.ftruncate(lab.main, fd, std::int64_t(gib)));
    REQUIRE(lab.k.lseek(lab.main, fd, 0, SEEK_SET));
    auto got = lab.k.read(lab.main, fd, *page, gib);
    lab.check();
    REQUIRE(got);
    CHECK(got->value == 4096);
    CHECK(*lab.k.lseek(lab.main, fd, 0, SEEK_CUR) == 4096);
}

TEST_CASE("at RLIMIT_NOFILE, open says EMFILE before looking at the path, and creates nothing")
{
    // Linux takes the descriptor before the lookup (do_sys_openat2); checked on the host with
    // RLIMIT_NOFILE 3: open(O_CREAT) of a new file fails with EMFILE and leaves no file, and
    // a path that does not exist gives EMFILE, not ENOENT.
    Lab lab;
    REQUIRE(lab.k.prlimit(lab.main, 0, RLIMIT_NOFILE, Rlimit{3, 3}));
    lab.fails(lab.k.open(lab.main, "/tmp/new", O_WRONLY | O_CREAT, 0644), EMFILE);
    lab.fails(lab.k.stat(lab.main, "/tmp/new"), ENOENT);
    lab.fails(lab.k.open(lab.main, "/no/such/dir/file", O_RDONLY), EMFILE);
}
