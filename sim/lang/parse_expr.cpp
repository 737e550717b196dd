// Expressions (C11 6.5): C's precedence and associativity by recursive descent, each node
// checked by the type rules in sema.cpp as soon as it is built.
#include "lang/parser.h"

#include "base/format.h"

#include <array>

namespace forklab::lang {

#define LANG_NEST(loc)           \
    LANG_TRY(enter(loc));        \
    Nesting _nesting { m_depth }

namespace {

struct BinaryInfo {
    std::string_view spelling;
    BinaryOp op;
    int precedence;
};

// C11 6.5.5-6.5.14, loosest last-but-tightest first: a higher number binds tighter.
constexpr std::array<BinaryInfo, 18> kBinaryOps = {{
    {"||", BinaryOp::LogicalOr, 1}, {"&&", BinaryOp::LogicalAnd, 2}, {"|", BinaryOp::BitOr, 3},
    {"^", BinaryOp::BitXor, 4}, {"&", BinaryOp::BitAnd, 5}, {"==", BinaryOp::Eq, 6},
    {"!=", BinaryOp::Ne, 6}, {"<", BinaryOp::Lt, 7}, {">", BinaryOp::Gt, 7}, {"<=", BinaryOp::Le, 7},
    {">=", BinaryOp::Ge, 7}, {"<<", BinaryOp::Shl, 8}, {">>", BinaryOp::Shr, 8},
    {"+", BinaryOp::Add, 9}, {"-", BinaryOp::Sub, 9}, {"*", BinaryOp::Mul, 10},
    {"/", BinaryOp::Div, 10}, {"%", BinaryOp::Mod, 10},
}};

constexpr std::array<std::pair<std::string_view, BinaryOp>, 11> kAssignOps = {{
    {"=", BinaryOp::None}, {"+=", BinaryOp::Add}, {"-=", BinaryOp::Sub}, {"*=", BinaryOp::Mul},
    {"/=", BinaryOp::Div}, {"%=", BinaryOp::Mod}, {"<<=", BinaryOp::Shl}, {">>=", BinaryOp::Shr},
    {"&=", BinaryOp::BitAnd}, {"^=", BinaryOp::BitXor}, {"|=", BinaryOp::BitOr},
}};

BinaryInfo const* binary_info(Token const& t)
{
    if (t.kind != TokenKind::Punct)
        return nullptr;
    for (auto const& info : kBinaryOps) {
        if (t.text == info.spelling)
            return &info;
    }
    return nullptr;
}

}  // namespace

LangResult<ExprPtr> Parser::expression()
{
    auto e = LANG_TRY(assignment());
    while (peek().is_punct(",")) {
        SourceLoc const loc = advance().loc;
        auto rhs = LANG_TRY(assignment());
        e = LANG_TRY(build_binary(BinaryOp::Comma, std::move(e), std::move(rhs), loc));
        LANG_TRY(check_depth(*e));
    }
    return e;
}

// Assignment is right-associative: a = b = c is a = (b = c).
LangResult<ExprPtr> Parser::assignment()
{
    LANG_NEST(peek().loc);
    auto lhs = LANG_TRY(conditional());
    for (auto const& [spelling, op] : kAssignOps) {
        if (peek().is_punct(spelling)) {
            SourceLoc const loc = advance().loc;
            auto rhs = LANG_TRY(assignment());
            return build_assign(op, std::move(lhs), std::move(rhs), loc);
        }
    }
    return lhs;
}

LangResult<ExprPtr> Parser::conditional()
{
    auto cond = LANG_TRY(binary(1));
    if (!peek().is_punct("?"))
        return cond;
    SourceLoc const loc = advance().loc;
    if (peek().is_punct(":"))
        return error(loc, "the GNU '?:' shorthand is not supported");
    auto then = LANG_TRY(expression());
    LANG_TRY(expect(":"));
    LANG_NEST(loc);
    auto otherwise = LANG_TRY(conditional());
    return build_conditional(std::move(cond), std::move(then), std::move(otherwise), loc);
}

// Precedence climbing: operators of one level associate to the left.
LangResult<ExprPtr> Parser::binary(int min_precedence)
{
    auto lhs = LANG_TRY(cast_expression());
    while (true) {
        auto const* info = binary_info(peek());
        if (!info || info->precedence < min_precedence)
            return lhs;
        SourceLoc const loc = advance().loc;
        auto rhs = LANG_TRY(binary(info->precedence + 1));
        lhs = LANG_TRY(build_binary(info->op, std::move(lhs), std::move(rhs), loc));
        LANG_TRY(check_depth(*lhs));
    }
}

LangResult<ExprPtr> Parser::cast_expression()
{
    if (peek().is_punct("(") && starts_type(peek(1))) {
        LANG_NEST(peek().loc);
        SourceLoc const loc = advance().loc;
        Type const* type = LANG_TRY(parse_type_name());
        LANG_TRY(expect(")"));
        if (peek().is_punct("{"))
            return error(loc, "compound literals are not supported");
        auto operand = LANG_TRY(cast_expression());
        return build_cast(type, std::move(operand), loc);
    }
    return unary();
}

LangResult<ExprPtr> Parser::unary()
{
    LANG_NEST(peek().loc);
    Token const& t = peek();
    SourceLoc const loc = t.loc;
    if (t.is_punct("++") || t.is_punct("--")) {
        advance();
        auto operand = LANG_TRY(unary());
        return build_unary(t.text == "++" ? UnaryOp::PreInc : UnaryOp::PreDec, std::move(operand), loc);
    }
    static constexpr std::array<std::pair<std::string_view, UnaryOp>, 6> kPrefix = {{
        {"&", UnaryOp::AddressOf}, {"*", UnaryOp::Deref}, {"+", UnaryOp::Plus},
        {"-", UnaryOp::Minus}, {"~", UnaryOp::BitNot}, {"!", UnaryOp::LogicalNot},
    }};
    for (auto const& [spelling, op] : kPrefix) {
        if (t.is_punct(spelling)) {
            advance();
            auto operand = LANG_TRY(cast_expression());
            return build_unary(op, std::move(operand), loc);
        }
    }
    if (t.is_punct("&&"))
        return error(loc, "labels as values are not supported");
    if (t.is("sizeof")) {
        advance();
        return sizeof_expression(loc);
    }
    if (t.is("_Alignof") || t.is("__alignof__"))
        return error(loc, "_Alignof is not supported");
    return postfix();
}

LangResult<ExprPtr> Parser::sizeof_expression(SourceLoc loc)
{
    Type const* type = nullptr;
    if (peek().is_punct("(") && starts_type(peek(1))) {
        advance();
        type = LANG_TRY(parse_type_name());
        LANG_TRY(expect(")"));
        if (peek().is_punct("{"))
            return error(loc, "compound literals are not supported");
    } else {
        // The operand is not evaluated (C11 6.5.3.4p2): only its type is kept.
        auto operand = LANG_TRY(unary());
        type = operand->type;
    }
    if (type->is_function())
        return error(loc, "invalid application of 'sizeof' to a function type");
    if (type->is_void())
        return error(loc, "invalid application of 'sizeof' to a void type");
    if (!type->is_complete())
        return error(loc, format("invalid application of 'sizeof' to incomplete type '{}'", type_name(type)));
    auto e = node(ExprKind::IntLiteral, loc, m_program.types.ulong_type());
    e->value = type->size;
    return e;
}

LangResult<ExprPtr> Parser::postfix()
{
    auto e = LANG_TRY(primary());
    while (true) {
        Token const& t = peek();
        SourceLoc const loc = t.loc;
        if (t.is_punct("[")) {
            advance();
            auto index = LANG_TRY(expression());
            LANG_TRY(expect("]"));
            e = LANG_TRY(build_index(std::move(e), std::move(index), loc));
        } else if (t.is_punct("(")) {
            advance();
            e = LANG_TRY(call(std::move(e), loc));
        } else if (t.is_punct(".") || t.is_punct("->")) {
            advance();
            e = LANG_TRY(member(std::move(e), loc, t.text == "->"));
        } else if (t.is_punct("++") || t.is_punct("--")) {
            advance();
            e = LANG_TRY(build_unary(t.text == "++" ? UnaryOp::PostInc : UnaryOp::PostDec, std::move(e), loc));
        } else {
            return e;
        }
        LANG_TRY(check_depth(*e));
    }
}

LangResult<ExprPtr> Parser::primary()
{
    Token const& t = peek();
    switch (t.kind) {
    case TokenKind::IntLiteral:
        return integer_literal(advance());
    case TokenKind::CharLiteral: {
        advance();
        auto e = node(ExprKind::IntLiteral, t.loc, m_program.types.int_type());
        e->value = t.value;
        return e;
    }
    case TokenKind::String:
        return string_literal(advance());
    case TokenKind::Identifier:
        if (t.is("_Generic"))
            return error(t.loc, "_Generic is not supported");
        if (t.is("asm") || t.is("__asm__") || t.is("__asm"))
            return error(t.loc, "inline assembly is not supported");
        if (t.is("__builtin_va_arg") || t.is("va_arg") || t.is("va_start"))
            return error(t.loc, "variadic functions are not supported");
        if (starts_type(t))
            return error(t.loc, format("expected expression before '{}'", t.text));
        return identifier();
    case TokenKind::Punct:
        if (t.is_punct("(")) {
            advance();
            if (peek().is_punct("{"))
                return error(t.loc, "statement expressions are not supported");
            auto e = LANG_TRY(expression());
            LANG_TRY(expect(")"));
            return e;
        }
        break;
    default:
        break;
    }
    return error(t.loc, format("expected expression before {}", describe(t)));
}

LangResult<ExprPtr> Parser::identifier()
{
    Token const& t = advance();
    Symbol const* symbol = lookup(t.text);
    if (!symbol && t.text == "__func__" && m_fn) {
        // C11 6.4.2.2: as if each function body began with `static const char __func__[] =
        // "name";`. Here it is that array's bytes in rodata, typed const char[N]; each use has
        // its own copy, which only a comparison of pointers could tell.
        Token name = t;
        name.kind = TokenKind::String;
        name.text = m_fn->function->decl->name;
        auto e = LANG_TRY(string_literal(name));
        auto& types = m_program.types;
        e->type = types.array_of(types.qualified(types.char_type(), Qualifier::Const), name.text.size() + 1);
        return e;
    }
    if (!symbol) {
        if (peek().is_punct("("))
            return error(t.loc, format("implicit declaration of function '{}'", t.text));
        return error(t.loc, format("'{}' undeclared", t.text));
    }
    Decl* decl = symbol->decl;
    if (decl->kind == DeclKind::EnumConstant) {
        auto e = node(ExprKind::IntLiteral, t.loc, m_program.types.int_type());
        e->value = std::uint64_t(decl->enum_value);
        return e;
    }
    decl->referenced = true;
    auto e = node(ExprKind::Ident, t.loc, decl->type);
    e->decl = decl;
    // An object's name is an lvalue; a function's name is a function designator (C11 6.5.1p2).
    e->is_lvalue = !decl->type->is_function();
    return e;
}

// The type of an integer constant is the first of a list that can represent it, the list
// depending on the suffix and on whether it is decimal (C11 6.4.4.1p5).
LangResult<ExprPtr> Parser::integer_literal(Token const& t)
{
    using K = TypeKind;
    bool const decimal = t.base == IntBase::Decimal;
    std::vector<K> candidates;
    if (t.suffix.is_unsigned)
        candidates = t.suffix.longs == 0 ? std::vector{K::UInt, K::ULong, K::ULongLong}
            : t.suffix.longs == 1        ? std::vector{K::ULong, K::ULongLong}
                                         : std::vector{K::ULongLong};
    else if (t.suffix.longs == 0)
        candidates = decimal ? std::vector{K::Int, K::Long, K::LongLong}
                             : std::vector{K::Int, K::UInt, K::Long, K::ULong, K::LongLong, K::ULongLong};
    else if (t.suffix.longs == 1)
        candidates = decimal ? std::vector{K::Long, K::LongLong} : std::vector{K::Long, K::ULong, K::LongLong, K::ULongLong};
    else
        candidates = decimal ? std::vector{K::LongLong} : std::vector{K::LongLong, K::ULongLong};
    for (K kind : candidates) {
        Type const* type = m_program.types.basic(kind);
        std::uint64_t const max = type->size == 8 ? (type->is_signed() ? INT64_MAX : UINT64_MAX)
                                                  : (type->is_signed() ? INT32_MAX : UINT32_MAX);
        if (t.value <= max) {
            auto e = node(ExprKind::IntLiteral, t.loc, type);
            e->value = t.value;
            return e;
        }
    }
    return error(t.loc, "integer constant is too large for its type");
}

// A string literal is an lvalue array of char with static storage (C11 6.4.5p6); its bytes go
// to rodata with their NUL.
LangResult<ExprPtr> Parser::string_literal(Token const& t)
{
    auto& program = m_program;
    constexpr std::uint64_t kMaxRodata = std::uint64_t(64) << 20;
    if (program.rodata.size() + t.text.size() + 1 > kMaxRodata)
        return error(t.loc, "too much string literal data");
    StringLiteralInfo info{.offset = program.rodata.size(), .size = t.text.size() + 1};
    program.rodata += t.text;
    program.rodata += '\0';
    program.strings.push_back(info);
    auto e = node(ExprKind::StringLiteral, t.loc, program.types.array_of(program.types.char_type(), info.size));
    e->string_index = std::uint32_t(program.strings.size() - 1);
    e->is_lvalue = true;
    return e;
}

LangResult<ExprPtr> Parser::call(ExprPtr callee, SourceLoc loc)
{
    std::string const name = callee->kind == ExprKind::Ident ? callee->decl->name : "";
    SourceLoc const at = callee->loc;
    callee = LANG_TRY(value(std::move(callee)));
    Type const* pointer = callee->type;
    if (!pointer->is_pointer() || !pointer->base->is_function())
        return error(at, name.empty() ? "called object is not a function or function pointer"
                                      : format("called object '{}' is not a function or function pointer", name));
    Type const* fn = pointer->base;
    std::string const shown = name.empty() ? "function pointer" : name;
    auto e = node(ExprKind::Call, loc, fn->base->unqualified, std::move(callee));
    std::size_t index = 0;
    if (!accept(")")) {
        do {
            SourceLoc const arg_loc = peek().loc;
            auto arg = LANG_TRY(assignment());
            if (index < fn->params.size()) {
                arg = LANG_TRY(assign_convert(std::move(arg), fn->params[index], arg_loc,
                    Conversion{ConversionContext::Argument, int(index + 1), shown}));
            } else if (fn->variadic == Variadic::Yes) {
                // Arguments matched by '...' get the default argument promotions (C11 6.5.2.2p7).
                arg = LANG_TRY(value(std::move(arg)));
                if (arg->type->is_void())
                    return error(arg_loc, "void value not ignored as it ought to be");
                arg = promote(std::move(arg));
            } else {
                return error(arg_loc, format("too many arguments to function '{}'", shown));
            }
            e->depth = std::max(e->depth, arg->depth + 1);
            e->args.push_back(std::move(arg));
            ++index;
        } while (accept(","));
        LANG_TRY(expect(")"));
    }
    if (index < fn->params.size())
        return error(at, format("too few arguments to function '{}'", shown));
    if (fn->base->is_struct() && !fn->base->is_complete())
        return error(at, format("calling '{}' with incomplete return type '{}'", shown, type_name(fn->base)));
    return e;
}

// s.m and p->m; p->m is built as (*p).m (C11 6.5.2.3p4).
LangResult<ExprPtr> Parser::member(ExprPtr object, SourceLoc loc, bool arrow)
{
    auto const* name = LANG_TRY(expect_identifier("a member name"));
    if (arrow) {
        object = LANG_TRY(value(std::move(object)));
        if (!object->type->is_pointer() || !object->type->base->is_struct())
            return error(loc, format("invalid type argument of '->' (have '{}')", type_name(object->type)));
        object = LANG_TRY(build_unary(UnaryOp::Deref, std::move(object), loc));
    }
    Type const* type = object->type;
    if (!type->is_struct())
        return error(loc, format("request for member '{}' in something not a structure", name->text));
    if (!type->is_complete())
        return error(loc, format("invalid use of undefined type '{}'", type_name(type)));
    Member const* m = type->record->find(name->text);
    if (!m)
        return error(name->loc, format("'{}' has no member named '{}'", type_name(type->unqualified), name->text));
    // A member of a const struct is const itself (C11 6.5.2.3p3).
    Type const* member_type = type->is_const() ? m_program.types.qualified(m->type, Qualifier::Const) : m->type;
    bool const lvalue = object->is_lvalue;
    auto e = node(ExprKind::Member, name->loc, member_type, std::move(object));
    e->member = m;
    e->is_lvalue = lvalue;
    return e;
}

LangResult<ExprPtr> Parser::constant_expression_value(std::int64_t& out, std::string_view what)
{
    SourceLoc const at = peek().loc;
    auto e = LANG_TRY(conditional());
    e = LANG_TRY(value(std::move(e)));
    auto const v = e->type->is_integer() ? const_int(*e) : std::nullopt;
    if (!v)
        return error(at, format("{} is not an integer constant expression", what));
    out = e->type->is_signed() ? std::int64_t(*v) : std::int64_t(*v);
    if (!e->type->is_signed() && *v > std::uint64_t(INT64_MAX))
        out = std::int64_t(*v);
    return e;
}

}  // namespace forklab::lang
