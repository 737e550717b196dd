// forklab: the command line. Each subcommand is a client of forklab_sim.
#include "check.h"
#include "demo.h"
#include "explain.h"
#include "list.h"
#include "outcomes.h"
#include "run.h"
#include "tree.h"
#include "verify.h"

#include <CLI/CLI.hpp>

int main(int argc, char** argv)
{
    CLI::App app{"forklab: a model kernel that shows what fork(), exec() and copy-on-write do"};
    app.set_version_flag("--version", std::string("forklab ") + FORKLAB_VERSION);
    app.require_subcommand(0, 1);
    forklab::cli::add_demo_command(app);
    forklab::cli::add_run_command(app);
    forklab::cli::add_check_command(app);
    forklab::cli::add_outcomes_command(app);
    forklab::cli::add_list_command(app);
    forklab::cli::add_tree_command(app);
    forklab::cli::add_explain_command(app);
    forklab::cli::add_verify_command(app);
    CLI11_PARSE(app, argc, argv);
    if (app.get_subcommands().empty()) {
        std::cout << app.help();
    }
    return 0;
}
