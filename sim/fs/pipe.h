// A pipe's buffer and its two ends (Linux: struct pipe_inode_info, fs/pipe.c).
//
// The buffer is a ring of at most 16 pages (pipe->max_usage), not a byte count: each write
// starts a new page, except that the part of a write that is not a whole number of pages goes
// into the last page when it fits there whole. So 65,536 bytes fit when written a byte or a page
// at a time, but only 48,000 when written 3,000 bytes at a time (pipe(7) says only that the
// capacity is 65,536 bytes; this is how Linux fills it).
#pragma once

#include <cstdint>
#include <deque>
#include <span>
#include <sys/types.h>
#include <vector>

namespace forklab {

struct PipeBuffer {
    std::vector<std::uint8_t> page;  // What was written into this page; its size is where the next merge goes.
    std::size_t offset = 0;          // How much of it has been read.
    std::size_t len() const { return page.size() - offset; }
};

struct Pipe {
    static constexpr std::size_t kPages = 16;    // Linux: PIPE_DEF_BUFFERS.
    static constexpr std::size_t kPageSize = 4096;
    static constexpr std::size_t kCapacity = kPages * kPageSize;
    // pipe(7): a write of at most PIPE_BUF bytes is atomic; it never interleaves with others.
    static constexpr std::size_t kPipeBuf = 4096;

    std::deque<PipeBuffer> bufs;
    int readers = 0;  // Open file descriptions for the read end, in any process.
    int writers = 0;  // ... and for the write end. EOF is readers seeing writers == 0.
    std::uint64_t bytes_written = 0;  // Everything that ever went through, for the counters.
    std::uint64_t bytes_read = 0;
    std::vector<pid_t> rd_wait;  // Readers asleep on an empty pipe.
    std::vector<pid_t> wr_wait;  // Writers asleep on a full one.

    bool empty() const { return bufs.empty(); }
    bool full() const { return bufs.size() >= kPages; }
    std::size_t buffered() const { return m_buffered; }

    // The first n buffered bytes (n <= buffered()), left in place.
    std::vector<std::uint8_t> peek(std::size_t n) const;
    // Drop the first n buffered bytes; pages read to the end are freed.
    void consume(std::size_t n);
    // Whether `chars` more bytes fit in the last page (Linux: the merge in pipe_write()).
    bool can_merge(std::size_t chars) const;
    void append_to_last(std::span<std::uint8_t const> bytes);
    void push_page(std::span<std::uint8_t const> bytes);  // At most a page, into a new page.

private:
    std::size_t m_buffered = 0;
};

}  // namespace forklab
