// The "Open file..." chooser (Ctrl+O, or the button above the scenario list): a window over the
// panels with a path field and the folder's sub-folders and .c files. Enter in the field or a
// click on a file opens it through App::open, whatever it holds -- a program that does not
// compile gets the error panel. Esc cancels. What it lists and what a path means is the
// view-model's (model/file_chooser.h); this only draws it.
#include "panels/draw.h"

#include <imgui_stdlib.h>

#include <algorithm>

namespace forklab::gui {

namespace {

void place_window()
{
    ImGuiIO const& io = ImGui::GetIO();
    float const fs = ImGui::GetFontSize();
    ImVec2 const size(std::min(io.DisplaySize.x * 0.9f, fs * 42), io.DisplaySize.y * 0.8f);
    ImGui::SetNextWindowPos(ImVec2(io.DisplaySize.x / 2, io.DisplaySize.y / 2), ImGuiCond_Always, ImVec2(0.5f, 0.5f));
    ImGui::SetNextWindowSize(size, ImGuiCond_Always);
    ImGui::SetNextWindowFocus();
}

// An active text field keeps its own copy of the text: when the chooser rewrote the path (Enter
// on a folder), the copy is replaced and the cursor put at its end, ready for the next name.
int take_rewritten_path(ImGuiInputTextCallbackData* data)
{
    auto& chooser = *static_cast<FileChooser*>(data->UserData);
    if (chooser.typed_rewritten()) {
        data->DeleteChars(0, data->BufTextLen);
        data->InsertChars(0, chooser.typed().c_str());
        data->CursorPos = data->SelectionStart = data->SelectionEnd = data->BufTextLen;
        chooser.rewrite_seen();
    }
    return 0;
}

std::optional<std::filesystem::path> path_field(FileChooser& chooser, Fonts const& fonts)
{
    if (ImGui::IsWindowAppearing())
        ImGui::SetKeyboardFocusHere();
    ImGui::PushFont(fonts.mono);
    ImGui::SetNextItemWidth(-1);
    ImGuiInputTextFlags const flags = ImGuiInputTextFlags_EnterReturnsTrue |
        (chooser.typed_rewritten() ? ImGuiInputTextFlags_CallbackAlways : 0);
    std::string* const typed = &chooser.typed();
    bool const entered = ImGui::InputText("##path", typed, flags, take_rewritten_path, &chooser);
    ImGui::PopFont();
    if (!entered)
        return std::nullopt;
    auto const chosen = chooser.enter();
    if (!chosen)
        ImGui::SetKeyboardFocusHere(-1);  // A folder was entered or a complaint shown: keep typing.
    return chosen;
}

// The folder's entries, folders first (with a slash, as ls -F shows them); the file open now
// highlighted.
std::optional<std::filesystem::path> entries(FileChooser& chooser, std::filesystem::path const& current,
    Fonts const& fonts)
{
    std::optional<std::filesystem::path> chosen;
    DirListing const& listing = chooser.listing();
    ImGui::PushFont(fonts.mono);
    std::optional<DirEntry> clicked;
    if (listing.dir.has_relative_path() && ImGui::Selectable("../  (up a folder)"))
        chooser.go_up();
    for (DirEntry const& e : listing.entries) {
        std::string const label = e.directory ? e.name + "/" : e.name;
        if (e.directory)
            ImGui::PushStyleColor(ImGuiCol_Text, IM_COL32(30, 80, 160, 255));
        if (ImGui::Selectable(label.c_str(), !e.directory && e.path == current))
            clicked = e;
        if (e.directory)
            ImGui::PopStyleColor();
    }
    if (listing.entries.empty())
        ImGui::TextDisabled("(no folders or .c files here)");
    ImGui::PopFont();
    // Chosen after the loop: entering a folder replaces the listing being drawn.
    if (clicked)
        chosen = chooser.choose(*clicked);
    return chosen;
}

}  // namespace

std::optional<std::filesystem::path> file_chooser_panel(FileChooser& chooser, std::filesystem::path const& current,
    Fonts const& fonts, bool& open)
{
    if (!open)
        return std::nullopt;
    place_window();
    ImGuiWindowFlags const flags = ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoSavedSettings |
        ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize;
    std::optional<std::filesystem::path> chosen;
    std::error_code ec;
    std::filesystem::path const here = std::filesystem::absolute(current, ec).lexically_normal();
    if (ImGui::Begin("Open a C file (Esc to cancel)###chooser", &open, flags)) {
        chosen = path_field(chooser, fonts);
        hint("Type a path and press Enter, or click a file. Enter on a folder goes into it.");
        if (!chooser.message().empty()) {
            ImGui::PushStyleColor(ImGuiCol_Text, IM_COL32(190, 25, 25, 255));
            ImGui::TextWrapped("%s", chooser.message().c_str());
            ImGui::PopStyleColor();
        }
        ImGui::Separator();
        float const buttons = ImGui::GetFrameHeightWithSpacing() + ImGui::GetStyle().ItemSpacing.y;
        ImGui::BeginChild("entries", ImVec2(0, -buttons), true);
        if (auto clicked = entries(chooser, here, fonts))
            chosen = clicked;
        ImGui::EndChild();
        if (ImGui::Button("Open") && !chosen)
            chosen = chooser.enter();
        ImGui::SameLine();
        if (ImGui::Button("Cancel"))
            open = false;
    }
    ImGui::End();
    if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape)))
        open = false;
    if (chosen)
        open = false;
    return chosen;
}

}  // namespace forklab::gui
