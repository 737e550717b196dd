// The task inspector: every attribute of the task picked in the tree beside its parent's, each
// with what fork() does to it (inherited: a copy; shared: one object for both; reset: the child
// starts afresh) and what execve() does (kept, reset, replaced), as fork(2) and execve(2) say.
// A value that differs from the parent's is tinted; hovering a row gives the rule and its page.
#include "model/inspector_rows.h"
#include "panels/draw.h"

#include "base/format.h"

namespace forklab::gui {

namespace {

ImVec4 fork_colour(AtFork f)
{
    switch (f) {
    case AtFork::Inherited: return ImVec4(0.10f, 0.50f, 0.20f, 1);
    case AtFork::Shared: return ImVec4(0.10f, 0.33f, 0.80f, 1);
    case AtFork::Reset: return ImVec4(0.80f, 0.40f, 0.00f, 1);
    case AtFork::NotInherited: return ImVec4(0.72f, 0.12f, 0.12f, 1);
    }
    return ImVec4(0, 0, 0, 1);
}

ImVec4 exec_colour(AtExec e)
{
    switch (e) {
    case AtExec::Kept: return ImVec4(0.10f, 0.50f, 0.20f, 1);
    case AtExec::Reset: return ImVec4(0.80f, 0.40f, 0.00f, 1);
    case AtExec::Replaced: return ImVec4(0.50f, 0.20f, 0.65f, 1);
    }
    return ImVec4(0, 0, 0, 1);
}

void header(PanelContext& ctx, TaskInspection const& in)
{
    pid_chip(ctx, in.pid, "pid ");
    ImGui::SameLine();
    ImGui::Text("%s%s", in.name.c_str(), in.zombie ? " (zombie)" : "");
    if (in.parent) {
        ImGui::SameLine(0, ImGui::GetFontSize());
        ImGui::TextUnformatted("parent");
        ImGui::SameLine();
        pid_chip(ctx, in.parent, "pid ");
        ImGui::SameLine();
        ImGui::TextUnformatted(in.name == in.parent_name ? "" : in.parent_name.c_str());
    }
    hint("Under each attribute: fork's effect, then exec's (hover: the rule). Tinted: not as in the parent.");
}

void rule_tooltip(TaskAttribute const& a)
{
    ImGui::BeginTooltip();
    ImGui::PushTextWrapPos(ImGui::GetFontSize() * 26);
    ImGui::TextColored(fork_colour(a.fork), "fork: %s", std::string(at_fork_name(a.fork)).c_str());
    ImGui::TextUnformatted(format("{} ({})", a.fork_rule, a.fork_source).c_str());
    ImGui::TextColored(exec_colour(a.exec), "exec: %s", std::string(at_exec_name(a.exec)).c_str());
    ImGui::TextUnformatted(format("{} ({})", a.exec_rule, a.exec_source).c_str());
    ImGui::PopTextWrapPos();
    ImGui::EndTooltip();
}

// Attribute and its fork and exec effects in the first column, then the two values.
void row(InspectorRow const& r)
{
    TaskAttribute const& a = *r.attribute;
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::PushTextWrapPos(0);
    ImGui::TextUnformatted(a.name.data(), a.name.data() + a.name.size());
    bool hovered = ImGui::IsItemHovered();
    ImGui::TextColored(fork_colour(a.fork), "%s", std::string(at_fork_name(a.fork)).c_str());
    hovered |= ImGui::IsItemHovered();
    // Side by side when both fit the column, else the exec effect under the fork effect.
    std::string const both = format("{}  {}", at_fork_name(a.fork), at_exec_name(a.exec));
    if (ImGui::CalcTextSize(both.c_str()).x <= ImGui::GetColumnWidth())
        ImGui::SameLine(0, ImGui::GetFontSize() * 0.4f);
    ImGui::TextColored(exec_colour(a.exec), "%s", std::string(at_exec_name(a.exec)).c_str());
    hovered |= ImGui::IsItemHovered();
    ImGui::TableNextColumn();
    if (r.differs)
        ImGui::TableSetBgColor(ImGuiTableBgTarget_CellBg, IM_COL32(255, 236, 170, 255));
    ImGui::TextUnformatted(r.value.c_str());
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(r.parent_value.c_str());
    ImGui::PopTextWrapPos();
    if (hovered)
        rule_tooltip(a);
}

}  // namespace

void inspector_tab(PanelContext& ctx)
{
    Kernel const& kernel = ctx.run.kernel();
    pid_t pid = ctx.view.inspected.value_or(0);
    if (!kernel.find_task(pid))
        pid = default_inspected(kernel);
    auto const in = inspect_task(kernel, pid);
    if (!in) {
        hint("No process to inspect at this step.");
        return;
    }
    header(ctx, *in);
    ImGuiTableFlags const flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerH | ImGuiTableFlags_ScrollY |
        ImGuiTableFlags_SizingStretchProp;
    if (!ImGui::BeginTable("attributes", 3, flags))
        return;
    ImGui::TableSetupScrollFreeze(0, 1);
    ImGui::TableSetupColumn("attribute", ImGuiTableColumnFlags_WidthStretch, 1.3f);
    ImGui::TableSetupColumn(format("pid {}", in->pid).c_str(), ImGuiTableColumnFlags_WidthStretch, 1.0f);
    ImGui::TableSetupColumn(in->parent ? format("parent {}", in->parent).c_str() : "no parent",
        ImGuiTableColumnFlags_WidthStretch, 1.0f);
    ImGui::TableHeadersRow();
    for (InspectorRow const& r : in->rows)
        row(r);
    ImGui::EndTable();
}

}  // namespace forklab::gui
