// The model kernel: every task, pid, cgroup and namespace, and the system calls that change
// them. Clients (the interpreter, the CLI, the GUI, tests) call the system calls with the pid of
// the calling task and read state through the const accessors and the event log.
//
// Every entry point returns ErrorOr: misuse (an unknown pid, bad flags, a caller that is not in
// a state to make a system call) is an errno, never an assertion or an exception.
#pragma once

#include "base/error.h"
#include "kernel/cgroup.h"
#include "kernel/pid.h"
#include "kernel/task.h"
#include "kernel/uapi.h"
#include "fs/vfs.h"
#include "mm/mm_struct.h"
#include "trace/event.h"

#include <cstdint>
#include <fcntl.h>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace forklab {

struct KernelConfig {
    int pid_max = 32768;       // /proc/sys/kernel/pid_max.
    int threads_max = 192730;  // /proc/sys/kernel/threads-max (Linux sizes it from RAM; 24 GiB here).
    std::array<Rlimit, kRlimits> init_rlimits = default_rlimits(192730);
    std::size_t physical_frames = 65536;  // 256 MiB of simulated physical memory.
    ForkStrategy fork_strategy = ForkStrategy::Cow;

    // Debian's limits for a login session: RLIMIT_NPROC is threads-max / 2, as Linux sets it for
    // init; no core files; 8 MiB stacks; 1024 open files.
    static std::array<Rlimit, kRlimits> default_rlimits(int threads_max);
};

struct CloneArgs {
    std::uint64_t flags = 0;  // CLONE_* flags.
    int exit_signal = SIGCHLD;  // Sent to the parent when the child exits; 0 for none.
};

struct WaitResult {
    enum class Kind {
        Reported,     // `pid` changed state; `status` is the raw wait status.
        NothingYet,   // WNOHANG and no child has changed state: waitpid() returns 0.
        Sleeping,     // The caller is now Blocked; call again after it is woken.
        Interrupted,  // A signal is pending: deliver it (do_signal), then EINTR or restart.
    };
    Kind kind = Kind::NothingYet;
    pid_t pid = 0;
    int status = 0;
};

// A system call that may sleep (read, write, F_SETLKW, flock): it finished with `value`, or the
// caller is now Blocked and makes the same call again once woken, or a signal is pending and the
// caller delivers it (do_signal), then fails with EINTR or, under SA_RESTART, calls again.
struct Blocking {
    enum class Kind : std::uint8_t { Done, Sleeping, Interrupted };
    Kind kind = Kind::Done;
    std::int64_t value = 0;
    bool done() const { return kind == Kind::Done; }
};

// struct flock, for fcntl's record locks (F_GETLK, F_SETLK, F_SETLKW and the F_OFD_ ones).
struct FlockArgs {
    short type = F_RDLCK;   // F_RDLCK, F_WRLCK, F_UNLCK.
    short whence = SEEK_SET;
    std::int64_t start = 0;
    std::int64_t len = 0;   // 0: to the end of the file, however long it grows.
    pid_t pid = 0;          // F_GETLK: the holder's pid (-1 for an OFD lock).
};

// struct stat, the fields a course looks at.
struct FileStat {
    ino_t ino = 0;
    InodeKind kind = InodeKind::Regular;
    mode_t mode = 0;
    int nlink = 0;
    uid_t uid = 0;
    std::uint64_t size = 0;
};

// sched_setattr(2)'s SCHED_DEADLINE parameters.
struct DeadlineParams {
    std::uint64_t runtime_ns = 0, deadline_ns = 0, period_ns = 0;
    bool reset_on_fork = false;  // SCHED_FLAG_RESET_ON_FORK
};

// A signal handler the interpreter must run now, and the mask to restore when it returns.
struct SignalDelivery {
    int sig = 0;
    SigAction action;
    SigSet saved_mask = 0;
};

struct KernelCounters {
    std::uint64_t forks = 0, fork_failures = 0, exits = 0, reaps = 0;
    std::uint64_t signals_sent = 0, signals_delivered = 0, reparents = 0;
};

class Kernel {
public:
    explicit Kernel(KernelConfig config = {});
    ~Kernel();
    Kernel(Kernel const&) = delete;
    Kernel& operator=(Kernel const&) = delete;

    // --- Process creation (kernel/fork.c) -------------------------------------------------
    ErrorOr<pid_t> fork(pid_t caller);
    ErrorOr<pid_t> vfork(pid_t caller);
    ErrorOr<pid_t> clone(pid_t caller, CloneArgs const& args);

    // --- Exit and wait (kernel/exit.c) ----------------------------------------------------
    ErrorOr<void> exit_group(pid_t caller, int code);   // exit(3) and _exit(2): the process.
    ErrorOr<void> exit_thread(pid_t caller, int code);  // The exit system call: one thread.
    ErrorOr<WaitResult> wait4(pid_t caller, pid_t pid, int options);

    // --- Signals (kernel/signal.c) --------------------------------------------------------
    ErrorOr<void> kill(pid_t caller, pid_t pid, int sig);
    ErrorOr<SigAction> sigaction(pid_t caller, int sig, std::optional<SigAction> act);
    ErrorOr<SigSet> sigprocmask(pid_t caller, int how, std::optional<SigSet> set);
    ErrorOr<SigSet> sigpending(pid_t caller);
    ErrorOr<WaitResult::Kind> pause(pid_t caller);
    // Linux: get_signal() on the way back to user mode. Takes default actions (terminate,
    // stop, ...) itself; returns the handler to run, if one is due.
    ErrorOr<std::optional<SignalDelivery>> do_signal(pid_t pid);
    // Whether do_signal() has anything to do for `task`: its process is exiting as a group, or
    // a signal it does not block is pending. When not, do_signal() would return nothing and
    // change nothing, so a caller may skip it.
    static bool signal_work_pending(Task const& task)
    {
        return task.signal->group_exit || ((task.pending | task.signal->shared_pending) & ~task.blocked) != 0;
    }
    ErrorOr<void> sigreturn(pid_t caller, SigSet saved_mask);
    // A fault the CPU raises in the task -- division by zero, a jump to a bad address (Linux:
    // force_sig_fault()). A handler may catch it, but ignoring or blocking it does not help:
    // the disposition goes back to SIG_DFL and the process dies.
    ErrorOr<void> force_fault(pid_t pid, int sig);

    // --- Identity, groups, sessions, credentials (kernel/sys.c) ---------------------------
    ErrorOr<pid_t> getpid(pid_t caller);
    ErrorOr<pid_t> gettid(pid_t caller);
    ErrorOr<pid_t> getppid(pid_t caller);
    ErrorOr<pid_t> getpgid(pid_t caller, pid_t pid);
    ErrorOr<pid_t> getsid(pid_t caller, pid_t pid);
    ErrorOr<void> setpgid(pid_t caller, pid_t pid, pid_t pgid);
    ErrorOr<pid_t> setsid(pid_t caller);
    ErrorOr<void> setuid(pid_t caller, uid_t uid);
    ErrorOr<Rlimit> prlimit(pid_t caller, pid_t pid, int resource, std::optional<Rlimit> limit);
    ErrorOr<long> prctl(pid_t caller, int option, unsigned long arg2 = 0);
    ErrorOr<void> set_name(pid_t caller, std::string_view name);  // prctl(PR_SET_NAME)
    ErrorOr<int> getpriority(pid_t caller, pid_t who);
    ErrorOr<void> setpriority(pid_t caller, pid_t who, int nice);
    ErrorOr<void> sched_setscheduler(pid_t caller, pid_t pid, int policy, int priority);
    ErrorOr<int> sched_getscheduler(pid_t caller, pid_t pid);  // SCHED_RESET_ON_FORK or'ed in.
    ErrorOr<void> set_deadline_policy(pid_t caller, pid_t pid, DeadlineParams const& params);  // sched_setattr
    ErrorOr<mode_t> umask(pid_t caller, mode_t mask);
    ErrorOr<void> chdir(pid_t caller, std::string_view path);
    ErrorOr<void> setenv(pid_t caller, std::string_view name, std::string_view value);
    ErrorOr<void> unsetenv(pid_t caller, std::string_view name);

    // --- Time (kernel/time/itimer.c, posix-timers.c) --------------------------------------
    ErrorOr<unsigned> alarm(pid_t caller, unsigned seconds);
    ErrorOr<Itimer> setitimer(pid_t caller, int which, std::uint64_t value_ns, std::uint64_t interval_ns);
    ErrorOr<int> timer_create(pid_t caller, int signo);
    ErrorOr<void> timer_settime(pid_t caller, int id, std::uint64_t value_ns, std::uint64_t interval_ns);
    ErrorOr<void> timer_delete(pid_t caller, int id);
    void advance_time(std::uint64_t ns);  // Move the simulated clock on; fire what expires.
    std::uint64_t now_ns() const { return m_now_ns; }
    // nanosleep(2) on the simulated clock. The first call arms the task's sleep timer and
    // sleeps; the call made again once woken is Done (value: ns left, 0 when the time was
    // slept) or, when a signal woke it first, Interrupted (value: ns left).
    ErrorOr<Blocking> nanosleep(pid_t caller, std::uint64_t ns);
    // When the next timer or sleep expires, if any does: where a scheduler with every task
    // asleep moves the clock to.
    std::optional<std::uint64_t> next_expiry_ns() const;

    // --- Files (fs/open.c, namei.c, read_write.c, file.c, fcntl.c, pipe.c, locks.c) ---------
    ErrorOr<int> open(pid_t caller, std::string_view path, int flags, mode_t mode = 0);
    ErrorOr<void> close(pid_t caller, int fd);
    // Transfers between the file and the caller's memory at `buf`: a bad buffer is EFAULT.
    ErrorOr<Blocking> read(pid_t caller, int fd, std::uint64_t buf, std::uint64_t count);
    ErrorOr<Blocking> write(pid_t caller, int fd, std::uint64_t buf, std::uint64_t count);
    ErrorOr<std::int64_t> lseek(pid_t caller, int fd, std::int64_t offset, int whence);
    ErrorOr<int> dup(pid_t caller, int fd);
    ErrorOr<int> dup2(pid_t caller, int oldfd, int newfd);
    ErrorOr<int> dup3(pid_t caller, int oldfd, int newfd, int flags);
    ErrorOr<std::pair<int, int>> pipe2(pid_t caller, int flags = 0);  // {read end, write end}
    // F_DUPFD, F_DUPFD_CLOEXEC, F_GETFD, F_SETFD, F_GETFL, F_SETFL. Locks: fcntl_lock().
    ErrorOr<long> fcntl(pid_t caller, int fd, int cmd, long arg = 0);
    ErrorOr<Blocking> fcntl_lock(pid_t caller, int fd, int cmd, FlockArgs& lock);
    ErrorOr<Blocking> flock(pid_t caller, int fd, int operation);
    ErrorOr<void> unlink(pid_t caller, std::string_view path);
    ErrorOr<void> mkdir(pid_t caller, std::string_view path, mode_t mode);
    ErrorOr<void> ftruncate(pid_t caller, int fd, std::int64_t length);
    ErrorOr<FileStat> fstat(pid_t caller, int fd);
    ErrorOr<FileStat> stat(pid_t caller, std::string_view path);
    // getdents64(2): the directory's entries as struct linux_dirent64 records, "." and ".."
    // first, from the description's offset on; 0 at the end. EINVAL when not even one fits.
    ErrorOr<std::int64_t> getdents64(pid_t caller, int fd, std::uint64_t buf, std::uint64_t count);
    // mmap(2) with a descriptor: the open file's page cache, shared by every process that maps
    // it (or, with MAP_ANONYMOUS, what mmap() does).
    ErrorOr<std::uint64_t> mmap_file(pid_t caller, std::uint64_t addr, std::uint64_t len, int prot, int flags,
        int fd, std::uint64_t offset);

    // --- exec (fs/exec.c) --------------------------------------------------------------------
    // execve(2): look the file up, build the new address space from its program, then
    // begin_new_exec(). Any failure (ENOENT, EACCES, ENOEXEC, E2BIG, ENOMEM) leaves the caller
    // exactly as it was. Returns the program the caller now runs. Without `envp` the
    // environment is kept (execv, execl); with it, replaced (execve, execle).
    ErrorOr<std::shared_ptr<Executable const>> execve(pid_t caller, std::string_view path,
        std::vector<std::string> argv, std::optional<std::vector<std::string>> envp = std::nullopt);

    // --- exec, the part that concerns the process (fs/exec.c begin_new_exec) -----------------
    // The process continues with `mm` (an empty address space if null) as program `program`.
    ErrorOr<void> begin_new_exec(pid_t caller, std::string_view program, RefPtr<MmStruct> mm = {});
    // exec of a program image: the new address space is built first; if that fails (ENOMEM)
    // the old image is intact.
    ErrorOr<void> exec_image(pid_t caller, std::string_view program, ProgramImage const& image);

    // --- Memory (mm/mmap.c, mm/mprotect.c, mm/madvise.c, mm/mlock.c, mm/memory.c) ----------
    ErrorOr<std::uint64_t> mmap(pid_t caller, std::uint64_t addr, std::uint64_t len, int prot, int flags,
        RefPtr<VmObject> file = {}, std::uint64_t offset = 0);
    ErrorOr<void> munmap(pid_t caller, std::uint64_t addr, std::uint64_t len);
    ErrorOr<void> mprotect(pid_t caller, std::uint64_t addr, std::uint64_t len, int prot);
    ErrorOr<void> madvise(pid_t caller, std::uint64_t addr, std::uint64_t len, int advice);
    ErrorOr<void> mlock(pid_t caller, std::uint64_t addr, std::uint64_t len);
    ErrorOr<void> munlock(pid_t caller, std::uint64_t addr, std::uint64_t len);
    ErrorOr<void> mlockall(pid_t caller, int flags);
    ErrorOr<void> munlockall(pid_t caller);
    ErrorOr<std::vector<std::uint8_t>> mincore(pid_t caller, std::uint64_t addr, std::uint64_t len);
    ErrorOr<std::uint64_t> brk(pid_t caller, std::uint64_t addr);
    // Loads and stores by the program, through its page table. A bad access is not an errno:
    // the task gets SIGSEGV (or is killed when memory runs out) and the result says so.
    struct MemoryAccess {
        bool ok = true;
        std::optional<FaultResult> fault;  // Set when the access stopped at a fault.
    };
    ErrorOr<MemoryAccess> read_memory(pid_t pid, std::uint64_t va, std::span<std::uint8_t> out);
    ErrorOr<MemoryAccess> write_memory(pid_t pid, std::uint64_t va, std::span<std::uint8_t const> bytes);
    // For the interpreter's software TLB (lang/memory_port.h): the address space `pid` loads
    // and stores in, if it may access memory now (as read_memory() requires: it exists, is not
    // exiting, and is running), else null. A translation of it stays good while
    // mapping_generation() is unchanged and the task makes no system call.
    MmStruct const* user_mm(pid_t pid) const;
    std::uint64_t mapping_generation() const { return m_phys.mapping_generation(); }
    // The same accesses made by the kernel for a system call's arguments and results (Linux:
    // copy_from_user, copy_to_user): a bad address is EFAULT for the call, never a signal.
    ErrorOr<void> copy_in(pid_t caller, std::uint64_t va, std::span<std::uint8_t> out);
    ErrorOr<void> copy_out(pid_t caller, std::uint64_t va, std::span<std::uint8_t const> bytes);
    ErrorOr<void> set_fork_strategy(ForkStrategy);

    // --- Administration: sysctls, cgroups, namespaces --------------------------------------
    ErrorOr<void> set_pid_max(int pid_max);
    ErrorOr<void> set_threads_max(int threads_max);
    ErrorOr<void> cgroup_mkdir(std::string_view path);
    ErrorOr<void> cgroup_set_pids_max(std::string_view path, std::int64_t max);
    ErrorOr<void> cgroup_attach(pid_t pid, std::string_view path);  // echo PID > cgroup.procs
    Cgroup const* find_cgroup(std::string_view path) const;

    // --- The read-only view ----------------------------------------------------------------
    Task const& init() const { return *m_init; }
    // By root-namespace pid; null if none. Inline: the interpreter asks a few times a statement.
    Task const* find_task(pid_t pid) const
    {
        Pid const* p = root_pid_ns().find(pid);
        return p ? p->task : nullptr;
    }
    TaskList const& tasks() const { return m_tasks; }
    std::size_t nr_tasks() const { return std::size_t(m_nr_threads); }
    int nr_processes_of(uid_t uid) const;  // What RLIMIT_NPROC counts.
    KernelConfig const& config() const { return m_config; }
    PidNamespace const& root_pid_ns() const { return *m_namespaces.front(); }
    Cgroup const& root_cgroup() const { return m_root_cgroup; }
    PhysicalMemory const& physical_memory() const { return m_phys; }
    MmCounters const& mm_counters() const { return m_mm_totals; }
    KernelCounters const& counters() const { return m_counters; }
    EventLog const& events() const { return m_events; }
    Vfs& vfs() { return m_vfs; }  // For building a scenario's files before it runs.
    Vfs const& vfs() const { return m_vfs; }
    Terminal const& terminal() const { return *m_vfs.console().tty; }
    std::uint64_t step() const { return m_step; }
    void set_step(std::uint64_t step) { m_step = step; }
    pid_t pid_in_ns_of(Task const& task, Task const& viewer) const;  // task's pid as viewer sees it.

    // Every structural rule, checked: a description of each violation, or nothing.
    std::vector<std::string> check_invariants() const;

    // White-box access for the kernel's own tests (tests/kernel_*.cpp).
    Task* find_task_mut(pid_t pid) { return const_cast<Task*>(find_task(pid)); }

private:
    // fork.c
    ErrorOr<Task*> kernel_clone(Task& parent, CloneArgs const& args, ForkKind kind);
    ErrorOr<std::unique_ptr<Task>> copy_process(Task& parent, CloneArgs const& args);
    ErrorOr<void> check_clone_flags(Task const& parent, CloneArgs const& args) const;
    ErrorOr<void> check_fork_limits(Task const& parent, CloneArgs const& args);
    std::unique_ptr<Task> dup_task_struct(Task const& parent) const;
    ErrorOr<void> sched_fork(Task& parent, Task& child);
    void copy_semundo(std::uint64_t flags, Task const& parent, Task& child);
    void copy_files(std::uint64_t flags, Task& child);
    void copy_fs(std::uint64_t flags, Task& child);
    void copy_sighand(std::uint64_t flags, Task& child);
    void copy_signal(std::uint64_t flags, Task& child);
    ErrorOr<void> copy_mm(std::uint64_t flags, Task& parent, Task& child);
    ErrorOr<PidNamespace*> copy_namespaces(Task const& parent, std::uint64_t flags);
    ErrorOr<RefPtr<Pid>> alloc_pid(PidNamespace& ns);
    ErrorOr<void> alloc_pid_numbers(PidNamespace& ns, Pid& pid);
    void attach_new_task(Task& parent, Task& child, CloneArgs const& args);
    void fork_failed(Task& parent, int err, ForkFailure why);

    // exit.c
    void do_exit(Task& task, int code);
    void do_group_exit(Task& task, int code);
    void exit_mm(Task& task);
    void mm_release(Task& task);
    void abandon_vfork(Task& parent);
    ExitFate exit_fate(Task const& task) const;
    void finish_zombie(Task& leader, bool autoreap);
    void wake_up_parent(Task& parent, Task const& child);
    ReparentReason reparent_reason(Task const& father, Task const& reaper) const;
    void exit_notify(Task& task, bool group_dead);
    void forget_original_parent(Task& father);
    Task* find_new_reaper(Task& father);
    Task* find_alive_thread(Task& task);
    void reparent_leader(Task& father, Task& child);
    bool do_notify_parent(Task& task, int sig);
    void release_task(Task& task);
    void unhash_process(Task& task);
    void zap_pid_ns_processes(Task& init);
    void finish_zap_if_done(PidNamespace& ns);
    bool reaps_at_once(Task const& parent) const;
    bool thread_group_empty(Task const& leader) const;
    bool delay_group_leader(Task const& task) const;
    void kill_orphaned_pgrp(Task& task, Task* parent);
    bool will_become_orphaned_pgrp(Pid const& pgrp, Task const* ignored) const;
    bool has_stopped_jobs(Pid const& pgrp) const;

    // wait
    struct WaitQuery {
        pid_t pid;
        int options;
        Pid const* pgrp;   // For pid == 0 and pid < -1.
        Pid const* target; // For pid > 0.
    };
    WaitQuery wait_query(Task const& waiter, pid_t pid, int options) const;
    bool eligible_child(WaitQuery const& q, Task const& child) const;
    std::optional<WaitResult> wait_consider_task(Task& waiter, WaitQuery const& q, Task& child);
    WaitResult wait_task_zombie(Task& waiter, Task& child, ReapKind kind);

    // time.c
    void lower_expiry_floor(std::uint64_t expires);

    // signal.c
    enum class Discard : std::uint8_t { Ignored, Exiting, Unkillable, DefaultIgnored };
    ErrorOr<void> check_kill_permission(Task const& sender, Task const& target, int sig) const;
    ErrorOr<void> group_send_sig_info(Task* sender, int sig, Task& target, SignalReason why, pid_t cause = 0);
    std::optional<Discard> prepare_signal(Task& leader, int sig, Task const* sender);
    bool sig_ignored(Task const& leader, int sig, Task const* sender) const;
    void complete_signal(Task& leader, int sig);
    void signal_wake_up(Task& task, bool fatal, bool resume);
    bool signal_pending(Task const& task) const;
    int dequeue_signal(Task& task);
    void flush_pending(Task& process, SigSet set);
    void do_signal_stop(Task& task, int sig);
    void do_notify_parent_cldstop(Task& leader, SignalReason why);
    void do_signal_continue(Task& leader);
    void kill_pgrp(Pid& pgrp, int sig, SignalReason why);
    ErrorOr<void> kill_pgrp_info(Task& sender, Pid* pgrp, int sig);
    ErrorOr<void> kill_all(Task& sender, int sig);
    bool is_fatal(Task const& leader, int sig) const;

    // Memory
    ErrorOr<MmStruct*> mm_of(Task& task);
    bool may_lock_beyond_limit(Task const& task) const;
    void charge(Task& task, MmCounters const& cost);
    ErrorOr<std::uint64_t> memlock_limit(Task const& task) const;
    void account_faults(Task& task, std::vector<FaultResult> const& faults, bool write);
    MemoryAccess finish_access(Task& task, std::optional<FaultResult> const& stop);
    void force_sig(Task& task, int sig, SignalReason why);

    // Files
    FsCred fs_cred(Task const& task) const;
    ErrorOr<Lookup> namei(Task& task, std::string_view path) const;
    ErrorOr<RefPtr<Inode>> create_entry(Task& task, Lookup const& where, InodeKind kind, mode_t mode);
    ErrorOr<OpenFileDescription*> fget(Task& task, int fd) const;
    ErrorOr<int> install_fd(Task& task, int start, RefPtr<OpenFileDescription> file, bool cloexec);
    ErrorOr<int> do_dup2(Task& task, int oldfd, int newfd, bool cloexec);
    void filp_close(Task& task, int fd, RefPtr<OpenFileDescription> file, CloseReason why);
    void fput(Task& closer, RefPtr<OpenFileDescription> file);
    void locks_remove_posix(Task& task, Inode& inode);
    void exit_files(Task& task);
    void do_close_on_exec(Task& task);
    void sleep_on(Task& task, WaitQueue& queue, void const* on, BlockReason why);
    void wake_up_queue(WaitQueue& queue, void const* on);
    std::optional<std::vector<std::uint8_t>> copy_from_user(Task& task, std::uint64_t buf, std::uint64_t count);
    std::size_t copy_to_user(Task& task, std::uint64_t buf, std::span<std::uint8_t const> bytes);
    ErrorOr<Blocking> pipe_read(Task& task, OpenFileDescription& file, std::uint64_t buf, std::uint64_t count);
    ErrorOr<Blocking> pipe_write(Task& task, OpenFileDescription& file, std::uint64_t buf, std::uint64_t count);
    ErrorOr<Blocking> file_read(Task& task, OpenFileDescription& file, std::uint64_t buf, std::uint64_t count);
    ErrorOr<Blocking> file_write(Task& task, OpenFileDescription& file, std::uint64_t buf, std::uint64_t count);
    void emit_file_io(EventKind kind, Task const& task, OpenFileDescription const& file, std::uint64_t bytes);
    pid_t other_sharer(Task const& task, OpenFileDescription const& file) const;
    ErrorOr<FileLock> lock_request(Task& task, OpenFileDescription& file, int cmd, FlockArgs const& args) const;
    ErrorOr<Blocking> lock_wait(Task& task, Inode& inode, FileLock const& request, FileLock const& conflict, bool wait);
    bool posix_locks_deadlock(Task const& task, FileLock const& conflict) const;
    ErrorOr<void> check_exec_args(Task const& task, std::vector<std::string> const& argv,
        std::optional<std::vector<std::string>> const& envp) const;

    // Lookups and helpers.
    ErrorOr<Task*> current(pid_t caller);  // The caller, if it may make a system call now.
    Task* find_task_by_vpid(Task const& viewer, pid_t nr) const;
    Pid* find_vpid(Task const& viewer, pid_t nr) const;
    pid_t task_pid_vnr(Task const& viewer, Pid const& pid) const;
    ErrorOr<Cgroup*> lookup_cgroup(std::string_view path);
    void set_state(Task& task, TaskState state, BlockReason why = BlockReason::None);
    void wake_up(Task& task);
    void emit(EventKind kind, std::uint8_t aux, pid_t pid, pid_t other = 0, std::int64_t value = 0);
    template<typename E>
    void emit(EventKind kind, E aux, pid_t pid, pid_t other = 0, std::int64_t value = 0)
    {
        emit(kind, static_cast<std::uint8_t>(aux), pid, other, value);
    }
    void emit_extra(EventKind kind, std::uint8_t aux, pid_t pid, pid_t other, std::uint32_t extra, std::int64_t value)
    {
        m_events.append(Event{m_step, kind, aux, pid, other, extra, value});
    }
    void create_init();

    KernelConfig m_config;
    PhysicalMemory m_phys;
    Vfs m_vfs;  // After the frames its files use; outlives the tasks, torn down in ~Kernel().
    MmCounters m_mm_totals;
    MmCounters m_pending_dup;  // What the fork in progress copied, for its MmDup event.
    std::vector<std::unique_ptr<PidNamespace>> m_namespaces;  // [0] is the root namespace.
    Cgroup m_root_cgroup{"", nullptr};
    TaskList m_tasks;   // Every task, threads included (Linux: for_each_process_thread).
    Task* m_init = nullptr;
    int m_nr_threads = 0;  // Linux: nr_threads, checked against threads-max.
    std::unordered_map<uid_t, int> m_nproc;  // Tasks per real uid (Linux: ucounts NPROC).
    std::uint64_t m_now_ns = 0;
    // No timer or sleep expires before this (a lower bound): advance_time() skips its scan of
    // every process when the clock stays below it. Arming a timer lowers it.
    std::uint64_t m_expiry_floor = 0;
    std::uint64_t m_step = 0;
    EventLog m_events;
    KernelCounters m_counters;
};

}  // namespace forklab
