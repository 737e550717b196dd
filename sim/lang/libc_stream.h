// stdio inside the simulated process: the FILE structure in the process's own memory, glibc's
// buffering algorithm (libio's overflow, xsputn and underflow), and the Session that lets a
// library call which sleeps part-way (a write to a full pipe) carry on exactly where it stopped.
#pragma once

#include "lang/libc.h"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace forklab::lang::libc {

// glibc's _IO_* flags, the ones this library keeps.
namespace io {
inline constexpr std::uint32_t kMagic = 1u << 0;       // Set up at program start.
inline constexpr std::uint32_t kUnbuffered = 1u << 1;  // _IO_UNBUFFERED
inline constexpr std::uint32_t kLineBuf = 1u << 2;     // _IO_LINE_BUF
inline constexpr std::uint32_t kNoReads = 1u << 3;     // _IO_NO_READS
inline constexpr std::uint32_t kNoWrites = 1u << 4;    // _IO_NO_WRITES
inline constexpr std::uint32_t kErrSeen = 1u << 5;     // _IO_ERR_SEEN: ferror()
inline constexpr std::uint32_t kEofSeen = 1u << 6;     // _IO_EOF_SEEN: feof()
inline constexpr std::uint32_t kPutting = 1u << 7;     // _IO_CURRENTLY_PUTTING
inline constexpr std::uint32_t kUserBuf = 1u << 8;     // _IO_USER_BUF: not malloc's, never freed.
inline constexpr std::uint32_t kOriented = 1u << 9;    // Used once (glibc: _mode != 0).
}  // namespace io

// A FILE as it lies in memory (64 bytes): flags at 0, fd at 4, then the buffer's pointers, and
// glibc's one-byte _shortbuf at 56 for unbuffered streams.
struct File {
    static constexpr std::uint64_t kSize = 64;
    std::uint64_t at = 0;  // Where it lives (not stored).
    std::uint32_t flags = 0;
    std::int32_t fd = -1;
    std::uint64_t buf_base = 0, buf_end = 0;
    std::uint64_t write_ptr = 0, write_end = 0;
    std::uint64_t read_ptr = 0, read_end = 0;

    bool has(std::uint32_t f) const { return (flags & f) != 0; }
    std::uint64_t shortbuf() const { return at + 56; }
    std::uint64_t write_base() const { return buf_base; }
};

bool load_file(MemoryPort& mem, std::uint64_t at, File& f);
bool store_file(MemoryPort& mem, File const& f);

// The three standard streams, set up by exec (Machine::enter_program): the FILEs in the
// library's data and the stdin/stdout/stderr variables the program refers to.
bool init_stdio(MemoryPort& mem, RuntimeVariables const& rt);

// A NUL-terminated string of at most `limit` bytes (strnlen's rule: no byte past the limit is
// read), nothing if it faults (SIGSEGV is then queued). Longer than `cap`: cut at `cap`.
std::optional<std::string> read_c_string(MemoryPort& mem, std::uint64_t at, std::uint64_t limit);

// One library call's system calls: made for real the first time; when the machine makes the
// same call again after the task slept, the recorded results are replayed and the library's
// state is first put back as it was, so that every byte is written once.
class Session {
public:
    explicit Session(BuiltinCall& c);
    Session(Session const&) = delete;
    Session& operator=(Session const&) = delete;

    bool resumed() const { return m_resumed; }
    BuiltinCall& call() { return m_c; }
    std::vector<std::uint8_t>& work() { return m_rec.work; }

    // The first time: remember these FILEs. Made again: put them back. False on a fault.
    bool begin(std::span<std::uint64_t const> files);

    // A system call's result (a count, or -errno), or nothing when the call must stop here:
    // the task sleeps, or a signal is to be delivered first. Then return suspend().
    std::optional<std::int64_t> write(int fd, std::uint64_t buf, std::uint64_t count);
    std::optional<std::int64_t> read(int fd, std::uint64_t buf, std::uint64_t count);
    std::optional<std::int64_t> lseek(int fd, std::int64_t offset, int whence);
    std::optional<std::int64_t> fstat_kind(int fd);  // InodeKind, or -errno.

    bool stopped() const { return m_stopped; }
    CallOutcome suspend();

private:
    std::optional<std::int64_t> replayed();
    std::optional<std::int64_t> settle(ErrorOr<Blocking> const& r);
    std::int64_t record(std::int64_t v);

    BuiltinCall& m_c;
    LibcResume m_rec;
    bool m_resumed = false;
    bool m_stopped = false;
    std::size_t m_next = 0;
    CallOutcome m_stop;
};

// One piece of a call's output as glibc's vfprintf hands it to the stream: a string (from the
// program's memory at `addr`, or made by the formatter when addr is 0), one character (putc),
// or padding (count copies of ch, written 16 at a time as _IO_padn does).
struct Piece {
    enum class Kind : std::uint8_t { Text, Char, Pad };
    Kind kind = Kind::Text;
    char ch = 0;
    std::uint64_t addr = 0;
    std::uint64_t count = 0;
    std::string text;

    std::uint64_t size() const { return kind == Kind::Text ? text.size() : kind == Kind::Char ? 1 : count; }
};

void save_pieces(std::vector<std::uint8_t>& out, std::vector<Piece> const& pieces);
std::vector<Piece> load_pieces(std::vector<std::uint8_t> const& in);
std::string flatten(std::vector<Piece> const& pieces, std::uint64_t limit);

// The stream operations of one call. A failed operation returns EOF (glibc's way); one that
// must stop (sleep, signal, fault) sets halted(), and the caller returns at once.
class Stdio {
public:
    static constexpr int kEof = -1;

    explicit Stdio(Session& s) : m_s(s), m_c(s.call()) {}

    bool halted() const { return m_s.stopped() || m_fault; }
    CallOutcome halt_outcome() { return m_fault ? CallOutcome{Kind::Fault} : m_s.suspend(); }
    void fault() { m_fault = true; }
    Session& session() { return m_s; }

    // The buffer, allocated as glibc's _IO_file_doallocate does: st_blksize bytes from malloc,
    // line-buffered for a terminal. Made before a call's replayable part (it changes the heap).
    bool doallocbuf(File& f);

    int overflow(File& f, int ch);
    std::uint64_t xsputn(File& f, std::string_view s, std::uint64_t addr);
    int putc(File& f, int ch);
    std::uint64_t padn(File& f, char ch, std::uint64_t count);
    int do_flush(File& f);
    int sync(File& f);  // fflush(f): pending output out, unread input given back (lseek).
    int underflow(File& f, File* out);
    int uflow(File& f, File* out);
    void set_unbuffered(File& f);  // _IO_SETBUF(f, NULL, 0) after sync.

    // Where the library's scratch lives (below the caller's stack, as a real call's frame).
    std::uint64_t stack_scratch(std::uint64_t size) const;

private:
    std::uint64_t file_write(File& f, std::uint64_t data, std::uint64_t n);
    std::uint64_t new_do_write(File& f, std::uint64_t data, std::uint64_t n);
    int do_write(File& f, std::uint64_t data, std::uint64_t n);
    std::uint64_t default_xsputn(File& f, std::string_view s);
    bool copy_in(File& f, std::string_view s);
    void set_errno(int err) { (void)m_c.machine.set_errno(m_c, err); }

    Session& m_s;
    BuiltinCall& m_c;
    bool m_fault = false;
};

// The stream a FILE * names: one of the three standard FILEs, or nothing (a bad pointer).
std::optional<std::uint64_t> stream_of(BuiltinCall& c, std::uint64_t file_ptr);

}  // namespace forklab::lang::libc
