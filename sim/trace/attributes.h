// What fork() and execve() do to each attribute of a task, as data: the table `forklab explain`
// prints, the GUI's task inspector shows, and tests/explain_test.cpp checks row by row against
// what the model kernel does.
//
// A row names one attribute a program can observe, says what fork does to it and what execve
// does to it, gives the rule in a sentence with the manual page that states it, and knows how to
// read the attribute's value from a Task. Only what the model implements has a row: an attribute
// Linux has but the model does not (the alternate signal stack, dnotify, asynchronous I/O,
// resource usage counters, which nothing charges yet) is left out rather than claimed.
#pragma once

#include "kernel/task.h"

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace forklab {

// What fork() does to an attribute.
enum class AtFork : std::uint8_t {
    Inherited,     // The child gets its own copy: a later change in one process is not seen by the other.
    Shared,        // Parent and child refer to one object: a change by either is seen by both.
    Reset,         // The child starts with a value of its own, not the parent's.
    NotInherited,  // The child has none of it, as if it had never been set.
};

// What a successful execve() does to an attribute.
enum class AtExec : std::uint8_t {
    Kept,      // The new program finds it as the old one left it.
    Reset,     // Back to the value a process that never set it has.
    Replaced,  // The new program's own (its name, its memory, its arguments).
};

std::string_view at_fork_name(AtFork);  // "inherited", "shared", "reset", "not inherited"
std::string_view at_exec_name(AtExec);  // "kept", "reset", "replaced"

struct TaskAttribute {
    std::string_view name;         // "umask", "signal mask", ...
    std::string_view where;        // Where the model keeps it: "FsStruct::umask".
    AtFork fork;
    std::string_view fork_rule;    // Why, in a sentence.
    std::string_view fork_source;  // The manual page (or kernel source) that says so.
    AtExec exec;
    std::string_view exec_rule;
    std::string_view exec_source;
    std::string (*value)(Task const&);  // The attribute in this task, as a short text.
};

// Every row, grouped as a course meets them: identity, memory, files, signals, time, limits.
std::span<TaskAttribute const> task_attributes();
TaskAttribute const* find_task_attribute(std::string_view name);

// Shared by the readers and by the CLI: a signal set as names ("SIGINT SIGUSR1", or "none").
std::string sigset_text(SigSet);

}  // namespace forklab
