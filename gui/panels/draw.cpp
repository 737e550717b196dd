#include "panels/draw.h"

#include "base/format.h"

namespace forklab::gui {

ImU32 to_u32(Rgb c, float alpha)
{
    return IM_COL32(c.r, c.g, c.b, int(alpha * 255.0f));
}

ImVec4 to_vec4(Rgb c, float alpha)
{
    return ImVec4(float(c.r) / 255.0f, float(c.g) / 255.0f, float(c.b) / 255.0f, alpha);
}

bool begin_panel(char const* title, Rect r, ImGuiWindowFlags extra)
{
    ImGui::SetNextWindowPos(ImVec2(r.x, r.y));
    ImGui::SetNextWindowSize(ImVec2(r.w, r.h));
    ImGuiWindowFlags const flags = ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize |
        ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoBringToFrontOnFocus | extra;
    return ImGui::Begin(title, nullptr, flags);
}

void pid_chip(PanelContext& ctx, pid_t pid, char const* prefix)
{
    std::string const label = format("{}{}", prefix, pid);
    ImVec2 const size = ImGui::CalcTextSize(label.c_str());
    ImVec2 const pad(ImGui::GetFontSize() * 0.3f, 1);
    ImVec2 const at = ImGui::GetCursorScreenPos();
    ImDrawList* draw = ImGui::GetWindowDrawList();
    draw->AddRectFilled(at, ImVec2(at.x + size.x + 2 * pad.x, at.y + size.y + 2 * pad.y),
        to_u32(ctx.palette.colour(pid)), ImGui::GetFontSize() * 0.25f);
    draw->AddText(ImVec2(at.x + pad.x, at.y + pad.y), IM_COL32_WHITE, label.c_str());
    ImGui::Dummy(ImVec2(size.x + 2 * pad.x, size.y + 2 * pad.y));
}

void pid_text(PanelContext& ctx, pid_t pid, std::string_view text)
{
    ImGui::PushStyleColor(ImGuiCol_Text, to_vec4(ctx.palette.colour(pid)));
    ImGui::TextUnformatted(text.data(), text.data() + text.size());
    ImGui::PopStyleColor();
}

void hint(std::string_view text)
{
    ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
    ImGui::TextWrapped("%.*s", int(text.size()), text.data());
    ImGui::PopStyleColor();
}

}  // namespace forklab::gui
