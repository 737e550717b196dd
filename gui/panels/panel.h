// What every panel gets: the run, the colours, and the view state the user changes (selection,
// filters, play speed). A panel is a plain function of these and of the rectangle it fills, as
// in Dear ImGui's examples: it reads the model each frame and keeps nothing of its own.
#pragma once

#include "model/open_program.h"
#include "model/palette.h"
#include "model/scenario_list.h"
#include "model/stepper.h"

#include <imgui.h>

#include <filesystem>
#include <optional>
#include <set>
#include <string>

namespace forklab::gui {

struct Fonts {
    ImFont* ui = nullptr;     // Proportional, for labels and explanations.
    ImFont* mono = nullptr;   // Monospaced, for source, output, addresses.
    float size = 18;          // Pixel height both were loaded at.
};

// What the user does that panels must agree on; commands go back to the App through it.
struct ViewState {
    std::set<pid_t> selected;       // Empty: every process but init (the default view).
    std::optional<pid_t> inspected; // The task inspector's task: the last one clicked in the tree.
    bool raise_inspector = false;   // Bring the inspector's tab forward (a node was clicked).
    bool inspector_open = false;    // Its tab was shown last frame: its panel then gets more height.
    bool show_browser = true;       // The scenario browser's column.
    bool playing = false;
    float steps_per_second = 4;
    bool show_help = false;
    bool hide_page_faults = false;  // Timeline filter.
    bool timeline_selected_only = false;
    int timeline_kind = -1;         // -1: every kind; else an EventKind.
    std::optional<std::uint64_t> jump_to;  // A panel asks the App to go to this step.
    std::optional<pid_t> run_task;         // Manual scheduling: run this task next.
    std::optional<float> new_font_size;
    // The step each panel last scrolled to follow, so it scrolls once per change, not every frame.
    std::uint64_t source_followed = ~std::uint64_t(0);
    std::uint64_t timeline_followed = ~std::uint64_t(0);
    std::uint64_t console_followed = ~std::uint64_t(0);
};

struct Rect {
    float x = 0, y = 0, w = 0, h = 0;
};

struct PanelContext {
    Stepper& run;
    Palette& palette;
    ViewState& view;
    Fonts const& fonts;
};

// What the scenario browser shows: the list, the program open now, and the program it last
// scrolled to (so it scrolls once per opening, not every frame).
struct BrowserContext {
    std::vector<ScenarioGroup> const& groups;
    std::filesystem::path const& current;
    std::filesystem::path const& followed;
    Fonts const& fonts;
};

// The processes the memory and files panels show: the selection, or every live process but init.
std::vector<pid_t> shown_processes(PanelContext const&);

void controls_panel(PanelContext&, Rect);
void tree_panel(PanelContext&, Rect);
void memory_panel(PanelContext&, Rect);
void files_panel(PanelContext&, Rect);
void source_panel(PanelContext&, Rect);
void console_panel(PanelContext&, Rect);
void timeline_panel(PanelContext&, Rect);
void help_overlay(ViewState&, Fonts const&);
void inspector_tab(PanelContext&);  // Drawn inside the files panel, as its second tab.
// The scenario clicked, if one was.
std::optional<std::filesystem::path> browser_panel(BrowserContext const&, Rect);
// A program that cannot run: its error, and its text with the line the error is about marked
// (scrolled to once: `followed` is set when it has been).
void error_panel(OpenedProgram const&, Fonts const&, Rect, bool& followed);

}  // namespace forklab::gui
