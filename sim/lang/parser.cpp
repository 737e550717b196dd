// The parser's token handling, scopes, and declarations (C11 6.7, 6.9).
#include "lang/parser.h"

#include "base/format.h"

#include <algorithm>
#include <array>

namespace forklab::lang {

namespace {

constexpr std::array<std::string_view, 10> kBasicTypeWords = {
    "void", "_Bool", "char", "short", "int", "long", "signed", "unsigned", "__signed__", "__signed",
};
constexpr std::array<std::string_view, 9> kIgnoredQualifiers = {
    "volatile", "restrict", "inline", "_Noreturn", "__inline", "__inline__", "__restrict",
    "__volatile__", "__restrict__",
};
constexpr std::array<std::string_view, 6> kStorageWords = { "typedef", "static", "extern", "auto", "register", "_Thread_local" };
constexpr std::array<std::string_view, 10> kUnsupportedTypeWords = {
    "union", "float", "double", "_Complex", "_Imaginary", "_Atomic", "_Alignas", "__int128", "_Decimal32", "_Decimal64",
};

template<std::size_t N>
bool one_of(std::array<std::string_view, N> const& words, Token const& t)
{
    return t.kind == TokenKind::Identifier && std::find(words.begin(), words.end(), t.text) != words.end();
}

std::uint64_t align_up(std::uint64_t value, std::uint64_t align) { return (value + align - 1) / align * align; }

// Why a type keyword this subset does not have is refused, in a message a student can act on.
std::string unsupported_type_message(std::string const& word)
{
    if (word == "union")
        return "unions are not supported";
    if (word == "float" || word == "double" || word.starts_with("_Decimal"))
        return "floating point is not supported";
    if (word == "_Complex" || word == "_Imaginary")
        return "complex types are not supported";
    return format("'{}' is not supported", word);
}

constexpr std::uint64_t kMaxFrameSize = std::uint64_t(64) << 20;

}  // namespace

// --- Tokens --------------------------------------------------------------------------------------

Token const& Parser::peek(std::size_t ahead) const
{
    auto const i = std::min(m_pos + ahead, m_tokens.size() - 1);
    return m_tokens[i];
}

Token const& Parser::advance()
{
    Token const& t = m_tokens[m_pos];
    if (m_pos + 1 < m_tokens.size())
        ++m_pos;
    return t;
}

bool Parser::accept(std::string_view punct)
{
    if (!peek().is_punct(punct))
        return false;
    advance();
    return true;
}

std::string Parser::describe(Token const& t) const
{
    switch (t.kind) {
    case TokenKind::End: return "end of input";
    case TokenKind::IntLiteral:
    case TokenKind::CharLiteral: return "numeric constant";
    case TokenKind::String: return "string constant";
    default: return format("'{}'", t.text);
    }
}

LangResult<void> Parser::expect(std::string_view punct)
{
    if (accept(punct))
        return {};
    return error_here(format("expected '{}' before {}", punct, describe(peek())));
}

LangResult<Token const*> Parser::expect_identifier(std::string_view what)
{
    if (peek().kind != TokenKind::Identifier)
        return error_here(format("expected {} before {}", what, describe(peek())));
    return &advance();
}

std::unexpected<Diagnostic> Parser::error(SourceLoc loc, std::string message) const
{
    return fail(*m_file, loc, std::move(message));
}

std::unexpected<Diagnostic> Parser::error_here(std::string message) const { return error(peek().loc, std::move(message)); }

LangResult<void> Parser::enter(SourceLoc loc)
{
    if (m_depth >= kMaxNesting)
        return error(loc, "nesting too deep");
    ++m_depth;
    return {};
}

#define LANG_NEST(loc)           \
    LANG_TRY(enter(loc));        \
    Nesting _nesting { m_depth }

// --- Scopes ------------------------------------------------------------------------------------

Parser::Symbol const* Parser::lookup(std::string const& name) const
{
    for (auto it = m_scopes.rbegin(); it != m_scopes.rend(); ++it) {
        auto const found = it->names.find(name);
        if (found != it->names.end())
            return &found->second;
    }
    return nullptr;
}

Type const* Parser::lookup_tag(std::string const& name) const
{
    for (auto it = m_scopes.rbegin(); it != m_scopes.rend(); ++it) {
        auto const found = it->tags.find(name);
        if (found != it->tags.end())
            return found->second;
    }
    return nullptr;
}

bool Parser::is_typedef_name(Token const& t) const
{
    if (t.kind != TokenKind::Identifier)
        return false;
    auto const* symbol = lookup(t.text);
    return symbol && symbol->kind == SymbolKind::Typedef;
}

bool Parser::starts_type(Token const& t) const
{
    return one_of(kBasicTypeWords, t) || one_of(kIgnoredQualifiers, t) || one_of(kStorageWords, t)
        || one_of(kUnsupportedTypeWords, t) || t.is("const") || t.is("struct") || t.is("enum")
        || t.is("__const") || is_typedef_name(t);
}

LangResult<void> Parser::define_name(std::string const& name, SourceLoc loc, Symbol symbol)
{
    auto& names = m_scopes.back().names;
    bool const clashes_with_parameter = m_fn && m_scopes.size() - 1 == m_body_scope
        && m_scopes[m_body_scope - 1].names.count(name);
    if (names.count(name) || clashes_with_parameter) {
        auto const& old = clashes_with_parameter ? m_scopes[m_body_scope - 1].names.at(name) : names.at(name);
        if (old.kind != symbol.kind)
            return error(loc, format("'{}' redeclared as different kind of symbol", name));
        if (at_file_scope())
            return error(loc, format("redefinition of '{}'", name));
        return error(loc, format("redeclaration of '{}' with no linkage", name));
    }
    names.emplace(name, symbol);
    return {};
}

Decl* Parser::new_decl(DeclKind kind, std::string name, SourceLoc loc, Type const* type)
{
    auto decl = std::make_unique<Decl>();
    decl->kind = kind;
    decl->name = std::move(name);
    decl->loc = loc;
    decl->type = type;
    m_program.decls.push_back(std::move(decl));
    return m_program.decls.back().get();
}

// Parameters and locals each get the next suitably aligned offset in the frame; blocks do not
// share slots, so every local of a function can be shown at once.
void Parser::allocate_frame_slot(Decl* decl)
{
    m_fn->frame = align_up(m_fn->frame, decl->type->align);
    decl->offset = m_fn->frame;
    m_fn->frame += decl->type->size;
}

// --- Top level -----------------------------------------------------------------------------------

LangResult<void> Parser::parse(SourceFile const& file, std::vector<Token> tokens, Origin origin)
{
    m_file = &file;
    m_tokens = std::move(tokens);
    m_pos = 0;
    m_origin = origin;
    // Match every parenthesis once, so that a declarator can look past "(*name)" in O(1).
    m_matching_paren.assign(m_tokens.size(), 0);
    std::vector<std::size_t> open;
    for (std::size_t i = 0; i < m_tokens.size(); ++i) {
        if (m_tokens[i].is_punct("("))
            open.push_back(i);
        else if (m_tokens[i].is_punct(")") && !open.empty()) {
            m_matching_paren[open.back()] = i;
            open.pop_back();
        }
    }
    while (peek().kind != TokenKind::End)
        LANG_TRY(external_declaration());
    return {};
}

LangResult<void> Parser::external_declaration()
{
    if (accept(";"))
        return {};
    if (peek().is("asm") || peek().is("__asm__") || peek().is("__asm"))
        return error_here("inline assembly is not supported");
    if (peek().is("_Static_assert"))
        return error_here("_Static_assert is not supported");
    auto spec = LANG_TRY(declaration_specifiers());
    if (!spec.type) {
        // C89's implicit int survives in old textbooks: "main() { ... }".
        if (peek().kind == TokenKind::Identifier && peek(1).is_punct("("))
            spec.type = m_program.types.int_type();
        else if (peek().kind == TokenKind::Identifier && (peek(1).kind == TokenKind::Identifier || peek(1).is_punct("*")))
            return error_here(format("unknown type name '{}'", peek().text));
        else
            return error_here(format("expected a declaration before {}", describe(peek())));
    }
    if (accept(";"))
        return {};
    auto d = LANG_TRY(declarator(spec.type, DeclaratorKind::Named));
    if (d.type->is_function() && peek().is_punct("{")) {
        if (spec.is_typedef)
            return error(d.loc, "function definition declared 'typedef'");
        return function_definition(spec, d);
    }
    return init_declarators(spec, std::move(d), nullptr);
}

// --- Declaration specifiers (C11 6.7.1-6.7.3) ---------------------------------------------------

LangResult<Parser::DeclSpec> Parser::declaration_specifiers()
{
    DeclSpec spec;
    spec.loc = peek().loc;
    enum class Base : std::uint8_t { None, Void, Bool, Char, Int } base = Base::None;
    int shorts = 0, longs = 0, signeds = 0, unsigneds = 0;
    Type const* other = nullptr;  // A struct, enum or typedef name.
    bool is_const = false;
    bool any = false;
    auto const two_types = [&](Token const& t) {
        return error(t.loc, format("two or more data types in declaration specifiers (at '{}')", t.text));
    };
    while (true) {
        Token const& t = peek();
        if (t.kind != TokenKind::Identifier)
            break;
        std::string const& w = t.text;
        if (one_of(kStorageWords, t)) {
            if (w == "_Thread_local")
                return error(t.loc, "_Thread_local is not supported");
            bool const was_set = spec.is_typedef || spec.storage != Storage::None;
            if (w == "typedef")
                spec.is_typedef = true;
            else if (w == "static")
                spec.storage = Storage::Static;
            else if (w == "extern")
                spec.storage = Storage::Extern;
            if (was_set && (w == "typedef" || w == "static" || w == "extern"))
                return error(t.loc, "multiple storage classes in declaration specifiers");
        } else if (w == "const" || w == "__const") {
            is_const = true;
        } else if (one_of(kIgnoredQualifiers, t)) {
            // volatile, restrict and inline change nothing in an interpreter that runs one
            // statement at a time; they are accepted as gcc accepts them.
        } else if (one_of(kUnsupportedTypeWords, t)) {
            if (w == "double" && longs > 0)
                return error(t.loc, "long double is not supported");
            return error(t.loc, unsupported_type_message(w));
        } else if (w == "struct" || w == "enum") {
            if (base != Base::None || shorts || longs || signeds || unsigneds || other)
                return two_types(t);
            other = LANG_TRY(w == "struct" ? struct_specifier() : enum_specifier());
            any = true;
            continue;
        } else if (w == "void" || w == "_Bool") {
            if (base != Base::None || shorts || longs || signeds || unsigneds || other)
                return two_types(t);
            base = w == "void" ? Base::Void : Base::Bool;
        } else if (w == "char") {
            if (base != Base::None || shorts || longs || other)
                return two_types(t);
            base = Base::Char;
        } else if (w == "int") {
            if (base != Base::None || other)
                return two_types(t);
            base = Base::Int;
        } else if (w == "short") {
            if (shorts || longs || (base != Base::None && base != Base::Int) || other)
                return two_types(t);
            ++shorts;
        } else if (w == "long") {
            if (longs == 2)
                return error(t.loc, "'long long long' is too long");
            if (shorts || (base != Base::None && base != Base::Int) || other)
                return two_types(t);
            ++longs;
        } else if (w == "signed" || w == "__signed__" || w == "__signed" || w == "unsigned") {
            if (signeds || unsigneds)
                return error(t.loc, (w == "unsigned") == (unsigneds > 0) ? format("duplicate '{}'", w)
                                                                        : "both 'signed' and 'unsigned' in declaration specifiers");
            if (base == Base::Void || base == Base::Bool || other)
                return two_types(t);
            (w == "unsigned" ? unsigneds : signeds) = 1;
        } else if (is_typedef_name(t) && base == Base::None && !shorts && !longs && !signeds && !unsigneds && !other) {
            other = lookup(w)->type;
        } else {
            break;
        }
        any = true;
        advance();
    }
    auto& types = m_program.types;
    Type const* type = other;
    bool const has_type = base != Base::None || shorts || longs || signeds || unsigneds || other;
    if (!other && has_type) {
        TypeKind kind = TypeKind::Int;
        if (base == Base::Void)
            kind = TypeKind::Void;
        else if (base == Base::Bool)
            kind = TypeKind::Bool;
        else if (base == Base::Char)
            kind = unsigneds ? TypeKind::UChar : signeds ? TypeKind::SChar : TypeKind::Char;
        else if (shorts)
            kind = unsigneds ? TypeKind::UShort : TypeKind::Short;
        else if (longs == 1)
            kind = unsigneds ? TypeKind::ULong : TypeKind::Long;
        else if (longs == 2)
            kind = unsigneds ? TypeKind::ULongLong : TypeKind::LongLong;
        else
            kind = unsigneds ? TypeKind::UInt : TypeKind::Int;
        type = types.basic(kind);
    }
    // "static x;" and "const y;" are implicit int, as in C89.
    if (!type && any)
        type = types.int_type();
    if (type && is_const)
        type = type->is_array() ? types.array_of(types.qualified(type->base, Qualifier::Const), type->length)
                                : types.qualified(type, Qualifier::Const);
    spec.type = type;
    return spec;
}

LangResult<Type const*> Parser::struct_specifier()
{
    LANG_NEST(peek().loc);
    SourceLoc const loc = advance().loc;  // 'struct'
    auto& types = m_program.types;
    std::string tag;
    if (peek().kind == TokenKind::Identifier)
        tag = advance().text;
    if (!peek().is_punct("{")) {
        if (tag.empty())
            return error_here(format("expected '{{' or a tag name after 'struct' before {}", describe(peek())));
        // "struct tag;" alone declares a new struct in this scope; elsewhere the name refers
        // to the visible one, or declares it (C11 6.7.2.3p7-8).
        auto& tags = m_scopes.back().tags;
        Type const* found = peek().is_punct(";") ? (tags.count(tag) ? tags[tag] : nullptr) : lookup_tag(tag);
        if (!found) {
            found = types.new_struct(tag, loc);
            tags[tag] = found;
        }
        return found;
    }
    Type const* type = nullptr;
    auto& tags = m_scopes.back().tags;
    if (!tag.empty() && tags.count(tag)) {
        type = tags[tag];
        if (type->record->complete)
            return error(loc, format("redefinition of 'struct {}'", tag));
    } else {
        type = types.new_struct(tag, loc);
        if (!tag.empty())
            tags[tag] = type;
    }
    auto members = LANG_TRY(struct_members(type));
    types.complete_struct(type, std::move(members));
    if (type->size > kMaxObjectSize)
        return error(loc, "struct is too large");
    return type;
}

LangResult<std::vector<Member>> Parser::struct_members(Type const* type)
{
    SourceLoc const open = advance().loc;  // '{'
    std::vector<Member> members;
    std::uint64_t size = 0;
    while (!accept("}")) {
        if (peek().kind == TokenKind::End)
            return error(open, "expected '}' at end of input");
        auto const spec = LANG_TRY(declaration_specifiers());
        if (!spec.type)
            return error_here(format("expected specifier-qualifier-list before {}", describe(peek())));
        if (spec.storage != Storage::None || spec.is_typedef)
            return error(spec.loc, "storage class specified for a struct member");
        if (peek().is_punct(";"))
            return error_here("declaration does not declare anything (anonymous members are not supported)");
        do {
            auto d = LANG_TRY(declarator(spec.type, DeclaratorKind::Named));
            if (peek().is_punct(":"))
                return error_here("bit-fields are not supported");
            if (d.type->is_function())
                return error(d.loc, format("field '{}' declared as a function", d.name));
            if (d.type->is_array() && d.type->length_kind == ArrayLength::Unknown)
                return error(d.loc, "flexible array members are not supported");
            if (!d.type->is_complete() || d.type->unqualified == type)
                return error(d.loc, format("field '{}' has incomplete type", d.name));
            if (std::any_of(members.begin(), members.end(), [&](Member const& m) { return m.name == d.name; }))
                return error(d.loc, format("duplicate member '{}'", d.name));
            size += d.type->size + d.type->align;
            if (size > kMaxObjectSize)
                return error(d.loc, "struct is too large");
            members.push_back(Member{.name = d.name, .type = d.type, .offset = 0, .loc = d.loc});
        } while (accept(","));
        LANG_TRY(expect(";"));
    }
    if (members.empty())
        return error(open, "struct has no members");
    return members;
}

// enum: the constants are ints, and so is the enum type itself (C11 6.7.2.2).
LangResult<Type const*> Parser::enum_specifier()
{
    advance();  // 'enum'
    if (peek().kind == TokenKind::Identifier)
        advance();
    if (!accept("{"))
        return m_program.types.int_type();
    std::int64_t next = 0;
    while (!accept("}")) {
        auto const* name = LANG_TRY(expect_identifier("an enumerator name"));
        if (accept("="))
            LANG_TRY(constant_expression_value(next, "enumerator value"));
        if (next < INT32_MIN || next > INT32_MAX)
            return error(name->loc, format("enumerator value for '{}' is not representable as an int", name->text));
        Decl* decl = new_decl(DeclKind::EnumConstant, name->text, name->loc, m_program.types.int_type());
        decl->enum_value = next;
        LANG_TRY(define_name(name->text, name->loc, Symbol{SymbolKind::Object, decl, nullptr}));
        ++next;
        if (!accept(",")) {
            LANG_TRY(expect("}"));
            break;
        }
    }
    return m_program.types.int_type();
}

// --- Declarators (C11 6.7.6) ---------------------------------------------------------------------

// Pointers first, then either a name or a parenthesized declarator, then array and function
// suffixes. In "void (*h)(int)" the suffix after the parentheses applies first: its result is
// the type the inner declarator "*h" builds on, so the inner part is parsed last.
LangResult<Parser::Declarator> Parser::declarator(Type const* base, DeclaratorKind kind)
{
    LANG_NEST(peek().loc);
    auto& types = m_program.types;
    Type const* type = base;
    while (accept("*")) {
        type = types.pointer_to(type);
        while (peek().is("const") || peek().is("__const") || one_of(kIgnoredQualifiers, peek())) {
            if (!one_of(kIgnoredQualifiers, peek()))
                type = types.qualified(type, Qualifier::Const);
            advance();
        }
    }
    Token const& t = peek();
    bool const nested = t.is_punct("(")
        && (peek(1).is_punct("*") || peek(1).is_punct("(") || peek(1).is_punct("[")
            || (peek(1).kind == TokenKind::Identifier && !starts_type(peek(1)) && kind != DeclaratorKind::Abstract));
    if (nested) {
        std::size_t const close = m_matching_paren[m_pos];
        if (close == 0)
            return error(t.loc, "expected ')' to match this '('");
        std::size_t const inner = m_pos + 1;
        m_pos = close + 1;
        type = LANG_TRY(type_suffix(type, nullptr));
        std::size_t const after = m_pos;
        m_pos = inner;
        auto d = LANG_TRY(declarator(type, kind));
        if (m_pos != close)
            return error_here(format("expected ')' before {}", describe(peek())));
        m_pos = after;
        return d;
    }
    Declarator d;
    d.loc = t.loc;
    if (t.kind == TokenKind::Identifier && kind != DeclaratorKind::Abstract && !starts_type(t)) {
        d.name = t.text;
        advance();
    } else if (kind == DeclaratorKind::Named) {
        return error_here(format("expected identifier or '(' before {}", describe(t)));
    }
    d.type = LANG_TRY(type_suffix(type, d.name.empty() ? nullptr : &d));
    return d;
}

LangResult<Type const*> Parser::type_suffix(Type const* base, Declarator* named)
{
    if (peek().is_punct("["))
        return array_suffix(base, named);
    if (peek().is_punct("("))
        return function_suffix(base, named);
    return base;
}

LangResult<Type const*> Parser::array_suffix(Type const* base, Declarator* named)
{
    LANG_NEST(peek().loc);
    SourceLoc const open = advance().loc;  // '['
    auto& types = m_program.types;
    std::optional<std::uint64_t> length;
    if (!accept("]")) {
        if (peek().is("static") || peek().is("const"))
            return error_here("qualifiers in array declarators are not supported");
        SourceLoc const at = peek().loc;
        auto size = LANG_TRY(conditional());
        size = LANG_TRY(value(std::move(size)));
        if (!size->type->is_integer())
            return error(at, "size of array has non-integer type");
        auto const v = const_int(*size);
        if (!v)
            return error(at, "variable-length arrays are not supported");
        if (size->type->is_signed() && std::int64_t(*v) < 0)
            return error(at, "size of array is negative");
        if (*v == 0)
            return error(at, "zero-size arrays are not supported");
        length = *v;
        LANG_TRY(expect("]"));
    }
    Type const* element = LANG_TRY(type_suffix(base, nullptr));
    std::string const name = named ? format(" '{}'", named->name) : "";
    if (element->is_function())
        return error(open, format("declaration of{} as array of functions", name));
    if (!element->is_complete())
        return error(open, format("array type has incomplete element type '{}'", type_name(element)));
    if (!length)
        return types.unknown_array_of(element);
    if (*length > kMaxObjectSize / std::max<std::uint64_t>(1, element->size))
        return error(open, format("size of array{} is too large", name));
    return types.array_of(element, *length);
}

LangResult<Type const*> Parser::function_suffix(Type const* base, Declarator* named)
{
    LANG_NEST(peek().loc);
    SourceLoc const open = advance().loc;  // '('
    auto& types = m_program.types;
    std::vector<ParamInfo> params;
    Variadic variadic = Variadic::No;
    std::optional<SourceLoc> ellipsis;
    ScopeGuard prototype_scope(*this);  // Names and tags in a prototype end with it (C11 6.2.1p4).
    if (peek().is("void") && peek(1).is_punct(")")) {
        advance();
    } else {
        while (!peek().is_punct(")")) {
            if (peek().is_punct("...")) {
                if (params.empty())
                    return error_here("ISO C requires a named argument before '...'");
                ellipsis = advance().loc;
                variadic = Variadic::Yes;
                break;
            }
            Token const& t = peek();
            if (t.kind == TokenKind::Identifier && !starts_type(t)) {
                if (peek(1).is_punct(",") || peek(1).is_punct(")"))
                    return error(t.loc, "old-style (K&R) parameter lists are not supported: declare each parameter's type");
                return error(t.loc, format("unknown type name '{}'", t.text));
            }
            auto const spec = LANG_TRY(declaration_specifiers());
            if (!spec.type)
                return error_here(format("expected declaration specifiers or '...' before {}", describe(peek())));
            if (spec.storage != Storage::None || spec.is_typedef)
                return error(spec.loc, "storage class specified for parameter");
            auto d = LANG_TRY(declarator(spec.type, DeclaratorKind::Either));
            // A parameter of array or function type is a pointer (C11 6.7.6.3p7-8).
            Type const* type = d.type;
            if (type->is_array())
                type = types.pointer_to(type->base);
            else if (type->is_function())
                type = types.pointer_to(type);
            if (type->is_void())
                return error(d.loc, "'void' must be the only parameter");
            params.push_back(ParamInfo{d.name, d.loc, type});
            if (!accept(","))
                break;
        }
    }
    LANG_TRY(expect(")"));
    if (base->is_function())
        return error(open, "function returning a function");
    if (base->is_array())
        return error(open, "function returning an array");
    std::vector<Type const*> param_types;
    for (auto const& p : params)
        param_types.push_back(p.type);
    if (named && named->params.empty() && !named->ellipsis) {
        named->params = std::move(params);
        named->ellipsis = ellipsis;
    }
    return types.function(base->unqualified, std::move(param_types), variadic);
}

LangResult<Type const*> Parser::parse_type_name()
{
    auto const spec = LANG_TRY(declaration_specifiers());
    if (!spec.type)
        return error_here(format("expected a type name before {}", describe(peek())));
    if (spec.storage != Storage::None || spec.is_typedef)
        return error(spec.loc, "storage class in a type name");
    auto const d = LANG_TRY(declarator(spec.type, DeclaratorKind::Abstract));
    return d.type;
}

// --- Declarations --------------------------------------------------------------------------------

LangResult<void> Parser::init_declarators(DeclSpec const& spec, Declarator first, std::vector<Decl*>* locals)
{
    Declarator d = std::move(first);
    while (true) {
        if (spec.is_typedef) {
            LANG_TRY(typedef_name(d));
        } else if (d.type->is_function()) {
            LANG_TRY(declare_function(spec, d));
        } else if (at_file_scope() || spec.storage != Storage::None) {
            LANG_TRY(declare_global(spec, d));
        } else {
            Decl* decl = LANG_TRY(declare_local(spec, d));
            if (locals)
                locals->push_back(decl);
        }
        if (!accept(","))
            break;
        d = LANG_TRY(declarator(spec.type, DeclaratorKind::Named));
    }
    if (peek().is_punct("{") && d.type->is_function())
        return error_here("function definitions inside functions are not supported");
    if (!accept(";"))
        return error_here(format("expected ',' or ';' before {}", describe(peek())));
    return {};
}

LangResult<void> Parser::typedef_name(Declarator const& d)
{
    if (peek().is_punct("="))
        return error(d.loc, format("typedef '{}' is initialized", d.name));
    auto& names = m_scopes.back().names;
    auto const it = names.find(d.name);
    // Repeating a typedef with the same type is allowed (C11 6.7p3).
    if (it != names.end() && it->second.kind == SymbolKind::Typedef && it->second.type == d.type)
        return {};
    if (it != names.end() && it->second.kind == SymbolKind::Typedef)
        return error(d.loc, format("conflicting types for '{}'", d.name));
    return define_name(d.name, d.loc, Symbol{SymbolKind::Typedef, nullptr, d.type});
}

LangResult<Decl*> Parser::declare_function(DeclSpec const& spec, Declarator const& d)
{
    Symbol const* existing = lookup(d.name);
    auto& file_names = m_scopes.front().names;
    if (file_names.count(d.name))
        existing = &file_names.at(d.name);
    if (existing && existing->decl && (existing->decl->kind == DeclKind::Function || existing->decl->kind == DeclKind::Builtin)) {
        if (existing->decl->type != d.type)
            return error(d.loc, format("conflicting types for '{}'; have '{}'", d.name, type_name(d.type)));
        if (!m_scopes.back().names.count(d.name))
            m_scopes.back().names.emplace(d.name, *existing);
        return existing->decl;
    }
    if (d.ellipsis && m_origin == Origin::User)
        return error(*d.ellipsis, "variadic functions are not supported");
    if (d.type->base->is_struct() && !d.type->base->is_complete() && peek().is_punct("{"))
        return error(d.loc, "return type is an incomplete type");
    Decl* decl = new_decl(m_origin == Origin::Builtin ? DeclKind::Builtin : DeclKind::Function, d.name, d.loc, d.type);
    decl->storage = spec.storage;
    if (decl->kind == DeclKind::Builtin)
        m_program.builtins.push_back(decl);
    Symbol const symbol{SymbolKind::Object, decl, nullptr};
    LANG_TRY(define_name(d.name, d.loc, symbol));
    if (!at_file_scope())
        file_names.emplace(d.name, symbol);
    return decl;
}

LangResult<void> Parser::check_object_type(Declarator const& d, std::string_view what)
{
    if (d.type->is_void())
        return error(d.loc, format("{} '{}' declared void", what, d.name));
    return {};
}

// A file-scope object, a static local, or an extern declaration anywhere.
LangResult<Decl*> Parser::declare_global(DeclSpec const& spec, Declarator const& d)
{
    LANG_TRY(check_object_type(d, "variable"));
    bool const local_static = !at_file_scope() && spec.storage == Storage::Static;
    Decl* decl = nullptr;
    auto& file_names = m_scopes.front().names;
    if (!local_static && file_names.count(d.name) && (at_file_scope() || spec.storage == Storage::Extern)) {
        auto const& old = file_names.at(d.name);
        if (old.kind != SymbolKind::Object || !old.decl || (old.decl->kind != DeclKind::Global && old.decl->kind != DeclKind::BuiltinVariable))
            return error(d.loc, format("'{}' redeclared as different kind of symbol", d.name));
        decl = old.decl;
        // "extern int a[]; int a[10];" completes the type (C11 6.2.7p3).
        bool const completes = decl->type->is_array() && d.type->is_array() && decl->type->base == d.type->base
            && (decl->type->length_kind == ArrayLength::Unknown || d.type->length_kind == ArrayLength::Unknown);
        if (decl->type != d.type && !completes)
            return error(d.loc, format("conflicting types for '{}'; have '{}'", d.name, type_name(d.type)));
        if (completes && d.type->length_kind == ArrayLength::Known)
            decl->type = d.type;
        if (decl->kind == DeclKind::BuiltinVariable && peek().is_punct("="))
            return error(d.loc, format("'{}' is provided by the library and cannot be defined here", d.name));
        if (spec.storage != Storage::Extern && decl->storage == Storage::Extern)
            decl->storage = spec.storage;
        if (!at_file_scope() && !m_scopes.back().names.count(d.name))
            m_scopes.back().names.emplace(d.name, old);
    } else {
        bool const builtin = m_origin == Origin::Builtin;
        decl = new_decl(builtin ? DeclKind::BuiltinVariable : DeclKind::Global, d.name, d.loc, d.type);
        decl->storage = spec.storage;
        LANG_TRY(define_name(d.name, d.loc, Symbol{SymbolKind::Object, decl, nullptr}));
        if (builtin)
            m_program.builtins.push_back(decl);
        else
            m_program.globals.push_back(decl);
        if (!at_file_scope() && spec.storage == Storage::Extern)
            file_names.emplace(d.name, Symbol{SymbolKind::Object, decl, nullptr});
    }
    if (accept("=")) {
        if (spec.storage == Storage::Extern && !at_file_scope())
            return error(d.loc, format("'{}' has both 'extern' and initializer", d.name));
        if (decl->has_initializer)
            return error(d.loc, format("redefinition of '{}'", d.name));
        Type const* type = decl->type;
        std::vector<InitEntry> entries;
        LANG_TRY(initializer(type, 0, entries));
        LANG_TRY(check_static_initializer(entries));
        decl->type = type;
        decl->init = std::move(entries);
        decl->has_initializer = true;
        if (decl->storage == Storage::Extern)
            decl->storage = Storage::None;
    }
    if (decl->storage != Storage::Extern && decl->type->is_struct() && !decl->type->is_complete() && !at_file_scope())
        return error(d.loc, format("storage size of '{}' isn't known", d.name));
    return decl;
}

LangResult<Decl*> Parser::declare_local(DeclSpec const& spec, Declarator const& d)
{
    LANG_TRY(check_object_type(d, "variable"));
    (void)spec;
    Decl* decl = new_decl(DeclKind::Local, d.name, d.loc, d.type);
    LANG_TRY(define_name(d.name, d.loc, Symbol{SymbolKind::Object, decl, nullptr}));
    if (accept("=")) {
        Type const* type = decl->type;
        LANG_TRY(initializer(type, 0, decl->init));
        decl->type = type;
    }
    if (!decl->type->is_complete())
        return error(d.loc, format("storage size of '{}' isn't known", d.name));
    allocate_frame_slot(decl);
    if (m_fn->frame > kMaxFrameSize)
        return error(d.loc, format("the locals of this function take more than {} bytes", kMaxFrameSize));
    m_fn->function->locals.push_back(decl);
    return decl;
}

// A function definition: its parameters get the first frame slots, in order, and share the
// scope of the body's outermost block (C11 6.2.1p4).
LangResult<void> Parser::function_definition(DeclSpec const& spec, Declarator const& d)
{
    if (!at_file_scope())
        return error(d.loc, "function definitions inside functions are not supported");
    if (d.ellipsis)
        return error(*d.ellipsis, "variadic functions are not supported");
    Decl* decl = LANG_TRY(declare_function(spec, d));
    if (decl->kind == DeclKind::Builtin)
        return error(d.loc, format("'{}' is a library function here and cannot be redefined", d.name));
    if (decl->function)
        return error(d.loc, format("redefinition of '{}'", d.name));
    if (!d.type->base->is_void() && !d.type->base->is_complete())
        return error(d.loc, "return type is an incomplete type");
    m_program.functions.push_back(std::make_unique<Function>());
    Function* function = m_program.functions.back().get();
    function->decl = decl;
    decl->function = function;
    decl->loc = d.loc;
    m_fn = FunctionContext{};
    m_fn->function = function;
    m_fn->return_type = d.type->base;
    ScopeGuard parameters(*this);
    for (auto const& p : d.params) {
        if (p.name.empty())
            return error(p.loc, "parameter name omitted");
        if (!p.type->is_complete())
            return error(p.loc, format("parameter '{}' has incomplete type", p.name));
        Decl* param = new_decl(DeclKind::Param, p.name, p.loc, p.type);
        LANG_TRY(define_name(p.name, p.loc, Symbol{SymbolKind::Object, param, nullptr}));
        allocate_frame_slot(param);
        function->params.push_back(param);
    }
    m_body_scope = m_scopes.size();
    function->body = LANG_TRY(compound_statement());
    for (Stmt* jump : m_fn->gotos) {
        auto const it = m_fn->labels.find(jump->label);
        if (it == m_fn->labels.end())
            return error(jump->loc, format("label '{}' used but not defined", jump->label));
        jump->target = it->second;
    }
    function->frame_size = align_up(m_fn->frame, 16);
    m_fn.reset();
    return {};
}

}  // namespace forklab::lang
