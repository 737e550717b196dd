// The bytecode the compiler emits and the machine runs: a stack machine over 64-bit values.
//
// Every value on the operand stack is kept normalized to its C type: a signed type's value is
// sign-extended to 64 bits and an unsigned one's zero-extended, so comparisons need only know
// the signedness, and an operation of a narrower type re-normalizes its result (C11 6.3.1.3:
// unsigned arithmetic wraps modulo 2^N; signed overflow wraps here as it does in gcc's code).
//
// An instruction is 16 bytes; a function's address is MmStruct::kTextBase + 16 * its entry
// index, so text really holds the code a function pointer points into.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace forklab::lang {

// How a value of some integer type sits in 64 bits: its width in bytes and its signedness.
// Width 0 means "already 64 bits, nothing to do".
enum class Norm : std::uint8_t { None, S8, U8, S16, U16, S32, U32, Bool };

enum class Op : std::uint8_t {
    Stmt,         // The start of a statement: one step ends before the next one. c = line, b = column.
    Push,         // push imm
    Pop,
    Dup,
    AddrLocal,    // push fp + imm
    Load,         // pop addr; push the a-normalized value of c bytes there.
    LoadLocal,    // push the value of c bytes at fp + imm (normalized by a).
    Store,        // pop value, pop addr; store c bytes; push value if b.
    StoreLocal,   // pop value; store c bytes at fp + imm; push value if b.
    Copy,         // pop src, pop dst; copy imm bytes; push dst if b. (struct assignment)
    Zero,         // pop addr; zero imm bytes.
    IncDec,       // pop addr; load c bytes (a-normalized), add imm, store; push new, or old if b.
    Add, Sub, Mul, And, Or, Xor, Shl,  // pop r, pop l; push norm_a(l op r)
    Div, Mod,     // a = norm; b = 1 for signed. SIGFPE on zero divisor and INT_MIN / -1.
    Shr,          // b = 1: arithmetic shift.
    Neg, Not,     // unary minus and ~, normalized by a.
    LogNot,       // !x
    Eq, Ne, Lt, Le, Gt, Ge,  // b = 1: signed comparison.
    Conv,         // normalize the top of the stack to a.
    ScaleMul,     // top *= imm (pointer arithmetic); b = 1: the value under the top instead.
    ScaleDiv,     // top = (signed) top / imm (pointer difference).
    Jmp,          // pc = imm
    Jz, Jnz,      // pop; jump if zero / non-zero.
    JzKeep, JnzKeep,  // jump if zero / non-zero keeping the value, else pop it (&& and ||).
    Case,         // if top == imm: pop, jump to c.
    Enter,        // function entry: push fp, fp = sp, sp -= imm. c = the function's index.
    Call,         // direct call of the function entering at imm; a = argument count.
    CallIndirect, // a = argument count; the pointer to the function sits below the arguments.
    CallBuiltin,  // c = builtin id; a = argument count.
    Ret,          // return; a = 1 if a value is returned (on the operand stack).
    ExitMain,     // main returned: exit(value) (C11 5.1.2.2.3). The trampoline main returns to.
    SigReturn,    // a signal handler returned: sigreturn(2). The trampoline handlers return to.
    BuiltinStub,  // the entry of a library function whose address was taken: c = builtin id.
};

struct Insn {
    Op op = Op::Stmt;
    std::uint8_t a = 0;
    std::uint16_t b = 0;
    std::int32_t c = 0;
    std::int64_t imm = 0;
};
static_assert(sizeof(Insn) == 16);

inline constexpr std::uint64_t kInsnSize = sizeof(Insn);

}  // namespace forklab::lang
