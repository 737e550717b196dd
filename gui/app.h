// The application: one run (a Stepper), the palette, the view state, and the frame that lays
// the panels out and draws them. Nothing here knows about GLFW windows or OpenGL: main.cpp owns
// those, and calls frame() between ImGui::NewFrame() and ImGui::Render().
#pragma once

#include "panels/panel.h"

#include <memory>

namespace forklab::gui {

class App {
public:
    App(std::unique_ptr<Stepper> run, Fonts const& fonts);

    // One frame of the main window: keys, playback, then every panel. `dt`: seconds since the
    // last frame (for playback speed).
    void frame(float dt);

    Stepper& run() { return *m_run; }
    ViewState& view() { return m_view; }
    Palette const& palette() const { return m_palette; }
    void set_fonts(Fonts const& fonts) { m_fonts = fonts; }

private:
    void keys();
    void playback(float dt);
    void apply_requests();
    void see_every_pid();
    void layout();
    void error_screen();

    std::unique_ptr<Stepper> m_run;
    Fonts m_fonts;
    Palette m_palette;
    ViewState m_view;
    float m_play_debt = 0;
};

}  // namespace forklab::gui
