// The type rules of C's operators and conversions (C11 6.3, 6.5), for the parser to apply as
// it builds each node. Conversions become explicit ImplicitCast nodes.
#include "lang/parser.h"

#include "base/format.h"

namespace forklab::lang {

namespace {

std::string_view spelling(BinaryOp op)
{
    switch (op) {
    case BinaryOp::Mul: return "*";
    case BinaryOp::Div: return "/";
    case BinaryOp::Mod: return "%";
    case BinaryOp::Add: return "+";
    case BinaryOp::Sub: return "-";
    case BinaryOp::Shl: return "<<";
    case BinaryOp::Shr: return ">>";
    case BinaryOp::Lt: return "<";
    case BinaryOp::Gt: return ">";
    case BinaryOp::Le: return "<=";
    case BinaryOp::Ge: return ">=";
    case BinaryOp::Eq: return "==";
    case BinaryOp::Ne: return "!=";
    case BinaryOp::BitAnd: return "&";
    case BinaryOp::BitXor: return "^";
    case BinaryOp::BitOr: return "|";
    case BinaryOp::LogicalAnd: return "&&";
    case BinaryOp::LogicalOr: return "||";
    case BinaryOp::Comma: return ",";
    case BinaryOp::None: return "=";
    }
    return "?";
}

bool is_void_pointer(Type const* t) { return t->is_pointer() && t->base->is_void(); }

}  // namespace

ExprPtr Parser::node(ExprKind kind, SourceLoc loc, Type const* type, ExprPtr lhs, ExprPtr rhs, ExprPtr third)
{
    auto e = std::make_unique<Expr>();
    e->kind = kind;
    e->loc = loc;
    e->type = type;
    for (auto const* child : {lhs.get(), rhs.get(), third.get()}) {
        if (child)
            e->depth = std::max(e->depth, child->depth + 1);
    }
    e->lhs = std::move(lhs);
    e->rhs = std::move(rhs);
    e->third = std::move(third);
    return e;
}

LangResult<void> Parser::check_depth(Expr const& e)
{
    if (e.depth > kMaxExprDepth)
        return error(e.loc, "expression too complex");
    return {};
}

ExprPtr Parser::implicit_cast(ExprPtr e, Type const* to, CastKind kind)
{
    SourceLoc const loc = e->loc;
    auto cast = node(ExprKind::ImplicitCast, loc, to, std::move(e));
    cast->cast_kind = kind;
    return cast;
}

// Array-to-pointer and function-to-pointer conversion (C11 6.3.2.1p3-4). The result is not an
// lvalue; neither is any lvalue once it is used as a value (the back end loads it).
ExprPtr Parser::decay(ExprPtr e)
{
    auto& types = m_program.types;
    if (e->type->is_array()) {
        Type const* pointer = types.pointer_to(e->type->base);
        return implicit_cast(std::move(e), pointer, CastKind::ArrayToPointer);
    }
    if (e->type->is_function()) {
        Type const* pointer = types.pointer_to(e->type);
        return implicit_cast(std::move(e), pointer, CastKind::FunctionToPointer);
    }
    return e;
}

LangResult<ExprPtr> Parser::value(ExprPtr e) { return decay(std::move(e)); }

LangResult<ExprPtr> Parser::scalar_value(ExprPtr e, std::string_view what)
{
    SourceLoc const loc = e->loc;
    e = decay(std::move(e));
    if (e->type->is_void())
        return error(loc, "void value not ignored as it ought to be");
    if (!e->type->is_scalar())
        return error(loc, format("used {} type value where scalar is required (in '{}')", e->type->is_struct() ? "struct" : "non-scalar", what));
    return e;
}

// The integer promotions (C11 6.3.1.1p2): anything narrower than int becomes int.
ExprPtr Parser::promote(ExprPtr e)
{
    if (e->type->is_integer() && e->type->rank() < m_program.types.int_type()->rank())
        return implicit_cast(std::move(e), m_program.types.int_type(), CastKind::IntegerConversion);
    if (e->type->is_const() && e->type->is_scalar()) {
        Type const* plain = e->type->unqualified;
        return implicit_cast(std::move(e), plain, CastKind::None);
    }
    return e;
}

// The usual arithmetic conversions (C11 6.3.1.8p1), for integer types.
Type const* Parser::arithmetic_type(Type const* a, Type const* b) const
{
    auto& types = m_program.types;
    auto const promoted = [&](Type const* t) { return t->rank() < types.int_type()->rank() ? types.int_type() : t->unqualified; };
    a = promoted(a);
    b = promoted(b);
    if (a == b)
        return a;
    if (a->is_signed() == b->is_signed())
        return a->rank() >= b->rank() ? a : b;
    Type const* u = a->is_signed() ? b : a;
    Type const* s = a->is_signed() ? a : b;
    if (u->rank() >= s->rank())
        return u;
    if (s->size > u->size)
        return s;
    return types.to_unsigned(s);
}

ExprPtr Parser::convert(ExprPtr e, Type const* to)
{
    to = to->unqualified;
    Type const* from = e->type->unqualified;
    if (from == to)
        return e;
    CastKind kind = CastKind::IntegerConversion;
    if (to->is_void())
        kind = CastKind::ToVoid;
    else if (to->kind == TypeKind::Bool)
        kind = CastKind::ToBool;
    else if (to->is_pointer())
        kind = from->is_pointer() ? CastKind::PointerToPointer : CastKind::NullToPointer;
    else if (from->is_pointer())
        kind = CastKind::PointerToInteger;
    else if (to->is_struct())
        kind = CastKind::None;
    return implicit_cast(std::move(e), to, kind);
}

// A null pointer constant: an integer constant expression with the value 0, or one cast to
// void * (C11 6.3.2.3p3).
bool Parser::is_null_constant(Expr const& e) const
{
    if (e.type->is_integer())
        return const_int(e) == std::optional<std::uint64_t>(0);
    if (is_void_pointer(e.type) && (e.kind == ExprKind::Cast || e.kind == ExprKind::ImplicitCast)
        && e.cast_kind == CastKind::NullToPointer)
        return e.lhs->type->is_integer() && const_int(*e.lhs) == std::optional<std::uint64_t>(0);
    return false;
}

bool Parser::compatible(Type const* a, Type const* b) const { return a->unqualified == b->unqualified; }

std::string Parser::conversion_error(Conversion const& how, Type const* to, Type const* from, std::string_view problem) const
{
    auto const T = type_name(to);
    auto const F = type_name(from);
    std::string head;
    switch (how.context) {
    case ConversionContext::Assignment: head = format("assignment to '{}' from '{}'", T, F); break;
    case ConversionContext::Initialization: head = format("initialization of '{}' from '{}'", T, F); break;
    case ConversionContext::Argument: head = format("passing argument {} of '{}'", how.argument, how.function); break;
    case ConversionContext::Return: head = format("returning '{}' from a function with return type '{}'", F, T); break;
    }
    if (problem == "incompatible pointer") {
        switch (how.context) {
        case ConversionContext::Assignment: return format("assignment to '{}' from incompatible pointer type '{}'", T, F);
        case ConversionContext::Initialization: return format("initialization of '{}' from incompatible pointer type '{}'", T, F);
        case ConversionContext::Argument:
            return format("passing argument {} of '{}' from incompatible pointer type (expected '{}' but argument is of type '{}')", how.argument, how.function, T, F);
        case ConversionContext::Return: return format("returning '{}' from a function with incompatible return type '{}'", F, T);
        }
    }
    if (problem == "incompatible") {
        switch (how.context) {
        case ConversionContext::Assignment: return format("incompatible types when assigning to type '{}' from type '{}'", T, F);
        case ConversionContext::Initialization: return format("incompatible types when initializing type '{}' using type '{}'", T, F);
        case ConversionContext::Argument:
            return format("incompatible type for argument {} of '{}' (expected '{}' but argument is of type '{}')", how.argument, how.function, T, F);
        case ConversionContext::Return: return format("incompatible types when returning type '{}' but '{}' was expected", F, T);
        }
    }
    return format("{} {}", head, problem);
}

// Conversion as if by assignment (C11 6.5.16.1p1), for '=', initializers, arguments and
// return values. Dropping a qualifier ("const char *" to "char *") is accepted, as gcc does
// with a warning; everything gcc 14 rejects is an error here.
LangResult<ExprPtr> Parser::assign_convert(ExprPtr e, Type const* to, SourceLoc loc, Conversion const& how)
{
    to = to->unqualified;
    e = decay(std::move(e));
    Type const* from = e->type->unqualified;
    if (from->is_void())
        return error(loc, "void value not ignored as it ought to be");
    if (to->is_arithmetic() && from->is_arithmetic())
        return convert(std::move(e), to);
    if (to->kind == TypeKind::Bool && from->is_pointer())
        return convert(std::move(e), to);
    if (to->is_struct() || from->is_struct()) {
        if (to == from)
            return e;
        return error(loc, conversion_error(how, to, from, "incompatible"));
    }
    if (to->is_pointer()) {
        if (is_null_constant(*e))
            return convert(std::move(e), to);
        if (from->is_integer())
            return error(loc, conversion_error(how, to, from, "makes pointer from integer without a cast"));
        if (from->is_pointer()) {
            Type const* tp = to->base->unqualified;
            Type const* fp = from->base->unqualified;
            bool const ok = tp == fp || tp->is_void() || fp->is_void()
                || (tp->is_array() && fp->is_array() && tp->base == fp->base);
            if (!ok)
                return error(loc, conversion_error(how, to, from, "incompatible pointer"));
            return convert(std::move(e), to);
        }
    }
    if (to->is_integer() && from->is_pointer())
        return error(loc, conversion_error(how, to, from, "makes integer from pointer without a cast"));
    return error(loc, conversion_error(how, to, from, "incompatible"));
}

// The left operand of '=', '+=', '++': a modifiable lvalue (C11 6.3.2.1p1, 6.5.16p2).
LangResult<void> Parser::check_modifiable(Expr const& e, SourceLoc loc, std::string_view action)
{
    if (!e.is_lvalue) {
        if (action == "assignment")
            return error(loc, "lvalue required as left operand of assignment");
        return error(loc, format("lvalue required as {} operand", action));
    }
    if (e.type->is_array())
        return error(loc, format("{} to expression with array type", action));
    if (e.type->is_const()) {
        if (e.kind == ExprKind::Ident)
            return error(loc, format("{} of read-only variable '{}'", action, e.decl->name));
        if (e.kind == ExprKind::Member)
            return error(loc, format("{} of read-only member '{}'", action, e.member->name));
        return error(loc, format("{} of read-only location", action));
    }
    if (e.type->is_struct()) {
        for (auto const& m : e.type->record->members) {
            if (m.type->is_const())
                return error(loc, format("{} of read-only member '{}'", action, m.name));
        }
    }
    return {};
}

LangResult<ExprPtr> Parser::build_unary(UnaryOp op, ExprPtr operand, SourceLoc loc)
{
    auto& types = m_program.types;
    switch (op) {
    case UnaryOp::AddressOf: {
        // '&' takes an lvalue or a function designator, and does not decay it (C11 6.5.3.2p1).
        if (!operand->is_lvalue && !operand->type->is_function())
            return error(loc, "lvalue required as unary '&' operand");
        Type const* pointer = types.pointer_to(operand->type);
        auto e = node(ExprKind::Unary, loc, pointer, std::move(operand));
        e->unary_op = op;
        return e;
    }
    case UnaryOp::Deref: {
        operand = decay(std::move(operand));
        if (!operand->type->is_pointer())
            return error(loc, format("invalid type argument of unary '*' (have '{}')", type_name(operand->type)));
        Type const* target = operand->type->base;
        if (target->is_void())
            return error(loc, "dereferencing 'void *' pointer");
        auto e = node(ExprKind::Unary, loc, target, std::move(operand));
        e->unary_op = op;
        e->is_lvalue = !target->is_function();
        return e;
    }
    case UnaryOp::PreInc:
    case UnaryOp::PreDec:
    case UnaryOp::PostInc:
    case UnaryOp::PostDec: {
        bool const inc = op == UnaryOp::PreInc || op == UnaryOp::PostInc;
        LANG_TRY(check_modifiable(*operand, loc, inc ? "increment" : "decrement"));
        if (!operand->type->is_scalar())
            return error(loc, format("wrong type argument to {}", inc ? "increment" : "decrement"));
        if (operand->type->is_pointer() && !operand->type->base->is_complete() && !operand->type->base->is_void())
            return error(loc, format("{} of pointer to an incomplete type", inc ? "increment" : "decrement"));
        Type const* type = operand->type->unqualified;
        auto e = node(ExprKind::Unary, loc, type, std::move(operand));
        e->unary_op = op;
        return e;
    }
    case UnaryOp::LogicalNot: {
        operand = decay(std::move(operand));
        if (!operand->type->is_scalar())
            return error(loc, "wrong type argument to unary exclamation mark");
        auto e = node(ExprKind::Unary, loc, types.int_type(), std::move(operand));
        e->unary_op = op;
        return e;
    }
    case UnaryOp::Plus:
    case UnaryOp::Minus:
    case UnaryOp::BitNot: {
        operand = decay(std::move(operand));
        if (!operand->type->is_integer())
            return error(loc, format("wrong type argument to {}", op == UnaryOp::BitNot ? "bit-complement" : op == UnaryOp::Plus ? "unary plus" : "unary minus"));
        operand = promote(std::move(operand));
        Type const* type = operand->type;
        auto e = node(ExprKind::Unary, loc, type, std::move(operand));
        e->unary_op = op;
        return e;
    }
    }
    return error(loc, "unknown unary operator");
}

LangResult<ExprPtr> Parser::build_binary(BinaryOp op, ExprPtr lhs, ExprPtr rhs, SourceLoc loc)
{
    auto& types = m_program.types;
    auto const invalid = [&](Type const* a, Type const* b) {
        return error(loc, format("invalid operands to binary {} (have '{}' and '{}')", spelling(op), type_name(a), type_name(b)));
    };
    switch (op) {
    case BinaryOp::Comma: {
        rhs = decay(std::move(rhs));
        Type const* type = rhs->type;
        auto e = node(ExprKind::Binary, loc, type, std::move(lhs), std::move(rhs));
        e->binary_op = op;
        return e;
    }
    case BinaryOp::LogicalAnd:
    case BinaryOp::LogicalOr: {
        // Each operand is compared with 0; the result is an int 0 or 1 (C11 6.5.13-14).
        lhs = LANG_TRY(scalar_value(std::move(lhs), spelling(op)));
        rhs = LANG_TRY(scalar_value(std::move(rhs), spelling(op)));
        auto e = node(ExprKind::Binary, loc, types.int_type(), std::move(lhs), std::move(rhs));
        e->binary_op = op;
        return e;
    }
    case BinaryOp::Add:
    case BinaryOp::Sub:
        return build_additive(op, std::move(lhs), std::move(rhs), loc);
    case BinaryOp::Lt:
    case BinaryOp::Gt:
    case BinaryOp::Le:
    case BinaryOp::Ge:
    case BinaryOp::Eq:
    case BinaryOp::Ne:
        return build_comparison(op, std::move(lhs), std::move(rhs), loc);
    case BinaryOp::Shl:
    case BinaryOp::Shr: {
        // Each operand is promoted on its own; the result has the left one's type (C11 6.5.7p3).
        lhs = decay(std::move(lhs));
        rhs = decay(std::move(rhs));
        if (!lhs->type->is_integer() || !rhs->type->is_integer())
            return invalid(lhs->type, rhs->type);
        lhs = promote(std::move(lhs));
        rhs = promote(std::move(rhs));
        Type const* type = lhs->type;
        auto e = node(ExprKind::Binary, loc, type, std::move(lhs), std::move(rhs));
        e->binary_op = op;
        return e;
    }
    default: {
        lhs = decay(std::move(lhs));
        rhs = decay(std::move(rhs));
        if (!lhs->type->is_integer() || !rhs->type->is_integer())
            return invalid(lhs->type, rhs->type);
        Type const* type = arithmetic_type(lhs->type, rhs->type);
        lhs = convert(std::move(lhs), type);
        rhs = convert(std::move(rhs), type);
        auto e = node(ExprKind::Binary, loc, type, std::move(lhs), std::move(rhs));
        e->binary_op = op;
        return e;
    }
    }
}

// '+' and '-' on integers and pointers (C11 6.5.6). A pointer's integer operand is converted to
// long, and the back end scales it by the pointee's size (1 for void *, as GNU C does).
LangResult<ExprPtr> Parser::build_additive(BinaryOp op, ExprPtr lhs, ExprPtr rhs, SourceLoc loc)
{
    auto& types = m_program.types;
    lhs = decay(std::move(lhs));
    rhs = decay(std::move(rhs));
    Type const* a = lhs->type;
    Type const* b = rhs->type;
    auto const invalid = [&] {
        return error(loc, format("invalid operands to binary {} (have '{}' and '{}')", spelling(op), type_name(a), type_name(b)));
    };
    auto const check_pointee = [&](Type const* pointer) -> LangResult<void> {
        Type const* target = pointer->base;
        if (target->is_function())
            return error(loc, "arithmetic on a pointer to a function");
        if (!target->is_void() && !target->is_complete())
            return error(loc, format("arithmetic on a pointer to an incomplete type '{}'", type_name(target)));
        return {};
    };
    ExprPtr e;
    if (a->is_integer() && b->is_integer()) {
        Type const* type = arithmetic_type(a, b);
        e = node(ExprKind::Binary, loc, type, convert(std::move(lhs), type), convert(std::move(rhs), type));
    } else if (a->is_pointer() && b->is_integer()) {
        LANG_TRY(check_pointee(a));
        e = node(ExprKind::Binary, loc, a->unqualified, std::move(lhs), convert(std::move(rhs), types.long_type()));
    } else if (op == BinaryOp::Add && a->is_integer() && b->is_pointer()) {
        LANG_TRY(check_pointee(b));
        e = node(ExprKind::Binary, loc, b->unqualified, convert(std::move(lhs), types.long_type()), std::move(rhs));
    } else if (op == BinaryOp::Sub && a->is_pointer() && b->is_pointer()) {
        // The difference of two pointers into one array counts elements, as a ptrdiff_t.
        if (a->base->unqualified != b->base->unqualified)
            return invalid();
        LANG_TRY(check_pointee(a));
        e = node(ExprKind::Binary, loc, types.long_type(), std::move(lhs), std::move(rhs));
    } else {
        return invalid();
    }
    e->binary_op = op;
    return e;
}

LangResult<ExprPtr> Parser::build_comparison(BinaryOp op, ExprPtr lhs, ExprPtr rhs, SourceLoc loc)
{
    auto& types = m_program.types;
    lhs = decay(std::move(lhs));
    rhs = decay(std::move(rhs));
    Type const* a = lhs->type;
    Type const* b = rhs->type;
    bool const equality = op == BinaryOp::Eq || op == BinaryOp::Ne;
    if (a->is_integer() && b->is_integer()) {
        Type const* type = arithmetic_type(a, b);
        lhs = convert(std::move(lhs), type);
        rhs = convert(std::move(rhs), type);
    } else if (a->is_pointer() && b->is_pointer()) {
        bool const same = a->base->unqualified == b->base->unqualified;
        bool const via_void = equality && (a->base->is_void() || b->base->is_void());
        if (!same && !via_void)
            return error(loc, format("comparison of distinct pointer types ('{}' and '{}')", type_name(a), type_name(b)));
    } else if (a->is_pointer() && is_null_constant(*rhs)) {
        rhs = convert(std::move(rhs), a);
    } else if (b->is_pointer() && is_null_constant(*lhs)) {
        lhs = convert(std::move(lhs), b);
    } else if ((a->is_pointer() && b->is_integer()) || (a->is_integer() && b->is_pointer())) {
        return error(loc, "comparison between pointer and integer");
    } else {
        return error(loc, format("invalid operands to binary {} (have '{}' and '{}')", spelling(op), type_name(a), type_name(b)));
    }
    auto e = node(ExprKind::Binary, loc, types.int_type(), std::move(lhs), std::move(rhs));
    e->binary_op = op;
    return e;
}

LangResult<ExprPtr> Parser::build_assign(BinaryOp op, ExprPtr lhs, ExprPtr rhs, SourceLoc loc)
{
    auto& types = m_program.types;
    LANG_TRY(check_modifiable(*lhs, loc, "assignment"));
    Type const* target = lhs->type->unqualified;
    Type const* compute = nullptr;
    if (op == BinaryOp::None) {
        SourceLoc const at = rhs->loc;
        rhs = LANG_TRY(assign_convert(std::move(rhs), target, at, Conversion{}));
    } else {
        rhs = decay(std::move(rhs));
        auto const invalid = [&] {
            return error(loc, format("invalid operands to binary {}= (have '{}' and '{}')", spelling(op), type_name(target), type_name(rhs->type)));
        };
        if (target->is_pointer() && (op == BinaryOp::Add || op == BinaryOp::Sub) && rhs->type->is_integer()) {
            if (!target->base->is_void() && !target->base->is_complete())
                return error(loc, format("arithmetic on a pointer to an incomplete type '{}'", type_name(target->base)));
            compute = target;
            rhs = convert(std::move(rhs), types.long_type());
        } else if (!target->is_integer() || !rhs->type->is_integer()) {
            return invalid();
        } else if (op == BinaryOp::Shl || op == BinaryOp::Shr) {
            compute = target->rank() < types.int_type()->rank() ? types.int_type() : target;
            rhs = promote(std::move(rhs));
        } else {
            compute = arithmetic_type(target, rhs->type);
            rhs = convert(std::move(rhs), compute);
        }
    }
    auto e = node(ExprKind::Assign, loc, target, std::move(lhs), std::move(rhs));
    e->binary_op = op;
    e->compute_type = compute;
    return e;
}

// cond ? a : b (C11 6.5.15): both arithmetic, both the same struct, both void, or pointers.
LangResult<ExprPtr> Parser::build_conditional(ExprPtr cond, ExprPtr then, ExprPtr otherwise, SourceLoc loc)
{
    cond = LANG_TRY(scalar_value(std::move(cond), "?:"));
    then = decay(std::move(then));
    otherwise = decay(std::move(otherwise));
    Type const* a = then->type->unqualified;
    Type const* b = otherwise->type->unqualified;
    Type const* type = nullptr;
    if (a->is_integer() && b->is_integer()) {
        type = arithmetic_type(a, b);
    } else if ((a->is_void() && b->is_void()) || (a->is_struct() && a == b)) {
        type = a;
    } else if (a->is_pointer() && is_null_constant(*otherwise)) {
        type = a;
    } else if (b->is_pointer() && is_null_constant(*then)) {
        type = b;
    } else if (a->is_pointer() && b->is_pointer()) {
        if (a->base->unqualified == b->base->unqualified)
            type = a->base->is_const() ? a : b;
        else if (a->base->is_void() || b->base->is_void())
            type = a->base->is_void() ? a : b;
        else
            return error(loc, "pointer type mismatch in conditional expression");
    } else {
        return error(loc, "type mismatch in conditional expression");
    }
    then = convert(std::move(then), type);
    otherwise = convert(std::move(otherwise), type);
    return node(ExprKind::Conditional, loc, type, std::move(cond), std::move(then), std::move(otherwise));
}

// (type) expr (C11 6.5.4): to void, or between scalar types.
LangResult<ExprPtr> Parser::build_cast(Type const* to, ExprPtr e, SourceLoc loc)
{
    to = to->unqualified;
    CastKind kind = CastKind::None;
    e = decay(std::move(e));
    Type const* from = e->type->unqualified;
    if (to->is_void()) {
        kind = CastKind::ToVoid;
    } else if (to->is_array()) {
        return error(loc, "cast specifies array type");
    } else if (to->is_function()) {
        return error(loc, "cast specifies function type");
    } else if (!to->is_scalar()) {
        return error(loc, "conversion to non-scalar type requested");
    } else if (from->is_void()) {
        return error(loc, "void value not ignored as it ought to be");
    } else if (!from->is_scalar()) {
        return error(loc, format("aggregate value used where {} was expected", to->is_pointer() ? "a pointer" : "an integer"));
    } else if (to == from) {
        kind = CastKind::None;
    } else if (to->kind == TypeKind::Bool) {
        kind = CastKind::ToBool;
    } else if (to->is_pointer()) {
        kind = from->is_pointer() ? CastKind::PointerToPointer : CastKind::NullToPointer;
    } else {
        kind = from->is_pointer() ? CastKind::PointerToInteger : CastKind::IntegerConversion;
    }
    auto cast = node(ExprKind::Cast, loc, to, std::move(e));
    cast->cast_kind = kind;
    return cast;
}

LangResult<ExprPtr> Parser::build_index(ExprPtr base, ExprPtr index, SourceLoc loc)
{
    base = decay(std::move(base));
    index = decay(std::move(index));
    if (base->type->is_integer() && index->type->is_pointer())
        std::swap(base, index);  // i[a] is a[i] (C11 6.5.2.1p2).
    if (!base->type->is_pointer())
        return error(loc, "subscripted value is neither array nor pointer");
    if (!index->type->is_integer())
        return error(loc, "array subscript is not an integer");
    auto sum = LANG_TRY(build_additive(BinaryOp::Add, std::move(base), std::move(index), loc));
    return build_unary(UnaryOp::Deref, std::move(sum), loc);
}

}  // namespace forklab::lang
