// The source view: the program, each live task's current line marked by a bar in its colour and
// its pid at the right; the last NOTE the program made, large, above the code.
#include "model/source_marks.h"
#include "panels/draw.h"

#include "base/format.h"

#include <sstream>

namespace forklab::gui {

namespace {

std::vector<std::string> split_lines(std::string const& text)
{
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        for (std::size_t tab; (tab = line.find('\t')) != std::string::npos;)
            line.replace(tab, 1, "    ");
        lines.push_back(line);
    }
    return lines;
}

void note_banner(PanelContext& ctx)
{
    auto const& notes = ctx.run.machine().notes();
    if (notes.empty())
        return;
    lang::Note const& note = notes.back();
    ImGui::PushStyleColor(ImGuiCol_ChildBg, IM_COL32(255, 244, 190, 255));
    // As tall as the wrapped note (up to six lines, then it scrolls), so a long NOTE is not cut.
    ImGuiStyle const& style = ImGui::GetStyle();
    float const chip = ImGui::CalcTextSize(format("NOTE  pid {}", note.pid).c_str()).x + ImGui::GetFontSize() * 0.6f;
    float const wrap = ImGui::GetContentRegionAvail().x - chip - style.ItemSpacing.x - 2 * style.WindowPadding.x;
    float const text_h = ImGui::CalcTextSize(note.text.c_str(), nullptr, false, std::max(wrap, 1.0f)).y;
    float const h = std::min(text_h, ImGui::GetTextLineHeight() * 6) + 2 * style.WindowPadding.y + 2;
    ImGui::BeginChild("note", ImVec2(0, h), true);
    pid_chip(ctx, note.pid, "NOTE  pid ");
    ImGui::SameLine();
    ImGui::TextWrapped("%s", note.text.c_str());
    ImGui::EndChild();
    ImGui::PopStyleColor();
}

void mark_line(PanelContext& ctx, std::vector<pid_t> const& pids, pid_t ran_last, float width)
{
    ImVec2 const at = ImGui::GetCursorScreenPos();
    float const h = ImGui::GetTextLineHeight();
    ImDrawList* draw = ImGui::GetWindowDrawList();
    float const band = width / float(pids.size());
    for (std::size_t i = 0; i < pids.size(); ++i) {
        float const x0 = at.x + band * float(i);
        draw->AddRectFilled(ImVec2(x0, at.y), ImVec2(x0 + band, at.y + h), to_u32(tint(ctx.palette.colour(pids[i]), 0.8f)));
    }
    for (pid_t p : pids)
        if (p == ran_last)
            draw->AddRectFilled(ImVec2(at.x, at.y), ImVec2(at.x + 5, at.y + h), to_u32(ctx.palette.colour(p)));
}

// The pids at a line, in a gutter between the line number and the code: two chips, then "+N"
// for a crowd (a fork bomb puts many tasks on one line).
void pid_gutter(PanelContext& ctx, std::vector<pid_t> const& pids, float gutter_w)
{
    float const start = ImGui::GetCursorPosX();
    for (std::size_t i = 0; i < pids.size() && i < 2; ++i) {
        pid_chip(ctx, pids[i]);
        ImGui::SameLine(0, 3);
    }
    if (pids.size() > 2) {
        ImGui::Text("+%zu", pids.size() - 2);
        ImGui::SameLine(0, 0);
    }
    ImGui::SameLine(start + gutter_w);
}

}  // namespace

void source_panel(PanelContext& ctx, Rect r)
{
    std::string const& path = ctx.run.path();
    begin_panel(format("Source: {}###source", path.substr(path.rfind('/') + 1)).c_str(), r);
    note_banner(ctx);
    auto const marks = task_lines(ctx.run.kernel(), ctx.run.machine());
    pid_t const ran_last = ctx.run.step() ? ctx.run.session().choices().back().pid : 0;
    // Long lines scroll sideways rather than vanish at a narrow window's edge.
    ImGui::BeginChild("code", ImVec2(0, 0), false, ImGuiWindowFlags_HorizontalScrollbar);
    ImGui::PushFont(ctx.fonts.mono);
    float const right = ImGui::GetContentRegionAvail().x;
    float const gutter_w = ImGui::CalcTextSize("00").x * 2 + ImGui::GetFontSize() * 1.6f;
    std::vector<std::string> const lines = split_lines(ctx.run.source());
    int follow = 0;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        int const line = int(i) + 1;
        auto const mark = marks.find(line);
        if (mark != marks.end()) {
            mark_line(ctx, mark->second, ran_last, right);
            if (follow == 0 || std::find(mark->second.begin(), mark->second.end(), ran_last) != mark->second.end())
                follow = line;
        }
        ImGui::TextDisabled("%3d", line);
        ImGui::SameLine();
        if (mark != marks.end())
            pid_gutter(ctx, mark->second, gutter_w);
        else
            ImGui::SameLine(ImGui::GetCursorPosX() + gutter_w);
        ImGui::TextUnformatted(lines[i].c_str());
        if (line == follow && ctx.view.source_followed != ctx.run.step())
            ImGui::SetScrollHereY(0.4f);
    }
    if (ctx.view.source_followed != ctx.run.step() && follow)
        ctx.view.source_followed = ctx.run.step();
    ImGui::PopFont();
    ImGui::EndChild();
    ImGui::End();
}

}  // namespace forklab::gui
