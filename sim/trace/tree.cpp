#include "trace/tree.h"

#include "base/format.h"
#include "kernel/kernel.h"

#include <boost/graph/graphviz.hpp>
#include <unordered_map>

namespace forklab {

ProcessGraph process_tree(Kernel const& kernel)
{
    ProcessGraph g;
    std::unordered_map<Task const*, ProcessGraph::vertex_descriptor> vertex;
    for (Task const& t : kernel.tasks()) {
        if (!t.is_thread_group_leader())
            continue;
        pid_t const ppid = t.real_parent ? t.real_parent->tgid : 0;
        vertex[&t] = boost::add_vertex(
            ProcessVertex{t.pid, ppid, std::string(t.name()), t.state, t.cred.uid, t.signal->nr_threads}, g);
    }
    for (Task const& t : kernel.tasks())
        if (t.is_thread_group_leader() && t.real_parent)
            boost::add_edge(vertex.at(t.real_parent->group_leader), vertex.at(&t), g);
    return g;
}

void write_process_tree_dot(std::ostream& out, ProcessGraph const& g)
{
    auto vertex_writer = [&g](std::ostream& o, ProcessGraph::vertex_descriptor v) {
        ProcessVertex const& p = g[v];
        std::string label = format("{} {}\\n{}", p.pid, p.name, task_state_name(p.state));
        if (p.threads > 1)
            label += format(", {} threads", p.threads);
        char const* style = p.state == TaskState::Zombie ? ",style=dashed,fontcolor=gray40,color=gray40" : "";
        o << "[label=\"" << label << "\",shape=box" << style << "]";
    };
    auto graph_writer = [](std::ostream& o) { o << "rankdir=TB;\nnode [fontname=\"Helvetica\"];\n"; };
    boost::write_graphviz(out, g, vertex_writer, boost::default_writer(), graph_writer);
}

}  // namespace forklab
