// Scenarios on the host's disk: finding the .c files under a directory, reading one with its
// metadata (and its sidecar FILE.out), and the programs of scenarios/bin/ that the simulated
// /bin holds for exec ("wc", "sh", ...). The clients (forklab run, check, list, the GUI's
// browser, the tests) all load scenarios through here, so they agree on what a scenario is.
#pragma once

#include "scenario/metadata.h"

#include <expected>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace forklab::scenario {

struct Loaded {
    Scenario scenario;
    std::string source;  // The whole .c file, metadata included.
};

// Read `path`, parse its metadata, and take its expected output from FILE.out when the metadata
// has none. The error is a message ready for stderr: "cannot open x.c: No such file or
// directory", or a rendered diagnostic (file:line:col, the line, a caret).
std::expected<Loaded, std::string> load(std::filesystem::path const& path);

// Every scenario under `dir`, sorted by path: the .c files of the directory and its
// subdirectories, except the programs in bin/ and the headers in include/ and hidden folders.
std::vector<std::filesystem::path> find_scenarios(std::filesystem::path const& dir);

// scenarios/bin for a scenario at `path`: the nearest folder named "scenarios" above it that
// has a bin/ folder, else the source tree's scenarios/bin (FORKLAB_SOURCE_DIR at build time),
// if it exists.
std::optional<std::filesystem::path> find_bin_dir(std::filesystem::path const& path);
std::filesystem::path default_bin_dir();

// The programs of a bin folder for RunOptions::bin: "wc" -> the text of wc.c. Cached by
// folder: loading it for every scenario of a `forklab check` run reads the disk once.
std::map<std::string, std::string> const& load_bin(std::filesystem::path const& dir);

// Everything a run of the scenario needs: its metadata applied to `base`, and the /bin
// programs found from its path (base.bin is kept when no bin folder is found).
lang::RunOptions run_options(Loaded const& loaded, lang::RunOptions base = {});

}  // namespace forklab::scenario
