// The files view, as the diagram a lecturer draws: each shown process's fd table on the left,
// every open file description once in the middle, every inode once on the right, and arrows
// between them. fork() copies the fd table but not the descriptions, so after a fork the
// parent's and the child's arrows meet in the same box -- one offset, one set of flags, its
// reference count the number of arrows in. A pipe's box says how many bytes wait in it and how
// many read and write ends are open. A "c" after an fd marks it close-on-exec.
#include "model/files_rows.h"
#include "panels/draw.h"

#include "base/format.h"

#include <algorithm>
#include <cfloat>

namespace forklab::gui {

namespace {

struct Columns {
    float fd_x, fd_w, desc_x, desc_w, inode_x, inode_w;
};

struct Box {
    float y = 0, h = 0;
    float mid() const { return y + h / 2; }
};

// A box's text: a title, then details that flow onto as many lines as the box's width needs,
// so that a reference count is never cut off in a narrow column ("9 refs" matters most).
struct BoxText {
    std::vector<std::string> title;    // Words of the title, one space apart.
    std::vector<std::string> details;  // Each kept whole on its line where it fits.
};

BoxText description_text(FdRow const& r)
{
    return {{format("#{}", r.description), r.path},
        {r.flags, format("offset {}", r.offset), format("{} ref{}", r.description_refs, r.description_refs == 1 ? "" : "s")}};
}

BoxText inode_text(FilesDiagram::InodeBox const& i)
{
    BoxText t{{format("inode {}", i.ino), std::string(inode_kind_name(i.kind))}, {}};
    FdRow const& r = i.row;
    if (r.pipe)
        t.details = {format("{} bytes buffered", r.pipe->buffered),
            format("{} read / {} write end(s)", r.pipe->readers, r.pipe->writers)};
    else if (r.kind == InodeKind::Regular)
        t.details = {i.name, format("{} bytes", r.size), format("{} link{}", r.nlink, r.nlink == 1 ? "" : "s")};
    else
        t.details = {i.name};
    return t;
}

float small_font()
{
    return ImGui::GetFontSize() * 0.85f;
}

float text_width(std::string const& s)
{
    return ImGui::GetFont()->CalcTextSizeA(small_font(), FLT_MAX, 0, s.c_str()).x;
}

// The parts joined `gap` apart while they fit `width`, else on the next line; a long flag
// list ("O_WRONLY|O_APPEND|O_CLOEXEC") breaks after a '|'.
std::vector<std::string> flow_lines(std::vector<std::string> const& parts, float width, char const* gap)
{
    std::vector<std::string> words;
    for (std::string const& part : parts) {
        if (text_width(part) <= width || part.find('|') == std::string::npos) {
            words.push_back(part);
            continue;
        }
        for (std::size_t at = 0; at < part.size();) {
            std::size_t const bar = part.find('|', at);
            std::size_t const end = bar == std::string::npos ? part.size() : bar + 1;
            words.push_back(part.substr(at, end - at));
            at = end;
        }
    }
    std::vector<std::string> lines;
    for (std::string const& w : words) {
        bool const joins = !lines.empty() && lines.back().ends_with('|');
        std::string const wider = lines.empty() ? w : lines.back() + (joins ? "" : gap) + w;
        if (!lines.empty() && text_width(wider) <= width)
            lines.back() = wider;
        else
            lines.push_back(w);
    }
    return lines;
}

struct Laid {
    std::vector<std::string> title, lines;
    float h = 0;
};

Laid lay_out(BoxText const& t, float box_w)
{
    float const fs = small_font();
    Laid l{flow_lines(t.title, box_w - 10, " "), flow_lines(t.details, box_w - 10, "  "), 0};
    l.h = fs * (0.4f + 1.15f * float(l.title.size() + l.lines.size()));
    return l;
}

// The title, then the detail lines in grey, in a rounded box; whatever still does not fit
// (a very long path) is clipped at the box's edge.
void draw_box(ImDrawList* draw, ImVec2 origin, float x, float w, Box b, ImU32 fill, ImU32 border, Laid const& text)
{
    ImVec2 const a(origin.x + x, origin.y + b.y), c(a.x + w, a.y + b.h);
    draw->AddRectFilled(a, c, fill, 4);
    draw->AddRect(a, c, border, 4, 0, 1.5f);
    float const fs = small_font();
    ImVec4 const clip(a.x + 2, a.y, c.x - 3, c.y);
    float y = a.y + 3;
    for (std::string const& line : text.title) {
        draw->AddText(nullptr, fs, ImVec2(a.x + 5, y), IM_COL32(20, 20, 20, 255), line.c_str(), nullptr, 0, &clip);
        y += fs * 1.15f;
    }
    for (std::string const& line : text.lines) {
        draw->AddText(nullptr, fs, ImVec2(a.x + 5, y), IM_COL32(70, 70, 70, 255), line.c_str(), nullptr, 0, &clip);
        y += fs * 1.15f;
    }
}

void arrow(ImDrawList* draw, ImVec2 from, ImVec2 to, ImU32 colour)
{
    float const dx = (to.x - from.x) * 0.5f;
    draw->AddBezierCubic(from, ImVec2(from.x + dx, from.y), ImVec2(to.x - dx, to.y), to, colour, 2.0f);
    float const s = ImGui::GetFontSize() * 0.25f;
    draw->AddTriangleFilled(to, ImVec2(to.x - s * 1.6f, to.y - s), ImVec2(to.x - s * 1.6f, to.y + s), colour);
}

// Boxes stacked top-down, each as near as it can be to the middle of what points at it.
std::vector<Box> place(std::vector<float> const& wanted_mid, std::vector<Laid> const& text, float gap)
{
    std::vector<Box> boxes;
    float next = 0;
    for (std::size_t i = 0; i < wanted_mid.size(); ++i) {
        float const h = text[i].h;
        Box b{std::max(next, wanted_mid[i] - h / 2), h};
        next = b.y + h + gap;
        boxes.push_back(b);
    }
    return boxes;
}

void files_tab(PanelContext& ctx)
{
    auto const pids = shown_processes(ctx);
    FilesDiagram const d = files_diagram(ctx.run.kernel(), pids);
    if (d.descriptions.empty()) {
        hint("No open files in the shown processes.");
        return;
    }
    float const W = ImGui::GetContentRegionAvail().x;
    float const fs = ImGui::GetFontSize() * 0.85f;
    float const label_w = 0;  // The pid heads its table, above its descriptors.
    float const fd_w = ImGui::CalcTextSize("fd 00 c").x * 0.85f + 6;
    float const desc_x = label_w + fd_w + W * 0.07f, rest = W - desc_x;
    Columns const col{label_w, fd_w, desc_x, rest * 0.52f, desc_x + rest * 0.6f, rest * 0.4f};
    float const row_h = fs * 1.25f, gap = fs * 0.5f;
    std::vector<Laid> desc_text, inode_text_laid;
    for (auto const& dd : d.descriptions)
        desc_text.push_back(lay_out(description_text(dd.row), col.desc_w));
    for (auto const& ii : d.inodes)
        inode_text_laid.push_back(lay_out(inode_text(ii), col.inode_w - 4));
    ImVec2 const origin = ImGui::GetCursorScreenPos();
    ImDrawList* draw = ImGui::GetWindowDrawList();

    // Left: the fd tables.
    std::vector<std::vector<float>> fd_mid(d.tables.size());
    std::vector<std::vector<float>> into_description(d.descriptions.size());
    float y = 0;
    for (std::size_t t = 0; t < d.tables.size(); ++t) {
        auto const& table = d.tables[t];
        Rgb const colour = ctx.palette.colour(table.pid);
        draw->AddText(nullptr, fs, ImVec2(origin.x, origin.y + y), to_u32(colour), format("pid {}", table.pid).c_str());
        y += row_h;
        for (auto const& fd : table.fds) {
            Box const b{y, row_h - 3};
            ImVec2 const a(origin.x + col.fd_x, origin.y + b.y);
            draw->AddRectFilled(a, ImVec2(a.x + col.fd_w, a.y + b.h), to_u32(tint(colour, 0.8f)), 3);
            std::string const label = format("fd {}{}", fd.fd, fd.cloexec ? " c" : "");  // c: close-on-exec.
            draw->AddText(nullptr, fs, ImVec2(a.x + 4, a.y + 1), IM_COL32(20, 20, 20, 255), label.c_str());
            fd_mid[t].push_back(b.mid());
            into_description[fd.description].push_back(b.mid());
            y += row_h;
        }
        y += gap;
    }
    float const left_h = y;

    // Middle: the open file descriptions; right: the inodes.
    std::vector<float> desc_want, inode_want(d.inodes.size(), 0);
    std::vector<int> inode_refs(d.inodes.size(), 0);
    for (auto const& mids : into_description) {
        float sum = 0;
        for (float m : mids)
            sum += m;
        desc_want.push_back(mids.empty() ? 0 : sum / float(mids.size()));
    }
    std::vector<Box> const desc = place(desc_want, desc_text, gap);
    for (std::size_t i = 0; i < d.descriptions.size(); ++i) {
        inode_want[d.descriptions[i].inode] += desc[i].mid();
        ++inode_refs[d.descriptions[i].inode];
    }
    for (std::size_t i = 0; i < d.inodes.size(); ++i)
        inode_want[i] /= float(std::max(1, inode_refs[i]));
    std::vector<Box> const ino = place(inode_want, inode_text_laid, gap);

    for (std::size_t t = 0; t < d.tables.size(); ++t)
        for (std::size_t f = 0; f < d.tables[t].fds.size(); ++f) {
            Box const& target = desc[d.tables[t].fds[f].description];
            arrow(draw, ImVec2(origin.x + col.fd_x + col.fd_w, origin.y + fd_mid[t][f]),
                ImVec2(origin.x + col.desc_x, origin.y + target.mid()), to_u32(ctx.palette.colour(d.tables[t].pid), 0.8f));
        }
    for (std::size_t i = 0; i < d.descriptions.size(); ++i) {
        auto const& dd = d.descriptions[i];
        draw_box(draw, origin, col.desc_x, col.desc_w, desc[i], IM_COL32(255, 255, 255, 255), IM_COL32(80, 80, 80, 255),
            desc_text[i]);
        arrow(draw, ImVec2(origin.x + col.desc_x + col.desc_w, origin.y + desc[i].mid()),
            ImVec2(origin.x + col.inode_x, origin.y + ino[dd.inode].mid()), IM_COL32(110, 110, 110, 255));
    }
    for (std::size_t i = 0; i < d.inodes.size(); ++i) {
        bool const pipe = d.inodes[i].row.pipe.has_value();
        draw_box(draw, origin, col.inode_x, col.inode_w - 4, ino[i],
            pipe ? IM_COL32(232, 244, 255, 255) : IM_COL32(244, 244, 244, 255), IM_COL32(80, 80, 80, 255),
            inode_text_laid[i]);
    }
    float const bottom = std::max({left_h, desc.back().y + desc.back().h, ino.back().y + ino.back().h});
    ImGui::Dummy(ImVec2(W, bottom + gap));
}

}  // namespace

// The files diagram and the task inspector share a corner, as tabs: clicking a process in the
// tree brings the inspector forward.
void files_panel(PanelContext& ctx, Rect r)
{
    begin_panel("Files and tasks###files", r, ImGuiWindowFlags_NoTitleBar);
    if (ImGui::BeginTabBar("tabs")) {
        if (ImGui::BeginTabItem("Files: fd -> description -> inode")) {
            ImGui::BeginChild("files", ImVec2(0, 0), false);
            files_tab(ctx);
            ImGui::EndChild();
            ImGui::EndTabItem();
        }
        bool const raise = std::exchange(ctx.view.raise_inspector, false);
        ctx.view.inspector_open = false;
        if (ImGui::BeginTabItem("Task inspector", nullptr, raise ? ImGuiTabItemFlags_SetSelected : 0)) {
            ctx.view.inspector_open = true;
            inspector_tab(ctx);
            ImGui::EndTabItem();
        }
        ImGui::EndTabBar();
    }
    ImGui::End();
}

}  // namespace forklab::gui
