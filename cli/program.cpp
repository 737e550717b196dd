#include "program.h"

#include <cstdlib>
#include <iostream>

namespace forklab::cli {

scenario::Loaded load_or_quit(std::string const& command, std::string const& path)
{
    auto loaded = scenario::load(path);
    if (!loaded) {
        std::string const& message = loaded.error();
        bool const rendered = message.starts_with(path + ":");
        std::cerr << (rendered ? "" : "forklab " + command + ": ") << message
                  << (message.ends_with('\n') ? "" : "\n");
        std::exit(2);
    }
    return std::move(*loaded);
}

lang::RunOptions options_for(scenario::Loaded const& loaded, lang::RunOptions base, std::string const& path,
    std::vector<std::string> const& args)
{
    lang::RunOptions options = scenario::run_options(loaded, std::move(base));
    if (!args.empty()) {
        options.argv = {path};
        options.argv.insert(options.argv.end(), args.begin(), args.end());
    }
    return options;
}

}  // namespace forklab::cli
