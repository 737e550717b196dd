// The process tree: the tidy layout from model/tree_layout.h, drawn as coloured boxes joined by
// elbow edges labelled with how each child came to be (fork, vfork, adopted after its parent
// exited). The task that ran the last step is ringed; zombies are drawn hollow.
#include "model/task_text.h"
#include "model/tree_layout.h"
#include "panels/draw.h"

#include "base/format.h"

#include <algorithm>

namespace forklab::gui {

namespace {

struct Geometry {
    float node_w = 0, node_h = 0, col = 0, row = 0, origin_x = 0, origin_y = 0;
    ImVec2 top_left(TreeNode const& n) const
    {
        return ImVec2(origin_x + n.x * col + (col - node_w) / 2, origin_y + float(n.depth) * row);
    }
};

Geometry measure(TreeLayout const& layout, Rect avail)
{
    Geometry g;
    float const line = ImGui::GetTextLineHeight();
    float widest = ImGui::CalcTextSize("blocked: wait()").x;
    for (TreeNode const& n : layout.nodes) {
        widest = std::max(widest, ImGui::CalcTextSize(format("{}  {}", n.pid, n.name).c_str()).x);
        widest = std::max(widest, ImGui::CalcTextSize(n.state_text.c_str()).x);
    }
    g.node_w = widest + line;
    g.node_h = 2 * line + line * 0.6f;
    g.col = g.node_w + line * 0.8f;
    // Levels as far apart as the panel allows, but always room for an edge's label.
    float const fit = layout.levels > 1 ? (avail.h - g.node_h - line * 0.6f) / float(layout.levels - 1) : 0;
    g.row = std::clamp(fit, g.node_h + line * 1.15f, g.node_h + line * 2.2f);
    float const width = float(layout.columns) * g.col;
    g.origin_x = std::max(0.0f, (avail.w - width) / 2);
    g.origin_y = line * 0.3f;
    return g;
}

void draw_edge(PanelContext& ctx, ImDrawList* draw, ImVec2 origin, Geometry const& g, TreeNode const& parent,
    TreeNode const& child)
{
    ImVec2 const p = g.top_left(parent), c = g.top_left(child);
    float const px = origin.x + p.x + g.node_w / 2, py = origin.y + p.y + g.node_h;
    float const cx = origin.x + c.x + g.node_w / 2, cy = origin.y + c.y;
    float const mid = py + (cy - py) * 0.3f;
    bool const adopted = child.edge_label == "adopted";
    ImU32 const colour = adopted ? IM_COL32(200, 110, 0, 255)
        : child.reaped             ? IM_COL32(200, 200, 200, 255)
                                   : IM_COL32(120, 120, 120, 255);
    float const thick = std::max(1.5f, ImGui::GetFontSize() / 9);
    draw->AddLine(ImVec2(px, py), ImVec2(px, mid), colour, thick);
    draw->AddLine(ImVec2(px, mid), ImVec2(cx, mid), colour, thick);
    draw->AddLine(ImVec2(cx, mid), ImVec2(cx, cy), colour, thick);
    std::string label = child.edge_label;
    if (adopted && child.forked_by)
        label = format("adopted (forked by {})", *child.forked_by);
    if (label.empty())
        return;
    ImVec2 const size = ImGui::CalcTextSize(label.c_str());
    // Right of the edge, but moved left (over the edge, on its white ground) rather than past
    // the panel's edge: "adopted (forked by 2)" on the rightmost child is long.
    float const right_edge = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
    float const x = std::max(ImGui::GetWindowPos().x, std::min(cx + 4, right_edge - size.x));
    ImVec2 const at(x, mid + (cy - mid - size.y) / 2);
    draw->AddRectFilled(at, ImVec2(at.x + size.x, at.y + size.y), IM_COL32(255, 255, 255, 220));
    draw->AddText(at, adopted ? colour : to_u32(ctx.palette.colour(child.pid), child.reaped ? 0.45f : 1.0f),
        label.c_str());
}

// A node; true when it was clicked.
bool draw_node(PanelContext& ctx, ImDrawList* draw, ImVec2 origin, Geometry const& g, TreeNode const& n,
    bool selected, bool ran_last)
{
    ImVec2 const tl = g.top_left(n);
    ImVec2 const a(origin.x + tl.x, origin.y + tl.y), b(a.x + g.node_w, a.y + g.node_h);
    Rgb const colour = ctx.palette.colour(n.pid);
    float const round = ImGui::GetFontSize() * 0.35f;
    bool const zombie = n.state == TaskState::Zombie;
    if (n.reaped) {
        // Gone: a faded outline, so the class still sees everything the run created.
        draw->AddRectFilled(a, b, IM_COL32(246, 246, 246, 255), round);
        draw->AddRect(a, b, to_u32(tint(colour, 0.55f)), round, 0, 1.5f);
        float const pad = ImGui::GetTextLineHeight() * 0.3f;
        draw->AddText(ImVec2(a.x + pad, a.y + pad), to_u32(tint(colour, 0.35f)), format("{}  {}", n.pid, n.name).c_str());
        draw->AddText(ImVec2(a.x + pad, a.y + pad + ImGui::GetTextLineHeight()), IM_COL32(150, 150, 150, 255),
            n.state_text.c_str());
        return false;
    }
    if (selected)
        draw->AddRect(ImVec2(a.x - 4, a.y - 4), ImVec2(b.x + 4, b.y + 4), IM_COL32(30, 30, 30, 255), round, 0, 2.5f);
    draw->AddRectFilled(a, b, zombie ? IM_COL32(235, 235, 235, 255) : to_u32(tint(colour, 0.82f)), round);
    draw->AddRect(a, b, to_u32(colour), round, 0, ran_last ? 4.0f : 2.0f);
    float const pad = ImGui::GetTextLineHeight() * 0.3f;
    std::string const title = format("{}  {}", n.pid, n.name);
    draw->AddText(ImVec2(a.x + pad, a.y + pad), to_u32(zombie ? Rgb{90, 90, 90} : colour), title.c_str());
    draw->AddText(ImVec2(a.x + pad, a.y + pad + ImGui::GetTextLineHeight()), IM_COL32(40, 40, 40, 255),
        n.state_text.c_str());
    ImGui::SetCursorScreenPos(a);
    ImGui::PushID(n.pid);
    bool const clicked = ImGui::InvisibleButton("node", ImVec2(g.node_w, g.node_h));
    if (ImGui::IsItemHovered())
        ImGui::SetTooltip("pid %d, parent %d: %s\nclick to %s", int(n.pid), int(n.ppid), n.state_text.c_str(),
            ctx.run.options().sched.policy == lang::SchedPolicy::Manual
                ? "run it next (if runnable)"
                : selected ? "deselect it" : "select it: its memory, files and events, and the inspector");
    ImGui::PopID();
    return clicked;
}

// A click selects a task: the memory and files views and the timeline then show it (and any
// other task selected), and the inspector opens on it. A second click deselects it; with none
// selected every process shows again.
void on_click(PanelContext& ctx, pid_t pid)
{
    ctx.view.inspected = pid;
    ctx.view.raise_inspector = true;
    if (ctx.run.options().sched.policy == lang::SchedPolicy::Manual) {
        ctx.view.run_task = pid;
        return;
    }
    if (!ctx.view.selected.erase(pid))
        ctx.view.selected.insert(pid);
}

}  // namespace

void tree_panel(PanelContext& ctx, Rect r)
{
    begin_panel("Process tree", r, ImGuiWindowFlags_HorizontalScrollbar);
    TreeLayout const layout = layout_process_tree(ctx.run.kernel());
    Rect const avail{0, 0, ImGui::GetContentRegionAvail().x, ImGui::GetContentRegionAvail().y};
    Geometry const g = measure(layout, avail);
    ImVec2 const origin = ImGui::GetCursorScreenPos();
    ImDrawList* draw = ImGui::GetWindowDrawList();
    pid_t const ran_last = ctx.run.step() ? ctx.run.session().choices().back().pid : 0;
    for (TreeNode const& n : layout.nodes)
        if (n.parent >= 0)
            draw_edge(ctx, draw, origin, g, layout.nodes[std::size_t(n.parent)], n);
    for (TreeNode const& n : layout.nodes) {
        bool const selected = !ctx.view.selected.empty() && ctx.view.selected.contains(n.pid);
        if (draw_node(ctx, draw, origin, g, n, selected, n.pid == ran_last))
            on_click(ctx, n.pid);
    }
    ImGui::SetCursorScreenPos(origin);
    ImGui::Dummy(ImVec2(g.origin_x + float(layout.columns) * g.col, float(layout.levels) * g.row));
    ImGui::End();
}

}  // namespace forklab::gui
