// A pipe's buffer and its two ends (Linux: struct pipe_inode_info, fs/pipe.c).
#pragma once

#include <cstdint>
#include <deque>
#include <sys/types.h>
#include <vector>

namespace forklab {

struct Pipe {
    // Linux: 16 pages (pipe(7), "Pipe capacity"); small writes are merged into the last page,
    // so a pipe holds 65,536 bytes however they were written.
    static constexpr std::size_t kCapacity = 65536;
    // pipe(7): a write of at most PIPE_BUF bytes is atomic; it never interleaves with others.
    static constexpr std::size_t kPipeBuf = 4096;

    std::deque<std::uint8_t> buffer;
    int readers = 0;  // Open file descriptions for the read end, in any process.
    int writers = 0;  // ... and for the write end. EOF is readers seeing writers == 0.
    std::uint64_t bytes_written = 0;  // Everything that ever went through, for the counters.
    std::uint64_t bytes_read = 0;
    std::vector<pid_t> rd_wait;  // Readers asleep on an empty pipe.
    std::vector<pid_t> wr_wait;  // Writers asleep on a full one.

    std::size_t space() const { return kCapacity - buffer.size(); }
};

}  // namespace forklab
