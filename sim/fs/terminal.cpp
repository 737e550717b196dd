#include "fs/terminal.h"

namespace forklab {

void Terminal::record(std::uint64_t step, pid_t pid, std::string_view bytes)
{
    if (bytes.empty())
        return;
    if (!output.empty() && output.back().pid == pid && output.back().step == step)
        output.back().bytes += bytes;
    else
        output.push_back(TerminalChunk{step, pid, std::string(bytes)});
}

std::string Terminal::text() const
{
    std::string all;
    for (auto const& chunk : output)
        all += chunk.bytes;
    return all;
}

std::string Terminal::text_of(pid_t pid) const
{
    std::string mine;
    for (auto const& chunk : output)
        if (chunk.pid == pid)
            mine += chunk.bytes;
    return mine;
}

}  // namespace forklab
