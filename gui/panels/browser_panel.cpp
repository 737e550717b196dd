// The scenario browser: the scenarios by folder, each by its title, the one open highlighted,
// and the title and summary of the one under the mouse (else the open one) below the list, so
// that a student can read what a scenario shows before opening it. A click asks the App to
// open it; "Open file..." above the list asks for the file chooser, for any other .c file.
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

BrowserChoice browser_panel(BrowserContext const& b, Rect r)
{
    begin_panel("Scenarios", r, ImGuiWindowFlags_NoScrollbar);
    BrowserChoice choice;
    choice.choose_file = ImGui::Button("Open file...", ImVec2(-1, 0));
    if (ImGui::IsItemHovered())
        ImGui::SetTooltip("Open any .c file (Ctrl+O)");
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
                choice.open = s.path;
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
    return choice;
}

// Folded, the list is a strip with its name written down it a letter a line, so that the
// source keeps its width at 1280x720 and the list stays one click away.
bool browser_strip(Rect r)
{
    begin_panel("##strip", r, ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_NoScrollbar);
    ImVec2 const at = ImGui::GetCursorScreenPos();
    ImVec2 const size = ImGui::GetContentRegionAvail();
    bool const clicked = ImGui::InvisibleButton("unfold", size);
    bool const hovered = ImGui::IsItemHovered();
    if (hovered)
        ImGui::SetTooltip("Show the scenario list (O)");
    ImDrawList* draw = ImGui::GetWindowDrawList();
    if (hovered)
        draw->AddRectFilled(at, ImVec2(at.x + size.x, at.y + size.y), IM_COL32(225, 235, 250, 255), 4);
    float const line = ImGui::GetTextLineHeight();
    auto centred = [&](char const* text, float y, ImU32 colour) {
        float const w = ImGui::CalcTextSize(text).x;
        draw->AddText(ImVec2(at.x + (size.x - w) / 2, y), colour, text);
    };
    centred("\u00bb", at.y, IM_COL32(40, 90, 170, 255));  // A right-pointing guillemet: unfold.
    float y = at.y + line * 1.6f;
    for (char const c : std::string_view("Scenarios")) {
        char const letter[2] = {c, 0};
        centred(letter, y, IM_COL32(90, 90, 90, 255));
        y += line * 0.95f;
    }
    ImGui::End();
    return clicked;
}

}  // namespace forklab::gui
