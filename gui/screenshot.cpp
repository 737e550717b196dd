#include "screenshot.h"

#include <GL/gl.h>
#include <stb_image_write.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace forklab::gui {

std::string save_framebuffer_png(std::string const& path, int width, int height)
{
    if (width <= 0 || height <= 0)
        return "the window has no pixels to save";
    std::size_t const row = std::size_t(width) * 4;
    std::vector<unsigned char> pixels(row * std::size_t(height));
    glPixelStorei(GL_PACK_ALIGNMENT, 1);
    glReadPixels(0, 0, width, height, GL_RGBA, GL_UNSIGNED_BYTE, pixels.data());
    if (glGetError() != GL_NO_ERROR)
        return "glReadPixels failed";
    std::vector<unsigned char> flipped(pixels.size());
    for (int y = 0; y < height; ++y)
        std::memcpy(&flipped[std::size_t(y) * row], &pixels[std::size_t(height - 1 - y) * row], row);
    errno = 0;
    if (!stbi_write_png(path.c_str(), width, height, 4, flipped.data(), int(row)))
        return "cannot write " + path + (errno ? std::string(": ") + std::strerror(errno) : std::string());
    return {};
}

}  // namespace forklab::gui
