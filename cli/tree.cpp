// `forklab tree FILE [--at STEP] [--dot] [--show tree|ps|maps|fds] [-- ARGS...]`: run a C program
// on the model kernel, to STEP or to the end, and print its process tree -- or the state dumps
// of show.h -- instead of its output. Exit status: 0, or 2 for bad input, 3 when the run without
// --at ran out of steps or deadlocked (the tree is printed anyway).
#include "tree.h"

#include "program.h"

#include "base/format.h"
#include "lang/runner.h"
#include "show.h"

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

namespace forklab::cli {

// --- The history -------------------------------------------------------------------------------

std::size_t ProcessHistory::life_of(pid_t pid) const
{
    auto it = m_by_pid.find(pid);
    return it == m_by_pid.end() ? ProcessLife::kNone : it->second;
}

// The processes there before the first event: init, and whoever else the log does not show
// being forked.
void ProcessHistory::start(Kernel const& k)
{
    Task const& init = k.init();
    ProcessLife life;
    life.pid = init.pid;
    life.uid = init.cred.uid;
    life.names.emplace_back(init.name());
    m_by_pid[init.pid] = m_lives.size();
    m_lives.push_back(std::move(life));
}

void ProcessHistory::observe(Kernel const& k)
{
    if (m_lives.empty())
        start(k);
    for (Event const& e : k.events().since(m_next_event)) {
        switch (e.kind) {
        case EventKind::Fork: on_fork(k, e); break;
        case EventKind::Exec: on_exec(k, e); break;
        case EventKind::Exit: on_exit(e); break;
        case EventKind::Reap: on_reap(e); break;
        case EventKind::Reparent: on_reparent(e); break;
        default: break;
        }
    }
    m_next_event = k.events().size();
}

// A new process. fork() copies the name, so the child is called what its parent is called now.
// Its parent is the creator, except under CLONE_PARENT, which the kernel shows.
void ProcessHistory::on_fork(Kernel const& k, Event const& e)
{
    if (static_cast<ForkKind>(e.aux) == ForkKind::Thread) {
        m_threads.insert(e.other);
        if (std::size_t const owner = life_of(e.pid); owner != ProcessLife::kNone)
            ++m_lives[owner].threads;
        return;
    }
    Task const* child = k.find_task(e.other);
    pid_t const parent_pid = child && child->real_parent ? child->real_parent->tgid : e.pid;
    ProcessLife life;
    life.pid = e.other;
    life.forked_by = life_of(e.pid);
    life.parent = life_of(parent_pid);
    life.born_step = e.step;
    if (life.forked_by != ProcessLife::kNone) {
        life.names.push_back(m_lives[life.forked_by].names.back());
        life.uid = m_lives[life.forked_by].uid;
    } else {
        life.names.emplace_back(child ? child->name() : "?");
    }
    if (child)
        life.uid = child->cred.uid;
    m_by_pid[e.other] = m_lives.size();
    m_lives.push_back(std::move(life));
}

void ProcessHistory::on_exec(Kernel const& k, Event const& e)
{
    std::size_t const i = life_of(e.pid);
    if (i == ProcessLife::kNone)
        return;
    Task const* t = k.find_task(e.pid);
    m_lives[i].names.emplace_back(t ? t->name() : "?");
    m_lives[i].threads = 1;  // exec leaves the calling thread alone (de_thread).
}

void ProcessHistory::on_exit(Event const& e)
{
    std::size_t const i = life_of(e.pid);
    if (i == ProcessLife::kNone || m_threads.contains(e.pid))
        return;
    m_lives[i].exit_status = int(e.value);
    m_lives[i].exit_step = e.step;
}

void ProcessHistory::on_reap(Event const& e)
{
    std::size_t const i = life_of(e.other);
    if (i == ProcessLife::kNone || m_threads.contains(e.other))
        return;
    ProcessLife& life = m_lives[i];
    life.reaped_by = e.pid;
    life.reap_kind = static_cast<ReapKind>(e.aux);
    life.reap_step = e.step;
    life.state.reset();
}

void ProcessHistory::on_reparent(Event const& e)
{
    std::size_t const i = life_of(e.pid);
    if (i == ProcessLife::kNone)
        return;
    pid_t const to = pid_t(e.value);
    m_lives[i].adoptions.push_back({e.other, to, e.step});
    m_lives[i].parent = life_of(to);
}

// The processes still in the kernel: their state now, and a name changed by prctl(PR_SET_NAME).
void ProcessHistory::finish(Kernel const& k)
{
    observe(k);
    for (std::size_t i = 0; i < m_lives.size(); ++i) {
        ProcessLife& life = m_lives[i];
        life.state.reset();
        if (life.reaped_by || life_of(life.pid) != i)
            continue;  // Gone, or its pid now belongs to a later process.
        Task const* t = k.find_task(life.pid);
        if (!t || !t->is_thread_group_leader())
            continue;
        life.state = t->state;
        life.blocked_on = t->blocked_on;
        life.threads = t->signal->nr_threads;
        life.names.back() = std::string(t->name());
    }
}

// --- Text ------------------------------------------------------------------------------------

namespace {

std::string status_text(int status)
{
    if (WIFEXITED(status))
        return format("exited {}", WEXITSTATUS(status));
    if (WIFSIGNALED(status))
        return format("killed by {}{}", signal_name(WTERMSIG(status)), WCOREDUMP(status) ? " (core dumped)" : "");
    return format("status {}", status);
}

std::string_view sleep_text(BlockReason why)
{
    switch (why) {
    case BlockReason::Wait: return "sleeping in wait()";
    case BlockReason::Vfork: return "sleeping until its vfork child execs or exits";
    case BlockReason::Pause: return "sleeping in pause()";
    case BlockReason::PidNsZap: return "sleeping until its namespace empties";
    case BlockReason::Sleep: return "sleeping in sleep()";
    case BlockReason::PipeRead: return "sleeping in read() on a pipe";
    case BlockReason::PipeWrite: return "sleeping in write() on a full pipe";
    case BlockReason::FileLock: return "sleeping on a file lock";
    case BlockReason::None: break;
    }
    return "sleeping";
}

std::string reaper_text(ProcessLife const& p)
{
    switch (p.reap_kind) {
    case ReapKind::SigchldIgnored: return format("reaped at once (parent {} ignores SIGCHLD)", *p.reaped_by);
    case ReapKind::Init: return format("reaped by init ({})", *p.reaped_by);
    case ReapKind::Wait: break;
    }
    return format("reaped by {}", *p.reaped_by);
}

// Where the process is in its life: running, asleep, a zombie, or gone.
std::string life_text(ProcessLife const& p)
{
    if (p.reaped_by && p.exit_status)
        return format("{} at step {}, {} at step {}", status_text(*p.exit_status), p.exit_step, reaper_text(p), p.reap_step);
    if (!p.state)
        return p.exit_status ? status_text(*p.exit_status) : "gone";
    switch (*p.state) {
    case TaskState::Runnable: return "runnable";
    case TaskState::Running: return "running";
    case TaskState::Blocked: return std::string(sleep_text(p.blocked_on));
    case TaskState::Stopped: return "stopped";
    case TaskState::Zombie:
        return format("zombie: {} at step {}, not yet reaped", p.exit_status ? status_text(*p.exit_status) : "exited",
            p.exit_step);
    }
    return "?";
}

std::string label(ProcessLife const& p)
{
    std::string text = format("{}({})", p.names.back(), p.pid);
    if (p.names.size() > 1) {
        std::string before;
        for (std::size_t i = 0; i + 1 < p.names.size(); ++i)
            before += (i ? " -> " : "") + p.names[i];
        text += format(" (exec'd; was {})", before);
    }
    return text;
}

std::string details(ProcessLife const& p)
{
    std::string text = life_text(p);
    if (p.threads > 1)
        text += format(", {} threads", p.threads);
    for (ProcessLife::Adoption const& a : p.adoptions)
        text += format("; orphaned at step {} when {} exited, adopted by {}", a.step, a.from, a.to);
    return text;
}

std::vector<std::vector<std::size_t>> children_of(std::vector<ProcessLife> const& lives)
{
    std::vector<std::vector<std::size_t>> children(lives.size());
    for (std::size_t i = 0; i < lives.size(); ++i)
        if (lives[i].parent != ProcessLife::kNone)
            children[lives[i].parent].push_back(i);
    return children;
}

void print_subtree(std::ostream& out, std::vector<ProcessLife> const& lives,
    std::vector<std::vector<std::size_t>> const& children, std::size_t i, std::string const& prefix, bool last, bool root)
{
    if (root)
        out << label(lives[i]) << (i == 0 ? "" : "  " + details(lives[i])) << "\n";
    else
        out << prefix << (last ? "\u2514\u2500" : "\u251c\u2500") << label(lives[i]) << "  " << details(lives[i]) << "\n";
    std::string const inner = root ? std::string() : prefix + (last ? "  " : "\u2502 ");
    for (std::size_t c = 0; c < children[i].size(); ++c)
        print_subtree(out, lives, children, children[i][c], inner, c + 1 == children[i].size(), false);
}

std::string dot_escape(std::string const& s)
{
    std::string out;
    for (char c : s) {
        if (c == '"' || c == '\\')
            out += '\\';
        out += c;
    }
    return out;
}

}  // namespace

// Like `pstree -p`, one process a line under its parent, each with where it is in its life.
void print_tree(std::ostream& out, ProcessHistory const& history)
{
    auto const& lives = history.lives();
    auto const children = children_of(lives);
    for (std::size_t i = 0; i < lives.size(); ++i)
        if (lives[i].parent == ProcessLife::kNone)
            print_subtree(out, lives, children, i, "", true, true);
}

// A box per process under its parent; zombies dashed, reaped processes dotted and grey; an
// adopted orphan also keeps a dashed grey arrow from the process that forked it.
void print_tree_dot(std::ostream& out, ProcessHistory const& history)
{
    auto const& lives = history.lives();
    out << "digraph processes {\nrankdir=TB;\nnode [shape=box,fontname=\"Helvetica\"];\n";
    for (std::size_t i = 0; i < lives.size(); ++i) {
        ProcessLife const& p = lives[i];
        std::string style;
        if (p.reaped_by)
            style = ",style=dotted,color=gray50,fontcolor=gray40";
        else if (p.state == TaskState::Zombie)
            style = ",style=dashed,color=gray40,fontcolor=gray40";
        out << "p" << i << " [label=\"" << dot_escape(label(p)) << "\\n" << dot_escape(i == 0 ? "init" : life_text(p))
            << "\"" << style << "];\n";
    }
    for (std::size_t i = 0; i < lives.size(); ++i) {
        ProcessLife const& p = lives[i];
        if (p.parent != ProcessLife::kNone)
            out << "p" << p.parent << " -> p" << i << (p.adoptions.empty() ? "" : " [label=\"adopted\"]") << ";\n";
        if (!p.adoptions.empty() && p.forked_by != ProcessLife::kNone && p.forked_by != p.parent)
            out << "p" << p.forked_by << " -> p" << i << " [style=dashed,color=gray50,label=\"forked\"];\n";
    }
    out << "}\n";
}

// --- The command -------------------------------------------------------------------------------

namespace {

struct TreeArgs {
    std::string file;
    std::optional<std::uint64_t> at;
    std::uint64_t max_steps = 10'000'000;
    bool dot = false;
    std::vector<std::string> show;
    std::vector<std::string> args;
};

void print_views(TreeArgs const& a, ProcessHistory const& history, Kernel const& k)
{
    std::vector<std::string> const views = a.show.empty() ? std::vector<std::string>{"tree"} : a.show;
    for (std::size_t i = 0; i < views.size(); ++i) {
        if (i)
            std::cout << "\n";
        if (views[i] != "tree")
            show(std::cout, k, views[i]);
        else if (a.dot)
            print_tree_dot(std::cout, history);
        else
            print_tree(std::cout, history);
    }
}

void run_tree(TreeArgs const& a)
{
    ProcessHistory history;
    scenario::Loaded const loaded = load_or_quit("tree", a.file);
    lang::RunOptions base;
    // A run stopped by its step budget leaves the kernel as it was after that step.
    base.max_steps = a.at ? *a.at : a.max_steps;
    lang::RunOptions options = options_for(loaded, std::move(base), a.file, a.args);
    options.after_step = [&history](Kernel const& k) { history.observe(k); };
    lang::Run const run = lang::run_program(a.file, loaded.source, options);
    if (run.end == lang::RunEnd::CompileError)
        quit(2, run.error);
    if (run.end == lang::RunEnd::SetupFailed)
        quit(2, "forklab tree: " + run.error + "\n");
    history.finish(*run.kernel);
    print_views(a, history, *run.kernel);
    if (a.at && run.steps < *a.at)
        std::cerr << "forklab tree: the run ended at step " << run.steps << ", before step " << *a.at << "\n";
    if (!a.at && run.end != lang::RunEnd::Finished)
        quit(3, "forklab tree: " + run.error + "\n");
    std::exit(0);
}

}  // namespace

void add_tree_command(CLI::App& app)
{
    auto a = std::make_shared<TreeArgs>();
    auto* cmd = app.add_subcommand("tree", "Run a C program and print its process tree (or ps, maps, lsof) at a step");
    cmd->add_option("file", a->file, "The C source file")->required();
    cmd->add_option("--at", a->at, "Stop after this step and show the state there (default: the end of the run)");
    cmd->add_option("--max-steps", a->max_steps, "Without --at: stop after this many steps (exit status 3)");
    cmd->add_flag("--dot", a->dot, "Print the tree as Graphviz DOT (forklab tree F --dot | dot -Tpng > tree.png)");
    cmd->add_option("--show", a->show, "What to print, in order: tree (default), ps (ps -ef), maps (/proc/PID/maps), fds (lsof)")
        ->check(CLI::IsMember({"tree", "ps", "maps", "fds"}));
    cmd->add_option("args", a->args, "Arguments for the program's argv, after --");
    cmd->callback([a] { run_tree(*a); });
}

}  // namespace forklab::cli
