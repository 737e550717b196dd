// The terminal: where stdout and stderr go unless a program redirects them. It remembers which
// task wrote every byte, so the CLI and the GUI can colour the output by process and a test can
// ask who printed what. Its input is whatever the scenario gives as stdin, then end-of-file.
#pragma once

#include <cstdint>
#include <string>
#include <sys/types.h>
#include <vector>

namespace forklab {

struct TerminalChunk {
    std::uint64_t step = 0;
    pid_t pid = 0;       // The process (thread-group id) that wrote these bytes.
    std::string bytes;
};

struct Terminal {
    std::vector<TerminalChunk> output;  // Consecutive writes by one process at one step merge.
    std::string input;
    std::size_t input_pos = 0;

    void record(std::uint64_t step, pid_t pid, std::string_view bytes);
    std::string text() const;               // Everything written, in order.
    std::string text_of(pid_t pid) const;   // What one process wrote.
};

}  // namespace forklab
