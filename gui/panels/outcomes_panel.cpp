// Every possible output (P): the answer to "what can this program print?", found by exploring
// every order the scheduler could run the tasks in (`forklab outcomes`). Each output is a card
// with its text and a button that replays one order giving it, from the first step, so the class
// can step through exactly how that output comes about.
#include "panels/draw.h"

#include "base/format.h"
#include "explore/outcomes.h"

#include <algorithm>

namespace forklab::gui {

namespace {

constexpr ImU32 kCurrentTint = IM_COL32(214, 228, 250, 255);
constexpr ImU32 kCardBorder = IM_COL32(150, 160, 175, 255);
ImVec4 const kProblem{0.75f, 0.15f, 0.1f, 1};

std::string summary(OutcomeList const& list)
{
    std::size_t const n = list.rows.size();
    char const* const noun = n == 1 ? "output" : "outputs";
    if (!list.complete)
        return format("Not every order could be tried: {} different {} found so far.", n, noun);
    std::string text = format("Every order the scheduler could run the tasks in was tried: {} possible {} ({} choice "
                              "points explored).", n, noun, list.states);
    if (n == 1)
        text += " Whatever the scheduler does, the program prints the same.";
    return text;
}

// One output: its text as the terminal shows it, what else is special about the order, and the
// button that replays it.
void card(PanelContext& ctx, OutcomeList const& list, std::size_t i, bool current, float width)
{
    OutcomeRow const& row = list.rows[i];
    float const fs = ImGui::GetFontSize();
    ImGui::PushID(int(i));
    ImGui::AlignTextToFramePadding();  // Every card's title on the same line, tag or not.
    ImGui::TextUnformatted(format("Output {}", i + 1).c_str());
    if (current) {
        ImGui::SameLine();
        ImGui::TextDisabled("(this run)");
    }
    int const lines = std::max(1, int(std::count(row.output.begin(), row.output.end(), '\n')) + 1);
    float const height = std::min(float(lines), 12.0f) * ImGui::GetTextLineHeightWithSpacing() + fs * 0.8f;
    ImGui::PushStyleColor(ImGuiCol_ChildBg, current ? ImGui::ColorConvertU32ToFloat4(kCurrentTint) : ImVec4(1, 1, 1, 1));
    ImGui::PushStyleColor(ImGuiCol_Border, ImGui::ColorConvertU32ToFloat4(kCardBorder));
    ImGui::BeginChild("text", ImVec2(width, height), true);
    ImGui::PushFont(ctx.fonts.mono);
    ImGui::TextUnformatted(row.output.empty() ? "(nothing)" : row.output.c_str());
    ImGui::PopFont();
    ImGui::EndChild();
    ImGui::PopStyleColor(2);
    if (!row.finished)
        ImGui::TextColored(kProblem, "%s", format("does not finish: {}", row.error).c_str());
    if (row.expect_failed)
        ImGui::TextColored(kProblem, "an EXPECT fails in this order");
    if (ImGui::Button("step through this order", ImVec2(width, 0))) {
        ctx.run.follow(row.schedule);
        ctx.view.playing = false;
    }
    if (ImGui::IsItemHovered())
        ImGui::SetTooltip("%s", format("Replays the order {} from the first step (forklab run --schedule {})",
            i + 1, explore::schedule_text(row.schedule)).c_str());
    ImGui::PopID();
}

// The widest line of any output, in the monospaced font: the cards are made that wide (within
// the window), so that no line is cut.
float widest_line(PanelContext const& ctx, OutcomeList const& list)
{
    ImGui::PushFont(ctx.fonts.mono);
    float widest = 0;
    for (OutcomeRow const& row : list.rows) {
        std::size_t from = 0;
        while (from <= row.output.size()) {
            std::size_t const end = std::min(row.output.find('\n', from), row.output.size());
            widest = std::max(widest, ImGui::CalcTextSize(row.output.data() + from, row.output.data() + end).x);
            from = end + 1;
        }
    }
    ImGui::PopFont();
    return widest;
}

}  // namespace

void outcomes_panel(PanelContext& ctx, OutcomeCache& cache)
{
    if (!ctx.view.show_outcomes)
        return;
    OutcomeList const& list = cache.at(ctx.run);
    ImGuiIO const& io = ImGui::GetIO();
    float const fs = ImGui::GetFontSize();
    ImGui::SetNextWindowPos(ImVec2(io.DisplaySize.x / 2, io.DisplaySize.y / 2), ImGuiCond_Always, ImVec2(0.5f, 0.5f));
    ImGui::SetNextWindowSizeConstraints(ImVec2(fs * 24, 0), ImVec2(io.DisplaySize.x * 0.96f, io.DisplaySize.y * 0.96f));
    ImGui::SetNextWindowBgAlpha(0.98f);
    ImGuiWindowFlags const flags = ImGuiWindowFlags_AlwaysAutoResize | ImGuiWindowFlags_NoSavedSettings |
        ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoScrollbar;
    if (ImGui::Begin("Every possible output (P to close)", &ctx.view.show_outcomes, flags)) {
        float const card_width = std::clamp(widest_line(ctx, list) + fs * 1.5f, fs * 14, io.DisplaySize.x * 0.8f);
        int const fit = std::max(1, std::min(4, int((io.DisplaySize.x * 0.9f) / (card_width + fs))));
        int const per_row = std::max(2, std::min(fit, int(list.rows.size())));
        ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + float(per_row) * (card_width + fs * 1.2f));
        if (!list.ok) {
            ImGui::TextColored(kProblem, "%s", list.error.c_str());
        } else {
            ImGui::TextUnformatted(summary(list).c_str());
            if (!list.complete)
                ImGui::TextColored(kProblem, "%s", format("The search stopped after {} choice points (or {} ms): there "
                                                          "may be more outputs (forklab outcomes --max-states N goes "
                                                          "further).",
                                                          list.states, OutcomeCache::kMaxTime.count()).c_str());
            ImGui::Spacing();
            int const current = current_outcome(list, ctx.run);
            // A table, so that the cards of a row line up whatever each one holds.
            if (ImGui::BeginTable("outputs", per_row, ImGuiTableFlags_SizingFixedFit)) {
                for (std::size_t i = 0; i < list.rows.size(); ++i) {
                    ImGui::TableNextColumn();
                    card(ctx, list, i, int(i) == current, card_width);
                }
                ImGui::EndTable();
            }
            ImGui::Spacing();
            hint("Each card is one output and one order of the tasks' steps that prints it. Orders that print the "
                 "same are counted once; so are orders that differ only in which pid each process got.");
        }
        ImGui::PopTextWrapPos();
    }
    ImGui::End();
}

}  // namespace forklab::gui
