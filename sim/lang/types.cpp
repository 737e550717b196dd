#include "lang/types.h"

#include <algorithm>

namespace forklab::lang {

namespace {

struct BasicInfo {
    char const* name;
    std::uint64_t size;
};

// Sizes per the x86-64 System V ABI, table 3.1; each basic type is aligned to its size.
constexpr BasicInfo kBasics[] = {
    {"void", 0}, {"_Bool", 1}, {"char", 1}, {"signed char", 1}, {"unsigned char", 1},
    {"short", 2}, {"unsigned short", 2}, {"int", 4}, {"unsigned int", 4}, {"long", 8},
    {"unsigned long", 8}, {"long long", 8}, {"unsigned long long", 8},
};

std::uint64_t align_up(std::uint64_t value, std::uint64_t align) { return (value + align - 1) / align * align; }

}  // namespace

Member const* StructInfo::find(std::string_view name) const
{
    auto const it = std::find_if(members.begin(), members.end(), [&](Member const& m) { return m.name == name; });
    return it == members.end() ? nullptr : &*it;
}

bool Type::is_signed() const
{
    switch (kind) {
    case TypeKind::Char:
    case TypeKind::SChar:
    case TypeKind::Short:
    case TypeKind::Int:
    case TypeKind::Long:
    case TypeKind::LongLong:
        return true;
    default:
        return false;
    }
}

bool Type::is_complete() const
{
    switch (kind) {
    case TypeKind::Void:
    case TypeKind::Function:
        return false;
    case TypeKind::Struct:
        return record->complete;
    case TypeKind::Array:
        return length_kind == ArrayLength::Known && base->is_complete();
    default:
        return true;
    }
}

int Type::rank() const
{
    switch (kind) {
    case TypeKind::Bool: return 1;
    case TypeKind::Char:
    case TypeKind::SChar:
    case TypeKind::UChar: return 2;
    case TypeKind::Short:
    case TypeKind::UShort: return 3;
    case TypeKind::Int:
    case TypeKind::UInt: return 4;
    case TypeKind::Long:
    case TypeKind::ULong: return 5;
    case TypeKind::LongLong:
    case TypeKind::ULongLong: return 6;
    default: return 0;
    }
}

TypeTable::TypeTable()
{
    for (int k = 0; k <= int(TypeKind::ULongLong); ++k) {
        Type t;
        t.kind = TypeKind(k);
        t.size = kBasics[k].size;
        t.align = std::max<std::uint64_t>(1, kBasics[k].size);
        m_basic.push_back(make(t));
    }
}

Type* TypeTable::make(Type type)
{
    m_types.push_back(std::move(type));
    Type* t = &m_types.back();
    if (!t->unqualified)
        t->unqualified = t;
    return t;
}

Type const* TypeTable::pointer_to(Type const* pointee)
{
    auto& slot = m_pointers[pointee];
    if (!slot) {
        Type t;
        t.kind = TypeKind::Pointer;
        t.size = 8;
        t.align = 8;
        t.base = pointee;
        slot = make(t);
    }
    return slot;
}

Type const* TypeTable::array_of(Type const* element, std::uint64_t length)
{
    auto& slot = m_arrays[{element, ArrayLength::Known, length}];
    if (!slot) {
        Type t;
        t.kind = TypeKind::Array;
        t.base = element;
        t.length = length;
        t.size = element->size * length;  // The caller keeps this below kMaxObjectSize.
        t.align = element->align;
        // An array of const T is itself const-qualified for assignment (C11 6.7.3p9).
        slot = make(t);
    }
    return slot;
}

Type const* TypeTable::unknown_array_of(Type const* element)
{
    auto& slot = m_arrays[{element, ArrayLength::Unknown, 0}];
    if (!slot) {
        Type t;
        t.kind = TypeKind::Array;
        t.base = element;
        t.length_kind = ArrayLength::Unknown;
        t.align = element->align;
        slot = make(t);
    }
    return slot;
}

Type const* TypeTable::function(Type const* result, std::vector<Type const*> params, Variadic variadic)
{
    auto& slot = m_functions[{result, params, variadic}];
    if (!slot) {
        Type t;
        t.kind = TypeKind::Function;
        t.base = result;
        t.params = std::move(params);
        t.variadic = variadic;
        slot = make(t);
    }
    return slot;
}

Type const* TypeTable::qualified(Type const* type, Qualifier qualifier)
{
    type = type->unqualified;
    if (qualifier == Qualifier::None || type->is_function())
        return type;
    // A qualified array type is an array of qualified elements (C11 6.7.3p9).
    if (type->is_array()) {
        auto const* element = qualified(type->base, qualifier);
        return type->length_kind == ArrayLength::Known ? array_of(element, type->length) : unknown_array_of(element);
    }
    auto& slot = m_qualified[type];
    if (!slot) {
        Type t = *type;
        t.qualifier = qualifier;
        t.unqualified = type;
        slot = make(t);
    }
    return slot;
}

Type const* TypeTable::new_struct(std::string tag, SourceLoc loc)
{
    m_records.push_back(StructInfo{.tag = std::move(tag), .members = {}, .size = 0, .align = 1, .complete = false, .loc = loc});
    Type t;
    t.kind = TypeKind::Struct;
    t.record = &m_records.back();
    return make(t);
}

void TypeTable::complete_struct(Type const* type, std::vector<Member> members)
{
    StructInfo& record = *type->record;
    std::uint64_t offset = 0;
    std::uint64_t align = 1;
    for (auto& m : members) {
        offset = align_up(offset, m.type->align);
        m.offset = offset;
        offset += m.type->size;
        align = std::max(align, m.type->align);
    }
    record.members = std::move(members);
    record.align = align;
    record.size = align_up(offset, align);
    record.complete = true;
    // The Type objects of this struct (plain and const) read size and alignment from here.
    for (Type const* t : {type->unqualified, m_qualified.count(type->unqualified) ? m_qualified[type->unqualified] : nullptr}) {
        if (t) {
            const_cast<Type*>(t)->size = record.size;
            const_cast<Type*>(t)->align = record.align;
        }
    }
}

Type const* TypeTable::to_unsigned(Type const* integer) const
{
    switch (integer->unqualified->kind) {
    case TypeKind::Char:
    case TypeKind::SChar: return basic(TypeKind::UChar);
    case TypeKind::Short: return basic(TypeKind::UShort);
    case TypeKind::Int: return basic(TypeKind::UInt);
    case TypeKind::Long: return basic(TypeKind::ULong);
    case TypeKind::LongLong: return basic(TypeKind::ULongLong);
    default: return integer->unqualified;
    }
}

namespace {

// C's inside-out declarator spelling: the type's name, then the declarator built so far.
std::string spell(Type const* type, std::string inner)
{
    auto const join = [](std::string head, std::string const& tail) {
        if (tail.empty())
            return head;
        bool const tight = tail[0] == '[' || (tail[0] == '(' && tail.size() > 1 && tail[1] != '*');
        return head + (tight ? "" : " ") + tail;
    };
    switch (type->kind) {
    case TypeKind::Pointer: {
        std::string p = "*" + std::string(type->is_const() ? "const" : "") + (type->is_const() && !inner.empty() && inner[0] != '[' && inner[0] != '(' ? " " : "") + inner;
        if (type->base->is_array() || type->base->is_function())
            p = "(" + p + ")";
        return spell(type->base, p);
    }
    case TypeKind::Array:
        return spell(type->base, inner + (type->length_kind == ArrayLength::Known ? "[" + std::to_string(type->length) + "]" : "[]"));
    case TypeKind::Function: {
        std::string params;
        for (std::size_t i = 0; i < type->params.size(); ++i)
            params += (i ? ", " : "") + type_name(type->params[i]);
        if (type->variadic == Variadic::Yes)
            params += params.empty() ? "..." : ", ...";
        return spell(type->base, inner + "(" + (params.empty() ? "void" : params) + ")");
    }
    case TypeKind::Struct: {
        auto const& tag = type->record->tag;
        return join(std::string(type->is_const() ? "const " : "") + "struct " + (tag.empty() ? "<anonymous>" : tag), inner);
    }
    default:
        return join(std::string(type->is_const() ? "const " : "") + kBasics[int(type->kind)].name, inner);
    }
}

}  // namespace

std::string type_name(Type const* type) { return spell(type, ""); }

}  // namespace forklab::lang
