#include "native/normalise.h"

#include <charconv>
#include <map>
#include <optional>

namespace forklab::native {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// The next piece of text: a run of digits, or everything up to the next digit.
std::string_view next_piece(std::string_view text, std::size_t& at)
{
    std::size_t const start = at;
    bool const digits = is_digit(text[at]);
    while (at < text.size() && is_digit(text[at]) == digits)
        ++at;
    return text.substr(start, at - start);
}

std::optional<pid_t> as_pid(std::string_view number, std::set<pid_t> const& pids)
{
    pid_t pid = 0;
    auto const [ptr, ec] = std::from_chars(number.data(), number.data() + number.size(), pid);
    if (ec != std::errc{} || ptr != number.data() + number.size() || !pids.contains(pid))
        return std::nullopt;
    return pid;
}

}  // namespace

std::string normalise_pids(std::string_view text, std::set<pid_t> const& pids, pid_t init)
{
    std::map<pid_t, int> names;
    std::string out;
    out.reserve(text.size());
    std::size_t i = 0;
    while (i < text.size()) {
        if (!is_digit(text[i])) {
            out += text[i++];
            continue;
        }
        std::size_t end = i;
        while (end < text.size() && is_digit(text[end]))
            ++end;
        std::string_view const number = text.substr(i, end - i);
        pid_t pid = 0;
        auto const [ptr, ec] = std::from_chars(number.data(), number.data() + number.size(), pid);
        bool const whole = ec == std::errc{} && ptr == number.data() + number.size();
        if (whole && init > 1 && pid == init) {
            out += "1";
        } else if (whole && pids.contains(pid)) {
            auto const [it, fresh] = names.emplace(pid, int(names.size()) + 1);
            out += "P" + std::to_string(it->second);
        } else {
            out += number;
        }
        i = end;
    }
    return out;
}

bool same_but_pids(std::string_view model, std::set<pid_t> const& model_pids, std::string_view native,
    std::set<pid_t> const& native_pids, pid_t native_init)
{
    std::string const host = native_init > 1 ? normalise_pids(native, {}, native_init) : std::string(native);
    std::map<pid_t, pid_t> to_host, to_model;
    std::size_t i = 0, j = 0;
    while (i < model.size() && j < host.size()) {
        std::string_view const a = next_piece(model, i), b = next_piece(host, j);
        if (a == b)
            continue;
        if (!is_digit(a.front()) || !is_digit(b.front()))
            return false;
        auto const m = as_pid(a, model_pids);
        auto const h = as_pid(b, native_pids);
        if (!m || !h)
            return false;
        auto const [mi, m_new] = to_host.emplace(*m, *h);
        auto const [hi, h_new] = to_model.emplace(*h, *m);
        if (mi->second != *h || hi->second != *m)
            return false;
    }
    return i == model.size() && j == host.size();
}

}  // namespace forklab::native
