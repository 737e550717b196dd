// stdio: printf and friends, fgets and getchar, fflush and setvbuf, perror and strerror, and
// exit(), which flushes every stream (and, as glibc's _IO_cleanup does, leaves the used ones
// unbuffered) before exit_group. The FILEs and their buffers are in the process's memory, so a
// fork copies whatever is still buffered: printf("hello"); fork(); prints it twice.
//
// Every call that can write or read runs in a Session (lang/libc_stream.h): if a write finds a
// pipe full, the task sleeps and the machine makes the same call again later; the output that
// was formatted the first time is kept, the FILEs are put back as they were, the writes already
// made are replayed from their results, and the call goes on from the write that slept.
#include "lang/libc_format.h"
#include "lang/libc_stream.h"

#include "base/format.h"

#include <array>
#include <climits>
#include <csignal>
#include <cstdio>
#include <cstring>

namespace forklab::lang::libc {

namespace {

constexpr int kEof = Stdio::kEof;
constexpr std::uint64_t kHelperSize = 8192;  // buffered_vfprintf's helper buffer (BUFSIZ).

std::array<std::uint64_t, 3> std_files(BuiltinCall& c)
{
    // _IO_list_all's order: the most recently opened first.
    return {libc_data(c, data::kStderr), libc_data(c, data::kStdout), libc_data(c, data::kStdin)};
}

// A FILE * that is none of the three streams: glibc would follow it into the weeds.
CallOutcome bad_stream(BuiltinCall& c, std::uint64_t ptr)
{
    char hex[32];
    std::snprintf(hex, sizeof hex, "%#llx", static_cast<unsigned long long>(ptr));
    c.machine.diagnose(format("pid {}: line {}: {} is not a FILE * (only stdin, stdout and stderr exist)", c.pid,
        c.cpu.line, ptr ? hex : "NULL"));
    (void)c.kernel.force_fault(c.pid, SIGSEGV);
    return {Kind::Fault};
}

// What a Formatted keeps across a sleep: its status, its size and its pieces.
void save_formatted(std::vector<std::uint8_t>& work, Formatted const& f)
{
    work.clear();
    work.push_back(std::uint8_t(f.status));
    auto const* size = reinterpret_cast<std::uint8_t const*>(&f.size);
    work.insert(work.end(), size, size + 8);
    save_pieces(work, f.pieces);
}

Formatted load_formatted(std::vector<std::uint8_t> const& work)
{
    Formatted f;
    if (work.size() < 9)
        return f;
    f.status = Formatted::Status(work[0]);
    std::memcpy(&f.size, work.data() + 1, 8);
    f.pieces = load_pieces(std::vector<std::uint8_t>(work.begin() + 9, work.end()));
    return f;
}

// The call's output: formatted the first time, taken from the record when made again.
Formatted formatted_once(Session& s, std::uint64_t format, std::size_t first)
{
    if (s.resumed())
        return load_formatted(s.work());
    Formatted f = format_printf(s.call(), format, first);
    save_formatted(s.work(), f);
    return f;
}

// Before the part that may be replayed: a stream that will be written gets its buffer (malloc
// changes the heap, which must happen once).
bool prepare_output(Stdio& io, BuiltinCall& c, std::uint64_t stream, std::uint64_t size)
{
    File f;
    if (!load_file(c.mem, stream, f))
        return false;
    if (f.buf_base || f.has(io::kNoWrites) || size == 0)
        return true;
    return io.doallocbuf(f) && store_file(c.mem, f);
}

// vfprintf's body: the pieces through the stream, or -1 at the first that does not go in whole.
// An unbuffered stream (stderr) gets the whole output in one write, as glibc's helper buffer
// of BUFSIZ bytes does: in pieces of 8192 when there is more.
std::int64_t emit(Stdio& io, File& f, Formatted const& out)
{
    if (f.has(io::kNoWrites)) {
        f.flags |= io::kErrSeen;
        (void)io.session().call().machine.set_errno(io.session().call(), EBADF);
        return -1;
    }
    f.flags |= io::kOriented;
    if (f.has(io::kUnbuffered)) {
        std::string const all = flatten(out.pieces, ~std::uint64_t(0));
        for (std::size_t at = 0; at < all.size(); at += kHelperSize) {
            std::string_view const chunk = std::string_view(all).substr(at, kHelperSize);
            std::uint64_t const stage = io.stack_scratch(chunk.size());
            if (!io.session().call().mem.write(stage, chunk.data(), chunk.size())) {
                io.fault();
                return -1;
            }
            if (io.xsputn(f, chunk, stage) != chunk.size() || io.halted())
                return -1;
        }
        return std::int64_t(all.size());
    }
    for (Piece const& p : out.pieces) {
        bool ok = true;
        switch (p.kind) {
        case Piece::Kind::Text: ok = io.xsputn(f, p.text, p.addr) == p.text.size(); break;
        case Piece::Kind::Char: ok = io.putc(f, static_cast<unsigned char>(p.ch)) != kEof; break;
        case Piece::Kind::Pad: ok = io.padn(f, p.ch, p.count) == p.count; break;
        }
        if (io.halted() || !ok)
            return -1;
    }
    return std::int64_t(out.size);
}

// The end of a printf: its value, or the error its formatting ran into.
CallOutcome printf_result(BuiltinCall& c, Formatted const& out, std::int64_t done)
{
    switch (out.status) {
    case Formatted::Status::Ok: return value(done);
    case Formatted::Status::Fault: return {Kind::Fault};
    case Formatted::Status::Unsupported: return {Kind::Fault};
    case Formatted::Status::Invalid: return fail(c, EINVAL);
    case Formatted::Status::Overflow: return fail(c, EOVERFLOW);
    }
    return value(done);
}

CallOutcome vfprintf_to(BuiltinCall& c, std::uint64_t stream, std::uint64_t format, std::size_t first)
{
    Session s(c);
    Formatted const out = formatted_once(s, format, first);
    if (out.status == Formatted::Status::Unsupported)
        return {Kind::Fault};
    Stdio io(s);
    if (!s.resumed() && !prepare_output(io, c, stream, out.size))
        return {Kind::Fault};
    File f;
    if (!s.begin(std_files(c)) || !load_file(c.mem, stream, f))
        return {Kind::Fault};
    std::int64_t const done = emit(io, f, out);
    if (io.halted())
        return io.halt_outcome();
    if (!store_file(c.mem, f))
        return {Kind::Fault};
    return done < 0 ? value(-1) : printf_result(c, out, done);
}

CallOutcome do_printf(BuiltinCall& c) { return vfprintf_to(c, libc_data(c, data::kStdout), c.arg(0), 1); }

CallOutcome do_fprintf(BuiltinCall& c)
{
    auto stream = stream_of(c, c.arg(0));
    return stream ? vfprintf_to(c, *stream, c.arg(1), 2) : bad_stream(c, c.arg(0));
}

// vsnprintf: at most size - 1 characters and a NUL; the value is what the whole would take.
CallOutcome print_to_memory(BuiltinCall& c, std::uint64_t to, std::uint64_t size, std::uint64_t format, std::size_t first)
{
    Formatted const out = format_printf(c, format, first);
    if (out.status == Formatted::Status::Unsupported)
        return {Kind::Fault};
    if (size > 0) {
        std::string s = flatten(out.pieces, size - 1);
        s.push_back('\0');
        if (!c.mem.write(to, s.data(), s.size()))
            return {Kind::Fault};
    }
    return printf_result(c, out, std::int64_t(out.size));
}

CallOutcome do_sprintf(BuiltinCall& c) { return print_to_memory(c, c.arg(0), ~std::uint64_t(0), c.arg(1), 2); }
CallOutcome do_snprintf(BuiltinCall& c) { return print_to_memory(c, c.arg(0), c.arg(1), c.arg(2), 3); }

// vdprintf: a FILE of its own for the descriptor (on the library's stack frame), buffered as
// any stream on that kind of file would be, flushed and its buffer freed at the end.
CallOutcome do_dprintf(BuiltinCall& c)
{
    int const fd = as_int(c.arg(0));
    Session s(c);
    Formatted const out = formatted_once(s, c.arg(1), 2);
    if (out.status == Formatted::Status::Unsupported)
        return {Kind::Fault};
    Stdio io(s);
    std::uint64_t const temp = (c.cpu.sp - 128 - File::kSize) & ~std::uint64_t(15);
    if (!s.resumed()) {
        if (auto st = c.kernel.fstat(c.pid, fd); !st)
            return fail(c, st.error().code());
        File f;
        f.at = temp, f.fd = fd, f.flags = io::kMagic | io::kNoReads;
        if (!store_file(c.mem, f) || !prepare_output(io, c, temp, out.size))
            return {Kind::Fault};
    }
    std::uint64_t const files[] = {temp};
    File f;
    if (!s.begin(files) || !load_file(c.mem, temp, f))
        return {Kind::Fault};
    std::int64_t done = emit(io, f, out);
    if (!io.halted() && done >= 0 && io.do_flush(f) == kEof)
        done = -1;
    if (io.halted())
        return io.halt_outcome();
    if (f.buf_base && !f.has(io::kUserBuf))
        heap_free(c, f.buf_base);
    return done < 0 ? value(-1) : printf_result(c, out, done);
}

// An output of plain pieces on a stream (puts, fputs, putc): the number of pieces that went in.
CallOutcome put_pieces(BuiltinCall& c, std::uint64_t stream, std::vector<Piece> const& pieces, std::size_t& good)
{
    Session s(c);
    Stdio io(s);
    std::uint64_t size = 0;
    for (Piece const& p : pieces)
        size += p.size();
    if (!s.resumed() && !prepare_output(io, c, stream, size))
        return {Kind::Fault};
    File f;
    if (!s.begin(std_files(c)) || !load_file(c.mem, stream, f))
        return {Kind::Fault};
    f.flags |= io::kOriented;
    good = 0;
    for (Piece const& p : pieces) {
        bool const ok = p.kind == Piece::Kind::Char ? io.putc(f, static_cast<unsigned char>(p.ch)) != kEof
                                                    : io.xsputn(f, p.text, p.addr) == p.text.size();
        if (io.halted())
            return io.halt_outcome();
        if (!ok)
            break;
        ++good;
    }
    return store_file(c.mem, f) ? value(0) : CallOutcome{Kind::Fault};
}

Piece text_at(BuiltinCall& c, std::uint64_t at, std::optional<std::string>& s)
{
    s = read_c_string(c.mem, at, 64ull << 20);
    return Piece{Piece::Kind::Text, 0, at, 0, s ? *s : std::string()};
}

CallOutcome do_puts(BuiltinCall& c)
{
    std::optional<std::string> s;
    Piece const text = text_at(c, c.arg(0), s);
    if (!s)
        return {Kind::Fault};
    std::size_t good = 0;
    CallOutcome const r = put_pieces(c, libc_data(c, data::kStdout), {text, Piece{Piece::Kind::Char, '\n', 0, 0, {}}}, good);
    if (r.kind != Kind::Return)
        return r;
    return value(good == 2 ? std::min<std::int64_t>(INT_MAX, std::int64_t(s->size()) + 1) : kEof);
}

CallOutcome do_fputs(BuiltinCall& c)
{
    auto stream = stream_of(c, c.arg(1));
    if (!stream)
        return bad_stream(c, c.arg(1));
    std::optional<std::string> s;
    Piece const text = text_at(c, c.arg(0), s);
    if (!s)
        return {Kind::Fault};
    std::size_t good = 0;
    CallOutcome const r = put_pieces(c, *stream, {text}, good);
    if (r.kind != Kind::Return)
        return r;
    return value(good == 1 ? 1 : kEof);
}

CallOutcome putc_to(BuiltinCall& c, std::uint64_t stream, int ch)
{
    std::size_t good = 0;
    CallOutcome const r = put_pieces(c, stream, {Piece{Piece::Kind::Char, char(ch), 0, 0, {}}}, good);
    if (r.kind != Kind::Return)
        return r;
    return value(good == 1 ? (ch & 0xff) : kEof);
}

CallOutcome do_putchar(BuiltinCall& c) { return putc_to(c, libc_data(c, data::kStdout), as_int(c.arg(0))); }

CallOutcome do_fputc(BuiltinCall& c)
{
    auto stream = stream_of(c, c.arg(1));
    return stream ? putc_to(c, *stream, as_int(c.arg(0))) : bad_stream(c, c.arg(1));
}

// _IO_flush_all: every stream with output pending, in _IO_list_all's order.
int flush_all(Stdio& io, std::array<File, 3>& files)
{
    int result = 0;
    for (File& f : files) {
        if (f.has(io::kPutting) && f.write_ptr > f.buf_base && io.overflow(f, kEof) == kEof)
            result = kEof;
        if (io.halted())
            return kEof;
    }
    return result;
}

bool load_all(BuiltinCall& c, std::array<File, 3>& files)
{
    auto const at = std_files(c);
    for (std::size_t i = 0; i < files.size(); ++i)
        if (!load_file(c.mem, at[i], files[i]))
            return false;
    return true;
}

bool store_all(BuiltinCall& c, std::array<File, 3> const& files)
{
    for (File const& f : files)
        if (!store_file(c.mem, f))
            return false;
    return true;
}

CallOutcome do_fflush(BuiltinCall& c)
{
    std::optional<std::uint64_t> stream;
    if (c.arg(0) && !(stream = stream_of(c, c.arg(0))))
        return bad_stream(c, c.arg(0));
    Session s(c);
    Stdio io(s);
    std::array<File, 3> files;
    if (!s.begin(std_files(c)) || !load_all(c, files))
        return {Kind::Fault};
    int result = 0;
    if (!stream) {
        result = flush_all(io, files);
    } else {
        for (File& f : files)
            if (f.at == *stream)
                result = io.sync(f);
    }
    if (io.halted())
        return io.halt_outcome();
    return store_all(c, files) ? value(result) : CallOutcome{Kind::Fault};
}

// glibc's _IO_setvbuf.
CallOutcome do_setvbuf(BuiltinCall& c)
{
    auto stream = stream_of(c, c.arg(0));
    if (!stream)
        return bad_stream(c, c.arg(0));
    int const mode = as_int(c.arg(2));
    std::uint64_t const buf = mode == _IONBF ? 0 : c.arg(1);
    std::uint64_t const size = mode == _IONBF ? 0 : c.arg(3);
    Session s(c);
    Stdio io(s);
    File f;
    if (!s.resumed()) {
        if (!load_file(c.mem, *stream, f))
            return {Kind::Fault};
        switch (mode) {
        case _IOFBF:
            f.flags &= ~(io::kLineBuf | io::kUnbuffered);
            if (!buf) {
                // No flag says "fully buffered was asked for": allocate now, so that a terminal
                // does not make it line-buffered at first use.
                if (!f.buf_base) {
                    if (!io.doallocbuf(f))
                        return value(kEof);
                    f.flags &= ~io::kLineBuf;
                }
                return store_file(c.mem, f) ? value(0) : CallOutcome{Kind::Fault};
            }
            break;
        case _IOLBF:
            f.flags &= ~io::kUnbuffered;
            f.flags |= io::kLineBuf;
            if (!buf)
                return store_file(c.mem, f) ? value(0) : CallOutcome{Kind::Fault};
            break;
        case _IONBF:
            f.flags &= ~io::kLineBuf;
            f.flags |= io::kUnbuffered;
            break;
        default:
            return value(kEof);
        }
        if (!store_file(c.mem, f))
            return {Kind::Fault};
    }
    std::array<File, 3> files;
    if (!s.begin(std_files(c)) || !load_all(c, files))
        return {Kind::Fault};
    File* target = nullptr;
    for (File& each : files)
        if (each.at == *stream)
            target = &each;
    // _IO_default_setbuf: pending output first; then the new buffer (or the shortbuf).
    int const synced = io.sync(*target);
    if (io.halted())
        return io.halt_outcome();
    int result = kEof;
    if (synced != kEof) {
        // _IO_setb frees a buffer malloc gave.
        if (target->buf_base && !target->has(io::kUserBuf))
            heap_free(c, target->buf_base);
        if (!buf || !size) {
            io.set_unbuffered(*target);
        } else {
            target->flags &= ~io::kUnbuffered;
            target->buf_base = buf, target->buf_end = buf + size;
            target->flags |= io::kUserBuf;
            target->write_ptr = target->write_end = target->read_ptr = target->read_end = buf;
        }
        result = 0;
    }
    return store_all(c, files) ? value(result) : CallOutcome{Kind::Fault};
}

CallOutcome do_setbuf(BuiltinCall& c)
{
    std::uint64_t const args[] = {c.arg(0), c.arg(1), std::uint64_t(c.arg(1) ? _IOFBF : _IONBF), BUFSIZ};
    BuiltinCall call{c.machine, c.kernel, c.pid, c.cpu, args, c.mem};
    CallOutcome const r = do_setvbuf(call);
    return r.kind == Kind::Return ? value(0) : r;
}

// What perror and __assert_fail write: composed the first time (nothing when a string the
// call reads faults), taken from the record when the call is made again.
std::optional<Formatted> composed_once(Session& s, std::optional<Formatted> (*compose)(BuiltinCall&))
{
    if (s.resumed())
        return load_formatted(s.work());
    std::optional<Formatted> out = compose(s.call());
    if (out)
        save_formatted(s.work(), *out);
    return out;
}

// `out` to stderr whole, as glibc's perror and __assert_fail send it with __fxprintf, then
// fflush(stderr) when asked. Nothing when that is done, else the fault or the halt to return.
std::optional<CallOutcome> write_stderr(Session& s, Formatted const& out, bool flush)
{
    BuiltinCall& c = s.call();
    Stdio io(s);
    std::uint64_t const stream = libc_data(c, data::kStderr);
    if (!s.resumed() && !prepare_output(io, c, stream, out.size))
        return CallOutcome{Kind::Fault};
    File f;
    if (!s.begin(std_files(c)) || !load_file(c.mem, stream, f))
        return CallOutcome{Kind::Fault};
    (void)emit(io, f, out);
    if (flush && !io.halted())
        (void)io.sync(f);
    if (io.halted())
        return io.halt_outcome();
    if (!store_file(c.mem, f))
        return CallOutcome{Kind::Fault};
    return std::nullopt;
}

// perror's text: fprintf(stderr, "%s%s%s\n", s, ": ", message), the prefix and ": " only for
// a non-empty s.
std::optional<Formatted> perror_text(BuiltinCall& c)
{
    std::uint64_t err = 0;
    if (std::uint64_t const at = c.cpu.program->runtime().errno_addr)
        (void)c.mem.load(at, 4, err);
    std::optional<std::string> prefix = std::string();
    if (c.arg(0) && !(prefix = read_c_string(c.mem, c.arg(0), 1 << 20)))
        return std::nullopt;
    std::string const colon = prefix->empty() ? "" : ": ";
    std::string const message = error_message(int(std::int32_t(err)));
    Formatted out;
    out.pieces = {Piece{Piece::Kind::Text, 0, prefix->empty() ? 0 : c.arg(0), 0, *prefix},
        Piece{Piece::Kind::Text, 0, 0, 0, colon}, Piece{Piece::Kind::Text, 0, 0, 0, message},
        Piece{Piece::Kind::Text, 0, 0, 0, "\n"}};
    std::erase_if(out.pieces, [](Piece const& p) { return p.text.empty(); });
    out.size = prefix->size() + colon.size() + message.size() + 1;
    return out;
}

// perror(3).
CallOutcome do_perror(BuiltinCall& c)
{
    Session s(c);
    std::optional<Formatted> const out = composed_once(s, perror_text);
    if (!out)
        return {Kind::Fault};
    if (auto const stop = write_stderr(s, *out, false))
        return *stop;
    return value(0);
}

// glibc's program_invocation_short_name: argv[0] after its last '/', or "" without an argv[0].
// glibc points into the argv[0] string on the stack; the model takes the argv the kernel was
// given at the last exec, so a program that rewrites argv[0]'s bytes is not seen.
std::string short_program_name(BuiltinCall& c)
{
    Task const* me = c.kernel.find_task(c.pid);
    if (!me || me->cmdline.empty())
        return {};
    std::string const& name = me->cmdline.front();
    return name.substr(name.rfind('/') == std::string::npos ? 0 : name.rfind('/') + 1);
}

// The message of glibc's __assert_fail_base: "%s%s%s:%u: %s%sAssertion `%s' failed.\n" with
// the program's short name, ": " unless it is empty, the file, the line, the function and ": "
// unless it is NULL, and the expression. Nothing if a string faults (SIGSEGV is then queued).
std::optional<std::string> assertion_message(BuiltinCall& c)
{
    std::optional<std::string> expression, file, function = std::string();
    if (!(expression = read_c_string(c.mem, c.arg(0), 1 << 20)) || !(file = read_c_string(c.mem, c.arg(1), 1 << 20)))
        return std::nullopt;
    if (c.arg(3) && !(function = read_c_string(c.mem, c.arg(3), 1 << 20)))
        return std::nullopt;
    std::string const program = short_program_name(c);
    return format("{}{}{}:{}: {}{}Assertion `{}' failed.\n", program, program.empty() ? "" : ": ", *file,
        std::uint32_t(c.arg(2)), *function, c.arg(3) ? ": " : "", *expression);
}

// The message of __assert_fail as one piece of text.
std::optional<Formatted> assertion_text(BuiltinCall& c)
{
    std::optional<std::string> const message = assertion_message(c);
    if (!message)
        return std::nullopt;
    Formatted out;
    out.pieces = {Piece{Piece::Kind::Text, 0, 0, 0, *message}};
    out.size = message->size();
    return out;
}

// __assert_fail(3), what a failed assert() calls: the message goes to stderr as glibc's
// __fxprintf(NULL, "%s", message) sends it (one write, stderr being unbuffered), stderr is
// flushed, and abort() follows. (glibc also keeps the message in an mmap'ed page for core
// dumps; the model does not.)
CallOutcome do_assert_fail(BuiltinCall& c)
{
    Session s(c);
    std::optional<Formatted> const out = composed_once(s, assertion_text);
    if (!out)
        return {Kind::Fault};
    if (auto const stop = write_stderr(s, *out, true))
        return *stop;
    return abort_process(c);
}

// strerror(3): the message in the library's own static buffer, as glibc's for unknown errors.
CallOutcome do_strerror(BuiltinCall& c)
{
    std::string msg = error_message(as_int(c.arg(0)));
    std::uint64_t const room = data::kRand - data::kStdioEnd;
    msg.resize(std::min<std::size_t>(msg.size(), room - 1));
    std::uint64_t const at = libc_data(c, data::kStdioEnd);
    if (!c.mem.write(at, msg.c_str(), msg.size() + 1))
        return {Kind::Fault};
    return value(std::int64_t(at));
}

// ---- Input ----------------------------------------------------------------------------------

// Before the replayable part: stdin's buffer, and stdout's if reading will flush it.
bool prepare_input(Stdio& io, BuiltinCall& c, std::uint64_t stream)
{
    File in, out;
    if (!load_file(c.mem, stream, in) || !load_file(c.mem, libc_data(c, data::kStdout), out))
        return false;
    if (!in.buf_base && !in.has(io::kNoReads)) {
        if (!io.doallocbuf(in) || !store_file(c.mem, in))
            return false;
    }
    if (in.has(io::kLineBuf | io::kUnbuffered) && out.has(io::kLineBuf) && !out.buf_base && in.at != out.at)
        return io.doallocbuf(out) && store_file(c.mem, out);
    return true;
}

// An input call on `stream`: runs `body` with the stream and stdout loaded.
template<typename Body>
CallOutcome input_call(BuiltinCall& c, std::uint64_t stream, Body body)
{
    Session s(c);
    Stdio io(s);
    if (!s.resumed() && !prepare_input(io, c, stream))
        return {Kind::Fault};
    std::array<File, 3> files;
    if (!s.begin(std_files(c)) || !load_all(c, files))
        return {Kind::Fault};
    File* in = nullptr;
    File* out = nullptr;
    for (File& f : files) {
        if (f.at == stream)
            in = &f;
        if (f.at == libc_data(c, data::kStdout))
            out = &f;
    }
    in->flags |= io::kOriented;
    std::int64_t const result = body(io, *in, in == out ? nullptr : out);
    if (io.halted())
        return io.halt_outcome();
    return store_all(c, files) ? value(result) : CallOutcome{Kind::Fault};
}

CallOutcome do_getchar(BuiltinCall& c)
{
    return input_call(c, libc_data(c, data::kStdin), [](Stdio& io, File& in, File* out) -> std::int64_t {
        if (in.read_ptr < in.read_end) {
            std::uint64_t ch = 0;
            if (!io.session().call().mem.load(in.read_ptr++, 1, ch)) {
                io.fault();
                return kEof;
            }
            return std::int64_t(ch);
        }
        return io.uflow(in, out);
    });
}

// _IO_getline with the delimiter kept: up to n bytes, through the first '\n'.
std::uint64_t get_line(Stdio& io, File& in, File* out, std::uint64_t buf, std::uint64_t n)
{
    MemoryPort& mem = io.session().call().mem;
    std::uint64_t got = 0;
    while (n > 0) {
        if (in.read_ptr >= in.read_end) {
            int const ch = io.uflow(in, out);
            if (ch == kEof)
                break;
            if (!mem.store(buf + got, 1, std::uint64_t(ch))) {
                io.fault();
                return got;
            }
            ++got, --n;
            if (ch == '\n')
                break;
            continue;
        }
        // A page at a time: read_ptr and read_end are in the program's memory, and a FILE it
        // overwrote must not make the host allocate what they claim.
        std::uint64_t len = std::min({in.read_end - in.read_ptr, n, std::uint64_t(kPageSize)});
        std::string bytes(std::size_t(len), '\0');
        if (!mem.read(in.read_ptr, bytes.data(), bytes.size())) {
            io.fault();
            return got;
        }
        bool const line_end = bytes.find('\n') != std::string::npos;
        if (line_end)
            len = bytes.find('\n') + 1;
        if (!mem.write(buf + got, bytes.data(), std::size_t(len))) {
            io.fault();
            return got;
        }
        in.read_ptr += len, got += len, n -= len;
        if (line_end)
            break;
    }
    return got;
}

CallOutcome do_fgets(BuiltinCall& c)
{
    auto stream = stream_of(c, c.arg(2));
    if (!stream)
        return bad_stream(c, c.arg(2));
    std::uint64_t const buf = c.arg(0);
    int const n = as_int(c.arg(1));
    if (n <= 0)
        return value(0);
    if (n == 1)
        return c.mem.store(buf, 1, 0) ? value(std::int64_t(buf)) : CallOutcome{Kind::Fault};
    return input_call(c, *stream, [&](Stdio& io, File& in, File* out) -> std::int64_t {
        std::uint32_t const old_error = in.flags & io::kErrSeen;
        in.flags &= ~io::kErrSeen;
        std::uint64_t const count = get_line(io, in, out, buf, std::uint64_t(n - 1));
        bool const failed = count == 0 || in.has(io::kErrSeen);
        in.flags |= old_error;
        if (io.halted() || failed)
            return 0;
        if (!io.session().call().mem.store(buf + count, 1, 0)) {
            io.fault();
            return 0;
        }
        return std::int64_t(buf);
    });
}

// ---- exit -----------------------------------------------------------------------------------

CallOutcome do_exit(BuiltinCall& c)
{
    CallOutcome const flushed = flush_all_streams(c);
    if (flushed.kind != Kind::Return)
        return flushed;
    auto r = c.kernel.exit_group(c.pid, as_int(c.arg(0)) & 0xff);
    return r ? CallOutcome{Kind::Exited} : fail(c, r.error().code());
}

}  // namespace

std::span<Entry const> stdio_builtins()
{
    static Entry const table[] = {
        {"printf", do_printf}, {"fprintf", do_fprintf}, {"dprintf", do_dprintf}, {"sprintf", do_sprintf},
        {"snprintf", do_snprintf}, {"puts", do_puts}, {"fputs", do_fputs}, {"putchar", do_putchar},
        {"fputc", do_fputc}, {"putc", do_fputc}, {"fflush", do_fflush}, {"setbuf", do_setbuf},
        {"setvbuf", do_setvbuf}, {"perror", do_perror}, {"__assert_fail", do_assert_fail}, {"strerror", do_strerror}, {"getchar", do_getchar},
        {"fgets", do_fgets}, {"exit", do_exit},
    };
    return table;
}

// glibc's exit() -> _IO_cleanup(): flush every stream, then make each stream that was used
// unbuffered (_IO_unbuffer_all), which syncs it first: unread input read ahead from a file is
// given back with lseek. A vfork child's exit() does this to its parent's FILEs, which it shares.
CallOutcome flush_all_streams(BuiltinCall& c)
{
    Session s(c);
    Stdio io(s);
    std::array<File, 3> files;
    if (!s.begin(std_files(c)) || !load_all(c, files))
        return {Kind::Fault};
    (void)flush_all(io, files);
    for (File& f : files) {
        if (io.halted())
            break;
        if (f.has(io::kUnbuffered) || !f.has(io::kOriented))
            continue;
        f.flags |= io::kUserBuf;  // The buffer stays where it is, not freed.
        if (io.sync(f) != kEof && !io.halted())
            io.set_unbuffered(f);
    }
    if (io.halted())
        return io.halt_outcome();
    return store_all(c, files) ? value(0) : CallOutcome{Kind::Fault};
}

}  // namespace forklab::lang::libc
