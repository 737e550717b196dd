// read(2), write(2) and lseek(2). Linux: fs/read_write.c, and each file type's read and write
// (mm/filemap.c for regular files, drivers/tty for the terminal, drivers/char/mem.c for
// /dev/null; pipes are in pipe.cpp).
//
// The bytes move between the file and the caller's simulated memory, through its page table:
// reading into a buffer a fork has shared takes a copy-on-write fault, as it does in Linux, and a
// wild pointer is EFAULT (the kernel does not SIGSEGV a process for a bad system-call argument).
#include "kernel/kernel.h"

#include <algorithm>

namespace forklab {

namespace {

// Linux: MAX_RW_COUNT. No single read or write moves more.
constexpr std::uint64_t kMaxRwCount = 0x7ffff000;
// How much a read or write of a file moves through the host at a time.
constexpr std::uint64_t kIoChunk = 64 << 10;

bool user_range_ok(std::uint64_t buf, std::uint64_t count)
{
    return buf + count >= buf && buf + count <= kTaskSize;  // Linux: access_ok().
}

}  // namespace

// Linux: copy_from_user(). What could be read from the caller's memory, in order; stops at the
// first unmapped or unreadable byte. Nothing at all (for a non-empty range) is EFAULT.
std::optional<std::vector<std::uint8_t>> Kernel::copy_from_user(Task& task, std::uint64_t buf, std::uint64_t count)
{
    if (!user_range_ok(buf, count) || !task.mm)
        return std::nullopt;
    std::vector<std::uint8_t> bytes(count);
    std::vector<FaultResult> faults;
    auto stop = task.mm->read(buf, bytes, task.mm_counters, &faults);
    account_faults(task, faults, false);
    if (stop) {
        if (stop->kind == FaultResult::Kind::Oom)
            (void)finish_access(task, stop);
        bytes.resize(stop->va > buf ? stop->va - buf : 0);
        if (bytes.empty() && count)
            return std::nullopt;
    }
    return bytes;
}

// Linux: copy_to_user(). How many bytes reached the caller's memory.
std::size_t Kernel::copy_to_user(Task& task, std::uint64_t buf, std::span<std::uint8_t const> bytes)
{
    if (!user_range_ok(buf, bytes.size()) || !task.mm)
        return 0;
    std::vector<FaultResult> faults;
    auto stop = task.mm->write(buf, bytes, task.mm_counters, &faults);
    account_faults(task, faults, true);
    if (!stop)
        return bytes.size();
    if (stop->kind == FaultResult::Kind::Oom)
        (void)finish_access(task, stop);
    return stop->va > buf ? std::min<std::size_t>(stop->va - buf, bytes.size()) : 0;
}

ErrorOr<Blocking> Kernel::read(pid_t caller, int fd, std::uint64_t buf, std::uint64_t count)
{
    Task* me = TRY(current(caller));
    OpenFileDescription* file = TRY(fget(*me, fd));
    if (!file->readable())
        return error(EBADF);
    if (file->inode->is_dir())
        return error(EISDIR);
    if (!user_range_ok(buf, count))
        return error(EFAULT);
    count = std::min(count, kMaxRwCount);
    if (file->inode->pipe)
        return pipe_read(*me, *file, buf, count);
    return file_read(*me, *file, buf, count);
}

ErrorOr<Blocking> Kernel::write(pid_t caller, int fd, std::uint64_t buf, std::uint64_t count)
{
    Task* me = TRY(current(caller));
    OpenFileDescription* file = TRY(fget(*me, fd));
    if (!file->writable())
        return error(EBADF);
    if (!user_range_ok(buf, count))
        return error(EFAULT);
    count = std::min(count, kMaxRwCount);
    if (file->inode->pipe)
        return pipe_write(*me, *file, buf, count);
    return file_write(*me, *file, buf, count);
}

// Regular files, the terminal and /dev/null. None of them sleeps: a regular file's data is in
// memory, the terminal's input is what the scenario provided (then end-of-file), and /dev/null
// reads as end-of-file.
ErrorOr<Blocking> Kernel::file_read(Task& task, OpenFileDescription& file, std::uint64_t buf, std::uint64_t count)
{
    Inode& inode = *file.inode;
    std::uint64_t available = 0;
    if (inode.is_regular())
        available = inode.size > file.offset ? inode.size - file.offset : 0;
    else if (inode.tty)
        available = inode.tty->input.size() - inode.tty->input_pos;
    std::uint64_t const want = std::min(count, available);
    // In chunks, so that a huge read costs the host one chunk of buffer; a fault part-way
    // makes a short read (Linux: filemap_read() stops at the failed copy).
    std::uint64_t copied = 0;
    while (copied < want) {
        std::vector<std::uint8_t> chunk(std::size_t(std::min(want - copied, kIoChunk)));
        if (inode.is_regular())
            inode.read_at(file.offset + copied, chunk);
        else
            std::copy_n(inode.tty->input.begin() + std::ptrdiff_t(inode.tty->input_pos + copied), chunk.size(),
                chunk.begin());
        std::size_t const n = copy_to_user(task, buf + copied, chunk);
        copied += n;
        if (n < chunk.size())
            break;
    }
    if (copied == 0 && want)
        return error(EFAULT);
    if (inode.tty)
        inode.tty->input_pos += copied;
    if (inode.is_regular())
        file.offset += copied;
    emit_file_io(EventKind::FileRead, task, file, copied);
    return Blocking{Blocking::Kind::Done, std::int64_t(copied)};
}

ErrorOr<Blocking> Kernel::file_write(Task& task, OpenFileDescription& file, std::uint64_t buf, std::uint64_t count)
{
    Inode& inode = *file.inode;
    if (inode.kind == InodeKind::Null) {
        emit_file_io(EventKind::FileWrite, task, file, count);
        return Blocking{Blocking::Kind::Done, std::int64_t(count)};  // write_null() never reads the buffer.
    }
    // Linux: generic_write_checks(). An empty write returns before O_APPEND moves the offset
    // and before anything can grow the file.
    if (count == 0)
        return Blocking{};
    if (inode.is_regular()) {
        // O_APPEND: the offset moves to the end first, in the same step as the write, so two
        // processes appending through different descriptions never overwrite each other.
        if (file.flags & O_APPEND)
            file.offset = inode.size;
        // RLIMIT_FSIZE: a write that would start at or past it gets SIGXFSZ and EFBIG; one that
        // would cross it is cut short there.
        std::uint64_t const limit = task.signal->rlim[RLIMIT_FSIZE].cur;
        if (file.offset >= limit) {
            (void)group_send_sig_info(nullptr, SIGXFSZ, task, SignalReason::Kernel);
            return error(EFBIG);
        }
        count = std::min(count, limit - file.offset);
    }
    // In chunks: the bytes go from the caller's memory to the file a chunk at a time, and a fault
    // part-way makes a short write.
    std::uint64_t done = 0;
    while (done < count) {
        auto chunk = copy_from_user(task, buf + done, std::min(count - done, kIoChunk));
        if (!chunk)
            break;
        std::size_t n = chunk->size();
        if (inode.is_regular()) {
            auto wrote = inode.write_at(file.offset, *chunk);
            if (!wrote) {
                if (done)
                    break;
                return std::unexpected(wrote.error());  // ENOSPC: no frame for the data.
            }
            n = *wrote;
            file.offset += n;
        } else if (inode.tty) {
            inode.tty->record(m_step, task.tgid, std::string_view(reinterpret_cast<char const*>(chunk->data()), n));
        }
        done += n;
        if (n < std::min(count - (done - n), kIoChunk))
            break;
    }
    if (done == 0)
        return error(EFAULT);
    emit_file_io(EventKind::FileWrite, task, file, done);
    return Blocking{Blocking::Kind::Done, std::int64_t(done)};
}

// Linux: the llseek of each file type. Pipes and terminals have no position (ESPIPE);
// /dev/null's is always 0. The offset is the description's: a child's lseek() moves the
// parent's next read.
ErrorOr<std::int64_t> Kernel::lseek(pid_t caller, int fd, std::int64_t offset, int whence)
{
    Task* me = TRY(current(caller));
    OpenFileDescription* file = TRY(fget(*me, fd));
    Inode const& inode = *file->inode;
    if (whence < SEEK_SET || whence > SEEK_HOLE)
        return error(EINVAL);  // Linux: ksys_lseek() checks whence before asking the file.
    if (inode.pipe || inode.tty)
        return error(ESPIPE);
    if (inode.kind == InodeKind::Null)
        return 0;
    std::int64_t const size = std::int64_t(inode.size);
    std::int64_t base = 0;
    switch (whence) {
    case SEEK_SET: base = 0; break;
    case SEEK_CUR: base = std::int64_t(file->offset); break;
    case SEEK_END: base = size; break;
    case SEEK_DATA:
    case SEEK_HOLE:
        // No holes are tracked: all of [0, size) is data, and the one hole is at the end.
        if (offset < 0 || offset >= size)
            return error(ENXIO);
        base = 0;
        if (whence == SEEK_HOLE)
            offset = size;
        break;
    default: return error(EINVAL);
    }
    std::int64_t target = 0;
    if (__builtin_add_overflow(base, offset, &target))
        return error(EOVERFLOW);
    if (target < 0)
        return error(EINVAL);
    file->offset = std::uint64_t(target);
    emit_extra(EventKind::FileSeek, std::uint8_t(inode.kind), me->pid, other_sharer(*me, *file),
        std::uint32_t(file->id), target);
    return target;
}

void Kernel::emit_file_io(EventKind kind, Task const& task, OpenFileDescription const& file, std::uint64_t bytes)
{
    // Who else moves with this offset matters for regular files only; a pipe or terminal has none.
    pid_t const other = file.inode->is_regular() ? other_sharer(task, file) : 0;
    emit_extra(kind, std::uint8_t(file.inode->kind), task.pid, other, std::uint32_t(file.id),
        io_value(bytes, file.offset));
}

// Another process whose fd table points at this description: the one whose offset moved too.
pid_t Kernel::other_sharer(Task const& task, OpenFileDescription const& file) const
{
    if (file.use_count() < 2)
        return 0;
    for (Task const& t : m_tasks) {
        if (t.tgid == task.tgid || !t.is_thread_group_leader() || !t.files || t.files == task.files)
            continue;
        for (FdSlot const& slot : t.files->fds)
            if (slot.file.get() == &file)
                return t.pid;
    }
    return 0;
}

}  // namespace forklab
