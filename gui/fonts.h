// The fonts: DejaVu Sans for the interface and DejaVu Sans Mono for code and output, loaded at
// one pixel size (so they are sharp at any size, unlike a scaled bitmap font), with the arrows
// and symbols the panels use. Falls back to Dear ImGui's built-in font, scaled, when the DejaVu
// files are not installed (Debian: fonts-dejavu-core).
#pragma once

#include "panels/panel.h"

namespace forklab::gui {

// Rebuilds the font atlas at `size` pixels and scales the style's paddings to match. The
// renderer's font texture must be (re)created afterwards.
Fonts load_fonts(float size);

// A size that reads well on a window `height` pixels tall, on a laptop and projected.
float default_font_size(int height);

}  // namespace forklab::gui
