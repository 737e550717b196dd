// The scenario language's front end: C source text in, a checked and laid-out Program out, or
// the first error as a GCC-style Diagnostic.
//
//     auto program = compile_front_end("fork.c", text);
//     if (!program) std::cerr << program.error().render();
//
// Memory layout decisions a back end relies on:
// - rodata: every string literal, NUL-terminated, at Program::strings[i].offset in `rodata`;
// - data: initialized globals and static locals, at Decl::offset in `data`, whose integer bytes
//   are final and whose pointers are listed in `relocations` (the loader adds the base address
//   of rodata, of a global, or of a function);
// - bss: the other globals, at Decl::offset in a zero-filled area of `bss_size` bytes;
// - each function's frame: parameters, then locals, at Decl::offset, Function::frame_size bytes.
#pragma once

#include "lang/ast.h"
#include "lang/diagnostic.h"
#include "lang/types.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace forklab::lang {

struct StringLiteralInfo {
    std::uint64_t offset = 0;  // In Program::rodata.
    std::uint64_t size = 0;    // Including the terminating NUL.
};

enum class RelocationTarget : std::uint8_t { Rodata, Global, Function };

// A pointer stored in the data image: at data[offset] goes the address of the target plus addend.
struct Relocation {
    std::uint64_t offset = 0;
    RelocationTarget target = RelocationTarget::Rodata;
    Decl const* decl = nullptr;        // Global or Function (user or builtin).
    std::int64_t addend = 0;           // For Rodata: the offset within rodata.
};

// The accepted forms of main (C11 5.1.2.2.1): main(void) or main(), main(argc, argv), and the
// common extension main(argc, argv, envp).
enum class MainForm : std::uint8_t { NoArgs, ArgcArgv, ArgcArgvEnvp };

struct Program {
    TypeTable types;
    std::vector<std::unique_ptr<Decl>> decls;          // Owns every Decl, builtins first.
    std::vector<std::unique_ptr<Function>> functions;  // The user's function definitions, in order.
    std::vector<Decl*> globals;                        // Globals and static locals, in order.
    std::vector<Decl*> builtins;                       // Library functions and variables.

    std::string rodata;
    std::vector<StringLiteralInfo> strings;
    std::vector<std::uint8_t> data;
    std::uint64_t bss_size = 0;
    std::vector<Relocation> relocations;

    Decl* main = nullptr;
    MainForm main_form = MainForm::NoArgs;

    Decl const* find(std::string_view name) const;  // A global, function or builtin, by name.
    Function const* function(std::string_view name) const;
};

// Limits that keep hostile input from exhausting the host.
inline constexpr std::size_t kMaxSourceBytes = 4 << 20;   // 4 MiB of source.
inline constexpr int kMaxNesting = 256;                   // Parentheses, blocks, declarators.
inline constexpr std::uint32_t kMaxExprDepth = 1024;      // Height of one expression tree.

LangResult<std::unique_ptr<Program>> compile_front_end(std::string path, std::string text);

}  // namespace forklab::lang
