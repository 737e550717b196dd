// `forklab tree FILE`: the process tree of a program's run -- every process it had, the ones
// that exited too -- as an indented tree like `pstree -p`, or as Graphviz DOT.
#pragma once

#include "kernel/kernel.h"

#include <CLI/CLI.hpp>
#include <iosfwd>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace forklab::cli {

// One process from fork to reaping. A pid may be used again once reaped, so processes are
// told apart by their place in ProcessHistory::lives(), not by pid.
struct ProcessLife {
    static constexpr std::size_t kNone = ~std::size_t(0);

    pid_t pid = 0;
    std::size_t parent = kNone;     // Its parent now, or when it was reaped (after adoption).
    std::size_t forked_by = kNone;  // Who forked it.
    std::uint64_t born_step = 0;
    uid_t uid = 0;
    std::vector<std::string> names;  // Its name at fork, then after each exec.

    struct Adoption {
        pid_t from = 0, to = 0;
        std::uint64_t step = 0;
    };
    std::vector<Adoption> adoptions;  // Reparentings, oldest first.

    std::optional<int> exit_status;  // Raw wait status, once it exited.
    std::uint64_t exit_step = 0;
    std::optional<pid_t> reaped_by;  // Set once its zombie was reaped.
    ReapKind reap_kind = ReapKind::Wait;
    std::uint64_t reap_step = 0;

    // The task as the kernel has it now, while it exists (a zombie included).
    std::optional<TaskState> state;
    BlockReason blocked_on = BlockReason::None;
    int threads = 1;
};

// Every process a run had, built from the kernel's event log. The log says who forked whom,
// who exited, who reaped and who adopted; only the name a process takes at exec is not in it,
// so observe() also reads the names off the kernel. Call observe() after every step (the
// runner's after_step hook) and finish() once at the end.
class ProcessHistory {
public:
    void observe(Kernel const&);
    void finish(Kernel const&);
    std::vector<ProcessLife> const& lives() const { return m_lives; }

private:
    void start(Kernel const&);
    void on_fork(Kernel const&, Event const&);
    void on_exec(Kernel const&, Event const&);
    void on_exit(Event const&);
    void on_reap(Event const&);
    void on_reparent(Event const&);
    std::size_t life_of(pid_t pid) const;  // The latest process with that pid, or kNone.

    std::vector<ProcessLife> m_lives;
    std::unordered_map<pid_t, std::size_t> m_by_pid;
    std::unordered_set<pid_t> m_threads;  // Tids of threads: not processes of their own.
    std::size_t m_next_event = 0;
};

void print_tree(std::ostream&, ProcessHistory const&);
void print_tree_dot(std::ostream&, ProcessHistory const&);

void add_tree_command(CLI::App& app);

}  // namespace forklab::cli
