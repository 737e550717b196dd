// The fork strategies compared (C, or the controls' "compare" button): the memory counters of
// the same program and schedule under each strategy at this step, one column per strategy.
// The run's own strategy is the tinted column; the lowest cost in each row wears a green pill.
// The numbers come from a StrategyComparer, which recomputes only when the step or the run
// changes, so an open table costs nothing per frame but drawing it.
#include "panels/draw.h"

#include "base/format.h"

namespace forklab::gui {

namespace {

constexpr ImU32 kCurrentTint = IM_COL32(214, 228, 250, 255);
constexpr ImU32 kSectionTint = IM_COL32(228, 228, 228, 255);
constexpr ImU32 kBestFill = IM_COL32(40, 150, 70, 255);
ImVec4 const kStoppedText{0.55f, 0.55f, 0.55f, 1};

char const* strategy_label(ForkStrategy s)
{
    switch (s) {
    case ForkStrategy::Cow: return "copy-on-write";
    case ForkStrategy::Copy: return "copy";
    case ForkStrategy::Odf: return "on-demand";
    case ForkStrategy::Vfork: return "vfork";
    }
    return "?";
}

// Right-aligned in its cell, so the digits line up down a column.
void right_aligned(std::string const& text)
{
    float const w = ImGui::CalcTextSize(text.c_str()).x;
    float const avail = ImGui::GetContentRegionAvail().x;
    if (avail > w)
        ImGui::SetCursorPosX(ImGui::GetCursorPosX() + avail - w);
    ImGui::TextUnformatted(text.c_str());
}

// The lowest cost: white on a green pill, which reads from the back of the room.
void best_value(std::string const& text)
{
    float const w = ImGui::CalcTextSize(text.c_str()).x, fs = ImGui::GetFontSize();
    float const pad = fs * 0.35f;
    float const avail = ImGui::GetContentRegionAvail().x;
    if (avail > w + pad)
        ImGui::SetCursorPosX(ImGui::GetCursorPosX() + avail - w - pad);
    ImVec2 const at = ImGui::GetCursorScreenPos();
    ImGui::GetWindowDrawList()->AddRectFilled(ImVec2(at.x - pad, at.y - 1), ImVec2(at.x + w + pad, at.y + fs + 1),
        kBestFill, fs * 0.5f);
    ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1, 1, 1, 1));
    ImGui::TextUnformatted(text.c_str());
    ImGui::PopStyleColor();
}

// The strategies' names; a click runs the program with that one instead.
void header_row(PanelContext& ctx, StrategyComparison const& c)
{
    ImGui::TableNextRow(ImGuiTableRowFlags_Headers);
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(format("at step {}", c.step).c_str());
    for (std::size_t i = 0; i < c.columns.size(); ++i) {
        StrategyColumn const& col = c.columns[i];
        ImGui::TableNextColumn();
        bool const current = i == c.current;
        if (current)
            ImGui::TableSetBgColor(ImGuiTableBgTarget_CellBg, kCurrentTint);
        ImGui::PushID(int(i));
        if (ImGui::Selectable(strategy_label(col.strategy), current) && !current) {
            lang::RunOptions options = ctx.run.options();
            options.kernel.fork_strategy = col.strategy;
            ctx.run.set_options(options);
        }
        if (ImGui::IsItemHovered())
            ImGui::SetTooltip("%s", current ? "this run's strategy" : "click: run the program with this strategy");
        ImGui::PopID();
        if (current)
            ImGui::TextDisabled("this run");
        else if (!col.stopped.empty()) {
            ImGui::TextColored(kStoppedText, "%s", format("stopped at {}", col.step).c_str());
            if (ImGui::IsItemHovered())
                ImGui::SetTooltip("%s", col.stopped.c_str());
        }
    }
}

void value_row(StrategyComparison const& c, CompareRow const& row)
{
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    if (row.section) {
        ImGui::TableSetBgColor(ImGuiTableBgTarget_RowBg0, kSectionTint);
        ImGui::TextUnformatted(row.label.c_str());
        return;
    }
    ImGui::TextUnformatted(row.label.c_str());
    if (ImGui::IsItemHovered() && !row.explanation.empty()) {
        ImGui::BeginTooltip();
        ImGui::PushTextWrapPos(ImGui::GetFontSize() * 26);
        ImGui::TextUnformatted(row.explanation.c_str());
        ImGui::PopTextWrapPos();
        ImGui::EndTooltip();
    }
    for (std::size_t i = 0; i < row.values.size(); ++i) {
        ImGui::TableNextColumn();
        if (i == c.current)
            ImGui::TableSetBgColor(ImGuiTableBgTarget_CellBg, kCurrentTint);
        std::string const text = format("{}", row.values[i]);
        if (row.best[i]) {
            best_value(text);
        } else if (!c.columns[i].stopped.empty()) {
            ImGui::PushStyleColor(ImGuiCol_Text, kStoppedText);
            right_aligned(text);
            ImGui::PopStyleColor();
        } else {
            right_aligned(text);
        }
    }
}

void table(PanelContext& ctx, StrategyComparison const& c)
{
    float const fs = ImGui::GetFontSize();
    ImGuiTableFlags const flags = ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_BordersOuter |
        ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingFixedFit | ImGuiTableFlags_PadOuterX;
    if (!ImGui::BeginTable("strategies", int(c.columns.size()) + 1, flags))
        return;
    ImGui::TableSetupColumn("counter", ImGuiTableColumnFlags_WidthFixed, fs * 15.5f);
    for (std::size_t i = 0; i < c.columns.size(); ++i)
        ImGui::TableSetupColumn(strategy_label(c.columns[i].strategy), ImGuiTableColumnFlags_WidthFixed, fs * 7.5f);
    header_row(ctx, c);
    for (CompareRow const& row : c.rows)
        value_row(c, row);
    ImGui::EndTable();
}

void legend()
{
    float const fs = ImGui::GetFontSize();
    ImVec2 at = ImGui::GetCursorScreenPos();
    ImDrawList* draw = ImGui::GetWindowDrawList();
    draw->AddRectFilled(ImVec2(at.x, at.y), ImVec2(at.x + fs * 1.6f, at.y + fs), kBestFill, fs * 0.5f);
    ImGui::Dummy(ImVec2(fs * 1.6f, fs));
    ImGui::SameLine();
    ImGui::TextUnformatted("the lowest cost in its row");
    ImGui::SameLine(0, fs * 1.5f);
    at = ImGui::GetCursorScreenPos();
    draw->AddRectFilled(at, ImVec2(at.x + fs * 1.6f, at.y + fs), kCurrentTint);
    draw->AddRect(at, ImVec2(at.x + fs * 1.6f, at.y + fs), IM_COL32(120, 140, 170, 255));
    ImGui::Dummy(ImVec2(fs * 1.6f, fs));
    ImGui::SameLine();
    ImGui::TextUnformatted("this run's strategy (click a name to switch)");
}

}  // namespace

void compare_panel(PanelContext& ctx, StrategyComparer& comparer)
{
    if (!ctx.view.show_compare)
        return;
    StrategyComparison const& c = comparer.at(ctx.run);
    ImGuiIO const& io = ImGui::GetIO();
    ImGui::SetNextWindowPos(ImVec2(io.DisplaySize.x / 2, io.DisplaySize.y / 2), ImGuiCond_Always, ImVec2(0.5f, 0.5f));
    ImGui::SetNextWindowSizeConstraints(ImVec2(0, 0), ImVec2(io.DisplaySize.x * 0.96f, io.DisplaySize.y * 0.96f));
    ImGui::SetNextWindowBgAlpha(0.98f);
    ImGuiWindowFlags const flags = ImGuiWindowFlags_AlwaysAutoResize | ImGuiWindowFlags_NoSavedSettings |
        ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoScrollbar;
    if (ImGui::Begin("Fork strategies compared (C to close)", &ctx.view.show_compare, flags)) {
        float const wrap = ImGui::GetFontSize() * (15.5f + 7.5f * float(c.columns.size()) + 2);
        ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + wrap);  // Text wraps at the table's width.
        ImGui::TextUnformatted(format("The same program with the same schedule (who ran each of the {} steps), "
                                      "run under each way to fork. What the program does is the same; the "
                                      "kernel's work and memory are not.", c.step).c_str());
        ImGui::Spacing();
        table(ctx, c);
        ImGui::Spacing();
        legend();
        hint("Hover a counter's name for what the kernel counts. vfork is not compared: it shares the "
             "address space, so the program itself would behave differently.");
        ImGui::PopTextWrapPos();
    }
    ImGui::End();
}

}  // namespace forklab::gui
