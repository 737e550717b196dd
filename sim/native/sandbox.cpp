#include "native/sandbox.h"

#include "base/format.h"
#include "native/page_broker.h"

#include <cerrno>
#include <climits>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <fstream>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <span>
#include <sstream>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

namespace forklab::native {

namespace {

// The largest stdin text the pty's input queue holds at once (N_TTY_BUF_SIZE is 4096, and one
// byte stays free).
constexpr std::size_t kMostStdin = 4000;
// How long past the time limit the parent waits for init before killing it outright.
constexpr std::chrono::milliseconds kGrace{3000};

// The directories of the model's filesystem that a scenario may put files in: each gets a fresh
// tmpfs in the run's mount namespace.
constexpr char const* kWritableRoots[] = {"/tmp", "/home"};

// Where init's page broker listens: in the work folder, which the sandbox does not cover.
std::filesystem::path page_socket(Spec const& spec) { return spec.work_dir / "pages.sock"; }

bool wants_page_broker(Spec const& spec, bool isolated) { return isolated && spec.page_broker; }

std::string top_dir(std::string const& path)
{
    auto const slash = path.find('/', 1);
    return slash == std::string::npos ? path : path.substr(0, slash);
}

bool under_writable_root(std::string const& path)
{
    std::string const top = top_dir(path);
    for (char const* root : kWritableRoots)
        if (top == root && path.size() > top.size())
            return true;
    return false;
}

[[noreturn]] void die(int fd, char const* what)
{
    // In a forked child: one write(2) to the result pipe, then _exit (no atexit handlers, no
    // stdio buffers flushed twice).
    char text[256];
    int const n = std::snprintf(text, sizeof text, "error %s: %s\n", what, std::strerror(errno));
    if (n > 0 && write(fd, text, std::size_t(n)) < 0) {
    }
    _exit(120);
}

// ---- The terminal ----------------------------------------------------------------------------

struct Pty {
    int master = -1;
    int slave = -1;
};

// Raw enough to be the model's terminal: no echo of the input, no line editing, no signals
// from special characters, output bytes passed as they are (no \n -> \r\n).
bool make_model_terminal(int fd)
{
    termios t{};
    if (tcgetattr(fd, &t) != 0)
        return false;
    t.c_iflag &= ~tcflag_t(ICRNL | INLCR | IGNCR | IXON | ISTRIP);
    t.c_oflag &= ~tcflag_t(OPOST);
    t.c_lflag &= ~tcflag_t(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
    t.c_cc[VMIN] = 0;
    t.c_cc[VTIME] = 0;
    return tcsetattr(fd, TCSANOW, &t) == 0;
}

std::optional<Pty> open_pty(std::string& error)
{
    Pty p;
    p.master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    char const* name = nullptr;
    if (p.master < 0 || grantpt(p.master) != 0 || unlockpt(p.master) != 0 || !(name = ptsname(p.master))) {
        error = format("cannot open a pseudo-terminal: {}", std::strerror(errno));
        if (p.master >= 0)
            close(p.master);
        return std::nullopt;
    }
    p.slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (p.slave < 0 || !make_model_terminal(p.slave)) {
        error = format("cannot set up the pseudo-terminal {}: {}", name, std::strerror(errno));
        close(p.master);
        if (p.slave >= 0)
            close(p.slave);
        return std::nullopt;
    }
    return p;
}

// Type the stdin text into the terminal and wait until the line discipline has it all (the
// pty moves bytes from master to slave in a kernel work item, not inside write(2)).
bool feed_stdin(Pty const& p, std::string const& text)
{
    std::size_t done = 0;
    while (done < text.size()) {
        ssize_t const n = write(p.master, text.data() + done, text.size() - done);
        if (n < 0 && errno != EINTR)
            return false;
        if (n > 0)
            done += std::size_t(n);
    }
    for (int tries = 0; tries < 2000; ++tries) {
        int queued = 0;
        if (ioctl(p.slave, FIONREAD, &queued) == 0 && std::size_t(queued) >= text.size())
            return true;
        usleep(1000);
    }
    return false;
}

// ---- The world inside the namespaces ---------------------------------------------------------

void mount_private_world(Spec const& spec, int report_fd)
{
    if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
        die(report_fd, "making the mounts private");
    if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) != 0)
        die(report_fd, "mounting /proc for the pid namespace");
    char bin_target[PATH_MAX];
    if (!realpath("/bin", bin_target))
        die(report_fd, "resolving /bin");
    if (mount(spec.bin_dir.c_str(), bin_target, nullptr, MS_BIND, nullptr) != 0)
        die(report_fd, "bind-mounting the native programs on /bin");
    for (char const* root : kWritableRoots)
        if (mount("tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, root == std::string("/tmp") ? "mode=1777" : "mode=755") != 0)
            die(report_fd, "mounting a tmpfs");
    // The model's home folder, the student's own.
    if (mkdir("/home/student", 0755) != 0 || chown("/home/student", spec.uid, 0) != 0)
        die(report_fd, "creating /home/student");
}

void create_files(Spec const& spec, int report_fd)
{
    for (lang::FileSpec const& f : spec.files) {
        std::error_code ec;
        std::filesystem::create_directories(std::filesystem::path(f.path).parent_path(), ec);
        int const fd = open(f.path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd < 0)
            die(report_fd, "creating a scenario file");
        if (write(fd, f.content.data(), f.content.size()) != ssize_t(f.content.size()))
            die(report_fd, "writing a scenario file");
        if (fchown(fd, f.owner, 0) != 0 || fchmod(fd, f.mode) != 0)
            die(report_fd, "setting a scenario file's owner and mode");
        close(fd);
    }
}

// ---- main: the scenario itself -----------------------------------------------------------------

struct Exec {
    std::vector<char*> argv;
    std::vector<char*> envp;
};

[[noreturn]] void become_main(Spec const& spec, Exec const& e, int slave, int report_fd)
{
    setpgid(0, 0);
    sigset_t none;  // init's blocked signals are its own business, not the scenario's.
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    if (dup2(slave, 0) < 0 || dup2(slave, 1) < 0 || dup2(slave, 2) < 0)
        die(report_fd, "giving main the terminal");
    for (auto const& [resource, limit] : spec.rlimits) {
        rlimit const r{limit.cur == kRlimInfinity ? RLIM_INFINITY : limit.cur,
            limit.max == kRlimInfinity ? RLIM_INFINITY : limit.max};
        if (setrlimit(resource, &r) != 0)
            die(report_fd, "setting a resource limit");
    }
    if (chdir("/") != 0)
        die(report_fd, "chdir(\"/\")");
    if (geteuid() == 0 && spec.uid != 0) {
        // As a login does: supplementary groups dropped, then the user's uid (gid stays 0 as
        // in the model, whose setuid changes only the uids).
        if (setgroups(0, nullptr) != 0 || setuid(spec.uid) != 0)
            die(report_fd, "dropping to the scenario's uid");
    }
    close_range(3, ~0U, 0);  // The report pipe too: main has exactly fds 0, 1 and 2.
    execve(spec.exe.c_str(), e.argv.data(), e.envp.data());
    char const msg[] = "forklab verify: cannot exec the compiled scenario\n";
    if (write(2, msg, sizeof msg - 1) < 0) {
    }
    _exit(127);
}

// ---- init: the model's init, and the run's reaper ------------------------------------------

// Kill every descendant: as pid 1 of the namespace kill(-1) reaches all of them; as a subreaper
// its children (the orphans reparented to it included) are found in /proc.
void kill_descendants(bool isolated)
{
    if (isolated) {
        kill(-1, SIGKILL);
        return;
    }
    DIR* proc = opendir("/proc");
    if (!proc)
        return;
    pid_t const me = getpid();
    while (dirent* d = readdir(proc)) {
        char path[300];
        std::snprintf(path, sizeof path, "/proc/%s/stat", d->d_name);
        FILE* f = std::fopen(path, "re");
        if (!f)
            continue;
        int pid = 0, ppid = 0;
        char state = 0;
        // pid (comm) state ppid: comm may hold spaces and parentheses, so skip to the last ')'.
        char line[1024];
        if (std::fgets(line, sizeof line, f)) {
            char const* close = std::strrchr(line, ')');
            if (close && std::sscanf(line, "%d", &pid) == 1 && std::sscanf(close + 1, " %c %d", &state, &ppid) == 2 &&
                ppid == me)
                kill(pid, SIGKILL);
        }
        std::fclose(f);
    }
    closedir(proc);
}

// Start init's page broker, and tell the parent whether it listens.
std::optional<PageBroker> start_page_broker(Spec const& spec, int report_fd)
{
    auto broker = PageBroker::listen(page_socket(spec));
    std::string const line = broker ? "pages-broker ok\n" : "pages-broker " + broker.error() + "\n";
    if (write(report_fd, line.data(), line.size()) < 0) {
    }
    if (!broker)
        return std::nullopt;
    return std::move(*broker);
}

// Sleep until SIGALRM or SIGCHLD is pending (they stay blocked: neither can slip in between a
// check and the wait) and take it; meanwhile the page broker, if any, answers questions.
int wait_for_signal(sigset_t const& wake, int signal_fd, PageBroker* broker)
{
    pollfd fds[1 + PageBroker::kMostFds];
    for (;;) {
        fds[0] = {signal_fd, POLLIN, 0};
        std::size_t n = 1;
        if (broker)
            n += broker->poll_fds(std::span(fds + 1, PageBroker::kMostFds));
        if (signal_fd < 0 || (poll(fds, n, -1) < 0 && errno != EINTR)) {
            siginfo_t info{};
            return sigwaitinfo(&wake, &info);
        }
        if (broker)
            broker->serve(std::span(fds + 1, n - 1));
        signalfd_siginfo si{};
        if ((fds[0].revents & POLLIN) && read(signal_fd, &si, sizeof si) == ssize_t(sizeof si))
            return int(si.ssi_signo);
    }
}

// The model is one CPU. On several, Linux's write fault may copy a page that only one process
// maps: it reuses the page only when its reference count is 1, and a page faulted in on
// another CPU can still hold a reference from that CPU's batch of pages waiting to join the
// LRU lists (mm/memory.c: wp_can_reuse_anon_folio() drains only the local batch). Every
// process of the scenario runs on the CPU init runs on, so the host answers as one CPU does.
void pin_to_one_cpu()
{
    cpu_set_t set;
    CPU_ZERO(&set);
    int const cpu = sched_getcpu();
    if (cpu < 0)
        return;
    CPU_SET(cpu, &set);
    (void)sched_setaffinity(0, sizeof set, &set);  // Not fatal: a confined host may refuse.
}

long last_pid()
{
    long n = 0;
    std::ifstream("/proc/sys/kernel/ns_last_pid") >> n;
    return n;
}

[[noreturn]] void become_init(Spec const& spec, Exec const& e, int slave, int report_fd, bool isolated)
{
    setsid();  // No controlling terminal: the pty is nobody's, so no SIGHUP on main's exit.
    pin_to_one_cpu();
    if (isolated) {
        mount_private_world(spec, report_fd);
        create_files(spec, report_fd);
    } else if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) {
        die(report_fd, "becoming a child subreaper");
    }
    // The time limit and the children's deaths arrive as signals that stay blocked and are
    // taken with sigwaitinfo(2): neither can slip in between a check and a wait.
    sigset_t wake;
    sigemptyset(&wake);
    sigaddset(&wake, SIGALRM);
    sigaddset(&wake, SIGCHLD);
    sigprocmask(SIG_BLOCK, &wake, nullptr);
    int const signal_fd = signalfd(-1, &wake, SFD_CLOEXEC);
    std::optional<PageBroker> broker =
        wants_page_broker(spec, isolated) ? start_page_broker(spec, report_fd) : std::nullopt;
    auto const ms = spec.time_limit.count();
    itimerval limit{};
    limit.it_value.tv_sec = ms / 1000;
    limit.it_value.tv_usec = (ms % 1000) * 1000;
    setitimer(ITIMER_REAL, &limit, nullptr);

    pid_t const main = fork();
    if (main < 0)
        die(report_fd, "forking main");
    if (main == 0)
        become_main(spec, e, slave, report_fd);
    close(slave);
    int main_status = -1;
    bool killed = false;
    for (;;) {
        // Reap every child that has ended; stop when there is none left at all.
        int status = 0;
        pid_t pid;
        while ((pid = waitpid(-1, &status, __WALL | WNOHANG)) > 0)
            if (pid == main)
                main_status = status;
        if (pid < 0 && errno == ECHILD)
            break;
        if (killed) {
            kill_descendants(isolated);  // Orphans of the processes just killed came to us.
            usleep(1000);
            continue;
        }
        if (wait_for_signal(wake, signal_fd, broker ? &*broker : nullptr) == SIGALRM) {
            killed = true;
            kill_descendants(isolated);
        }
    }
    char text[160];
    int const n = std::snprintf(text, sizeof text, "main %d %d timeout %d init %d last %ld\n", int(main), main_status,
        killed ? 1 : 0, int(getpid()), last_pid());
    if (n > 0 && write(report_fd, text, std::size_t(n)) < 0) {
    }
    _exit(0);
}

// ---- The helper: enters the namespaces, and tells the parent init's pid ---------------------

[[noreturn]] void become_helper(Spec const& spec, Exec const& e, Pty const& pty, int report_fd, bool isolated)
{
    close(pty.master);
    if (isolated && unshare(CLONE_NEWNS | CLONE_NEWPID) != 0)
        die(report_fd, "entering new pid and mount namespaces");
    pid_t const init = fork();
    if (init < 0)
        die(report_fd, "forking init");
    if (init == 0)
        become_init(spec, e, pty.slave, report_fd, isolated);
    close(pty.slave);
    char text[64];
    int const n = std::snprintf(text, sizeof text, "host-init %d\n", int(init));
    if (n > 0 && write(report_fd, text, std::size_t(n)) < 0) {
    }
    int status = 0;
    while (waitpid(init, &status, 0) < 0 && errno == EINTR) {
    }
    _exit(0);
}

// ---- The parent: the terminal's reader and the last line of defence -------------------------

struct Collected {
    std::string output;
    std::string results;
};

Collected collect(Pty const& pty, int results_fd, pid_t helper, std::chrono::milliseconds limit)
{
    Collected c;
    auto const deadline = std::chrono::steady_clock::now() + limit + kGrace;
    bool terminal_open = true, results_open = true, forced = false;
    while (terminal_open || results_open) {
        auto const left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0 && !forced) {
            // init did not end the run in time: kill init (which, as pid 1, takes its namespace
            // with it) and the helper.
            forced = true;
            std::istringstream in(c.results);
            std::string word;
            int init = 0;
            while (in >> word)
                if (word == "host-init")
                    in >> init;
            if (init > 0)
                kill(init, SIGKILL);
            kill(helper, SIGKILL);
        }
        pollfd fds[2] = {{terminal_open ? pty.master : -1, POLLIN, 0}, {results_open ? results_fd : -1, POLLIN, 0}};
        int const ready = poll(fds, 2, forced ? 1000 : int(std::max<long>(1, left.count())));
        if (ready < 0 && errno != EINTR)
            break;
        if (ready == 0 && forced)
            break;  // Nothing more will come.
        char buf[4096];
        if (terminal_open && fds[0].revents) {
            ssize_t const n = read(pty.master, buf, sizeof buf);
            if (n > 0)
                c.output.append(buf, std::size_t(n));
            else if (n == 0 || errno != EINTR)
                terminal_open = false;  // EIO: every slave is closed, every process gone.
        }
        if (results_open && fds[1].revents) {
            ssize_t const n = read(results_fd, buf, sizeof buf);
            if (n > 0)
                c.results.append(buf, std::size_t(n));
            else if (n == 0 || errno != EINTR)
                results_open = false;
        }
    }
    return c;
}

void parse_results(std::string const& text, Result& r)
{
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        if (line.starts_with("error ")) {
            r.error = line.substr(6);
            continue;
        }
        if (line.starts_with("pages-broker ")) {
            r.page_broker = line == "pages-broker ok";
            if (!r.page_broker)
                r.page_broker_error = line.substr(13);
            continue;
        }
        int main = 0, status = -1, timeout = 0, init = 0;
        long last = 0;
        if (std::sscanf(line.c_str(), "main %d %d timeout %d init %d last %ld", &main, &status, &timeout, &init, &last) ==
            5) {
            r.main_pid = main;
            r.main_status = status;
            r.timed_out = timeout != 0;
            r.init_pid = init;
            // The pids the run could have had: every one handed out from main's on. (In the
            // host's own namespace a pid of another process may fall in the range; it would be
            // renamed only if the scenario printed it.)
            for (long pid = main; pid <= last && pid - main < 100'000; ++pid)
                r.pids.insert(pid_t(pid));
            r.pids.insert(main);
        }
    }
    if (r.error.empty() && r.main_pid == 0)
        r.error = "the sandbox ended without a result";
}

std::vector<std::string> read_report(std::filesystem::path const& path)
{
    std::vector<std::string> lines;
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line))
        lines.push_back(line);
    return lines;
}

}  // namespace

bool namespaces_available()
{
    static int const answer = [] {
        if (geteuid() != 0)
            return 0;
        pid_t const pid = fork();
        if (pid == 0)
            _exit(unshare(CLONE_NEWNS | CLONE_NEWPID) == 0 ? 0 : 1);
        int status = 0;
        if (pid < 0 || waitpid(pid, &status, 0) != pid)
            return 0;
        return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 1 : 0;
    }();
    return answer != 0;
}

std::optional<std::string> cannot_run(Spec const& spec)
{
    if (spec.stdin_text && spec.stdin_text->size() > kMostStdin)
        return format("its stdin text is longer than the terminal's input queue ({} bytes)", kMostStdin);
    for (lang::FileSpec const& f : spec.files)
        if (!under_writable_root(f.path))
            return format("its file {} is outside /tmp and /home, which are all the sandbox can give it", f.path);
    bool const isolated = namespaces_available();
    if (!isolated && !spec.files.empty())
        return "its files need a private mount namespace (run forklab verify as root)";
    if (!isolated && spec.uid_given && spec.uid != geteuid())
        return format("it runs as uid {}, and only root can become another user", spec.uid);
    for (char const* root : kWritableRoots) {
        std::string const dir = spec.work_dir.string();
        if (isolated && (dir == root || dir.starts_with(std::string(root) + "/")))
            return format("the work folder {} would be hidden by the sandbox's {}", dir, root);
    }
    return std::nullopt;
}

Result run(Spec const& spec)
{
    Result r;
    r.isolated = namespaces_available();
    auto pty = open_pty(r.error);
    if (!pty)
        return r;
    if (spec.stdin_text && !feed_stdin(*pty, *spec.stdin_text)) {
        r.error = "cannot put the stdin text in the terminal's input queue";
        close(pty->master);
        close(pty->slave);
        return r;
    }
    std::filesystem::path const report = spec.work_dir / "expect-report";
    std::filesystem::remove(report);
    {
        std::ofstream touch(report);
    }
    chmod(report.c_str(), 0666);  // Main may run as another user.

    std::vector<std::string> env = {"PATH=/bin:/usr/bin", "HOME=/home/student", "FORKLAB_REPORT=" + report.string()};
    if (!r.isolated)
        env[0] = "PATH=" + spec.bin_dir.string() + ":/bin:/usr/bin";
    if (wants_page_broker(spec, r.isolated))
        env.push_back("FORKLAB_PAGES=" + page_socket(spec).string());
    Exec e;
    for (auto const& a : spec.argv)
        e.argv.push_back(const_cast<char*>(a.c_str()));
    e.argv.push_back(nullptr);
    for (auto const& v : env)
        e.envp.push_back(const_cast<char*>(v.c_str()));
    e.envp.push_back(nullptr);

    int results[2];
    if (pipe2(results, O_CLOEXEC) != 0) {
        r.error = format("pipe: {}", std::strerror(errno));
        close(pty->master);
        close(pty->slave);
        return r;
    }
    std::fflush(nullptr);  // Nothing of ours is printed twice by a child.
    pid_t const helper = fork();
    if (helper == 0) {
        close(results[0]);
        become_helper(spec, e, *pty, results[1], r.isolated);
    }
    close(results[1]);
    close(pty->slave);
    if (helper < 0) {
        r.error = format("fork: {}", std::strerror(errno));
        close(pty->master);
        close(results[0]);
        return r;
    }
    Collected const c = collect(*pty, results[0], helper, spec.time_limit);
    close(pty->master);
    close(results[0]);
    int status = 0;
    while (waitpid(helper, &status, 0) < 0 && errno == EINTR) {
    }
    r.output = c.output;
    parse_results(c.results, r);
    if (r.isolated && r.init_pid != 1 && r.error.empty())
        r.error = format("init was pid {} in its namespace, not 1", r.init_pid);
    r.report = read_report(report);
    std::error_code ec;
    std::filesystem::remove(page_socket(spec), ec);
    return r;
}

}  // namespace forklab::native
