#include "kernel/pid.h"

#include "kernel/task.h"  // The member lists need a complete Task to be destroyed.
#include "kernel/uapi.h"

#include <algorithm>

namespace forklab {

Pid::~Pid()
{
    for (auto const& upid : m_numbers)
        upid.ns->free_nr(upid.nr);
}

pid_t Pid::nr_in(PidNamespace const* ns) const
{
    if (ns->level() > m_level)
        return 0;
    auto const& upid = m_numbers[ns->level()];
    return upid.ns == ns ? upid.nr : 0;
}

PidNamespace::PidNamespace(PidNamespace* parent, int pid_max)
    : m_parent(parent)
    , m_level(parent ? parent->level() + 1 : 0)
    , m_pid_max(pid_max)
{
}

ErrorOr<pid_t> PidNamespace::alloc_nr(Pid* owner)
{
    // Linux: alloc_pid() passes pid_min = RESERVED_PIDS once the cursor has passed it; the
    // numbers are [pid_min, pid_max), searched from the cursor and then once from pid_min.
    pid_t const min = m_last + 1 > kReservedPids ? kReservedPids : 1;
    pid_t const end = m_pid_max;
    if (m_allocated >= end - 1)
        return error(EAGAIN);
    auto first_free = [&](pid_t from) -> pid_t {
        for (pid_t nr = from; nr < end; ++nr)
            if (find(nr) == nullptr)
                return nr;
        return 0;
    };
    pid_t nr = first_free(std::max(m_last + 1, min));
    if (nr == 0)
        nr = first_free(min);
    if (nr == 0)
        return error(EAGAIN);
    if (std::size_t(nr) >= m_map.size())
        m_map.resize(std::max<std::size_t>(nr + 1, m_map.size() * 2), nullptr);
    m_map[nr] = owner;
    m_last = nr;
    ++m_allocated;
    return nr;
}

void PidNamespace::free_nr(pid_t nr)
{
    m_map[nr] = nullptr;
    --m_allocated;
}

}  // namespace forklab
