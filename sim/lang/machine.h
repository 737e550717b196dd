// The machine: runs compiled programs on the model kernel, one statement of one task per step.
//
// Each task has a CPU context (program counter, stack and frame pointers, operand stack, the
// program it runs), which fork copies -- the child's copy returns 0 from the call. Locals,
// return addresses and saved frame pointers live on the task's simulated stack pages, so deep
// recursion really meets the stack limit. Library functions are builtins (lang/runtime.h) that
// receive the machine, the task and their arguments, and may use the task's memory.
#pragma once

#include "kernel/kernel.h"
#include "lang/compiler.h"
#include "lang/memory_port.h"

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace forklab::lang {

// What the interrupted code was doing when a signal handler was called (Linux keeps this in
// the signal frame on the user stack; here the registers stay host-side, the return address
// to the sigreturn trampoline is on the simulated stack).
struct SignalFrame {
    std::uint32_t pc = 0;
    std::uint64_t sp = 0, fp = 0;
    std::size_t depth = 0;  // The operand stack's height.
    SigSet saved_mask = 0;
};

// A call in progress, as the machine saw it made (a shadow stack, as Intel CET keeps): where
// it must return to, and how deep the caller's operand stack is without the call's arguments.
// A return to any other address -- a smashed stack -- is a control-protection fault (SIGSEGV),
// never a jump into the middle of some expression.
struct CallRecord {
    std::uint64_t return_address = 0;
    std::size_t depth = 0;
};

// A library call (printf, fgets, exit's flush...) that slept part-way: a write to a full pipe,
// a read from an empty terminal. The machine makes the same call again when the task wakes, and
// the call must not format or write anything twice. Its output was formatted once and kept here
// host-side; the library's state as it was when the call began is restored, and the system
// calls already made are replayed from their recorded results, so the call carries on exactly
// where it stopped (lang/libc_stream.cpp). In a real process this progress sits in the
// library's stack frames, which a signal handler's frame is pushed below; here the interrupted
// call's record is kept by signal depth for the same reason.
struct LibcResume {
    std::uint32_t pc = 0;
    std::size_t depth = 0;              // signal_frames.size() when the call was made.
    std::vector<std::uint8_t> saved;    // The library's data (stdio's FILEs) before the call.
    std::vector<std::uint8_t> work;     // The call's formatted output.
    std::vector<std::int64_t> results;  // Each system call's result so far: a count, or -errno.
};

struct Cpu {
    std::shared_ptr<CompiledProgram const> program;
    std::uint32_t pc = 0;
    std::uint64_t sp = 0, fp = 0;
    std::vector<std::uint64_t> stack;  // The operand stack (the machine's registers).
    std::vector<SignalFrame> signal_frames;
    std::vector<CallRecord> calls;  // The shadow stack.
    bool interrupted = false;  // A blocking call at pc was interrupted by a signal.
    bool restartable = true;   // ... and SA_RESTART may restart it (not pause, sigsuspend, sleeps).
    bool asleep_in_call = false;  // The call at pc put the task to sleep; it is made again on wake-up.
    int line = 0, column = 0;  // The statement being (or last) executed.
    std::vector<LibcResume> libc_resume;  // Library calls in progress, one per signal depth.
};

enum class StepKind : std::uint8_t {
    Ran,          // One statement ran; the task may run on.
    Blocked,      // The task is asleep (wait, read, vfork, ...): run someone else.
    Exited,       // The task is gone or a zombie; its context is dropped.
    NotRunnable,  // It was not in a state to run (blocked, stopped) or has no program.
};

struct StepResult {
    StepKind kind = StepKind::Ran;
    int line = 0, column = 0;
};

struct ExpectFailure {
    pid_t pid = 0;
    int line = 0;
};

struct Note {
    pid_t pid = 0;
    std::string text;
    std::uint64_t step = 0;
    int line = 0;
};

// How start() gets the program into the process.
enum class Load : std::uint8_t { ExecImage, AlreadyExeced };

class Machine;

// One library call in progress.
struct BuiltinCall {
    Machine& machine;
    Kernel& kernel;
    pid_t pid;
    Cpu& cpu;
    std::span<std::uint64_t const> args;
    MemoryPort mem;

    std::uint64_t arg(std::size_t i) const { return i < args.size() ? args[i] : 0; }
};

struct CallOutcome {
    enum class Kind : std::uint8_t {
        Return,       // The call returned `value`.
        Block,        // The task sleeps; the same call is made again when it is woken.
        Interrupted,  // A signal is pending: deliver it, then EINTR or restart (SA_RESTART).
        Restart,      // Deliver pending signals, then make the call again (ERESTARTNOINTR).
        Exited,       // The task exited.
        Replaced,     // exec: the context now runs a new program.
        Fault,        // A fault: the kernel has queued the signal.
    };
    Kind kind = Kind::Return;
    std::uint64_t value = 0;
    // Interrupted: whether SA_RESTART restarts the call (Linux's -ERESTARTSYS), or the call
    // fails with EINTR whenever a handler runs (-ERESTARTNOHAND: pause, sigsuspend; and the
    // sleeps, -ERESTART_RESTARTBLOCK).
    bool restartable = true;
};

using BuiltinFn = CallOutcome (*)(BuiltinCall&);

class Machine {
public:
    explicit Machine(Kernel& kernel) : m_kernel(kernel) {}

    // A fresh process image in `pid`: exec the program (or take the one just exec'd), lay out
    // argv and envp on the new stack as the x86-64 ABI does, and enter main.
    ErrorOr<void> start(pid_t pid, std::shared_ptr<CompiledProgram const> program, std::vector<std::string> argv,
        std::vector<std::string> envp, Load load = Load::ExecImage);

    // One statement of `pid`: deliver due signals (running a handler if one is due), then run.
    StepResult step(pid_t pid);

    bool has_context(pid_t pid) const { return m_cpus.contains(pid); }
    Cpu const* cpu(pid_t pid) const;
    std::map<pid_t, Cpu> const& cpus() const { return m_cpus; }
    void drop(pid_t pid) { m_cpus.erase(pid); }

    std::vector<ExpectFailure> const& expect_failures() const { return m_failures; }
    std::vector<Note> const& notes() const { return m_notes; }
    std::vector<std::string> const& diagnostics() const { return m_diagnostics; }
    // The interpreter loop's translations, for tests that check them against the page tables.
    SoftTlb const& soft_tlb() const { return m_tlb; }

    // For builtins.
    Kernel& kernel() { return m_kernel; }
    void add_child(pid_t child, Cpu cpu) { m_cpus[child] = std::move(cpu); }
    static void finish_call(Cpu& cpu, std::uint64_t value);
    void expect_failed(pid_t pid, int line) { m_failures.push_back({pid, line}); }
    void note(pid_t pid, std::string text, int line) { m_notes.push_back({pid, std::move(text), m_kernel.step(), line}); }
    void diagnose(std::string text) { m_diagnostics.push_back(std::move(text)); }
    bool set_errno(BuiltinCall& call, int err);
    // exec's second half: the new program's stack and entry, in the context of `pid`.
    ErrorOr<void> enter_program(pid_t pid, Cpu& cpu, std::shared_ptr<CompiledProgram const> program,
        std::vector<std::string> const& argv, std::vector<std::string> const& envp);

private:
    enum class Stop : std::uint8_t { Statement, Blocked, Exited, Fault };
    Stop execute(pid_t pid, Cpu& cpu);
    Stop call_builtin(pid_t pid, Cpu& cpu, std::uint32_t id, std::size_t argc, std::size_t below);
    Stop reissue_call(pid_t pid, Cpu& cpu);
    bool woken_by_signal(Task const& task, Cpu const& cpu) const;
    bool deliver_signal(pid_t pid, Cpu& cpu, SignalDelivery const& delivery);
    void push_arguments(Cpu& cpu, std::uint32_t entry, std::vector<std::uint64_t> const& args) const;
    bool task_can_run(pid_t pid) const;
    std::vector<BuiltinFn> const& builtins_of(CompiledProgram const& program);

    Kernel& m_kernel;
    SoftTlb m_tlb;  // The interpreter loop's translations (see MemoryPort).
    std::map<pid_t, Cpu> m_cpus;
    std::unordered_map<CompiledProgram const*, std::vector<BuiltinFn>> m_builtins;
    std::vector<ExpectFailure> m_failures;
    std::vector<Note> m_notes;
    std::vector<std::string> m_diagnostics;
};

}  // namespace forklab::lang
