// The scenario browser: the scenarios by folder, each by its title, the one open highlighted,
// and the title and summary of the one under the mouse (else the open one) below the list, so
// that a student can read what a scenario shows before opening it. A click asks the App to
// open it.
#include "panels/draw.h"

#include "base/format.h"

namespace forklab::gui {

namespace {

// A selectable row whose label wraps to the column's width, since titles are sentences.
bool wrapped_selectable(ScenarioEntry const& s, bool selected)
{
    float const wrap = ImGui::GetContentRegionAvail().x;
    ImVec2 const at = ImGui::GetCursorPos();
    float const h = ImGui::CalcTextSize(s.title.c_str(), nullptr, false, wrap).y;
    bool const clicked = ImGui::Selectable(format("##{}", s.path.string()).c_str(), selected, 0, ImVec2(0, h));
    ImGui::SetCursorPos(at);
    ImGui::PushTextWrapPos(at.x + wrap);
    if (s.error.empty())
        ImGui::TextUnformatted(s.title.c_str());
    else
        ImGui::TextColored(ImVec4(0.75f, 0.1f, 0.1f, 1), "%s (error)", s.title.c_str());
    ImGui::PopTextWrapPos();
    return clicked;
}

void about(ScenarioEntry const* s, Fonts const& fonts)
{
    if (!s) {
        hint("Click a scenario to open it.");
        return;
    }
    ImGui::PushTextWrapPos(0);
    ImGui::TextUnformatted(s->title.c_str());
    ImGui::PopTextWrapPos();
    ImGui::PushFont(fonts.mono);
    ImGui::TextDisabled("%s", s->file.c_str());
    ImGui::PopFont();
    if (!s->summary.empty()) {
        ImGui::PushTextWrapPos(0);
        ImGui::TextUnformatted(s->summary.c_str());
        ImGui::PopTextWrapPos();
    }
    if (!s->error.empty())
        hint("Its metadata has an error: open it to see where.");
}

}  // namespace

std::optional<std::filesystem::path> browser_panel(BrowserContext const& b, Rect r)
{
    begin_panel("Scenarios", r, ImGuiWindowFlags_NoScrollbar);
    std::optional<std::filesystem::path> open;
    ScenarioEntry const* shown = nullptr;
    ScenarioEntry const* hovered = nullptr;
    float const about_h = ImGui::GetContentRegionAvail().y * 0.36f;
    ImGui::BeginChild("list", ImVec2(0, -about_h), false);
    if (b.groups.empty())
        hint("No scenarios found: run forklab-gui from the source tree, or give it a FILE.");
    for (ScenarioGroup const& g : b.groups) {
        bool const here = std::any_of(g.scenarios.begin(), g.scenarios.end(),
            [&](ScenarioEntry const& s) { return s.path == b.current; });
        if (here && b.current != b.followed)
            ImGui::SetNextItemOpen(true);
        if (!ImGui::CollapsingHeader(g.name.c_str()))
            continue;
        for (ScenarioEntry const& s : g.scenarios) {
            bool const selected = s.path == b.current;
            if (selected)
                shown = &s;
            if (wrapped_selectable(s, selected))
                open = s.path;
            if (ImGui::IsItemHovered())
                hovered = &s;
            if (selected && b.current != b.followed)
                ImGui::SetScrollHereY(0.3f);
            ImGui::Spacing();
        }
    }
    ImGui::EndChild();
    ImGui::Separator();
    ImGui::BeginChild("about", ImVec2(0, 0), false);
    about(hovered ? hovered : shown, b.fonts);
    ImGui::EndChild();
    ImGui::End();
    return open;
}

}  // namespace forklab::gui
