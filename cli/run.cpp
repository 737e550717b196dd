// `forklab run FILE [--max-steps N] [--summary] [-- ARGS...]`: compile a C program, run it on
// the model kernel as a student's process, and print exactly what the simulated terminal shows.
// Everything else goes to stderr. Exit status: 0 when it ran to the end with every EXPECT
// holding, 1 when an EXPECT failed, 2 for bad input (a missing file, a compile error), 3 when
// the step budget ran out or every task was left asleep.
#include "run.h"

#include "lang/runner.h"

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

namespace forklab::cli {

namespace {

struct RunArgs {
    std::string file;
    std::uint64_t max_steps = 10'000'000;
    bool summary = false;
    std::vector<std::string> args;
};

[[noreturn]] void quit(int status, std::string const& message)
{
    std::cerr << message;
    std::exit(status);
}

std::string read_source(std::string const& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        quit(2, "forklab run: cannot open " + path + "\n");
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

void print_summary(lang::Run const& run)
{
    std::cerr << "forklab: " << run.steps << " steps, " << run.exit_statuses.size() << " processes exited\n";
    for (auto const& [pid, status] : run.exit_statuses) {
        std::cerr << "  pid " << pid << ": ";
        if (WIFEXITED(status))
            std::cerr << "exit status " << WEXITSTATUS(status) << "\n";
        else
            std::cerr << "killed by " << signal_name(WTERMSIG(status)) << "\n";
    }
}

void run_file(RunArgs const& a)
{
    lang::RunOptions options;
    options.max_steps = a.max_steps;
    if (!a.args.empty()) {
        options.argv = {a.file};
        options.argv.insert(options.argv.end(), a.args.begin(), a.args.end());
    }
    lang::Run const run = lang::run_program(a.file, read_source(a.file), options);
    std::cout << run.output << std::flush;
    for (std::string const& d : run.diagnostics)
        std::cerr << "forklab: " << d << "\n";
    if (a.summary)
        print_summary(run);
    switch (run.end) {
    case lang::RunEnd::CompileError: quit(2, run.error);
    case lang::RunEnd::SetupFailed: quit(2, "forklab run: " + run.error + "\n");
    case lang::RunEnd::StepBudget:
    case lang::RunEnd::Deadlock: quit(3, "forklab run: " + run.error + "\n");
    case lang::RunEnd::Finished: break;
    }
    for (auto const& f : run.expect_failures)
        std::cerr << a.file << ":" << f.line << ": EXPECT failed in pid " << f.pid << "\n";
    std::exit(run.expect_failures.empty() ? 0 : 1);
}

}  // namespace

void add_run_command(CLI::App& app)
{
    auto a = std::make_shared<RunArgs>();
    auto* cmd = app.add_subcommand("run", "Run a C program on the model kernel and print what its terminal shows");
    cmd->add_option("file", a->file, "The C source file")->required();
    cmd->add_option("--max-steps", a->max_steps, "Stop after this many steps (exit status 3)");
    cmd->add_flag("--summary", a->summary, "Print the step count and every exit status on stderr");
    cmd->add_option("args", a->args, "Arguments for the program's argv, after --");
    cmd->callback([a] { run_file(*a); });
}

}  // namespace forklab::cli
