// The parser and checker, in one pass (private to the front end).
//
// Recursive descent over the preprocessed tokens, with C's grammar (C11 6.5-6.9); each node is
// checked as soon as it is built, as C's scoping requires: whether `T * x;` declares x depends
// on whether T names a type at that point. The first error stops everything.
#pragma once

#include "lang/ast.h"
#include "lang/diagnostic.h"
#include "lang/front_end.h"
#include "lang/token.h"

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace forklab::lang {

using ExprPtr = std::unique_ptr<Expr>;
using StmtPtr = std::unique_ptr<Stmt>;

// Whether the declarations being parsed are the built-in prelude or the user's program.
enum class Origin : std::uint8_t { Builtin, User };

class Parser {
public:
    explicit Parser(Program& program) : m_program(program) { m_scopes.emplace_back(); }

    LangResult<void> parse(SourceFile const& file, std::vector<Token> tokens, Origin origin);
    // After the last file: main's signature, definitions of used functions, the data image.
    LangResult<void> finish();

private:
    // --- Symbols and scopes (C11 6.2.1, 6.2.3) -------------------------------------------------
    enum class SymbolKind : std::uint8_t { Object, Typedef };
    struct Symbol {
        SymbolKind kind = SymbolKind::Object;
        Decl* decl = nullptr;           // Objects, functions, enum constants.
        Type const* type = nullptr;     // Typedefs.
    };
    struct Scope {
        std::map<std::string, Symbol> names;
        std::map<std::string, Type const*> tags;
    };
    Symbol const* lookup(std::string const& name) const;
    Type const* lookup_tag(std::string const& name) const;
    bool at_file_scope() const { return m_scopes.size() == 1; }
    bool is_typedef_name(Token const& t) const;
    bool starts_type(Token const& t) const;
    struct ScopeGuard {
        Parser& p;
        explicit ScopeGuard(Parser& parser) : p(parser) { p.m_scopes.emplace_back(); }
        ~ScopeGuard() { p.m_scopes.pop_back(); }
    };

    // --- Tokens --------------------------------------------------------------------------------
    Token const& peek(std::size_t ahead = 0) const;
    Token const& advance();
    bool accept(std::string_view punct);
    LangResult<void> expect(std::string_view punct);
    LangResult<Token const*> expect_identifier(std::string_view what);
    std::unexpected<Diagnostic> error(SourceLoc loc, std::string message) const;
    std::unexpected<Diagnostic> error_here(std::string message) const;
    std::string describe(Token const& t) const;

    // Every recursive production enters here; too deep is an error, never a host stack overflow.
    struct Nesting {
        int& depth;
        ~Nesting() { --depth; }
    };
    LangResult<void> enter(SourceLoc loc);

    // --- Declarations (C11 6.7) --------------------------------------------------------------
    struct DeclSpec {
        Type const* type = nullptr;
        Storage storage = Storage::None;
        bool is_typedef = false;
        SourceLoc loc;
    };
    struct ParamInfo {
        std::string name;
        SourceLoc loc;
        Type const* type = nullptr;
    };
    struct Declarator {
        std::string name;
        SourceLoc loc;
        Type const* type = nullptr;
        std::vector<ParamInfo> params;   // The function suffix right after the name, if any.
        std::optional<SourceLoc> ellipsis;
    };
    enum class DeclaratorKind : std::uint8_t { Named, Abstract, Either };

    LangResult<void> external_declaration();
    LangResult<DeclSpec> declaration_specifiers();
    LangResult<Type const*> struct_specifier();
    LangResult<Type const*> enum_specifier();
    LangResult<std::vector<Member>> struct_members(Type const* type);
    LangResult<Declarator> declarator(Type const* base, DeclaratorKind kind);
    LangResult<Type const*> type_suffix(Type const* base, Declarator* named);
    LangResult<Type const*> array_suffix(Type const* base, Declarator* named);
    LangResult<Type const*> function_suffix(Type const* base, Declarator* named);
    LangResult<Type const*> parse_type_name();
    LangResult<void> init_declarators(DeclSpec const& spec, Declarator first, std::vector<Decl*>* locals);
    LangResult<void> typedef_name(Declarator const& d);
    LangResult<Decl*> declare_function(DeclSpec const& spec, Declarator const& d);
    LangResult<Decl*> declare_global(DeclSpec const& spec, Declarator const& d);
    LangResult<Decl*> declare_local(DeclSpec const& spec, Declarator const& d);
    LangResult<void> function_definition(DeclSpec const& spec, Declarator const& d);
    LangResult<void> check_object_type(Declarator const& d, std::string_view what);
    LangResult<void> define_name(std::string const& name, SourceLoc loc, Symbol symbol);
    Decl* new_decl(DeclKind kind, std::string name, SourceLoc loc, Type const* type);
    void allocate_frame_slot(Decl* decl);

    // --- Initializers (C11 6.7.9) -------------------------------------------------------------
    LangResult<void> initializer(Type const*& type, std::uint64_t offset, std::vector<InitEntry>& out);
    LangResult<void> braced_initializer(Type const*& type, std::uint64_t offset, std::vector<InitEntry>& out);
    LangResult<void> initializer_element(Type const* type, std::uint64_t offset, std::vector<InitEntry>& out);
    LangResult<void> elided_initializer(Type const* type, std::uint64_t offset, std::vector<InitEntry>& out);
    LangResult<void> scalar_initializer(Type const* type, std::uint64_t offset, std::vector<InitEntry>& out);
    LangResult<std::uint64_t> array_designator(Type const* type);
    LangResult<void> designator_rest(Type const*& type, std::uint64_t& offset);
    bool string_initializes(Type const* type) const;
    LangResult<void> check_static_initializer(std::vector<InitEntry> const& entries);

    // --- Statements (C11 6.8) -------------------------------------------------------------------
    LangResult<StmtPtr> statement();
    LangResult<StmtPtr> compound_statement();
    LangResult<StmtPtr> block_item();
    LangResult<StmtPtr> if_statement();
    LangResult<StmtPtr> loop_body(Stmt& loop);
    LangResult<StmtPtr> while_statement();
    LangResult<StmtPtr> do_statement();
    LangResult<StmtPtr> for_statement();
    LangResult<StmtPtr> switch_statement();
    LangResult<StmtPtr> case_statement();
    LangResult<StmtPtr> jump_statement();
    LangResult<StmtPtr> return_statement();
    LangResult<StmtPtr> labeled_statement();
    LangResult<ExprPtr> condition(std::string_view what);
    StmtPtr new_stmt(StmtKind kind, SourceLoc loc);

    // --- Expressions (C11 6.5) ------------------------------------------------------------------
    LangResult<ExprPtr> expression();
    LangResult<ExprPtr> assignment();
    LangResult<ExprPtr> conditional();
    LangResult<ExprPtr> binary(int min_precedence);
    LangResult<ExprPtr> cast_expression();
    LangResult<ExprPtr> unary();
    LangResult<ExprPtr> postfix();
    LangResult<ExprPtr> primary();
    LangResult<ExprPtr> identifier();
    LangResult<ExprPtr> integer_literal(Token const& t);
    LangResult<ExprPtr> string_literal(Token const& t);
    LangResult<ExprPtr> sizeof_expression(SourceLoc loc);
    LangResult<ExprPtr> call(ExprPtr callee, SourceLoc loc);
    LangResult<ExprPtr> member(ExprPtr object, SourceLoc loc, bool arrow);
    LangResult<ExprPtr> constant_expression_value(std::int64_t& value, std::string_view what);

    // How a value is being converted as if by assignment, for GCC's wording of the error.
    enum class ConversionContext : std::uint8_t { Assignment, Initialization, Argument, Return };
    struct Conversion {
        ConversionContext context = ConversionContext::Assignment;
        int argument = 0;
        std::string function;
    };
    std::string conversion_error(Conversion const& how, Type const* to, Type const* from, std::string_view problem) const;

    // --- Type rules (sema.cpp) ------------------------------------------------------------------
    ExprPtr node(ExprKind kind, SourceLoc loc, Type const* type, ExprPtr lhs = {}, ExprPtr rhs = {}, ExprPtr third = {});
    ExprPtr implicit_cast(ExprPtr e, Type const* to, CastKind kind);
    ExprPtr decay(ExprPtr e);
    ExprPtr promote(ExprPtr e);
    ExprPtr convert(ExprPtr e, Type const* to);
    Type const* arithmetic_type(Type const* a, Type const* b) const;
    LangResult<ExprPtr> value(ExprPtr e);
    LangResult<ExprPtr> scalar_value(ExprPtr e, std::string_view what);
    LangResult<ExprPtr> assign_convert(ExprPtr e, Type const* to, SourceLoc loc, Conversion const& how);
    LangResult<void> check_modifiable(Expr const& e, SourceLoc loc, std::string_view action);
    LangResult<void> check_depth(Expr const& e);
    LangResult<ExprPtr> build_unary(UnaryOp op, ExprPtr operand, SourceLoc loc);
    LangResult<ExprPtr> build_binary(BinaryOp op, ExprPtr lhs, ExprPtr rhs, SourceLoc loc);
    LangResult<ExprPtr> build_additive(BinaryOp op, ExprPtr lhs, ExprPtr rhs, SourceLoc loc);
    LangResult<ExprPtr> build_comparison(BinaryOp op, ExprPtr lhs, ExprPtr rhs, SourceLoc loc);
    LangResult<ExprPtr> build_assign(BinaryOp op, ExprPtr lhs, ExprPtr rhs, SourceLoc loc);
    LangResult<ExprPtr> build_conditional(ExprPtr cond, ExprPtr then, ExprPtr otherwise, SourceLoc loc);
    LangResult<ExprPtr> build_cast(Type const* to, ExprPtr e, SourceLoc loc);
    LangResult<ExprPtr> build_index(ExprPtr base, ExprPtr index, SourceLoc loc);
    bool is_null_constant(Expr const& e) const;
    bool compatible(Type const* a, Type const* b) const;

    // --- Constants (const_eval.cpp) -------------------------------------------------------------
    struct StaticValue {
        std::uint64_t value = 0;               // The integer, or the addend of an address.
        std::optional<RelocationTarget> target; // Set for an address.
        Decl const* decl = nullptr;
    };
    std::optional<std::uint64_t> const_int(Expr const& e) const;
    std::optional<StaticValue> static_value(Expr const& e) const;
    std::optional<StaticValue> static_address(Expr const& e) const;
    std::optional<StaticValue> lvalue_address(Expr const& e) const;
    std::uint64_t truncate(std::uint64_t value, Type const* type) const;
    void layout_globals();

    // --- Function being defined --------------------------------------------------------------
    struct FunctionContext {
        Function* function = nullptr;
        Type const* return_type = nullptr;
        std::uint64_t frame = 0;
        std::map<std::string, Stmt*> labels;
        std::vector<Stmt*> gotos;
        std::vector<Stmt*> breakables;  // Loops and switches, innermost last.
        std::vector<Stmt*> loops;
        std::vector<Stmt*> switches;
        std::vector<Type const*> switch_types;
        std::vector<Stmt*> defaults;  // Per open switch: its default label, or null.
    };


    Program& m_program;
    SourceFile const* m_file = nullptr;
    std::vector<Token> m_tokens;
    std::vector<std::size_t> m_matching_paren;  // For each '(' the index of its ')', else 0.
    std::size_t m_pos = 0;
    std::size_t m_body_scope = 0;  // The scope index of the function body's outermost block.
    Origin m_origin = Origin::User;
    std::vector<Scope> m_scopes;
    std::optional<FunctionContext> m_fn;
    int m_depth = 0;
    std::vector<Decl*> m_used_functions;
};

}  // namespace forklab::lang
