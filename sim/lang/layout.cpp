// The end of a compilation: main's signature, undefined references, and the data and bss
// images of the globals (C11 6.9.2 tentative definitions become zero-filled bss objects).
#include "lang/parser.h"

#include "base/format.h"

#include <algorithm>

namespace forklab::lang {

namespace {

std::uint64_t align_up(std::uint64_t value, std::uint64_t align) { return (value + align - 1) / align * align; }

constexpr std::uint64_t kMaxStaticData = std::uint64_t(256) << 20;

}  // namespace

LangResult<void> Parser::finish()
{
    auto& types = m_program.types;
    SourceLoc const end{std::uint32_t(m_file->text().size())};
    auto const& names = m_scopes.front().names;
    auto const it = names.find("main");
    if (it == names.end() || !it->second.decl || it->second.decl->kind != DeclKind::Function || !it->second.decl->function)
        return error(it == names.end() || !it->second.decl ? end : it->second.decl->loc, "undefined reference to 'main'");
    Decl* main = it->second.decl;
    Type const* fn = main->type;
    Type const* char_pp = types.pointer_to(types.pointer_to(types.char_type()));
    bool const returns_ok = fn->base == types.int_type() || fn->base->is_void();
    auto const& p = fn->params;
    bool const argc_argv = p.size() >= 2 && p[0] == types.int_type() && p[1] == char_pp;
    if (!returns_ok || !(p.empty() || (argc_argv && p.size() == 2) || (argc_argv && p.size() == 3 && p[2] == char_pp)))
        return error(main->loc, "'main' must be 'int main(void)', 'int main(int argc, char *argv[])' or 'int main(int argc, char *argv[], char *envp[])'");
    m_program.main = main;
    m_program.main_form = p.empty() ? MainForm::NoArgs : p.size() == 2 ? MainForm::ArgcArgv : MainForm::ArgcArgvEnvp;

    for (auto const& decl : m_program.decls) {
        bool const undefined_function = decl->kind == DeclKind::Function && !decl->function;
        bool const undefined_object = decl->kind == DeclKind::Global && decl->storage == Storage::Extern;
        if (decl->referenced && (undefined_function || undefined_object))
            return error(decl->loc, format("undefined reference to '{}'", decl->name));
    }
    for (Decl* global : m_program.globals) {
        if (global->storage != Storage::Extern && !global->type->is_complete())
            return error(global->loc, format("storage size of '{}' isn't known", global->name));
    }
    layout_globals();
    if (m_program.data.size() > kMaxStaticData || m_program.bss_size > kMaxStaticData)
        return error(end, "too much global data");
    return {};
}

// Globals with an initializer go to data, in order, each aligned; the rest to bss. The data
// image holds each initializer's bytes; each address goes in as a relocation.
void Parser::layout_globals()
{
    std::uint64_t data_size = 0;
    std::uint64_t bss_size = 0;
    for (Decl* global : m_program.globals) {
        if (global->storage == Storage::Extern)
            continue;
        auto& size = global->has_initializer ? data_size : bss_size;
        size = align_up(size, global->type->align);
        global->offset = size;
        global->section = global->has_initializer ? Section::Data : Section::Bss;
        size += global->type->size;
        if (size > kMaxStaticData)
            break;  // finish() reports it; nothing is allocated.
    }
    m_program.bss_size = align_up(bss_size, 16);
    if (data_size > kMaxStaticData || bss_size > kMaxStaticData) {
        m_program.data.assign(kMaxStaticData + 1, 0);
        return;
    }
    auto& data = m_program.data;
    data.assign(align_up(data_size, 16), 0);
    for (Decl* global : m_program.globals) {
        if (global->section != Section::Data)
            continue;
        for (auto const& entry : global->init) {
            std::uint64_t const at = global->offset + entry.offset;
            if (entry.value->kind == ExprKind::StringLiteral && entry.type->is_array()) {
                auto const& s = m_program.strings[entry.value->string_index];
                auto const n = std::min(s.size, entry.type->size);
                std::copy_n(m_program.rodata.begin() + std::ptrdiff_t(s.offset), n, data.begin() + std::ptrdiff_t(at));
                continue;
            }
            auto const v = static_value(*entry.value);
            if (v->target) {
                std::fill_n(data.begin() + std::ptrdiff_t(at), 8, 0);
                m_program.relocations.push_back(Relocation{at, *v->target, v->decl, std::int64_t(v->value)});
                continue;
            }
            // x86-64 is little-endian: the low byte first.
            for (std::uint64_t i = 0; i < entry.type->size; ++i)
                data[at + i] = std::uint8_t(v->value >> (8 * i));
        }
    }
}

}  // namespace forklab::lang
