#include "model/tree_layout.h"

#include "model/task_text.h"
#include "trace/tree.h"

#include <algorithm>
#include <boost/graph/depth_first_search.hpp>
#include <boost/range/iterator_range.hpp>
#include <map>
#include <unordered_map>

namespace forklab::gui {

namespace {

using Vertex = ProcessGraph::vertex_descriptor;

// How each process came to be, from the event log: the kind of its fork, and the process that
// forked it if it was reparented since.
struct Origins {
    std::unordered_map<pid_t, ForkKind> kind;
    std::unordered_map<pid_t, pid_t> creator;
    std::unordered_map<pid_t, pid_t> parent;   // The last parent: the creator or an adopter.
    std::unordered_map<pid_t, bool> reparented;
    std::unordered_map<pid_t, int> status;     // Raw wait status, once exited.
    std::vector<pid_t> forked;                 // Every process forked, in order.
};

Origins read_origins(EventLog const& log)
{
    Origins o;
    for (Event const& e : log.all()) {
        if (e.kind == EventKind::Fork && ForkKind(e.aux) != ForkKind::Thread) {
            o.kind[e.other] = ForkKind(e.aux);
            o.creator[e.other] = o.parent[e.other] = e.pid;
            o.forked.push_back(e.other);
        } else if (e.kind == EventKind::Reparent) {
            o.reparented[e.pid] = true;
            o.parent[e.pid] = pid_t(e.value);
        } else if (e.kind == EventKind::Exit) {
            o.status[e.pid] = int(e.value);
        }
    }
    return o;
}

// Beyond this many processes the faded reaped ones would crowd out the live ones.
constexpr std::size_t kMostNodes = 256;

// The live processes, and the reaped ones while the tree stays small, as one graph: vertices by
// pid, so that a parent's children are in pid (creation) order from left to right.
ProcessGraph build_graph(Kernel const& kernel, Origins const& origins)
{
    std::map<pid_t, ProcessVertex> all;
    ProcessGraph const live = process_tree(kernel);
    for (auto v : boost::make_iterator_range(boost::vertices(live)))
        all[live[v].pid] = live[v];
    if (all.size() + origins.forked.size() <= kMostNodes)
        for (pid_t pid : origins.forked)
            if (!all.contains(pid)) {
                ProcessVertex ghost;
                ghost.pid = pid;
                ghost.ppid = origins.parent.at(pid);
                ghost.state = TaskState::Zombie;
                ghost.threads = 0;  // Marks it reaped.
                all[pid] = ghost;
            }
    ProcessGraph g;
    std::map<pid_t, Vertex> vertex;
    for (auto const& [pid, v] : all)
        vertex[pid] = boost::add_vertex(v, g);
    for (auto const& [pid, v] : all)
        if (auto parent = vertex.find(v.ppid); parent != vertex.end() && v.ppid != pid)
            boost::add_edge(parent->second, vertex.at(pid), g);
        else
            g[vertex.at(pid)].ppid = 0;  // Its parent is not in the picture: a root.
    return g;
}

// Depth-first: a vertex's depth is set when its tree edge is crossed; its column when it is
// finished, by which time every child already has one.
struct LayoutVisitor : boost::default_dfs_visitor {
    std::vector<float>* x;
    std::vector<int>* depth;
    std::vector<int>* parent;
    int* next_column;

    void tree_edge(ProcessGraph::edge_descriptor e, ProcessGraph const& g) const
    {
        Vertex const from = boost::source(e, g), to = boost::target(e, g);
        (*depth)[to] = (*depth)[from] + 1;
        (*parent)[to] = int(from);
    }
    void finish_vertex(Vertex v, ProcessGraph const& g) const
    {
        auto [first, last] = boost::out_edges(v, g);
        if (first == last) {
            (*x)[v] = float((*next_column)++);
            return;
        }
        float lo = 1e30f, hi = -1e30f;
        for (auto it = first; it != last; ++it) {
            lo = std::min(lo, (*x)[boost::target(*it, g)]);
            hi = std::max(hi, (*x)[boost::target(*it, g)]);
        }
        (*x)[v] = (lo + hi) / 2;
    }
};

TreeNode make_node(Kernel const& kernel, ProcessVertex const& p, Origins const& origins)
{
    TreeNode n;
    n.pid = p.pid;
    n.ppid = p.ppid;
    n.name = p.name;
    n.state = p.state;
    n.threads = p.threads;
    if (Task const* t = kernel.find_task(p.pid); t && p.threads > 0) {
        n.state_text = task_state_text(*t);
    } else {
        n.reaped = true;
        auto const status = origins.status.find(p.pid);
        n.state_text = status == origins.status.end() ? "reaped" : "reaped (" + wait_status_text(status->second) + ")";
    }
    if (auto k = origins.kind.find(p.pid); k != origins.kind.end())
        n.edge_label = std::string(fork_kind_text(k->second));
    if (origins.reparented.contains(p.pid)) {
        n.edge_label = "adopted";
        if (auto c = origins.creator.find(p.pid); c != origins.creator.end())
            n.forked_by = c->second;
    }
    return n;
}

}  // namespace

TreeNode const* TreeLayout::find(pid_t pid) const
{
    auto it = std::find_if(nodes.begin(), nodes.end(), [pid](TreeNode const& n) { return n.pid == pid; });
    return it == nodes.end() ? nullptr : &*it;
}

TreeLayout layout_process_tree(Kernel const& kernel)
{
    Origins const origins = read_origins(kernel.events());
    ProcessGraph const g = build_graph(kernel, origins);
    std::size_t const n = boost::num_vertices(g);
    std::vector<float> x(n, 0);
    std::vector<int> depth(n, 0), parent(n, -1);
    int next_column = 0;
    LayoutVisitor visitor;
    visitor.x = &x;
    visitor.depth = &depth;
    visitor.parent = &parent;
    visitor.next_column = &next_column;
    std::vector<boost::default_color_type> colours(n, boost::white_color);
    auto colour_map = boost::make_iterator_property_map(colours.begin(), boost::get(boost::vertex_index, g));
    // Start from each root (a vertex with no parent), so that every tree is laid out from the
    // top and no subtree is visited before its parent.
    for (Vertex v = 0; v < n; ++v)
        if (g[v].ppid == 0)
            boost::depth_first_visit(g, v, visitor, colour_map);

    TreeLayout layout;
    layout.columns = next_column;
    layout.nodes.reserve(n);
    for (Vertex v = 0; v < n; ++v) {
        TreeNode node = make_node(kernel, g[v], origins);
        node.x = x[v];
        node.depth = depth[v];
        node.parent = parent[v];
        layout.levels = std::max(layout.levels, node.depth + 1);
        layout.nodes.push_back(std::move(node));
    }
    return layout;
}

}  // namespace forklab::gui
