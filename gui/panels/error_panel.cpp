// A program that cannot run -- its metadata or its C does not parse -- shown where the panels
// would be: the diagnostic as the compiler renders it, then the file with the line it is about
// marked in red and scrolled into view, so the fix is one glance away. Never a crash.
#include "panels/draw.h"

#include <sstream>

namespace forklab::gui {

void error_panel(OpenedProgram const& program, Fonts const& fonts, Rect r, bool& followed)
{
    std::string const error = program_error(program);
    begin_panel("The program cannot run###error", r);
    ImGui::TextColored(ImVec4(0.75f, 0.1f, 0.1f, 1), "%s could not be run:", program.path.filename().string().c_str());
    ImGui::PushFont(fonts.mono);
    ImGui::PushTextWrapPos(0);
    ImGui::TextUnformatted(error.c_str());
    ImGui::PopTextWrapPos();
    ImGui::PopFont();
    std::optional<int> const bad = diagnostic_line(error);
    if (bad)
        hint("Fix the file and open it again (Ctrl+O): the marked line is where the reader stopped.");
    else
        hint("Open another file with Ctrl+O, or a scenario from the list (O shows it).");
    if (program.text.empty()) {  // Missing, a directory, a binary: nothing to show a line of.
        ImGui::End();
        return;
    }
    ImGui::Separator();
    ImGui::BeginChild("text", ImVec2(0, 0), false, ImGuiWindowFlags_HorizontalScrollbar);
    ImGui::PushFont(fonts.mono);
    std::istringstream in(program.text);
    int number = 0;
    for (std::string line; std::getline(in, line);) {
        ++number;
        bool const marked = bad && *bad == number;
        if (marked) {
            ImVec2 const at = ImGui::GetCursorScreenPos();
            ImGui::GetWindowDrawList()->AddRectFilled(at,
                ImVec2(at.x + ImGui::GetContentRegionAvail().x, at.y + ImGui::GetTextLineHeight()),
                IM_COL32(255, 210, 210, 255));
        }
        ImGui::TextDisabled("%3d", number);
        ImGui::SameLine();
        ImGui::TextUnformatted(line.c_str());
        if (marked && !followed) {
            ImGui::SetScrollHereY(0.3f);
            followed = true;
        }
    }
    ImGui::PopFont();
    ImGui::EndChild();
    ImGui::End();
}

}  // namespace forklab::gui
