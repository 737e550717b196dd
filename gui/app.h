// The application: the program open now (a Stepper over its run, or the error that keeps it
// from running), the scenario list, the palette, the view state, and the frame that lays the
// panels out and draws them. Nothing here knows about GLFW windows or OpenGL: main.cpp owns
// those, and calls frame() between ImGui::NewFrame() and ImGui::Render().
#pragma once

#include "model/frame.h"
#include "panels/panel.h"

#include <memory>

namespace forklab::gui {

class App {
public:
    App(OpenedProgram program, std::vector<ScenarioGroup> scenarios, OptionsFor options_for, Fonts const& fonts);

    // One frame of the main window: keys, playback, then every panel. `dt`: seconds since the
    // last frame (for playback speed).
    void frame(float dt);

    // Open another program (the browser does on a click): a fresh run, colours and view.
    void open(std::filesystem::path const& path);
    // Show the "Open file..." chooser (Ctrl+O does), in the open program's folder.
    void choose_file() { start_choosing(); }
    // True when the program runs; run() is only valid then. A program with a metadata or
    // compile error has the error panel instead.
    bool has_run() const { return m_program.run && !m_program.run->failed_to_start(); }
    Stepper& run() { return *m_program.run; }
    OpenedProgram const& program() const { return m_program; }
    std::vector<ScenarioGroup> const& scenarios() const { return m_scenarios; }
    ViewState& view() { return m_view; }
    Palette const& palette() const { return m_palette; }
    void set_fonts(Fonts const& fonts) { m_fonts = fonts; }

private:
    void keys();
    void browser_key();
    void start_choosing();
    void chooser();
    std::filesystem::path as_listed(std::filesystem::path const& chosen) const;
    void playback(float dt);
    void apply_requests();
    void see_every_pid();
    void animate(float dt);
    void compare();
    void outcomes();
    void layout();
    float browser_width() const;
    void browser(Rect r);

    OpenedProgram m_program;
    std::vector<ScenarioGroup> m_scenarios;
    OptionsFor m_options_for;
    std::filesystem::path m_browser_followed;
    bool m_error_followed = false;
    std::optional<std::filesystem::path> m_open_next;
    FileChooser m_chooser;
    bool m_choosing = false;  // The "Open file..." chooser is up: it has the keyboard.
    Fonts m_fonts;
    Palette m_palette;
    PidColours m_colours;
    ViewState m_view;
    float m_play_debt = 0;
    StrategyComparer m_compare;  // The strategies' table (C): kept until the step changes.
    OutcomeCache m_outcomes;     // Every possible output (P): explored once per program.
};

}  // namespace forklab::gui
