// The memory view: one band per shown process, its VMAs side by side, each present page a cell
// holding the physical frame it maps. The same frame number in two bands is the same memory;
// colour says what a write would do: amber cells are copy-on-write shared (a write copies),
// the process's own tint is private and writable, blue-grey is shared for good (the program's
// text, a MAP_SHARED page), grey is the zero page. A cell the last step's write fault copied is
// ringed in red and says which frame it left. Counters from mm_struct sit beside each band.
#include "model/memory_rows.h"
#include "panels/draw.h"

#include "base/format.h"

#include <algorithm>
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
        float const bs = ImGui::GetFontSize() * 0.55f;
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

// One VMA group: its name above its cells. Returns the group's width.
float draw_group(PanelContext& ctx, ImVec2 at, pid_t pid, VmaRow const& row, std::size_t max_cells)
{
    ImDrawList* draw = ImGui::GetWindowDrawList();
    CellSize const s = cell_size(ctx);
    float const label_fs = ImGui::GetFontSize() * 0.75f;
    std::string const label = format("{} {}", row.name, row.perms);
    draw->AddText(ctx.fonts.ui, label_fs, at, IM_COL32(70, 70, 70, 255), label.c_str());
    float x = at.x;
    float const y = at.y + label_fs + 4;
    std::size_t const n = std::min(row.present.size(), max_cells);
    for (std::size_t i = 0; i < n; ++i) {
        ImVec2 const cell(x, y);
        draw_cell(ctx, draw, cell, s, pid, row.present[i]);
        ImGui::SetCursorScreenPos(cell);
        ImGui::PushID(int(row.present[i].va >> kPageShift));
        ImGui::InvisibleButton("page", ImVec2(s.w, s.h));
        if (ImGui::IsItemHovered())
            ImGui::SetTooltip("%s", tooltip_of(row.present[i]).c_str());
        ImGui::PopID();
        x += s.w + 3;
    }
    if (row.present.size() > n) {
        std::string const more = format("+{}", row.present.size() - n);
        draw->AddText(ImVec2(x, y), IM_COL32(70, 70, 70, 255), more.c_str());
        x += ImGui::CalcTextSize(more.c_str()).x;
    }
    if (row.present.empty())
        draw->AddText(ctx.fonts.ui, label_fs, ImVec2(x, y + 2), IM_COL32(150, 150, 150, 255), "none yet");
    float const none_w = row.present.empty() ? ImGui::CalcTextSize("none yet").x * 0.75f : 0;
    return std::max({x - at.x, ImGui::CalcTextSize(label.c_str()).x * 0.75f, none_w});
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

void process_band(PanelContext& ctx, MemoryView const& v)
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
    float const group_h = ImGui::GetFontSize() * 0.75f + 4 + s.h;
    float const right = ImGui::GetCursorScreenPos().x + ImGui::GetContentRegionAvail().x;
    ImVec2 at = ImGui::GetCursorScreenPos();
    at.y += ImGui::GetFontSize() * 0.3f;
    float const left = at.x;
    float const gap = ImGui::GetFontSize() * 1.0f;
    for (VmaRow const& row : v.vmas) {
        if (row.present.empty())
            continue;  // Nothing of it in memory yet: no frame to show.
        std::size_t const fits = std::size_t(std::max(1.0f, (right - left - gap) / (s.w + 3)));
        float const want = float(std::min(row.present.size(), fits)) * (s.w + 3);
        if (at.x > left && at.x + want > right) {
            at.x = left;
            at.y += group_h + ImGui::GetFontSize() * 0.4f;
        }
        at.x += draw_group(ctx, at, v.pid, row, fits) + gap;
    }
    ImGui::SetCursorScreenPos(ImVec2(left, at.y + group_h + ImGui::GetFontSize() * 0.5f));
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
    for (pid_t pid : shown_processes(ctx))
        process_band(ctx, memory_view(ctx.run.kernel(), pid, events));
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
