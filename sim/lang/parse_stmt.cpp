// Statements (C11 6.8): each checked as it is parsed, with jumps bound to their targets.
#include "lang/parser.h"

#include "base/format.h"

#include <algorithm>

namespace forklab::lang {

#define LANG_NEST(loc)           \
    LANG_TRY(enter(loc));        \
    Nesting _nesting { m_depth }

StmtPtr Parser::new_stmt(StmtKind kind, SourceLoc loc)
{
    auto s = std::make_unique<Stmt>();
    s->kind = kind;
    s->loc = loc;
    return s;
}

LangResult<StmtPtr> Parser::statement()
{
    LANG_NEST(peek().loc);
    Token const& t = peek();
    if (t.is_punct("{"))
        return compound_statement();
    if (t.is_punct(";"))
        return new_stmt(StmtKind::Empty, advance().loc);
    if (t.kind == TokenKind::Identifier) {
        std::string const& w = t.text;
        if (w == "if")
            return if_statement();
        if (w == "while")
            return while_statement();
        if (w == "do")
            return do_statement();
        if (w == "for")
            return for_statement();
        if (w == "switch")
            return switch_statement();
        if (w == "case" || w == "default")
            return case_statement();
        if (w == "break" || w == "continue" || w == "goto")
            return jump_statement();
        if (w == "return")
            return return_statement();
        if (w == "asm" || w == "__asm__" || w == "__asm")
            return error(t.loc, "inline assembly is not supported");
        if (peek(1).is_punct(":") && !starts_type(t))
            return labeled_statement();
        if (starts_type(t))
            return error(t.loc, format("a declaration is not a statement: put it inside braces (before '{}')", w));
    }
    auto s = new_stmt(StmtKind::Expr, t.loc);
    s->expr = LANG_TRY(expression());
    LANG_TRY(expect(";"));
    return s;
}

LangResult<StmtPtr> Parser::compound_statement()
{
    LANG_NEST(peek().loc);
    SourceLoc const open = peek().loc;
    LANG_TRY(expect("{"));
    ScopeGuard scope(*this);
    auto block = new_stmt(StmtKind::Compound, open);
    while (!accept("}")) {
        if (peek().kind == TokenKind::End)
            return error(peek().loc, "expected '}' at end of input");
        block->children.push_back(LANG_TRY(block_item()));
    }
    return block;
}

// A declaration or a statement (C11 6.8.2). A name followed by ':' is a label even if it
// names a type elsewhere.
LangResult<StmtPtr> Parser::block_item()
{
    Token const& t = peek();
    if (!starts_type(t) || peek(1).is_punct(":"))
        return statement();
    if (t.is("_Static_assert"))
        return error(t.loc, "_Static_assert is not supported");
    auto const spec = LANG_TRY(declaration_specifiers());
    auto s = new_stmt(StmtKind::Decl, t.loc);
    if (accept(";"))
        return s;
    auto d = LANG_TRY(declarator(spec.type, DeclaratorKind::Named));
    if (d.type->is_function() && peek().is_punct("{"))
        return error(d.loc, "function definitions inside functions are not supported");
    LANG_TRY(init_declarators(spec, std::move(d), &s->decls));
    return s;
}

// The controlling expression of if, while, do and for: a scalar, compared with 0 (C11 6.8.4.1,
// 6.8.5p2).
LangResult<ExprPtr> Parser::condition(std::string_view what)
{
    LANG_TRY(expect("("));
    auto e = LANG_TRY(expression());
    e = LANG_TRY(scalar_value(std::move(e), what));
    LANG_TRY(expect(")"));
    return e;
}

LangResult<StmtPtr> Parser::if_statement()
{
    auto s = new_stmt(StmtKind::If, advance().loc);
    s->expr = LANG_TRY(condition("if"));
    s->body = LANG_TRY(statement());
    if (peek().is("else")) {
        advance();
        s->else_body = LANG_TRY(statement());
    }
    return s;
}

// A loop's body, in which break and continue refer to this loop.
LangResult<StmtPtr> Parser::loop_body(Stmt& loop)
{
    m_fn->breakables.push_back(&loop);
    m_fn->loops.push_back(&loop);
    auto body = statement();
    m_fn->breakables.pop_back();
    m_fn->loops.pop_back();
    return body;
}

LangResult<StmtPtr> Parser::while_statement()
{
    auto s = new_stmt(StmtKind::While, advance().loc);
    s->expr = LANG_TRY(condition("while"));
    s->body = LANG_TRY(loop_body(*s));
    return s;
}

LangResult<StmtPtr> Parser::do_statement()
{
    auto s = new_stmt(StmtKind::DoWhile, advance().loc);
    s->body = LANG_TRY(loop_body(*s));
    if (!peek().is("while"))
        return error_here(format("expected 'while' before {}", describe(peek())));
    advance();
    s->expr = LANG_TRY(condition("do"));
    LANG_TRY(expect(";"));
    return s;
}

// for (init; cond; step): a declaration in init is scoped to the loop (C11 6.8.5p5).
LangResult<StmtPtr> Parser::for_statement()
{
    auto s = new_stmt(StmtKind::For, advance().loc);
    LANG_TRY(expect("("));
    ScopeGuard scope(*this);
    if (starts_type(peek())) {
        SourceLoc const at = peek().loc;
        auto const spec = LANG_TRY(declaration_specifiers());
        if (spec.storage != Storage::None || spec.is_typedef)
            return error(at, "declaration of a non-automatic variable in a 'for' loop initial declaration");
        auto init = new_stmt(StmtKind::Decl, at);
        auto d = LANG_TRY(declarator(spec.type, DeclaratorKind::Named));
        if (d.type->is_function())
            return error(d.loc, format("declaration of non-variable '{}' in 'for' loop initial declaration", d.name));
        LANG_TRY(init_declarators(spec, std::move(d), &init->decls));
        s->init = std::move(init);
    } else if (!accept(";")) {
        auto init = new_stmt(StmtKind::Expr, peek().loc);
        init->expr = LANG_TRY(expression());
        LANG_TRY(expect(";"));
        s->init = std::move(init);
    }
    if (!peek().is_punct(";")) {
        auto e = LANG_TRY(expression());
        s->expr = LANG_TRY(scalar_value(std::move(e), "for"));
    }
    LANG_TRY(expect(";"));
    if (!peek().is_punct(")"))
        s->step = LANG_TRY(expression());
    LANG_TRY(expect(")"));
    s->body = LANG_TRY(loop_body(*s));
    return s;
}

// switch: the controlling expression is promoted, and each case value converted to its type
// (C11 6.8.4.2p5); two equal values are an error (p3).
LangResult<StmtPtr> Parser::switch_statement()
{
    auto s = new_stmt(StmtKind::Switch, advance().loc);
    LANG_TRY(expect("("));
    SourceLoc const at = peek().loc;
    auto e = LANG_TRY(expression());
    e = LANG_TRY(value(std::move(e)));
    if (!e->type->is_integer())
        return error(at, "switch quantity not an integer");
    s->expr = promote(std::move(e));
    LANG_TRY(expect(")"));
    m_fn->breakables.push_back(s.get());
    m_fn->switches.push_back(s.get());
    m_fn->switch_types.push_back(s->expr->type);
    m_fn->defaults.push_back(nullptr);
    auto body = statement();
    m_fn->breakables.pop_back();
    m_fn->switches.pop_back();
    m_fn->switch_types.pop_back();
    m_fn->defaults.pop_back();
    s->body = LANG_TRY(std::move(body));
    return s;
}

LangResult<StmtPtr> Parser::case_statement()
{
    Token const& t = advance();
    bool const is_default = t.text == "default";
    if (m_fn->switches.empty())
        return error(t.loc, is_default ? "'default' label not within a switch statement" : "case label not within a switch statement");
    Stmt* owner = m_fn->switches.back();
    auto s = new_stmt(is_default ? StmtKind::Default : StmtKind::Case, t.loc);
    if (is_default) {
        if (m_fn->defaults.back())
            return error(t.loc, "multiple default labels in one switch");
        m_fn->defaults.back() = s.get();
    } else {
        std::int64_t v = 0;
        LANG_TRY(constant_expression_value(v, "case label"));
        if (peek().is_punct("..."))
            return error_here("case ranges are not supported");
        s->case_value = std::int64_t(truncate(std::uint64_t(v), m_fn->switch_types.back()));
        for (Stmt const* other : owner->cases) {
            if (other->kind == StmtKind::Case && other->case_value == s->case_value)
                return error(t.loc, "duplicate case value");
        }
    }
    LANG_TRY(expect(":"));
    owner->cases.push_back(s.get());
    s->body = peek().is_punct("}") ? new_stmt(StmtKind::Empty, peek().loc) : LANG_TRY(statement());
    return s;
}

LangResult<StmtPtr> Parser::jump_statement()
{
    Token const& t = advance();
    StmtPtr s;
    if (t.text == "break") {
        if (m_fn->breakables.empty())
            return error(t.loc, "break statement not within loop or switch");
        s = new_stmt(StmtKind::Break, t.loc);
        s->target = m_fn->breakables.back();
    } else if (t.text == "continue") {
        if (m_fn->loops.empty())
            return error(t.loc, "continue statement not within a loop");
        s = new_stmt(StmtKind::Continue, t.loc);
        s->target = m_fn->loops.back();
    } else {
        if (peek().is_punct("*"))
            return error_here("computed goto is not supported");
        auto const* label = LANG_TRY(expect_identifier("a label name"));
        s = new_stmt(StmtKind::Goto, t.loc);
        s->label = label->text;
        m_fn->gotos.push_back(s.get());
    }
    LANG_TRY(expect(";"));
    return s;
}

LangResult<StmtPtr> Parser::return_statement()
{
    auto s = new_stmt(StmtKind::Return, advance().loc);
    Type const* result = m_fn->return_type;
    if (accept(";")) {
        if (!result->is_void())
            return error(s->loc, "'return' with no value, in function returning non-void");
        return s;
    }
    SourceLoc const at = peek().loc;
    auto e = LANG_TRY(expression());
    if (result->is_void()) {
        if (!e->type->is_void())
            return error(s->loc, "'return' with a value, in function returning void");
        s->expr = std::move(e);
    } else {
        s->expr = LANG_TRY(assign_convert(std::move(e), result, at, Conversion{ConversionContext::Return, 0, {}}));
    }
    LANG_TRY(expect(";"));
    return s;
}

LangResult<StmtPtr> Parser::labeled_statement()
{
    Token const& name = advance();
    advance();  // ':'
    auto s = new_stmt(StmtKind::Label, name.loc);
    s->label = name.text;
    if (m_fn->labels.count(name.text))
        return error(name.loc, format("duplicate label '{}'", name.text));
    m_fn->labels[name.text] = s.get();
    // A label just before '}' labels an empty statement, as C23 allows.
    s->body = peek().is_punct("}") ? new_stmt(StmtKind::Empty, peek().loc) : LANG_TRY(statement());
    return s;
}

}  // namespace forklab::lang
