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
    int const status = flags & (O_NONBLOCK | O_DIRECT);
    auto reader = make_ref<OpenFileDescription>(m_vfs, inode, inode->display_name, O_RDONLY | status);
    auto writer = make_ref<OpenFileDescription>(m_vfs, inode, inode->display_name, O_WRONLY | status);
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
    if (!pipe.buffer.empty()) {
        std::size_t const n = std::min<std::size_t>(count, pipe.buffer.size());
        std::vector<std::uint8_t> const bytes(pipe.buffer.begin(), pipe.buffer.begin() + std::ptrdiff_t(n));
        std::size_t const copied = copy_to_user(task, buf, bytes);
        if (copied == 0)
            return error(EFAULT);
        pipe.buffer.erase(pipe.buffer.begin(), pipe.buffer.begin() + std::ptrdiff_t(copied));
        pipe.bytes_read += copied;
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
// A write of at most PIPE_BUF bytes goes in whole or waits; a longer one goes in as space
// allows, and a blocking writer sleeps until all of it is in (task.io_done keeps count across
// the sleeps). A signal ends the wait: with nothing written the call is interrupted, with
// something written it returns that much.
ErrorOr<Blocking> Kernel::pipe_write(Task& task, OpenFileDescription& file, std::uint64_t buf, std::uint64_t count)
{
    Pipe& pipe = *file.inode->pipe;
    std::uint64_t done = std::exchange(task.io_done, 0);
    auto finish = [&](std::uint64_t total) { return Blocking{Blocking::Kind::Done, std::int64_t(total)}; };
    if (pipe.readers == 0) {
        (void)group_send_sig_info(nullptr, SIGPIPE, task, SignalReason::BrokenPipe);
        if (done)
            return finish(done);
        return error(EPIPE);
    }
    if (count == 0)
        return Blocking{};
    bool const atomic = count <= Pipe::kPipeBuf;
    std::uint64_t const fits = atomic ? (pipe.space() >= count ? count : 0) : std::min<std::uint64_t>(pipe.space(), count - done);
    if (fits) {
        auto bytes = copy_from_user(task, buf + done, fits);
        if (!bytes) {
            if (done)
                return finish(done);
            return error(EFAULT);
        }
        pipe.buffer.insert(pipe.buffer.end(), bytes->begin(), bytes->end());
        pipe.bytes_written += bytes->size();
        done += bytes->size();
        wake_up_queue(pipe.rd_wait, file.inode.get());
        emit_file_io(EventKind::FileWrite, task, file, bytes->size());
        if (done == count || bytes->size() < fits)
            return finish(done);
    }
    if (done && ((file.flags & O_NONBLOCK) || signal_pending(task)))
        return finish(done);
    if (file.flags & O_NONBLOCK)
        return error(EAGAIN);
    if (signal_pending(task))
        return Blocking{Blocking::Kind::Interrupted, 0};
    task.io_done = done;
    sleep_on(task, pipe.wr_wait, file.inode.get(), BlockReason::PipeWrite);
    return Blocking{Blocking::Kind::Sleeping, 0};
}

}  // namespace forklab
