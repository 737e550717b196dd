#include "lang/front_end.h"

#include "lang/builtins.h"
#include "lang/lexer.h"
#include "lang/parser.h"
#include "lang/preprocessor.h"

#include "base/format.h"

#include <optional>

namespace forklab::lang {

Decl const* Program::find(std::string_view name) const
{
    // The first declaration wins: a static local of the same name comes after the global.
    for (auto const& decl : decls) {
        bool const file_scope = decl->kind == DeclKind::Function || decl->kind == DeclKind::Builtin
            || decl->kind == DeclKind::BuiltinVariable || decl->kind == DeclKind::Global;
        if (file_scope && decl->name == name)
            return decl.get();
    }
    return nullptr;
}

Function const* Program::function(std::string_view name) const
{
    for (auto const& f : functions) {
        if (f->decl->name == name)
            return f.get();
    }
    return nullptr;
}

namespace {

// The built-in headers, lexed and preprocessed once per process: they never change, and every
// compilation starts from a copy of the macros they define.
struct BuiltinState {
    SourceFile macros{"<built-in>", builtin_macros()};
    SourceFile prelude{"<built-in>", std::string(builtin_prelude())};
    Preprocessor preprocessor;
    std::vector<Token> prelude_tokens;
    std::optional<Diagnostic> broken;  // Never set unless the built-in text itself is wrong.
};

LangResult<void> prepare(BuiltinState& state)
{
    auto const macro_lines = LANG_TRY(lex(state.macros));
    LANG_TRY(state.preprocessor.run(state.macros, macro_lines));
    auto const prelude_lexed = LANG_TRY(lex(state.prelude));
    state.prelude_tokens = LANG_TRY(state.preprocessor.run(state.prelude, prelude_lexed));
    return {};
}

BuiltinState const& builtin_state()
{
    static BuiltinState const state = [] {
        BuiltinState s;
        if (auto ok = prepare(s); !ok)
            s.broken = ok.error();
        return s;
    }();
    return state;
}

}  // namespace

// Lex and preprocess the program after the built-in macros, parse the built-in prelude, then
// the program.
LangResult<std::unique_ptr<Program>> compile_front_end(std::string path, std::string text)
{
    if (text.size() > kMaxSourceBytes)
        return fail(SourceFile(path, ""), SourceLoc{0}, format("source file is larger than {} bytes", kMaxSourceBytes));
    auto const& builtins = builtin_state();
    if (builtins.broken)
        return std::unexpected(*builtins.broken);
    SourceFile const file(std::move(path), std::move(text));
    Preprocessor preprocessor = builtins.preprocessor;
    auto const lexed = LANG_TRY(lex(file));
    auto tokens = LANG_TRY(preprocessor.run(file, lexed));

    auto program = std::make_unique<Program>();
    Parser parser(*program);
    LANG_TRY(parser.parse(builtins.prelude, builtins.prelude_tokens, Origin::Builtin));
    LANG_TRY(parser.parse(file, std::move(tokens), Origin::User));
    LANG_TRY(parser.finish());
    return program;
}

}  // namespace forklab::lang
