#include "explore/footprint.h"

#include "lang/libc.h"

#include <algorithm>
#include <cstring>
#include <array>
#include <unordered_map>
#include <unordered_set>

namespace forklab::explore {

namespace {

using lang::Op;

// The library by what it touches. A name missing here touches everything, so a function added
// to the library later is safe before anyone sorts it.
std::unordered_map<std::string_view, Touch> const& call_touches()
{
    static std::unordered_map<std::string_view, Touch> const table = [] {
        std::unordered_map<std::string_view, Touch> t;
        // Only the caller's own registers and memory -- its own heap, its own environment,
        // its own ids, which no other process can change.
        for (std::string_view n : {"getpid", "WIFEXITED", "WEXITSTATUS", "WIFSIGNALED", "WTERMSIG", "WIFSTOPPED",
                 "WSTOPSIG", "WIFCONTINUED", "WCOREDUMP", "EXPECT", "NOTE", "sprintf", "snprintf", "strerror",
                 "malloc", "calloc", "realloc", "free", "strlen", "strcpy", "strncpy", "strcmp", "strncmp",
                 "strcat", "strncat", "strdup", "strchr", "strrchr", "strstr", "memset", "memcpy", "memmove",
                 "memcmp", "atoi", "atol", "strtol", "abs", "labs", "rand", "srand", "isdigit", "isspace",
                 "isalpha", "isalnum", "isupper", "islower", "isprint", "ispunct", "isxdigit", "isgraph",
                 "iscntrl", "isblank", "toupper", "tolower", "getenv", "setenv", "unsetenv", "getuid", "geteuid",
                 "getgid", "getegid", "sigemptyset", "sigfillset", "sigaddset", "sigdelset", "sigismember",
                 "brk", "sbrk", "getrlimit", "umask", "setbuf", "setvbuf"})
            t[n] = kTouchNone;
        t["fork"] = kTouchSpawn;
        // exit() flushes stdio, so it may write too; the explorer sees that write in the
        // step's events, and a future exit counts as a file operation (CodeFootprint).
        for (std::string_view n : {"exit", "_exit"})
            t[n] = kTouchExit;
        // Calls that see or change only the caller's own family and signal state: its
        // parent (getppid); its children (wait) and its own dispositions, mask and pending set,
        // where a child's SIGCHLD lands. getpgid, getsid and setpgid name any pid, getpgrp
        // reads what a parent's setpgid changes, and setsid can orphan a process group: they
        // are left out, with kill.
        t["getppid"] = kTouchParent;
        for (std::string_view n : {"wait", "waitpid", "signal", "sigaction", "pause", "sigprocmask", "sigpending",
                 "sigsuspend"})
            t[n] = kTouchChildren;
        for (std::string_view n : {"write", "read", "close", "dup", "dup2", "pipe", "printf", "fprintf", "dprintf",
                 "puts", "fputs", "putchar", "fputc", "putc", "fflush", "perror", "getchar", "fgets", "open",
                 "creat", "lseek", "fcntl", "flock", "unlink", "mkdir", "chdir", "getcwd", "isatty", "stat",
                 "fstat", "getdents64", "opendir", "readdir", "closedir", "rewinddir", "dirfd"})
            t[n] = kTouchFiles;
        // Everything else -- vfork and exec, kill and raise, abort and assert, the clock and
        // its timers, mmap and friends, uid and limit changes, prctl, forklab_frame and the
        // other frame questions -- is left out: it touches everything.
        return t;
    }();
    return table;
}

// A fault of the task's own private memory differs in another order only in which frame
// holds the bytes: a fresh page, the zero page, a copy-on-write copy or reuse. So does a read
// of its program image (the explorer runs a task alone only when it maps no other file and
// nothing shared): nobody writes the file of a running program (Linux says ETXTBSY).
Touch fault_touch(Event const& e)
{
    auto const kind = FaultResult::Kind(e.aux & 0x1f);
    bool const private_fault = kind == FaultResult::Kind::ZeroMap || kind == FaultResult::Kind::Alloc ||
        kind == FaultResult::Kind::CowCopy || kind == FaultResult::Kind::CowReuse ||
        kind == FaultResult::Kind::ObjectMap;
    return private_fault ? kTouchNone : kTouchAll;
}

// A sleep, or a wake-up, is part of the call it happens in: a wait sleeps until a child
// changes state (only the family sees it), a pipe or a lock until another file operation.
// A timed sleep, pause (any signal) and vfork touch everything.
Touch sleep_touch(BlockReason why)
{
    switch (why) {
    case BlockReason::Wait:
        return kTouchChildren;
    case BlockReason::PipeRead:
    case BlockReason::PipeWrite:
    case BlockReason::FileLock:
        return kTouchFiles;
    default:
        return kTouchAll;
    }
}

Touch event_touch(Event const& e, pid_t pid)
{
    switch (e.kind) {
    case EventKind::PageFault:
        return e.pid == pid ? fault_touch(e) : kTouchAll;
    case EventKind::MmDup:
        return kTouchNone;
    case EventKind::Fork:
        return ForkKind(e.aux) == ForkKind::Fork ? kTouchSpawn : kTouchAll;
    case EventKind::Reap:
        // Its own wait reaping a child, or its death reaped at once (by init, or by a parent
        // that ignores SIGCHLD).
        return e.pid == pid ? kTouchChildren : kTouchExit;
    case EventKind::Exit:
    case EventKind::Reparent:
        return kTouchExit;
    case EventKind::SignalDiscarded:
        return SignalReason(e.aux) == SignalReason::ChildExited ? kTouchExit : kTouchAll;
    case EventKind::SignalSent:
        // The parent keeps the SIGCHLD pending (it blocks it): only its signal calls see it.
        return SignalReason(e.aux) == SignalReason::ChildExited ? kTouchExit : kTouchAll;
    case EventKind::Blocked:
        return e.pid == pid ? sleep_touch(BlockReason(e.aux)) : kTouchAll;
    case EventKind::Woken:
        // A child's death wakes its parent's wait: part of the death, which the parent sees.
        if (e.pid != pid && BlockReason(e.aux) == BlockReason::Wait)
            return kTouchExit;
        return sleep_touch(BlockReason(e.aux));
    case EventKind::FileClosed:
        // Closing one of several references changes a count nobody can read; the last close
        // of a pipe's end is an end of file or a broken pipe for someone else.
        return (e.aux & 0x80) ? kTouchFiles : kTouchNone;
    case EventKind::FileOpened:
    case EventKind::FileDup:
    case EventKind::FileRead:
    case EventKind::FileWrite:
    case EventKind::FileSeek:
    case EventKind::PipeCreated:
    case EventKind::FileLocked:
    case EventKind::LockConflict:
    case EventKind::LocksReleased:
    case EventKind::Unlinked:
        return kTouchFiles;
    default:
        return kTouchAll;  // A signal, a sleep or a wake-up, an exec, an OOM kill, ...
    }
}

}  // namespace

bool depends(Touch step, Touch other, Kinship const& kin, bool spawns_commute)
{
    if (step == kTouchNone || other == kTouchNone)
        return false;
    if ((step | other) & kTouchAll)
        return true;
    if ((step & kTouchFiles) && (other & kTouchFiles))
        return true;
    if ((step & kTouchSpawn) && (other & kTouchSpawn) && !spawns_commute)
        return true;
    // A death, seen by the parent (wait, SIGCHLD) and by the children (getppid, or a
    // PR_SET_PDEATHSIG signal, which lands in their signal state).
    if ((step & kTouchExit) && (other & kTouchChildren) && (kin.other_is_parent || kin.other_adopts))
        return true;
    if ((step & kTouchExit) && (other & (kTouchParent | (kin.other_has_pdeath ? kTouchChildren : 0))) && kin.other_is_child)
        return true;
    if ((other & kTouchExit) && (step & kTouchChildren) && (kin.other_is_child || kin.step_adopts))
        return true;
    return (other & kTouchExit) && (step & (kTouchParent | (kin.step_has_pdeath ? kTouchChildren : 0))) &&
        kin.other_is_parent;
}

Touch call_touch(std::string_view name)
{
    auto const& table = call_touches();
    auto const it = table.find(name);
    return it == table.end() ? kTouchAll : it->second;
}

Touch events_touch(std::span<Event const> events, pid_t pid)
{
    Touch t = kTouchNone;
    for (Event const& e : events)
        t |= event_touch(e, pid);
    return t;
}

namespace {

// Bytes of the task's memory, without faulting: a page that is not there reads as zeros, which
// is what it holds. False when the address is not mapped at all.
bool peek(MmStruct const& mm, std::uint64_t va, std::span<std::uint8_t> out)
{
    for (std::size_t done = 0; done < out.size();) {
        std::uint64_t const at = va + done;
        std::size_t const offset = std::size_t(at & (kPageSize - 1));
        std::size_t const n = std::min(out.size() - done, kPageSize - offset);
        if (!mm.find_vma(at))
            return false;
        Pte const pte = mm.pte(at);
        if (pte_present(pte) && mm.phys().has_data(pte_frame(pte)))
            mm.phys().read(pte_frame(pte), offset, out.subspan(done, n));
        else
            std::fill_n(out.begin() + std::ptrdiff_t(done), n, std::uint8_t(0));
        done += n;
    }
    return true;
}

// stdio's FILE as the library lays it out in its data (lang/libc_stream.h), where exit()
// flushes it: the buffer's base at byte 8, the write pointer at 24. Output is pending while the
// write pointer is past the base.
bool output_pending(MmStruct const& mm, std::uint64_t file)
{
    std::array<std::uint8_t, 32> raw{};
    if (!peek(mm, file, raw))
        return true;  // Not where the library keeps it: assume the worst.
    std::uint64_t base = 0, ptr = 0;
    std::memcpy(&base, raw.data() + 8, sizeof base);
    std::memcpy(&ptr, raw.data() + 24, sizeof ptr);
    return ptr > base;
}

}  // namespace

bool exit_touches_files(Task const& task, lang::CompiledProgram const& program)
{
    if (!task.mm || !task.files)
        return true;
    for (FdSlot const& slot : task.files->fds)
        if (slot.file && slot.file->inode->kind != InodeKind::Terminal)
            return true;
    std::uint64_t const data = program.runtime().libc_data;
    return output_pending(*task.mm, data + lang::libc::data::kStdout) ||
        output_pending(*task.mm, data + lang::libc::data::kStderr);
}

CodeFootprint::CodeFootprint(lang::CompiledProgram const& program)
    : m_program(program)
    , m_whole(program.functions().size(), kTouchNone)
    , m_rest(program.code().size(), -1)
{
    summarise_functions();
}

// What one instruction touches by itself. A return from main reaches the exit trampoline.
Touch CodeFootprint::insn_touch(lang::Insn const& in) const
{
    switch (in.op) {
    case Op::CallBuiltin: {
        auto const& names = m_program.builtin_names();
        return in.c >= 0 && std::size_t(in.c) < names.size() ? call_touch(names[std::size_t(in.c)]) : kTouchAll;
    }
    case Op::ExitMain:
        return kTouchExit;
    case Op::CallIndirect:
    case Op::BuiltinStub:
    case Op::SigReturn:
        return kTouchAll;
    default:
        return kTouchNone;
    }
}

// Each function's own instructions lie between its Enter and the next function's. What it can
// touch, callees included, is the least fixed point over the call graph (recursion included).
void CodeFootprint::summarise_functions()
{
    auto const& code = m_program.code();
    auto const& functions = m_program.functions();
    std::vector<std::uint32_t> entries;
    for (auto const& f : functions)
        entries.push_back(f.entry);
    std::vector<std::uint32_t> sorted = entries;
    std::sort(sorted.begin(), sorted.end());
    std::vector<std::vector<std::size_t>> callees(functions.size());
    for (std::size_t f = 0; f < functions.size(); ++f) {
        auto const next = std::upper_bound(sorted.begin(), sorted.end(), entries[f]);
        std::size_t const end = next == sorted.end() ? code.size() : *next;
        for (std::size_t i = entries[f]; i < end; ++i) {
            m_whole[f] |= insn_touch(code[i]);
            if (code[i].op == Op::Call) {
                std::size_t const target = std::size_t(code[i].imm);
                if (target < code.size() && code[target].op == Op::Enter)
                    callees[f].push_back(std::size_t(code[target].c));
                else
                    m_whole[f] |= kTouchAll;
            }
        }
    }
    for (bool changed = true; changed;) {
        changed = false;
        for (std::size_t f = 0; f < functions.size(); ++f)
            for (std::size_t g : callees[f]) {
                Touch const t = m_whole[f] | (g < m_whole.size() ? m_whole[g] : kTouchAll);
                changed |= t != m_whole[f];
                m_whole[f] = t;
            }
    }
}

// Every path from pc to the function's returns, with each callee counted whole.
Touch CodeFootprint::rest_of_function(std::uint32_t pc)
{
    auto const& code = m_program.code();
    if (pc >= code.size())
        return kTouchAll;
    if (m_rest[pc] >= 0)
        return Touch(m_rest[pc]);
    Touch t = kTouchNone;
    std::vector<std::uint32_t> work{pc};
    std::unordered_set<std::uint32_t> seen;
    while (!work.empty()) {
        std::uint32_t at = work.back();
        work.pop_back();
        while (at < code.size() && seen.insert(at).second) {
            lang::Insn const& in = code[at];
            t |= insn_touch(in);
            if (in.op == Op::Ret || in.op == Op::ExitMain || in.op == Op::SigReturn)
                break;
            if (in.op == Op::Jmp) {
                at = std::uint32_t(in.imm);
                continue;
            }
            if (in.op == Op::Jz || in.op == Op::Jnz || in.op == Op::JzKeep || in.op == Op::JnzKeep)
                work.push_back(std::uint32_t(in.imm));
            else if (in.op == Op::Case)
                work.push_back(std::uint32_t(in.c));
            else if (in.op == Op::Call) {
                std::size_t const target = std::size_t(in.imm);
                t |= target < code.size() && code[target].op == Op::Enter && std::size_t(code[target].c) < m_whole.size()
                    ? m_whole[std::size_t(code[target].c)]
                    : kTouchAll;
            }
            ++at;
        }
        if (at >= code.size())
            t |= kTouchAll;  // Ran off the end of the code: not a program the compiler makes.
    }
    m_rest[pc] = t;
    return t;
}

// The rest of the function it is in, then the rest of each caller from its return address,
// then the exit main's return leads to. A task inside a signal handler returns to code the
// handler interrupted, wherever it was: everything.
Touch CodeFootprint::future(lang::Cpu const& cpu)
{
    if (!cpu.signal_frames.empty())
        return kTouchAll;
    Touch t = rest_of_function(cpu.pc) | kTouchExit;
    for (auto const& call : cpu.calls) {
        std::int64_t const at = m_program.index_of(call.return_address);
        if (at < 0)
            return kTouchAll;
        t |= at == lang::CompiledProgram::kExitMainIndex ? kTouchNone : rest_of_function(std::uint32_t(at));
    }
    return t;
}

Touch CodeFootprint::statement(lang::Cpu const& cpu) const
{
    struct Path {
        std::uint32_t pc;
        std::size_t depth;  // Calls still in progress, as cpu.calls counts them.
        bool began;         // Past the statement's own Stmt: the next one ends the step.
    };
    auto const& code = m_program.code();
    // As Machine::step runs: from pc (inside a statement, for a task a fork or a wake-up left
    // there) through the next Stmt and its whole statement.
    std::vector<Path> work{{cpu.pc, cpu.calls.size(), false}};
    std::unordered_set<std::uint64_t> seen;
    Touch t = kTouchNone;
    while (!work.empty()) {
        Path p = work.back();
        work.pop_back();
        for (;;) {
            std::uint64_t const key = std::uint64_t(p.pc) << 24 | p.depth << 1 | std::uint64_t(p.began);
            if (p.pc >= code.size() || !seen.insert(key).second)
                break;
            lang::Insn const& in = code[p.pc];
            if (in.op == Op::Stmt) {
                if (p.began)
                    break;  // The next statement: the step ends here.
                p.began = true;
                ++p.pc;
                continue;
            }
            if (in.op == Op::ExitMain) {
                t |= kTouchExit;  // Its flush shows in the step's events.
                break;
            }
            t |= insn_touch(in);
            if (in.op == Op::CallIndirect || in.op == Op::BuiltinStub || in.op == Op::SigReturn)
                break;
            if (in.op == Op::Jmp) {
                p.pc = std::uint32_t(in.imm);
                continue;
            }
            if (in.op == Op::Jz || in.op == Op::Jnz || in.op == Op::JzKeep || in.op == Op::JnzKeep)
                work.push_back({std::uint32_t(in.imm), p.depth, p.began});
            else if (in.op == Op::Case)
                work.push_back({std::uint32_t(in.c), p.depth, p.began});
            if (in.op == Op::Call) {
                p.pc = std::uint32_t(in.imm);  // Its Enter, then its first statement: the end.
                ++p.depth;
                continue;
            }
            if (in.op == Op::Ret) {
                std::int64_t const to = p.depth == 0 || p.depth > cpu.calls.size()
                    ? -1
                    : m_program.index_of(cpu.calls[p.depth - 1].return_address);
                if (to < 0) {
                    t |= kTouchAll;  // A return from a call this very statement made.
                    break;
                }
                p.pc = std::uint32_t(to);
                --p.depth;
                continue;
            }
            ++p.pc;
        }
    }
    return t;
}

CodeFootprint& Footprints::of(lang::CompiledProgram const& program)
{
    auto it = m_programs.find(&program);
    if (it == m_programs.end())
        it = m_programs.emplace(&program, CodeFootprint(program)).first;
    return it->second;
}

}  // namespace forklab::explore
