// Opening a program for the GUI: read it with its metadata (scenario/library.h), make the run
// options from the metadata as `forklab run` does, and start a Stepper. When the file cannot be
// read or its metadata does not parse, there is no run, only the error and the text, so that the
// GUI can show the error beside the line it is about instead of exiting. A path that is no
// program at all -- missing, a directory, a device or pipe, a binary, a huge file -- gets a
// sentence saying so and no text.
#pragma once

#include "model/stepper.h"

#include "scenario/library.h"

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace forklab::gui {

// The run options for a loaded scenario: scenario::run_options() on top of the command line's.
using OptionsFor = std::function<lang::RunOptions(scenario::Loaded const&)>;

struct OpenedProgram {
    std::filesystem::path path;
    std::unique_ptr<Stepper> run;  // Null when the file could not be loaded.
    std::string error;             // Why not: a rendered diagnostic or "cannot open ...".
    std::string text;              // The file as read (empty if unreadable), to show the error in.
};

OpenedProgram open_program(std::filesystem::path const& path, OptionsFor const& options_for);

// The program's error, whichever stage found it: the metadata (no run) or the compiler (a run
// that failed to start); empty when it runs.
std::string program_error(OpenedProgram const&);

// The line a rendered diagnostic ("file.c:12:5: error: ...") points at; std::nullopt when the
// message names no line ("cannot open x.c: No such file or directory").
std::optional<int> diagnostic_line(std::string_view message);

}  // namespace forklab::gui
