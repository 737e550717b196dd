// Initializers (C11 6.7.9): scalars, brace lists with brace elision, designators, and string
// literals for char arrays, flattened into InitEntry stores over a zeroed object.
#include "lang/parser.h"

#include "base/format.h"

namespace forklab::lang {

#define LANG_NEST(loc)           \
    LANG_TRY(enter(loc));        \
    Nesting _nesting { m_depth }

bool Parser::string_initializes(Type const* type) const
{
    if (!type->is_array())
        return false;
    auto const k = type->base->kind;
    return k == TypeKind::Char || k == TypeKind::SChar || k == TypeKind::UChar;
}

// `type` may be an array of unknown length; the initializer completes it (C11 6.7.9p22).
LangResult<void> Parser::initializer(Type const*& type, std::uint64_t offset, std::vector<InitEntry>& out)
{
    LANG_NEST(peek().loc);
    if (peek().is_punct("{"))
        return braced_initializer(type, offset, out);
    if (string_initializes(type) && peek().kind == TokenKind::String) {
        Token const& t = advance();
        auto e = LANG_TRY(string_literal(t));
        std::uint64_t const length = t.text.size() + 1;
        if (type->length_kind == ArrayLength::Unknown)
            type = m_program.types.array_of(type->base, length);
        else if (length - 1 > type->length)
            return error(t.loc, "initializer-string for array of 'char' is too long");
        out.push_back(InitEntry{offset, type, std::move(e)});
        return {};
    }
    if (type->is_array())
        return error_here("invalid initializer: an array needs a brace-enclosed list");
    return scalar_initializer(type, offset, out);
}

// One expression for a scalar, or a struct value of the same type.
LangResult<void> Parser::scalar_initializer(Type const* type, std::uint64_t offset, std::vector<InitEntry>& out)
{
    SourceLoc const at = peek().loc;
    auto e = LANG_TRY(assignment());
    e = LANG_TRY(assign_convert(std::move(e), type, at, Conversion{ConversionContext::Initialization, 0, {}}));
    out.push_back(InitEntry{offset, type->unqualified, std::move(e)});
    return {};
}

LangResult<void> Parser::braced_initializer(Type const*& type, std::uint64_t offset, std::vector<InitEntry>& out)
{
    SourceLoc const open = advance().loc;  // '{'
    if (type->is_scalar()) {
        // int x = { 5 }; and the empty {} of C23.
        if (accept("}"))
            return {};
        LANG_TRY(scalar_initializer(type, offset, out));
        accept(",");
        if (!peek().is_punct("}"))
            return error_here("excess elements in scalar initializer");
        advance();
        return {};
    }
    if (type->is_array()) {
        Type const* element = type->base;
        bool const known = type->length_kind == ArrayLength::Known;
        std::uint64_t index = 0;
        std::uint64_t count = 0;
        while (!accept("}")) {
            Type const* target = element;
            if (peek().is_punct("[")) {
                index = LANG_TRY(array_designator(type));
                std::uint64_t at = offset + index * element->size;
                LANG_TRY(designator_rest(target, at));
                LANG_TRY(expect("="));
                LANG_TRY(initializer(target, at, out));
            } else {
                if (known && index >= type->length)
                    return error_here("excess elements in array initializer");
                if (index >= kMaxObjectSize / std::max<std::uint64_t>(1, element->size))
                    return error_here("array is too large");
                LANG_TRY(initializer_element(element, offset + index * element->size, out));
            }
            ++index;
            count = std::max(count, index);
            if (!accept(",")) {
                LANG_TRY(expect("}"));
                break;
            }
        }
        if (!known) {
            if (count == 0)
                return error(open, "zero-size arrays are not supported");
            type = m_program.types.array_of(element, count);
        }
        return {};
    }
    if (!type->is_struct() || !type->is_complete())
        return error(open, format("initializer for an object of incomplete type '{}'", type_name(type)));
    auto const& members = type->record->members;
    std::size_t index = 0;
    while (!accept("}")) {
        if (peek().is_punct(".")) {
            advance();
            auto const* name = LANG_TRY(expect_identifier("a member name"));
            Member const* m = type->record->find(name->text);
            if (!m)
                return error(name->loc, format("'{}' has no member named '{}'", type_name(type->unqualified), name->text));
            index = std::size_t(m - members.data());
            Type const* target = m->type;
            std::uint64_t at = offset + m->offset;
            LANG_TRY(designator_rest(target, at));
            LANG_TRY(expect("="));
            LANG_TRY(initializer(target, at, out));
        } else {
            if (index >= members.size())
                return error_here("excess elements in struct initializer");
            LANG_TRY(initializer_element(members[index].type, offset + members[index].offset, out));
        }
        ++index;
        if (!accept(",")) {
            LANG_TRY(expect("}"));
            break;
        }
    }
    return {};
}

// An element of a brace list: its own braces, a string for a char array, or (brace elision,
// C11 6.7.9p20) as many of the following values as the sub-aggregate has elements.
LangResult<void> Parser::initializer_element(Type const* type, std::uint64_t offset, std::vector<InitEntry>& out)
{
    bool const aggregate = type->is_array() || type->is_struct();
    if (!aggregate || peek().is_punct("{") || (string_initializes(type) && peek().kind == TokenKind::String))
        return initializer(type, offset, out);
    return elided_initializer(type, offset, out);
}

LangResult<void> Parser::elided_initializer(Type const* type, std::uint64_t offset, std::vector<InitEntry>& out)
{
    LANG_NEST(peek().loc);
    std::uint64_t const count = type->is_array() ? type->length : type->record->members.size();
    for (std::uint64_t i = 0; i < count; ++i) {
        if (i > 0) {
            // Stop at the end of the list or at a designator: they belong to the enclosing list.
            if (!peek().is_punct(",") || peek(1).is_punct("}") || peek(1).is_punct("[") || peek(1).is_punct("."))
                return {};
            advance();
        }
        if (type->is_array())
            LANG_TRY(initializer_element(type->base, offset + i * type->base->size, out));
        else
            LANG_TRY(initializer_element(type->record->members[i].type, offset + type->record->members[i].offset, out));
    }
    return {};
}

LangResult<std::uint64_t> Parser::array_designator(Type const* type)
{
    advance();  // '['
    SourceLoc const at = peek().loc;
    std::int64_t index = 0;
    LANG_TRY(constant_expression_value(index, "array index in initializer"));
    if (peek().is_punct("..."))
        return error_here("designator ranges are not supported");
    LANG_TRY(expect("]"));
    bool const known = type->length_kind == ArrayLength::Known;
    if (index < 0 || (known && std::uint64_t(index) >= type->length))
        return error(at, "array index in initializer exceeds array bounds");
    if (std::uint64_t(index) >= kMaxObjectSize / std::max<std::uint64_t>(1, type->base->size))
        return error(at, "array is too large");
    return std::uint64_t(index);
}

// The designators after the first one: .a.b[2] = ...
LangResult<void> Parser::designator_rest(Type const*& type, std::uint64_t& offset)
{
    while (peek().is_punct("[") || peek().is_punct(".")) {
        LANG_NEST(peek().loc);
        if (peek().is_punct("[")) {
            if (!type->is_array() || type->length_kind != ArrayLength::Known)
                return error_here("array index in non-array initializer");
            auto const index = LANG_TRY(array_designator(type));
            type = type->base;
            offset += index * type->size;
        } else {
            advance();
            auto const* name = LANG_TRY(expect_identifier("a member name"));
            if (!type->is_struct() || !type->is_complete())
                return error(name->loc, format("field name not in record or union initializer"));
            Member const* m = type->record->find(name->text);
            if (!m)
                return error(name->loc, format("'{}' has no member named '{}'", type_name(type->unqualified), name->text));
            type = m->type;
            offset += m->offset;
        }
    }
    return {};
}

// Objects with static storage are initialized before the program runs, so their initializers
// must be constant (C11 6.7.9p4).
LangResult<void> Parser::check_static_initializer(std::vector<InitEntry> const& entries)
{
    for (auto const& entry : entries) {
        if (entry.value->kind == ExprKind::StringLiteral && entry.type->is_array())
            continue;
        if (entry.type->is_struct() || !static_value(*entry.value))
            return error(entry.value->loc, "initializer element is not constant");
        auto const v = static_value(*entry.value);
        if (v->target && !entry.type->is_pointer())
            return error(entry.value->loc, "initializer element is not computable at load time");
    }
    return {};
}

}  // namespace forklab::lang
