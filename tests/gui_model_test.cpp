// The GUI's view-model without a window: the process tree's layout, the memory view's rows, the
// files diagram, the colours per task, and the stepper that drives a session for the panels.
#include "model/event_filter.h"
#include "model/file_chooser.h"
#include "model/files_rows.h"
#include "model/frame.h"
#include "model/inspector_rows.h"
#include "model/memory_rows.h"
#include "model/outcome_list.h"
#include "model/open_program.h"
#include "model/palette.h"
#include "model/scenario_list.h"
#include "model/source_marks.h"
#include "model/stepper.h"
#include "model/strategy_compare.h"
#include "model/tree_layout.h"

#include "support/program.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <sys/stat.h>
#include <unistd.h>

using namespace forklab;
using namespace forklab::gui;

namespace {

std::unique_ptr<Stepper> stepper(std::string source, lang::RunOptions options = {})
{
    return std::make_unique<Stepper>("prog.c", std::move(source), test::checked(std::move(options)));
}

// Every node is clear of every other on its level, and sits one level below its parent,
// horizontally within the span of its parent's children.
void check_tidy(TreeLayout const& layout)
{
    auto const& nodes = layout.nodes;
    for (std::size_t i = 0; i < nodes.size(); ++i)
        for (std::size_t j = i + 1; j < nodes.size(); ++j)
            if (nodes[i].depth == nodes[j].depth) {
                INFO("pids " << nodes[i].pid << " and " << nodes[j].pid);
                CHECK(std::fabs(nodes[i].x - nodes[j].x) >= 1.0f);
            }
    for (TreeNode const& n : nodes) {
        if (n.parent < 0)
            continue;
        TreeNode const& p = nodes[std::size_t(n.parent)];
        CHECK(p.depth == n.depth - 1);
        float lo = 1e9f, hi = -1e9f;
        for (TreeNode const& sibling : nodes)
            if (sibling.parent == n.parent) {
                lo = std::min(lo, sibling.x);
                hi = std::max(hi, sibling.x);
            }
        CHECK(p.x >= lo);
        CHECK(p.x <= hi);
    }
}

TreeNode const& node(TreeLayout const& layout, pid_t pid)
{
    TreeNode const* n = layout.find(pid);
    REQUIRE(n);
    return *n;
}

char const* const kThreeForks = R"(
#include <unistd.h>
#include <sys/wait.h>
int main(void)
{
    for (int i = 0; i < 3; i++)
        fork();
    while (wait(NULL) > 0)
        ;
    return 0;
}
)";

char const* const kOrphan = R"(
#include <unistd.h>
int main(void)
{
    pid_t pid = fork();
    if (pid == 0) {
        sleep(1);
        return 0;
    }
    return 0;
}
)";

char const* const kCowSplit = R"(
#include <unistd.h>
#include <sys/wait.h>
int x = 100;
int main(void)
{
    x = 1;
    pid_t pid = fork();
    if (pid == 0) {
        x = 2;
        _exit(0);
    }
    wait(NULL);
    return 0;
}
)";

// The page of `view` at `va`, if present.
PageCell const* cell_at(MemoryView const& view, std::uint64_t va)
{
    for (VmaRow const& row : view.vmas)
        for (PageCell const& c : row.present)
            if (c.va == va)
                return &c;
    return nullptr;
}

// The parent's private data page: the one `x = 1` wrote before the fork.
std::uint64_t written_data_page(MemoryView const& view)
{
    for (VmaRow const& row : view.vmas)
        if (row.kind == VmaKind::Data)
            for (PageCell const& c : row.present)
                if (!c.file && !c.zero)
                    return c.va;
    return 0;
}

pid_t child_of(Kernel const& kernel, pid_t parent)
{
    for (Task const& t : kernel.tasks())
        if (t.real_parent && t.real_parent->pid == parent && t.is_thread_group_leader())
            return t.pid;
    return 0;
}

}  // namespace

TEST_CASE("palette: a pid keeps its colour and init is grey")
{
    Palette palette;
    Rgb const seven = palette.colour(7);
    std::vector<Rgb> others;
    for (pid_t pid = 8; pid < 19; ++pid)
        others.push_back(palette.colour(pid));
    CHECK(palette.colour(7) == seven);
    CHECK(palette.colour_of(7) == seven);
    // The first twelve processes all look different.
    others.push_back(seven);
    for (std::size_t i = 0; i < others.size(); ++i)
        for (std::size_t j = i + 1; j < others.size(); ++j)
            CHECK_FALSE(others[i] == others[j]);
    CHECK(palette.colour(1) == Palette::kInitGrey);
    CHECK(palette.colour_of(4242) == Palette::kInitGrey);  // Never seen: no colour taken.
    CHECK(palette.size() == 12);
}

TEST_CASE("tree layout: eight processes from three forks lie tidy and apart")
{
    auto run = stepper(kThreeForks);
    while (run->kernel().counters().forks < 1 + 7)  // init's fork of the program, then seven.
        REQUIRE(run->forward());
    TreeLayout const layout = layout_process_tree(run->kernel());
    CHECK(layout.nodes.size() == 9);  // init and eight processes.
    check_tidy(layout);
    TreeNode const& main = node(layout, run->session().main_pid());
    CHECK(main.depth == 1);
    CHECK(layout.nodes[std::size_t(main.parent)].pid == 1);
    for (TreeNode const& n : layout.nodes)
        if (n.depth >= 2)
            CHECK(n.edge_label == "fork");
    CHECK(layout.levels == 5);  // init, main, and the three generations of forks.
}

TEST_CASE("tree layout: reaped processes stay as faded nodes at the end")
{
    auto run = stepper(kThreeForks);
    run->go_to(run->total());
    REQUIRE(run->session().done());
    TreeLayout const layout = layout_process_tree(run->kernel());
    CHECK(layout.nodes.size() == 9);
    check_tidy(layout);
    CHECK(std::count_if(layout.nodes.begin(), layout.nodes.end(), [](TreeNode const& n) { return n.reaped; }) == 8);
    CHECK(node(layout, run->session().main_pid()).state_text == "reaped (exit 0)");
}

TEST_CASE("tree layout: an orphan moves under init when its parent exits")
{
    auto run = stepper(kOrphan);
    pid_t const parent = run->session().main_pid();
    REQUIRE(run->run_to(EventKind::Fork));
    pid_t const child = child_of(run->kernel(), parent);
    REQUIRE(child != 0);
    TreeLayout const before = layout_process_tree(run->kernel());
    CHECK(before.nodes[std::size_t(node(before, child).parent)].pid == parent);
    CHECK(node(before, child).edge_label == "fork");

    REQUIRE(run->run_to(EventKind::Reparent));
    TreeLayout const after = layout_process_tree(run->kernel());
    TreeNode const& orphan = node(after, child);
    CHECK(after.nodes[std::size_t(orphan.parent)].pid == 1);
    CHECK(orphan.depth == 1);
    CHECK(orphan.edge_label == "adopted");
    REQUIRE(orphan.forked_by.has_value());
    CHECK(*orphan.forked_by == parent);
    check_tidy(after);
}

TEST_CASE("memory rows: fork shares the written page and the child's write splits it")
{
    auto run = stepper(kCowSplit);
    pid_t const parent = run->session().main_pid();
    REQUIRE(run->run_to(EventKind::Fork));
    pid_t const child = child_of(run->kernel(), parent);
    REQUIRE(child != 0);

    MemoryView const p = memory_view(run->kernel(), parent);
    std::uint64_t const va = written_data_page(p);
    REQUIRE(va != 0);
    MemoryView const before = memory_view(run->kernel(), child);
    PageCell const* pc = cell_at(p, va);
    PageCell const* cc = cell_at(before, va);
    REQUIRE(pc);
    REQUIRE(cc);
    FrameNr const shared_frame = pc->frame;
    CHECK(cc->frame == shared_frame);
    CHECK(pc->refs == 2);
    CHECK(pc->shared);
    CHECK(pc->cow);
    CHECK(cc->cow);
    CHECK_FALSE(pc->writable);
    MemoryView const views[] = {p, before};
    auto const common = frames_in_common(views);
    CHECK(std::find(common.begin(), common.end(), shared_frame) != common.end());

    // Step until the child's page is its own: that step's events mark the copy.
    MemoryView c;
    for (int i = 0; i < 200; ++i) {
        REQUIRE(run->forward());
        c = memory_view(run->kernel(), child, run->last_step_events());
        if (cell_at(c, va) && cell_at(c, va)->frame != shared_frame)
            break;
    }
    PageCell const* split = cell_at(c, va);
    REQUIRE(split);
    CHECK(split->frame != shared_frame);
    CHECK(split->refs == 1);
    CHECK_FALSE(split->shared);
    CHECK(split->writable);
    REQUIRE(split->copied_from.has_value());
    CHECK(*split->copied_from == shared_frame);
    CHECK(split->copied_from_refs == pc->refs);  // What the frame had before: the animation's N.
    MemoryView const after = memory_view(run->kernel(), parent);
    PageCell const* left = cell_at(after, va);
    REQUIRE(left);
    CHECK(left->frame == shared_frame);
    CHECK(left->refs == 1);
    CHECK(split->copied_from_refs_now == left->refs);  // ... and now: N - 1.
    CHECK_FALSE(left->shared);
    CHECK_FALSE(left->copied_from.has_value());  // Only the writer's view shows the copy.
}

TEST_CASE("files diagram: parent and child reach one description through their own fds")
{
    auto run = stepper(kCowSplit);
    pid_t const parent = run->session().main_pid();
    REQUIRE(run->run_to(EventKind::Fork));
    pid_t const child = child_of(run->kernel(), parent);
    pid_t const pids[] = {parent, child};
    FilesDiagram const d = files_diagram(run->kernel(), pids);
    REQUIRE(d.tables.size() == 2);
    REQUIRE(d.tables[0].fds.size() >= 2);
    REQUIRE(d.tables[1].fds.size() >= 2);
    auto const& p1 = d.tables[0].fds[1];
    auto const& c1 = d.tables[1].fds[1];
    CHECK(p1.fd == 1);
    CHECK(c1.fd == 1);
    CHECK(p1.description == c1.description);  // fork shares the description, not a copy of it.
    FdRow const& desc = d.descriptions[p1.description].row;
    CHECK(desc.description_refs >= 2);
    auto const rows = files_view(run->kernel(), parent);
    REQUIRE(rows.size() >= 2);
    CHECK(std::find(rows[1].sharers.begin(), rows[1].sharers.end(), child) != rows[1].sharers.end());
    CHECK(d.inodes.size() <= d.descriptions.size());
}

TEST_CASE("stepper: back and forth and jumps agree with a straight run")
{
    auto run = stepper(kThreeForks);
    std::uint64_t const total = run->total();
    REQUIRE(total > 10);
    run->go_to(10);
    std::uint64_t const at10 = run->session().fingerprint();
    auto const lines10 = task_lines(run->kernel(), run->machine());
    CHECK_FALSE(lines10.empty());
    REQUIRE(run->forward());
    REQUIRE(run->back());
    CHECK(run->step() == 10);
    CHECK(run->session().fingerprint() == at10);
    run->go_to(total);
    CHECK(run->at_end());
    run->go_to(10);
    CHECK(run->session().fingerprint() == at10);
    run->restart();
    CHECK(run->step() == 0);
}

TEST_CASE("stepper: choosing another task re-plans the rest of the run")
{
    lang::RunOptions options;
    options.sched = *lang::parse_sched("manual");
    auto run = stepper(kCowSplit, options);
    pid_t const parent = run->session().main_pid();
    REQUIRE(run->run_to(EventKind::Fork));
    pid_t const child = child_of(run->kernel(), parent);
    CHECK(run->planned_next() == parent);  // Manual's plan goes on parent-first.
    std::uint64_t const here = run->step();
    REQUIRE(run->choose(child));
    CHECK(run->step() == here + 1);
    CHECK(run->session().choices().back().pid == child);
    CHECK(run->preview().plan[here] == child);
    run->go_to(run->total());
    CHECK(run->session().end() == lang::RunEnd::Finished);
}

namespace {

namespace fs = std::filesystem;

// A scenarios folder of its own in /tmp, removed at the end of the test.
struct TempScenarios {
    fs::path root = fs::temp_directory_path() / ("forklab_gui_test_" + std::to_string(::getpid()));
    TempScenarios() { fs::create_directories(root); }
    ~TempScenarios() { fs::remove_all(root); }
    fs::path write(std::string const& relative, std::string const& text) const
    {
        fs::path const path = root / relative;
        fs::create_directories(path.parent_path());
        std::ofstream(path) << text;
        return path;
    }
};

char const* const kHello = R"(//! title: Hello from two processes
//! summary: After fork both processes
//!   run the same printf.
//! sched: child-first
#include <stdio.h>
#include <unistd.h>
int main(void)
{
    fork();
    printf("hello\n");
    return 0;
}
)";

char const* const kBadMetadata = R"(//! title: A typo in the metadata
//! summry: the key is misspelt
int main(void)
{
    return 0;
}
)";

char const* const kBadCode = R"(//! title: A typo in the code
int main(void)
{
    int x = ;
    return 0;
}
)";

char const* const kUmaskAfterFork = R"(
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>
int main(void)
{
    umask(077);
    pid_t pid = fork();
    if (pid == 0) {
        umask(022);
        _exit(0);
    }
    sleep(1);
    wait(NULL);
    return 0;
}
)";

InspectorRow const& row_named(TaskInspection const& in, std::string_view name)
{
    auto it = std::find_if(in.rows.begin(), in.rows.end(), [&](InspectorRow const& r) { return r.attribute->name == name; });
    REQUIRE(it != in.rows.end());
    return *it;
}

}  // namespace

TEST_CASE("scenario list: grouped by folder with titles and summaries and errors kept")
{
    TempScenarios dir;
    dir.write("basics/hello.c", kHello);
    dir.write("basics/typo_meta.c", kBadMetadata);
    dir.write("memory/typo_code.c", kBadCode);
    dir.write("bin/true.c", "int main(void) { return 0; }\n");
    auto const groups = list_scenarios(dir.root);
    REQUIRE(groups.size() == 2);  // bin/ holds /bin's programs, not scenarios.
    CHECK(groups[0].name == "basics");
    CHECK(groups[1].name == "memory");
    REQUIRE(groups[0].scenarios.size() == 2);
    ScenarioEntry const& hello = groups[0].scenarios[0];
    CHECK(hello.file == "hello.c");
    CHECK(hello.title == "Hello from two processes");
    CHECK(hello.summary == "After fork both processes run the same printf.");
    CHECK(hello.error.empty());
    ScenarioEntry const& typo = groups[0].scenarios[1];
    CHECK(typo.title == "typo_meta.c");  // No title could be read: the file names it.
    CHECK(typo.error.find("summry") != std::string::npos);
    // A compile error is the compiler's to find when the program opens: the listing is clean.
    CHECK(groups[1].scenarios[0].error.empty());
    CHECK(first_scenario(groups) == hello.path);
}

TEST_CASE("scenario list: the source tree's scenarios are all listed and all load")
{
    auto const root = default_scenarios_dir();
    REQUIRE(root);
    auto const groups = list_scenarios(*root);
    std::size_t listed = 0;
    for (ScenarioGroup const& g : groups) {
        CHECK_FALSE(g.scenarios.empty());
        for (ScenarioEntry const& s : g.scenarios) {
            INFO(s.path.string() << ": " << s.error);
            CHECK(s.error.empty());
            CHECK(s.path.parent_path().filename().string() == g.name);
            ++listed;
        }
    }
    CHECK(listed == scenario::find_scenarios(*root).size());
    CHECK(listed > 10);
}

TEST_CASE("open program: the metadata sets the run and errors point at their line")
{
    TempScenarios dir;
    SUBCASE("a scenario runs with its own scheduler")
    {
        OpenedProgram const p = open_program(dir.write("hello.c", kHello), nullptr);
        REQUIRE(p.run);
        CHECK(program_error(p).empty());
        CHECK(p.run->options().sched.policy == lang::SchedPolicy::ChildFirst);
        CHECK(p.run->total() > 0);
    }
    SUBCASE("the options maker is asked for every program opened")
    {
        int asked = 0;
        OptionsFor const manual = [&asked](scenario::Loaded const& loaded) {
            ++asked;
            lang::RunOptions options = scenario::run_options(loaded);
            options.sched = *lang::parse_sched("round-robin");
            return options;
        };
        OpenedProgram const p = open_program(dir.write("hello.c", kHello), manual);
        REQUIRE(p.run);
        CHECK(asked == 1);
        CHECK(p.run->options().sched.policy == lang::SchedPolicy::RoundRobin);
    }
    SUBCASE("a metadata error: no run, and the error names line 2")
    {
        OpenedProgram const p = open_program(dir.write("typo.c", kBadMetadata), nullptr);
        CHECK_FALSE(p.run);
        CHECK(diagnostic_line(program_error(p)) == 2);
        CHECK(p.text == kBadMetadata);
    }
    SUBCASE("a compile error: the run does not start, and the error names line 4")
    {
        OpenedProgram const p = open_program(dir.write("typo.c", kBadCode), nullptr);
        REQUIRE(p.run);
        CHECK(p.run->failed_to_start());
        CHECK(diagnostic_line(program_error(p)) == 4);
    }
}

TEST_CASE("diagnostic line: the line of file colon line colon column and none otherwise")
{
    CHECK(diagnostic_line("x.c:12:5: error: expected expression") == 12);
    CHECK(diagnostic_line("/a:b/x.c:3:1: error: y\n 3 | int\n") == 3);
    CHECK(diagnostic_line("cannot open x.c: No such file or directory") == std::nullopt);
    CHECK(diagnostic_line("x.c:7: no column") == std::nullopt);
}

TEST_CASE("open program: a missing file or a directory or a device or a binary is a sentence and no run")
{
    TempScenarios dir;
    auto no_program = [](fs::path const& path) {
        OpenedProgram const p = open_program(path, nullptr);
        INFO(path.string() << ": " << p.error);
        CHECK_FALSE(p.run);
        CHECK(program_error(p) == p.error);
        CHECK(diagnostic_line(p.error) == std::nullopt);  // No line to mark: the panel shows the sentence.
        CHECK(p.text.empty());
        return p.error;
    };
    CHECK(no_program(dir.root / "missing.c").find("No such file") != std::string::npos);
    CHECK(no_program(dir.root).find("is a directory") != std::string::npos);
    // A read of /dev/zero never ends: it must be refused before anything reads it.
    CHECK(no_program("/dev/zero").find("not a regular file") != std::string::npos);
    std::string elf("\x7f" "ELF\x02\x01\x01", 7);
    elf += std::string(9, '\0') + "int main(void) { return 0; }\n";
    std::string const binary = no_program(dir.write("a.out.c", elf));
    CHECK(binary.find("binary") != std::string::npos);
    CHECK(binary.find("offset 7") != std::string::npos);
}

TEST_CASE("file chooser: folders first then only the .c files and nothing hidden")
{
    TempScenarios dir;
    dir.write("b.c", "int main(void) { return 0; }\n");
    dir.write("a.c", "int main(void) { return 0; }\n");
    dir.write("notes.txt", "not a program\n");
    dir.write("prog", "an executable, say\n");
    dir.write(".hidden.c", "int main(void) { return 0; }\n");
    dir.write("zdir/x.c", "int main(void) { return 0; }\n");
    dir.write("adir/y.txt", "\n");
    dir.write(".git/config", "\n");
    fs::create_directories(dir.root / "c_dir.c");  // A folder named like a C file is a folder.
    DirListing const l = list_c_files(dir.root / "zdir" / "..");
    CHECK(l.error.empty());
    CHECK(l.dir == fs::absolute(dir.root).lexically_normal());  // ".." resolved, for going up.
    std::vector<std::string> names;
    for (DirEntry const& e : l.entries) {
        names.push_back(e.name);
        CHECK(e.directory == fs::is_directory(e.path));
        CHECK(e.path.filename().string() == e.name);
    }
    CHECK(names == std::vector<std::string>{"adir", "c_dir.c", "zdir", "a.c", "b.c"});
}

TEST_CASE("file chooser: a folder that cannot be read is a message and never a throw")
{
    TempScenarios dir;
    fs::path const file = dir.write("a.c", "int main(void) { return 0; }\n");
    DirListing const missing = list_c_files(dir.root / "missing");
    CHECK(missing.entries.empty());
    CHECK(missing.error.find("No such file") != std::string::npos);
    DirListing const not_dir = list_c_files(file);
    CHECK(not_dir.entries.empty());
    CHECK(not_dir.error.find("Not a directory") != std::string::npos);
    fs::path const locked = dir.root / "locked";
    fs::create_directories(locked / "inside");
    ::chmod(locked.c_str(), 0);
    DirListing const denied = list_c_files(locked);
    if (::geteuid() == 0) {
        MESSAGE("running as root: mode 000 does not stop root listing a folder");
        CHECK(denied.error.empty());
    } else {
        CHECK(denied.entries.empty());
        CHECK(denied.error.find("Permission denied") != std::string::npos);
    }
    ::chmod(locked.c_str(), 0755);

    FileChooser chooser;
    REQUIRE(chooser.go_to(dir.root));
    CHECK_FALSE(chooser.go_to(dir.root / "missing"));
    CHECK(chooser.listing().dir == fs::absolute(dir.root).lexically_normal());  // Stayed where it was.
    CHECK(chooser.listing().entries.size() == 2);  // a.c and locked/.
    CHECK(chooser.message().find("No such file") != std::string::npos);
}

TEST_CASE("file chooser: Enter goes into folders and opens readable regular files only")
{
    TempScenarios dir;
    fs::path const a = dir.write("a.c", "int main(void) { return 0; }\n");
    dir.write("sub/b.c", "int main(void) { return 0; }\n");
    fs::path const root = fs::absolute(dir.root).lexically_normal();
    FileChooser chooser;
    REQUIRE(chooser.go_to(dir.root));
    CHECK(chooser.typed() == root.string() + "/");

    chooser.typed() = "sub";
    CHECK_FALSE(chooser.enter());
    CHECK(chooser.listing().dir == root / "sub");
    REQUIRE(chooser.listing().entries.size() == 1);
    CHECK(chooser.listing().entries[0].name == "b.c");

    chooser.typed() = "../a.c";  // Relative to the folder shown.
    auto const opened = chooser.enter();
    REQUIRE(opened);
    CHECK(fs::equivalent(*opened, a));
    CHECK(chooser.message().empty());

    chooser.typed() = "nope.c";
    CHECK_FALSE(chooser.enter());
    CHECK(chooser.message().find("No such file") != std::string::npos);
    chooser.typed() = "/dev/null";
    CHECK_FALSE(chooser.enter());
    CHECK(chooser.message().find("not a regular file") != std::string::npos);
    chooser.typed() = "";
    CHECK_FALSE(chooser.enter());
    CHECK_FALSE(chooser.message().empty());

    REQUIRE(chooser.go_up());
    CHECK(chooser.listing().dir == root);
    DirEntry const sub = chooser.listing().entries.front();
    REQUIRE(sub.directory);
    CHECK_FALSE(chooser.choose(sub));  // A folder is entered, not opened.
    CHECK(chooser.listing().dir == root / "sub");
    auto const b = chooser.choose(chooser.listing().entries.front());
    REQUIRE(b);
    CHECK(b->filename() == "b.c");
}

TEST_CASE("event filter: every kind has one family and the chips name them apart")
{
    std::set<std::string_view> names;
    for (int f = 0; f < kEventFamilyCount; ++f)
        names.insert(event_family_name(EventFamily(f)));
    CHECK(names.size() == std::size_t(kEventFamilyCount));
    std::set<int> used;
    for (int k = 0; k < kEventKindCount; ++k) {
        int const f = int(event_family(EventKind(k)));
        CHECK(f >= 0);
        CHECK(f < kEventFamilyCount);
        used.insert(f);
    }
    CHECK(used.size() == std::size_t(kEventFamilyCount));  // No chip that can never match.
    CHECK(event_family(EventKind::Fork) == EventFamily::Fork);
    CHECK(event_family(EventKind::PageFault) == EventFamily::Fault);
    CHECK(event_family(EventKind::SignalDefault) == EventFamily::Signal);
    CHECK(event_family(EventKind::FileWrite) == EventFamily::Io);
}

TEST_CASE("event filter: a task's events are the ones about it and not a frame or inode of the same number")
{
    auto ev = [](EventKind kind, pid_t pid, pid_t other, std::int64_t value = 0) {
        Event e;
        e.kind = kind;
        e.pid = pid;
        e.other = other;
        e.value = value;
        return e;
    };
    CHECK(involves(ev(EventKind::Fork, 3, 7), 7));         // Its birth.
    CHECK(involves(ev(EventKind::Fork, 3, 7), 3));
    CHECK(involves(ev(EventKind::Reap, 3, 7), 7));         // Its end.
    CHECK(involves(ev(EventKind::Reparent, 9, 7, 1), 7));  // Its exit orphaned pid 9...
    CHECK(involves(ev(EventKind::Reparent, 9, 7, 1), 1));  // ...whom pid 1 adopts.
    CHECK(involves(ev(EventKind::FileWrite, 3, 7), 7));    // A write moved the offset it shares.
    CHECK_FALSE(involves(ev(EventKind::PageFault, 3, 7), 7));   // other: the old frame.
    CHECK_FALSE(involves(ev(EventKind::FileOpened, 3, 7), 7));  // other: the inode.
    CHECK_FALSE(involves(ev(EventKind::Exit, 3, 0, 7), 7));     // value: a wait status.

    EventFilter filter;
    filter.pids = {7};
    CHECK(filter.shows(ev(EventKind::Exit, 7, 0)));
    CHECK_FALSE(filter.shows(ev(EventKind::Exit, 8, 0)));
    filter.toggle(EventFamily::Exit);
    CHECK_FALSE(filter.shows(EventFamily::Exit));
    CHECK_FALSE(filter.shows(ev(EventKind::Exit, 7, 0)));
    CHECK(filter.shows(ev(EventKind::Fork, 3, 7)));
    filter.toggle(EventFamily::Exit);
    CHECK(filter.shows(ev(EventKind::Exit, 7, 0)));
}

TEST_CASE("event filter: one child of two and no page faults in a real run")
{
    auto run = stepper(kThreeForks);
    auto const& events = run->preview().events;
    std::vector<pid_t> children;  // The main program's own children, in fork order.
    pid_t const main_pid = child_of(run->kernel(), 1);
    for (Event const& e : events)
        if (e.kind == EventKind::Fork && e.pid == main_pid)
            children.push_back(e.other);
    REQUIRE(children.size() == 3);
    pid_t const first = children[0], second = children[1];

    EventFilter filter;
    filter.pids = {first};
    filter.toggle(EventFamily::Fault);
    FilteredEvents const only = filter_events(events, filter, run->total());
    REQUIRE_FALSE(only.rows.empty());
    CHECK(only.past == only.rows.size());  // At the end, every event is in the past.
    int births = 0, exits = 0;
    for (std::size_t i : only.rows) {
        Event const& e = events[i];
        CHECK(e.kind != EventKind::PageFault);
        CHECK(e.pid != second);  // The sibling's own events are not the first child's.
        births += e.kind == EventKind::Fork && e.other == first;
        exits += e.kind == EventKind::Exit && e.pid == first;
    }
    CHECK(births == 1);
    CHECK(exits == 1);
    for (std::size_t i = 0; i < events.size(); ++i)
        if (events[i].pid == first && events[i].kind != EventKind::PageFault)
            CHECK(std::find(only.rows.begin(), only.rows.end(), i) != only.rows.end());

    // Halfway: the rows split at the current step into past and future.
    std::uint64_t const now = events[only.rows[only.rows.size() / 2]].step;
    FilteredEvents const half = filter_events(events, filter, now);
    REQUIRE(half.past > 0);
    CHECK(events[half.rows[half.past - 1]].step <= now);
    if (half.past < half.rows.size())
        CHECK(events[half.rows[half.past]].step > now);
    CHECK(filter_events(events, EventFilter{}, run->total()).rows.size() == events.size());
}

TEST_CASE("inspector: every attribute of the child beside its parent's")
{
    auto run = stepper(kUmaskAfterFork, [] {
        lang::RunOptions o;
        o.sched = *lang::parse_sched("parent-first");
        return o;
    }());
    pid_t const parent = run->session().main_pid();
    REQUIRE(run->run_to(EventKind::Fork));
    pid_t const child = child_of(run->kernel(), parent);
    REQUIRE(child);
    CHECK(default_inspected(run->kernel()) == child);
    auto in = inspect_task(run->kernel(), child);
    REQUIRE(in);
    CHECK(in->parent == parent);
    REQUIRE(in->rows.size() == task_attributes().size());
    for (std::size_t i = 0; i < in->rows.size(); ++i)
        CHECK(in->rows[i].attribute == &task_attributes()[i]);

    InspectorRow const& id = row_named(*in, "process ID");
    CHECK(id.attribute->fork == AtFork::Reset);
    CHECK(id.value == std::to_string(child));
    CHECK(id.parent_value == std::to_string(parent));
    CHECK(id.differs);
    CHECK(row_named(*in, "parent process ID").value == std::to_string(parent));
    InspectorRow const& mask = row_named(*in, "umask");
    CHECK(mask.attribute->fork == AtFork::Inherited);
    CHECK_FALSE(mask.differs);  // Just forked: the child has a copy of the parent's 077.
    std::string const inherited = mask.value;

    // The child's umask(022) changes its copy only.
    bool changed = false;
    while (!changed && run->forward()) {
        in = inspect_task(run->kernel(), child);
        REQUIRE(in);
        if (in->zombie)
            break;
        changed = row_named(*in, "umask").differs;
    }
    REQUIRE(changed);
    CHECK(row_named(*in, "umask").parent_value == inherited);

    // A zombie has let go of its fs_struct: the inspector says so instead of reading it.
    while (run->forward()) {
        auto const now = inspect_task(run->kernel(), child);
        if (!now || now->zombie)
            break;
    }
    in = inspect_task(run->kernel(), child);
    REQUIRE(in);
    REQUIRE(in->zombie);
    CHECK(row_named(*in, "umask").value == "(released at exit)");
    CHECK(default_inspected(run->kernel()) == parent);  // The newest live process.
    run->go_to(run->total());
    CHECK_FALSE(inspect_task(run->kernel(), child));  // Reaped: nothing left to inspect.
}

TEST_CASE("frame: every forked pid has its colour from step 0 and re-planning refreshes them")
{
    auto run = stepper(kThreeForks);
    Palette palette;
    PidColours colours;
    colours.see_run(palette, *run);
    std::set<pid_t> known;
    pid_t last_forked = 0;
    for (Event const& e : run->preview().events)
        if (e.kind == EventKind::Fork)
            known.insert(last_forked = e.other);
    for (Task const& t : run->kernel().tasks())
        known.insert(t.pid);
    known.erase(1);  // init is grey, never assigned.
    REQUIRE(known.size() >= 8);
    CHECK(palette.size() == known.size());  // Those alive now and every one still to come.
    Rgb const last = palette.colour_of(last_forked);
    CHECK_FALSE(last == Palette::kInitGrey);
    run->go_to(run->total());
    colours.see_run(palette, *run);
    CHECK(palette.size() == known.size());
    CHECK(palette.colour_of(last_forked) == last);

    auto const shown = shown_pids(run->kernel(), {});
    CHECK(std::find(shown.begin(), shown.end(), pid_t(1)) == shown.end());
    CHECK(std::is_sorted(shown.begin(), shown.end()));
    CHECK(shown.size() <= kMostShownProcesses);
    CHECK(shown_pids(run->kernel(), {1}) == std::vector<pid_t>{1});
}

namespace {

// Sixteen pages written before fork; the child writes one of them.
char const* const kForkAndWrite = R"(
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
char big[16 * 4096];
int main(void)
{
    memset(big, 1, sizeof big);
    pid_t pid = fork();
    if (pid == 0) {
        big[0] = 2;
        _exit(0);
    }
    wait(NULL);
    return 0;
}
)";

StrategyColumn const& column(StrategyComparison const& c, ForkStrategy s)
{
    auto it = std::find_if(c.columns.begin(), c.columns.end(), [s](StrategyColumn const& col) { return col.strategy == s; });
    REQUIRE(it != c.columns.end());
    return *it;
}

CompareRow const& row_named(StrategyComparison const& c, std::string const& label)
{
    auto it = std::find_if(c.rows.begin(), c.rows.end(), [&](CompareRow const& r) { return r.label == label; });
    REQUIRE(it != c.rows.end());
    return *it;
}

void check_same(StrategyMeasures const& a, StrategyMeasures const& b)
{
    CHECK(a.mm.ptes_copied == b.mm.ptes_copied);
    CHECK(a.mm.pt_pages_copied == b.mm.pt_pages_copied);
    CHECK(a.mm.pt_pages_shared == b.mm.pt_pages_shared);
    CHECK(a.mm.frames_copied == b.mm.frames_copied);
    CHECK(a.mm.cow_copies == b.mm.cow_copies);
    CHECK(a.mm.cow_reuses == b.mm.cow_reuses);
    CHECK(a.mm.zero_maps == b.mm.zero_maps);
    CHECK(a.mm.minor_faults == b.mm.minor_faults);
    CHECK(a.rss.shared == b.rss.shared);
    CHECK(a.rss.private_ == b.rss.private_);
    CHECK(a.frames_in_use == b.frames_in_use);
    CHECK(a.table_pages == b.table_pages);
}

void check_same(StrategyComparison const& a, StrategyComparison const& b)
{
    CHECK(a.step == b.step);
    CHECK(a.current == b.current);
    REQUIRE(a.columns.size() == b.columns.size());
    for (std::size_t i = 0; i < a.columns.size(); ++i) {
        CHECK(a.columns[i].strategy == b.columns[i].strategy);
        CHECK(a.columns[i].step == b.columns[i].step);
        check_same(a.columns[i].measures, b.columns[i].measures);
    }
}

lang::RunOptions with_strategy(ForkStrategy s)
{
    lang::RunOptions o;
    o.kernel.fork_strategy = s;
    return o;
}

}  // namespace

TEST_CASE("strategy compare: copy copies every page at fork and cow only the written one")
{
    auto run = stepper(kForkAndWrite);
    REQUIRE(run->run_to(EventKind::Fork));
    StrategyComparison const at_fork = compare_strategies(*run);
    CHECK(at_fork.step == run->step());
    CHECK(at_fork.columns[at_fork.current].strategy == ForkStrategy::Cow);
    StrategyMeasures const& cow = column(at_fork, ForkStrategy::Cow).measures;
    StrategyMeasures const& copy = column(at_fork, ForkStrategy::Copy).measures;
    StrategyMeasures const& odf = column(at_fork, ForkStrategy::Odf).measures;
    CHECK(copy.mm.frames_copied >= 16);  // At least big's sixteen pages.
    CHECK(cow.mm.frames_copied == 0);
    CHECK(odf.mm.frames_copied == 0);
    CHECK(copy.frames_in_use >= cow.frames_in_use + 16);
    CHECK(cow.mm.ptes_copied >= 16);      // cow copies the entries ...
    CHECK(odf.mm.ptes_copied < cow.mm.ptes_copied);  // ... odf shares the tables instead.
    CHECK(odf.mm.pt_pages_shared > 0);
    CHECK(odf.table_pages < cow.table_pages);
    CHECK(cow.rss.shared > copy.rss.shared);  // Shared until written, under cow.
    CompareRow const& in_all = row_named(at_fork, "frames copied, in all");
    CHECK(in_all.best[at_fork.current]);
    CHECK_FALSE(in_all.best[std::size_t(&column(at_fork, ForkStrategy::Copy) - at_fork.columns.data())]);

    // Once the child has written big[0], cow has copied that page; copy still copied far more.
    run->go_to(run->total());
    StrategyComparison const at_end = compare_strategies(*run);
    StrategyMeasures const& cow_end = column(at_end, ForkStrategy::Cow).measures;
    StrategyMeasures const& copy_end = column(at_end, ForkStrategy::Copy).measures;
    CHECK(cow_end.mm.cow_copies >= 1);
    CHECK(cow_end.mm.cow_copies < copy_end.mm.frames_copied);
    CHECK(copy_end.mm.frames_copied + copy_end.mm.cow_copies > cow_end.mm.frames_copied + cow_end.mm.cow_copies);
}

TEST_CASE("strategy compare: each column equals a direct run under that strategy at the step")
{
    for (ForkStrategy s : {ForkStrategy::Cow, ForkStrategy::Copy, ForkStrategy::Odf}) {
        INFO("the run's strategy: " << fork_strategy_name(s));
        auto run = stepper(kForkAndWrite, with_strategy(s));
        REQUIRE(run->run_to(EventKind::Fork));
        run->forward();
        run->forward();
        StrategyComparison const c = compare_strategies(*run);
        REQUIRE(c.columns.size() == 3);
        CHECK(c.columns[c.current].strategy == s);
        check_same(c.columns[c.current].measures, measure_memory(run->kernel()));
        MmCounters const& live = run->kernel().mm_counters();
        CHECK(c.columns[c.current].measures.mm.ptes_copied == live.ptes_copied);
        CHECK(c.columns[c.current].measures.frames_in_use == run->kernel().physical_memory().in_use());
        for (StrategyColumn const& col : c.columns) {
            INFO("column: " << fork_strategy_name(col.strategy));
            CHECK(col.stopped.empty());
            CHECK(col.step == run->step());
            auto direct = stepper(kForkAndWrite, with_strategy(col.strategy));
            direct->go_to(run->step());
            check_same(col.measures, measure_memory(direct->kernel()));
        }
    }
}

TEST_CASE("strategy compare: best marks the lowest cost only where the strategies differ")
{
    auto run = stepper(kForkAndWrite);
    StrategyComparison const before = compare_strategies(*run);  // Step 0: no fork yet.
    for (CompareRow const& r : before.rows)
        for (bool b : r.best)
            CHECK_FALSE(b);
    run->go_to(run->total());
    StrategyComparison const c = compare_strategies(*run);
    bool any = false;
    for (CompareRow const& r : c.rows) {
        INFO(r.label);
        if (r.section) {
            CHECK(r.values.empty());
            continue;
        }
        REQUIRE(r.values.size() == c.columns.size());
        REQUIRE(r.best.size() == c.columns.size());
        std::uint64_t const low = *std::min_element(r.values.begin(), r.values.end());
        std::uint64_t const high = *std::max_element(r.values.begin(), r.values.end());
        for (std::size_t i = 0; i < r.values.size(); ++i) {
            bool const should = r.better == Better::Lower && low != high && r.values[i] == low;
            CHECK(r.best[i] == should);
            any = any || r.best[i];
        }
    }
    CHECK(any);
}

TEST_CASE("strategy compare: the comparer recomputes only when the step or the run changes")
{
    auto run = stepper(kForkAndWrite);
    StrategyComparer comparer;
    REQUIRE(run->run_to(EventKind::Fork));
    check_same(comparer.at(*run), compare_strategies(*run));
    CHECK(comparer.updates() == 1);
    comparer.at(*run);
    comparer.at(*run);
    CHECK(comparer.updates() == 1);  // The same step: nothing computed again.
    for (int i = 0; i < 3; ++i)
        run->forward();
    check_same(comparer.at(*run), compare_strategies(*run));
    run->back();
    check_same(comparer.at(*run), compare_strategies(*run));
    CHECK(comparer.updates() == 3);

    lang::RunOptions o = run->options();
    o.kernel.fork_strategy = ForkStrategy::Odf;
    run->set_options(o);
    StrategyComparison const& now = comparer.at(*run);
    CHECK(now.columns[now.current].strategy == ForkStrategy::Odf);
    check_same(now, compare_strategies(*run));
    CHECK(comparer.updates() == 4);
}

TEST_CASE("strategy compare: a run that parts from the schedule says where it stopped")
{
    // Under cow the child sees big shared and keeps running; under copy it exits at once, so
    // the schedule's later steps of the child cannot be taken.
    char const* const kDepends = R"(
#include <unistd.h>
#include <sys/wait.h>
#include "forklab.h"
int x = 1;
int main(void)
{
    x = 2;
    if (fork() == 0) {
        if (!forklab_shared(&x))
            _exit(0);
        for (int i = 0; i < 5; i++)
            x = x + i;
        _exit(0);
    }
    wait(NULL);
    return 0;
}
)";
    lang::RunOptions o = with_strategy(ForkStrategy::Cow);
    o.sched.policy = lang::SchedPolicy::ChildFirst;
    auto run = stepper(kDepends, o);
    run->go_to(run->total());
    StrategyComparison const c = compare_strategies(*run);
    StrategyColumn const& copy = column(c, ForkStrategy::Copy);
    CHECK(copy.step < run->step());
    CHECK_FALSE(copy.stopped.empty());
    CHECK(column(c, ForkStrategy::Cow).stopped.empty());
    std::size_t const i = std::size_t(&copy - c.columns.data());
    for (CompareRow const& r : c.rows)
        if (!r.section)
            CHECK_FALSE(r.best[i]);
}

TEST_CASE("outcome list: each possible output replays step by step in the stepper")
{
    // Parent and child each print a line: two outputs. Following each row's schedule, the run
    // ends with exactly that row's output, and the list then marks that row as the current one.
    char const* const kRace = R"(
#include <stdio.h>
#include <unistd.h>
int main(void)
{
    if (fork() == 0)
        printf("child\n");
    else
        printf("parent\n");
    return 0;
}
)";
    auto run = stepper(kRace);
    OutcomeList const list = list_outcomes(*run, 10'000);
    REQUIRE(list.ok);
    CHECK(list.complete);
    REQUIRE(list.rows.size() == 2);
    CHECK(list.rows[0].output != list.rows[1].output);
    for (std::size_t i = 0; i < list.rows.size(); ++i) {
        run->follow(list.rows[i].schedule);
        CHECK(run->step() == 0);
        while (run->forward())
            ;
        CHECK(run->kernel().terminal().text() == list.rows[i].output);
        CHECK(current_outcome(list, *run) == int(i));
    }
}

TEST_CASE("outcome list: a bound too small for the program is reported")
{
    char const* const kMany = R"(
#include <stdio.h>
#include <unistd.h>
int main(void)
{
    fork();
    fork();
    printf("%d\n", getpid());
    return 0;
}
)";
    auto run = stepper(kMany);
    OutcomeList const list = list_outcomes(*run, 3);
    REQUIRE(list.ok);
    CHECK_FALSE(list.complete);
    CHECK(list.states == 3);
}

TEST_CASE("outcome list: the P panel's search is bounded in time as well as in choice points")
{
    // The core of scenarios/myths/no_limit_of_32.c, whose search for OutcomeCache::kMaxStates
    // choice points took 30 s in a release build: the panel is drawn by the GUI's only thread,
    // which must not freeze that long.
    char const* const kHundredChildren = R"(
#include <stdio.h>
#include <unistd.h>
#include <sys/wait.h>
int main(void)
{
    int hold[2];
    pipe(hold);
    for (int i = 0; i < 100; i++) {
        if (fork() == 0) {
            char c;
            close(hold[1]);
            read(hold[0], &c, 1);
            _exit(0);
        }
    }
    close(hold[1]);
    int reaped = 0;
    while (wait(NULL) > 0)
        reaped++;
    printf("%d\n", reaped);
    return 0;
}
)";
    auto run = stepper(kHundredChildren);
    OutcomeList const list = list_outcomes(*run, OutcomeCache::kMaxStates, std::chrono::milliseconds(1));
    REQUIRE(list.ok);
    CHECK_FALSE(list.complete);
    CHECK(list.states < OutcomeCache::kMaxStates);
    CHECK(OutcomeCache::kMaxTime <= std::chrono::seconds(2));
}
