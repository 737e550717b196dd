// The GUI's view-model without a window: the process tree's layout, the memory view's rows, the
// files diagram, the colours per task, and the stepper that drives a session for the panels.
#include "model/files_rows.h"
#include "model/frame.h"
#include "model/inspector_rows.h"
#include "model/memory_rows.h"
#include "model/open_program.h"
#include "model/palette.h"
#include "model/scenario_list.h"
#include "model/source_marks.h"
#include "model/stepper.h"
#include "model/tree_layout.h"

#include "support/program.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
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
    MemoryView const after = memory_view(run->kernel(), parent);
    PageCell const* left = cell_at(after, va);
    REQUIRE(left);
    CHECK(left->frame == shared_frame);
    CHECK(left->refs == 1);
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
