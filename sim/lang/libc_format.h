// printf's formatter: a format string and the call's arguments become the pieces glibc's
// vfprintf hands to the stream, in the same order and split the same way.
#pragma once

#include "lang/libc_stream.h"

#include <string>
#include <vector>

namespace forklab::lang::libc {

struct Formatted {
    enum class Status : std::uint8_t {
        Ok,
        Fault,        // A string argument (or the format) is a wild pointer: SIGSEGV is queued.
        Unsupported,  // %f, %n, ...: diagnosed, SIGSYS queued.
        Invalid,      // The format ends inside a conversion: EINVAL, printf returns -1.
        Overflow,     // More than INT_MAX characters: EOVERFLOW.
    };
    std::vector<Piece> pieces;  // The output up to where it stopped.
    Status status = Status::Ok;
    std::uint64_t size = 0;  // Characters in the pieces.
};

// The format is at `format`; its arguments are c.arg(first), c.arg(first + 1), ...
Formatted format_printf(BuiltinCall& c, std::uint64_t format, std::size_t first);

// glibc's message for an error number ("No such file or directory"; "Unknown error 1234").
std::string error_message(int err);

}  // namespace forklab::lang::libc
