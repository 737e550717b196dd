// The checked syntax tree of a scenario program.
//
// Three node families, each one struct with a kind enum and owned children: Expr, Stmt and Decl
// (Decls are owned by the Program and pointed to from the tree). After checking:
// - every Expr has its type and whether it is an lvalue (C11 6.3.2.1); an lvalue of array or
//   function type is never used as a value without an ImplicitCast that decays it;
// - the usual conversions are explicit ImplicitCast nodes (integer promotions, the usual
//   arithmetic conversions, array-to-pointer and function-to-pointer decay, conversion as if by
//   assignment for '=', arguments and return values, conversion to _Bool);
// - `a[i]` is `*(a + i)` and `p->m` is `(*p).m`, as C11 6.5.2.1 and 6.5.2.3 define them;
// - sizeof is folded into an IntLiteral of type size_t;
// - identifiers point to their Decl.
#pragma once

#include "lang/source.h"
#include "lang/types.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace forklab::lang {

struct Decl;
struct Stmt;

enum class ExprKind : std::uint8_t {
    IntLiteral,     // value, already of `type` (a char constant is an int).
    StringLiteral,  // string_index into Program::strings; type char[N], an lvalue.
    Ident,          // decl.
    Unary,          // unary_op, operand = lhs.
    Binary,         // binary_op, lhs, rhs (also ',', '&&' and '||').
    Assign,         // lhs = rhs, or lhs op= rhs when binary_op is not None (see compute_type).
    Conditional,    // lhs ? rhs : third.
    Call,           // callee = lhs (a pointer to function), args.
    Member,         // lhs.member; lhs has struct type.
    Cast,           // An explicit (type) cast; cast_kind says which conversion.
    ImplicitCast,   // A conversion the language inserts; cast_kind says which.
};

enum class UnaryOp : std::uint8_t {
    Plus, Minus, BitNot, LogicalNot, Deref, AddressOf, PreInc, PreDec, PostInc, PostDec,
};

enum class BinaryOp : std::uint8_t {
    None,  // A plain '='.
    Mul, Div, Mod, Add, Sub, Shl, Shr, Lt, Gt, Le, Ge, Eq, Ne, BitAnd, BitXor, BitOr,
    LogicalAnd, LogicalOr, Comma,
};

enum class CastKind : std::uint8_t {
    None,
    IntegerConversion,  // Between integer types: truncate, sign- or zero-extend (C11 6.3.1.3).
    ToBool,             // Any scalar to _Bool: 0 stays 0, anything else becomes 1 (C11 6.3.1.2).
    ArrayToPointer,     // An array lvalue to a pointer to its first element (C11 6.3.2.1p3).
    FunctionToPointer,  // A function designator to its address (C11 6.3.2.1p4).
    NullToPointer,      // An integer (a null pointer constant, or an explicit cast) to a pointer.
    PointerToInteger,   // Explicit casts only.
    PointerToPointer,   // Same bits, another pointee type.
    ToVoid,             // (void)expr: evaluate and discard.
};

struct Expr {
    ExprKind kind = ExprKind::IntLiteral;
    SourceLoc loc;
    Type const* type = nullptr;
    bool is_lvalue = false;

    std::uint64_t value = 0;      // IntLiteral: the bits, sign-extended to 64 for signed types.
    std::uint32_t string_index = 0;
    Decl* decl = nullptr;
    UnaryOp unary_op = UnaryOp::Plus;
    BinaryOp binary_op = BinaryOp::None;
    CastKind cast_kind = CastKind::None;
    Member const* member = nullptr;
    // Compound assignment: the type the operation is done in (the usual arithmetic conversions
    // of both sides); rhs is already converted to it (to long for pointer += integer). The
    // result is converted back to lhs's type and stored.
    Type const* compute_type = nullptr;

    std::unique_ptr<Expr> lhs, rhs, third;
    std::vector<std::unique_ptr<Expr>> args;
    std::uint32_t depth = 1;  // The height of this subtree; bounded so no walk overflows the stack.
};

// One store of an initializer: the object's bytes are first all zero (C11 6.7.9p10, p21), then
// each entry stores `value` converted to `type` at `offset` bytes into the object. An entry
// whose type is a char array and whose value is a StringLiteral copies the literal's bytes, at
// most the array's size (the NUL is dropped when it does not fit, C11 6.7.9p14).
struct InitEntry {
    std::uint64_t offset = 0;
    Type const* type = nullptr;
    std::unique_ptr<Expr> value;
};

enum class StmtKind : std::uint8_t {
    Compound,  // children.
    Expr,      // expr.
    Decl,      // decls: local declarations, initialized in order when reached.
    If,        // expr, body, else_body (may be null).
    While,     // expr, body.
    DoWhile,   // body, expr.
    For,       // init (a Decl or Expr statement, or null), expr (null: forever), step (or null), body.
    Switch,    // expr (promoted), body; cases lists its Case and Default statements.
    Case,      // case_value, body.
    Default,   // body.
    Break,     // target: the loop or switch it leaves.
    Continue,  // target: the loop it continues.
    Return,    // expr (null in a void function), already converted to the return type.
    Goto,      // label, target: the Label statement.
    Label,     // label, body.
    Empty,
};

struct Stmt {
    StmtKind kind = StmtKind::Empty;
    SourceLoc loc;
    std::unique_ptr<Expr> expr;
    std::unique_ptr<Expr> step;
    std::unique_ptr<Stmt> init, body, else_body;
    std::vector<std::unique_ptr<Stmt>> children;
    std::vector<Decl*> decls;
    std::int64_t case_value = 0;
    Stmt* target = nullptr;
    std::vector<Stmt*> cases;
    std::string label;
};

enum class DeclKind : std::uint8_t {
    Global,           // A file-scope object, or a static local: lives in the data or bss image.
    Local,            // An automatic object: a slot in its function's frame.
    Param,            // A parameter: a slot in its function's frame too.
    Function,         // A user function; function says where its body is (null if never defined).
    Builtin,          // A library function or macro-like builtin the runtime provides (printf, WIFEXITED).
    BuiltinVariable,  // A library object the runtime provides: errno, stdin, stdout, stderr, environ.
    EnumConstant,     // enum_value.
};

enum class Storage : std::uint8_t { None, Static, Extern };
enum class Section : std::uint8_t { None, Data, Bss };

struct Function;

struct Decl {
    DeclKind kind = DeclKind::Global;
    std::string name;
    SourceLoc loc;
    Type const* type = nullptr;
    Storage storage = Storage::None;
    // Local/Param: the byte offset of the object in its function's frame. Global: its offset in
    // the data image (Section::Data) or in bss (Section::Bss).
    std::uint64_t offset = 0;
    Section section = Section::None;
    std::vector<InitEntry> init;   // Locals: run when the declaration is reached.
    std::int64_t enum_value = 0;
    Function* function = nullptr;  // Function: its definition.
    bool has_initializer = false;  // Global: defined with an initializer (not tentative).
    bool referenced = false;       // Named by some expression (so it must be defined somewhere).
};

struct Function {
    Decl* decl = nullptr;
    std::vector<Decl*> params;     // In order; each has its frame slot.
    std::vector<Decl*> locals;     // Every automatic local, each with its frame slot.
    std::unique_ptr<Stmt> body;
    std::uint64_t frame_size = 0;  // Bytes, a multiple of 16, covering params and locals.
};

}  // namespace forklab::lang
