// The scenario language's front end: lexing, preprocessing, declarations with C's declarator
// syntax, the type rules, layout (x86-64 System V, checked against the host's own structs), and
// one precise error for each kind of mistake. References: C11 (N1570) sections 5.1.1.2, 6.2-6.10,
// and GCC 12's wording of the same errors on this machine.
#include "lang/front_end.h"
#include "lang/lexer.h"
#include "lang/preprocessor.h"
#include "support/program.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstddef>
#include <fcntl.h>
#include <random>
#include <signal.h>
#include <string>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <vector>

using namespace forklab::lang;

namespace {

std::unique_ptr<Program> compile(std::string const& source)
{
    auto result = compile_front_end("t.c", source);
    if (!result)
        FAIL(result.error().render());
    return std::move(*result);
}

Diagnostic compile_error(std::string const& source)
{
    auto result = compile_front_end("t.c", source);
    REQUIRE_FALSE(result);
    return result.error();
}

// "line:col: message", the part of a diagnostic a test pins down.
std::string where(std::string const& source)
{
    auto const d = compile_error(source);
    return std::to_string(d.line) + ":" + std::to_string(d.column) + ": " + d.message;
}

Function const& function(Program const& p, std::string_view name)
{
    auto const* f = p.function(name);
    REQUIRE(f);
    return *f;
}

Decl const& local(Program const& p, std::string_view fn, std::string_view name)
{
    for (Decl const* d : function(p, fn).locals) {
        if (d->name == name)
            return *d;
    }
    FAIL("no local " << name);
    throw;
}

// The expression of the last expression statement in main's body.
Expr const& last_expr(Program const& p)
{
    Expr const* found = nullptr;
    for (auto const& s : function(p, "main").body->children) {
        if (s->kind == StmtKind::Expr)
            found = s->expr.get();
    }
    REQUIRE(found);
    return *found;
}

// Compiles `decls` then `expr;` inside main and returns the checked expression.
struct Checked {
    std::unique_ptr<Program> program;
    Expr const* expr = nullptr;
    std::string type() const { return type_name(expr->type); }
};

Checked check_expr(std::string const& decls, std::string const& expr)
{
    Checked c;
    c.program = compile("int main(void) { " + decls + " " + expr + "; return 0; }");
    c.expr = &last_expr(*c.program);
    return c;
}

Expr const* strip_implicit(Expr const* e)
{
    while (e->kind == ExprKind::ImplicitCast)
        e = e->lhs.get();
    return e;
}

std::uint64_t read_le(std::vector<std::uint8_t> const& data, std::uint64_t at, int size)
{
    std::uint64_t v = 0;
    for (int i = size - 1; i >= 0; --i)
        v = v << 8 | data[at + std::uint64_t(i)];
    return v;
}

}  // namespace

// --- Source positions and diagnostics -----------------------------------------------------------

TEST_CASE("source locations count lines and byte columns from 1, a tab as one column")
{
    SourceFile const f("a.c", "ab\n\tcd\r\n\nx");
    CHECK(f.line_col(SourceLoc{0}).line == 1);
    CHECK(f.line_col(SourceLoc{1}).column == 2);
    CHECK(f.line_col(SourceLoc{4}).line == 2);
    CHECK(f.line_col(SourceLoc{4}).column == 2);  // 'c' after a tab.
    CHECK(f.line_text(2) == "\tcd");              // The CR of CRLF is not shown.
    CHECK(f.line_col(SourceLoc{9}).line == 4);
    CHECK(f.line_col(SourceLoc{999}).line == 4);  // Past the end: the end.
    CHECK(f.line_count() == 4);
}

TEST_CASE("a diagnostic renders as GCC does: headline, numbered source line, caret")
{
    auto const d = compile_error("int main(void)\n{\n    x = 1;\n}\n");
    CHECK(d.render() ==
        "t.c:3:5: error: 'x' undeclared\n"
        "    3 |     x = 1;\n"
        "      |     ^\n");
    // A tab before the column stays a tab in the caret line, so the caret lines up.
    auto const t = compile_error("int main(void)\n{\n\ty = 1;\n}\n");
    CHECK(t.column == 2);
    CHECK(t.render() == "t.c:3:2: error: 'y' undeclared\n    3 | \ty = 1;\n      | \t^\n");
}

// --- Lexer -----------------------------------------------------------------------------------------

TEST_CASE("integer constants take the first type that holds them (C11 6.4.4.1)")
{
    auto const type_of = [](std::string literal) { return check_expr("", literal).type(); };
    CHECK(type_of("42") == "int");
    CHECK(type_of("2147483647") == "int");
    CHECK(type_of("2147483648") == "long");           // Decimal: never unsigned.
    CHECK(type_of("0x80000000") == "unsigned int");    // Hex: unsigned int comes before long.
    CHECK(type_of("017") == "int");
    CHECK(type_of("10u") == "unsigned int");
    CHECK(type_of("10UL") == "unsigned long");
    CHECK(type_of("10lu") == "unsigned long");
    CHECK(type_of("10ll") == "long long");
    CHECK(type_of("10uLL") == "unsigned long long");
    CHECK(type_of("0xffffffffffffffff") == "unsigned long");
    CHECK(type_of("'a'") == "int");                    // A character constant is an int.
    CHECK(check_expr("", "017").expr->value == 15);
    CHECK(check_expr("", "0x1F").expr->value == 31);
    CHECK(where("int x = 18446744073709551616;\nint main(void) { return 0; }") == "1:9: integer constant is too large for its type");
    CHECK(where("int main(void) { return 99999999999999999999; }") == "1:25: integer constant is too large for its type");
    CHECK(where("int main(void) { return 12lul; }") == "1:25: invalid suffix \"lul\" on integer constant");
    CHECK(where("int main(void) { return 09; }") == "1:25: invalid digit \"9\" in octal constant");
}

TEST_CASE("character and string escapes decode as C11 6.4.4.4 says")
{
    auto const value_of = [](std::string literal) { return std::int64_t(check_expr("", literal).expr->value); };
    CHECK(value_of("'\\n'") == 10);
    CHECK(value_of("'\\t'") == 9);
    CHECK(value_of("'\\\\'") == '\\');
    CHECK(value_of("'\\''") == '\'');
    CHECK(value_of("'\\0'") == 0);
    CHECK(value_of("'\\a'") == 7);
    CHECK(value_of("'\\v'") == 11);
    CHECK(value_of("'\\101'") == 'A');
    CHECK(value_of("'\\x41'") == 'A');
    CHECK(value_of("'\\xff'") == -1);  // char is signed on x86-64.
    auto p = compile("char const *s = \"a\\tb\\\"\\x41\\0z\" \"cd\";\nint main(void) { return 0; }");
    REQUIRE(p->strings.size() == 1);
    CHECK(p->rodata.substr(p->strings[0].offset, p->strings[0].size) == std::string("a\tb\"A\0zcd\0", 10));
    CHECK(where("int main(void) { return '\\e'; }") == "1:26: unknown escape sequence: '\\e'");
    CHECK(where("int main(void) { return '\\x100'; }") == "1:26: hex escape sequence out of range");
    CHECK(where("int main(void) { char *s = \"abc;\n}") == "1:28: missing terminating \" character");
    CHECK(where("int main(void) { return 'ab'; }") == "1:25: multi-character character constant is not supported");
}

TEST_CASE("comments are whitespace, and an unterminated one is reported where it starts")
{
    compile("// line comment\nint /* inline */ main(void) /* multi\nline */ { return 0; } // end");
    CHECK(where("int main(void) { return 0; }\n  /* never closed\n") == "2:3: unterminated comment");
}

TEST_CASE("floating point and stray characters are refused at their column")
{
    CHECK(where("int main(void) { int x = 1.5; return x; }") == "1:26: floating point is not supported");
    CHECK(where("int main(void) { int x = 1e3; return x; }") == "1:26: floating point is not supported");
    CHECK(where("int main(void) { int x = .5; return x; }") == "1:26: floating point is not supported");
    CHECK(where("int main(void) { double d; return 0; }") == "1:18: floating point is not supported");
    CHECK(where("int main(void) { return 0 @ 1; }") == "1:27: stray '@' in program");
}

TEST_CASE("every C operator and punctuator lexes")
{
    SourceFile const f("ops.c", "a->b ++ -- << >> <= >= == != && || *= /= %= += -= <<= >>= &= ^= |= ... ## [ ] ( ) { } . & * + - ~ ! / % < > ^ | ? : ; = , #");
    auto const tokens = lex(f);
    REQUIRE(tokens);
    std::vector<std::string> spelled;
    for (auto const& t : *tokens)
        spelled.push_back(t.text);
    CHECK(spelled.size() == 51);  // 50 tokens and End.
    CHECK(spelled[1] == "->");
    CHECK(spelled[18] == "<<=");
    CHECK(spelled[23] == "...");
    CHECK(spelled[49] == "#");
}

// --- Preprocessor ----------------------------------------------------------------------------------

TEST_CASE("object-like macros expand recursively, never inside their own expansion")
{
    auto p = compile(
        "#include <stdio.h>\n"
        "#include \"forklab.h\"\n"
        "#define N 4\n"
        "#define TWICE_N (N * 2)\n"
        "#define SELF SELF\n"
        "#define A B\n"
        "#define B A\n"
        "int SELF = TWICE_N;\n"
        "int A = 1;\n"
        "#undef N\n"
        "int N = 7;\n"
        "#pragma once\n"
        "int main(void) { return 0; }\n");
    REQUIRE(p->find("SELF"));
    CHECK(read_le(p->data, p->find("SELF")->offset, 4) == 8);
    CHECK(p->find("A"));  // A -> B -> A stops: the name A is declared.
    CHECK(p->find("N"));
}

TEST_CASE("conditional directives nest, with #if 0, #if 1, #ifdef, #ifndef, #elif and #else")
{
    auto p = compile(
        "#define DEBUG\n"
        "#ifdef DEBUG\n"
        "  #if 0\n"
        "    this is not C at all 1.5 @\n"
        "  #elif 1\n"
        "    int a = 1;\n"
        "  #else\n"
        "    int a = 2;\n"
        "  #endif\n"
        "#else\n"
        "  int a = 3;\n"
        "#endif\n"
        "#ifndef DEBUG\n"
        "  int b = 1;\n"
        "#else\n"
        "  int b = 2;\n"
        "#endif\n"
        "#if !defined(O_CREAT)\n"
        "  int c = 1;\n"
        "#endif\n"
        "int main(void) { return 0; }\n");
    CHECK(read_le(p->data, p->find("a")->offset, 4) == 1);
    CHECK(read_le(p->data, p->find("b")->offset, 4) == 2);
    CHECK_FALSE(p->find("c"));  // O_CREAT is a built-in macro.
}

TEST_CASE("preprocessor errors name the directive")
{
    CHECK(where("#line 10\nint main(void) { return 0; }") == "1:2: #line is not supported");
    CHECK(where("#frobnicate\nint main(void) { return 0; }") == "1:2: invalid preprocessing directive #frobnicate");
    CHECK(where("int main(void) { return 0; }\n#ifdef X\n") == "2:2: unterminated conditional directive");
    CHECK(where("#endif\n") == "1:2: #endif without #if");
    CHECK(where("#include\n") == "1:2: #include expects \"FILENAME\" or <FILENAME>");
    CHECK(where("#error stop here\n") == "1:2: #error stop here");
    CHECK(where("#if defined(A) && B\n#endif\n") == "1:2: #if expression is not supported here: use a number, a macro, or defined(NAME)");
    // A macro expands where it is used: an error in its body points at the use.
    CHECK(where("#define PI 3.14\nint main(void) { return PI; }") == "2:25: floating point is not supported");
}

// --- Function-like macros ---------------------------------------------------------------------------
//
// Each expected text below is what `gcc -E -P` (GCC 12.2) printed for the same snippet on this
// host. Both sides go through the same lexer, so the comparison is token by token: kind, text
// (a string's decoded bytes) and value.

namespace {

std::vector<std::string> tokens_after_preprocessing(std::string const& path, std::string const& source)
{
    SourceFile const file(path, source);
    auto const lexed = lex(file);
    REQUIRE(lexed);
    Preprocessor preprocessor;
    auto const out = preprocessor.run(file, *lexed);
    if (!out)
        FAIL(out.error().render());
    std::vector<std::string> described;
    for (Token const& t : *out) {
        if (t.kind == TokenKind::String)
            described.push_back("string \"" + t.text + "\"");
        else if (t.kind == TokenKind::IntLiteral || t.kind == TokenKind::CharLiteral)
            described.push_back("number " + std::to_string(t.value));
        else if (t.kind != TokenKind::End)
            described.push_back(t.text);
    }
    return described;
}

// The snippet's tokens after preprocessing equal those of GCC's output.
void expands_like_gcc(std::string const& snippet, std::string const& gcc_output, std::string const& path = "t.c")
{
    auto const ours = tokens_after_preprocessing(path, snippet);
    auto const gccs = tokens_after_preprocessing(path, gcc_output);
    CHECK(ours == gccs);
}

// "line:col: message" of the preprocessor's error for a snippet.
std::string preprocess_error(std::string const& source)
{
    SourceFile const file("t.c", source);
    auto const lexed = lex(file);
    REQUIRE(lexed);
    Preprocessor preprocessor;
    auto const out = preprocessor.run(file, *lexed);
    REQUIRE_FALSE(out);
    return std::to_string(out.error().line) + ":" + std::to_string(out.error().column) + ": " + out.error().message;
}

}  // namespace

TEST_CASE("function-like macros: calls across lines and parentheses and a name without a call")
{
    expands_like_gcc("#define MAX(a, b) ((a) > (b) ? (a) : (b))\n"
                     "#define F() 42\n"
                     "#define ID(x) x\n"
                     "#define f(x) (x + 1)\n"
                     "int m = MAX(1, MAX(2,\n"
                     "  3));\n"
                     "int z = F() + F( );\n"
                     "int p = ID((1, 2)) + ID();\n"
                     "int (*fp)(int) = f;\n"
                     "int q = f\n"
                     "(2);\n"
                     "int r = MAX(f(1), ID(f)(2));\n",
        "int m = ((1) > (((2) > (3) ? (2) : (3))) ? (1) : (((2) > (3) ? (2) : (3))));\n"
        "int z = 42 + 42;\n"
        "int p = (1, 2) + ;\n"
        "int (*fp)(int) = f;\n"
        "int q = (2 + 1);\n"
        "int r = (((1 + 1)) > ((2 + 1)) ? ((1 + 1)) : ((2 + 1)));\n");
    // A macro that expands to an unfinished call takes the rest of it from the file.
    expands_like_gcc("#define LP (\n#define F(x) x\n#define G(x) F x\nG(LP 1) )\n", "1\n");
}

TEST_CASE("# makes a string of the argument as written with its spaces collapsed and quotes escaped")
{
    expands_like_gcc("#define S(x) #x\n"
                     "#define T(x) S(x)\n"
                     "#define N 10\n"
                     "#define CHECK(x) if ((x) < 0) { perror(#x); exit(1); }\n"
                     "char const *a = S( a  +   b );\n"
                     "char const *b = S(\"a\\n\" '\\'' \"\\\\\");\n"
                     "char const *c = T(N);\n"
                     "char const *d = S(N);\n"
                     "char const *e = S();\n"
                     "char const *g = S(a/**/b\n"
                     "   c);\n"
                     "CHECK(fork())\n",
        "char const *a = \"a + b\";\n"
        "char const *b = \"\\\"a\\\\n\\\" '\\\\'' \\\"\\\\\\\\\\\"\";\n"
        "char const *c = \"10\";\n"
        "char const *d = \"N\";\n"
        "char const *e = \"\";\n"
        "char const *g = \"a b c\";\n"
        "if ((fork()) < 0) { perror(\"fork()\"); exit(1); }\n");
    // White space inside an argument comes from where its tokens were: "D(1)" is not expanded.
    expands_like_gcc("#define D(x) x x\n#define S(x) #x\n#define T(x) S(x)\nS(D(1)) T(D(a  b))\n", "\"D(1)\" \"a b a b\"\n");
}

TEST_CASE("## pastes tokens into one that is read again and placemarkers stand for empty arguments")
{
    expands_like_gcc("#define CAT(a, b) a ## b\n"
                     "#define XCAT(a, b) CAT(a, b)\n"
                     "#define V1 100\n"
                     "#define V 7\n"
                     "int CAT(var, 1) = CAT(V, 1) + XCAT(V, 1);\n"
                     "int CAT(x,) = CAT(,y) CAT(,) + CAT(0x, 1f) + CAT(-, >) CAT(<<, =);\n"
                     "#define hash_hash # ## #\n"
                     "#define mkstr(a) # a\n"
                     "#define in_between(a) mkstr(a)\n"
                     "#define join(c, d) in_between(c hash_hash d)\n"
                     "char p[] = join(x, y);\n",
        "int var1 = 100 + 71;\n"
        "int x = y + 0x1f + -> <<=;\n"
        "char p[] = \"x ## y\";\n");
    // C11 6.10.3.5 EXAMPLE 5.
    expands_like_gcc("#define t(x,y,z) x ## y ## z\n"
                     "int j[] = { t(1,2,3), t(,4,5), t(6,,7), t(8,9,),\n"
                     " t(10,,), t(,11,), t(,,12), t(,,) };\n",
        "int j[] = { 123, 45, 67, 89,\n 10, 11, 12, };\n");
}

TEST_CASE("rescanning never replaces a macro inside its own replacement: C11 6.10.3.5 examples 3 and 4")
{
    expands_like_gcc("#define x 3\n"
                     "#define f(a) f(x * (a))\n"
                     "#undef x\n"
                     "#define x 2\n"
                     "#define g f\n"
                     "#define z z[0]\n"
                     "#define h g(~\n"
                     "#define m(a) a(w)\n"
                     "#define w 0,1\n"
                     "#define t(a) a\n"
                     "#define p() int\n"
                     "#define q(x) x\n"
                     "#define r(x,y) x ## y\n"
                     "#define str(x) # x\n"
                     "f(y+1) + f(f(z)) % t(t(g)(0) + t)(1);\n"
                     "g(x+(3,4)-w) | h 5) & m\n"
                     "(f)^m(m);\n"
                     "p() i[q()] = { q(1), r(2,3), r(4,), r(,5), r(,) };\n"
                     "char c[2][6] = { str(hello), str() };\n",
        "f(2 * (y+1)) + f(2 * (f(2 * (z[0])))) % f(2 * (0)) + t(1);\n"
        "f(2 * (2 +(3,4)-0,1)) | f(2 * (~ 5)) & f(2 * (0,1))^m(0,1);\n"
        "int i[] = { 1, 23, 4, 5, };\n"
        "char c[2][6] = { \"hello\", \"\" };\n");
    expands_like_gcc("#define str(s) # s\n"
                     "#define xstr(s) str(s)\n"
                     "#define debug(s, t) printf(\"x\" # s \"= %d, x\" # t \"= %s\", \\\n"
                     " x ## s, x ## t)\n"
                     "#define INCFILE(n) vers ## n\n"
                     "#define glue(a, b) a ## b\n"
                     "#define xglue(a, b) glue(a, b)\n"
                     "#define HIGHLOW \"hello\"\n"
                     "#define LOW LOW \", world\"\n"
                     "debug(1, 2);\n"
                     "fputs(str(strncmp(\"abc\\0d\", \"abc\", '\\4') // this goes away\n"
                     " == 0) str(: @\\n), s);\n"
                     "xstr(INCFILE(2).h)\n"
                     "glue(HIGH, LOW);\n"
                     "xglue(HIGH, LOW)\n",
        "printf(\"x\" \"1\" \"= %d, x\" \"2\" \"= %s\", x1, x2);\n"
        "fputs(\"strncmp(\\\"abc\\\\0d\\\", \\\"abc\\\", '\\\\4') == 0\" \": @\\n\", s);\n"
        "\"vers2.h\"\n"
        "\"hello\";\n"
        "\"hello\" \", world\"\n");
}

TEST_CASE("variadic macros: __VA_ARGS__ and the comma GCC drops before an absent one")
{
    // C11 6.10.3.5 EXAMPLE 7.
    expands_like_gcc("#define debug(...) fprintf(stderr, __VA_ARGS__)\n"
                     "#define showlist(...) puts(#__VA_ARGS__)\n"
                     "#define report(test, ...) ((test)?puts(#test):\\\n"
                     " printf(__VA_ARGS__))\n"
                     "debug(\"Flag\");\n"
                     "debug(\"X = %d\\n\", x);\n"
                     "showlist(The first, second, and third items.);\n"
                     "report(x>y, \"x is %d but y is %d\", x, y);\n",
        "fprintf(stderr, \"Flag\");\n"
        "fprintf(stderr, \"X = %d\\n\", x);\n"
        "puts(\"The first, second, and third items.\");\n"
        "((x>y)?puts(\"x>y\"): printf(\"x is %d but y is %d\", x, y));\n");
    expands_like_gcc("#define LOG(...) printf(__VA_ARGS__)\n"
                     "#define ERR(fmt, ...) fprintf(stderr, fmt, ##__VA_ARGS__)\n"
                     "#define ONLY(...) g(0, ##__VA_ARGS__)\n"
                     "#define GNU(fmt, args...) printf(fmt, ## args)\n"
                     "#define errExit(msg) do { perror(msg); exit(EXIT_FAILURE); } while (0)\n"
                     "LOG(\"x=%d\\n\", 1);\n"
                     "ERR(\"plain\\n\");\n"
                     "ERR(\"%d %d\\n\", 1, (2, 3));\n"
                     "ERR(\"empty\\n\",);\n"
                     "ONLY() ONLY(1, 2);\n"
                     "GNU(\"a\") GNU(\"%d\", 1);\n"
                     "errExit(\"fork\");\n",
        "printf(\"x=%d\\n\", 1);\n"
        "fprintf(stderr, \"plain\\n\");\n"
        "fprintf(stderr, \"%d %d\\n\", 1, (2, 3));\n"
        "fprintf(stderr, \"empty\\n\",);\n"
        "g(0) g(0,1, 2);\n"
        "printf(\"a\") printf(\"%d\", 1);\n"
        "do { perror(\"fork\"); exit(EXIT_FAILURE); } while (0);\n");
}

TEST_CASE("__LINE__ is the line of the use and __FILE__ the file's name and NDEBUG silences assert")
{
    expands_like_gcc("#define LINE __LINE__\n"
                     "#define WHERE(x) x __LINE__ __FILE__\n"
                     "int a = __LINE__;\n"
                     "int b = LINE;\n"
                     "int c[] = { WHERE(\n"
                     "  __LINE__\n"
                     ") };\n"
                     "char const *d = __FILE__;\n"
                     "#define NDEBUG\n"
                     "#include <assert.h>\n"
                     "assert(a == 2);\n",
        "int a = 3;\n"
        "int b = 4;\n"
        "int c[] = { 6 5 \"lines.c\" };\n"
        "char const *d = \"lines.c\";\n"
        "((void) (0));\n",
        "lines.c");
    // C11 7.2p1: <assert.h> defines assert afresh by whether NDEBUG is defined at each #include.
    auto const asserts = tokens_after_preprocessing("t.c", "#define NDEBUG\n#include <assert.h>\n#undef NDEBUG\n"
                                                           "assert(x);\n#include <assert.h>\nassert(x);\n");
    auto const on = std::find(asserts.begin(), asserts.end(), ";");
    REQUIRE(on != asserts.end());
    CHECK(std::find(asserts.begin(), on, "x") == on);  // The first assert kept nothing of x.
    CHECK(std::find(on, asserts.end(), "__assert_fail") != asserts.end());
    CHECK(std::find(on, asserts.end(), "string \"x\"") != asserts.end());
    CHECK(std::find(on, asserts.end(), "string \"t.c\"") != asserts.end());
    CHECK(std::find(on, asserts.end(), "number 6") != asserts.end());
    CHECK(std::find(on, asserts.end(), "__func__") != asserts.end());
}

TEST_CASE("macro errors are placed and worded as GCC's")
{
    // Where GCC's column is the same, so is ours; GCC puts the two '#' errors at the ')' of the
    // parameter list, this preprocessor at the '#' itself.
    CHECK(preprocess_error("#define MAX(a,b) a\nMAX(1)\n") == "2:6: macro \"MAX\" requires 2 arguments, but only 1 given");
    CHECK(preprocess_error("#define MAX(a,b) a\nMAX(1,2,3)\n") == "2:10: macro \"MAX\" passed 3 arguments, but takes just 2");
    CHECK(preprocess_error("#define Z() 1\nZ(2)\n") == "2:4: macro \"Z\" passed 1 arguments, but takes just 0");
    CHECK(preprocess_error("#define L(f,g,...) f\nL(1)\n") == "2:4: macro \"L\" requires 3 arguments, but only 1 given");
    CHECK(preprocess_error("#define MAX(a,b) a\nMAX(1,\n2\n") == "3:2: unterminated argument list invoking macro \"MAX\"");
    CHECK(preprocess_error("#define S(x) #x\nS(don't)\n") == "2:9: unterminated argument list invoking macro \"S\"");
    CHECK(preprocess_error("#define H(x) #y\n") == "1:14: '#' is not followed by a macro parameter");
    CHECK(preprocess_error("#define H(x) ## x\n") == "1:14: '##' cannot appear at either end of a macro expansion");
    CHECK(preprocess_error("#define H(x) x ##\n") == "1:16: '##' cannot appear at either end of a macro expansion");
    CHECK(preprocess_error("#define H(x,x) x\n") == "1:13: duplicate macro parameter \"x\"");
    CHECK(preprocess_error("#define P(a,b) a##b\nP(+,-)\n") == "2:3: pasting \"+\" and \"-\" does not give a valid preprocessing token");
    CHECK(preprocess_error("#define P(a,b) a##b\nP(/,/)\n") == "2:3: pasting \"/\" and \"/\" does not give a valid preprocessing token");
    CHECK(preprocess_error("#define Q(x y) x\n") == "1:13: expected ',' or ')', found \"y\"");
    CHECK(preprocess_error("#define Q(x\n") == "1:12: expected ')' before end of line");
    CHECK(preprocess_error("#define Q(1) x\n") == "1:11: expected parameter name, found \"1\"");
    CHECK(preprocess_error("#define Q(a,) a\n") == "1:13: expected parameter name, found \")\"");
    CHECK(preprocess_error("#define Q(..., a) a\n") == "1:14: expected ')' after \"...\"");
    CHECK(preprocess_error("#define Q(x) __VA_ARGS__\n") == "1:14: __VA_ARGS__ can only appear in the expansion of a C99 variadic macro");
    // Through the whole front end: an error in an argument points into the argument.
    CHECK(where("#define TWICE(x) ((x) + (x))\nint main(void) { return TWICE(1 + nope); }")
        == "2:35: 'nope' undeclared");
}

TEST_CASE("macro replacement is bounded: doubling forty times and deep nesting are errors")
{
    auto const peak_kib = [] {
        rusage usage{};
        getrusage(RUSAGE_SELF, &usage);
        return usage.ru_maxrss;
    };
    long const before = peak_kib();
    std::string doubled = "#define D(x) x x\nint a[] = { ";
    for (int i = 0; i < 40; ++i)
        doubled += "D(";
    doubled += "1" + std::string(40, ')') + " };\n";
    CHECK(preprocess_error(doubled).find("macro expansion is too large") != std::string::npos);
    std::string chained = "#define D0(x) x x\n";
    for (int i = 1; i <= 40; ++i)
        chained += "#define D" + std::to_string(i) + "(x) D" + std::to_string(i - 1) + "(x) D" + std::to_string(i - 1) + "(x)\n";
    CHECK(preprocess_error(chained + "D40(1)\n").find("macro expansion is too large") != std::string::npos);
    // A trillion tokens would take far more than the host has: its peak grew by less than
    // 512 MiB, which leaves room for the 256 MiB of freed memory ASan keeps in quarantine.
    CHECK(peak_kib() - before < (512 << 10));
    // Nested calls recurse once per argument level: a deep nest is an error, not a host crash.
    std::string nested = "#define ID(x) x\n";
    for (int i = 0; i < 1000; ++i)
        nested += "ID(";
    nested += "1" + std::string(1000, ')') + "\n";
    CHECK(preprocess_error(nested).find("nested too deeply") != std::string::npos);
    std::string chain;
    for (int i = 0; i < 200; ++i)
        chain += "#define A" + std::to_string(i) + " A" + std::to_string(i + 1) + "\n";
    CHECK(preprocess_error(chain + "A0\n").find("nested too deeply") != std::string::npos);
}

TEST_CASE("macro replacement is bounded in bytes: a long string literal copied many times is an error")
{
    // Few tokens, many bytes: 64 copies of a 1 MiB literal by object-like macros, and again by
    // a function-like macro's argument. Unbounded, 4 MiB of source would make GiBs of copies.
    std::string const literal = "\"" + std::string(1 << 20, 'x') + "\"";
    std::string const copies = "#define A " + literal + "\n#define B A A A A A A A A\n#define C B B B B B B B B\n";
    CHECK(preprocess_error(copies + "char const *p = C;\n").find("macro expansion is too large") != std::string::npos);
    std::string const octuple = "#define O(x) x x x x x x x x\n";
    CHECK(preprocess_error(octuple + "char const *p = O(O(" + literal + "));\n").find("macro expansion is too large") !=
        std::string::npos);
    // Well under the bound, the same macros are fine.
    CHECK(tokens_after_preprocessing("t.c", "#define A \"" + std::string(1000, 'x') + "\"\n#define B A A A A A A A A\n"
                                            "#define C B B B B B B B B\nchar const *p = C;\n")
              .size() == 7);  // char const * p = "..." ;
}

// The same program compiled by gcc on this host and run on a terminal (`script -qc ./prog`)
// printed exactly this.
TEST_CASE("a fork program written with textbook macros prints what gcc's build of it prints")
{
    auto const r = forklab::test::run(R"(#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/wait.h>
#define CHECK(x) if ((x) < 0) { perror(#x); exit(1); }
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#define errExit(msg) do { perror(msg); exit(EXIT_FAILURE); } while (0)
#define LOG(...) printf(__VA_ARGS__)
#define SHOW(expr) printf("%s = %d\n", #expr, (int)(expr))
int main(void) {
    pid_t pid;
    CHECK(pid = fork())
    if (pid == 0) {
        LOG("child: max %d\n", MAX(3, 7));
        exit(0);
    }
    int status;
    if (waitpid(pid, &status, 0) < 0)
        errExit("waitpid");
    SHOW(WEXITSTATUS(status));
    LOG("%s:%d in %s\n", __FILE__, __LINE__, __func__);
    SHOW(sizeof __func__);
    if (waitpid(pid, &status, 0) < 0)
        errExit("waitpid again");
    return 0;
}
)");
    REQUIRE(r.ok);
    CHECK(r.output == "child: max 7\nWEXITSTATUS(status) = 0\nprog.c:21 in main\nsizeof __func__ = 5\nwaitpid again: No child processes\n");
    CHECK(WIFEXITED(r.main_status()));
    CHECK(WEXITSTATUS(r.main_status()) == EXIT_FAILURE);
}

namespace {

// glibc's __assert_fail_base format, "%s%s%s:%u: %s%sAssertion `%s' failed.\n": the program's
// short name and ": " unless it is empty, the file, the line, the function and ": " unless it
// is NULL, the expression.
std::string glibc_assert_message(std::string const& program, std::string const& file, unsigned line,
    char const* function, std::string const& expression)
{
    return program + (program.empty() ? "" : ": ") + file + ":" + std::to_string(line) + ": "
        + (function ? std::string(function) + ": " : "") + "Assertion `" + expression + "' failed.\n";
}

}  // namespace

TEST_CASE("a failed assert prints glibc's message on stderr and aborts with SIGABRT")
{
    std::string const source = R"(#include <assert.h>
#include <stdio.h>
static void check_positive(int n) {
    assert(n > 0 && "n must be \"positive\"");
}
int main(void) {
    check_positive(1);
    printf("one passed\n");
    check_positive(-1);
    printf("not reached\n");
    return 0;
}
)";
    RunOptions options;
    options.argv = {"/usr/local/bin/checker", "arg"};
    auto const r = forklab::test::run(source, options);
    REQUIRE(r.ok);
    CHECK(r.output == "one passed\n" + glibc_assert_message("checker", "prog.c", 4, "check_positive", R"(n > 0 && "n must be \"positive\"")"));
    CHECK(WIFSIGNALED(r.main_status()));
    CHECK(WTERMSIG(r.main_status()) == SIGABRT);
    // glibc leaves out what is empty: no program name for an argv[0] ending in '/', no
    // function for a NULL one.
    options.argv = {"dir/"};
    auto const bare = forklab::test::run("int main(void) { __assert_fail(\"e\", \"f.c\", 7, 0); return 0; }", options);
    REQUIRE(bare.ok);
    CHECK(bare.output == glibc_assert_message("", "f.c", 7, nullptr, "e"));
    CHECK(WTERMSIG(bare.main_status()) == SIGABRT);
}

TEST_CASE("NDEBUG before including assert.h turns assert off and a true assert passes")
{
    auto const off = forklab::test::output_of("#define NDEBUG\n#include <assert.h>\n#include <stdio.h>\n"
                                              "int main(void) { int calls = 0; assert(++calls == 5); printf(\"%d\\n\", calls); return 0; }\n");
    CHECK(off == "0\n");  // The argument is not even evaluated (C11 7.2p1).
    auto const on = forklab::test::output_of("#include <assert.h>\n#include <stdio.h>\n"
                                             "int main(void) { int calls = 0; assert(++calls == 1); printf(\"%d\\n\", calls); return 0; }\n");
    CHECK(on == "1\n");
}

TEST_CASE("__func__ is a const char array holding the function's name")
{
    auto const c = check_expr("", "__func__");
    CHECK(c.type() == "const char[5]");
    CHECK(where("int main(void) { __func__[0] = 'x'; return 0; }").find("read-only") != std::string::npos);
    CHECK(where("const char *p = __func__;\nint main(void) { return 0; }") == "1:17: '__func__' undeclared");
}

TEST_CASE("the standard headers' constants have Linux x86-64's values and types")
{
    // Each constant initializes a long global; the data image holds its value.
    auto const integer = [](std::string name) {
        auto const p = compile("long v = " + name + ";\nint main(void) { return 0; }");
        return std::int64_t(read_le(p->data, p->find("v")->offset, 8));
    };
    auto const type = [](std::string name) { return check_expr("", name).type(); };
    CHECK(integer("O_CREAT") == O_CREAT);
    CHECK(integer("O_CLOEXEC") == O_CLOEXEC);
    CHECK(integer("F_OFD_SETLKW") == F_OFD_SETLKW);
    CHECK(integer("SIGCHLD") == SIGCHLD);
    CHECK(integer("SIGRTMIN") == 34);
    CHECK(integer("SIGRTMAX") == 64);
    CHECK(integer("MAP_ANONYMOUS") == MAP_ANONYMOUS);
    CHECK(integer("MADV_WIPEONFORK") == MADV_WIPEONFORK);
    CHECK(integer("RLIMIT_NPROC") == RLIMIT_NPROC);
    CHECK(integer("EAGAIN") == EAGAIN);
    CHECK(integer("ENOTRECOVERABLE") == ENOTRECOVERABLE);
    CHECK(integer("WNOHANG") == WNOHANG);
    CHECK(integer("STDERR_FILENO") == 2);
    CHECK(integer("EXIT_FAILURE") == 1);
    CHECK(integer("INT_MIN") == INT_MIN);
    CHECK(integer("EOF") == -1);
    CHECK(type("SA_RESETHAND") == "unsigned int");  // glibc spells it 0x80000000.
    CHECK(type("RLIM_INFINITY") == "unsigned long");
    CHECK(type("SIG_IGN") == "void (*)(int)");
    CHECK(type("NULL") == "void *");
}

// --- Types and layout -----------------------------------------------------------------------------

TEST_CASE("basic types have the x86-64 System V sizes and alignments")
{
    auto const size = [](std::string type) { return check_expr("", "sizeof(" + type + ")").expr->value; };
    CHECK(size("char") == 1);
    CHECK(size("_Bool") == 1);
    CHECK(size("short") == 2);
    CHECK(size("int") == 4);
    CHECK(size("long") == 8);
    CHECK(size("long long") == 8);
    CHECK(size("unsigned long int") == 8);
    CHECK(size("int long unsigned") == 8);  // Specifiers in any order.
    CHECK(size("void *") == 8);
    CHECK(size("char[10]") == 10);
    CHECK(size("int *[3]") == 24);
    CHECK(size("int (*)[3]") == 8);
    CHECK(size("pid_t") == 4);
    CHECK(size("size_t") == 8);
    CHECK(size("sigset_t") == 8);
    CHECK(type_name(check_expr("", "sizeof(int)").expr->type) == "unsigned long");
}

TEST_CASE("struct members are laid out in order, each aligned, the size padded to the largest alignment")
{
    auto p = compile("struct s { char c; int i; char d; long l; short h; };\n"
                     "struct t { char a; struct s inner; char b[3]; };\n"
                     "struct s x; struct t y;\n"
                     "int main(void) { return 0; }\n");
    auto const& s = *p->find("x")->type->record;
    CHECK(s.find("c")->offset == 0);
    CHECK(s.find("i")->offset == 4);
    CHECK(s.find("d")->offset == 8);
    CHECK(s.find("l")->offset == 16);
    CHECK(s.find("h")->offset == 24);
    CHECK(s.size == 32);
    CHECK(s.align == 8);
    auto const& t = *p->find("y")->type->record;
    CHECK(t.find("inner")->offset == 8);
    CHECK(t.find("b")->offset == 40);
    CHECK(t.size == 48);
}

TEST_CASE("the built-in structs match glibc's x86-64 layout, except sigaction's smaller sigset_t")
{
    auto p = compile("struct rlimit r; struct timespec ts; struct timeval tv; struct itimerval it;\n"
                     "struct flock fl; struct stat st; struct sigaction sa;\n"
                     "int main(void) { return 0; }\n");
    auto const offset = [&](char const* var, char const* member) { return p->find(var)->type->record->find(member)->offset; };
    auto const size = [&](char const* var) { return p->find(var)->type->size; };
    CHECK(size("r") == sizeof(struct rlimit));
    CHECK(offset("r", "rlim_max") == offsetof(struct rlimit, rlim_max));
    CHECK(size("ts") == sizeof(struct timespec));
    CHECK(offset("ts", "tv_nsec") == offsetof(struct timespec, tv_nsec));
    CHECK(size("tv") == sizeof(struct timeval));
    CHECK(size("it") == sizeof(struct itimerval));
    CHECK(offset("it", "it_value") == offsetof(struct itimerval, it_value));
    CHECK(size("fl") == sizeof(struct flock));
    CHECK(offset("fl", "l_whence") == offsetof(struct flock, l_whence));
    CHECK(offset("fl", "l_start") == offsetof(struct flock, l_start));
    CHECK(offset("fl", "l_pid") == offsetof(struct flock, l_pid));
    CHECK(size("st") == sizeof(struct stat));
    CHECK(offset("st", "st_ino") == offsetof(struct stat, st_ino));
    CHECK(offset("st", "st_mode") == offsetof(struct stat, st_mode));
    CHECK(offset("st", "st_nlink") == offsetof(struct stat, st_nlink));
    CHECK(offset("st", "st_uid") == offsetof(struct stat, st_uid));
    CHECK(offset("st", "st_size") == offsetof(struct stat, st_size));
    // sa_handler leads, as in glibc; the model's 64-signal sigset_t is 8 bytes, not 128.
    CHECK(offset("sa", "sa_handler") == offsetof(struct sigaction, sa_handler));
    CHECK(offset("sa", "sa_mask") == 8);
    CHECK(offset("sa", "sa_flags") == 16);
    CHECK(size("sa") == 32);
}

TEST_CASE("declarators: pointers, arrays, function pointers, typedefs and prototypes")
{
    auto p = compile(
        "typedef void (*handler_t)(int);\n"
        "void (*h)(int);\n"
        "handler_t h2;\n"
        "char *argv_like[4];\n"
        "int (*row)[3];\n"
        "int grid[2][3];\n"
        "void (*signal_like(int sig, void (*func)(int)))(int);\n"
        "int (*table[2])(const char *, ...);\n"
        "const char *const names[2];\n"
        "struct node; struct node *head;\n"
        "struct node { int v; struct node *next; };\n"
        "int main(void) { return 0; }\n");
    CHECK(type_name(p->find("h")->type) == "void (*)(int)");
    CHECK(p->find("h")->type == p->find("h2")->type);  // Types are interned.
    CHECK(type_name(p->find("argv_like")->type) == "char *[4]");
    CHECK(type_name(p->find("row")->type) == "int (*)[3]");
    CHECK(type_name(p->find("grid")->type) == "int[2][3]");
    CHECK(p->find("grid")->type->size == 24);
    CHECK(type_name(p->find("signal_like")->type) == "void (*(int, void (*)(int)))(int)");
    CHECK(type_name(p->find("table")->type) == "int (*[2])(const char *, ...)");
    CHECK(type_name(p->find("names")->type) == "const char *const[2]");
    CHECK(type_name(p->find("printf")->type) == "int(const char *, ...)");
    CHECK(p->find("head")->type->base->is_complete());  // Completed by the later definition.
    CHECK(p->find("head")->type->base->size == 16);
}

TEST_CASE("enum constants are ints, counting on from the last explicit value")
{
    auto c = check_expr("enum color { RED, GREEN = 5, BLUE }; enum color c = BLUE;", "c + RED");
    CHECK(c.type() == "int");
    auto p = compile("enum { A = 1 << 3, B, C = B * 2 };\nint x[C];\nint main(void) { return 0; }");
    CHECK(p->find("x")->type->length == 18);
}

// --- Expressions: types, conversions and lvalues ----------------------------------------------------

TEST_CASE("the usual arithmetic conversions and integer promotions are explicit casts")
{
    CHECK(check_expr("char c = 1; short s = 2;", "c + s").type() == "int");
    CHECK(check_expr("int i = 1; unsigned u = 2;", "i + u").type() == "unsigned int");
    CHECK(check_expr("long l = 1; unsigned u = 2;", "l + u").type() == "long");
    CHECK(check_expr("long l = 1; unsigned long u = 2;", "l * u").type() == "unsigned long");
    CHECK(check_expr("unsigned char a = 1;", "a << 2L").type() == "int");  // Shift: the left's promoted type.
    CHECK(check_expr("unsigned char a = 1;", "~a").type() == "int");
    CHECK(check_expr("int *p = 0;", "!p").type() == "int");
    auto c = check_expr("char c = 1; int i = 2;", "c + i");
    Expr const& lhs = *c.expr->lhs;
    CHECK(lhs.kind == ExprKind::ImplicitCast);
    CHECK(lhs.cast_kind == CastKind::IntegerConversion);
    CHECK(lhs.lhs->kind == ExprKind::Ident);
    CHECK(lhs.lhs->is_lvalue);
    CHECK_FALSE(c.expr->is_lvalue);
}

TEST_CASE("lvalues: names, *p, a[i], s.m and p->m are, everything else is not")
{
    std::string const decls = "int x = 0; int a[3]; int *p = a; struct pt { int x, y; } s, *ps = &s;";
    CHECK(check_expr(decls, "x").expr->is_lvalue);
    CHECK(check_expr(decls, "*p").expr->is_lvalue);
    CHECK(check_expr(decls, "a[1]").expr->is_lvalue);
    CHECK(check_expr(decls, "s.y").expr->is_lvalue);
    CHECK(check_expr(decls, "ps->y").expr->is_lvalue);
    CHECK(check_expr(decls, "(x)").expr->is_lvalue);
    CHECK_FALSE(check_expr(decls, "x + 1").expr->is_lvalue);
    CHECK_FALSE(check_expr(decls, "x = 2").expr->is_lvalue);
    CHECK_FALSE(check_expr(decls, "x++").expr->is_lvalue);
    CHECK_FALSE(check_expr(decls, "(int)x").expr->is_lvalue);
    CHECK_FALSE(check_expr(decls, "x ? x : x").expr->is_lvalue);
    CHECK_FALSE(check_expr(decls, "&x").expr->is_lvalue);
    // a[i] is *(a + i); p->m is (*p).m.
    auto const index = check_expr(decls, "a[1]");
    CHECK(index.expr->kind == ExprKind::Unary);
    CHECK(index.expr->unary_op == UnaryOp::Deref);
    CHECK(index.expr->lhs->binary_op == BinaryOp::Add);
    CHECK(index.expr->lhs->lhs->cast_kind == CastKind::ArrayToPointer);
    auto const arrow = check_expr(decls, "ps->y");
    CHECK(arrow.expr->kind == ExprKind::Member);
    CHECK(arrow.expr->member->offset == 4);
    CHECK(arrow.expr->lhs->unary_op == UnaryOp::Deref);
}

TEST_CASE("pointer arithmetic and comparison have C's types")
{
    std::string const decls = "int a[4]; int *p = a, *q = a + 2; char *s = \"x\"; void *v = s;";
    CHECK(check_expr(decls, "p + 1").type() == "int *");
    CHECK(check_expr(decls, "1 + p").type() == "int *");
    CHECK(check_expr(decls, "q - p").type() == "long");
    CHECK(check_expr(decls, "p < q").type() == "int");
    CHECK(check_expr(decls, "v == s").type() == "int");
    CHECK(check_expr(decls, "p == 0").type() == "int");
    CHECK(check_expr(decls, "&a").type() == "int (*)[4]");
    CHECK(check_expr(decls, "*&a").type() == "int[4]");
    CHECK(check_expr(decls, "sizeof a").expr->value == 16);
    CHECK(check_expr(decls, "sizeof p").expr->value == 8);
    CHECK(check_expr(decls, "sizeof \"abc\"").expr->value == 4);
    CHECK(type_name(check_expr(decls, "p += 2").expr->compute_type) == "int *");
    CHECK(where("int main(void) { int a; char *s; return &a - s; }") == "1:44: invalid operands to binary - (have 'int *' and 'char *')");
    CHECK(where("int main(void) { int *p; char *s; return p == s; }") == "1:44: comparison of distinct pointer types ('int *' and 'char *')");
    CHECK(where("int main(void) { int *p; return p == 5; }") == "1:35: comparison between pointer and integer");
}

TEST_CASE("assignment, compound assignment, ternary, comma and casts")
{
    std::string const decls = "char c; int i; long l; unsigned u; int *p; void *v; const char *cs;";
    auto const assign = check_expr(decls, "c = i");
    CHECK(assign.type() == "char");
    CHECK(assign.expr->rhs->cast_kind == CastKind::IntegerConversion);
    auto const compound = check_expr(decls, "c += l");
    CHECK(compound.expr->binary_op == BinaryOp::Add);
    CHECK(type_name(compound.expr->compute_type) == "long");
    CHECK(type_name(check_expr(decls, "u >>= 1").expr->compute_type) == "unsigned int");
    CHECK(check_expr(decls, "i ? l : u").type() == "long");
    CHECK(check_expr(decls, "i ? p : 0").type() == "int *");
    CHECK(check_expr(decls, "i ? v : p").type() == "void *");
    CHECK(check_expr(decls, "(i, l)").type() == "long");
    CHECK(check_expr(decls, "(char)l").expr->cast_kind == CastKind::IntegerConversion);
    CHECK(check_expr(decls, "(long)p").expr->cast_kind == CastKind::PointerToInteger);
    CHECK(check_expr(decls, "(int *)l").expr->cast_kind == CastKind::NullToPointer);
    CHECK(check_expr(decls, "(void)i").expr->cast_kind == CastKind::ToVoid);
    CHECK(check_expr(decls, "p = v").expr->rhs->cast_kind == CastKind::PointerToPointer);
    auto const chain = check_expr("int a, b, c;", "a = b = c");
    CHECK(chain.expr->rhs->kind == ExprKind::Assign);  // Right-associative.
    auto const sum = check_expr("int a, b, c;", "a - b - c");
    CHECK(sum.expr->lhs->binary_op == BinaryOp::Sub);  // Left-associative.
    auto const prec = check_expr("int a, b, c;", "a + b * c << 1 < 3 == 1 & 1 ^ 1 | 1 && 1 || 0");
    CHECK(prec.expr->binary_op == BinaryOp::LogicalOr);
    CHECK(prec.expr->lhs->binary_op == BinaryOp::LogicalAnd);
    CHECK(prec.expr->lhs->lhs->binary_op == BinaryOp::BitOr);
}

TEST_CASE("identifiers resolve to their declarations, inner scopes shadowing outer ones")
{
    auto p = compile("int x = 1;\n"
                     "int f(int x) { { int x = 3; return x; } }\n"
                     "int main(void) { int y = x; static int z; return f(y) + z + errno; }\n");
    auto const& f = function(*p, "f");
    REQUIRE(f.params.size() == 1);
    CHECK(f.params[0]->kind == DeclKind::Param);
    Stmt const& inner = *f.body->children[0];
    Stmt const& ret = *inner.children[1];
    Expr const* x = strip_implicit(ret.expr.get());
    CHECK(x->decl->kind == DeclKind::Local);
    CHECK(x->decl == inner.children[0]->decls[0]);
    Decl const& y = local(*p, "main", "y");
    CHECK(strip_implicit(y.init[0].value.get())->decl == p->find("x"));
    CHECK(p->find("x")->kind == DeclKind::Global);
    CHECK(p->find("errno")->kind == DeclKind::BuiltinVariable);
    CHECK(p->find("printf")->kind == DeclKind::Builtin);
    CHECK(p->find("printf")->type->variadic == Variadic::Yes);
    CHECK(p->find("f")->kind == DeclKind::Function);
}

TEST_CASE("parameters then locals get aligned frame slots, and the frame is a multiple of 16")
{
    auto p = compile("int f(char a, long b) { char c; int d[3]; struct { char x; long y; } s; { short e; } return a + b + c + d[0] + s.x; }\n"
                     "int main(void) { return f(1, 2); }\n");
    auto const& f = function(*p, "f");
    CHECK(f.params[0]->offset == 0);
    CHECK(f.params[1]->offset == 8);
    CHECK(local(*p, "f", "c").offset == 16);
    CHECK(local(*p, "f", "d").offset == 20);
    CHECK(local(*p, "f", "s").offset == 32);
    CHECK(local(*p, "f", "e").offset == 48);
    CHECK(f.frame_size == 64);
    CHECK(function(*p, "main").frame_size == 0);
}

TEST_CASE("globals are laid out in data or bss, with relocations for addresses and rodata for strings")
{
    auto p = compile("int zero;\n"
                     "int answer = 42;\n"
                     "static char big[100];\n"
                     "long neg = -2;\n"
                     "char *msg = \"hi\";\n"
                     "int *ptr = &answer;\n"
                     "void handler(int sig) { (void)sig; }\n"
                     "void (*h)(int) = handler;\n"
                     "int arr[4] = { 1, [3] = 9 };\n"
                     "char word[8] = \"fork\";\n"
                     "int *mid = &arr[2];\n"
                     "int main(void) { static int calls = 3; return calls + zero + big[0]; }\n");
    CHECK(p->find("zero")->section == Section::Bss);
    CHECK(p->find("big")->section == Section::Bss);
    CHECK(p->find("answer")->section == Section::Data);
    CHECK(p->bss_size >= 104);
    auto const at = [&](char const* name) { return p->find(name)->offset; };
    CHECK(read_le(p->data, at("answer"), 4) == 42);
    CHECK(read_le(p->data, at("neg"), 8) == std::uint64_t(-2));
    CHECK(read_le(p->data, at("arr") + 0, 4) == 1);
    CHECK(read_le(p->data, at("arr") + 4, 4) == 0);
    CHECK(read_le(p->data, at("arr") + 12, 4) == 9);
    CHECK(std::string(p->data.begin() + std::ptrdiff_t(at("word")), p->data.begin() + std::ptrdiff_t(at("word") + 8)) == std::string("fork\0\0\0\0", 8));
    CHECK(at("msg") % 8 == 0);
    REQUIRE(p->relocations.size() == 4);
    auto const& r_msg = p->relocations[0];
    CHECK(r_msg.offset == at("msg"));
    CHECK(r_msg.target == RelocationTarget::Rodata);
    CHECK(p->rodata.substr(std::size_t(r_msg.addend), 3) == std::string("hi\0", 3));
    CHECK(p->relocations[1].target == RelocationTarget::Global);
    CHECK(p->relocations[1].decl == p->find("answer"));
    CHECK(p->relocations[2].target == RelocationTarget::Function);
    CHECK(p->relocations[2].decl == p->find("handler"));
    CHECK(p->relocations[3].decl == p->find("arr"));
    CHECK(p->relocations[3].addend == 8);
    // A static local is a global with its own storage, initialized once.
    Decl const* calls = p->globals.back();
    CHECK(calls->name == "calls");
    CHECK(calls->section == Section::Data);
    CHECK(read_le(p->data, calls->offset, 4) == 3);
}

TEST_CASE("initializers: nested braces, brace elision, designators, strings, unknown lengths")
{
    auto p = compile("struct pt { int x, y; };\n"
                     "struct line { struct pt a, b; char tag[4]; };\n"
                     "int main(void) {\n"
                     "  int m[2][3] = { 1, 2, 3, 4 };\n"
                     "  struct line l = { {1, 2}, .b.y = 7, .tag = \"ab\" };\n"
                     "  char s[] = \"hello\";\n"
                     "  int u[] = { [5] = 1, 2 };\n"
                     "  struct pt ps[] = { 1, 2, 3, 4, 5 };\n"
                     "  char *args[] = { \"ls\", \"-l\", NULL };\n"
                     "  struct pt copy = l.a;\n"
                     "  int one = { 1 };\n"
                     "  return m[0][0] + s[0] + u[0] + ps[0].x + copy.x + one + (args[2] == 0);\n"
                     "}\n");
    Decl const& m = local(*p, "main", "m");
    REQUIRE(m.init.size() == 4);
    CHECK(m.init[3].offset == 12);  // The 4th value starts row 1 (brace elision).
    Decl const& l = local(*p, "main", "l");
    REQUIRE(l.init.size() == 4);
    CHECK(l.init[1].offset == 4);
    CHECK(l.init[2].offset == 12);  // .b.y
    CHECK(l.init[3].type->is_array());
    CHECK(l.init[3].value->kind == ExprKind::StringLiteral);
    CHECK(local(*p, "main", "s").type->length == 6);
    CHECK(local(*p, "main", "u").type->length == 7);
    CHECK(local(*p, "main", "u").init[1].offset == 24);
    CHECK(local(*p, "main", "ps").type->length == 3);
    CHECK(local(*p, "main", "args").type->length == 3);
    CHECK(local(*p, "main", "copy").init[0].type->is_struct());
    CHECK(where("int main(void) { int a[2] = { 1, 2, 3 }; return 0; }") == "1:37: excess elements in array initializer");
    CHECK(where("struct p { int x; };\nint main(void) { struct p v = { 1, 2 }; return 0; }") == "2:36: excess elements in struct initializer");
    CHECK(where("int main(void) { char s[3] = \"abcd\"; return 0; }") == "1:30: initializer-string for array of 'char' is too long");
    CHECK(where("struct p { int x; };\nint main(void) { struct p v = { .z = 1 }; return 0; }") == "2:34: 'struct p' has no member named 'z'");
    CHECK(where("int main(void) { int a[2] = { [2] = 1 }; return 0; }") == "1:32: array index in initializer exceeds array bounds");
    CHECK(where("int g;\nint x = g;\nint main(void) { return 0; }") == "2:9: initializer element is not constant");
}

TEST_CASE("statements: loops, switch cases, jumps bound to their targets")
{
    auto p = compile("int main(void) {\n"
                     "  int n = 0;\n"
                     "  for (int i = 0; i < 3; i++) { if (i == 1) continue; n += i; }\n"
                     "  while (n > 0) { n--; if (n == 2) break; }\n"
                     "  do n++; while (n < 5);\n"
                     "  switch (n) { case 1: n = 2; break; case 'a': default: n = 0; }\n"
                     "  goto done;\n"
                     "done:\n"
                     "  return n;\n"
                     "}\n");
    auto const& body = function(*p, "main").body->children;
    Stmt const& loop = *body[1];
    CHECK(loop.kind == StmtKind::For);
    CHECK(loop.init->kind == StmtKind::Decl);
    Stmt const& cont = *loop.body->children[0]->body;
    CHECK(cont.kind == StmtKind::Continue);
    CHECK(cont.target == &loop);
    Stmt const& brk = *body[2]->body->children[1]->body;
    CHECK(brk.target == body[2].get());
    Stmt const& sw = *body[4];
    REQUIRE(sw.cases.size() == 3);
    CHECK(sw.cases[0]->case_value == 1);
    CHECK(sw.cases[1]->case_value == 'a');
    CHECK(sw.cases[2]->kind == StmtKind::Default);
    CHECK(body[5]->kind == StmtKind::Goto);
    CHECK(body[5]->target == body[6].get());
    CHECK(body[6]->label == "done");
}

// --- Errors: one precise message each ------------------------------------------------------------

TEST_CASE("checker errors name the problem at its line and column")
{
    struct Case {
        char const* source;
        char const* expected;
    };
    Case const cases[] = {
        {"int main(void) { return y; }", "1:25: 'y' undeclared"},
        {"int main(void) { foo(1); return 0; }", "1:18: implicit declaration of function 'foo'"},
        {"int main(void) { int x; int x; return 0; }", "1:29: redeclaration of 'x' with no linkage"},
        {"int x = 1;\nint x = 2;\nint main(void) { return 0; }", "2:5: redefinition of 'x'"},
        {"int x;\nlong x;\nint main(void) { return 0; }", "2:6: conflicting types for 'x'; have 'long'"},
        {"int f(int);\nint f(long a) { return 0; }\nint main(void) { return 0; }", "2:5: conflicting types for 'f'; have 'int(long)'"},
        {"int f(void) { return 0; }\nint f(void) { return 1; }\nint main(void) { return 0; }", "2:5: redefinition of 'f'"},
        {"int main(void) { 5 = 3; return 0; }", "1:20: lvalue required as left operand of assignment"},
        {"int main(void) { int x; (x + 1)++; return 0; }", "1:32: lvalue required as increment operand"},
        {"int main(void) { return *&5; }", "1:26: lvalue required as unary '&' operand"},
        {"int main(void) { const int c = 1; c = 2; return 0; }", "1:37: assignment of read-only variable 'c'"},
        {"int main(void) { const int c = 1; c++; return 0; }", "1:36: increment of read-only variable 'c'"},
        {"int main(void) { int a[2], b[2]; a = b; return 0; }", "1:36: assignment to expression with array type"},
        {"int main(void) { int x; x(); return 0; }", "1:25: called object 'x' is not a function or function pointer"},
        {"int f(int a, int b) { return a + b; }\nint main(void) { return f(1); }", "2:25: too few arguments to function 'f'"},
        {"int f(int a) { return a; }\nint main(void) { return f(1, 2); }", "2:30: too many arguments to function 'f'"},
        {"int main(void) { return getpid(1); }", "1:32: too many arguments to function 'getpid'"},
        {"struct point { int x, y; };\nint main(void) { struct point p; return p.z; }", "2:43: 'struct point' has no member named 'z'"},
        {"int main(void) { int x; return x.y; }", "1:33: request for member 'y' in something not a structure"},
        {"int main(void) { int x; return x->y; }", "1:33: invalid type argument of '->' (have 'int')"},
        {"struct s;\nint main(void) { return sizeof(struct s); }", "2:25: invalid application of 'sizeof' to incomplete type 'struct s'"},
        {"struct s;\nint main(void) { struct s v; return 0; }", "2:27: storage size of 'v' isn't known"},
        {"int main(void) { int *p = 5; return 0; }", "1:27: initialization of 'int *' from 'int' makes pointer from integer without a cast"},
        {"int main(void) { int *p; char *s = \"\"; p = s; return 0; }", "1:44: assignment to 'int *' from incompatible pointer type 'char *'"},
        {"int main(void) { int x; int *p = &x; x = p; return 0; }", "1:42: assignment to 'int' from 'int *' makes integer from pointer without a cast"},
        {"int main(void) { int x = 0; return wait(x); }", "1:41: passing argument 1 of 'wait' makes pointer from integer without a cast"},
        {"struct p { int x; };\nint main(void) { struct p v; int i = v; return i; }", "2:38: incompatible types when initializing type 'int' using type 'struct p'"},
        {"int main(void) { break; }", "1:18: break statement not within loop or switch"},
        {"int main(void) { switch (1) { case 1: continue; } return 0; }", "1:39: continue statement not within a loop"},
        {"int main(void) { case 1: return 0; }", "1:18: case label not within a switch statement"},
        {"int main(void) { int x = 1; switch (x) { case 1: case 1: break; } return 0; }", "1:50: duplicate case value"},
        {"int main(void) { int x = 1; switch (x) { default: default: break; } return 0; }", "1:51: multiple default labels in one switch"},
        {"int main(void) { int x = 1; switch (x) { case x: break; } return 0; }", "1:47: case label is not an integer constant expression"},
        {"void f(void) { return 1; }\nint main(void) { return 0; }", "1:16: 'return' with a value, in function returning void"},
        {"int f(void) { return; }\nint main(void) { return 0; }", "1:15: 'return' with no value, in function returning non-void"},
        {"int main(void) { goto nowhere; }", "1:18: label 'nowhere' used but not defined"},
        {"int main(void) { a: a: return 0; }", "1:21: duplicate label 'a'"},
        {"int main(void) { int n = 3; int a[n]; return 0; }", "1:35: variable-length arrays are not supported"},
        {"int a[-1];\nint main(void) { return 0; }", "1:7: size of array is negative"},
        {"int a[1024 * 1024 * 1024 * 4L];\nint main(void) { return 0; }", "1:6: size of array 'a' is too large"},
        {"struct s { int a; int a; };\nint main(void) { return 0; }", "1:23: duplicate member 'a'"},
        {"struct s { int a; };\nstruct s { int b; };\nint main(void) { return 0; }", "2:1: redefinition of 'struct s'"},
        {"int main(void) { void v; return 0; }", "1:23: variable 'v' declared void"},
        {"int main(void) { int x; return *x; }", "1:32: invalid type argument of unary '*' (have 'int')"},
        {"int main(void) { void *p = 0; return *p; }", "1:38: dereferencing 'void *' pointer"},
        {"int main(void) { int x = 1 return x; }", "1:28: expected ',' or ';' before 'return'"},
        {"int main(void) { return (1 + 2; }", "1:31: expected ')' before ';'"},
        {"int main(void) { return 0;", "1:27: expected '}' at end of input"},
        {"int f(a, b) int a, b; { return a; }\nint main(void) { return 0; }", "1:7: old-style (K&R) parameter lists are not supported: declare each parameter's type"},
        {"int f(foo x) { return 0; }\nint main(void) { return 0; }", "1:7: unknown type name 'foo'"},
        {"int main(void) { int x = sizeof(int (void)); return x; }", "1:26: invalid application of 'sizeof' to a function type"},
        {"long long long x;\nint main(void) { return 0; }", "1:11: 'long long long' is too long"},
        {"signed unsigned x;\nint main(void) { return 0; }", "1:8: both 'signed' and 'unsigned' in declaration specifiers"},
        {"int main(void) { if (1) int x = 1; return 0; }", "1:25: a declaration is not a statement: put it inside braces (before 'int')"},
        {"int main(void) { int *p; return p * 2; }", "1:35: invalid operands to binary * (have 'int *' and 'int')"},
        {"int main(void) { int x = 1; int *p = &x; return (p ? p : 1) != 0; }", "1:52: type mismatch in conditional expression"},
        {"int printf(int);\nint main(void) { return 0; }", "1:5: conflicting types for 'printf'; have 'int(int)'"},
        {"long getpid(void) { return 1; }\nint main(void) { return 0; }", "1:6: conflicting types for 'getpid'; have 'long(void)'"},
        {"int fork(void) { return 1; }\nint main(void) { return 0; }", "1:5: 'fork' is a library function here and cannot be redefined"},
        {"int helper(void);\nint main(void) { return helper(); }", "1:5: undefined reference to 'helper'"},
        {"int f(void) { return 0; }", "1:26: undefined reference to 'main'"},
    };
    for (auto const& c : cases) {
        CAPTURE(c.source);
        CHECK(where(c.source) == c.expected);
    }
}

TEST_CASE("features outside the subset are refused with a message that names them")
{
    struct Case {
        char const* source;
        char const* expected;
    };
    Case const cases[] = {
        {"union u { int a; char b; };\nint main(void) { return 0; }", "1:1: unions are not supported"},
        {"struct s { int a : 3; };\nint main(void) { return 0; }", "1:18: bit-fields are not supported"},
        {"float f;\nint main(void) { return 0; }", "1:1: floating point is not supported"},
        {"long double d;\nint main(void) { return 0; }", "1:6: long double is not supported"},
        {"_Complex int c;\nint main(void) { return 0; }", "1:1: complex types are not supported"},
        {"_Thread_local int t;\nint main(void) { return 0; }", "1:1: _Thread_local is not supported"},
        {"int sum(int n, ...) { return n; }\nint main(void) { return 0; }", "1:16: variadic functions are not supported"},
        {"int log_it(const char *f, ...);\nint main(void) { return 0; }", "1:27: variadic functions are not supported"},
        {"int main(void) { asm(\"nop\"); return 0; }", "1:18: inline assembly is not supported"},
        {"int main(void) { return _Generic(1, int: 2); }", "1:25: _Generic is not supported"},
        {"struct p { int x; };\nint main(void) { struct p *q = &(struct p){ 1 }; return 0; }", "2:33: compound literals are not supported"},
        {"int main(void) { int x = ({ 1; }); return x; }", "1:26: statement expressions are not supported"},
        {"int main(void) { int x = 1 ?: 2; return x; }", "1:28: the GNU '?:' shorthand is not supported"},
        {"int main(void) { int x = 1; switch (x) { case 1 ... 3: break; } return 0; }", "1:49: case ranges are not supported"},
        {"int main(void) { void *p = &&done; done: return 0; }", "1:28: labels as values are not supported"},
        {"struct s { int n; int data[]; };\nint main(void) { return 0; }", "1:23: flexible array members are not supported"},
        {"int main(void) { int f(void) { return 1; } return f(); }", "1:22: function definitions inside functions are not supported"},
    };
    for (auto const& c : cases) {
        CAPTURE(c.source);
        CHECK(where(c.source) == c.expected);
    }
}

TEST_CASE("main may take no arguments, argc and argv, or argc, argv and envp")
{
    CHECK(compile("int main(void) { return 0; }")->main_form == MainForm::NoArgs);
    CHECK(compile("int main() { return 0; }")->main_form == MainForm::NoArgs);
    CHECK(compile("main() { return 0; }")->main_form == MainForm::NoArgs);  // C89 implicit int.
    CHECK(compile("int main(int argc, char *argv[]) { return argc; }")->main_form == MainForm::ArgcArgv);
    CHECK(compile("int main(int argc, char **argv) { return argv[0][0]; }")->main_form == MainForm::ArgcArgv);
    CHECK(compile("int main(int argc, char **argv, char **envp) { return 0; }")->main_form == MainForm::ArgcArgvEnvp);
    auto const p = compile("int main(int argc, char *argv[]) { return argc; }");
    CHECK(type_name(p->main->type) == "int(int, char **)");
    CHECK(where("int main(int argc) { return 0; }") ==
        "1:5: 'main' must be 'int main(void)', 'int main(int argc, char *argv[])' or 'int main(int argc, char *argv[], char *envp[])'");
    CHECK(where("char *main(void) { return 0; }").find("'main' must be") != std::string::npos);
}

// --- Textbook programs ------------------------------------------------------------------------------

namespace {

char const* const kForkTwice = R"(#include <stdio.h>
#include <unistd.h>

int main()
{
    fork();
    fork();
    printf("hello\n");
    return 0;
}
)";

char const* const kForkLoop = R"(#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define N 3

int main(void)
{
    for (int i = 0; i < N; i++) {
        pid_t pid = fork();
        if (pid < 0) {
            perror("fork");
            exit(EXIT_FAILURE);
        } else if (pid == 0) {
            printf("child %d: pid %d parent %d\n", i, getpid(), getppid());
            exit(0);
        }
    }
    while (wait(NULL) > 0)
        ;
    return 0;
}
)";

char const* const kUnflushed = R"(#include <stdio.h>
#include <unistd.h>

int main(void)
{
    printf("hello");
    fork();
    printf("\n");
    return 0;
}
)";

char const* const kForkExecWait = R"(#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char *argv[])
{
    char *args[] = {"wc", "-l", NULL};
    pid_t pid = fork();
    if (pid == 0) {
        execvp(args[0], args);
        perror("execvp");
        _exit(127);
    }
    int status;
    if (waitpid(pid, &status, 0) == -1) {
        perror("waitpid");
        return 1;
    }
    if (WIFEXITED(status))
        printf("child exited with %d\n", WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        printf("child killed by signal %d\n", WTERMSIG(status));
    execl("/bin/echo", "echo", "done", (char *)NULL);
    return argc > 1 ? atoi(argv[1]) : 0;
}
)";

char const* const kPipeline = R"(#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    int fd[2];
    if (pipe(fd) == -1) {
        perror("pipe");
        return 1;
    }
    if (fork() == 0) {
        dup2(fd[1], STDOUT_FILENO);
        close(fd[0]);
        close(fd[1]);
        execlp("ls", "ls", (char *) 0);
        _exit(1);
    }
    if (fork() == 0) {
        dup2(fd[0], 0);
        close(fd[0]); close(fd[1]);
        execlp("wc", "wc", "-l", NULL);
        _exit(1);
    }
    close(fd[0]);
    close(fd[1]);
    wait(NULL); wait(NULL);
    close(1);
    open("/tmp/out", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    char buf[64];
    int n = read(0, buf, sizeof buf - 1);
    if (n > 0) { buf[n] = '\0'; write(1, buf, strlen(buf)); }
    (void)argc; (void)argv;
    return 0;
}
)";

char const* const kSigaction = R"(#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t got = 0;

static void handler(int sig)
{
    got = sig;
    write(STDOUT_FILENO, "caught\n", 7);
}

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = handler;
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGUSR2);
    sa.sa_flags = SA_RESTART;
    if (sigaction(SIGUSR1, &sa, NULL) == -1) {
        perror("sigaction");
        return 1;
    }
    signal(SIGINT, SIG_IGN);
    sighandler_t previous = signal(SIGTERM, SIG_DFL);
    void (*old)(int) = signal(SIGCHLD, handler);
    if (old == SIG_ERR || previous == SIG_ERR)
        return 1;
    kill(getpid(), SIGUSR1);
    while (!got)
        pause();
    printf("got %d\n", got);
    return 0;
}
)";

char const* const kRlimit = R"(#include <errno.h>
#include <stdio.h>
#include <sys/resource.h>
#include <unistd.h>

int main(void)
{
    struct rlimit rl;
    getrlimit(RLIMIT_NPROC, &rl);
    rl.rlim_cur = 5;
    if (setrlimit(RLIMIT_NPROC, &rl) != 0) {
        perror("setrlimit");
        return 1;
    }
    struct rlimit unlimited = { RLIM_INFINITY, RLIM_INFINITY };
    (void)unlimited;
    int forks = 0;
    for (;;) {
        pid_t p = fork();
        if (p < 0) {
            if (errno == EAGAIN)
                printf("EAGAIN after %d forks\n", forks);
            break;
        }
        if (p == 0) {
            pause();
            _exit(0);
        }
        forks++;
    }
    return 0;
}
)";

char const* const kStructs = R"(#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct point { int x, y; };
struct node {
    int value;
    struct node *next;
    char name[16];
};
typedef struct node Node;

static struct point origin = { 0, 0 };
struct point corners[2] = { {1, 2}, { .y = 4, .x = 3 } };
const char *names[] = { "zero", "one", "two" };
int table[2][3] = { 1, 2, 3, 4, 5, 6 };
char greeting[] = "hello";

enum color { RED, GREEN = 5, BLUE };

Node *push(Node *head, int v)
{
    Node *n = malloc(sizeof *n);
    n->value = v;
    n->next = head;
    strcpy(n->name, "node");
    return n;
}

int sum(Node const *n)
{
    int s = 0;
    for (; n != NULL; n = n->next)
        s += n->value;
    return s;
}

int main(void)
{
    Node *list = NULL;
    for (int i = 0; i < 3; ++i)
        list = push(list, i);
    struct point p = corners[1];
    p.x += origin.x;
    struct point *pp = &p;
    pp->y *= 2;
    printf("%d %d %d %s %d\n", sum(list), p.x, pp->y, names[BLUE - 5], table[1][2]);
    switch (p.x) {
    case RED: puts("red"); break;
    case GREEN:
    case BLUE: puts("green or blue"); break;
    default: break;
    }
    unsigned long long big = 0xffffffffffffffffULL;
    long n = sizeof(struct node) + sizeof greeting;
    return (int)(big & n) - 1 == 0 ? 0 : 1;
}
)";

std::vector<char const*> const kClassics = {
    kForkTwice, kForkLoop, kUnflushed, kForkExecWait, kPipeline, kSigaction, kRlimit, kStructs,
};

}  // namespace

TEST_CASE("the classic textbook fork programs compile cleanly")
{
    for (char const* source : kClassics) {
        CAPTURE(source);
        auto const result = compile_front_end("classic.c", source);
        if (!result)
            FAIL(result.error().render());
        CHECK((*result)->main);
    }
    auto const p = compile(kStructs);
    CHECK(p->find("corners")->type->size == 16);
    CHECK(read_le(p->data, p->find("corners")->offset + 8, 4) == 3);  // .x = 3 after .y = 4.
    CHECK(read_le(p->data, p->find("table")->offset + 20, 4) == 6);
    CHECK(p->find("greeting")->type->length == 6);
    auto const s = compile(kSigaction);
    CHECK(s->find("got")->type->is_integer());
    CHECK(function(*s, "handler").params[0]->type->kind == TypeKind::Int);
}

// --- Robustness ---------------------------------------------------------------------------------------

TEST_CASE("deep nesting and huge expressions are errors, never a host stack overflow")
{
    auto const parens = [](int n) { return "int main(void) { return " + std::string(std::size_t(n), '(') + "1" + std::string(std::size_t(n), ')') + "; }"; };
    compile(parens(100));
    CHECK(where(parens(300)).find("nesting too deep") != std::string::npos);
    CHECK(where(parens(100000)).find("nesting too deep") != std::string::npos);
    auto const blocks = [](int n) { return "int main(void) " + std::string(std::size_t(n), '{') + std::string(std::size_t(n), '}'); };
    CHECK(where(blocks(1000) + " int x;").find("nesting too deep") != std::string::npos);
    std::string chain = "int main(void) { int a = 1; return a";
    for (int i = 0; i < 5000; ++i)
        chain += " + a";
    CHECK(where(chain + "; }").find("expression too complex") != std::string::npos);
    std::string minus = "int main(void) { return " + std::string(5000, '-') + "1; }";
    CHECK(where(minus).find("nesting too deep") != std::string::npos);
    CHECK(where("int (" + std::string(5000, '*') + std::string(3000, '(') + "x" + std::string(3000, ')') + ");\nint main(void) { return 0; }").find("too deep") != std::string::npos);
    // Exponential macro growth stops at a size limit.
    std::string macros;
    for (int i = 0; i < 40; ++i)
        macros += "#define M" + std::to_string(i + 1) + " M" + std::to_string(i) + " M" + std::to_string(i) + "\n";
    CHECK(where(macros + "int main(void) { M40; }").find("too large") != std::string::npos);
    CHECK(where("char huge[1 << 30][4];\nint main(void) { return 0; }").find("too large") != std::string::npos);
}

namespace {

// Every outcome is a program or a diagnostic that points inside the file.
void check_outcome(std::string const& source)
{
    auto const result = compile_front_end("fuzz.c", source);
    if (result)
        return;
    SourceFile const file("fuzz.c", source);
    Diagnostic const& d = result.error();
    CHECK(d.line >= 1);
    CHECK(d.line <= file.line_count());
    CHECK(d.column >= 1);
    CHECK(std::size_t(d.column) <= file.line_text(d.line).size() + 1);
    CHECK_FALSE(d.render().empty());
}

}  // namespace

TEST_CASE("fuzz: mutated textbook programs and random bytes give a program or a placed diagnostic")
{
    std::mt19937 rng(20240605);
    auto const pick = [&](std::size_t n) { return std::size_t(rng() % std::max<std::size_t>(n, 1)); };
    for (char const* base : kClassics) {
        SourceFile const file("base.c", base);
        auto const tokens = lex(file);
        REQUIRE(tokens);
        // Token boundaries (offset, length), to cut and paste whole tokens.
        std::vector<std::pair<std::size_t, std::size_t>> spans;
        for (auto const& t : *tokens) {
            if (t.kind == TokenKind::End)
                break;
            std::size_t end = t.loc.offset;
            while (end < file.text().size() && !std::isspace(static_cast<unsigned char>(file.text()[end])))
                ++end;
            spans.emplace_back(t.loc.offset, end - t.loc.offset);
        }
        for (int round = 0; round < 150; ++round) {
            std::string text(base);
            int const edits = 1 + int(pick(4));
            for (int e = 0; e < edits && !spans.empty(); ++e) {
                auto const [at, len] = spans[pick(spans.size())];
                if (at + len > text.size())
                    continue;
                switch (pick(4)) {
                case 0: text.erase(at, len); break;                                     // Delete a token.
                case 1: text.insert(at, text.substr(at, len) + " "); break;             // Duplicate it.
                case 2: {                                                                // Insert another.
                    auto const [from, n] = spans[pick(spans.size())];
                    text.insert(at, std::string(base).substr(from, n) + " ");
                    break;
                }
                default: text[at] = "(){};,*&[]\"'#/\\"[pick(15)]; break;              // Corrupt a byte.
                }
            }
            CAPTURE(text);
            check_outcome(text);
        }
    }
    for (int round = 0; round < 300; ++round) {
        std::string text(pick(200), '\0');
        for (auto& c : text)
            c = char(rng() & 0xff);
        check_outcome(text);
        std::string printable(pick(200), ' ');
        for (auto& c : printable)
            c = " \n\t(){}[];,*&+-=<>!#\"'/\\0123456789abcdefintmaxreturn"[pick(51)];
        check_outcome("int main(void) {" + printable);
    }
}
