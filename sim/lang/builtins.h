// The built-in "standard headers": the constants of the headers lecture code includes, with
// Linux x86-64's values taken from this host's own headers, and the declarations (typedefs,
// structs and library prototypes) the runtime provides.
#pragma once

#include <string>
#include <string_view>

namespace forklab::lang {

// "#define NAME value" lines for every built-in constant, preprocessed before the program.
std::string builtin_macros();

// The text of a standard header that is read again at each #include, because what it defines
// depends on the macros defined at that point (<assert.h> and NDEBUG), or nothing.
std::string_view builtin_header(std::string_view name);

// C declarations parsed before the program: each function declared here is a DeclKind::Builtin
// (the only kind that may be variadic), each extern object a DeclKind::BuiltinVariable.
std::string_view builtin_prelude();

}  // namespace forklab::lang
