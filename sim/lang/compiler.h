// The back end's first half: the checked syntax tree compiled to bytecode (lang/bytecode.h),
// packaged as an Executable whose image the kernel loads like any program.
//
//     auto program = compile_front_end("fork.c", text);
//     auto compiled = compile(std::move(*program), &source);   // LangResult
//     kernel.vfs().install_program("/bin/fork", *compiled);
//
// The image's text is the encoded bytecode (read-only, shared pages); rodata holds the string
// literals; data holds the initialized globals with their pointers relocated; bss the rest, and
// the runtime's own variables (errno, environ, stdin, stdout, stderr) after the program's.
#pragma once

#include "fs/inode.h"
#include "lang/bytecode.h"
#include "lang/diagnostic.h"
#include "lang/front_end.h"
#include "lang/source.h"

#include <memory>
#include <string>
#include <vector>

namespace forklab::lang {

// The address every section starts at, by the rule MmStruct::from_image() lays them out:
// text at kTextBase, then rodata, data and bss, each on its own page(s).
struct SectionAddresses {
    std::uint64_t text = 0, rodata = 0, data = 0, bss = 0;
};

struct FunctionInfo {
    std::string name;
    std::uint32_t entry = 0;  // Index of its Enter instruction.
    std::uint32_t params = 0; // How many arguments its prologue takes off the operand stack.
};

// Where the runtime's own variables live (absolute addresses; 0 if the program has none), and
// the library's private static data (stdio's FILEs, the heap's state, rand's state: see
// lang/libc.h), always present, zero-filled, on a bss page after the program's own variables.
struct RuntimeVariables {
    std::uint64_t errno_addr = 0, environ_addr = 0, stdin_addr = 0, stdout_addr = 0, stderr_addr = 0;
    std::uint64_t libc_data = 0;
    static constexpr std::uint64_t kLibcDataSize = 1024;
};

class CompiledProgram final : public Executable {
public:
    ProgramImage const& image() const override { return m_image; }

    std::vector<Insn> const& code() const { return m_code; }
    std::vector<FunctionInfo> const& functions() const { return m_functions; }
    // The function whose Enter instruction is at `entry` (callers check that it is one).
    FunctionInfo const& function_at(std::uint32_t entry) const { return m_functions[std::size_t(m_code[entry].c)]; }
    SectionAddresses const& sections() const { return m_sections; }
    RuntimeVariables const& runtime() const { return m_runtime; }
    std::uint32_t main_entry() const { return m_main_entry; }
    MainForm main_form() const { return m_main_form; }
    std::string const& path() const { return m_path; }
    std::vector<std::string> const& builtin_names() const { return m_builtin_names; }

    // The instruction index a code address names, or -1 when it is not in this program's text.
    std::int64_t index_of(std::uint64_t address) const;
    static std::uint64_t address_of(std::uint32_t index) { return kTextBaseAddress + index * kInsnSize; }
    static constexpr std::uint64_t kTextBaseAddress = MmStruct::kTextBase;
    static constexpr std::uint32_t kExitMainIndex = 0;   // The trampoline main returns to.
    static constexpr std::uint32_t kSigReturnIndex = 1;  // The trampoline handlers return to.

private:
    friend class Compiler;
    ProgramImage m_image;
    std::vector<Insn> m_code;
    std::vector<FunctionInfo> m_functions;
    SectionAddresses m_sections;
    RuntimeVariables m_runtime;
    std::uint32_t m_main_entry = 0;
    MainForm m_main_form = MainForm::NoArgs;
    std::string m_path;
    std::vector<std::string> m_builtin_names;  // By builtin id (CallBuiltin's c).
};

// Compiles a checked program. `source`, when given, turns locations into lines and columns for
// the Stmt instructions (the front end's Program keeps offsets only).
LangResult<std::shared_ptr<CompiledProgram const>> compile(std::unique_ptr<Program> program,
    SourceFile const* source = nullptr);

// Front end and back end in one call.
LangResult<std::shared_ptr<CompiledProgram const>> compile_source(std::string path, std::string text);

}  // namespace forklab::lang
