// Constant expressions (C11 6.6): integer constants for array sizes, case labels and enum
// values, and the address constants a static initializer may hold.
#include "lang/parser.h"

namespace forklab::lang {

// The value as the type holds it: cut to its width, then sign-extended to 64 bits if signed.
std::uint64_t Parser::truncate(std::uint64_t value, Type const* type) const
{
    if (type->kind == TypeKind::Bool)
        return value != 0;
    auto const size = type->is_integer() ? type->size : 8;
    if (size >= 8)
        return value;
    auto const bits = unsigned(size * 8);
    value &= (std::uint64_t(1) << bits) - 1;
    if (type->is_signed() && (value >> (bits - 1)) & 1)
        value |= ~((std::uint64_t(1) << bits) - 1);
    return value;
}

std::optional<std::uint64_t> Parser::const_int(Expr const& e) const
{
    Type const* type = e.type;
    switch (e.kind) {
    case ExprKind::IntLiteral:
        return truncate(e.value, type);
    case ExprKind::Cast:
    case ExprKind::ImplicitCast: {
        if (!type->is_integer() || !e.lhs->type->is_integer())
            return std::nullopt;
        auto const v = const_int(*e.lhs);
        return v ? std::optional(truncate(*v, type)) : std::nullopt;
    }
    case ExprKind::Unary: {
        auto const v = const_int(*e.lhs);
        if (!v)
            return std::nullopt;
        switch (e.unary_op) {
        case UnaryOp::Plus: return truncate(*v, type);
        case UnaryOp::Minus: return truncate(~*v + 1, type);
        case UnaryOp::BitNot: return truncate(~*v, type);
        case UnaryOp::LogicalNot: return *v == 0;
        default: return std::nullopt;
        }
    }
    case ExprKind::Conditional: {
        auto const c = e.lhs->type->is_integer() ? const_int(*e.lhs) : std::nullopt;
        if (!c)
            return std::nullopt;
        return const_int(*c ? *e.rhs : *e.third);
    }
    case ExprKind::Binary:
        break;
    default:
        return std::nullopt;
    }
    if (!e.lhs->type->is_integer() || !e.rhs->type->is_integer())
        return std::nullopt;
    auto const a = const_int(*e.lhs);
    if (!a)
        return std::nullopt;
    if (e.binary_op == BinaryOp::LogicalAnd && !*a)
        return 0;
    if (e.binary_op == BinaryOp::LogicalOr && *a)
        return 1;
    auto const b = const_int(*e.rhs);
    if (!b)
        return std::nullopt;
    // Comparisons are done in the operands' common type; arithmetic in the result's.
    Type const* operand = e.lhs->type;
    bool const is_signed = operand->is_signed();
    auto const sa = std::int64_t(*a);
    auto const sb = std::int64_t(*b);
    auto const bits = operand->size * 8;
    switch (e.binary_op) {
    case BinaryOp::Add: return truncate(*a + *b, type);
    case BinaryOp::Sub: return truncate(*a - *b, type);
    case BinaryOp::Mul: return truncate(*a * *b, type);
    case BinaryOp::Div:
    case BinaryOp::Mod:
        // Division by zero, and INT_MIN / -1, are undefined (C11 6.5.5p5-6): not constants.
        if (*b == 0 || (is_signed && sb == -1 && truncate(*a, type) == truncate(std::uint64_t(1) << (bits - 1), type)))
            return std::nullopt;
        if (is_signed)
            return truncate(std::uint64_t(e.binary_op == BinaryOp::Div ? sa / sb : sa % sb), type);
        return truncate(e.binary_op == BinaryOp::Div ? *a / *b : *a % *b, type);
    case BinaryOp::Shl:
    case BinaryOp::Shr:
        if (*b >= type->size * 8)
            return std::nullopt;
        if (e.binary_op == BinaryOp::Shl)
            return truncate(*a << *b, type);
        return truncate(type->is_signed() ? std::uint64_t(std::int64_t(*a) >> *b) : *a >> *b, type);
    case BinaryOp::BitAnd: return *a & *b;
    case BinaryOp::BitOr: return *a | *b;
    case BinaryOp::BitXor: return truncate(*a ^ *b, type);
    case BinaryOp::Lt: return is_signed ? sa < sb : *a < *b;
    case BinaryOp::Gt: return is_signed ? sa > sb : *a > *b;
    case BinaryOp::Le: return is_signed ? sa <= sb : *a <= *b;
    case BinaryOp::Ge: return is_signed ? sa >= sb : *a >= *b;
    case BinaryOp::Eq: return *a == *b;
    case BinaryOp::Ne: return *a != *b;
    case BinaryOp::LogicalAnd:
    case BinaryOp::LogicalOr: return *b != 0;
    default: return std::nullopt;
    }
}

// A static initializer's value: an integer constant, or an address constant (C11 6.6p7, p9).
std::optional<Parser::StaticValue> Parser::static_value(Expr const& e) const
{
    if (e.type->is_integer() || e.type->kind == TypeKind::Bool) {
        if (e.kind == ExprKind::ImplicitCast && e.cast_kind == CastKind::ToBool && e.lhs->type->is_pointer()) {
            auto const address = static_address(*e.lhs);
            if (address && address->target)
                return StaticValue{1, std::nullopt, nullptr};
            return address;
        }
        auto const v = const_int(e);
        if (!v)
            return std::nullopt;
        return StaticValue{*v, std::nullopt, nullptr};
    }
    if (e.type->is_pointer())
        return static_address(e);
    return std::nullopt;
}

std::optional<Parser::StaticValue> Parser::static_address(Expr const& e) const
{
    switch (e.kind) {
    case ExprKind::Cast:
    case ExprKind::ImplicitCast:
        switch (e.cast_kind) {
        case CastKind::None:
        case CastKind::PointerToPointer:
            return static_address(*e.lhs);
        case CastKind::NullToPointer: {
            auto const v = const_int(*e.lhs);
            return v ? std::optional(StaticValue{*v, std::nullopt, nullptr}) : std::nullopt;
        }
        case CastKind::ArrayToPointer:
            return lvalue_address(*e.lhs);
        case CastKind::FunctionToPointer:
            if (e.lhs->kind == ExprKind::Ident)
                return StaticValue{0, RelocationTarget::Function, e.lhs->decl};
            return std::nullopt;
        default:
            return std::nullopt;
        }
    case ExprKind::Unary:
        if (e.unary_op == UnaryOp::AddressOf) {
            if (e.lhs->type->is_function() && e.lhs->kind == ExprKind::Ident)
                return StaticValue{0, RelocationTarget::Function, e.lhs->decl};
            return lvalue_address(*e.lhs);
        }
        return std::nullopt;
    case ExprKind::Binary: {
        if (e.binary_op != BinaryOp::Add && e.binary_op != BinaryOp::Sub)
            return std::nullopt;
        bool const pointer_left = e.lhs->type->is_pointer();
        Expr const& pointer = pointer_left ? *e.lhs : *e.rhs;
        Expr const& offset = pointer_left ? *e.rhs : *e.lhs;
        if (!offset.type->is_integer())
            return std::nullopt;
        auto base = static_address(pointer);
        auto const n = const_int(offset);
        if (!base || !n)
            return std::nullopt;
        std::uint64_t const scale = pointer.type->base->is_void() ? 1 : pointer.type->base->size;
        std::uint64_t const delta = *n * scale;
        base->value = e.binary_op == BinaryOp::Add ? base->value + delta : base->value - delta;
        return base;
    }
    default:
        return std::nullopt;
    }
}

// The address of an lvalue with static storage: a global, a string literal, a member of one,
// or an element through *(array + constant).
std::optional<Parser::StaticValue> Parser::lvalue_address(Expr const& e) const
{
    switch (e.kind) {
    case ExprKind::Ident:
        if (e.decl->kind == DeclKind::Global || e.decl->kind == DeclKind::BuiltinVariable)
            return StaticValue{0, RelocationTarget::Global, e.decl};
        return std::nullopt;
    case ExprKind::StringLiteral:
        return StaticValue{m_program.strings[e.string_index].offset, RelocationTarget::Rodata, nullptr};
    case ExprKind::Member: {
        auto base = lvalue_address(*e.lhs);
        if (base)
            base->value += e.member->offset;
        return base;
    }
    case ExprKind::Unary:
        if (e.unary_op == UnaryOp::Deref)
            return static_address(*e.lhs);
        return std::nullopt;
    default:
        return std::nullopt;
    }
}

}  // namespace forklab::lang
