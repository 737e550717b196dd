#include "kernel/signal_struct.h"

#include "kernel/task.h"  // The thread list needs a complete Task to be destroyed.

#include <algorithm>

namespace forklab {

SigAction SighandStruct::action(int sig) const
{
    for (auto const& [s, act] : m_entries)
        if (s == sig)
            return act;
    return {};
}

void SighandStruct::set_action(int sig, SigAction const& act)
{
    auto it = std::find_if(m_entries.begin(), m_entries.end(),
        [sig](auto const& entry) { return entry.first == sig; });
    bool const is_default = act == SigAction{};
    if (it != m_entries.end()) {
        if (is_default)
            m_entries.erase(it);
        else
            it->second = act;
    } else if (!is_default) {
        m_entries.emplace_back(sig, act);
    }
}

SigSet SighandStruct::caught() const
{
    SigSet set = 0;
    for (auto const& [sig, act] : m_entries)
        if (act.handler != kSigDfl && act.handler != kSigIgn)
            set |= sigbit(sig);
    return set;
}

void SighandStruct::reset_caught_to_default()
{
    // A handler's address means nothing in the new program; an ignored signal stays ignored,
    // which is how nohup(1) works. The ignored entries keep no flags or mask: POSIX leaves them
    // unspecified and Linux clears them (flush_signal_handlers()).
    std::erase_if(m_entries, [](auto const& entry) { return entry.second.handler != kSigIgn; });
    for (auto& entry : m_entries)
        entry.second = SigAction{kSigIgn, 0, 0};
}

void Rlimits::set(int resource, Rlimit limit)
{
    if (m_table->use_count() > 1)
        m_table = make_ref<Table>(m_table->values);
    m_table->values[resource] = limit;
}

Rusage& Rusage::operator+=(Rusage const& o)
{
    utime_ns += o.utime_ns;
    stime_ns += o.stime_ns;
    minflt += o.minflt;
    majflt += o.majflt;
    nvcsw += o.nvcsw;
    nivcsw += o.nivcsw;
    return *this;
}

SignalStruct::~SignalStruct() = default;

}  // namespace forklab
