// format("pid {} forked pid {}", 7, 8): "{}" placeholders filled in order through operator<<.
// (GCC 12's libstdc++ has no <format>; this covers the one use the project has for it.)
#pragma once

#include <sstream>
#include <string>
#include <string_view>

namespace forklab {

namespace detail {
inline void format_rest(std::ostringstream& out, std::string_view f) { out << f; }

template<typename First, typename... Rest>
void format_rest(std::ostringstream& out, std::string_view f, First const& first, Rest const&... rest)
{
    auto const hole = f.find("{}");
    if (hole == std::string_view::npos) {
        out << f;
        return;
    }
    out << f.substr(0, hole) << first;
    format_rest(out, f.substr(hole + 2), rest...);
}
}  // namespace detail

template<typename... Args>
std::string format(std::string_view f, Args const&... args)
{
    std::ostringstream out;
    detail::format_rest(out, f, args...);
    return out.str();
}

}  // namespace forklab
