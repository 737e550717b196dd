#include "app.h"

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
}

void App::open(std::filesystem::path const& path)
{
    m_program = open_program(path, m_options_for);
    m_palette = Palette{};
    m_colours = PidColours{};
    ViewState const old = m_view;
    m_view = ViewState{};
    m_view.show_help = old.show_help;
    m_view.show_browser = old.show_browser;
    m_view.steps_per_second = old.steps_per_second;
    m_error_followed = false;
}

void App::frame(float dt)
{
    if (has_run()) {
        keys();
        playback(dt);
        apply_requests();
        see_every_pid();
    } else {
        browser_key();
    }
    layout();
    help_overlay(m_view, m_fonts);
    // Opened last, once no panel of this frame holds on to the old run.
    if (auto path = std::exchange(m_open_next, std::nullopt))
        open(*path);
}

void App::see_every_pid()
{
    m_colours.see_run(m_palette, run());
}

// O shows or hides the scenario list, whether or not the open program runs.
void App::browser_key()
{
    ImGuiIO const& io = ImGui::GetIO();
    if (!io.WantTextInput && !io.KeyCtrl && ImGui::IsKeyPressed(GLFW_KEY_O))
        m_view.show_browser = !m_view.show_browser;
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
// takes more than a few lines. O hides it, giving its width back to the source.
float App::browser_width() const
{
    if (!m_view.show_browser)
        return 0;
    float const W = ImGui::GetIO().DisplaySize.x, fs = ImGui::GetFontSize();
    return std::clamp(W * 0.14f, fs * 9.5f, fs * 15);
}

void App::browser(Rect r)
{
    std::filesystem::path const current = m_program.path;
    if (auto clicked = browser_panel(BrowserContext{m_scenarios, current, m_browser_followed, m_fonts}, r))
        m_open_next = *clicked;
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
    // from the tree and memory, and height from the timeline.
    bool const inspecting = m_view.inspector_open || m_view.raise_inspector;
    float const left = W * (inspecting ? 0.29f : 0.32f), middle = W * (inspecting ? 0.32f : 0.37f);
    float const right = W - left - middle;
    float const x0 = list, x1 = list + left, x2 = x1 + middle;
    PanelContext ctx{run(), m_palette, m_view, m_fonts};
    controls_panel(ctx, Rect{x0, 0, W, bar});
    source_panel(ctx, Rect{x0, bar, left, body * 0.6f});
    console_panel(ctx, Rect{x0, bar + body * 0.6f, left, body * 0.4f});
    tree_panel(ctx, Rect{x1, bar, middle, body * 0.45f});
    memory_panel(ctx, Rect{x1, bar + body * 0.45f, middle, body * 0.55f});
    float const files = inspecting ? 0.66f : 0.42f;
    files_panel(ctx, Rect{x2, bar, right, body * files});
    timeline_panel(ctx, Rect{x2, bar + body * files, right, body * (1 - files)});
}

}  // namespace forklab::gui
