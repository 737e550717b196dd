// A scenario's metadata: the `//! key: value` lines at the top of its .c file.
//
//     //! title: Does the child see the parent's later writes?
//     //! tags: memory, cow
//     //! summary: After fork the two address spaces are separate: a write in the
//     //!   parent splits the page, and the child keeps the old value.
//     //! sched: child-first
//     //! file: /tmp/in.txt "one\ntwo\n" 0600
//     //! output: |
//     //!   child x=100
//     //!   parent x=200
//
// The lines are for people writing scenarios by hand, so nothing is guessed: an unknown key, a
// key given twice or a malformed value is an error at its file:line:col, rendered as a compile
// error is (lang::Diagnostic). docs/LANGUAGE.md ("Scenario files") documents every key.
#pragma once

#include "lang/diagnostic.h"
#include "lang/runner.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace forklab::scenario {

struct Scenario {
    std::string path;
    std::string title;                   // Empty: none given.
    std::vector<std::string> tags;
    std::string summary;                 // Continuation lines joined with single spaces.
    std::optional<std::string> output;   // The exact terminal output expected (output: or FILE.out).
    std::vector<std::string> outcomes;   // Every output a racy scenario may show (issue 8 checks them).

    // The run: applied to RunOptions by apply(). Unset fields keep the runner's defaults.
    std::optional<lang::SchedOptions> sched;
    std::optional<uid_t> uid;
    std::map<int, Rlimit> rlimits;       // RLIMIT_* -> limits.
    std::optional<std::size_t> physical_frames;
    std::optional<ForkStrategy> strategy;
    std::vector<std::string> argv;       // Empty: the runner's default { the file's name }.
    std::optional<std::string> stdin_text;
    std::vector<lang::FileSpec> files;

    int metadata_lines = 0;  // How many lines the metadata block spans from the top.
};

// Parse the metadata block of `text` (the whole .c file). A `//!` line after the program has
// begun is an error too: metadata that would be ignored must not look as if it counted.
lang::LangResult<Scenario> parse_metadata(std::string path, std::string_view text);

// The run options the scenario asks for, on top of `base` (which keeps max_steps, bin, hooks).
lang::RunOptions apply(Scenario const& scenario, lang::RunOptions base = {});

// Parse a scheduler name as the `sched:` key does: lang::parse_sched()'s spellings (written
// back by lang::sched_name()) except `manual`, which needs a client to choose every step;
// std::nullopt with `why` set to a message for a person when it is not one.
std::optional<lang::SchedOptions> parse_sched(std::string_view text, std::string* why = nullptr);

}  // namespace forklab::scenario
