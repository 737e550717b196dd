// forklab-gui [FILE] [--at STEP | --at-note N | --at-end] [--screenshot OUT.png] [--size WxH]
//             [--compare] [--outcomes] [--schedule PIDS] [--anim-phase P]
//
// Without FILE: the scenario browser, with the first scenario open.
// Without --screenshot: the interactive window. With it: a hidden window renders that moment of
// the run once and writes it to a PNG, for slides, docs and tests (under Xvfb on a machine
// without a display). The main loop follows Dear ImGui's example_glfw_opengl3: init, poll, new
// frame, panels, render, and shutdown in reverse.
#include "app.h"
#include "fonts.h"
#include "screenshot.h"

#include "scenario/library.h"

#include <backends/imgui_impl_glfw.h>
#include <backends/imgui_impl_opengl3.h>
#include <GLFW/glfw3.h>
#include <CLI/CLI.hpp>

#include <cstdio>
#include <cstdlib>
#include <iostream>

// Under AddressSanitizer: Mesa's OpenGL driver is loaded with dlopen() and unloaded before
// exit, so the few buffers it keeps for the life of the process are reported as leaks from an
// "<unknown module>" that no suppression can name. The simulation's own leaks are caught by the
// test suites, which open no window.
extern "C" char const* __asan_default_options()
{
    return "detect_leaks=0";
}

namespace {

using namespace forklab;

struct Args {
    std::string file;
    std::optional<std::uint64_t> at;
    std::optional<std::size_t> at_note;
    bool at_end = false;
    std::string screenshot;
    std::string size = "1280x720";
    std::optional<std::string> sched;
    std::optional<std::string> strategy;
    std::uint64_t max_steps = 1'000'000;
    std::optional<float> font_size;
    bool show_help = false;
    bool show_compare = false;
    bool show_outcomes = false;
    std::optional<std::string> schedule;
    std::optional<float> anim_phase;
    std::optional<pid_t> inspect;
    bool scenarios = false;
    std::vector<pid_t> select;
    bool choose_file = false;
};

struct Size {
    int w = 1280, h = 720;
};

[[noreturn]] void fail(int status, std::string const& message)
{
    std::cerr << "forklab-gui: " << message << "\n";
    std::exit(status);
}

Size parse_size(std::string const& text)
{
    Size s;
    char x = 0;
    if (std::sscanf(text.c_str(), "%d%c%d", &s.w, &x, &s.h) != 3 || x != 'x' || s.w < 320 || s.h < 240 ||
        s.w > 8192 || s.h > 8192)
        fail(2, "--size wants WIDTHxHEIGHT, e.g. 1600x1000 (at least 320x240), not '" + text + "'");
    return s;
}

bool have_display()
{
    char const* x = std::getenv("DISPLAY");
    char const* wayland = std::getenv("WAYLAND_DISPLAY");
    return (x && *x) || (wayland && *wayland);
}

[[noreturn]] void no_display()
{
    fail(2, "no display to open a window on (DISPLAY is not set).\n"
            "  To render without a screen, run it under a virtual X server:\n"
            "    xvfb-run -a forklab-gui FILE --at-end --screenshot out.png\n"
            "  Or use the command-line tool, which needs no display:\n"
            "    forklab run FILE    (and forklab --help for the state dumps)");
}

// The command line's choices on top of each opened scenario's own metadata.
lang::RunOptions run_options(Args const& args, scenario::Loaded const& loaded)
{
    lang::RunOptions base;
    base.max_steps = args.max_steps;
    lang::RunOptions options = scenario::run_options(loaded, base);
    if (args.sched) {
        // The GUI is a client that can choose each step, so manual scheduling is allowed here.
        auto sched = lang::parse_sched(*args.sched);
        if (!sched)
            fail(2, "--sched wants parent-first, child-first, round-robin[:N], random[:SEED] or manual, not '" +
                    *args.sched + "'");
        options.sched = *sched;
    }
    if (args.strategy) {
        if (*args.strategy == "cow")
            options.kernel.fork_strategy = ForkStrategy::Cow;
        else if (*args.strategy == "copy")
            options.kernel.fork_strategy = ForkStrategy::Copy;
        else if (*args.strategy == "odf")
            options.kernel.fork_strategy = ForkStrategy::Odf;
        else
            fail(2, "--strategy wants cow, copy or odf, not '" + *args.strategy + "'");
    }
    return options;
}

// FILE, or the browser's first scenario. A file that cannot be read at all is an error here,
// as for `forklab run`; a file whose metadata or C does not parse opens, to show the error.
gui::OpenedProgram open_first(Args const& args, std::vector<gui::ScenarioGroup> const& scenarios,
    gui::OptionsFor const& options_for)
{
    std::filesystem::path path = args.file;
    if (path.empty()) {
        auto first = gui::first_scenario(scenarios);
        if (!first)
            fail(2, "no FILE given and no scenarios/ folder found to browse; give a .c file");
        path = *first;
    }
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec))
        fail(2, "cannot open " + path.string() + ": no such file");
    return gui::open_program(path, options_for);
}

// Where the run starts: --at, --at-note or --at-end.
// The order to follow (--schedule), then the step to start at.
void start_at(Args const& args, gui::Stepper& run)
{
    if (args.schedule) {
        auto pids = lang::parse_schedule(*args.schedule);
        if (!pids)
            fail(2, "--schedule '" + *args.schedule + "': expected pids separated by commas, e.g. 2,2,3");
        run.follow(std::move(*pids));
    }
    if (args.at_end)
        run.go_to(run.total());
    else if (args.at_note && !run.go_to_note(*args.at_note))
        fail(2, "--at-note " + std::to_string(*args.at_note) + ": the run makes " +
                std::to_string(run.preview().notes.size()) + " NOTE(s)");
    else if (args.at)
        run.go_to(*args.at);
}

GLFWwindow* open_window(Size size, bool visible)
{
    if (!have_display())
        no_display();
    glfwSetErrorCallback([](int, char const* what) { std::cerr << "forklab-gui: GLFW: " << what << "\n"; });
    if (!glfwInit())
        no_display();
    glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
    glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 0);
    glfwWindowHint(GLFW_VISIBLE, visible ? GLFW_TRUE : GLFW_FALSE);
    GLFWwindow* window = glfwCreateWindow(size.w, size.h, "forklab", nullptr, nullptr);
    if (!window) {
        glfwTerminate();
        fail(2, "cannot create an OpenGL 3 window (is Mesa's libgl1-mesa-dri installed?)");
    }
    glfwMakeContextCurrent(window);
    glfwSwapInterval(1);
    return window;
}

void render(GLFWwindow* window)
{
    ImGui::Render();
    int w = 0, h = 0;
    glfwGetFramebufferSize(window, &w, &h);
    glViewport(0, 0, w, h);
    glClearColor(0.96f, 0.96f, 0.96f, 1);
    glClear(GL_COLOR_BUFFER_BIT);
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
}

void new_frame()
{
    ImGui_ImplOpenGL3_NewFrame();
    ImGui_ImplGlfw_NewFrame();
    ImGui::NewFrame();
}

// Several frames, so that everything sized from the last frame (tables, scroll positions,
// auto-fitting windows) has settled, then the last one read back.
int screenshot(GLFWwindow* window, gui::App& app, std::string const& path)
{
    for (int i = 0; i < 4; ++i) {
        glfwPollEvents();
        new_frame();
        app.frame(0);
        render(window);
        if (i < 3)
            glfwSwapBuffers(window);
    }
    int w = 0, h = 0;
    glfwGetFramebufferSize(window, &w, &h);
    glReadBuffer(GL_BACK);
    std::string const error = gui::save_framebuffer_png(path, w, h);
    if (!error.empty()) {
        std::cerr << "forklab-gui: " << error << "\n";
        return 1;
    }
    return 0;
}

void interactive(GLFWwindow* window, gui::App& app)
{
    double last = glfwGetTime();
    while (!glfwWindowShouldClose(window)) {
        if (app.view().playing)
            glfwPollEvents();
        else
            glfwWaitEventsTimeout(0.5);
        if (auto size = std::exchange(app.view().new_font_size, std::nullopt)) {
            app.set_fonts(gui::load_fonts(*size));
            ImGui_ImplOpenGL3_DestroyFontsTexture();
            ImGui_ImplOpenGL3_CreateFontsTexture();
        }
        double const now = glfwGetTime();
        new_frame();
        app.frame(float(now - last));
        last = now;
        render(window);
        glfwSwapBuffers(window);
    }
}

}  // namespace

int main(int argc, char** argv)
{
    CLI::App cli{"forklab-gui: watch fork, exec and copy-on-write happen, one statement at a time"};
    Args args;
    cli.add_option("FILE", args.file, "A C program or scenario (.c); without one, the scenario browser opens");
    auto* at = cli.add_option("--at", args.at, "Start at this step (0: before the first)");
    auto* at_note = cli.add_option("--at-note", args.at_note, "Start at the step that makes the N-th NOTE");
    auto* at_end = cli.add_flag("--at-end", args.at_end, "Start at the end of the run");
    at->excludes(at_note)->excludes(at_end);
    at_note->excludes(at_end);
    cli.add_option("--screenshot", args.screenshot, "Render that moment to this PNG and exit");
    cli.add_option("--size", args.size, "Window size, WIDTHxHEIGHT (default 1280x720)");
    cli.add_option("--sched", args.sched, "parent-first, child-first, round-robin[:N], random[:SEED], manual");
    cli.add_option("--strategy", args.strategy, "Fork strategy: cow, copy or odf");
    cli.add_option("--max-steps", args.max_steps, "Step budget of the run (default 1000000)");
    cli.add_option("--font-size", args.font_size, "Text size in pixels (default: from the window height)");
    cli.add_flag("--show-help", args.show_help, "Open with the keyboard shortcuts shown (F1 or ? toggles them)");
    cli.add_flag("--compare", args.show_compare, "Open with the fork strategies compared (C toggles it)");
    cli.add_flag("--outcomes", args.show_outcomes, "Open with every possible output listed (P toggles it)");
    cli.add_option("--schedule", args.schedule,
        "Follow this order of steps (the pid that runs each, e.g. 2,2,3, as forklab outcomes prints it)");
    cli.add_option("--anim-phase", args.anim_phase,
          "Draw the copy-on-write animation at this phase, 0 to 1 (screenshots: default 1, its end)")
        ->check(CLI::Range(0.0f, 1.0f));
    cli.add_flag("--scenarios", args.scenarios, "Show the scenario list beside FILE (O toggles it)");
    cli.add_option("--inspect", args.inspect, "Open the task inspector on this pid (as a click on it in the tree)");
    cli.add_option("--select", args.select, "Select these pids, as clicks in the tree do: their memory, files and events");
    cli.add_flag("--choose-file", args.choose_file, "Open with the file chooser shown (as Ctrl+O)");
    cli.set_version_flag("--version", std::string("forklab-gui ") + FORKLAB_VERSION);
    CLI11_PARSE(cli, argc, argv);

    Size const size = parse_size(args.size);
    bool const shot = !args.screenshot.empty();
    if (!have_display())
        no_display();
    std::vector<gui::ScenarioGroup> scenarios;
    if (auto dir = gui::default_scenarios_dir())
        scenarios = gui::list_scenarios(*dir);
    gui::OptionsFor options_for = [&args](scenario::Loaded const& loaded) { return run_options(args, loaded); };
    gui::OpenedProgram program = open_first(args, scenarios, options_for);
    if (program.run && !program.run->failed_to_start())
        start_at(args, *program.run);

    GLFWwindow* window = open_window(size, !shot);
    IMGUI_CHECKVERSION();
    ImGui::CreateContext();
    ImGui::GetIO().IniFilename = nullptr;  // The layout is fixed: nothing to remember.
    ImGui_ImplGlfw_InitForOpenGL(window, true);
    ImGui_ImplOpenGL3_Init("#version 130");
    gui::Fonts const fonts = gui::load_fonts(args.font_size.value_or(gui::default_font_size(size.h)));
    gui::App app(std::move(program), std::move(scenarios), options_for, fonts);
    app.view().show_help = args.show_help;
    app.view().show_compare = args.show_compare;
    app.view().show_outcomes = args.show_outcomes;
    // A screenshot is one moment: the animation's end state unless a phase is asked for.
    app.view().anim_phase = shot ? std::optional<float>(args.anim_phase.value_or(1.0f)) : args.anim_phase;
    // Browsing is what a run without FILE is for; with FILE the list starts hidden (O shows it).
    app.view().show_browser = args.file.empty() || args.scenarios;
    app.view().selected.insert(args.select.begin(), args.select.end());
    if (args.choose_file)
        app.choose_file();
    if (args.inspect) {
        app.view().inspected = *args.inspect;
        app.view().raise_inspector = true;
    }

    int status = 0;
    if (shot)
        status = screenshot(window, app, args.screenshot);
    else
        interactive(window, app);

    ImGui_ImplOpenGL3_Shutdown();
    ImGui_ImplGlfw_Shutdown();
    ImGui::DestroyContext();
    glfwDestroyWindow(window);
    glfwTerminate();
    return status;
}
