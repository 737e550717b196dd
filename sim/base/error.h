// ErrorOr<T>: a value, or the errno Linux would have returned instead.
//
// The model kernel never throws and never asserts on bad input from a client: each system call
// returns ErrorOr<T>, and TRY() passes an error up one level, as the kernel's "if (err) return
// err;" does. errno values are the host's <cerrno> constants, which on Linux are Linux's own.
#pragma once

#include <cerrno>
#include <expected>
#include <string>
#include <string_view>
#include <utility>

namespace forklab {

class Error {
public:
    static Error from_errno(int code) { return Error(code); }

    int code() const { return m_code; }
    std::string_view name() const;     // "EAGAIN"
    std::string_view message() const;  // "Resource temporarily unavailable"
    std::string to_string() const;     // "EAGAIN (Resource temporarily unavailable)"
    bool operator==(Error const&) const = default;

private:
    explicit Error(int code) : m_code(code) {}
    int m_code;
};

template<typename T = void>
using ErrorOr = std::expected<T, Error>;

// `return error(EAGAIN);` reads like the kernel's `return -EAGAIN;`.
inline std::unexpected<Error> error(int code) { return std::unexpected(Error::from_errno(code)); }

namespace detail {
template<typename T>
T release_value(std::expected<T, Error>& result) { return std::move(*result); }
inline void release_value(std::expected<void, Error>&) {}
}

}  // namespace forklab

// TRY(expr): evaluate an ErrorOr; on error return it from the enclosing function, else yield
// the value. (A GNU statement expression, as SerenityOS's TRY is.)
#define TRY(expression)                                                    \
    ({                                                                     \
        auto _forklab_result = (expression);                               \
        if (!_forklab_result) [[unlikely]]                                 \
            return std::unexpected(_forklab_result.error());               \
        ::forklab::detail::release_value(_forklab_result);                 \
    })
