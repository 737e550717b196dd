#include "kernel/cgroup.h"

namespace forklab {

std::string Cgroup::path() const
{
    if (!m_parent)
        return "/";
    std::string parent_path = m_parent->path();
    return (parent_path == "/" ? "" : parent_path) + "/" + m_name;
}

Cgroup* Cgroup::child(std::string_view name) const
{
    for (auto const& c : m_children)
        if (c->name() == name)
            return c.get();
    return nullptr;
}

Cgroup& Cgroup::add_child(std::string name)
{
    m_children.push_back(std::make_unique<Cgroup>(std::move(name), this));
    return *m_children.back();
}

Cgroup* Cgroup::try_charge()
{
    // Linux: pids_try_charge() checks each level before it commits any of them.
    for (Cgroup* c = this; c; c = c->m_parent)
        if (c->pids_max != kMax && c->pids_current + 1 > c->pids_max)
            return c;
    for (Cgroup* c = this; c; c = c->m_parent)
        ++c->pids_current;
    return nullptr;
}

void Cgroup::uncharge()
{
    for (Cgroup* c = this; c; c = c->m_parent)
        --c->pids_current;
}

}  // namespace forklab
