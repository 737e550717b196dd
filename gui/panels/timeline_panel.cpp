// The event timeline: what the last step did, in full sentences, then every event of the whole
// run (the preview) one per line -- the past in full colour, the future greyed -- filterable by
// kind and by the selected processes. Clicking an event goes to the step that made it.
#include "panels/draw.h"

#include "base/format.h"

#include <algorithm>

namespace forklab::gui {

namespace {

// Up to this many events are drawn wrapped in full; beyond, one line each, clipped.
constexpr std::size_t kMostWrapped = 1500;

bool passes(PanelContext& ctx, Event const& e, std::vector<pid_t> const& shown)
{
    if (ctx.view.hide_page_faults && e.kind == EventKind::PageFault)
        return false;
    if (ctx.view.timeline_kind >= 0 && int(e.kind) != ctx.view.timeline_kind)
        return false;
    if (ctx.view.timeline_selected_only &&
        std::find(shown.begin(), shown.end(), e.pid) == shown.end() &&
        std::find(shown.begin(), shown.end(), e.other) == shown.end())
        return false;
    return true;
}

void last_step_box(PanelContext& ctx)
{
    auto const events = ctx.run.last_step_events();
    ImGui::PushStyleColor(ImGuiCol_ChildBg, IM_COL32(236, 242, 250, 255));
    float const h = ImGui::GetTextLineHeightWithSpacing() * 4.2f;
    ImGui::BeginChild("now", ImVec2(0, h), true);
    if (ctx.run.step() == 0) {
        hint("Before the first step: init has forked the program's process and exec'd it.");
    } else {
        pid_t const who = ctx.run.session().choices().back().pid;
        ImGui::Text("Step %llu:", (unsigned long long)ctx.run.step());
        ImGui::SameLine();
        pid_chip(ctx, who, "pid ");
        ImGui::SameLine();
        if (events.empty())
            ImGui::TextWrapped("ran one statement (line %d); no kernel event",
                ctx.run.machine().cpu(who) ? ctx.run.machine().cpu(who)->line : 0);
        else
            ImGui::TextUnformatted("ran one statement:");
        for (Event const& e : events) {
            ImGui::Bullet();
            ImGui::TextWrapped("%s", explain(e).c_str());
        }
    }
    ImGui::EndChild();
    ImGui::PopStyleColor();
}

void filters(PanelContext& ctx)
{
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 9);
    std::string const current = ctx.view.timeline_kind < 0
        ? std::string("every kind")
        : std::string(event_kind_name(EventKind(ctx.view.timeline_kind)));
    if (ImGui::BeginCombo("##kind", current.c_str())) {
        if (ImGui::Selectable("every kind", ctx.view.timeline_kind < 0))
            ctx.view.timeline_kind = -1;
        for (int k = 0; k < kEventKindCount; ++k)
            if (ImGui::Selectable(std::string(event_kind_name(EventKind(k))).c_str(), ctx.view.timeline_kind == k))
                ctx.view.timeline_kind = k;
        ImGui::EndCombo();
    }
    ImGui::SameLine();
    ImGui::Checkbox("hide faults", &ctx.view.hide_page_faults);
    ImGui::SameLine();
    ImGui::Checkbox("shown tasks only", &ctx.view.timeline_selected_only);
}

// One event: its step, a square in its task's colour, and the explanation, wrapped to the
// panel's width when `wrap` (one line otherwise, for the clipped list of a huge run).
void event_row(PanelContext& ctx, Event const& e, std::size_t index, bool wrap)
{
    std::uint64_t const now = ctx.run.step();
    bool const future = e.step > now;
    std::string const explanation = explain(e);
    std::string const step = format("{}", e.step);
    float const fs = ImGui::GetFontSize();
    float const indent = ImGui::CalcTextSize("00000").x + fs * 1.2f;
    float const width = ImGui::GetContentRegionAvail().x;
    float const wrap_width = wrap ? std::max(fs * 6, width - indent) : 0.0f;
    float const h = wrap ? ImGui::CalcTextSize(explanation.c_str(), nullptr, false, wrap_width).y : ImGui::GetTextLineHeight();
    ImVec2 const at = ImGui::GetCursorScreenPos();
    ImDrawList* draw = ImGui::GetWindowDrawList();
    if (e.step == now && now > 0)
        draw->AddRectFilled(ImVec2(at.x - 2, at.y - 1), ImVec2(at.x + width, at.y + h + 1), IM_COL32(255, 236, 160, 255));
    ImGui::PushID(int(index));
    if (ImGui::Selectable("##event", false, 0, ImVec2(0, h)))
        ctx.view.jump_to = e.step;
    if (ImGui::IsItemHovered())
        ImGui::SetTooltip("step %llu, %s: %s\nclick to go there", (unsigned long long)e.step,
            std::string(event_kind_name(e.kind)).c_str(), explanation.c_str());
    ImGui::PopID();
    float const alpha = future ? 0.45f : 1.0f;
    float const sw = ImGui::CalcTextSize(step.c_str()).x;
    draw->AddText(ImVec2(at.x + ImGui::CalcTextSize("00000").x - sw, at.y), IM_COL32(120, 120, 120, int(alpha * 255)),
        step.c_str());
    float const sq = fs * 0.6f;
    ImVec2 const sq_at(at.x + ImGui::CalcTextSize("00000").x + fs * 0.3f, at.y + (ImGui::GetTextLineHeight() - sq) / 2);
    draw->AddRectFilled(sq_at, ImVec2(sq_at.x + sq, sq_at.y + sq), to_u32(ctx.palette.colour(e.pid), alpha), 2);
    draw->AddText(nullptr, 0, ImVec2(at.x + indent, at.y), IM_COL32(20, 20, 20, int(alpha * 255)), explanation.c_str(),
        nullptr, wrap_width);
}

}  // namespace

void timeline_panel(PanelContext& ctx, Rect r)
{
    begin_panel("Timeline: events and what they mean", r);
    last_step_box(ctx);
    filters(ctx);
    auto const& all = ctx.run.preview().events;
    auto const shown = shown_processes(ctx);
    std::vector<std::size_t> rows;
    std::size_t boundary = 0;  // The first row after the current step.
    for (std::size_t i = 0; i < all.size(); ++i) {
        if (!passes(ctx, all[i], shown))
            continue;
        if (all[i].step <= ctx.run.step())
            boundary = rows.size() + 1;
        rows.push_back(i);
    }
    ImGui::BeginChild("events", ImVec2(0, 0), true);
    bool const follow = ctx.view.timeline_followed != ctx.run.step();
    ctx.view.timeline_followed = ctx.run.step();
    if (rows.size() <= kMostWrapped) {
        for (std::size_t i = 0; i < rows.size(); ++i) {
            if (follow && i == boundary)
                ImGui::SetScrollHereY(0.75f);
            event_row(ctx, all[rows[i]], rows[i], true);
        }
        if (follow && boundary == rows.size())
            ImGui::SetScrollHereY(1.0f);
    } else {
        // A huge run: one line per event, and only the visible ones drawn.
        float const row_h = ImGui::GetTextLineHeightWithSpacing();
        if (follow)
            ImGui::SetScrollY(std::max(0.0f, float(boundary) * row_h - ImGui::GetWindowHeight() * 0.75f));
        ImGuiListClipper clipper;
        clipper.Begin(int(rows.size()), row_h);
        while (clipper.Step())
            for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i)
                event_row(ctx, all[rows[std::size_t(i)]], rows[std::size_t(i)], false);
    }
    ImGui::EndChild();
    ImGui::End();
}

}  // namespace forklab::gui
