#include "base/error.h"

#include <cstring>

namespace forklab {

// glibc's tables are Linux's: the host is Linux, so its names and texts are the ones a student
// sees from perror(3) on a real machine.
std::string_view Error::name() const
{
    if (m_code == 513)
        return "ERESTARTNOINTR";  // Kernel-internal: glibc has no name for it.
    char const* name = strerrorname_np(m_code);
    return name ? name : "E?";
}

std::string_view Error::message() const
{
    if (m_code == 513)
        return "Interrupted by a signal: restart the call after handling it";
    char const* text = strerrordesc_np(m_code);
    return text ? text : "Unknown error";
}

std::string Error::to_string() const
{
    return std::string(name()) + " (" + std::string(message()) + ")";
}

}  // namespace forklab
