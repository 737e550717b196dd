// Writing what was just rendered to a PNG: the framebuffer read back with glReadPixels, flipped
// (OpenGL's rows go bottom-up, PNG's top-down), and encoded by stb_image_write.
#pragma once

#include <string>

namespace forklab::gui {

// Reads the current draw buffer, `width` x `height` pixels. An error message, or empty.
std::string save_framebuffer_png(std::string const& path, int width, int height);

}  // namespace forklab::gui
