// glibc's libio, the parts a course meets: the FILE lives in the process's memory (so fork copies
// it, buffer and all), its buffer comes from malloc at first use, and output goes through the
// same steps as _IO_new_file_overflow, _IO_new_file_xsputn and _IO_new_file_underflow, so the
// model's write(2) calls have the sizes and the timing strace shows for the real program.
#include "lang/libc_stream.h"

#include "kernel/task.h"

#include <algorithm>
#include <csignal>
#include <cstring>

namespace forklab::lang::libc {

// ---- The FILE in memory ---------------------------------------------------------------------

bool load_file(MemoryPort& mem, std::uint64_t at, File& f)
{
    std::uint8_t raw[56];
    if (!mem.read(at, raw, sizeof raw))
        return false;
    std::uint64_t words[6];
    f.at = at;
    std::memcpy(&f.flags, raw, 4);
    std::memcpy(&f.fd, raw + 4, 4);
    std::memcpy(words, raw + 8, sizeof words);
    f.buf_base = words[0], f.buf_end = words[1];
    f.write_ptr = words[2], f.write_end = words[3];
    f.read_ptr = words[4], f.read_end = words[5];
    return true;
}

bool store_file(MemoryPort& mem, File const& f)
{
    std::uint8_t raw[56];
    std::uint64_t const words[6] = {f.buf_base, f.buf_end, f.write_ptr, f.write_end, f.read_ptr, f.read_end};
    std::memcpy(raw, &f.flags, 4);
    std::memcpy(raw + 4, &f.fd, 4);
    std::memcpy(raw + 8, words, sizeof words);
    return mem.write(f.at, raw, sizeof raw);
}

// glibc's stdin is opened read-only, stdout and stderr write-only, stderr unbuffered; the
// others decide their buffering at first use.
bool init_stdio(MemoryPort& mem, RuntimeVariables const& rt)
{
    struct Std {
        std::uint64_t slot;
        int fd;
        std::uint32_t flags;
        std::uint64_t variable;
    };
    Std const streams[] = {
        {data::kStdin, 0, io::kMagic | io::kNoWrites, rt.stdin_addr},
        {data::kStdout, 1, io::kMagic | io::kNoReads, rt.stdout_addr},
        {data::kStderr, 2, io::kMagic | io::kNoReads | io::kUnbuffered, rt.stderr_addr},
    };
    for (Std const& s : streams) {
        File f;
        f.at = rt.libc_data + s.slot;
        f.fd = s.fd;
        f.flags = s.flags;
        if (!store_file(mem, f) || (s.variable && !mem.store(s.variable, 8, f.at)))
            return false;
    }
    return true;
}

std::optional<std::string> read_c_string(MemoryPort& mem, std::uint64_t at, std::uint64_t limit)
{
    std::string s;
    char chunk[256];
    while (s.size() < limit) {
        // Never past the end of the page, so a string that ends just before an unmapped page
        // reads as it would in C.
        std::uint64_t const page_left = 4096 - (at + s.size()) % 4096;
        std::size_t const n = std::size_t(std::min<std::uint64_t>({sizeof chunk, page_left, limit - s.size()}));
        if (!mem.read(at + s.size(), chunk, n))
            return std::nullopt;
        std::size_t const len = std::size_t(std::find(chunk, chunk + n, '\0') - chunk);
        s.append(chunk, len);
        if (len < n)
            break;
    }
    return s;
}

std::optional<std::uint64_t> stream_of(BuiltinCall& c, std::uint64_t file_ptr)
{
    for (std::uint64_t slot : {data::kStdin, data::kStdout, data::kStderr})
        if (file_ptr == libc_data(c, slot))
            return file_ptr;
    return std::nullopt;
}

// ---- Session: the replay of a call that slept -----------------------------------------------

Session::Session(BuiltinCall& c) : m_c(c)
{
    auto& list = c.cpu.libc_resume;
    std::size_t const depth = c.cpu.signal_frames.size();
    // A record deeper than the current signal depth belonged to a handler that has returned.
    std::erase_if(list, [&](LibcResume const& r) { return r.depth > depth; });
    for (auto it = list.begin(); it != list.end(); ++it) {
        if (it->depth != depth)
            continue;
        if (it->pc == c.cpu.pc) {
            m_rec = std::move(*it);
            m_resumed = true;
        }
        list.erase(it);
        break;
    }
    m_rec.pc = c.cpu.pc;
    m_rec.depth = depth;
}

bool Session::begin(std::span<std::uint64_t const> files)
{
    constexpr std::size_t kEntry = 8 + File::kSize;
    if (m_resumed) {
        for (std::size_t i = 0; i + kEntry <= m_rec.saved.size(); i += kEntry) {
            std::uint64_t at = 0;
            std::memcpy(&at, m_rec.saved.data() + i, 8);
            if (!m_c.mem.write(at, m_rec.saved.data() + i + 8, File::kSize))
                return false;
        }
        return true;
    }
    m_rec.saved.clear();
    for (std::uint64_t at : files) {
        std::uint8_t raw[File::kSize];
        if (!m_c.mem.read(at, raw, sizeof raw))
            return false;
        std::uint8_t const* p = reinterpret_cast<std::uint8_t const*>(&at);
        m_rec.saved.insert(m_rec.saved.end(), p, p + 8);
        m_rec.saved.insert(m_rec.saved.end(), raw, raw + sizeof raw);
    }
    return true;
}

std::optional<std::int64_t> Session::replayed()
{
    if (m_next < m_rec.results.size())
        return m_rec.results[m_next++];
    return std::nullopt;
}

std::int64_t Session::record(std::int64_t v)
{
    m_rec.results.push_back(v);
    ++m_next;
    return v;
}

namespace {

SigSet deliverable(Task const& t) { return (t.pending | t.signal->shared_pending) & ~t.blocked; }

// Whether the signal that will be delivered first restarts an interrupted system call: the
// order of dequeue_signal() (lowest number first; ignored ones are dropped), then SA_RESTART for
// a handler (signal(7)). A default stop or terminate never makes the call fail with EINTR.
bool restarts(Task const& t)
{
    SigSet const ready = deliverable(t);
    for (int sig = 1; sig <= 64; ++sig) {
        if (!(ready & sigbit(sig)))
            continue;
        SigAction const act = t.sighand->action(sig);
        if (act.handler == kSigIgn)
            continue;
        if (act.handler == kSigDfl) {
            DefaultAction const d = default_action(sig);
            if (d == DefaultAction::Ignore || d == DefaultAction::Continue)
                continue;
            return true;
        }
        return (act.flags & SA_RESTART) != 0;
    }
    return true;
}

}  // namespace

// Linux returns to user mode after every system call, and delivers a pending signal then: a
// call that completed with one pending stops here, the handler runs, and the library call goes
// on (from the record) where it was -- as glibc's loop in _IO_new_file_write would.
std::optional<std::int64_t> Session::settle(ErrorOr<Blocking> const& r)
{
    Task const* me = m_c.kernel.find_task(m_c.pid);
    auto stop = [&](Kind kind) -> std::optional<std::int64_t> {
        m_stopped = true;
        m_stop = CallOutcome{kind};
        return std::nullopt;
    };
    if (!r)
        return record(-r.error().code());
    switch (r->kind) {
    case Blocking::Kind::Done:
        record(r->value);
        if (me && deliverable(*me))
            return stop(Kind::Restart);
        return r->value;
    case Blocking::Kind::Sleeping:
        return stop(Kind::Block);
    case Blocking::Kind::Interrupted:
        // Nothing was transferred. Without SA_RESTART the call fails with EINTR once the
        // handler has run; with it, the call is simply made again.
        if (me && !restarts(*me))
            record(-EINTR);
        return stop(Kind::Restart);
    }
    return stop(Kind::Block);
}

std::optional<std::int64_t> Session::write(int fd, std::uint64_t buf, std::uint64_t count)
{
    if (auto r = replayed())
        return r;
    return settle(m_c.kernel.write(m_c.pid, fd, buf, count));
}

std::optional<std::int64_t> Session::read(int fd, std::uint64_t buf, std::uint64_t count)
{
    if (auto r = replayed())
        return r;
    return settle(m_c.kernel.read(m_c.pid, fd, buf, count));
}

std::optional<std::int64_t> Session::lseek(int fd, std::int64_t offset, int whence)
{
    if (auto r = replayed())
        return r;
    auto r = m_c.kernel.lseek(m_c.pid, fd, offset, whence);
    return record(r ? *r : -r.error().code());
}

std::optional<std::int64_t> Session::fstat_kind(int fd)
{
    auto r = m_c.kernel.fstat(m_c.pid, fd);
    return r ? std::int64_t(r->kind) : -std::int64_t(r.error().code());
}

CallOutcome Session::suspend()
{
    m_c.cpu.libc_resume.push_back(std::move(m_rec));
    return m_stop;
}

// ---- Pieces, kept across a sleep ------------------------------------------------------------

namespace {

void put64(std::vector<std::uint8_t>& out, std::uint64_t v)
{
    auto const* p = reinterpret_cast<std::uint8_t const*>(&v);
    out.insert(out.end(), p, p + 8);
}

std::uint64_t get64(std::vector<std::uint8_t> const& in, std::size_t& at)
{
    std::uint64_t v = 0;
    if (at + 8 <= in.size())
        std::memcpy(&v, in.data() + at, 8);
    at += 8;
    return v;
}

}  // namespace

void save_pieces(std::vector<std::uint8_t>& out, std::vector<Piece> const& pieces)
{
    for (Piece const& p : pieces) {
        out.push_back(std::uint8_t(p.kind));
        out.push_back(std::uint8_t(p.ch));
        put64(out, p.addr);
        put64(out, p.count);
        put64(out, p.text.size());
        out.insert(out.end(), p.text.begin(), p.text.end());
    }
}

std::vector<Piece> load_pieces(std::vector<std::uint8_t> const& in)
{
    std::vector<Piece> pieces;
    std::size_t at = 0;
    while (at + 26 <= in.size()) {
        Piece p;
        p.kind = Piece::Kind(in[at]);
        p.ch = char(in[at + 1]);
        at += 2;
        p.addr = get64(in, at);
        p.count = get64(in, at);
        std::uint64_t const len = std::min<std::uint64_t>(get64(in, at), in.size() - std::min(at, in.size()));
        p.text.assign(reinterpret_cast<char const*>(in.data() + at), std::size_t(len));
        at += std::size_t(len);
        pieces.push_back(std::move(p));
    }
    return pieces;
}

std::string flatten(std::vector<Piece> const& pieces, std::uint64_t limit)
{
    std::string out;
    for (Piece const& p : pieces) {
        if (out.size() >= limit)
            break;
        std::uint64_t const room = limit - out.size();
        switch (p.kind) {
        case Piece::Kind::Text: out.append(p.text, 0, std::size_t(std::min<std::uint64_t>(room, p.text.size()))); break;
        case Piece::Kind::Char: out.push_back(p.ch); break;
        case Piece::Kind::Pad: out.append(std::size_t(std::min(room, p.count)), p.ch); break;
        }
    }
    return out;
}

// ---- libio ----------------------------------------------------------------------------------

namespace {

constexpr std::uint64_t kBufsiz = 8192;  // BUFSIZ

// st_blksize as Linux reports it: a terminal says 1024, a pipe, /dev/null and ext4 say 4096.
std::uint64_t blksize(InodeKind kind) { return kind == InodeKind::Terminal ? 1024 : 4096; }

// _IO_setb: a malloc'd buffer is freed when replaced; a user's or the shortbuf never is.
void setb(BuiltinCall& c, File& f, std::uint64_t base, std::uint64_t end, bool malloced)
{
    if (f.buf_base && !f.has(io::kUserBuf))
        heap_free(c, f.buf_base);
    f.buf_base = base, f.buf_end = end;
    f.flags = malloced ? f.flags & ~io::kUserBuf : f.flags | io::kUserBuf;
}

}  // namespace

// _IO_doallocbuf and _IO_file_doallocate: a terminal is line-buffered; the buffer is st_blksize
// bytes (at most BUFSIZ) from malloc; unbuffered streams, or no memory, use the one-byte shortbuf.
bool Stdio::doallocbuf(File& f)
{
    if (f.buf_base)
        return true;
    if (!f.has(io::kUnbuffered)) {
        std::uint64_t size = kBufsiz;
        if (auto kind = m_s.fstat_kind(f.fd); kind && *kind >= 0) {
            if (InodeKind(*kind) == InodeKind::Terminal)
                f.flags |= io::kLineBuf;
            size = std::min(size, blksize(InodeKind(*kind)));
        }
        if (std::uint64_t const p = heap_alloc(m_c, size)) {
            setb(m_c, f, p, p + size, true);
            return true;
        }
    }
    setb(m_c, f, f.shortbuf(), f.shortbuf() + 1, false);
    return true;
}

// _IO_new_file_write: write(2) until all of it is out; an error sets the error flag and stops.
std::uint64_t Stdio::file_write(File& f, std::uint64_t data, std::uint64_t n)
{
    std::uint64_t to_do = n;
    while (to_do > 0) {
        auto r = m_s.write(f.fd, data, to_do);
        if (!r)
            return 0;
        if (*r <= 0) {
            f.flags |= io::kErrSeen;
            if (*r < 0)
                set_errno(int(-*r));
            break;
        }
        to_do -= std::uint64_t(*r);
        data += std::uint64_t(*r);
    }
    return n - to_do;
}

// new_do_write: whatever happened, the buffer is empty afterwards (what failed is dropped).
std::uint64_t Stdio::new_do_write(File& f, std::uint64_t data, std::uint64_t n)
{
    std::uint64_t const count = file_write(f, data, n);
    if (halted())
        return 0;
    f.read_ptr = f.read_end = f.buf_base;
    f.write_ptr = f.buf_base;
    f.write_end = f.has(io::kLineBuf | io::kUnbuffered) ? f.buf_base : f.buf_end;
    return count;
}

int Stdio::do_write(File& f, std::uint64_t data, std::uint64_t n)
{
    if (n == 0)
        return 0;
    std::uint64_t const wrote = new_do_write(f, data, n);
    return !halted() && wrote == n ? 0 : kEof;
}

int Stdio::do_flush(File& f)
{
    if (f.write_ptr <= f.buf_base)
        return 0;
    return do_write(f, f.buf_base, f.write_ptr - f.buf_base);
}

// _IO_new_file_overflow: set up for writing, flush a full buffer, store ch; a line-buffered
// stream is written out at '\n' and an unbuffered one at once. ch == EOF just flushes.
int Stdio::overflow(File& f, int ch)
{
    if (f.has(io::kNoWrites)) {
        f.flags |= io::kErrSeen;
        set_errno(EBADF);
        return kEof;
    }
    if (!f.has(io::kPutting) || f.write_ptr == 0) {
        if (!f.buf_base && !doallocbuf(f))
            return kEof;
        f.write_ptr = f.buf_base;
        f.write_end = f.buf_end;
        f.read_ptr = f.read_end = f.buf_base;
        f.flags |= io::kPutting;
        if (f.has(io::kLineBuf | io::kUnbuffered))
            f.write_end = f.write_ptr;
    }
    if (ch == kEof)
        return do_flush(f);
    if (f.write_ptr == f.buf_end && do_flush(f) == kEof)
        return kEof;
    if (!m_c.mem.store(f.write_ptr, 1, std::uint8_t(ch))) {
        fault();
        return kEof;
    }
    ++f.write_ptr;
    if (f.has(io::kUnbuffered) || (f.has(io::kLineBuf) && ch == '\n'))
        if (do_flush(f) == kEof)
            return kEof;
    return ch & 0xff;
}

bool Stdio::copy_in(File& f, std::string_view s)
{
    if (s.empty())
        return true;
    if (!m_c.mem.write(f.write_ptr, s.data(), s.size())) {
        fault();
        return false;
    }
    f.write_ptr += s.size();
    return true;
}

// _IO_default_xsputn: fill what room there is, then a character at a time through overflow.
// Runs of characters that overflow would store one by one without writing are copied at once.
std::uint64_t Stdio::default_xsputn(File& f, std::string_view s)
{
    std::size_t i = 0;
    while (i < s.size()) {
        if (f.write_ptr < f.write_end) {
            std::size_t const n = std::size_t(std::min<std::uint64_t>(f.write_end - f.write_ptr, s.size() - i));
            if (!copy_in(f, s.substr(i, n)))
                return i;
            i += n;
            continue;
        }
        // A line-buffered stream's overflow(c) only stores c while there is room and c is not
        // a newline.
        bool const stores_only = f.has(io::kLineBuf) && !f.has(io::kUnbuffered | io::kNoWrites) &&
            f.has(io::kPutting) && f.write_ptr != 0 && f.write_ptr < f.buf_end;
        if (stores_only) {
            // overflow(c) for each c of a run with no '\n' that fits: stores only.
            std::size_t n = std::size_t(std::min<std::uint64_t>(f.buf_end - f.write_ptr, s.size() - i));
            std::size_t const nl = s.substr(i, n).find('\n');
            if (nl != std::string_view::npos)
                n = nl;
            if (n > 0) {
                if (!copy_in(f, s.substr(i, n)))
                    return i;
                i += n;
                continue;
            }
        }
        if (overflow(f, static_cast<unsigned char>(s[i])) == kEof)
            return i;
        ++i;
    }
    return i;
}

// _IO_new_file_xsputn. What fits goes into the buffer; a line-buffered stream given text with a
// '\n' in it flushes through the last one. Whatever is left: the buffer is flushed, a whole number
// of buffer-sized blocks is written straight from the caller's memory, the rest is buffered.
std::uint64_t Stdio::xsputn(File& f, std::string_view s, std::uint64_t addr)
{
    std::uint64_t const n = s.size();
    if (n == 0)
        return 0;
    std::uint64_t count = 0;
    bool must_flush = false;
    if (f.has(io::kLineBuf) && f.has(io::kPutting)) {
        count = f.buf_end - f.write_ptr;
        if (count >= n) {
            if (std::size_t const nl = s.rfind('\n'); nl != std::string_view::npos) {
                count = nl + 1;
                must_flush = true;
            }
        }
    } else if (f.write_end > f.write_ptr) {
        count = f.write_end - f.write_ptr;
    }
    count = std::min(count, n);
    if (count > 0 && !copy_in(f, s.substr(0, std::size_t(count))))
        return 0;
    std::uint64_t to_do = n - count;
    if (to_do == 0 && !must_flush)
        return n;
    if (overflow(f, kEof) == kEof)
        return to_do == 0 ? ~std::uint64_t(0) : n - to_do;
    std::uint64_t const block = f.buf_end - f.buf_base;
    std::uint64_t const direct = to_do - (block >= 128 ? to_do % block : 0);
    if (direct) {
        std::uint64_t from = addr ? addr + count : 0;
        if (!from) {
            // Text the library made itself: written from its frame, below the caller's stack.
            from = stack_scratch(direct);
            if (!m_c.mem.write(from, s.data() + count, std::size_t(direct))) {
                fault();
                return 0;
            }
        }
        std::uint64_t const wrote = new_do_write(f, from, direct);
        if (halted())
            return 0;
        to_do -= wrote;
        if (wrote < direct)
            return n - to_do;
    }
    if (to_do)
        to_do -= default_xsputn(f, s.substr(std::size_t(count + direct)));
    return n - to_do;
}

int Stdio::putc(File& f, int ch)
{
    if (f.write_ptr >= f.write_end)
        return overflow(f, ch & 0xff);
    if (!m_c.mem.store(f.write_ptr, 1, std::uint8_t(ch))) {
        fault();
        return kEof;
    }
    ++f.write_ptr;
    return ch & 0xff;
}

// _IO_padn: padding goes out 16 characters at a time.
std::uint64_t Stdio::padn(File& f, char ch, std::uint64_t count)
{
    std::string const chunk(16, ch);
    std::uint64_t written = 0;
    while (count > 0) {
        std::uint64_t const n = std::min<std::uint64_t>(16, count);
        std::uint64_t const w = xsputn(f, std::string_view(chunk).substr(0, std::size_t(n)), 0);
        if (halted())
            return written;
        if (w != n)
            return written + (w == ~std::uint64_t(0) ? 0 : w);
        written += n;
        count -= n;
    }
    return written;
}

// _IO_new_file_sync: pending output is written; input read ahead but not consumed is given back
// to the file (lseek back), which an unseekable pipe or terminal cannot do (ESPIPE, ignored).
int Stdio::sync(File& f)
{
    if (f.has(io::kPutting) && f.write_ptr > f.buf_base && do_flush(f) == kEof)
        return kEof;
    if (halted())
        return kEof;
    std::int64_t const delta = std::int64_t(f.read_ptr - f.read_end);
    if (delta != 0 && f.read_end) {
        auto r = m_s.lseek(f.fd, delta, SEEK_CUR);
        if (!r)
            return kEof;
        if (*r >= 0)
            f.read_end = f.read_ptr;
        else if (*r != -ESPIPE) {
            set_errno(int(-*r));
            return kEof;
        }
    }
    return 0;
}

// _IO_new_file_underflow. Reading from a terminal (a line-buffered or unbuffered stream) first
// flushes a line-buffered stdout, so a prompt without '\n' appears before the program waits.
int Stdio::underflow(File& f, File* out)
{
    if (f.has(io::kEofSeen))
        return kEof;
    if (f.has(io::kNoReads)) {
        f.flags |= io::kErrSeen;
        set_errno(EBADF);
        return kEof;
    }
    if (f.read_ptr < f.read_end) {
        std::uint64_t c = 0;
        if (!m_c.mem.load(f.read_ptr, 1, c)) {
            fault();
            return kEof;
        }
        return int(c);
    }
    if (!f.buf_base && !doallocbuf(f))
        return kEof;
    if (out && f.has(io::kLineBuf | io::kUnbuffered) && (out->flags & (io::kNoWrites | io::kLineBuf)) == io::kLineBuf) {
        (void)overflow(*out, kEof);
        if (halted())
            return kEof;
    }
    f.read_ptr = f.read_end = f.buf_base;
    auto r = m_s.read(f.fd, f.buf_base, f.buf_end - f.buf_base);
    if (!r)
        return kEof;
    std::int64_t count = *r;
    if (count <= 0) {
        if (count == 0)
            f.flags |= io::kEofSeen;
        else
            f.flags |= io::kErrSeen, set_errno(int(-count)), count = 0;
    }
    f.read_end += std::uint64_t(count);
    if (count == 0)
        return kEof;
    std::uint64_t c = 0;
    if (!m_c.mem.load(f.read_ptr, 1, c)) {
        fault();
        return kEof;
    }
    return int(c);
}

int Stdio::uflow(File& f, File* out)
{
    int const c = underflow(f, out);
    if (c == kEof)
        return kEof;
    ++f.read_ptr;
    return c;
}

// _IO_default_setbuf(f, NULL, 0) as exit's _IO_unbuffer_all uses it: the buffer is kept (not
// freed), the stream becomes unbuffered on its shortbuf.
void Stdio::set_unbuffered(File& f)
{
    f.flags |= io::kUnbuffered;  // glibc leaves _IO_LINE_BUF as it was.
    f.buf_base = f.shortbuf(), f.buf_end = f.shortbuf() + 1;
    f.flags |= io::kUserBuf;
    f.write_ptr = f.write_end = f.read_ptr = f.read_end = f.buf_base;
}

std::uint64_t Stdio::stack_scratch(std::uint64_t size) const { return (m_c.cpu.sp - 256 - size) & ~std::uint64_t(15); }

}  // namespace forklab::lang::libc
