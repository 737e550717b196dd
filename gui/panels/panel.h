// What every panel gets: the run, the colours, and the view state the user changes (selection,
// filters, play speed). A panel is a plain function of these and of the rectangle it fills, as
// in Dear ImGui's examples: it reads the model each frame and keeps nothing of its own.
#pragma once

#include "model/file_chooser.h"
#include "model/open_program.h"
#include "model/outcome_list.h"
#include "model/palette.h"
#include "model/scenario_list.h"
#include "model/stepper.h"
#include "model/strategy_compare.h"

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
    bool browser_folded = false;    // Folded to a strip (a scenario was opened from it): O unfolds it.
    bool playing = false;
    float steps_per_second = 4;
    bool show_help = false;
    bool show_compare = false;      // The fork strategies' counters side by side (C).
    bool show_outcomes = false;     // Every possible output, each with an order to replay (P).
    // The copy-on-write animation of the step just taken: the step it is for, the seconds since
    // that step was reached, and a fixed phase (0 to 1) that screenshots draw instead.
    std::uint64_t anim_step = ~std::uint64_t(0);
    float anim_seconds = 0;
    std::optional<float> anim_phase;
    std::uint32_t timeline_hidden = 0;  // The event families the timeline hides (EventFilter::hidden).
    std::optional<std::uint64_t> jump_to;  // A panel asks the App to go to this step.
    std::optional<pid_t> run_task;         // Manual scheduling: run this task next.
    std::optional<float> new_font_size;
    // The step each panel last scrolled to follow, so it scrolls once per change, not every frame.
    std::uint64_t source_followed = ~std::uint64_t(0);
    std::uint64_t timeline_followed = ~std::uint64_t(0);
    std::size_t timeline_filter_followed = 0;  // The timeline's filters when it last scrolled (a hash).
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
// The fork strategies compared at this step (C or the controls' button), over the panels.
void compare_panel(PanelContext&, StrategyComparer&);
// Every possible output of the program (P), over the panels; a card's button replays its order.
void outcomes_panel(PanelContext&, OutcomeCache&);
void inspector_tab(PanelContext&);  // Drawn inside the files panel, as its second tab.
// What the user did in the scenario browser: clicked a scenario, or asked for the file chooser.
struct BrowserChoice {
    std::optional<std::filesystem::path> open;
    bool choose_file = false;
};
BrowserChoice browser_panel(BrowserContext const&, Rect);
// The folded scenario list: a strip down the left edge; true when clicked (to unfold it).
bool browser_strip(Rect);
// The "Open file..." chooser, over the panels: the file chosen, if one was. `open` goes false
// when the user cancels (Esc, or the window's close button).
std::optional<std::filesystem::path> file_chooser_panel(FileChooser&, std::filesystem::path const& current,
    Fonts const&, bool& open);
// A program that cannot run: its error, and its text with the line the error is about marked
// (scrolled to once: `followed` is set when it has been).
void error_panel(OpenedProgram const&, Fonts const&, Rect, bool& followed);

}  // namespace forklab::gui
