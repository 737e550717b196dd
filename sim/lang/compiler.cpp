// The bytecode compiler: one walk over the checked tree per function, emitting a stack machine's
// code (lang/bytecode.h). The tree already says every conversion, every lvalue and every
// scaled operand's type, so each node is a few instructions.
#include "lang/compiler.h"

#include "base/format.h"
#include "mm/mm_struct.h"

#include <cstring>
#include <map>
#include <unordered_map>

namespace forklab::lang {

namespace {

Norm norm_of(Type const* type)
{
    switch (type->kind) {
    case TypeKind::Bool: return Norm::Bool;
    case TypeKind::Char:
    case TypeKind::SChar: return Norm::S8;
    case TypeKind::UChar: return Norm::U8;
    case TypeKind::Short: return Norm::S16;
    case TypeKind::UShort: return Norm::U16;
    case TypeKind::Int: return Norm::S32;
    case TypeKind::UInt: return Norm::U32;
    default: return Norm::None;
    }
}

bool is_signed_type(Type const* type) { return type->is_integer() && type->is_signed(); }

Op binary_opcode(BinaryOp op)
{
    switch (op) {
    case BinaryOp::Mul: return Op::Mul;
    case BinaryOp::Div: return Op::Div;
    case BinaryOp::Mod: return Op::Mod;
    case BinaryOp::Add: return Op::Add;
    case BinaryOp::Sub: return Op::Sub;
    case BinaryOp::Shl: return Op::Shl;
    case BinaryOp::Shr: return Op::Shr;
    case BinaryOp::Lt: return Op::Lt;
    case BinaryOp::Gt: return Op::Gt;
    case BinaryOp::Le: return Op::Le;
    case BinaryOp::Ge: return Op::Ge;
    case BinaryOp::Eq: return Op::Eq;
    case BinaryOp::Ne: return Op::Ne;
    case BinaryOp::BitAnd: return Op::And;
    case BinaryOp::BitXor: return Op::Xor;
    case BinaryOp::BitOr: return Op::Or;
    default: return Op::Push;
    }
}

std::uint64_t pointee_size(Type const* pointer)
{
    Type const* base = pointer->base;
    return (base && base->size) ? base->size : 1;  // void* arithmetic steps by 1 (GNU C).
}

}  // namespace

class Compiler {
public:
    Compiler(Program& program, SourceFile const* source) : m_program(program), m_source(source) {}

    LangResult<std::shared_ptr<CompiledProgram const>> run();

private:
    // Layout and the runtime's variables.
    void lay_out_sections();
    void place_runtime_variables();
    std::uint64_t global_address(Decl const& decl) const;
    std::uint64_t function_address(Decl const& decl);
    std::uint32_t builtin_id(Decl const& decl);
    void apply_relocations();

    // Code.
    LangResult<void> compile_function(Function const& fn);
    LangResult<void> stmt(Stmt const& s);
    LangResult<void> loop(Stmt const& s);
    LangResult<void> switch_stmt(Stmt const& s);
    LangResult<void> local_decl(Decl const& decl);
    LangResult<void> value(Expr const& e);
    LangResult<void> address(Expr const& e);
    LangResult<void> unary(Expr const& e);
    LangResult<void> binary(Expr const& e);
    LangResult<void> arithmetic(BinaryOp op, Type const* type, Type const* lhs_type, Type const* rhs_type);
    LangResult<void> assign(Expr const& e);
    LangResult<void> call(Expr const& e);
    LangResult<void> cast(Expr const& e);
    LangResult<void> load(Type const* type);
    void emit_stmt(SourceLoc loc);
    std::size_t emit(Op op, std::uint8_t a = 0, std::uint16_t b = 0, std::int32_t c = 0, std::int64_t imm = 0);
    std::size_t here() const { return m_code.size(); }
    void patch(std::size_t at, std::size_t target) { m_code[at].imm = std::int64_t(target); }
    std::unexpected<Diagnostic> unsupported(SourceLoc loc, std::string what);

    Program& m_program;
    SourceFile const* m_source;
    std::shared_ptr<CompiledProgram> m_out = std::make_shared<CompiledProgram>();
    std::vector<Insn> m_code;
    SectionAddresses m_at;
    std::unordered_map<Decl const*, std::uint32_t> m_entries;              // Function -> entry index.
    std::vector<std::pair<std::size_t, Decl const*>> m_call_fixups;         // Call/Push of a function.
    std::unordered_map<Decl const*, std::uint32_t> m_builtin_ids;
    std::unordered_map<Decl const*, std::uint32_t> m_builtin_stubs;
    std::unordered_map<Decl const*, std::uint64_t> m_runtime_vars;
    std::uint64_t m_libc_data = 0;  // Offset in bss of the library's static data.

    // Per function.
    Function const* m_fn = nullptr;
    struct Jumps {
        std::vector<std::size_t> breaks, continues;
    };
    std::map<Stmt const*, Jumps> m_jumps;
    std::map<Stmt const*, std::size_t> m_labels;
    std::vector<std::pair<std::size_t, Stmt const*>> m_gotos;
    std::map<Stmt const*, std::size_t> m_case_at;
};

std::unexpected<Diagnostic> Compiler::unsupported(SourceLoc loc, std::string what)
{
    SourceFile const fallback(m_out->m_path, "");
    return fail(m_source ? *m_source : fallback, loc, std::move(what) + " is not supported yet");
}

std::size_t Compiler::emit(Op op, std::uint8_t a, std::uint16_t b, std::int32_t c, std::int64_t imm)
{
    m_code.push_back(Insn{op, a, b, c, imm});
    return m_code.size() - 1;
}

void Compiler::emit_stmt(SourceLoc loc)
{
    LineCol lc{0, 0};
    if (m_source)
        lc = m_source->line_col(loc);
    emit(Op::Stmt, 0, std::uint16_t(std::min(lc.column, 0xffff)), lc.line, loc.offset);
}

// ---- Layout --------------------------------------------------------------------------------

// The sections' addresses follow MmStruct::from_image(): each starts on a page of its own, and
// an empty section still takes one page. Text's size is known once the code is emitted.
void Compiler::lay_out_sections()
{
    auto span = [](std::uint64_t n) { return page_ceil(std::max<std::uint64_t>(n, 1)); };
    m_at.text = CompiledProgram::kTextBaseAddress;
    m_at.rodata = m_at.text + span(m_code.size() * kInsnSize);
    m_at.data = m_at.rodata + span(m_program.rodata.size());
    m_at.bss = m_at.data + span(m_program.data.size());
}

// errno and the other library objects live in bss after the program's own variables, so each
// process has its own copy, copied on write by fork like any global -- but on a page of their
// own, as glibc's live in libc's own data segment: a printf in the child must not copy the page
// of the program's globals.
void Compiler::place_runtime_variables()
{
    std::uint64_t end = page_ceil(m_program.bss_size);
    for (Decl const* d : m_program.builtins) {
        if (d->kind != DeclKind::BuiltinVariable)
            continue;
        m_runtime_vars[d] = end;
        end += 8;
    }
    end = (end + 15) & ~std::uint64_t(15);
    m_libc_data = end;
    m_program.bss_size = end + RuntimeVariables::kLibcDataSize;
}

std::uint64_t Compiler::global_address(Decl const& decl) const
{
    if (decl.kind == DeclKind::BuiltinVariable)
        return m_at.bss + m_runtime_vars.at(&decl);
    return (decl.section == Section::Data ? m_at.data : m_at.bss) + decl.offset;
}

std::uint32_t Compiler::builtin_id(Decl const& decl)
{
    auto [it, added] = m_builtin_ids.try_emplace(&decl, std::uint32_t(m_out->m_builtin_names.size()));
    if (added)
        m_out->m_builtin_names.push_back(decl.name);
    return it->second;
}

// A library function's address is a two-instruction stub in text, made the first time the
// program takes its address.
std::uint64_t Compiler::function_address(Decl const& decl)
{
    if (decl.kind == DeclKind::Builtin) {
        auto it = m_builtin_stubs.find(&decl);
        if (it == m_builtin_stubs.end()) {
            std::uint32_t const at = std::uint32_t(emit(Op::BuiltinStub, 0, 0, std::int32_t(builtin_id(decl))));
            it = m_builtin_stubs.emplace(&decl, at).first;
        }
        return CompiledProgram::address_of(it->second);
    }
    return CompiledProgram::address_of(m_entries.at(&decl));
}

void Compiler::apply_relocations()
{
    for (Relocation const& r : m_program.relocations) {
        std::uint64_t target = 0;
        switch (r.target) {
        case RelocationTarget::Rodata: target = m_at.rodata + std::uint64_t(r.addend); break;
        case RelocationTarget::Global: target = global_address(*r.decl) + std::uint64_t(r.addend); break;
        case RelocationTarget::Function: target = function_address(*r.decl) + std::uint64_t(r.addend); break;
        }
        std::memcpy(m_program.data.data() + r.offset, &target, sizeof target);
    }
}

// ---- Statements ----------------------------------------------------------------------------

LangResult<void> Compiler::compile_function(Function const& fn)
{
    m_fn = &fn;
    m_jumps.clear();
    m_labels.clear();
    m_gotos.clear();
    m_entries[fn.decl] = std::uint32_t(here());
    m_out->m_functions.push_back(FunctionInfo{fn.decl->name, std::uint32_t(here()), std::uint32_t(fn.params.size())});
    emit(Op::Enter, 0, 0, std::int32_t(m_out->m_functions.size() - 1), std::int64_t(fn.frame_size));
    // The caller pushed the arguments in order; the last one is on top.
    for (auto it = fn.params.rbegin(); it != fn.params.rend(); ++it) {
        Decl const& p = **it;
        if (p.type->is_struct())
            return unsupported(p.loc, "passing a struct by value");
        emit(Op::StoreLocal, 0, 0, std::int32_t(p.type->size), std::int64_t(p.offset) - std::int64_t(fn.frame_size));
    }
    LANG_TRY(stmt(*fn.body));
    // Falling off the end returns (C11 6.9.1p12); from main it returns 0 (5.1.2.2.3).
    emit_stmt(fn.body->loc);
    if (fn.decl == m_program.main) {
        emit(Op::Push);
        emit(Op::Ret, 1);
    } else {
        emit(Op::Ret, 0);
    }
    for (auto [at, target] : m_gotos)
        patch(at, m_labels.at(target));
    return {};
}

LangResult<void> Compiler::stmt(Stmt const& s)
{
    switch (s.kind) {
    case StmtKind::Compound:
        for (auto const& child : s.children)
            LANG_TRY(stmt(*child));
        return {};
    case StmtKind::Expr:
        emit_stmt(s.loc);
        LANG_TRY(value(*s.expr));
        emit(Op::Pop);
        return {};
    case StmtKind::Decl:
        for (Decl const* d : s.decls)
            if (d->kind == DeclKind::Local && !d->init.empty()) {
                emit_stmt(d->loc);
                LANG_TRY(local_decl(*d));
            }
        return {};
    case StmtKind::If: {
        emit_stmt(s.loc);
        LANG_TRY(value(*s.expr));
        std::size_t const to_else = emit(Op::Jz);
        LANG_TRY(stmt(*s.body));
        if (!s.else_body) {
            patch(to_else, here());
            return {};
        }
        std::size_t const to_end = emit(Op::Jmp);
        patch(to_else, here());
        LANG_TRY(stmt(*s.else_body));
        patch(to_end, here());
        return {};
    }
    case StmtKind::While:
    case StmtKind::DoWhile:
    case StmtKind::For:
        return loop(s);
    case StmtKind::Switch:
        return switch_stmt(s);
    case StmtKind::Case:
    case StmtKind::Default:
        m_case_at[&s] = here();
        return stmt(*s.body);
    case StmtKind::Break:
        emit_stmt(s.loc);
        m_jumps[s.target].breaks.push_back(emit(Op::Jmp));
        return {};
    case StmtKind::Continue:
        emit_stmt(s.loc);
        m_jumps[s.target].continues.push_back(emit(Op::Jmp));
        return {};
    case StmtKind::Return:
        emit_stmt(s.loc);
        if (s.expr) {
            if (s.expr->type->is_struct())
                return unsupported(s.loc, "returning a struct");
            LANG_TRY(value(*s.expr));
        }
        emit(Op::Ret, s.expr ? 1 : 0);
        return {};
    case StmtKind::Goto:
        emit_stmt(s.loc);
        m_gotos.emplace_back(emit(Op::Jmp), s.target);
        return {};
    case StmtKind::Label:
        m_labels[&s] = here();
        return stmt(*s.body);
    case StmtKind::Empty:
        return {};
    }
    return {};
}

// Every evaluation of a loop's condition is a step of its own, even when there is no condition
// to evaluate, so that `for (;;);` takes steps and a step budget can stop it.
LangResult<void> Compiler::loop(Stmt const& s)
{
    if (s.kind == StmtKind::For && s.init)
        LANG_TRY(stmt(*s.init));
    std::size_t const top = here();
    std::size_t exit_jump = SIZE_MAX;
    auto condition = [&]() -> LangResult<void> {
        emit_stmt(s.expr ? s.expr->loc : s.loc);
        if (s.expr) {
            LANG_TRY(value(*s.expr));
            exit_jump = emit(Op::Jz);
        }
        return {};
    };
    std::size_t continue_at = 0;
    if (s.kind == StmtKind::DoWhile) {
        LANG_TRY(stmt(*s.body));
        continue_at = here();
        emit_stmt(s.expr->loc);
        LANG_TRY(value(*s.expr));
        emit(Op::Jnz, 0, 0, 0, std::int64_t(top));
    } else {
        LANG_TRY(condition());
        LANG_TRY(stmt(*s.body));
        continue_at = here();
        if (s.kind == StmtKind::For && s.step) {
            emit_stmt(s.step->loc);
            LANG_TRY(value(*s.step));
            emit(Op::Pop);
        }
        emit(Op::Jmp, 0, 0, 0, std::int64_t(top));
    }
    std::size_t const end = here();
    if (exit_jump != SIZE_MAX)
        patch(exit_jump, end);
    for (std::size_t at : m_jumps[&s].breaks)
        patch(at, end);
    for (std::size_t at : m_jumps[&s].continues)
        patch(at, continue_at);
    return {};
}

// A chain of Case tests, then the body; the controlling value is already promoted.
LangResult<void> Compiler::switch_stmt(Stmt const& s)
{
    emit_stmt(s.loc);
    LANG_TRY(value(*s.expr));
    std::vector<std::pair<std::size_t, Stmt const*>> tests;
    Stmt const* default_stmt = nullptr;
    for (Stmt const* c : s.cases) {
        if (c->kind == StmtKind::Default)
            default_stmt = c;
        else
            tests.emplace_back(emit(Op::Case, 0, 0, 0, c->case_value), c);
    }
    emit(Op::Pop);
    std::size_t const no_match = emit(Op::Jmp);
    LANG_TRY(stmt(*s.body));
    std::size_t const end = here();
    for (auto [at, c] : tests)
        m_code[at].c = std::int32_t(m_case_at.at(c));
    patch(no_match, default_stmt ? m_case_at.at(default_stmt) : end);
    for (std::size_t at : m_jumps[&s].breaks)
        patch(at, end);
    return {};
}

// A local's initializer: the whole object zeroed, then each entry stored (C11 6.7.9p10, p21).
LangResult<void> Compiler::local_decl(Decl const& decl)
{
    std::int64_t const at = std::int64_t(decl.offset) - std::int64_t(m_fn->frame_size);
    bool const single_scalar = decl.init.size() == 1 && decl.init[0].offset == 0 && decl.init[0].type->is_scalar() &&
        decl.init[0].type->size == decl.type->size;
    if (!single_scalar) {
        emit(Op::AddrLocal, 0, 0, 0, at);
        emit(Op::Zero, 0, 0, 0, std::int64_t(decl.type->size));
    }
    for (InitEntry const& e : decl.init) {
        std::int64_t const where = at + std::int64_t(e.offset);
        if (e.type->is_array() && e.value->kind == ExprKind::StringLiteral) {
            StringLiteralInfo const& lit = m_program.strings[e.value->string_index];
            emit(Op::AddrLocal, 0, 0, 0, where);
            emit(Op::Push, 0, 0, 0, std::int64_t(m_at.rodata + lit.offset));
            emit(Op::Copy, 0, 0, 0, std::int64_t(std::min(lit.size, e.type->size)));
            continue;
        }
        if (e.type->is_struct()) {
            emit(Op::AddrLocal, 0, 0, 0, where);
            LANG_TRY(address(*e.value));
            emit(Op::Copy, 0, 0, 0, std::int64_t(e.type->size));
            continue;
        }
        LANG_TRY(value(*e.value));
        emit(Op::StoreLocal, 0, 0, std::int32_t(e.type->size), where);
    }
    return {};
}

// ---- Expressions: each leaves exactly one value on the operand stack (0 for void) ----------

LangResult<void> Compiler::load(Type const* type)
{
    if (type->is_struct() || type->is_array() || type->is_function())
        return {};  // An aggregate's "value" is its address; only Copy reads it.
    emit(Op::Load, std::uint8_t(norm_of(type)), 0, std::int32_t(type->size));
    return {};
}

LangResult<void> Compiler::address(Expr const& e)
{
    switch (e.kind) {
    case ExprKind::Ident: {
        Decl const& d = *e.decl;
        if (d.kind == DeclKind::Local || d.kind == DeclKind::Param)
            emit(Op::AddrLocal, 0, 0, 0, std::int64_t(d.offset) - std::int64_t(m_fn->frame_size));
        else if (d.kind == DeclKind::Function || d.kind == DeclKind::Builtin) {
            if (d.kind == DeclKind::Function && !d.function)
                return unsupported(e.loc, format("calling '{}', which is declared but never defined,", d.name));
            if (d.kind == DeclKind::Function)
                m_call_fixups.emplace_back(emit(Op::Push), &d);
            else
                emit(Op::Push, 0, 0, 0, std::int64_t(function_address(d)));
        } else
            emit(Op::Push, 0, 0, 0, std::int64_t(global_address(d)));
        return {};
    }
    case ExprKind::StringLiteral:
        emit(Op::Push, 0, 0, 0, std::int64_t(m_at.rodata + m_program.strings[e.string_index].offset));
        return {};
    case ExprKind::Unary:
        if (e.unary_op == UnaryOp::Deref)
            return value(*e.lhs);
        break;
    case ExprKind::Member:
        LANG_TRY(address(*e.lhs));
        if (e.member->offset)
            emit(Op::Push, 0, 0, 0, std::int64_t(e.member->offset)), emit(Op::Add);
        return {};
    default:
        break;
    }
    return unsupported(e.loc, "taking the address of this expression");
}

LangResult<void> Compiler::value(Expr const& e)
{
    switch (e.kind) {
    case ExprKind::IntLiteral:
        emit(Op::Push, 0, 0, 0, std::int64_t(e.value));
        return {};
    case ExprKind::StringLiteral:
    case ExprKind::Member:
        LANG_TRY(address(e));
        return load(e.type);
    case ExprKind::Ident: {
        Decl const& d = *e.decl;
        if (d.kind == DeclKind::EnumConstant) {
            emit(Op::Push, 0, 0, 0, d.enum_value);
            return {};
        }
        if ((d.kind == DeclKind::Local || d.kind == DeclKind::Param) && e.type->is_scalar()) {
            emit(Op::LoadLocal, std::uint8_t(norm_of(e.type)), 0, std::int32_t(e.type->size),
                std::int64_t(d.offset) - std::int64_t(m_fn->frame_size));
            return {};
        }
        LANG_TRY(address(e));
        return load(e.type);
    }
    case ExprKind::Unary: return unary(e);
    case ExprKind::Binary: return binary(e);
    case ExprKind::Assign: return assign(e);
    case ExprKind::Conditional: {
        LANG_TRY(value(*e.lhs));
        std::size_t const to_else = emit(Op::Jz);
        LANG_TRY(value(*e.rhs));
        std::size_t const to_end = emit(Op::Jmp);
        patch(to_else, here());
        LANG_TRY(value(*e.third));
        patch(to_end, here());
        return {};
    }
    case ExprKind::Call: return call(e);
    case ExprKind::Cast:
    case ExprKind::ImplicitCast: return cast(e);
    }
    return {};
}

LangResult<void> Compiler::cast(Expr const& e)
{
    switch (e.cast_kind) {
    case CastKind::ArrayToPointer:
    case CastKind::FunctionToPointer:
        return address(*e.lhs);
    case CastKind::ToVoid:
    case CastKind::None:
    case CastKind::PointerToPointer:
    case CastKind::NullToPointer:
    case CastKind::PointerToInteger:
        LANG_TRY(value(*e.lhs));
        if (e.type->is_integer() && norm_of(e.type) != Norm::None)
            emit(Op::Conv, std::uint8_t(norm_of(e.type)));
        return {};
    case CastKind::ToBool:
        LANG_TRY(value(*e.lhs));
        emit(Op::Conv, std::uint8_t(Norm::Bool));
        return {};
    case CastKind::IntegerConversion:
        LANG_TRY(value(*e.lhs));
        if (norm_of(e.type) != Norm::None || is_signed_type(e.lhs->type) != is_signed_type(e.type))
            emit(Op::Conv, std::uint8_t(norm_of(e.type)));
        return {};
    }
    return {};
}

LangResult<void> Compiler::unary(Expr const& e)
{
    Norm const n = norm_of(e.type);
    switch (e.unary_op) {
    case UnaryOp::Plus: return value(*e.lhs);
    case UnaryOp::Minus: LANG_TRY(value(*e.lhs)); emit(Op::Neg, std::uint8_t(n)); return {};
    case UnaryOp::BitNot: LANG_TRY(value(*e.lhs)); emit(Op::Not, std::uint8_t(n)); return {};
    case UnaryOp::LogicalNot: LANG_TRY(value(*e.lhs)); emit(Op::LogNot); return {};
    case UnaryOp::Deref: LANG_TRY(value(*e.lhs)); return load(e.type);
    case UnaryOp::AddressOf: return address(*e.lhs);
    case UnaryOp::PreInc:
    case UnaryOp::PreDec:
    case UnaryOp::PostInc:
    case UnaryOp::PostDec: {
        Type const* t = e.lhs->type;
        std::int64_t step = t->is_pointer() ? std::int64_t(pointee_size(t)) : 1;
        if (e.unary_op == UnaryOp::PreDec || e.unary_op == UnaryOp::PostDec)
            step = -step;
        bool const post = e.unary_op == UnaryOp::PostInc || e.unary_op == UnaryOp::PostDec;
        LANG_TRY(address(*e.lhs));
        emit(Op::IncDec, std::uint8_t(norm_of(t)), post ? 1 : 0, std::int32_t(t->size), step);
        return {};
    }
    }
    return {};
}

LangResult<void> Compiler::binary(Expr const& e)
{
    BinaryOp const op = e.binary_op;
    if (op == BinaryOp::Comma) {
        LANG_TRY(value(*e.lhs));
        emit(Op::Pop);
        return value(*e.rhs);
    }
    if (op == BinaryOp::LogicalAnd || op == BinaryOp::LogicalOr) {
        LANG_TRY(value(*e.lhs));
        emit(Op::Conv, std::uint8_t(Norm::Bool));
        std::size_t const skip = emit(op == BinaryOp::LogicalAnd ? Op::JzKeep : Op::JnzKeep);
        LANG_TRY(value(*e.rhs));
        emit(Op::Conv, std::uint8_t(Norm::Bool));
        patch(skip, here());
        return {};
    }
    LANG_TRY(value(*e.lhs));
    LANG_TRY(value(*e.rhs));
    return arithmetic(op, e.type, e.lhs->type, e.rhs->type);
}

// The operation on the two values on the stack. For comparisons the operands' type decides
// the signedness; for pointer arithmetic the integer side is scaled by the pointee's size.
LangResult<void> Compiler::arithmetic(BinaryOp op, Type const* type, Type const* lhs_type, Type const* rhs_type)
{
    Op const code = binary_opcode(op);
    if (code == Op::Lt || code == Op::Gt || code == Op::Le || code == Op::Ge || code == Op::Eq || code == Op::Ne) {
        emit(code, 0, is_signed_type(lhs_type) ? 1 : 0);
        return {};
    }
    if (lhs_type->is_pointer() && rhs_type->is_pointer()) {  // ptr - ptr (C11 6.5.6p9)
        emit(Op::Sub);
        if (pointee_size(lhs_type) != 1)
            emit(Op::ScaleDiv, 0, 0, 0, std::int64_t(pointee_size(lhs_type)));
        return {};
    }
    if (type->is_pointer()) {
        if (rhs_type->is_pointer()) {  // int + ptr: the integer is under the pointer.
            if (pointee_size(rhs_type) != 1)
                emit(Op::ScaleMul, 0, 1, 0, std::int64_t(pointee_size(rhs_type)));
            emit(Op::Add);
            return {};
        }
        if (pointee_size(type) != 1)
            emit(Op::ScaleMul, 0, 0, 0, std::int64_t(pointee_size(type)));
        emit(op == BinaryOp::Sub ? Op::Sub : Op::Add);
        return {};
    }
    bool const is_signed = is_signed_type(type);
    emit(code, std::uint8_t(norm_of(type)), is_signed ? 1 : 0);
    return {};
}

LangResult<void> Compiler::assign(Expr const& e)
{
    Type const* t = e.lhs->type;
    if (t->is_struct()) {
        if (e.binary_op != BinaryOp::None)
            return unsupported(e.loc, "compound assignment of a struct");
        LANG_TRY(address(*e.lhs));
        LANG_TRY(address(*e.rhs));
        emit(Op::Copy, 0, 1, 0, std::int64_t(t->size));
        return {};
    }
    bool const local = e.lhs->kind == ExprKind::Ident &&
        (e.lhs->decl->kind == DeclKind::Local || e.lhs->decl->kind == DeclKind::Param);
    if (e.binary_op == BinaryOp::None) {
        if (local) {
            LANG_TRY(value(*e.rhs));
            emit(Op::StoreLocal, 0, 1, std::int32_t(t->size),
                std::int64_t(e.lhs->decl->offset) - std::int64_t(m_fn->frame_size));
            return {};
        }
        LANG_TRY(address(*e.lhs));
        LANG_TRY(value(*e.rhs));
        emit(Op::Store, 0, 1, std::int32_t(t->size));
        return {};
    }
    // lhs op= rhs: the lvalue is evaluated once (C11 6.5.16.2p3).
    Type const* ct = e.compute_type ? e.compute_type : t;
    LANG_TRY(address(*e.lhs));
    emit(Op::Dup);
    LANG_TRY(load(t));
    if (ct != t && ct->is_integer() && norm_of(ct) != norm_of(t))
        emit(Op::Conv, std::uint8_t(norm_of(ct)));
    LANG_TRY(value(*e.rhs));
    LANG_TRY(arithmetic(e.binary_op, t->is_pointer() ? t : ct, t->is_pointer() ? t : ct, e.rhs->type));
    if (t->is_integer())
        emit(Op::Conv, std::uint8_t(norm_of(t)));
    emit(Op::Store, 0, 1, std::int32_t(t->size));
    return {};
}

// Direct calls name their target; a call through a pointer finds it at run time.
LangResult<void> Compiler::call(Expr const& e)
{
    Expr const* callee = e.lhs.get();
    Decl const* direct = nullptr;
    if (callee->kind == ExprKind::ImplicitCast && callee->cast_kind == CastKind::FunctionToPointer &&
        callee->lhs->kind == ExprKind::Ident)
        direct = callee->lhs->decl;
    if (!direct)
        LANG_TRY(value(*callee));
    for (auto const& arg : e.args) {
        if (arg->type->is_struct())
            return unsupported(arg->loc, "passing a struct by value");
        LANG_TRY(value(*arg));
    }
    std::uint8_t const argc = std::uint8_t(e.args.size());
    if (e.args.size() > 255)
        return unsupported(e.loc, "a call with more than 255 arguments");
    if (!direct) {
        emit(Op::CallIndirect, argc);
    } else if (direct->kind == DeclKind::Builtin) {
        emit(Op::CallBuiltin, argc, 0, std::int32_t(builtin_id(*direct)));
    } else {
        if (!direct->function)
            return unsupported(e.loc, format("calling '{}', which is declared but never defined,", direct->name));
        m_call_fixups.emplace_back(emit(Op::Call, argc), direct);
    }
    if (e.type->is_struct())
        return unsupported(e.loc, "returning a struct");
    return {};
}

// ---- The program ---------------------------------------------------------------------------

LangResult<std::shared_ptr<CompiledProgram const>> Compiler::run()
{
    place_runtime_variables();
    // The two trampolines come first, at fixed addresses.
    emit(Op::ExitMain);
    emit(Op::SigReturn);
    // Section addresses depend on text's size, which depends on the code: compile once to learn
    // the size, then again with the final addresses (the code's size does not depend on them).
    std::size_t const prologue = m_code.size();
    for (int pass = 0; pass < 2; ++pass) {
        m_code.resize(prologue);
        m_entries.clear();
        m_call_fixups.clear();
        m_builtin_stubs.clear();
        m_out->m_functions.clear();
        for (auto const& fn : m_program.functions)
            LANG_TRY(compile_function(*fn));
        for (auto const& r : m_program.relocations)
            if (r.target == RelocationTarget::Function)
                (void)function_address(*r.decl);
        lay_out_sections();
    }
    for (auto [at, decl] : m_call_fixups) {
        if (m_code[at].op == Op::Call)
            m_code[at].imm = std::int64_t(m_entries.at(decl));
        else
            m_code[at].imm = std::int64_t(CompiledProgram::address_of(m_entries.at(decl)));
    }
    apply_relocations();
    CompiledProgram& out = *m_out;
    out.m_code = std::move(m_code);
    out.m_sections = m_at;
    out.m_main_entry = m_entries.at(m_program.main);
    out.m_main_form = m_program.main_form;
    out.m_runtime.libc_data = m_at.bss + m_libc_data;
    for (auto const& [decl, offset] : m_runtime_vars) {
        std::uint64_t const a = m_at.bss + offset;
        if (decl->name == "errno") out.m_runtime.errno_addr = a;
        if (decl->name == "environ") out.m_runtime.environ_addr = a;
        if (decl->name == "stdin") out.m_runtime.stdin_addr = a;
        if (decl->name == "stdout") out.m_runtime.stdout_addr = a;
        if (decl->name == "stderr") out.m_runtime.stderr_addr = a;
    }
    out.m_image.text.resize(out.m_code.size() * kInsnSize);
    std::memcpy(out.m_image.text.data(), out.m_code.data(), out.m_image.text.size());
    out.m_image.rodata.assign(m_program.rodata.begin(), m_program.rodata.end());
    out.m_image.data = std::move(m_program.data);
    out.m_image.bss_size = m_program.bss_size;
    return std::shared_ptr<CompiledProgram const>(m_out);
}

std::int64_t CompiledProgram::index_of(std::uint64_t address) const
{
    if (address < kTextBaseAddress || (address - kTextBaseAddress) % kInsnSize)
        return -1;
    std::uint64_t const index = (address - kTextBaseAddress) / kInsnSize;
    return index < m_code.size() ? std::int64_t(index) : -1;
}

LangResult<std::shared_ptr<CompiledProgram const>> compile(std::unique_ptr<Program> program, SourceFile const* source)
{
    if (!program->main) {
        SourceFile const none(source ? source->path() : "", "");
        return fail(source ? *source : none, SourceLoc{}, "undefined reference to 'main'");
    }
    Compiler compiler(*program, source);
    return compiler.run();
}

LangResult<std::shared_ptr<CompiledProgram const>> compile_source(std::string path, std::string text)
{
    SourceFile const source(path, text);
    auto program = LANG_TRY(compile_front_end(std::move(path), std::move(text)));
    return compile(std::move(program), &source);
}

}  // namespace forklab::lang
