#include "fs/pipe.h"

#include <algorithm>

namespace forklab {

std::vector<std::uint8_t> Pipe::peek(std::size_t n) const
{
    std::vector<std::uint8_t> out;
    out.reserve(n);
    for (PipeBuffer const& b : bufs) {
        if (out.size() == n)
            break;
        std::size_t const take = std::min(n - out.size(), b.len());
        auto const from = b.page.begin() + std::ptrdiff_t(b.offset);
        out.insert(out.end(), from, from + std::ptrdiff_t(take));
    }
    return out;
}

void Pipe::consume(std::size_t n)
{
    m_buffered -= n;
    while (n) {
        PipeBuffer& b = bufs.front();
        std::size_t const take = std::min(n, b.len());
        b.offset += take;
        n -= take;
        if (b.len() == 0)
            bufs.pop_front();
    }
}

bool Pipe::can_merge(std::size_t chars) const
{
    return !bufs.empty() && bufs.back().page.size() + chars <= kPageSize;
}

void Pipe::append_to_last(std::span<std::uint8_t const> bytes)
{
    bufs.back().page.insert(bufs.back().page.end(), bytes.begin(), bytes.end());
    m_buffered += bytes.size();
}

void Pipe::push_page(std::span<std::uint8_t const> bytes)
{
    bufs.push_back(PipeBuffer{std::vector<std::uint8_t>(bytes.begin(), bytes.end()), 0});
    m_buffered += bytes.size();
}

}  // namespace forklab
