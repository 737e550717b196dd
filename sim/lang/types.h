// Types of the scenario language, with the exact x86-64 System V layout the interpreter's
// simulated memory uses: char 1, short 2, int 4, long and long long 8, pointers 8, each aligned
// to its size; arrays of their element's alignment; structs laid out member by member, each at
// the next multiple of its alignment, the size rounded up to the largest alignment (SysV ABI
// 3.1.2).
//
// A TypeTable interns types, so two types are the same type exactly when their pointers are
// equal. A const-qualified type is its own interned Type whose `unqualified` is the plain one.
#pragma once

#include "lang/source.h"

#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <tuple>
#include <vector>

namespace forklab::lang {

enum class TypeKind : std::uint8_t {
    Void,
    Bool,  // _Bool: one byte holding 0 or 1 (C11 6.2.5p2).
    Char,  // Plain char, signed on x86-64 but a type of its own (C11 6.2.5p15).
    SChar, UChar, Short, UShort, Int, UInt, Long, ULong, LongLong, ULongLong,
    Pointer, Array, Function, Struct,
};

enum class Qualifier : std::uint8_t { None, Const };
enum class Variadic : std::uint8_t { No, Yes };
enum class ArrayLength : std::uint8_t { Known, Unknown };

struct Type;

struct Member {
    std::string name;
    Type const* type = nullptr;
    std::uint64_t offset = 0;
    SourceLoc loc;
};

// A struct's definition; incomplete ("struct node;") until its closing brace.
struct StructInfo {
    std::string tag;  // Empty for an anonymous struct.
    std::vector<Member> members;
    std::uint64_t size = 0;
    std::uint64_t align = 1;
    bool complete = false;
    SourceLoc loc;

    Member const* find(std::string_view name) const;
};

struct Type {
    TypeKind kind = TypeKind::Void;
    Qualifier qualifier = Qualifier::None;
    std::uint64_t size = 0;   // sizeof; 0 for void, functions, incomplete types.
    std::uint64_t align = 1;
    Type const* base = nullptr;         // Pointee, element type, or function's return type.
    ArrayLength length_kind = ArrayLength::Known;
    std::uint64_t length = 0;           // Arrays: the element count.
    std::vector<Type const*> params;    // Functions: parameter types, already adjusted.
    Variadic variadic = Variadic::No;
    StructInfo* record = nullptr;       // Structs.
    Type const* unqualified = nullptr;  // This type without const; itself when unqualified.

    bool is_const() const { return qualifier == Qualifier::Const; }
    bool is_void() const { return kind == TypeKind::Void; }
    bool is_integer() const { return kind >= TypeKind::Bool && kind <= TypeKind::ULongLong; }
    bool is_arithmetic() const { return is_integer(); }  // No floating point in this subset.
    bool is_pointer() const { return kind == TypeKind::Pointer; }
    bool is_scalar() const { return is_integer() || is_pointer(); }
    bool is_array() const { return kind == TypeKind::Array; }
    bool is_function() const { return kind == TypeKind::Function; }
    bool is_struct() const { return kind == TypeKind::Struct; }
    bool is_signed() const;
    // An object type whose size is known (C11 6.2.5p1): not void, not a function, not an
    // incomplete struct, not an array of unknown length.
    bool is_complete() const;
    // The integer conversion rank (C11 6.3.1.1): _Bool 1, char 2, short 3, int 4, long 5, long long 6.
    int rank() const;
};

class TypeTable {
public:
    TypeTable();
    TypeTable(TypeTable const&) = delete;
    TypeTable& operator=(TypeTable const&) = delete;

    Type const* void_type() const { return m_basic[int(TypeKind::Void)]; }
    Type const* basic(TypeKind kind) const { return m_basic[int(kind)]; }
    Type const* int_type() const { return basic(TypeKind::Int); }
    Type const* char_type() const { return basic(TypeKind::Char); }
    Type const* ulong_type() const { return basic(TypeKind::ULong); }
    Type const* long_type() const { return basic(TypeKind::Long); }

    Type const* pointer_to(Type const* pointee);
    Type const* array_of(Type const* element, std::uint64_t length);
    Type const* unknown_array_of(Type const* element);
    Type const* function(Type const* result, std::vector<Type const*> params, Variadic variadic);
    Type const* qualified(Type const* type, Qualifier qualifier);

    // A new, incomplete struct type; complete_struct() lays it out.
    Type const* new_struct(std::string tag, SourceLoc loc);
    // Lays out the members in order (SysV ABI); the caller has checked each type is complete.
    void complete_struct(Type const* type, std::vector<Member> members);

    // The corresponding unsigned type of an integer type (C11 6.3.1.8).
    Type const* to_unsigned(Type const* integer) const;

private:
    Type* make(Type type);

    std::deque<Type> m_types;
    std::deque<StructInfo> m_records;
    std::vector<Type const*> m_basic;
    std::map<Type const*, Type const*> m_pointers;
    std::map<Type const*, Type const*> m_qualified;
    std::map<std::tuple<Type const*, ArrayLength, std::uint64_t>, Type const*> m_arrays;
    std::map<std::tuple<Type const*, std::vector<Type const*>, Variadic>, Type const*> m_functions;
};

// The type as C spells it in a diagnostic: "int", "const char *", "struct point", "int[4]",
// "void (*)(int)".
std::string type_name(Type const* type);

// The largest object this front end accepts (1 GiB): a bound that keeps every size and offset
// computation far from overflow.
inline constexpr std::uint64_t kMaxObjectSize = std::uint64_t(1) << 30;

}  // namespace forklab::lang
