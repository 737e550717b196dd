#include "fonts.h"

#include <algorithm>
#include <filesystem>

namespace forklab::gui {

namespace {

constexpr char const* kSans = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
constexpr char const* kMono = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf";

// Latin-1, general punctuation (dashes, ellipsis), arrows, box drawing and geometric shapes.
constexpr ImWchar kRanges[] = {0x0020, 0x00FF, 0x2010, 0x2027, 0x2190, 0x21FF, 0x2500, 0x25FF, 0};

ImFont* add(char const* path, float size)
{
    ImGuiIO& io = ImGui::GetIO();
    if (!std::filesystem::exists(path))
        return nullptr;
    ImFontConfig config;
    config.OversampleH = 2;
    return io.Fonts->AddFontFromFileTTF(path, size, &config, kRanges);
}

void apply_style(float size)
{
    ImGuiStyle style;
    ImGui::StyleColorsLight(&style);
    style.WindowRounding = 0;
    style.FrameRounding = 4;
    style.GrabRounding = 4;
    style.WindowBorderSize = 1;
    style.FrameBorderSize = 1;
    style.Colors[ImGuiCol_WindowBg] = ImVec4(0.985f, 0.985f, 0.985f, 1);
    style.Colors[ImGuiCol_TitleBg] = ImVec4(0.82f, 0.85f, 0.9f, 1);
    style.Colors[ImGuiCol_TitleBgActive] = ImVec4(0.82f, 0.85f, 0.9f, 1);
    style.Colors[ImGuiCol_Text] = ImVec4(0.08f, 0.08f, 0.08f, 1);
    style.Colors[ImGuiCol_TextDisabled] = ImVec4(0.42f, 0.42f, 0.42f, 1);
    style.ScaleAllSizes(std::max(1.0f, size / 16.0f));
    ImGui::GetStyle() = style;
}

}  // namespace

Fonts load_fonts(float size)
{
    ImGuiIO& io = ImGui::GetIO();
    io.Fonts->Clear();
    Fonts fonts;
    fonts.size = size;
    fonts.ui = add(kSans, size);
    fonts.mono = add(kMono, size);
    io.FontGlobalScale = 1;
    if (!fonts.ui || !fonts.mono) {
        io.Fonts->Clear();
        fonts.ui = fonts.mono = io.Fonts->AddFontDefault();
        io.FontGlobalScale = size / 13.0f;
    }
    io.FontDefault = fonts.ui;
    io.Fonts->Build();
    apply_style(size);
    return fonts;
}

float default_font_size(int height)
{
    return std::clamp(float(height) / 42.0f, 14.0f, 32.0f);
}

}  // namespace forklab::gui
