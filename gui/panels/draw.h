// Small drawing helpers every panel uses: colours from the palette, a fixed window for a panel,
// and the coloured pid chip that names a task the same way everywhere.
#pragma once

#include "panels/panel.h"

#include <string_view>

namespace forklab::gui {

ImU32 to_u32(Rgb c, float alpha = 1.0f);
ImVec4 to_vec4(Rgb c, float alpha = 1.0f);

// Begin a fixed, titled panel filling `r` (always pair with ImGui::End()).
bool begin_panel(char const* title, Rect r, ImGuiWindowFlags extra = 0);

// "pid 8" in white on the task's colour, inline with the text around it.
void pid_chip(PanelContext&, pid_t pid, char const* prefix = "");
// Text in the task's colour.
void pid_text(PanelContext&, pid_t pid, std::string_view text);

// A muted explanatory line (legends, hints).
void hint(std::string_view text);

}  // namespace forklab::gui
