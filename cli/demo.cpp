// `forklab demo`: the classic puzzle "how many processes does fork(); fork(); fork(); make?",
// driven straight on the model kernel, one system call per step, parent first (Linux's
// default). It stands in for the main job until scenarios can be run from C source.
#include "demo.h"

#include "cow_demo.h"
#include "files_demo.h"
#include "report.h"
#include "show.h"
#include "trace/tree.h"

#include <iostream>
#include <map>

namespace forklab::cli {

namespace {

struct Options {
    bool dot = false;
    bool json = false;
    bool cow = false;
    bool files = false;
    std::string strategy = "cow";
};

class Demo {
public:
    void run()
    {
        m_main = must(m_kernel.fork(1));
        must(m_kernel.setuid(m_main, 1000));
        must(m_kernel.set_name(m_main, "puzzle"));
        std::vector<pid_t> family{m_main};
        for (int round = 1; round <= 3; ++round) {
            std::vector<pid_t> born;
            for (pid_t p : family) {
                next_step();
                born.push_back(must(m_kernel.fork(p)));
            }
            family.insert(family.end(), born.begin(), born.end());
        }
        m_family = family;
        m_after_forks = m_kernel.events().size();
    }

    // Everyone but main exits, children after their parents so that orphans are adopted by
    // init; main then waits for the children it still has.
    void wind_down()
    {
        for (auto it = m_family.rbegin(); it != m_family.rend(); ++it) {
            if (*it == m_main)
                continue;
            next_step();
            must(m_kernel.exit_group(*it, 0));
        }
        for (;;) {
            next_step();
            auto w = m_kernel.wait4(m_main, -1, WNOHANG);
            if (!w || w->kind != WaitResult::Kind::Reported)
                break;
        }
        next_step();
        must(m_kernel.exit_group(m_main, 0));
    }

    Kernel const& kernel() const { return m_kernel; }
    std::size_t after_forks() const { return m_after_forks; }
    std::size_t processes() const { return m_family.size(); }

private:
    void next_step() { m_kernel.set_step(m_kernel.step() + 1); }

    Kernel m_kernel;
    pid_t m_main = 0;
    std::vector<pid_t> m_family;
    std::size_t m_after_forks = 0;
};

void run_demo(Options const& opt)
{
    if (opt.files) {
        run_files_demo(opt.json);
        return;
    }
    if (opt.cow) {
        std::map<std::string, ForkStrategy> const strategies{
            {"cow", ForkStrategy::Cow}, {"copy", ForkStrategy::Copy}, {"odf", ForkStrategy::Odf}};
        run_cow_demo(strategies.at(opt.strategy), opt.json);
        return;
    }
    Demo demo;
    demo.run();
    if (opt.dot) {
        write_process_tree_dot(std::cout, process_tree(demo.kernel()));
        return;
    }
    if (opt.json) {
        nlohmann::json out{{"processes_after_forks", processes_json(demo.kernel())}};
        demo.wind_down();
        out["events"] = events_json(demo.kernel());
        std::cout << out.dump(2) << "\n";
        return;
    }
    std::cout << "int main(void) { fork(); fork(); fork(); }   -- how many processes?\n\n";
    print_events(std::cout, demo.kernel());
    std::cout << "\n" << demo.processes() << " processes: each fork doubles the family (2^3 = 8).\n\n";
    show_ps(std::cout, demo.kernel());
    demo.wind_down();
    std::cout << "\nThen the children exit, before or after their own children:\n\n";
    print_events(std::cout, demo.kernel(), demo.after_forks());
    auto problems = demo.kernel().check_invariants();
    std::cout << "\ninvariants: " << (problems.empty() ? "all hold" : problems.front()) << "\n";
}

}  // namespace

void add_demo_command(CLI::App& app)
{
    auto opt = std::make_shared<Options>();
    auto* cmd = app.add_subcommand("demo", "Run fork(); fork(); fork(); on the model kernel and explain each step");
    cmd->add_flag("--dot", opt->dot, "Print the process tree after the forks as Graphviz DOT");
    cmd->add_flag("--json", opt->json, "Print processes and events as JSON");
    cmd->add_flag("--cow", opt->cow, "Run the copy-on-write example instead: int x = 100; fork(); the child writes x");
    cmd->add_flag("--files", opt->files, "Run the shared-offset example instead: parent and child write to one open file")
        ->excludes("--cow");
    cmd->add_option("--strategy", opt->strategy, "Fork strategy for --cow: cow (Linux), copy (early Unix), odf (On-demand-fork)")
        ->check(CLI::IsMember({"cow", "copy", "odf"}));
    cmd->callback([opt] { run_demo(*opt); });
}

}  // namespace forklab::cli
