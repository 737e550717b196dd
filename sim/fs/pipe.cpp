// Pipes. Linux: fs/pipe.c.
//
// A pipe is a buffer with two ends, each an open file description. What a course teaches about
// them is all in the end counts: a reader sleeps while the pipe is empty and *some* write end is
// open anywhere -- so a parent that forgets to close its copy of the write end leaves its child
// waiting for an end-of-file that never comes -- and a writer with no reader left gets SIGPIPE.
#include "kernel/kernel.h"

#include "base/format.h"

#include <algorithm>

namespace forklab {

// pipe2(2): two descriptions on one new pipe inode, in the two lowest free descriptors.
ErrorOr<std::pair<int, int>> Kernel::pipe2(pid_t caller, int flags)
{
    Task* me = TRY(current(caller));
    if (flags & ~(O_CLOEXEC | O_NONBLOCK | O_DIRECT))
        return error(EINVAL);
    std::uint64_t const limit = me->signal->rlim[RLIMIT_NOFILE].cur;
    int const rfd = TRY(me->files->alloc_fd(0, limit));
    int const wfd = TRY(me->files->alloc_fd(rfd + 1, limit));
    auto inode = m_vfs.make_inode(InodeKind::Pipe, 0600, me->cred.euid, me->cred.egid, "");
    inode->display_name = format("pipe:[{}]", inode->ino);
    // Linux: create_pipe_files(). Unlike open(), pipe() does not add O_LARGEFILE.
    // Only the write end takes O_DIRECT ("packet mode" is about writes).
    auto reader = make_ref<OpenFileDescription>(m_vfs, inode, inode->display_name, O_RDONLY | (flags & O_NONBLOCK));
    auto writer = make_ref<OpenFileDescription>(m_vfs, inode, inode->display_name,
        O_WRONLY | (flags & (O_NONBLOCK | O_DIRECT)));
    me->files->install(rfd, reader, flags & O_CLOEXEC);
    me->files->install(wfd, writer, flags & O_CLOEXEC);
    emit_extra(EventKind::PipeCreated, 0, me->pid, pid_t(inode->ino), std::uint32_t(reader->id),
        std::int64_t(rfd) | std::int64_t(wfd) << 32);
    return std::pair{rfd, wfd};
}

// Linux: pipe_read(). Take what is there (up to count); with nothing there, end-of-file if no
// write end is open, else EAGAIN for O_NONBLOCK, else sleep until a writer writes or closes.
ErrorOr<Blocking> Kernel::pipe_read(Task& task, OpenFileDescription& file, std::uint64_t buf, std::uint64_t count)
{
    Pipe& pipe = *file.inode->pipe;
    if (count == 0)
        return Blocking{};
    if (!pipe.empty()) {
        bool const was_full = pipe.full();
        std::vector<std::uint8_t> const bytes = pipe.peek(std::min<std::size_t>(count, pipe.buffered()));
        std::size_t const copied = copy_to_user(task, buf, bytes);
        if (copied == 0)
            return error(EFAULT);
        pipe.consume(copied);
        pipe.bytes_read += copied;
        // Writers sleep only on a full pipe; they are woken once a page is free again.
        if (was_full && !pipe.full())
            wake_up_queue(pipe.wr_wait, file.inode.get());
        emit_file_io(EventKind::FileRead, task, file, copied);
        return Blocking{Blocking::Kind::Done, std::int64_t(copied)};
    }
    if (pipe.writers == 0) {
        emit_file_io(EventKind::FileRead, task, file, 0);  // End-of-file.
        return Blocking{};
    }
    if (file.flags & O_NONBLOCK)
        return error(EAGAIN);
    if (signal_pending(task))
        return Blocking{Blocking::Kind::Interrupted, 0};
    sleep_on(task, pipe.rd_wait, file.inode.get(), BlockReason::PipeRead);
    return Blocking{Blocking::Kind::Sleeping, 0};
}

// Linux: pipe_write(). With no reader left: SIGPIPE, and EPIPE if the signal did not kill us.
// The part of the write that is not a whole number of pages goes into the last page if it fits
// there whole; the rest fills new pages, a page at a time, while fewer than 16 are in use. So a
// write of at most PIPE_BUF bytes goes in whole or not at all. A blocking writer that finds the
// pipe full sleeps, and its re-issued call carries on where it stopped (task.io_done) until all
// of it is in. A signal ends the wait: with nothing written the call is interrupted, with
// something written it returns that much.
ErrorOr<Blocking> Kernel::pipe_write(Task& task, OpenFileDescription& file, std::uint64_t buf, std::uint64_t count)
{
    Pipe& pipe = *file.inode->pipe;
    if (count == 0)
        return Blocking{};  // Before the reader check: an empty write raises no SIGPIPE.
    std::optional<std::uint64_t> const resumed = std::exchange(task.io_done, std::nullopt);
    std::uint64_t done = resumed.value_or(0);
    auto finish = [&] { return Blocking{Blocking::Kind::Done, std::int64_t(done)}; };
    if (pipe.readers == 0) {
        (void)group_send_sig_info(nullptr, SIGPIPE, task, SignalReason::BrokenPipe);
        if (done)
            return finish();
        return error(EPIPE);
    }
    // Copy in only what can go in now (the merge, then the free pages): a huge write to a full
    // pipe costs nothing until there is room.
    std::size_t const chars = count & (Pipe::kPageSize - 1);
    bool const merge = !resumed && chars && pipe.can_merge(chars);
    std::uint64_t const room = (merge ? chars : 0) + (Pipe::kPages - pipe.bufs.size()) * Pipe::kPageSize;
    std::uint64_t const want = std::min(count - done, room);
    if (want == 0 && !(file.flags & O_NONBLOCK) && !signal_pending(task)) {
        task.io_done = done;
        sleep_on(task, pipe.wr_wait, file.inode.get(), BlockReason::PipeWrite);
        return Blocking{Blocking::Kind::Sleeping, 0};
    }
    auto bytes = copy_from_user(task, buf + done, want);
    if (!bytes || (want && bytes->empty())) {
        if (done)
            return finish();
        if (want)
            return error(EFAULT);
    }
    std::span<std::uint8_t const> rest = bytes ? std::span<std::uint8_t const>(*bytes) : std::span<std::uint8_t const>();
    bool const short_copy = bytes && bytes->size() < want;
    std::size_t wrote = 0;
    if (merge) {
        std::size_t const take = std::min(chars, rest.size());
        pipe.append_to_last(rest.first(take));
        rest = rest.subspan(take);
        wrote += take;
    }
    while (!rest.empty() && !pipe.full()) {
        std::size_t const take = std::min(Pipe::kPageSize, rest.size());
        pipe.push_page(rest.first(take));
        rest = rest.subspan(take);
        wrote += take;
    }
    if (wrote) {
        pipe.bytes_written += wrote;
        done += wrote;
        wake_up_queue(pipe.rd_wait, file.inode.get());
        emit_file_io(EventKind::FileWrite, task, file, wrote);
    }
    if (done == count || short_copy)
        return finish();  // All of it, or all that could be read from the caller's buffer.
    if (done && ((file.flags & O_NONBLOCK) || signal_pending(task)))
        return finish();
    if (file.flags & O_NONBLOCK)
        return error(EAGAIN);
    if (signal_pending(task))
        return Blocking{Blocking::Kind::Interrupted, 0};
    task.io_done = done;
    sleep_on(task, pipe.wr_wait, file.inode.get(), BlockReason::PipeWrite);
    return Blocking{Blocking::Kind::Sleeping, 0};
}

}  // namespace forklab
