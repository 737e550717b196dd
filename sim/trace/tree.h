// The process tree as a Boost.Graph graph: one vertex per process (thread-group leader), an
// edge from each parent to each child. write_process_tree_dot() prints it for Graphviz.
#pragma once

#include "kernel/task.h"

#include <boost/graph/adjacency_list.hpp>
#include <iosfwd>
#include <string>

namespace forklab {

class Kernel;

struct ProcessVertex {
    pid_t pid = 0;
    pid_t ppid = 0;
    std::string name;
    TaskState state = TaskState::Runnable;
    uid_t uid = 0;
    int threads = 1;
};

using ProcessGraph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS, ProcessVertex>;

ProcessGraph process_tree(Kernel const&);
void write_process_tree_dot(std::ostream&, ProcessGraph const&);

}  // namespace forklab
