// The memory view: one band per shown process, its VMAs side by side, each present page a cell
// holding the physical frame it maps. The same frame number in two bands is the same memory;
// colour says what a write would do: amber cells are copy-on-write shared (a write copies),
// the process's own tint is private and writable, grey is shared for good (the program's
// text, a MAP_SHARED page), white is the zero page. Counters from mm_struct sit beside each band.
//
// A cell the last step's write fault copied is ringed in red, and under it the copy is
// animated for kCopyAnimationSeconds: the shared frame splits in two, the new frame slides out
// of the old one, the writer's page-table entry swings over to it, and the old frame's
// reference count drops by one. The end state stays until the next step (and is what a
// screenshot shows, unless --anim-phase freezes an earlier moment).
#include "model/memory_rows.h"
#include "panels/draw.h"

#include "base/format.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace forklab::gui {

namespace {

constexpr Rgb kCowAmber{250, 196, 70};
// Only a process's private pages wear its colour; what is shared is neutral, so no task's tint
// can be mistaken for "shared".
constexpr Rgb kSharedGrey{205, 205, 205};
constexpr Rgb kZeroWhite{255, 255, 255};
constexpr ImU32 kCopiedRed = IM_COL32(215, 25, 32, 255);

Rgb cell_fill(PanelContext& ctx, pid_t pid, PageCell const& c)
{
    if (c.zero)
        return kZeroWhite;
    if (c.cow && c.refs > 1)
        return kCowAmber;
    if (c.shared)
        return kSharedGrey;
    return tint(ctx.palette.colour(pid), 0.7f);
}

struct CellSize {
    float w, h;
};

CellSize cell_size(PanelContext& ctx)
{
    ImFont* mono = ctx.fonts.mono;
    float const digit = mono->CalcTextSizeA(ImGui::GetFontSize() * 0.8f, 1e9f, 0, "00000").x;
    return {digit + 8, ImGui::GetFontSize() * 1.25f};
}

void draw_cell(PanelContext& ctx, ImDrawList* draw, ImVec2 at, CellSize s, pid_t pid, PageCell const& c)
{
    ImVec2 const b(at.x + s.w, at.y + s.h);
    draw->AddRectFilled(at, b, to_u32(cell_fill(ctx, pid, c)), 3);
    draw->AddRect(at, b, c.copied_from ? kCopiedRed : IM_COL32(90, 90, 90, 255), 3, 0, c.copied_from ? 3.0f : 1.0f);
    float const fs = ImGui::GetFontSize() * 0.8f;
    std::string const label = c.zero ? "zero" : std::to_string(c.frame);
    float const tw = ctx.fonts.mono->CalcTextSizeA(fs, 1e9f, 0, label.c_str()).x;
    draw->AddText(ctx.fonts.mono, fs, ImVec2(at.x + (s.w - tw) / 2, at.y + (s.h - fs) / 2), IM_COL32(20, 20, 20, 255),
        label.c_str());
    if (c.refs > 1 && !c.zero) {
        // The reference count as a badge on the corner: how many entries map this frame.
        std::string const refs = format("{}", c.refs);
        float const bs = ImGui::GetFontSize() * 0.62f;
        ImVec2 const bp(b.x - bs * 0.9f, at.y - bs * 0.45f);
        draw->AddCircleFilled(ImVec2(bp.x + bs * 0.3f, bp.y + bs * 0.5f), bs * 0.62f, IM_COL32(60, 60, 60, 255));
        draw->AddText(ctx.fonts.ui, bs, bp, IM_COL32_WHITE, refs.c_str());
    }
}

std::string tooltip_of(PageCell const& c)
{
    char va[32];
    std::snprintf(va, sizeof va, "0x%llx", (unsigned long long)c.va);
    std::string t = format("page {} -> frame {}, {} reference(s)", va, c.frame, c.refs);
    if (c.zero)
        t += "\nthe shared zero page: reads see zeros, the first write allocates a frame";
    else if (c.cow && c.refs > 1)
        t += "\ncopy-on-write: shared after fork and write-protected; a write copies it";
    else if (c.cow)
        t += "\nwrite-protected, but no one else maps it now: a write reuses it";
    else if (c.file)
        t += "\nthe file's own page (its page cache)";
    else if (c.shared)
        t += "\nshared";
    else
        t += "\nprivate and writable";
    if (c.copied_from)
        t += format("\njust copied from frame {} by a write fault", *c.copied_from);
    return t;
}

// ---- Laying out a band ----------------------------------------------------------------------

float group_label_size()
{
    return ImGui::GetFontSize() * 0.75f;
}

std::string group_label(VmaRow const& row)
{
    return format("{} {}", row.name, row.perms);
}

// A VMA group's width: its cells (at most `max_cells`, then "+N"), or its name if longer.
float group_width(PanelContext& ctx, VmaRow const& row, std::size_t max_cells)
{
    CellSize const s = cell_size(ctx);
    std::size_t const n = std::min(row.present.size(), max_cells);
    float w = float(n) * (s.w + 3);
    if (row.present.size() > n)
        w += ImGui::CalcTextSize(format("+{}", row.present.size() - n).c_str()).x;
    return std::max(w, ImGui::CalcTextSize(group_label(row).c_str()).x * 0.75f);
}

// Where each VMA group with pages goes: its x from the band's left, and its line (groups wrap
// to a new line when the next would not fit).
struct PlacedGroup {
    VmaRow const* row;
    float x;
    int line;
    std::size_t fits;  // The cells shown; the rest are counted as "+N".
};

std::vector<PlacedGroup> place_groups(PanelContext& ctx, MemoryView const& v, float width)
{
    CellSize const s = cell_size(ctx);
    float const gap = ImGui::GetFontSize();
    float const more = ImGui::CalcTextSize("+000").x;  // Room for the count of the pages not drawn.
    std::size_t const fits = std::size_t(std::max(1.0f, (width - more) / (s.w + 3)));
    std::vector<PlacedGroup> groups;
    float x = 0;
    int line = 0;
    for (VmaRow const& row : v.vmas) {
        if (row.present.empty())
            continue;  // Nothing of it in memory yet: no frame to show.
        float const want = float(std::min(row.present.size(), fits)) * (s.w + 3);
        if (x > 0 && x + want > width) {
            x = 0;
            ++line;
        }
        groups.push_back(PlacedGroup{&row, x, line, fits});
        x += group_width(ctx, row, fits) + gap;
    }
    return groups;
}

// The first page the last step copied, among those drawn: its group and its cell.
struct CopiedCell {
    std::size_t group = 0, cell = 0;
    int line = 0;
    int others = 0;  // More pages copied by the same step.
};

std::optional<CopiedCell> find_copy(std::vector<PlacedGroup> const& groups)
{
    std::optional<CopiedCell> found;
    int copies = 0;
    for (std::size_t g = 0; g < groups.size(); ++g) {
        std::vector<PageCell> const& cells = groups[g].row->present;
        for (std::size_t i = 0; i < cells.size(); ++i) {
            if (!cells[i].copied_from)
                continue;
            ++copies;
            if (!found && i < groups[g].fits)
                found = CopiedCell{g, i, groups[g].line, 0};
        }
    }
    if (found)
        found->others = copies - 1;
    return found;
}

// ---- The copy animation ---------------------------------------------------------------------

float smooth(float from, float to, float phase)
{
    float const t = std::clamp((phase - from) / (to - from), 0.0f, 1.0f);
    return t * t * (3 - 2 * t);
}

// The moments of the animation, as phases from 0 to 1: the new frame slides out of the old
// one, then the entry swings to it and the old frame's count drops.
constexpr float kSlideFrom = 0.1f, kSlideTo = 0.6f, kSwingFrom = 0.5f, kSwingTo = 0.85f, kSwitch = 0.7f;

// The copy under its cell: the boxes of the old and new frames, the entry's arrow, a caption.
struct CopyLane {
    ImVec2 cell;        // The writer's page cell.
    float top = 0;      // The lane's top, just under the cell's line.
    float height = 0;
    ImVec2 box;         // Size of a frame box.
    float old_x = 0, new_x = 0;
    bool caption_below = false;
};

std::string copy_caption(PageCell const& c, int others)
{
    std::string text = format("the write copied frame {} to {}", *c.copied_from, c.frame);
    if (others > 0)
        text += format(" (and {} more)", others);
    return text + format("\nframe {}: {} \u2192 {} references", *c.copied_from, c.copied_from_refs,
                      c.copied_from_refs_now);
}

CopyLane plan_lane(PanelContext& ctx, ImVec2 cell, float line_bottom, float left, float right, std::string const& caption)
{
    CellSize const s = cell_size(ctx);
    float const fs = ImGui::GetFontSize();
    CopyLane lane;
    lane.cell = cell;
    lane.box = ImVec2(s.w + fs * 0.8f, s.h * 1.1f);
    float const spread = lane.box.x + fs * 2.2f;  // From the old box's left to the new one's.
    float const caption_w = ImGui::CalcTextSize(caption.c_str()).x * 0.85f;
    float const boxes_w = spread + lane.box.x;
    lane.old_x = cell.x + s.w / 2 - lane.box.x / 2;
    lane.caption_below = lane.old_x + boxes_w + fs + caption_w > right;
    float const need = boxes_w + (lane.caption_below ? 0 : fs + caption_w);
    lane.old_x = std::max(left, std::min(lane.old_x, right - need));
    lane.new_x = lane.old_x + spread;
    lane.top = line_bottom;
    float const caption_h = ImGui::CalcTextSize(caption.c_str()).y * 0.85f;
    lane.height = fs * 1.1f + std::max(lane.box.y, lane.caption_below ? 0 : caption_h) +
        (lane.caption_below ? caption_h + fs * 0.2f : 0) + fs * 0.4f;
    return lane;
}

void arrow(ImDrawList* draw, ImVec2 from, ImVec2 to, ImU32 colour, float thickness)
{
    draw->AddLine(from, to, colour, thickness);
    float const dx = to.x - from.x, dy = to.y - from.y;
    float const len = std::max(1.0f, std::sqrt(dx * dx + dy * dy));
    float const ux = dx / len, uy = dy / len, head = thickness * 4;
    ImVec2 const left(to.x - ux * head - uy * head * 0.6f, to.y - uy * head + ux * head * 0.6f);
    ImVec2 const right(to.x - ux * head + uy * head * 0.6f, to.y - uy * head - ux * head * 0.6f);
    draw->AddTriangleFilled(to, left, right, colour);
}

// The entry's old target: a dashed line, which a student reads as "no longer".
void dashed(ImDrawList* draw, ImVec2 from, ImVec2 to, ImU32 colour, float thickness, float dash)
{
    float const dx = to.x - from.x, dy = to.y - from.y;
    float const len = std::sqrt(dx * dx + dy * dy);
    for (float d = 0; d < len; d += 2 * dash) {
        float const a = d / len, b = std::min(len, d + dash) / len;
        draw->AddLine(ImVec2(from.x + dx * a, from.y + dy * a), ImVec2(from.x + dx * b, from.y + dy * b), colour,
            thickness);
    }
}

void frame_box(PanelContext& ctx, ImDrawList* draw, ImVec2 at, ImVec2 size, Rgb fill, ImU32 border, float border_w,
    std::string const& label, float alpha)
{
    ImVec2 const b(at.x + size.x, at.y + size.y);
    draw->AddRectFilled(at, b, to_u32(fill, alpha), 4);
    draw->AddRect(at, b, (border & ~IM_COL32_A_MASK) | (ImU32(alpha * 255) << IM_COL32_A_SHIFT), 4, 0, border_w);
    float const fs = ImGui::GetFontSize() * 0.85f;
    float const tw = ctx.fonts.mono->CalcTextSizeA(fs, 1e9f, 0, label.c_str()).x;
    draw->AddText(ctx.fonts.mono, fs, ImVec2(at.x + (size.x - tw) / 2, at.y + (size.y - fs) / 2),
        IM_COL32(20, 20, 20, int(alpha * 255)), label.c_str());
}

// The reference count on a box's corner, as the page cells wear it.
void refs_badge(ImDrawList* draw, ImFont* font, ImVec2 box_at, ImVec2 box, std::uint32_t refs, ImU32 fill)
{
    float const bs = ImGui::GetFontSize() * 0.7f;
    ImVec2 const centre(box_at.x + box.x, box_at.y);
    draw->AddCircleFilled(centre, bs * 0.72f, fill);
    std::string const text = format("{}", refs);
    float const tw = font->CalcTextSizeA(bs, 1e9f, 0, text.c_str()).x;
    draw->AddText(font, bs, ImVec2(centre.x - tw / 2, centre.y - bs / 2), IM_COL32_WHITE, text.c_str());
}

void draw_copy(PanelContext& ctx, pid_t pid, PageCell const& c, CopyLane const& lane, float phase, std::string const& caption)
{
    ImDrawList* draw = ImGui::GetWindowDrawList();
    float const fs = ImGui::GetFontSize();
    CellSize const s = cell_size(ctx);
    float const box_y = lane.top + fs * 1.1f;
    float const slide = smooth(kSlideFrom, kSlideTo, phase), swing = smooth(kSwingFrom, kSwingTo, phase);
    bool const split = phase >= kSwitch;

    // The new frame first, so that it comes out from under the old one.
    ImVec2 const new_at(lane.old_x + (lane.new_x - lane.old_x) * slide, box_y);
    if (slide > 0)
        frame_box(ctx, draw, new_at, lane.box, tint(ctx.palette.colour(pid), 0.7f), kCopiedRed, 3,
            format("{}", c.frame), 0.35f + 0.65f * slide);
    ImVec2 const old_at(lane.old_x, box_y);
    std::uint32_t const refs = split ? c.copied_from_refs_now : c.copied_from_refs;
    bool const still_cow = refs > 1;
    frame_box(ctx, draw, old_at, lane.box, still_cow ? kCowAmber : kSharedGrey, IM_COL32(90, 90, 90, 255), 1.5f,
        format("{}", *c.copied_from), 1);
    refs_badge(draw, ctx.fonts.ui, old_at, lane.box, refs, split ? IM_COL32(40, 120, 60, 255) : IM_COL32(60, 60, 60, 255));

    // The writer's page-table entry: from its page cell to the frame it maps, swinging across.
    ImVec2 const from(lane.cell.x + s.w / 2, lane.cell.y + s.h + 2);
    ImVec2 const old_end(old_at.x + lane.box.x / 2, box_y - 2), new_end(lane.new_x + lane.box.x / 2, box_y - 2);
    ImVec2 const to(old_end.x + (new_end.x - old_end.x) * swing, box_y - 2);
    if (swing > 0)
        dashed(draw, from, old_end, IM_COL32(120, 120, 120, int(200 * swing)), 1.5f, fs * 0.3f);  // Where it pointed.
    arrow(draw, from, to, IM_COL32(30, 30, 30, 255), std::max(2.0f, fs * 0.12f));
    float const small = fs * 0.75f;
    ImVec2 const middle((from.x + to.x) / 2, (from.y + to.y) / 2);
    draw->AddText(ctx.fonts.ui, small, ImVec2(middle.x + fs * 0.35f, middle.y - small * 0.9f), IM_COL32(60, 60, 60, 255),
        "PTE");

    float const label_y = box_y + lane.box.y + 2;
    if (lane.caption_below) {
        draw->AddText(ctx.fonts.ui, fs * 0.85f, ImVec2(lane.old_x, label_y + fs * 0.1f), kCopiedRed, caption.c_str());
    } else {
        float const caption_h = ImGui::CalcTextSize(caption.c_str()).y * 0.85f;
        ImVec2 const at(lane.new_x + lane.box.x + fs, box_y + (lane.box.y - caption_h) / 2);
        draw->AddText(ctx.fonts.ui, fs * 0.85f, at, kCopiedRed, caption.c_str());
    }
}

// One VMA group: its name above its cells. At an animation `phase` before the swing, the copied
// cell still shows the old frame (its entry has not moved yet).
void draw_group(PanelContext& ctx, ImVec2 at, pid_t pid, VmaRow const& row, std::size_t max_cells, float phase)
{
    ImDrawList* draw = ImGui::GetWindowDrawList();
    CellSize const s = cell_size(ctx);
    float const label_fs = group_label_size();
    draw->AddText(ctx.fonts.ui, label_fs, at, IM_COL32(70, 70, 70, 255), group_label(row).c_str());
    float x = at.x;
    float const y = at.y + label_fs + 4;
    std::size_t const n = std::min(row.present.size(), max_cells);
    for (std::size_t i = 0; i < n; ++i) {
        ImVec2 const cell(x, y);
        PageCell shown = row.present[i];
        if (shown.copied_from && phase < kSwitch) {
            // Before the swing the entry still maps the shared, write-protected frame.
            shown.frame = *shown.copied_from;
            shown.refs = shown.copied_from_refs;
            shown.cow = shown.shared = true;
        }
        draw_cell(ctx, draw, cell, s, pid, shown);
        ImGui::SetCursorScreenPos(cell);
        ImGui::PushID(int(row.present[i].va >> kPageShift));
        ImGui::InvisibleButton("page", ImVec2(s.w, s.h));
        if (ImGui::IsItemHovered())
            ImGui::SetTooltip("%s", tooltip_of(row.present[i]).c_str());
        ImGui::PopID();
        x += s.w + 3;
    }
    if (row.present.size() > n)
        draw->AddText(ImVec2(x, y), IM_COL32(70, 70, 70, 255), format("+{}", row.present.size() - n).c_str());
}

// The mm counters beside the band, in the words of smaps_rollup and of the fork strategies.
void counters_line(MemoryView const& v)
{
    MmCounters const& c = v.counters;
    std::string const text = format("RSS {} shared + {} private   PTEs copied {}   COW copies {}   reuses {}   faults {}",
        v.rss.shared, v.rss.private_, c.ptes_copied, c.cow_copies, c.cow_reuses, c.minor_faults);
    ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(0.3f, 0.3f, 0.3f, 1));
    ImGui::SetWindowFontScale(0.85f);
    ImGui::SameLine(0, ImGui::GetFontSize());
    if (ImGui::CalcTextSize(text.c_str()).x > ImGui::GetContentRegionAvail().x)
        ImGui::NewLine();
    ImGui::TextWrapped("%s", text.c_str());  // Never cut off: a narrow column wraps it.
    ImGui::SetWindowFontScale(1.0f);
    ImGui::PopStyleColor();
}

// Scroll the bands, if need be, so that `bottom` (a screen y) is in view.
void reveal(float bottom)
{
    float const window_top = ImGui::GetWindowPos().y;
    if (bottom > window_top + ImGui::GetWindowHeight())
        ImGui::SetScrollFromPosY(bottom - window_top + ImGui::GetStyle().WindowPadding.y, 1.0f);
}

void process_band(PanelContext& ctx, MemoryView const& v, float phase)
{
    Task const* t = ctx.run.kernel().find_task(v.pid);
    pid_chip(ctx, v.pid, "pid ");
    ImGui::SameLine();
    ImGui::TextUnformatted(t ? t->name().data() : "?");
    if (!v.has_mm) {
        ImGui::SameLine();
        hint("no address space (exited)");
        return;
    }
    if (v.mm_shared) {
        ImGui::SameLine();
        ImGui::TextColored(ImVec4(0.75f, 0.3f, 0, 1), "shares its address space (vfork)");
    }
    counters_line(v);
    CellSize const s = cell_size(ctx);
    float const fs = ImGui::GetFontSize();
    float const group_h = group_label_size() + 4 + s.h;
    float const line_h = group_h + fs * 0.4f;
    float const left = ImGui::GetCursorScreenPos().x;
    float const right = left + ImGui::GetContentRegionAvail().x;
    float const top = ImGui::GetCursorScreenPos().y + fs * 0.3f;
    std::vector<PlacedGroup> const groups = place_groups(ctx, v, right - left);
    std::optional<CopiedCell> const copy = find_copy(groups);

    std::optional<CopyLane> lane;
    std::string caption;
    if (copy) {
        PlacedGroup const& g = groups[copy->group];
        PageCell const& c = g.row->present[copy->cell];
        caption = copy_caption(c, copy->others);
        float const line_top = top + float(copy->line) * line_h;
        ImVec2 const cell(left + g.x + float(copy->cell) * (s.w + 3), line_top + group_label_size() + 4);
        lane = plan_lane(ctx, cell, line_top + group_h, left, right, caption);
    }
    auto line_y = [&](int line) {
        return top + float(line) * line_h + (lane && line > copy->line ? lane->height : 0);
    };
    for (PlacedGroup const& g : groups)
        draw_group(ctx, ImVec2(left + g.x, line_y(g.line)), v.pid, *g.row, g.fits, phase);
    if (lane) {
        draw_copy(ctx, v.pid, groups[copy->group].row->present[copy->cell], *lane, phase, caption);
        if (ctx.view.anim_seconds == 0)
            reveal(lane->top + lane->height);  // The step's first frame: bring the copy into view.
    }
    int const last = groups.empty() ? 0 : groups.back().line;
    float bottom = line_y(last) + group_h + (lane && copy->line == last ? lane->height : 0);
    ImGui::SetCursorScreenPos(ImVec2(left, bottom + fs * 0.5f));
    ImGui::Separator();
}

void legend(PanelContext& ctx)
{
    float const right = ImGui::GetCursorScreenPos().x + ImGui::GetContentRegionAvail().x;
    bool first = true;
    auto swatch = [&](Rgb fill, char const* text, ImU32 border = IM_COL32(90, 90, 90, 255)) {
        float const h = ImGui::GetTextLineHeight();
        if (!first)
            ImGui::SameLine(0, h);
        if (!first && ImGui::GetCursorScreenPos().x + h * 1.5f + ImGui::CalcTextSize(text).x > right)
            ImGui::NewLine();
        first = false;
        ImVec2 const at = ImGui::GetCursorScreenPos();
        ImGui::GetWindowDrawList()->AddRectFilled(at, ImVec2(at.x + h * 1.4f, at.y + h), to_u32(fill), 3);
        ImGui::GetWindowDrawList()->AddRect(at, ImVec2(at.x + h * 1.4f, at.y + h), border, 3, 0, 2);
        ImGui::Dummy(ImVec2(h * 1.5f, h));
        ImGui::SameLine();
        ImGui::TextUnformatted(text);
    };
    auto const shown = shown_processes(ctx);
    swatch(tint(ctx.palette.colour(shown.empty() ? 1 : shown.front()), 0.7f), "private (its colour)");
    swatch(kCowAmber, "copy-on-write shared");
    swatch(kSharedGrey, "shared (program, file)");
    swatch(kZeroWhite, "zero page");
    swatch(Rgb{255, 255, 255}, "just copied", kCopiedRed);
}

}  // namespace

void memory_panel(PanelContext& ctx, Rect r)
{
    begin_panel("Memory: virtual pages -> physical frames", r);
    legend(ctx);
    ImGui::Separator();
    ImGui::BeginChild("bands");
    auto const events = ctx.run.last_step_events();
    float const phase = copy_animation_phase(ctx.view.anim_seconds, ctx.view.anim_phase);
    for (pid_t pid : shown_processes(ctx))
        process_band(ctx, memory_view(ctx.run.kernel(), pid, events), phase);
    MmCounters const& all = ctx.run.kernel().mm_counters();
    PhysicalMemory const& phys = ctx.run.kernel().physical_memory();
    ImGui::TextWrapped("%s", format("All processes: {} of {} frames in use; fork copied {} PTEs; {} COW copies, {} "
                                    "reuses; {} zero-page maps",
                                 phys.in_use(), phys.total(), all.ptes_copied, all.cow_copies, all.cow_reuses,
                                 all.zero_maps).c_str());
    ImGui::EndChild();
    ImGui::End();
}

}  // namespace forklab::gui
