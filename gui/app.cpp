#include "app.h"

#include "panels/draw.h"

#include <GLFW/glfw3.h>  // Key codes only: the GLFW backend indexes io.KeysDown by them.

#include <algorithm>

namespace forklab::gui {

std::vector<pid_t> shown_processes(PanelContext const& ctx)
{
    constexpr std::size_t kMost = 8;  // More bands than this do not fit a projected screen.
    std::vector<pid_t> pids;
    for (Task const& t : ctx.run.kernel().tasks()) {
        if (!t.is_thread_group_leader() || pids.size() == kMost)
            continue;
        bool const wanted = ctx.view.selected.empty() ? t.pid != 1 : ctx.view.selected.contains(t.pid);
        if (wanted)
            pids.push_back(t.pid);
    }
    std::sort(pids.begin(), pids.end());
    return pids;
}

App::App(std::unique_ptr<Stepper> run, Fonts const& fonts)
    : m_run(std::move(run))
    , m_fonts(fonts)
{
}

void App::frame(float dt)
{
    keys();
    playback(dt);
    apply_requests();
    see_every_pid();
    if (m_run->failed_to_start())
        error_screen();
    else
        layout();
    PanelContext ctx{*m_run, m_palette, m_view, m_fonts};
    help_overlay(ctx);
}

// Colours go to pids in the order of their forks, whichever panel draws first, so a pid has
// the same colour in every screenshot of a run at every step.
void App::see_every_pid()
{
    for (Event const& e : m_run->preview().events)
        if (e.kind == EventKind::Fork)
            m_palette.see(e.other);
    for (Task const& t : m_run->kernel().tasks())
        m_palette.see(t.pid);
}

void App::keys()
{
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
    Stepper& run = *m_run;
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
        std::size_t const notes = m_run->machine().notes().size();
        if (!m_run->forward() || m_run->machine().notes().size() > notes) {
            m_view.playing = false;
            m_play_debt = 0;
            return;
        }
    }
}

void App::apply_requests()
{
    if (auto step = std::exchange(m_view.jump_to, std::nullopt))
        m_run->go_to(*step);
    if (auto pid = std::exchange(m_view.run_task, std::nullopt))
        m_run->choose(*pid);
}

// The fixed layout: controls across the top; source and output on the left, the tree and
// memory in the middle, files and the timeline on the right. Proportions, not pixels, so it
// holds from 1280x720 to a projector's 1920x1080.
void App::layout()
{
    ImGuiIO const& io = ImGui::GetIO();
    float const W = io.DisplaySize.x, H = io.DisplaySize.y;
    float const bar = ImGui::GetFrameHeightWithSpacing() * 2 + ImGui::GetStyle().WindowPadding.y * 2;
    float const body = H - bar;
    float const left = W * 0.27f, middle = W * 0.40f, right = W - left - middle;
    PanelContext ctx{*m_run, m_palette, m_view, m_fonts};
    controls_panel(ctx, Rect{0, 0, W, bar});
    source_panel(ctx, Rect{0, bar, left, body * 0.6f});
    console_panel(ctx, Rect{0, bar + body * 0.6f, left, body * 0.4f});
    tree_panel(ctx, Rect{left, bar, middle, body * 0.45f});
    memory_panel(ctx, Rect{left, bar + body * 0.45f, middle, body * 0.55f});
    files_panel(ctx, Rect{left + middle, bar, right, body * 0.38f});
    timeline_panel(ctx, Rect{left + middle, bar + body * 0.38f, right, body * 0.62f});
}

// A program that did not compile: its diagnostic, where the panels would be.
void App::error_screen()
{
    ImGuiIO const& io = ImGui::GetIO();
    begin_panel("The program did not compile", Rect{0, 0, io.DisplaySize.x, io.DisplaySize.y});
    ImGui::TextColored(ImVec4(0.75f, 0.1f, 0.1f, 1), "%s could not be run:", m_run->path().c_str());
    ImGui::Spacing();
    ImGui::PushFont(m_fonts.mono);
    ImGui::TextUnformatted(m_run->preview().error.c_str());
    ImGui::PopFont();
    ImGui::Spacing();
    hint("Fix the file and open it again. The line and column above are where the compiler stopped.");
    ImGui::End();
}

}  // namespace forklab::gui
