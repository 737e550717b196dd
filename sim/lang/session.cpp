#include "lang/session.h"

#include "base/format.h"

#include <algorithm>

namespace forklab::lang {

namespace {

std::string base_name(std::string const& path)
{
    auto const slash = path.rfind('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

bool task_can_run(Task const* t)
{
    return t && !t->exiting && (t->state == TaskState::Runnable || t->state == TaskState::Running);
}

}  // namespace

// Every program of the run, compiled once: the other programs under /bin by name, the
// scenario itself under its own name.
struct Session::Programs {
    std::vector<std::pair<std::string, std::shared_ptr<CompiledProgram const>>> bin;
    std::string main_path;
    std::string error;  // A compile error, rendered.

    Programs(std::string const& path, std::string source, std::map<std::string, std::string> const& others)
    {
        for (auto const& [name, text] : others) {
            auto compiled = compile_source(name + ".c", text);
            if (!compiled) {
                error = compiled.error().render();
                return;
            }
            bin.emplace_back("/bin/" + name, *compiled);
        }
        auto compiled = compile_source(path, std::move(source));
        if (!compiled) {
            error = compiled.error().render();
            return;
        }
        main_path = "/bin/" + base_name(path);
        bin.emplace_back(main_path, *compiled);
    }
};

Session::Session(std::string path, std::string source, RunOptions options)
    : m_options(std::move(options))
{
    if (m_options.argv.empty())
        m_options.argv = {base_name(path)};
    m_programs = std::make_shared<Programs>(path, std::move(source), m_options.bin);
    boot();
}

Session::~Session() = default;

// A fresh kernel with the program started, before its first step.
void Session::boot()
{
    m_machine.reset();
    m_kernel = std::make_unique<Kernel>(m_options.kernel);
    m_machine = std::make_unique<Machine>(*m_kernel);
    m_context = {};
    m_choices.clear();
    m_tasks.clear();
    m_done = false;
    m_end = RunEnd::Finished;
    m_error.clear();
    m_main_pid = 0;
    if (!m_programs->error.empty())
        return finish(RunEnd::CompileError, m_programs->error);
    std::string const err = setup();
    note_events(0);
    if (!err.empty())
        return finish(RunEnd::SetupFailed, err);
    finish_if_over();
}

// The world before the program starts: its programs in /bin, the scenario's files, the
// terminal's input; then a process forked from init, given its limits while still root (as a
// login does before it drops privileges), set to the student's uid and environment, and
// exec'd.
std::string Session::setup()
{
    Kernel& k = *m_kernel;
    for (auto const& [at, program] : m_programs->bin)
        if (auto r = k.vfs().install_program(at, program); !r)
            return format("installing {}: {}", at, r.error().to_string());
    for (FileSpec const& f : m_options.files)
        if (auto r = k.vfs().create_file(f.path, f.content, f.mode, f.owner); !r)
            return format("creating {}: {}", f.path, r.error().to_string());
    if (m_options.stdin_text)
        k.vfs().console().tty->input = *m_options.stdin_text;
    auto pid = k.fork(1);
    if (!pid)
        return "could not create the program's process";
    m_main_pid = *pid;
    for (auto const& [resource, limit] : m_options.rlimits)
        if (auto r = k.prlimit(*pid, 0, resource, limit); !r)
            return format("setting resource limit {}: {}", resource, r.error().to_string());
    if (auto r = k.setuid(*pid, m_options.uid); !r)
        return format("setuid({}): {}", m_options.uid, r.error().to_string());
    for (std::string const& e : m_options.envp) {
        auto const eq = e.find('=');
        (void)k.setenv(*pid, e.substr(0, eq), eq == std::string::npos ? "" : e.substr(eq + 1));
    }
    auto exe = k.execve(*pid, m_programs->main_path, m_options.argv);
    if (!exe)
        return format("exec failed: {}", exe.error().to_string());
    auto program = std::dynamic_pointer_cast<CompiledProgram const>(*exe);
    if (auto r = m_machine->start(*pid, program, m_options.argv, k.find_task(*pid)->env.entries(),
            Load::AlreadyExeced);
        !r)
        return format("start failed: {}", r.error().to_string());
    return {};
}

// ---- Who may run ----------------------------------------------------------------------------

bool Session::can_run(pid_t pid) const
{
    return m_machine->has_context(pid) && task_can_run(m_kernel->find_task(pid));
}

// Into m_ready (kept to spare an allocation a step), sorted: cpus() is a map by pid.
std::vector<pid_t> const& Session::runnable_now() const
{
    m_ready.clear();
    for (auto const& [pid, cpu] : m_machine->cpus())
        if (task_can_run(m_kernel->find_task(pid)))
            m_ready.push_back(pid);
    return m_ready;
}

// Before a choice: forget the contexts of tasks that are gone (killed by another, say), and
// if every task left is asleep, move the clock to the next timer or sleep that will wake one.
// Leaves the runnable tasks in m_ready.
void Session::settle()
{
    bool dead = false;
    m_ready.clear();
    for (auto const& [pid, cpu] : m_machine->cpus()) {
        Task const* t = m_kernel->find_task(pid);
        dead |= !t || t->is_zombie() || t->exiting;
        if (task_can_run(t))
            m_ready.push_back(pid);
    }
    bool any = !m_ready.empty();
    if (dead) {
        std::vector<pid_t> gone;
        for (auto const& [pid, cpu] : m_machine->cpus())
            if (Task const* t = m_kernel->find_task(pid); !t || t->is_zombie() || t->exiting)
                gone.push_back(pid);
        for (pid_t pid : gone)
            m_machine->drop(pid);
    }
    while (!any && !m_machine->cpus().empty()) {
        auto const next = m_kernel->next_expiry_ns();
        if (!next)
            return;
        m_kernel->advance_time(*next > m_kernel->now_ns() ? *next - m_kernel->now_ns() : 0);
        any = !runnable_now().empty();
    }
}

std::vector<pid_t> const& Session::ready()
{
    if (m_done) {
        m_ready.clear();
        return m_ready;
    }
    settle();
    return m_ready;
}

std::vector<pid_t> Session::runnable()
{
    return ready();
}

// ---- Stepping -------------------------------------------------------------------------------

// One statement of `pid`, then the clock's tick, and what the scheduler must know of it.
void Session::run_step(pid_t pid, std::uint32_t choices)
{
    Kernel& k = *m_kernel;
    std::size_t const events_before = k.events().size();
    k.set_step(m_context.step + 1);
    StepResult const r = m_machine->step(pid);
    k.advance_time(m_options.sched.ns_per_step);
    if (m_context.step < m_choices.size())
        m_choices[m_context.step] = Choice{pid, choices};  // Redone as recorded.
    else
        m_choices.push_back(Choice{pid, choices});
    m_context.run = m_context.last == pid ? m_context.run + 1 : 1;
    m_context.last = pid;
    m_context.yielded = r.kind != StepKind::Ran;
    m_context.forked = 0;
    if (k.events().size() != events_before) {  // Most statements record no event.
        for (Event const& e : k.events().since(events_before))
            if (e.kind == EventKind::Fork && e.pid == pid)
                m_context.forked = e.other;
        note_events(events_before);
    }
    ++m_context.step;
    if (m_options.after_step)
        m_options.after_step(k);
}

// The processes' records, from the events since `first`: forks, execs and exits.
void Session::note_events(std::size_t first)
{
    auto find = [this](pid_t pid) -> TaskInfo* {
        for (auto it = m_tasks.rbegin(); it != m_tasks.rend(); ++it)
            if (it->pid == pid)
                return &*it;
        return nullptr;
    };
    for (Event const& e : m_kernel->events().since(first)) {
        if (e.kind == EventKind::Fork) {
            TaskInfo const* parent = find(e.pid);
            m_tasks.push_back(TaskInfo{e.other, e.pid, parent ? parent->command : std::string(), std::nullopt});
        } else if (e.kind == EventKind::Exec) {
            Task const* t = m_kernel->find_task(e.pid);
            TaskInfo* info = find(e.pid);
            if (t && info) {
                info->command.clear();
                for (std::string const& arg : t->cmdline)
                    info->command += (info->command.empty() ? "" : " ") + arg;
            }
        } else if (e.kind == EventKind::Exit) {
            if (TaskInfo* info = find(e.pid))
                info->status = int(e.value);
        }
    }
}

bool Session::step()
{
    if (m_done)
        return false;
    std::vector<pid_t> const& runnable = ready();
    if (runnable.empty()) {
        finish_if_over();
        return false;
    }
    if (m_context.step < m_choices.size())
        return step_task(m_choices[m_context.step].pid);  // After a step back: redo.
    if (m_context.step < m_options.schedule.size())
        return step_task(m_options.schedule[m_context.step]);
    if (m_options.sched.policy == SchedPolicy::Manual && runnable.size() > 1)
        return false;
    pid_t const next = pick_next(m_options.sched, m_context, runnable);
    take_step(next, std::uint32_t(runnable.size()));
    return true;
}

// The step of a chosen, runnable task.
void Session::take_step(pid_t pid, std::uint32_t choices)
{
    if (m_context.step < m_choices.size() && m_choices[m_context.step].pid != pid)
        m_choices.resize(m_context.step);  // Another choice: the recorded future is gone.
    run_step(pid, choices);
    finish_if_over();
}

bool Session::step_task(pid_t pid)
{
    if (m_done)
        return false;
    std::vector<pid_t> const& runnable = ready();
    if (!std::binary_search(runnable.begin(), runnable.end(), pid)) {
        if (m_context.step < m_options.schedule.size()) {
            std::string list;
            for (pid_t p : runnable)
                list += (list.empty() ? "" : ", ") + std::to_string(p);
            finish(RunEnd::SetupFailed, format("schedule: pid {} cannot run step {} (runnable: {})", pid,
                m_context.step + 1, list.empty() ? "none" : list));
        }
        return false;
    }
    take_step(pid, std::uint32_t(runnable.size()));
    return true;
}

void Session::run_to_end()
{
    while (step()) {
    }
}

// The run is over when every task has exited, when the budget is spent, or when every task
// left is asleep and nothing will wake it.
void Session::finish_if_over()
{
    if (m_done)
        return;
    if (m_context.last && !m_context.yielded) {  // The task that ran can run on: not over.
        if (m_context.step >= m_options.max_steps)
            finish(RunEnd::StepBudget, budget_message());
        return;
    }
    settle();
    if (m_machine->cpus().empty())
        return finish(RunEnd::Finished, {});
    if (m_context.step >= m_options.max_steps)
        return finish(RunEnd::StepBudget, budget_message());
    if (m_ready.empty())
        return finish(RunEnd::Deadlock, deadlock_message());
}

std::string Session::budget_message() const
{
    return format("step budget of {} steps exhausted: the program was stopped (a runaway loop?)", m_options.max_steps);
}

void Session::finish(RunEnd end, std::string error)
{
    m_done = true;
    m_end = end;
    m_error = std::move(error);
}

// "deadlock: every remaining task is asleep and nothing can wake it: pid 7 sleeps in read()
// on an empty pipe, ...; pid 8 sleeps in wait() ..."
std::string Session::deadlock_message() const
{
    std::string text = "deadlock: every remaining task is asleep and nothing can wake it";
    char sep = ':';
    for (auto const& [pid, cpu] : m_machine->cpus()) {
        Task const* t = m_kernel->find_task(pid);
        if (!t)
            continue;
        std::string what = t->state == TaskState::Stopped
            ? format("pid {} is stopped", pid)
            : explain(Event{0, EventKind::Blocked, std::uint8_t(t->blocked_on), pid, 0, 0, 0});
        text += format("{} {} (line {})", sep, what, cpu.line);
        sep = ';';
    }
    return text;
}

// ---- Replay ---------------------------------------------------------------------------------

bool Session::at(std::uint64_t step)
{
    if (step > m_choices.size())
        return false;
    std::vector<Choice> record = std::move(m_choices);
    boot();
    m_choices = std::move(record);
    for (std::uint64_t i = 0; i < step; ++i) {
        Choice const c = m_choices[i];
        if (m_done)
            return false;
        settle();
        if (!can_run(c.pid))
            return false;  // Not the run that was recorded: the kernel is not deterministic.
        run_step(c.pid, c.runnable);
        finish_if_over();
    }
    return true;
}

bool Session::step_back()
{
    return m_context.step > 0 && at(m_context.step - 1);
}

// ---- Results --------------------------------------------------------------------------------

std::vector<pid_t> Session::schedule() const
{
    std::vector<pid_t> pids;
    pids.reserve(m_context.step);
    for (std::uint64_t i = 0; i < m_context.step; ++i)
        pids.push_back(m_choices[i].pid);
    return pids;
}

std::uint64_t Session::fingerprint() const
{
    std::uint64_t h = 0xcbf29ce484222325ULL;
    auto mix = [&h](std::uint64_t v) { h = (h ^ v) * 0x100000001b3ULL; };
    for (char c : m_kernel->terminal().text())
        mix(std::uint8_t(c));
    for (Task const& t : m_kernel->tasks()) {
        mix(std::uint64_t(t.pid));
        mix(std::uint64_t(t.state));
        mix(std::uint64_t(std::uint32_t(t.exit_code)));
        if (Cpu const* cpu = m_machine->cpu(t.pid))
            mix(cpu->pc), mix(cpu->sp), mix(cpu->stack.size());
    }
    mix(m_kernel->now_ns());
    return h;
}

Run Session::result() const
{
    Run run;
    run.end = m_done ? m_end : RunEnd::Finished;
    run.ok = m_done && m_end == RunEnd::Finished;
    run.error = m_error;
    run.main_pid = m_main_pid;
    run.steps = m_context.step;
    run.schedule = schedule();
    run.tasks = m_tasks;
    run.output = m_kernel->terminal().text();
    for (Event const& e : m_kernel->events().all())
        if (e.kind == EventKind::Exit)
            run.exit_statuses[e.pid] = int(e.value);
    run.expect_failures = m_machine->expect_failures();
    run.notes = m_machine->notes();
    run.diagnostics = m_machine->diagnostics();
    return run;
}

Run Session::take_result()
{
    Run run = result();
    m_machine.reset();
    run.kernel = std::move(m_kernel);
    return run;
}

}  // namespace forklab::lang
