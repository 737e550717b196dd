#include "kernel/environ.h"

#include <algorithm>

namespace forklab {

static bool names(std::string const& entry, std::string_view name)
{
    return entry.size() > name.size() && entry.compare(0, name.size(), name) == 0 &&
        entry[name.size()] == '=';
}

std::optional<std::string_view> Environ::get(std::string_view name) const
{
    for (auto const& entry : entries())
        if (names(entry, name))
            return std::string_view(entry).substr(name.size() + 1);
    return std::nullopt;
}

std::vector<std::string> const& Environ::entries() const
{
    static std::vector<std::string> const empty;
    return m_block ? m_block->entries : empty;
}

std::vector<std::string>& Environ::writable()
{
    if (!m_block) {
        m_block = make_ref<Block>();
    } else if (m_block->use_count() > 1) {
        auto copy = make_ref<Block>();
        copy->entries = m_block->entries;
        m_block = copy;
    }
    return m_block->entries;
}

void Environ::set(std::string_view name, std::string_view value)
{
    std::string entry = std::string(name) + "=" + std::string(value);
    auto& list = writable();
    for (auto& e : list) {
        if (names(e, name)) {
            e = std::move(entry);
            return;
        }
    }
    list.push_back(std::move(entry));
}

void Environ::unset(std::string_view name)
{
    if (!get(name))
        return;
    std::erase_if(writable(), [name](std::string const& e) { return names(e, name); });
}

}  // namespace forklab
