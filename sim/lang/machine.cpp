// The machine's interpreter loop and its contexts. Linux analogues are named where they exist:
// start() is start_thread() after load_elf_binary()'s create_elf_tables(); a signal handler
// call is setup_rt_frame(); the SigReturn trampoline is rt_sigreturn.
#include "lang/machine.h"

#include "base/format.h"
#include "lang/libc_stream.h"
#include "lang/runtime.h"

#include <csignal>
#include <cstring>

namespace forklab::lang {

namespace {

// Inlined: nearly every instruction ends with it, and a call costs more than the switch.
[[gnu::always_inline]] inline std::uint64_t normalize(std::uint64_t v, Norm n)
{
    switch (n) {
    case Norm::None: return v;
    case Norm::S8: return std::uint64_t(std::int64_t(std::int8_t(v)));
    case Norm::U8: return v & 0xff;
    case Norm::S16: return std::uint64_t(std::int64_t(std::int16_t(v)));
    case Norm::U16: return v & 0xffff;
    case Norm::S32: return std::uint64_t(std::int64_t(std::int32_t(v)));
    case Norm::U32: return v & 0xffffffff;
    case Norm::Bool: return v != 0;
    }
    return v;
}

// x86's idiv traps on a zero divisor and on the one quotient that does not fit (INT_MIN / -1).
bool division_traps(std::uint64_t l, std::uint64_t r, Norm n, bool is_signed)
{
    if (r == 0)
        return true;
    if (!is_signed || std::int64_t(r) != -1)
        return false;
    return n == Norm::S32 ? std::int64_t(l) == INT32_MIN : std::int64_t(l) == INT64_MIN;
}

std::uint64_t divide(std::uint64_t l, std::uint64_t r, bool is_signed, bool mod)
{
    if (is_signed) {
        std::int64_t const a = std::int64_t(l), b = std::int64_t(r);
        return std::uint64_t(mod ? a % b : a / b);
    }
    return mod ? l % r : l / r;
}

unsigned shift_count(std::uint64_t r, Norm n) { return unsigned(r) & (n == Norm::None ? 63 : 31); }

// Whether the task can run its next statement; whether it is gone (its context is dropped).
bool can_run(Task const* t)
{
    return t && !t->exiting && (t->state == TaskState::Runnable || t->state == TaskState::Running);
}
bool is_gone(Task const* t) { return !t || t->exiting || t->is_zombie(); }

}  // namespace

Cpu const* Machine::cpu(pid_t pid) const
{
    auto it = m_cpus.find(pid);
    return it == m_cpus.end() ? nullptr : &it->second;
}

bool Machine::task_can_run(pid_t pid) const
{
    return can_run(m_kernel.find_task(pid));
}

std::vector<BuiltinFn> const& Machine::builtins_of(CompiledProgram const& program)
{
    auto [it, added] = m_builtins.try_emplace(&program);
    if (added)
        for (std::string const& name : program.builtin_names())
            it->second.push_back(find_builtin(name));
    return it->second;
}

void Machine::finish_call(Cpu& cpu, std::uint64_t value)
{
    Insn const& in = cpu.program->code()[cpu.pc];
    std::size_t const drop = std::size_t(in.a) + (in.op == Op::CallIndirect ? 1 : 0);
    cpu.stack.resize(cpu.stack.size() - drop);
    cpu.stack.push_back(value);
    ++cpu.pc;
}

bool Machine::set_errno(BuiltinCall& call, int err)
{
    std::uint64_t const at = call.cpu.program->runtime().errno_addr;
    return !at || call.mem.store(at, 4, std::uint64_t(std::uint32_t(err)));
}

// ---- Starting a program ---------------------------------------------------------------------

ErrorOr<void> Machine::start(pid_t pid, std::shared_ptr<CompiledProgram const> program, std::vector<std::string> argv,
    std::vector<std::string> envp, Load load)
{
    if (load == Load::ExecImage) {
        std::string_view name = program->path();
        if (auto slash = name.rfind('/'); slash != std::string_view::npos)
            name = name.substr(slash + 1);
        TRY(m_kernel.exec_image(pid, name.empty() ? "a.out" : name, program->image()));
    }
    Cpu cpu;
    TRY(enter_program(pid, cpu, std::move(program), argv, envp));
    m_cpus[pid] = std::move(cpu);
    return {};
}

// Linux: create_elf_tables(). From the top of the stack down: the strings, then (16-byte
// aligned) argc, the argv pointers and a NULL, the envp pointers and a NULL, an empty auxv.
// main is entered as if called from the ExitMain trampoline, so its return calls exit().
ErrorOr<void> Machine::enter_program(pid_t pid, Cpu& cpu, std::shared_ptr<CompiledProgram const> program,
    std::vector<std::string> const& argv, std::vector<std::string> const& envp)
{
    MemoryPort mem(m_kernel, pid);
    std::uint64_t sp = MmStruct::kStackTop - 16;
    auto put_string = [&](std::string const& s) -> ErrorOr<std::uint64_t> {
        sp -= s.size() + 1;
        if (!mem.write(sp, s.c_str(), s.size() + 1))
            return error(EFAULT);
        return sp;
    };
    std::vector<std::uint64_t> env_ptrs, arg_ptrs;
    for (auto it = envp.rbegin(); it != envp.rend(); ++it)
        env_ptrs.insert(env_ptrs.begin(), TRY(put_string(*it)));
    for (auto it = argv.rbegin(); it != argv.rend(); ++it)
        arg_ptrs.insert(arg_ptrs.begin(), TRY(put_string(*it)));
    std::vector<std::uint64_t> words{argv.size()};
    words.insert(words.end(), arg_ptrs.begin(), arg_ptrs.end());
    words.push_back(0);
    words.insert(words.end(), env_ptrs.begin(), env_ptrs.end());
    words.push_back(0);
    words.push_back(0), words.push_back(0);  // AT_NULL
    sp &= ~std::uint64_t(15);
    sp -= words.size() * 8;
    sp &= ~std::uint64_t(15);
    if (!mem.write(sp, words.data(), words.size() * 8))
        return error(EFAULT);
    std::uint64_t const argv_at = sp + 8, envp_at = sp + 8 * (argv.size() + 2);
    if (std::uint64_t at = program->runtime().environ_addr; at && !mem.store(at, 8, envp_at))
        return error(EFAULT);
    // The C library's start-up: stdin, stdout and stderr, and the variables naming them.
    if (!libc::init_stdio(mem, program->runtime()))
        return error(EFAULT);
    cpu = Cpu{};
    cpu.program = std::move(program);
    switch (cpu.program->main_form()) {
    case MainForm::NoArgs: break;
    case MainForm::ArgcArgvEnvp: cpu.stack = {argv.size(), argv_at, envp_at}; break;
    case MainForm::ArgcArgv: cpu.stack = {argv.size(), argv_at}; break;
    }
    // The call from the startup code: the return address is the ExitMain trampoline.
    sp -= 8;
    if (!mem.store(sp, 8, CompiledProgram::address_of(CompiledProgram::kExitMainIndex)))
        return error(EFAULT);
    cpu.calls.push_back(CallRecord{CompiledProgram::address_of(CompiledProgram::kExitMainIndex), 0});
    cpu.sp = sp;
    cpu.fp = 0;
    cpu.pc = cpu.program->main_entry();
    return {};
}

// ---- Signals --------------------------------------------------------------------------------

// The arguments of a call to the function entered at `entry`, as many as its prologue takes:
// missing ones are 0, extra ones are not passed.
void Machine::push_arguments(Cpu& cpu, std::uint32_t entry, std::vector<std::uint64_t> const& args) const
{
    std::uint32_t const wanted = cpu.program->function_at(entry).params;
    for (std::uint32_t i = 0; i < wanted; ++i)
        cpu.stack.push_back(i < args.size() ? args[i] : 0);
}

// Linux: setup_rt_frame(). Below the interrupted code's stack (past the 128-byte red zone),
// the return address of the handler is the sigreturn trampoline; the handler gets the signal
// number as its argument. The interrupted registers are kept in the context's signal frames.
bool Machine::deliver_signal(pid_t pid, Cpu& cpu, SignalDelivery const& d)
{
    std::int64_t const entry = cpu.program->index_of(d.action.handler);
    if (entry < 0 || cpu.program->code()[std::size_t(entry)].op != Op::Enter) {
        diagnose(format("pid {}: the handler for signal {} is not a function", pid, d.sig));
        (void)m_kernel.force_fault(pid, SIGSEGV);
        return false;
    }
    std::uint64_t sp = ((cpu.sp - 128) & ~std::uint64_t(15)) - 8;
    MemoryPort mem(m_kernel, pid);
    if (!mem.store(sp, 8, CompiledProgram::address_of(CompiledProgram::kSigReturnIndex)))
        return false;
    cpu.signal_frames.push_back(SignalFrame{cpu.pc, cpu.sp, cpu.fp, cpu.stack.size(), d.saved_mask});
    cpu.calls.push_back(CallRecord{CompiledProgram::address_of(CompiledProgram::kSigReturnIndex), cpu.stack.size()});
    cpu.sp = sp;
    push_arguments(cpu, std::uint32_t(entry), {std::uint64_t(d.sig)});
    cpu.pc = std::uint32_t(entry);
    return true;
}

// ---- Stepping -------------------------------------------------------------------------------

StepResult Machine::step(pid_t pid)
{
    auto it = m_cpus.find(pid);
    if (it == m_cpus.end())
        return {StepKind::NotRunnable};
    Cpu& cpu = it->second;
    // The task is looked up once, and again after each call into the kernel: that may end it,
    // reap it (its Task is freed) or exec a new image in it.
    Task const* task = m_kernel.find_task(pid);
    if (is_gone(task)) {
        m_cpus.erase(it);
        return {StepKind::Exited};
    }
    if (!can_run(task))
        return {StepKind::NotRunnable, cpu.line, cpu.column};
    // A task asleep in a system call that a signal woke: the call returns first (Linux: with
    // -ERESTARTSYS or the like, or with what it had done by then), and only on its way back to
    // user mode is the signal delivered. So the call is made again now, with the signal still
    // pending, and it ends as Interrupted (or completes).
    if (woken_by_signal(*task, cpu)) {
        Stop const reissued = reissue_call(pid, cpu);
        task = m_kernel.find_task(pid);
        if (reissued == Stop::Exited || is_gone(task)) {
            m_cpus.erase(pid);
            return {StepKind::Exited};
        }
        if (!can_run(task))
            return {StepKind::Blocked, cpu.line, cpu.column};
    }
    // Linux: exit_to_user_mode_loop() -> arch_do_signal_or_restart(), before the next statement
    // (and, as there, only when a signal or a group exit is pending: most steps have none).
    std::optional<SignalDelivery> delivery;
    if (Kernel::signal_work_pending(*task)) {
        auto due = m_kernel.do_signal(pid);
        task = m_kernel.find_task(pid);
        if (is_gone(task)) {
            m_cpus.erase(it);
            return {StepKind::Exited};
        }
        if (!can_run(task))
            return {StepKind::NotRunnable, cpu.line, cpu.column};
        if (due)
            delivery = *due;
    }
    if (delivery) {
        // A system call a signal interrupted fails with EINTR, unless the handler was installed
        // with SA_RESTART and the call is one that restarts (signal(7), "Interruption of system
        // calls"; pause, sigsuspend and the sleeps never do).
        if (cpu.interrupted && (!cpu.restartable || !(delivery->action.flags & SA_RESTART))) {
            BuiltinCall call{*this, m_kernel, pid, cpu, {}, MemoryPort(m_kernel, pid)};
            set_errno(call, EINTR);
            finish_call(cpu, std::uint64_t(-1));
        }
        cpu.interrupted = false;
        if (!deliver_signal(pid, cpu, *delivery))
            return {StepKind::Ran, cpu.line, cpu.column};
    }
    cpu.interrupted = false;
    cpu.restartable = true;
    Stop const stop = execute(pid, cpu);
    StepResult const result{StepKind::Ran, cpu.line, cpu.column};
    task = m_kernel.find_task(pid);
    if (stop == Stop::Exited || is_gone(task)) {
        m_cpus.erase(pid);
        return {StepKind::Exited, result.line, result.column};
    }
    if (stop == Stop::Blocked || !can_run(task))
        return {StepKind::Blocked, result.line, result.column};
    return result;
}

Machine::Stop Machine::call_builtin(pid_t pid, Cpu& cpu, std::uint32_t id, std::size_t argc, std::size_t below)
{
    std::vector<BuiltinFn> const& table = builtins_of(*cpu.program);
    std::size_t const n = cpu.stack.size();
    std::vector<std::uint64_t> const args(cpu.stack.end() - std::ptrdiff_t(argc), cpu.stack.end());
    (void)below;
    BuiltinCall call{*this, m_kernel, pid, cpu, args, MemoryPort(m_kernel, pid)};
    BuiltinFn fn = id < table.size() ? table[id] : nullptr;
    if (!fn) {
        diagnose(format("pid {}: line {}: {}() is not implemented yet", pid, cpu.line,
            id < cpu.program->builtin_names().size() ? cpu.program->builtin_names()[id] : "?"));
        (void)m_kernel.kill(pid, pid, SIGSYS);
        return Stop::Fault;
    }
    (void)n;
    CallOutcome const out = fn(call);
    cpu.asleep_in_call = out.kind == CallOutcome::Kind::Block;
    cpu.restartable = out.restartable;
    switch (out.kind) {
    case CallOutcome::Kind::Return:
        finish_call(cpu, out.value);
        return task_can_run(pid) ? Stop::Statement : Stop::Blocked;
    case CallOutcome::Kind::Block: return Stop::Blocked;
    case CallOutcome::Kind::Interrupted: cpu.interrupted = true; return Stop::Fault;
    case CallOutcome::Kind::Restart: return Stop::Fault;
    case CallOutcome::Kind::Exited: return Stop::Exited;
    case CallOutcome::Kind::Replaced: return Stop::Fault;
    case CallOutcome::Kind::Fault: return Stop::Fault;
    }
    return Stop::Fault;
}

// Whether `pid` sleeps in a library call and a signal it does not block is pending (ignored
// signals are discarded when sent, so a pending one will be acted on).
bool Machine::woken_by_signal(Task const& task, Cpu const& cpu) const
{
    return cpu.asleep_in_call && ((task.pending | task.signal->shared_pending) & ~task.blocked) != 0;
}

// The library call at pc made again: its arguments are still on the operand stack, above the
// function pointer for a call through one.
Machine::Stop Machine::reissue_call(pid_t pid, Cpu& cpu)
{
    auto const& code = cpu.program->code();
    Insn const& in = code[cpu.pc];
    if (in.op == Op::CallBuiltin)
        return call_builtin(pid, cpu, std::uint32_t(in.c), in.a, 0);
    if (in.op == Op::CallIndirect && cpu.stack.size() > in.a) {
        std::int64_t const target = cpu.program->index_of(cpu.stack[cpu.stack.size() - 1 - in.a]);
        if (target >= 0 && code[std::size_t(target)].op == Op::BuiltinStub)
            return call_builtin(pid, cpu, std::uint32_t(code[std::size_t(target)].c), in.a, 1);
    }
    cpu.asleep_in_call = false;
    return Stop::Statement;
}

// The interpreter loop: runs from pc through one Stmt instruction up to the next one. Any stop
// other than a statement boundary (a fault, a sleep, an exit, an exec) ends the step with pc at
// the instruction that stopped, so a woken task makes the same call again.
Machine::Stop Machine::execute(pid_t pid, Cpu& cpu)
{
    MemoryPort mem(m_kernel, pid, m_tlb);
    Insn const* const code = cpu.program->code().data();
    std::vector<std::uint64_t>& st = cpu.stack;
    std::uint32_t pc = cpu.pc;
    std::uint64_t sp = cpu.sp, fp = cpu.fp;
    bool began = false;
    auto save = [&] { cpu.pc = pc, cpu.sp = sp, cpu.fp = fp; };
    auto trap = [&](int sig) {
        save();
        (void)m_kernel.force_fault(pid, sig);
        return Stop::Fault;
    };
    for (;;) {
        Insn const& in = code[pc];
        switch (in.op) {
        case Op::Stmt:
            if (began) {
                save();
                return Stop::Statement;
            }
            began = true;
            cpu.line = in.c, cpu.column = in.b;
            ++pc;
            break;
        case Op::Push: st.push_back(std::uint64_t(in.imm)); ++pc; break;
        case Op::Pop: st.pop_back(); ++pc; break;
        case Op::Dup: st.push_back(st.back()); ++pc; break;
        case Op::AddrLocal: st.push_back(fp + std::uint64_t(in.imm)); ++pc; break;
        case Op::Load: {
            std::uint64_t v;
            if (!mem.load(st.back(), std::size_t(in.c), v))
                return save(), Stop::Fault;
            st.back() = normalize(v, Norm(in.a));
            ++pc;
            break;
        }
        case Op::LoadLocal: {
            std::uint64_t v;
            if (!mem.load(fp + std::uint64_t(in.imm), std::size_t(in.c), v))
                return save(), Stop::Fault;
            st.push_back(normalize(v, Norm(in.a)));
            ++pc;
            break;
        }
        case Op::Store: {
            std::uint64_t const v = st.back(), addr = st[st.size() - 2];
            if (!mem.store(addr, std::size_t(in.c), v))
                return save(), Stop::Fault;
            st.pop_back();
            if (in.b)
                st.back() = v;
            else
                st.pop_back();
            ++pc;
            break;
        }
        case Op::StoreLocal: {
            if (!mem.store(fp + std::uint64_t(in.imm), std::size_t(in.c), st.back()))
                return save(), Stop::Fault;
            if (!in.b)
                st.pop_back();
            ++pc;
            break;
        }
        case Op::Copy: {
            std::uint64_t const src = st.back(), dst = st[st.size() - 2];
            if (!mem.copy(dst, src, std::uint64_t(in.imm)))
                return save(), Stop::Fault;
            st.pop_back();
            if (!in.b)
                st.pop_back();
            ++pc;
            break;
        }
        case Op::Zero: {
            if (!mem.zero(st.back(), std::uint64_t(in.imm)))
                return save(), Stop::Fault;
            st.pop_back();
            ++pc;
            break;
        }
        case Op::IncDec: {
            std::uint64_t const addr = st.back();
            std::uint64_t old;
            if (!mem.load(addr, std::size_t(in.c), old))
                return save(), Stop::Fault;
            old = normalize(old, Norm(in.a));
            std::uint64_t const now = normalize(old + std::uint64_t(in.imm), Norm(in.a));
            if (!mem.store(addr, std::size_t(in.c), now))
                return save(), Stop::Fault;
            st.back() = in.b ? old : now;
            ++pc;
            break;
        }
#define FORKLAB_BINARY(OP, EXPR)                                  \
    case Op::OP: {                                                \
        std::uint64_t const r = st.back();                        \
        st.pop_back();                                            \
        std::uint64_t const l = st.back();                        \
        st.back() = normalize(EXPR, Norm(in.a));                  \
        ++pc;                                                     \
        break;                                                    \
    }
            FORKLAB_BINARY(Add, l + r)
            FORKLAB_BINARY(Sub, l - r)
            FORKLAB_BINARY(Mul, l * r)
            FORKLAB_BINARY(And, l & r)
            FORKLAB_BINARY(Or, l | r)
            FORKLAB_BINARY(Xor, l ^ r)
            FORKLAB_BINARY(Shl, l << shift_count(r, Norm(in.a)))
            FORKLAB_BINARY(Shr, in.b ? std::uint64_t(std::int64_t(l) >> shift_count(r, Norm(in.a)))
                                     : l >> shift_count(r, Norm(in.a)))
#undef FORKLAB_BINARY
        case Op::Div:
        case Op::Mod: {
            std::uint64_t const r = st.back(), l = st[st.size() - 2];
            if (division_traps(l, r, Norm(in.a), in.b))
                return trap(SIGFPE);
            st.pop_back();
            st.back() = normalize(divide(l, r, in.b, in.op == Op::Mod), Norm(in.a));
            ++pc;
            break;
        }
        case Op::Neg: st.back() = normalize(0 - st.back(), Norm(in.a)); ++pc; break;
        case Op::Not: st.back() = normalize(~st.back(), Norm(in.a)); ++pc; break;
        case Op::LogNot: st.back() = st.back() == 0; ++pc; break;
#define FORKLAB_COMPARE(OP, CMP)                                                              \
    case Op::OP: {                                                                            \
        std::uint64_t const r = st.back();                                                    \
        st.pop_back();                                                                        \
        std::uint64_t const l = st.back();                                                    \
        st.back() = in.b ? (std::int64_t(l) CMP std::int64_t(r)) : (l CMP r);                 \
        ++pc;                                                                                 \
        break;                                                                                \
    }
            FORKLAB_COMPARE(Eq, ==)
            FORKLAB_COMPARE(Ne, !=)
            FORKLAB_COMPARE(Lt, <)
            FORKLAB_COMPARE(Le, <=)
            FORKLAB_COMPARE(Gt, >)
            FORKLAB_COMPARE(Ge, >=)
#undef FORKLAB_COMPARE
        case Op::Conv: st.back() = normalize(st.back(), Norm(in.a)); ++pc; break;
        case Op::ScaleMul:
            (in.b ? st[st.size() - 2] : st.back()) *= std::uint64_t(in.imm);
            ++pc;
            break;
        case Op::ScaleDiv: st.back() = std::uint64_t(std::int64_t(st.back()) / in.imm); ++pc; break;
        case Op::Jmp: pc = std::uint32_t(in.imm); break;
        case Op::Jz: {
            bool const zero = st.back() == 0;
            st.pop_back();
            pc = zero ? std::uint32_t(in.imm) : pc + 1;
            break;
        }
        case Op::Jnz: {
            bool const zero = st.back() == 0;
            st.pop_back();
            pc = zero ? pc + 1 : std::uint32_t(in.imm);
            break;
        }
        case Op::JzKeep:
            if (st.back() == 0)
                pc = std::uint32_t(in.imm);
            else
                st.pop_back(), ++pc;
            break;
        case Op::JnzKeep:
            if (st.back() != 0)
                pc = std::uint32_t(in.imm);
            else
                st.pop_back(), ++pc;
            break;
        case Op::Case:
            if (st.back() == std::uint64_t(in.imm)) {
                st.pop_back();
                pc = std::uint32_t(in.c);
            } else {
                ++pc;
            }
            break;
        case Op::Enter:
            // push %rbp; mov %rsp, %rbp; sub $frame, %rsp
            if (!mem.store(sp - 8, 8, fp))
                return save(), Stop::Fault;
            sp -= 8;
            fp = sp;
            sp -= std::uint64_t(in.imm);
            ++pc;
            break;
        case Op::Call:
            if (!mem.store(sp - 8, 8, CompiledProgram::address_of(pc + 1)))
                return save(), Stop::Fault;
            sp -= 8;
            cpu.calls.push_back(CallRecord{CompiledProgram::address_of(pc + 1), st.size() - in.a});
            pc = std::uint32_t(in.imm);
            break;
        case Op::CallIndirect: {
            std::size_t const fn_at = st.size() - 1 - in.a;
            std::int64_t const target = cpu.program->index_of(st[fn_at]);
            if (target < 0)
                return trap(SIGSEGV);  // A jump to an address with no code: a fault at fetch.
            Insn const& entry = code[target];
            if (entry.op == Op::BuiltinStub) {
                save();
                Stop const s = call_builtin(pid, cpu, std::uint32_t(entry.c), in.a, 1);
                if (s != Stop::Statement)
                    return s;
                mem.sync();
                pc = cpu.pc, sp = cpu.sp, fp = cpu.fp;
                break;
            }
            if (entry.op != Op::Enter)
                return trap(SIGSEGV);
            if (!mem.store(sp - 8, 8, CompiledProgram::address_of(pc + 1)))
                return save(), Stop::Fault;
            sp -= 8;
            // Through a cast pointer the callee may take more or fewer arguments than were
            // passed: missing ones read as 0, extra ones are dropped at the return.
            std::vector<std::uint64_t> args(st.begin() + std::ptrdiff_t(fn_at) + 1, st.end());
            st.resize(fn_at);
            cpu.calls.push_back(CallRecord{CompiledProgram::address_of(pc + 1), fn_at});
            push_arguments(cpu, std::uint32_t(target), args);
            pc = std::uint32_t(target);
            break;
        }
        case Op::CallBuiltin: {
            save();
            Stop const s = call_builtin(pid, cpu, std::uint32_t(in.c), in.a, 0);
            if (s != Stop::Statement)
                return s;
            if (cpu.program->code().data() != code)
                return Stop::Statement;  // exec: a new program.
            mem.sync();
            pc = cpu.pc, sp = cpu.sp, fp = cpu.fp;
            break;
        }
        case Op::Ret: {
            // leave; ret
            std::uint64_t const result = in.a && !st.empty() ? st.back() : 0;
            std::uint64_t saved_fp, ret;
            if (!mem.load(fp, 8, saved_fp) || !mem.load(fp + 8, 8, ret))
                return save(), Stop::Fault;
            std::int64_t const to = cpu.program->index_of(ret);
            if (to < 0 || cpu.calls.empty() || cpu.calls.back().return_address != ret)
                return trap(SIGSEGV);  // Not where the call came from: the stack was overwritten.
            st.resize(cpu.calls.back().depth);
            cpu.calls.pop_back();
            sp = fp + 16;
            fp = saved_fp;
            pc = std::uint32_t(to);
            st.push_back(result);
            break;
        }
        case Op::ExitMain: {
            // A return from main is exit(): stdio is flushed first. A flush that sleeps on a
            // full pipe (or lets a signal in first) leaves pc here, so the woken task comes back
            // and the flush carries on where it stopped.
            save();
            BuiltinCall call{*this, m_kernel, pid, cpu, {}, MemoryPort(m_kernel, pid)};
            CallOutcome const flushed = libc::flush_all_streams(call);
            if (flushed.kind == CallOutcome::Kind::Block)
                return Stop::Blocked;
            if (flushed.kind != CallOutcome::Kind::Return)
                return Stop::Fault;
            int const status = int(st.back());
            st.pop_back();
            (void)m_kernel.exit_group(pid, status & 0xff);
            return Stop::Exited;
        }
        case Op::SigReturn: {
            if (cpu.signal_frames.empty())
                return trap(SIGSEGV);
            SignalFrame const f = cpu.signal_frames.back();
            cpu.signal_frames.pop_back();
            st.resize(f.depth);
            pc = f.pc, sp = f.sp, fp = f.fp;
            (void)m_kernel.sigreturn(pid, f.saved_mask);
            mem.sync();
            break;
        }
        case Op::BuiltinStub:
            return trap(SIGSEGV);
        }
    }
}

}  // namespace forklab::lang
