// The help overlay (F1 or ?): every keyboard shortcut, and what the colours mean.
#include "panels/draw.h"

#include <array>

namespace forklab::gui {

namespace {

struct Shortcut {
    char const* keys;
    char const* what;
};

constexpr std::array<Shortcut, 21> kShortcuts{{
    {"Right  or  S", "step: run one statement of one task"},
    {"Left  or  B", "step back (the run is replayed up to the step before)"},
    {"Space", "play / pause"},
    {"+  /  -", "play faster / slower"},
    {"Home  or  R", "restart from the first step"},
    {"End", "go to the end of the run"},
    {"F", "run to the next fork"},
    {"E", "run to the next exec"},
    {"X", "run to the next exit"},
    {"W", "run to the next page fault"},
    {"N", "run to the next NOTE"},
    {"C", "compare the fork strategies' memory counters at this step"},
    {"P", "every possible output, each with an order of the steps to replay"},
    {"1 ... 9", "manual scheduler: run the n-th runnable task"},
    {"Ctrl +  /  Ctrl -", "larger / smaller text (for projection)"},
    {"click a task", "select it: its memory, files and events only; again to deselect (manual scheduler: run it)"},
    {"O (the letter)", "show the scenario list / fold it to a strip (click a scenario to open it)"},
    {"Ctrl O", "open any .c file (type a path, Enter opens; Esc cancels)"},
    {"click an event", "go to the step that made it"},
    {"click a timeline chip", "pid 7 \u00d7: clear that task's filter; fork, exec, ...: hide / show that kind (right click: only it)"},
    {"F1  or  ?", "show / hide this help"},
}};

}  // namespace

void help_overlay(ViewState& view, Fonts const& fonts)
{
    if (!view.show_help)
        return;
    ImGuiIO const& io = ImGui::GetIO();
    ImGui::SetNextWindowPos(ImVec2(io.DisplaySize.x / 2, io.DisplaySize.y / 2), ImGuiCond_Always, ImVec2(0.5f, 0.5f));
    ImGui::SetNextWindowBgAlpha(0.97f);
    ImGuiWindowFlags const flags = ImGuiWindowFlags_AlwaysAutoResize | ImGuiWindowFlags_NoSavedSettings |
        ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoMove;
    if (ImGui::Begin("Keyboard shortcuts (F1 or ? to close)", &view.show_help, flags)) {
        if (ImGui::BeginTable("keys", 2, ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerH)) {
            for (Shortcut const& s : kShortcuts) {
                ImGui::TableNextRow();
                ImGui::TableNextColumn();
                ImGui::PushFont(fonts.mono);
                ImGui::TextUnformatted(s.keys);
                ImGui::PopFont();
                ImGui::TableNextColumn();
                ImGui::TextUnformatted(s.what);
            }
            ImGui::EndTable();
        }
        ImGui::Spacing();
        hint("Each process keeps one colour everywhere: its node in the tree, its memory band, its "
             "marker in the source, the bytes it printed and its events.");
    }
    ImGui::End();
}

}  // namespace forklab::gui
