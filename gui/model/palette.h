// One colour per task, the same in every panel: the tree node, the memory rows, the source
// marker, the output bytes and the timeline's events of pid 8 are all drawn in pid 8's colour.
//
// A pid keeps its colour for the whole session, across step back and replay: the palette
// hands colours out in the order pids are first seen and never takes one back. init (pid 1)
// is neutral grey, because it is the system's and not the student's.
#pragma once

#include <cstdint>
#include <map>
#include <sys/types.h>

namespace forklab::gui {

struct Rgb {
    std::uint8_t r = 0, g = 0, b = 0;
    friend bool operator==(Rgb, Rgb) = default;
};

class Palette {
public:
    // The colour of `pid`, assigned now if this is the first time the palette sees it.
    Rgb colour(pid_t pid);
    // The colour it has, without assigning one: grey for a pid never seen.
    Rgb colour_of(pid_t pid) const;
    // Remember pids in a fixed order before any panel asks, so the assignment does not depend
    // on which panel draws first.
    void see(pid_t pid) { (void)colour(pid); }
    std::size_t size() const { return m_assigned.size(); }

    static constexpr Rgb kInitGrey{110, 110, 110};

private:
    std::map<pid_t, Rgb> m_assigned;
    std::size_t m_next = 0;
};

// A lighter tint of `c` (t = 0: c itself, t = 1: white), for backgrounds behind text.
Rgb tint(Rgb c, float t);

}  // namespace forklab::gui
