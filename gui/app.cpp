#include "app.h"

#include "model/memory_rows.h"
#include "panels/draw.h"

#include <GLFW/glfw3.h>  // Key codes only: the GLFW backend indexes io.KeysDown by them.

#include <algorithm>

namespace forklab::gui {

std::vector<pid_t> shown_processes(PanelContext const& ctx)
{
    return shown_pids(ctx.run.kernel(), ctx.view.selected);
}

App::App(OpenedProgram program, std::vector<ScenarioGroup> scenarios, OptionsFor options_for, Fonts const& fonts)
    : m_program(std::move(program))
    , m_scenarios(std::move(scenarios))
    , m_options_for(std::move(options_for))
    , m_fonts(fonts)
{
    m_program.path = as_listed(m_program.path);
}

void App::open(std::filesystem::path const& path)
{
    m_program = open_program(as_listed(path), m_options_for);
    m_palette = Palette{};
    m_colours = PidColours{};
    ViewState const old = m_view;
    m_view = ViewState{};
    m_view.show_help = old.show_help;
    m_view.show_browser = old.show_browser;
    m_view.browser_folded = old.browser_folded;
    m_view.steps_per_second = old.steps_per_second;
    m_view.show_compare = old.show_compare;
    m_view.show_outcomes = old.show_outcomes;
    m_view.anim_phase = old.anim_phase;
    m_compare.reset();
    m_outcomes.reset();
    m_error_followed = false;
}

void App::frame(float dt)
{
    if (has_run()) {
        if (!m_choosing)
            keys();
        playback(dt);
        apply_requests();
        see_every_pid();
        animate(dt);
    } else if (!m_choosing) {
        browser_key();
    }
    layout();
    compare();
    outcomes();
    help_overlay(m_view, m_fonts);
    chooser();
    // Opened last, once no panel of this frame holds on to the old run.
    if (auto path = std::exchange(m_open_next, std::nullopt))
        open(*path);
}

void App::see_every_pid()
{
    m_colours.see_run(m_palette, run());
}

// The copy-on-write animation starts again whenever the step changes. While it plays, the
// event loop is woken each frame, since it otherwise sleeps until input arrives.
void App::animate(float dt)
{
    if (run().step() != m_view.anim_step) {
        m_view.anim_step = run().step();
        m_view.anim_seconds = 0;
    } else {
        m_view.anim_seconds += dt;
    }
    if (!m_view.anim_phase && m_view.anim_seconds < kCopyAnimationSeconds)
        glfwPostEmptyEvent();
}

void App::outcomes()
{
    if (!has_run() || !m_view.show_outcomes)
        return;
    PanelContext ctx{run(), m_palette, m_view, m_fonts};
    outcomes_panel(ctx, m_outcomes);
}

void App::compare()
{
    if (!has_run() || !m_view.show_compare)
        return;
    PanelContext ctx{run(), m_palette, m_view, m_fonts};
    compare_panel(ctx, m_compare);
}

// O shows the scenario list, or folds it to a strip, and Ctrl+O opens the file chooser,
// whether or not the open program runs.
void App::browser_key()
{
    ImGuiIO const& io = ImGui::GetIO();
    if (io.WantTextInput || !ImGui::IsKeyPressed(GLFW_KEY_O))
        return;
    if (io.KeyCtrl) {
        start_choosing();
    } else if (!m_view.show_browser || m_view.browser_folded) {
        m_view.show_browser = true;
        m_view.browser_folded = false;
    } else {
        m_view.browser_folded = true;
    }
}

// The chooser starts in the open program's folder, so its neighbours are one click away.
void App::start_choosing()
{
    std::filesystem::path const dir = m_program.path.parent_path();
    m_chooser.go_to(dir.empty() ? std::filesystem::path(".") : dir);
    m_choosing = true;
}

void App::chooser()
{
    if (auto chosen = file_chooser_panel(m_chooser, m_program.path, m_fonts, m_choosing))
        m_open_next = *chosen;
}

// A file given or chosen by another path ("/home/.../scenarios/x.c", "./scenarios/x.c") that is
// one of the scenarios is opened by the list's path for it, so that the list marks it open.
std::filesystem::path App::as_listed(std::filesystem::path const& chosen) const
{
    std::error_code ec;
    std::filesystem::path const want = std::filesystem::absolute(chosen, ec).lexically_normal();
    for (ScenarioGroup const& g : m_scenarios)
        for (ScenarioEntry const& s : g.scenarios)
            if (std::filesystem::absolute(s.path, ec).lexically_normal() == want)
                return s.path;
    return chosen;
}

void App::keys()
{
    browser_key();
    ImGuiIO& io = ImGui::GetIO();
    for (ImWchar c : io.InputQueueCharacters) {
        if (io.WantTextInput)
            break;
        if (c == '?')
            m_view.show_help = !m_view.show_help;
        else if (c == '+' && !io.KeyCtrl)
            m_view.steps_per_second = std::min(60.0f, m_view.steps_per_second * 1.5f);
        else if (c == '-' && !io.KeyCtrl)
            m_view.steps_per_second = std::max(0.5f, m_view.steps_per_second / 1.5f);
    }
    if (io.WantTextInput)
        return;
    auto pressed = [](int key) { return ImGui::IsKeyPressed(key); };
    Stepper& run = this->run();
    if (pressed(GLFW_KEY_F1))
        m_view.show_help = !m_view.show_help;
    if (io.KeyCtrl && (pressed(GLFW_KEY_EQUAL) || pressed(GLFW_KEY_KP_ADD)))
        m_view.new_font_size = std::min(48.0f, m_fonts.size * 1.15f);
    if (io.KeyCtrl && (pressed(GLFW_KEY_MINUS) || pressed(GLFW_KEY_KP_SUBTRACT)))
        m_view.new_font_size = std::max(11.0f, m_fonts.size / 1.15f);
    if (io.KeyCtrl)
        return;
    if (pressed(GLFW_KEY_C))
        m_view.show_compare = !m_view.show_compare;
    if (pressed(GLFW_KEY_P))
        m_view.show_outcomes = !m_view.show_outcomes;
    if (pressed(GLFW_KEY_RIGHT) || pressed(GLFW_KEY_S))
        run.forward();
    if (pressed(GLFW_KEY_LEFT) || pressed(GLFW_KEY_B))
        run.back();
    if (pressed(GLFW_KEY_SPACE))
        m_view.playing = !m_view.playing;
    if (pressed(GLFW_KEY_HOME) || pressed(GLFW_KEY_R))
        run.restart();
    if (pressed(GLFW_KEY_END))
        run.go_to(run.total());
    if (pressed(GLFW_KEY_F))
        run.run_to(EventKind::Fork);
    if (pressed(GLFW_KEY_E))
        run.run_to(EventKind::Exec);
    if (pressed(GLFW_KEY_X))
        run.run_to(EventKind::Exit);
    if (pressed(GLFW_KEY_W))
        run.run_to(EventKind::PageFault);
    if (pressed(GLFW_KEY_N))
        run.run_to_note();
    for (int n = 1; n <= 9; ++n)
        if (pressed(GLFW_KEY_0 + n)) {
            auto const ready = run.runnable();
            if (std::size_t(n) <= ready.size())
                m_view.run_task = ready[std::size_t(n) - 1];
        }
}

// Playing: as many steps as the speed allows for the time since the last frame, stopping at
// a NOTE (the scenario wants the class to read it) and at the end.
void App::playback(float dt)
{
    if (!m_view.playing)
        return;
    m_play_debt += dt * m_view.steps_per_second;
    while (m_play_debt >= 1) {
        m_play_debt -= 1;
        std::size_t const notes = run().machine().notes().size();
        if (!run().forward() || run().machine().notes().size() > notes) {
            m_view.playing = false;
            m_play_debt = 0;
            return;
        }
    }
}

void App::apply_requests()
{
    if (auto step = std::exchange(m_view.jump_to, std::nullopt))
        run().go_to(*step);
    if (auto pid = std::exchange(m_view.run_task, std::nullopt))
        run().choose(*pid);
}

// The scenario list's column: narrow, since titles wrap, but never so narrow that a title
// takes more than a few lines. Folded (O, or once a scenario is opened from it), it is a strip
// that gives its width back to the source, which at 1280x720 has none to spare.
float App::browser_width() const
{
    if (!m_view.show_browser)
        return 0;
    float const W = ImGui::GetIO().DisplaySize.x, fs = ImGui::GetFontSize();
    if (m_view.browser_folded)
        return fs * 1.9f;
    return std::clamp(W * 0.14f, fs * 9.5f, fs * 15);
}

void App::browser(Rect r)
{
    if (m_view.browser_folded) {
        if (browser_strip(r))
            m_view.browser_folded = false;
        return;
    }
    std::filesystem::path const current = m_program.path;
    BrowserChoice const choice = browser_panel(BrowserContext{m_scenarios, current, m_browser_followed, m_fonts}, r);
    if (choice.open) {
        m_open_next = *choice.open;
        m_view.browser_folded = true;  // Chosen: the program gets the room to be watched.
    }
    if (choice.choose_file)
        start_choosing();
    m_browser_followed = current;
}

// The fixed layout: the scenario list down the left; controls across the top of the rest;
// source and output, then the tree and memory, then files (or the inspector) and the timeline.
// Proportions, not pixels, so it holds from 1280x720 to a projector's 1920x1080.
void App::layout()
{
    ImGuiIO const& io = ImGui::GetIO();
    float const list = browser_width();
    float const W = io.DisplaySize.x - list, H = io.DisplaySize.y;
    if (list > 0)
        browser(Rect{0, 0, list, H});
    if (!has_run()) {
        error_panel(m_program, m_fonts, Rect{list, 0, W, H}, m_error_followed);
        return;
    }
    float const bar = ImGui::GetFrameHeightWithSpacing() * 2 + ImGui::GetStyle().WindowPadding.y * 2;
    float const body = H - bar;
    // The inspector's table is long and wide: while its tab is open, its column takes width
    // from the tree and memory, and some height from the timeline -- never so much that the
    // timeline (filtered to the task just clicked) shows no events. The source keeps its width
    // whatever is open: it is what the class reads.
    bool const inspecting = m_view.inspector_open || m_view.raise_inspector;
    float const left = W * 0.34f, middle = W * (inspecting ? 0.30f : 0.35f);
    float const right = W - left - middle;
    float const x0 = list, x1 = list + left, x2 = x1 + middle;
    PanelContext ctx{run(), m_palette, m_view, m_fonts};
    controls_panel(ctx, Rect{x0, 0, W, bar});
    source_panel(ctx, Rect{x0, bar, left, body * 0.6f});
    console_panel(ctx, Rect{x0, bar + body * 0.6f, left, body * 0.4f});
    tree_panel(ctx, Rect{x1, bar, middle, body * 0.45f});
    memory_panel(ctx, Rect{x1, bar + body * 0.45f, middle, body * 0.55f});
    float const files = inspecting ? 0.52f : 0.42f;
    files_panel(ctx, Rect{x2, bar, right, body * files});
    timeline_panel(ctx, Rect{x2, bar + body * files, right, body * (1 - files)});
}

}  // namespace forklab::gui
