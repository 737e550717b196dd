#include "model/palette.h"

#include <array>

namespace forklab::gui {

namespace {

// Twelve hues that stay apart on a light background and on a washed-out projector, dark enough
// for white text on them and for coloured text on white. Neighbours in the list differ most,
// since a parent and its first children take consecutive entries.
constexpr std::array<Rgb, 12> kHues{{
    {31, 101, 180},   // blue
    {214, 96, 0},     // orange
    {30, 140, 60},    // green
    {196, 32, 48},    // red
    {128, 72, 178},   // purple
    {0, 140, 150},    // teal
    {170, 60, 130},   // magenta
    {120, 90, 40},    // brown
    {90, 120, 0},     // olive
    {60, 60, 200},    // indigo
    {200, 70, 90},    // rose
    {20, 110, 100},   // sea green
}};

}  // namespace

Rgb Palette::colour(pid_t pid)
{
    if (pid == 1)
        return kInitGrey;
    auto [it, fresh] = m_assigned.try_emplace(pid);
    if (fresh)
        it->second = kHues[m_next++ % kHues.size()];
    return it->second;
}

Rgb Palette::colour_of(pid_t pid) const
{
    auto it = m_assigned.find(pid);
    return it == m_assigned.end() ? kInitGrey : it->second;
}

Rgb tint(Rgb c, float t)
{
    auto mix = [t](std::uint8_t v) { return std::uint8_t(float(v) + (255.0f - float(v)) * t + 0.5f); };
    return {mix(c.r), mix(c.g), mix(c.b)};
}

}  // namespace forklab::gui
