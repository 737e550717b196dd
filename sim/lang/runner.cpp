#include "lang/runner.h"

#include "base/format.h"

namespace forklab::lang {

namespace {

std::string base_name(std::string const& path)
{
    auto const slash = path.rfind('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

// Every program of the run in /bin, the scenario itself under its own name.
std::string install(Run& run, std::string const& path, std::string source, RunOptions const& options)
{
    for (auto const& [name, text] : options.bin) {
        auto compiled = compile_source(name + ".c", text);
        if (!compiled)
            return compiled.error().render();
        if (auto r = run.kernel->vfs().install_program("/bin/" + name, *compiled); !r)
            return format("installing /bin/{}: {}", name, r.error().to_string());
    }
    auto compiled = compile_source(path, std::move(source));
    if (!compiled)
        return compiled.error().render();
    if (auto r = run.kernel->vfs().install_program("/bin/" + base_name(path), *compiled); !r)
        return format("installing /bin/{}: {}", base_name(path), r.error().to_string());
    return {};
}

// The lowest-pid task with a context that may run now.
pid_t next_runnable(Machine const& machine, Kernel const& kernel)
{
    for (auto const& [pid, cpu] : machine.cpus()) {
        Task const* t = kernel.find_task(pid);
        if (t && !t->exiting && (t->state == TaskState::Runnable || t->state == TaskState::Running))
            return pid;
    }
    return 0;
}

void drop_dead(Machine& machine, Kernel const& kernel)
{
    std::vector<pid_t> dead;
    for (auto const& [pid, cpu] : machine.cpus()) {
        Task const* t = kernel.find_task(pid);
        if (!t || t->is_zombie() || t->exiting)
            dead.push_back(pid);
    }
    for (pid_t pid : dead)
        machine.drop(pid);
}

std::string schedule(Run& run, Machine& machine, RunOptions const& options)
{
    Kernel& k = *run.kernel;
    pid_t current = run.main_pid;
    while (!machine.cpus().empty()) {
        if (run.steps >= options.max_steps)
            return format("step budget of {} steps exhausted: the program was stopped (a runaway loop?)",
                options.max_steps);
        if (!current) {
            drop_dead(machine, k);
            current = next_runnable(machine, k);
            if (!current)
                return machine.cpus().empty() ? std::string() : "every remaining task is blocked (deadlock)";
        }
        k.set_step(++run.steps);
        StepResult const r = machine.step(current);
        if (options.after_step)
            options.after_step(k);
        if (r.kind != StepKind::Ran)
            current = 0;
    }
    return {};
}

}  // namespace

Run run_program(std::string path, std::string source, RunOptions options)
{
    Run run;
    run.kernel = std::make_unique<Kernel>(options.kernel);
    if (std::string err = install(run, path, std::move(source), options); !err.empty()) {
        run.error = err;
        run.end = RunEnd::CompileError;
        return run;
    }
    run.end = RunEnd::SetupFailed;  // Until the program is running.
    Kernel& k = *run.kernel;
    Machine machine(k);
    auto pid = k.fork(1);
    if (!pid || !k.setuid(*pid, options.uid)) {
        run.error = "could not create the program's process";
        return run;
    }
    run.main_pid = *pid;
    std::vector<std::string> argv = options.argv.empty() ? std::vector<std::string>{base_name(path)} : options.argv;
    for (std::string const& e : options.envp) {
        auto const eq = e.find('=');
        (void)k.setenv(*pid, e.substr(0, eq), eq == std::string::npos ? "" : e.substr(eq + 1));
    }
    auto exe = k.execve(*pid, "/bin/" + base_name(path), argv);
    if (!exe) {
        run.error = format("exec failed: {}", exe.error().to_string());
        return run;
    }
    auto program = std::dynamic_pointer_cast<CompiledProgram const>(*exe);
    if (auto r = machine.start(*pid, program, argv, k.find_task(*pid)->env.entries(), Load::AlreadyExeced); !r) {
        run.error = format("start failed: {}", r.error().to_string());
        return run;
    }
    run.error = schedule(run, machine, options);
    run.ok = run.error.empty();
    run.end = run.ok ? RunEnd::Finished : run.steps >= options.max_steps ? RunEnd::StepBudget : RunEnd::Deadlock;
    for (Event const& e : k.events().all())
        if (e.kind == EventKind::Exit)
            run.exit_statuses[e.pid] = int(e.value);
    run.output = k.terminal().text();
    run.expect_failures = machine.expect_failures();
    run.notes = machine.notes();
    run.diagnostics = machine.diagnostics();
    return run;
}

}  // namespace forklab::lang
