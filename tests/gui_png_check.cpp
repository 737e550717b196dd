// A check for the GUI smoke test, with stb_image (no Python, no ImageMagick):
//   gui_png_check blank A.png       exit 0 if A has pictures in it: many colours, not one fill
//   gui_png_check differ A.png B.png exit 0 if the two differ in a visible region
//   gui_png_check same A.png B.png   exit 0 if they are pixel for pixel the same
// Anything else, or a file that is not a PNG, exits 1 with the reason on stderr.
#include <stb_image.h>

#include <cstdio>
#include <cstring>
#include <memory>
#include <algorithm>
#include <map>
#include <string>

namespace {

struct Image {
    int w = 0, h = 0;
    std::unique_ptr<unsigned char, void (*)(void*)> pixels{nullptr, stbi_image_free};
};

Image load(char const* path)
{
    Image image;
    int channels = 0;
    image.pixels.reset(stbi_load(path, &image.w, &image.h, &channels, 3));
    if (!image.pixels) {
        std::fprintf(stderr, "gui_png_check: cannot read %s: %s\n", path, stbi_failure_reason());
        std::exit(1);
    }
    return image;
}

// Non-blank: a rendered window has text, boxes and colours -- hundreds of distinct colours --
// and no single colour (a background, a cleared framebuffer) covers nearly all of it.
int check_not_blank(char const* path)
{
    Image const a = load(path);
    std::size_t const n = std::size_t(a.w) * std::size_t(a.h);
    std::map<unsigned, std::size_t> count;
    for (std::size_t i = 0; i < n; ++i) {
        unsigned char const* p = a.pixels.get() + 3 * i;
        ++count[unsigned(p[0]) << 16 | unsigned(p[1]) << 8 | p[2]];
    }
    std::size_t most = 0;
    for (auto const& [colour, k] : count)
        most = std::max(most, k);
    std::printf("%s: %dx%d, %zu colours, the commonest covers %.1f%%\n", path, a.w, a.h, count.size(),
        100.0 * double(most) / double(n));
    return count.size() >= 50 && most < n * 95 / 100 ? 0 : 1;
}

std::size_t differing_pixels(Image const& a, Image const& b)
{
    if (a.w != b.w || a.h != b.h)
        return std::size_t(-1);
    std::size_t diff = 0;
    std::size_t const n = std::size_t(a.w) * std::size_t(a.h);
    for (std::size_t i = 0; i < n; ++i)
        diff += std::memcmp(a.pixels.get() + 3 * i, b.pixels.get() + 3 * i, 3) != 0;
    return diff;
}

}  // namespace

int main(int argc, char** argv)
{
    std::string const what = argc > 1 ? argv[1] : "";
    if (what == "blank" && argc == 3)
        return check_not_blank(argv[2]);
    if ((what == "differ" || what == "same") && argc == 4) {
        std::size_t const diff = differing_pixels(load(argv[2]), load(argv[3]));
        std::printf("%s vs %s: %zu pixels differ\n", argv[2], argv[3], diff);
        // A different moment changes whole panels: far more than a few stray pixels.
        return what == "same" ? (diff == 0 ? 0 : 1) : (diff != std::size_t(-1) && diff > 500 ? 0 : 1);
    }
    std::fprintf(stderr, "usage: gui_png_check blank A.png | differ A.png B.png | same A.png B.png\n");
    return 1;
}
