// The event timeline: what the last step did, in full sentences, then every event of the whole
// run (the preview) one per line -- the past in full colour, the future greyed -- filterable by
// the tasks selected in the tree (a chip per task, "pid 7 x", to clear it) and by kind (a chip
// per family of events, model/event_filter.h). Clicking an event goes to the step that made it.
#include "model/event_filter.h"
#include "panels/draw.h"

#include "base/format.h"

#include <algorithm>
#include <functional>

namespace forklab::gui {

namespace {

// Up to this many events are drawn wrapped in full; beyond, one line each, clipped.
constexpr std::size_t kMostWrapped = 1500;

// As tall as what the last step did (from two lines up to a third of the panel, then it
// scrolls), so that a quiet step leaves the room to the list of events.
float last_step_height(std::span<Event const> events, float panel_h)
{
    ImGuiStyle const& style = ImGui::GetStyle();
    float const line = ImGui::GetTextLineHeightWithSpacing();
    float const wrap = ImGui::GetContentRegionAvail().x - 2 * style.WindowPadding.x - ImGui::GetFontSize() -
        2 * style.ItemSpacing.x;
    float h = line;  // "Step 9: pid 3 ran one statement:"
    if (events.empty())
        h += line;   // The line number, wrapped in a narrow column.
    for (Event const& e : events)
        h += ImGui::CalcTextSize(explain(e).c_str(), nullptr, false, std::max(wrap, 1.0f)).y + style.ItemSpacing.y;
    return std::clamp(h, line * 2, std::max(line * 2, panel_h / 3)) + 2 * style.WindowPadding.y;
}

void last_step_box(PanelContext& ctx, float panel_h)
{
    auto const events = ctx.run.last_step_events();
    ImGui::PushStyleColor(ImGuiCol_ChildBg, IM_COL32(236, 242, 250, 255));
    ImGui::BeginChild("now", ImVec2(0, last_step_height(events, panel_h)), true);
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

// Chips flow left to right and wrap, so the filters fit a narrow column at 1280x720.
void flow(float width, bool first)
{
    if (first)
        return;
    float const right = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
    ImGui::SameLine(0, ImGui::GetFontSize() * 0.3f);
    if (ImGui::GetCursorScreenPos().x + width > right)
        ImGui::NewLine();
}

ImVec2 chip_padding()
{
    return ImVec2(ImGui::GetFontSize() * 0.3f, ImGui::GetFontSize() * 0.12f);
}

float chip_width(std::string const& label)
{
    return ImGui::CalcTextSize(label.c_str()).x + 2 * chip_padding().x + ImGui::GetFontSize() * 0.3f;
}

// A rounded label that is a button, struck through when `off`; true when clicked
// (`right_clicked` for the other button).
bool chip(char const* id, std::string const& label, ImU32 fill, ImU32 text, ImU32 border, bool first,
    bool* right_clicked = nullptr, bool off = false)
{
    ImVec2 const size = ImGui::CalcTextSize(label.c_str());
    ImVec2 const pad = chip_padding();
    ImVec2 const box(size.x + 2 * pad.x, size.y + 2 * pad.y);
    flow(box.x, first);
    ImVec2 const at = ImGui::GetCursorScreenPos();
    bool const clicked = ImGui::InvisibleButton(id, box);
    if (right_clicked)
        *right_clicked = ImGui::IsItemClicked(ImGuiMouseButton_Right);
    ImDrawList* draw = ImGui::GetWindowDrawList();
    float const round = box.y / 2;
    draw->AddRectFilled(at, ImVec2(at.x + box.x, at.y + box.y), fill, round);
    draw->AddRect(at, ImVec2(at.x + box.x, at.y + box.y), border, round, 0, ImGui::IsItemHovered() ? 2.5f : 1.2f);
    draw->AddText(ImVec2(at.x + pad.x, at.y + pad.y), text, label.c_str());
    if (off)
        draw->AddLine(ImVec2(at.x + pad.x, at.y + box.y / 2), ImVec2(at.x + box.x - pad.x, at.y + box.y / 2), text, 1.5f);
    return clicked;
}

// "Events of  [pid 7 ×] [pid 8 ×]": the tasks selected in the tree, each chip in its colour;
// the x deselects it (in every panel: the selection is one), and with none left every task's
// events show again.
void task_chips(PanelContext& ctx)
{
    if (ctx.view.selected.empty())
        return;
    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted("Events of");
    std::optional<pid_t> cleared;
    for (pid_t pid : ctx.view.selected) {
        Rgb const c = ctx.palette.colour(pid);
        if (chip(format("##pid{}", pid).c_str(), format("pid {}  \u00d7", pid), to_u32(c), IM_COL32_WHITE, to_u32(c), false))
            cleared = pid;
        if (ImGui::IsItemHovered())
            ImGui::SetTooltip("Showing only pid %d's events (and those naming it).\nClick to clear this filter.", int(pid));
    }
    if (cleared)
        ctx.view.selected.erase(*cleared);
}

// One chip per event family: filled when shown, pale when hidden. A click shows or hides the
// family; a right click shows it alone (or every family again, when it already was alone).
void family_chips(PanelContext& ctx)
{
    EventFilter filter{{}, ctx.view.timeline_hidden};
    std::uint32_t const all = (1u << kEventFamilyCount) - 1;
    // The label only when it leaves the chips one line: in a narrow column they speak for
    // themselves (and their tooltips say what they do). Two lines are split evenly, not six
    // chips and an orphan.
    float chips = 0;
    for (int f = 0; f < kEventFamilyCount; ++f)
        chips += chip_width(std::string(event_family_name(EventFamily(f))));
    float const avail = ImGui::GetContentRegionAvail().x;
    bool const labelled = ImGui::CalcTextSize("Kinds").x + chips <= avail;
    int const second_row = chips <= avail ? -1 : (kEventFamilyCount + 1) / 2;
    if (labelled) {
        ImGui::AlignTextToFramePadding();
        ImGui::TextUnformatted("Kinds");
    }
    for (int f = 0; f < kEventFamilyCount; ++f) {
        auto const family = EventFamily(f);
        bool const shown = filter.shows(family);
        bool right = false;
        std::string const name(event_family_name(family));
        bool const clicked = chip(format("##family{}", f).c_str(), name,
            shown ? IM_COL32(55, 85, 135, 255) : IM_COL32(240, 240, 240, 255),
            shown ? IM_COL32_WHITE : IM_COL32(130, 130, 130, 255),
            shown ? IM_COL32(55, 85, 135, 255) : IM_COL32(190, 190, 190, 255), (f == 0 && !labelled) || f == second_row, &right, !shown);
        if (ImGui::IsItemHovered())
            ImGui::SetTooltip("%s events are %s.\nClick to %s them; right-click to show only them.", name.c_str(),
                shown ? "shown" : "hidden", shown ? "hide" : "show");
        if (clicked)
            filter.toggle(family);
        if (right) {
            std::uint32_t const alone = all & ~(1u << f);
            filter.hidden = filter.hidden == alone ? 0 : alone;
        }
    }
    ctx.view.timeline_hidden = filter.hidden;
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
    last_step_box(ctx, r.h);
    task_chips(ctx);
    family_chips(ctx);
    auto const& all = ctx.run.preview().events;
    FilteredEvents const filtered =
        filter_events(all, EventFilter{ctx.view.selected, ctx.view.timeline_hidden}, ctx.run.step());
    std::vector<std::size_t> const& rows = filtered.rows;
    std::size_t const boundary = filtered.past;  // The first row after the current step.
    ImGui::BeginChild("events", ImVec2(0, 0), true);
    if (rows.empty())
        hint(all.empty() ? "The run makes no kernel events." : "No event matches the filters above.");
    // Scroll to the current step when it changes, and when the filters do: the same scroll
    // offset would show some other part of the run.
    std::size_t filters = std::hash<std::uint32_t>{}(ctx.view.timeline_hidden);
    for (pid_t pid : ctx.view.selected)
        filters = filters * 31 + std::hash<pid_t>{}(pid);
    bool const follow = ctx.view.timeline_followed != ctx.run.step() || ctx.view.timeline_filter_followed != filters;
    ctx.view.timeline_followed = ctx.run.step();
    ctx.view.timeline_filter_followed = filters;
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
