// The output console: what the terminal shows, each byte in the colour of the process that
// wrote it (the terminal records the writer of every chunk), so "who printed this hello?" is
// answered by looking.
#include "panels/draw.h"

#include <set>

namespace forklab::gui {

namespace {

// One chunk, line by line: a piece that does not end a line leaves the cursor after it.
void chunk_text(PanelContext& ctx, TerminalChunk const& chunk, bool& line_open)
{
    std::string_view rest = chunk.bytes;
    while (!rest.empty()) {
        if (line_open)
            ImGui::SameLine(0, 0);
        auto const nl = rest.find('\n');
        std::string_view const piece = rest.substr(0, nl);
        ImGui::PushStyleColor(ImGuiCol_Text, to_vec4(ctx.palette.colour(chunk.pid)));
        ImGui::TextUnformatted(piece.data(), piece.data() + piece.size());
        ImGui::PopStyleColor();
        line_open = nl == std::string_view::npos;
        rest = line_open ? std::string_view() : rest.substr(nl + 1);
    }
}

void writers_legend(PanelContext& ctx, std::vector<TerminalChunk> const& output)
{
    std::set<pid_t> writers;
    for (TerminalChunk const& c : output)
        writers.insert(c.pid);
    if (writers.empty()) {
        hint("nothing written to the terminal yet");
        return;
    }
    ImGui::TextUnformatted("written by");
    for (pid_t p : writers) {
        ImGui::SameLine();
        pid_chip(ctx, p, "pid ");
    }
}

}  // namespace

void console_panel(PanelContext& ctx, Rect r)
{
    begin_panel("Terminal output, coloured by writer", r);
    auto const& output = ctx.run.kernel().terminal().output;
    writers_legend(ctx, output);
    ImGui::Separator();
    ImGui::BeginChild("terminal", ImVec2(0, 0), false, ImGuiWindowFlags_HorizontalScrollbar);
    ImGui::PushFont(ctx.fonts.mono);
    bool line_open = false;
    for (TerminalChunk const& chunk : output)
        chunk_text(ctx, chunk, line_open);
    if (ctx.view.console_followed != ctx.run.step()) {
        ImGui::SetScrollHereY(1.0f);
        ctx.view.console_followed = ctx.run.step();
    }
    ImGui::PopFont();
    ImGui::EndChild();
    ImGui::End();
}

}  // namespace forklab::gui
