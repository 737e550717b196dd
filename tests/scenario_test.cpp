// Scenario files: the `//!` metadata (every key, every error at its file:line:col), what it
// does to a run, finding and loading scenarios, checking them (scenario/verdict.h), the
// programs of scenarios/bin -- each compared with the host's own tool on the same input -- and
// the classic exec runs: output redirected to a file before exec, `ls | wc -l` built by hand,
// and `sh -c` running a pipeline.
#include "scenario/verdict.h"
#include "support/program.h"

#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sys/wait.h>
#include <unistd.h>

using namespace forklab;
using namespace forklab::scenario;
using forklab::test::checked;

namespace {

namespace fs = std::filesystem;

Scenario parsed(std::string_view text)
{
    auto s = parse_metadata("t.c", text);
    INFO((s ? std::string() : s.error().render()));
    REQUIRE(s.has_value());
    return *s;
}

// The error's "file:line:col: error: message" line.
std::string error_of(std::string_view text)
{
    auto s = parse_metadata("t.c", text);
    REQUIRE_FALSE(s.has_value());
    return s.error().headline();
}

fs::path fixtures() { return fs::path(FORKLAB_TEST_SCENARIOS); }

std::map<std::string, std::string> const& bin() { return load_bin(default_bin_dir()); }

std::string bin_source(std::string const& name)
{
    auto it = bin().find(name);
    REQUIRE(it != bin().end());
    return it->second;
}

// Run one of scenarios/bin as the main program, with the others in /bin.
lang::Run run_tool(std::string const& name, std::vector<std::string> args, lang::RunOptions options = {})
{
    options.bin = bin();
    options.argv = {name};
    options.argv.insert(options.argv.end(), args.begin(), args.end());
    auto r = lang::run_program("under-test-" + name + ".c", bin_source(name), checked(std::move(options)));
    INFO(r.error);
    CHECK(r.ok);
    return r;
}

lang::Run run_with_bin(std::string source, lang::RunOptions options = {})
{
    options.bin = bin();
    auto r = lang::run_program("prog.c", std::move(source), checked(std::move(options)));
    INFO(r.error);
    CHECK(r.ok);
    CHECK(r.expect_failures.empty());
    return r;
}

// The host's own tool: what `command` prints, run by /bin/sh in a fresh temporary folder that
// holds `files` (name -> content). std::nullopt when the host cannot run it.
std::optional<std::string> host(std::string const& command, std::map<std::string, std::string> const& files = {})
{
    char templ[] = "/tmp/forklab-scenario-test-XXXXXX";
    if (!mkdtemp(templ))
        return std::nullopt;
    fs::path const dir = templ;
    for (auto const& [name, content] : files) {
        fs::create_directories((dir / name).parent_path());
        std::ofstream(dir / name, std::ios::binary) << content;
    }
    std::string const full = "cd " + dir.string() + " && env -u COLUMNS LC_ALL=C " + command + " 2>/dev/null";
    std::string out;
    if (FILE* p = popen(full.c_str(), "r")) {
        char buf[4096];
        for (std::size_t n; (n = fread(buf, 1, sizeof buf, p)) > 0;)
            out.append(buf, n);
        pclose(p);
    }
    fs::remove_all(dir);
    return out;
}

// The same files in the model's filesystem, under /home/student/work.
std::vector<lang::FileSpec> model_files(std::map<std::string, std::string> const& files)
{
    std::vector<lang::FileSpec> specs;
    for (auto const& [name, content] : files)
        specs.push_back({.path = "/home/student/work/" + name, .content = content});
    return specs;
}

// The model's output with the files' folder taken out of their names, to compare with the
// host's run in the folder itself.
std::string without_folder(std::string text)
{
    std::string const folder = "/home/student/work/";
    for (std::size_t at; (at = text.find(folder)) != std::string::npos;)
        text.erase(at, folder.size());
    return text;
}

}  // namespace

// ---- Metadata --------------------------------------------------------------------------------

TEST_CASE("metadata: title tags and a summary continued on indented lines")
{
    Scenario s = parsed("//! title: Does fork return twice?\n"
                        "//! tags: basics, fork ,exec\n"
                        "//! summary: One call,\n"
                        "//!   two returns.\n"
                        "int main(void) { return 0; }\n");
    CHECK(s.title == "Does fork return twice?");
    CHECK(s.tags == std::vector<std::string>{"basics", "fork", "exec"});
    CHECK(s.summary == "One call, two returns.");
    CHECK(s.metadata_lines == 4);
    CHECK_FALSE(s.output.has_value());
}

TEST_CASE("metadata: a file without metadata has none")
{
    Scenario s = parsed("#include <stdio.h>\nint main(void) { return 0; }\n");
    CHECK(s.title.empty());
    CHECK(s.metadata_lines == 0);
    lang::RunOptions defaults;
    lang::RunOptions o = apply(s);
    CHECK(o.uid == defaults.uid);
    CHECK(o.kernel.physical_frames == defaults.kernel.physical_frames);
    CHECK(o.argv.empty());
}

TEST_CASE("metadata: every scheduler spelling")
{
    CHECK(parsed("//! sched: parent-first\n").sched->policy == lang::SchedPolicy::ParentFirst);
    CHECK(parsed("//! sched: child-first\n").sched->policy == lang::SchedPolicy::ChildFirst);
    auto rr = *parsed("//! sched: round-robin:3\n").sched;
    CHECK(rr.policy == lang::SchedPolicy::RoundRobin);
    CHECK(rr.quantum == 3);
    CHECK(parsed("//! sched: round-robin\n").sched->quantum == 1);
    auto rnd = *parsed("//! sched: random:42\n").sched;
    CHECK(rnd.policy == lang::SchedPolicy::Random);
    CHECK(rnd.seed == 42);
    CHECK(lang::sched_name(rr) == "round-robin:3");  // Written back as it was read.
    CHECK(lang::sched_name(rnd) == "random:42");
}

TEST_CASE("metadata: uid rlimits memory and strategy reach the run options")
{
    Scenario s = parsed("//! uid: 1001\n"
                        "//! rlimit: NPROC 20\n"
                        "//! rlimit: RLIMIT_NOFILE 16 unlimited\n"
                        "//! memory: 1 MiB\n"
                        "//! strategy: odf\n");
    lang::RunOptions o = apply(s);
    CHECK(o.uid == 1001);
    REQUIRE(o.rlimits.contains(RLIMIT_NPROC));
    CHECK(o.rlimits[RLIMIT_NPROC] == Rlimit{20, 20});  // One number sets both, as `ulimit -u 20`.
    CHECK(o.rlimits[RLIMIT_NOFILE] == Rlimit{16, kRlimInfinity});
    CHECK(o.kernel.physical_frames == 256);
    CHECK(o.kernel.fork_strategy == ForkStrategy::Odf);
    CHECK(parsed("//! memory: 64 frames\n").physical_frames == 64u);
    CHECK(parsed("//! memory: 8 KiB\n").physical_frames == 2u);
    CHECK(parsed("//! strategy: copy\n").strategy == ForkStrategy::Copy);
}

TEST_CASE("metadata: argv as a shell splits it")
{
    Scenario s = parsed(R"(//! argv: prog "two words" 'single $quoted' back\ slash "a\"b"
)");
    CHECK(s.argv == std::vector<std::string>{"prog", "two words", "single $quoted", "back slash", "a\"b"});
    CHECK(apply(s).argv == s.argv);
}

TEST_CASE("metadata: stdin and files as C string literals")
{
    Scenario s = parsed(R"(//! stdin: "line one\nline two\n" "and \x41\101\t"
//! file: /tmp/in.txt "a\nb\n"
//! file: /home/student/secret "s" 0600
)");
    CHECK(s.stdin_text == "line one\nline two\nand AA\t");
    REQUIRE(s.files.size() == 2);
    CHECK(s.files[0].path == "/tmp/in.txt");
    CHECK(s.files[0].content == "a\nb\n");
    CHECK(s.files[0].mode == 0644);
    CHECK(s.files[1].mode == 0600);
    s.uid = 1234;
    lang::RunOptions o = apply(s);
    REQUIRE(o.files.size() == 2);
    CHECK(o.files[1].owner == 1234);  // The files are the running user's.
    CHECK(o.stdin_text == s.stdin_text);
}

TEST_CASE("metadata: output blocks keep strip or clip their last newlines")
{
    auto const body = "//!   first\n//!\n//!     indented\n//!\n";
    CHECK(parsed(std::string("//! output: |\n") + body).output == "first\n\n  indented\n");
    CHECK(parsed(std::string("//! output: |-\n") + body).output == "first\n\n  indented");
    CHECK(parsed(std::string("//! output: |+\n") + body).output == "first\n\n  indented\n\n");
    CHECK(parsed("//! output: \"no newline\"\n").output == "no newline");
    CHECK(parsed("//! output: |\n//! title: t\n").output == "");
    Scenario s = parsed("//! output: |\n//!   a\n//! title: after the block\n");
    CHECK(s.output == "a\n");
    CHECK(s.title == "after the block");
}

TEST_CASE("metadata: outcomes are stored and the output must be one of them")
{
    Scenario s = parsed("//! outcome: |\n//!   parent\n//!   child\n//! outcome: \"child\\nparent\\n\"\n"
                        "//! output: \"child\\nparent\\n\"\n");
    CHECK(s.outcomes == std::vector<std::string>{"parent\nchild\n", "child\nparent\n"});
    CHECK(error_of("//! outcome: \"a\\n\"\n//! output: \"b\\n\"\n") ==
          "t.c:1:1: error: the expected output is not one of the listed outcomes");
}

TEST_CASE("metadata: errors point at their line and column")
{
    CHECK(error_of("//! title: t\n//! shed: child-first\n") ==
          "t.c:2:5: error: unknown metadata key 'shed' (did you mean 'sched'?)");
    CHECK(error_of("//! flavour: x\n").starts_with("t.c:1:5: error: unknown metadata key 'flavour' (the keys are: title,"));
    CHECK(error_of("//! title: a\n//! title: b\n") == "t.c:2:5: error: 'title' is given twice");
    CHECK(error_of("//!title: a\n") == "t.c:1:4: error: expected a space after '//!'");
    CHECK(error_of("//! no colon here\n") == "t.c:1:5: error: expected 'key: value' after '//! '");
    CHECK(error_of("//! title:\n") == "t.c:1:11: error: 'title' needs a value");
    CHECK(error_of("//! sched: sideways\n").starts_with("t.c:1:12: error: unknown scheduler 'sideways'"));
    CHECK(error_of("//! sched: round-robin:0\n").starts_with("t.c:1:12: error: '0' is not a quantum"));
    CHECK(error_of("//! sched: manual\n").starts_with("t.c:1:12: error: 'manual' needs a client"));
    CHECK(error_of("//! uid: -3\n").starts_with("t.c:1:10: error: '-3' is not a uid"));
    CHECK(error_of("//! rlimit: PROCS 20\n").starts_with("t.c:1:13: error: unknown resource 'PROCS'"));
    CHECK(error_of("//! rlimit: NPROC 20 10\n") ==
          "t.c:1:22: error: the soft limit is above the hard limit (setrlimit would fail with EINVAL)");
    CHECK(error_of("//! rlimit: NPROC lots\n").starts_with("t.c:1:19: error: 'lots' is not a limit"));
    CHECK(error_of("//! rlimit: NPROC 1\n//! rlimit: nproc 2\n") == "t.c:2:13: error: RLIMIT_NPROC is limited twice");
    CHECK(error_of("//! memory: 64 bananas\n").starts_with("t.c:1:13: error: expected a size such as"));
    CHECK(error_of("//! memory: 6 KiB\n") == "t.c:1:13: error: 6144 bytes is not a whole number of 4 KiB frames");
    CHECK(error_of("//! strategy: fast\n") == "t.c:1:15: error: unknown fork strategy 'fast' (cow, copy or odf)");
    CHECK(error_of("//! argv: a \"b\n") == "t.c:1:13: error: missing terminating \" character");
    CHECK(error_of("//! stdin: hello\n").starts_with("t.c:1:12: error: expected a string literal"));
    CHECK(error_of("//! stdin: \"a\\qb\"\n") == "t.c:1:14: error: unknown escape sequence '\\q'");
    CHECK(error_of("//! stdin: \"a\" extra\n") == "t.c:1:16: error: unexpected 'extra' at the end of the line");
    CHECK(error_of("//! file: tmp/x \"a\"\n") == "t.c:1:11: error: 'tmp/x' is not an absolute path");
    CHECK(error_of("//! file: /x \"a\" 644\n").starts_with("t.c:1:18: error: '644' is not a file mode"));
    CHECK(error_of("//! file: /x \"a\"\n//! file: /x \"b\"\n") == "t.c:2:11: error: /x is created twice");
    CHECK(error_of("//! tags: a,,b\n") == "t.c:1:13: error: empty tag: tags are separated by single commas");
    CHECK(error_of("//! tags: a, a\n") == "t.c:1:13: error: tag 'a' is given twice");
    CHECK(error_of("//! title: t\n//!   stray\n").starts_with("t.c:2:7: error: an indented '//!' line continues"));
    CHECK(error_of("//! output: |\n//!     deep\n//!   shallow\n") ==
          "t.c:3:7: error: this line is less indented than the first line of its block");
    CHECK(error_of("//! output:\n").starts_with("t.c:1:12: error: expected '|'"));
    CHECK(error_of("//! title: t\nint x;\n//! tags: late\n") ==
          "t.c:3:1: error: metadata after the program has begun: '//!' lines belong at the top of the file");
}

TEST_CASE("metadata: a rendered error shows the line and a caret")
{
    auto s = parse_metadata("x.c", "//! strategy: fast\n");
    REQUIRE_FALSE(s.has_value());
    CHECK(s.error().render() == "x.c:1:15: error: unknown fork strategy 'fast' (cow, copy or odf)\n"
                                "    1 | //! strategy: fast\n"
                                "      |               ^\n");
}

// ---- The library on disk ------------------------------------------------------------------------

TEST_CASE("library: scenarios are found sorted and bin and include are skipped")
{
    auto found = find_scenarios(fixtures());
    std::vector<std::string> names;
    for (auto const& p : found)
        names.push_back(p.lexically_relative(fixtures()).generic_string());
    CHECK(names == std::vector<std::string>{"bad/bad_metadata.c", "failing/failing_expect.c",
                       "failing/wrong_output.c", "good/fork_twice.c", "good/sidecar.c"});
    auto library = find_scenarios(default_bin_dir().parent_path());
    for (auto const& p : library) {
        CHECK(p.parent_path().filename() != "bin");
        CHECK(p.parent_path().filename() != "include");
    }
}

TEST_CASE("library: the sidecar FILE.out is the expected output")
{
    auto loaded = load(fixtures() / "good" / "sidecar.c");
    REQUIRE(loaded.has_value());
    std::ifstream out(fixtures() / "good" / "sidecar.out");
    std::string const text((std::istreambuf_iterator<char>(out)), std::istreambuf_iterator<char>());
    CHECK(loaded->scenario.output == text);
    CHECK(loaded->source.starts_with("//! title: Expected output in a sidecar file\n"));
}

TEST_CASE("library: an output given twice and a missing file are errors")
{
    fs::path const dir = fs::temp_directory_path() / ("forklab-scenario-test-" + std::to_string(getpid()));
    fs::create_directories(dir);
    std::ofstream(dir / "both.c") << "//! output: \"x\\n\"\nint main(void) { return 0; }\n";
    std::ofstream(dir / "both.out") << "x\n";
    auto both = load(dir / "both.c");
    REQUIRE_FALSE(both.has_value());
    CHECK(both.error().find("the expected output is given twice") != std::string::npos);
    auto missing = load(dir / "missing.c");
    REQUIRE_FALSE(missing.has_value());
    CHECK(missing.error() == "cannot open " + (dir / "missing.c").string() + ": No such file or directory");
    fs::remove_all(dir);
}

TEST_CASE("library: scenarios/bin is found from a scenario's path and holds the tools")
{
    auto dir = find_bin_dir(fixtures() / "good" / "fork_twice.c");
    REQUIRE(dir.has_value());
    CHECK(fs::equivalent(*dir, default_bin_dir()));
    for (char const* tool : {"echo", "cat", "wc", "true", "false", "sleep", "ls", "sh"})
        CHECK_MESSAGE(bin().contains(tool), tool);
}

TEST_CASE("library: every bin program compiles in the model")
{
    for (auto const& [name, source] : bin()) {
        auto compiled = lang::compile_source(name + ".c", source);
        CHECK_MESSAGE(compiled.has_value(), (compiled ? std::string() : compiled.error().render()));
    }
}

// ---- Checking ------------------------------------------------------------------------------------

TEST_CASE("check: a scenario that does what it declares passes")
{
    for (char const* name : {"good/fork_twice.c", "good/sidecar.c"}) {
        auto loaded = load(fixtures() / name);
        REQUIRE(loaded.has_value());
        Verdict v = check(*loaded, checked());
        INFO(name);
        INFO(v.run.error);
        INFO(v.diff);
        CHECK(v.kind == Verdict::Kind::Pass);
        CHECK(v.reasons.empty());
    }
}

TEST_CASE("check: a wrong expected output fails with a diff")
{
    auto loaded = load(fixtures() / "failing" / "wrong_output.c");
    REQUIRE(loaded.has_value());
    Verdict v = check(*loaded, checked());
    CHECK(v.kind == Verdict::Kind::Fail);
    REQUIRE_FALSE(v.reasons.empty());
    CHECK(v.reasons.front().starts_with("the output differs"));
    CHECK(v.diff == "   one\n  -two\n  +TWO\n   three\n");
}

TEST_CASE("check: a failing EXPECT fails with its line")
{
    auto loaded = load(fixtures() / "failing" / "failing_expect.c");
    REQUIRE(loaded.has_value());
    Verdict v = check(*loaded, checked());
    CHECK(v.kind == Verdict::Kind::Fail);
    REQUIRE(v.reasons.size() == 1);
    CHECK(v.reasons.front().starts_with("EXPECT failed at line 16 in pid "));
}

TEST_CASE("check: a program that does not compile is bad input")
{
    Loaded broken{parsed("//! title: t\n"), "//! title: t\nint main(void) { return 0 }\n"};
    broken.scenario.path = "broken.c";
    Verdict v = check(broken);
    CHECK(v.kind == Verdict::Kind::BadInput);
    REQUIRE_FALSE(v.reasons.empty());
    CHECK(v.reasons.front().starts_with("broken.c:2:"));
}

TEST_CASE("check: a run that does not end fails")
{
    Loaded loop{parsed(""), "int main(void) { for (;;) {} }\n"};
    loop.scenario.path = "loop.c";
    lang::RunOptions base;
    base.max_steps = 500;
    Verdict v = check(loop, base);
    CHECK(v.kind == Verdict::Kind::Fail);
    REQUIRE_FALSE(v.reasons.empty());
    CHECK(v.reasons.front().starts_with("did not run to the end: step budget"));
}

TEST_CASE("check: the diff marks a missing last newline and leaves out far context")
{
    CHECK(line_diff("a\n", "a") == "  -a\n  +a  (no newline at the end)\n");
    CHECK(line_diff("1\n2\n3\n4\n5\n6\n7\n", "1\n2\n3\n4\n5\n6\nseven\n") == "  ...\n   5\n   6\n  -7\n  +seven\n");
    CHECK(line_diff("same\n", "same\n").empty());
}

// ---- The bin programs against the host's own tools -------------------------------------------------

TEST_CASE("bin: wc prints what GNU wc prints")
{
    std::map<std::string, std::string> const files = {{"f1", "one two\nthree\n"}, {"f2", "a  b\tc\n\nd"},
        {"big", std::string(20000, 'x') + "\n"}};
    std::vector<std::vector<std::string>> const cases = {{"f1"}, {"-l", "f1"}, {"-lw", "f1"}, {"-c", "big"},
        {"f1", "f2", "big"}, {"-l", "f1", "f2"}, {"-w", "f2"}};
    for (auto const& args : cases) {
        std::string command = "wc";
        for (auto const& a : args)
            command += " " + a;
        auto expected = host(command, files);
        if (!expected)
            continue;
        lang::RunOptions o;
        o.files = model_files(files);
        std::vector<std::string> model_args;
        for (auto const& a : args)
            model_args.push_back(a.starts_with("-") ? a : "/home/student/work/" + a);
        auto r = run_tool("wc", model_args, o);
        INFO(command);
        CHECK(without_folder(r.output) == *expected);
    }
}

TEST_CASE("bin: wc reading its standard input matches GNU wc")
{
    std::string const input = "the quick brown\nfox\n\n  jumps  \n";
    for (std::string args : {"", "-l", "-c", "-lw"}) {
        auto expected = host("printf '%s' '" + input + "' | wc " + args);
        if (!expected)
            continue;
        lang::RunOptions o;
        o.stdin_text = input;
        auto r = run_tool("wc", args.empty() ? std::vector<std::string>{} : std::vector<std::string>{args}, o);
        INFO("wc " << args);
        CHECK(r.output == *expected);
    }
}

TEST_CASE("bin: ls lists sorted names one per line or in columns as GNU ls does")
{
    std::map<std::string, std::string> files;
    for (char const* name : {"alpha", "beta", ".hidden", "Zeta", "_under", "10", "9", "b.c", "c.h",
             "a-really-long-file-name-here.txt", "notes", "zz-last"})
        files[name] = "x";
    for (std::string flags : {"-1", "-a1", "-C", "-aC", ""}) {
        auto expected = host("ls " + flags + (flags.empty() ? "-C" : "") + " .", files);
        if (!expected)
            continue;
        lang::RunOptions o;
        o.files = model_files(files);
        std::vector<std::string> args;
        if (!flags.empty())
            args.push_back(flags);
        args.push_back("/home/student/work");
        auto r = run_tool("ls", args, o);
        INFO("ls " << flags << " (the model's terminal is a tty: columns by default)");
        std::string want = *expected;
        if (flags.find('a') != std::string::npos)
            CHECK(r.output.find(".hidden") != std::string::npos);
        CHECK(r.output == want);
    }
}

TEST_CASE("bin: echo and cat match the host's")
{
    for (std::vector<std::string> args : std::vector<std::vector<std::string>>{
             {"hello", "world"}, {"-n", "no newline"}, {"-e", "a\\tb\\n"}, {"-e", "stop\\chere"}, {"-x", "y"}}) {
        std::string command = "/bin/echo";
        for (auto const& a : args)
            command += " '" + a + "'";
        auto expected = host(command);
        if (!expected)
            continue;
        INFO(command);
        CHECK(run_tool("echo", args).output == *expected);
    }
    lang::RunOptions o;
    o.files = model_files({{"a", "first\n"}, {"b", "second, no newline"}});
    o.stdin_text = "from stdin\n";
    CHECK(run_tool("cat", {"/home/student/work/a", "-", "/home/student/work/b"}, o).output ==
          "first\nfrom stdin\nsecond, no newline");
}

TEST_CASE("bin: true false and a missing file give the tools' exit statuses")
{
    CHECK(WEXITSTATUS(run_tool("true", {}).main_status()) == 0);
    CHECK(WEXITSTATUS(run_tool("false", {}).main_status()) == 1);
    auto cat = run_tool("cat", {"/nonexistent"});
    CHECK(WEXITSTATUS(cat.main_status()) == 1);
    CHECK(cat.output == "cat: /nonexistent: No such file or directory\n");
    auto sleep = run_tool("sleep", {"3"});
    CHECK(WEXITSTATUS(sleep.main_status()) == 0);
    CHECK(sleep.kernel->now_ns() >= 3'000'000'000ull);
}

// ---- Exec golden runs ------------------------------------------------------------------------------

TEST_CASE("exec: wc with its output redirected to a file then cat of the file")
{
    lang::RunOptions o;
    o.files = {{.path = "/tmp/in.txt", .content = "one two\nthree\n"}};
    auto r = run_with_bin(R"(#include <fcntl.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>
#include "forklab.h"
int main(void)
{
    pid_t pid = fork();
    if (pid == 0) {
        close(1);
        int fd = open("/tmp/out.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
        EXPECT(fd == 1);
        char *argv[] = {"wc", "/tmp/in.txt", NULL};
        execvp("wc", argv);
        _exit(127);
    }
    int status;
    waitpid(pid, &status, 0);
    EXPECT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    printf("wc is done\n");
    fflush(stdout);
    execlp("cat", "cat", "/tmp/out.txt", NULL);
    return 1;
}
)",
        o);
    auto expected = host("wc in.txt", {{"in.txt", "one two\nthree\n"}});
    REQUIRE(expected.has_value());
    CHECK(r.output == "wc is done\n" + expected->replace(expected->find("in.txt"), 6, "/tmp/in.txt"));
}

TEST_CASE("exec: ls piped into wc -l with pipe dup2 and exec")
{
    lang::RunOptions o;
    o.files = model_files({{"a", "1"}, {"b", "2"}, {"c", "3"}, {".dot", "4"}});
    auto r = run_with_bin(R"(#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>
int main(void)
{
    int fd[2];
    pipe(fd);
    if (fork() == 0) {
        dup2(fd[1], 1);
        close(fd[0]);
        close(fd[1]);
        execlp("ls", "ls", "/home/student/work", NULL);
        _exit(127);
    }
    if (fork() == 0) {
        dup2(fd[0], 0);
        close(fd[0]);
        close(fd[1]);
        execlp("wc", "wc", "-l", NULL);
        _exit(127);
    }
    close(fd[0]);
    close(fd[1]);
    while (wait(NULL) > 0)
        ;
    printf("pipeline done\n");
    return 0;
}
)",
        o);
    auto expected = host("ls | wc -l", {{"a", "1"}, {"b", "2"}, {"c", "3"}, {".dot", "4"}});
    REQUIRE(expected.has_value());
    CHECK(r.output == *expected + "pipeline done\n");
    CHECK(r.output == "3\npipeline done\n");
}

TEST_CASE("exec: sh -c runs a pipeline and returns the last stage's status")
{
    lang::RunOptions o;
    o.files = model_files({{"words", "one\ntwo\nthree\n"}});
    auto r = run_with_bin(R"(#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>
int run(const char *command)
{
    int status;
    pid_t pid = fork();
    if (pid == 0) {
        execl("/bin/sh", "sh", "-c", command, NULL);
        _exit(127);
    }
    waitpid(pid, &status, 0);
    return WEXITSTATUS(status);
}
int main(void)
{
    int a = run("cat /home/student/work/words | wc -l");
    int b = run("echo hi | false");
    int c = run("nosuchcommand");
    int d = run("cat < /home/student/work/words | wc -w > /tmp/count");
    int e = run("cat /tmp/count");
    printf("statuses %d %d %d %d %d\n", a, b, c, d, e);
    return 0;
}
)",
        o);
    CHECK(r.output == "3\nsh: 1: nosuchcommand: not found\n3\nstatuses 0 1 127 0 0\n");
}
