#include "report.h"

#include "base/format.h"

#include "trace/event.h"

#include <iomanip>
#include <ostream>

namespace forklab::cli {

void print_events(std::ostream& out, Kernel const& k, std::size_t first)
{
    for (Event const& e : k.events().since(first))
        out << std::right << std::setw(4) << e.step << "  " << std::left << std::setw(18)
            << event_kind_name(e.kind) << explain(e) << "\n";
}

nlohmann::json events_json(Kernel const& k, std::size_t first)
{
    auto list = nlohmann::json::array();
    for (Event const& e : k.events().since(first))
        list.push_back({{"step", e.step}, {"kind", event_kind_name(e.kind)}, {"pid", e.pid},
            {"other", e.other}, {"value", e.value}, {"explanation", explain(e)}});
    return list;
}

nlohmann::json processes_json(Kernel const& k)
{
    auto list = nlohmann::json::array();
    for (Task const& t : k.tasks()) {
        if (!t.is_thread_group_leader())
            continue;
        list.push_back({{"pid", t.pid}, {"ppid", t.real_parent ? t.real_parent->tgid : 0},
            {"pgid", t.pgid()}, {"sid", t.sid()}, {"uid", t.cred.uid}, {"comm", t.name()},
            {"state", task_state_name(t.state)}, {"threads", t.signal->nr_threads}});
    }
    return list;
}

}  // namespace forklab::cli
