#include "native/verify.h"

#include "base/format.h"
#include "explore/outcomes.h"
#include "native/compile.h"
#include "native/normalise.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <sys/stat.h>
#include <sys/wait.h>

namespace forklab::native {

namespace {

std::filesystem::path include_dir_for(std::filesystem::path const& bin_dir)
{
    std::error_code ec;
    auto const beside = bin_dir.parent_path() / "include";
    if (std::filesystem::exists(beside / "forklab.h", ec))
        return beside;
    return scenario::default_bin_dir().parent_path() / "include";
}

// A work folder where main (perhaps another user) can read the programs and write the report:
// /var/tmp when it exists, because the sandbox mounts fresh, empty folders over /tmp and /home.
std::expected<std::filesystem::path, std::string> make_work_dir()
{
    std::error_code ec;
    std::string base = std::filesystem::is_directory("/var/tmp", ec) ? "/var/tmp" : std::filesystem::temp_directory_path(ec).string();
    std::string templ = base + "/forklab-verify-XXXXXX";
    if (!mkdtemp(templ.data()))
        return std::unexpected(format("cannot make a work folder in {}: {}", base, std::strerror(errno)));
    chmod(templ.c_str(), 0755);
    return std::filesystem::path(templ);
}

// Model: the failed EXPECTs by line. Native: the failed and the skipped ones by line, and a
// count of every one run, from forklab.h's report lines
// ("forklab: EXPECT failed at FILE:LINE in pid PID (pages): COND").
struct Expects {
    std::map<int, int> failed;   // line -> how many processes failed it
    std::map<int, int> skipped;
    ExpectTally tally;
};

Expects native_expects(std::vector<std::string> const& report)
{
    Expects e;
    for (std::string const& line : report) {
        bool const passed = line.starts_with("forklab: EXPECT passed at ");
        bool const failed = line.starts_with("forklab: EXPECT failed at ");
        bool const skipped = line.starts_with("forklab: EXPECT skipped at ");
        auto const in = line.find(" in pid ");
        if ((!passed && !failed && !skipped) || in == std::string::npos)
            continue;
        auto const colon = line.rfind(':', in);
        if (colon == std::string::npos)
            continue;
        int const at = std::atoi(line.c_str() + colon + 1);
        auto const pid_end = line.find_first_not_of("0123456789", in + 8);
        bool const pages = pid_end != std::string::npos && line.compare(pid_end, 9, " (pages):") == 0;
        if (skipped) {
            ++e.skipped[at];
            ++e.tally.skipped;
            continue;
        }
        if (failed)
            ++e.failed[at];
        ++e.tally.checked;
        if (pages)
            ++e.tally.checked_pages;
    }
    return e;
}

void compare_expects(lang::Run const& model, Result const& native, Outcome& o)
{
    std::map<int, int> model_failed;
    for (auto const& f : model.expect_failures)
        ++model_failed[f.line];
    Expects const n = native_expects(native.report);
    std::set<int> lines;
    for (auto const& [line, count] : model_failed)
        lines.insert(line);
    for (auto const& [line, count] : n.failed)
        lines.insert(line);
    for (int line : lines) {
        if (n.skipped.contains(line))
            continue;
        int const m = model_failed.contains(line) ? model_failed.at(line) : 0;
        int const h = n.failed.contains(line) ? n.failed.at(line) : 0;
        if (m != h)
            o.notes.push_back(format("EXPECT at line {} failed in {} process(es) in the model, {} natively", line, m, h));
    }
}

std::string skipped_note(Result const& native)
{
    Expects const n = native_expects(native.report);
    if (n.skipped.empty())
        return {};
    std::string lines;
    for (auto const& [line, count] : n.skipped)
        lines += (lines.empty() ? "" : ", ") + std::to_string(line);
    return format("EXPECT at line(s) {} skipped natively: the host would not answer the page question", lines);
}

std::set<pid_t> model_pids(lang::Run const& run)
{
    std::set<pid_t> pids;
    for (auto const& t : run.tasks)
        pids.insert(t.pid);
    pids.insert(run.main_pid);
    return pids;
}

// The outputs a racy scenario may show: every one the model's explorer finds (explore/), or,
// when the exploration cannot answer (its bound was hit), the scenario's declared outcomes.
std::vector<std::string> possible_outputs(scenario::Loaded const& loaded, lang::RunOptions const& opts, std::string& from)
{
    explore::ExploreOptions how;
    how.max_states = 20'000;
    explore::Exploration const found = explore::explore(loaded.scenario.path, loaded.source, opts, how);
    if (!found.ok || found.bound_hit) {
        from = "declared";
        return loaded.scenario.outcomes;
    }
    from = "explored";
    std::vector<std::string> outputs;
    for (auto const& o : found.outcomes)
        if (o.end == lang::RunEnd::Finished)
            outputs.push_back(o.output);
    return outputs;
}

void compare_output(scenario::Loaded const& loaded, lang::RunOptions const& opts, lang::Run const& model,
    Result const& native, Outcome& o)
{
    std::set<pid_t> const mp = model_pids(model);
    std::string const want = normalise_pids(model.output, mp);
    std::string const got = normalise_pids(native.output, native.pids, native.init_pid);
    if (!loaded.scenario.outcomes.empty()) {
        // A racy scenario: the host's interleaving must be one the model can produce.
        std::string from;
        auto const possible = possible_outputs(loaded, opts, from);
        for (std::string const& outcome : possible)
            if (same_but_pids(outcome, mp, native.output, native.pids, native.init_pid))
                return;
        o.notes.insert(o.notes.begin(), format("the native output is none of the model's {} {} outcomes (-model's run +native)",
            possible.size(), from));
    } else if (same_but_pids(model.output, mp, native.output, native.pids, native.init_pid)) {
        return;
    } else {
        o.notes.insert(o.notes.begin(), "the terminal output differs (-model +native, pids as P1, P2, ...)");
    }
    o.diff = scenario::line_diff(want, got);
}

// A verdict reached before (or instead of) comparing two runs.
Outcome early(Outcome::Kind kind, std::string reason, std::vector<std::string> notes = {})
{
    Outcome o;
    o.kind = kind;
    o.reason = std::move(reason);
    o.notes = std::move(notes);
    return o;
}

}  // namespace

std::string describe_status(int status)
{
    if (status < 0)
        return "never reaped";
    if (WIFEXITED(status))
        return format("exited with status {}", WEXITSTATUS(status));
    if (WIFSIGNALED(status))
        return format("killed by signal {} ({})", WTERMSIG(status), strsignal(WTERMSIG(status)));
    return format("wait status {}", status);
}

Verifier::Verifier(Options options) : m_options(std::move(options))
{
    auto cc = find_compiler();
    if (!cc) {
        m_unavailable = "no C compiler (gcc, or $CC) to build the scenarios natively";
        return;
    }
    m_cc = *cc;
    auto work = make_work_dir();
    if (!work) {
        m_unavailable = work.error();
        return;
    }
    m_work = *work;
}

Verifier::~Verifier()
{
    std::error_code ec;
    if (!m_work.empty())
        std::filesystem::remove_all(m_work, ec);
}

std::expected<std::filesystem::path, std::string> Verifier::native_bin(std::filesystem::path const& bin_dir)
{
    if (auto it = m_bins.find(bin_dir); it != m_bins.end())
        return it->second;
    auto const out = m_work / format("bin{}", m_bins.size());
    std::filesystem::create_directories(out);
    chmod(out.c_str(), 0755);
    if (auto r = build_bin(m_cc, bin_dir, out, include_dir_for(bin_dir)); !r)
        return std::unexpected(r.error());
    m_bins.emplace(bin_dir, out);
    return out;
}

Outcome Verifier::verify(std::filesystem::path const& path)
{
    using Kind = Outcome::Kind;
    if (m_unavailable)
        return early(Kind::Skip, *m_unavailable);
    auto loaded = scenario::load(path);
    if (!loaded)
        return early(Kind::Error, loaded.error());
    lang::RunOptions base;
    base.max_steps = m_options.max_steps;
    lang::RunOptions const opts = scenario::run_options(*loaded, base);
    scenario::Verdict const model = scenario::check(*loaded, base);
    if (model.kind == scenario::Verdict::Kind::BadInput)
        return early(Kind::Error, model.reasons.front());

    auto const bin_dir = scenario::find_bin_dir(path);
    Spec spec;
    spec.argv = opts.argv.empty() ? std::vector<std::string>{path.filename().string()} : opts.argv;
    spec.stdin_text = m_options.native_stdin ? m_options.native_stdin : opts.stdin_text;
    spec.files = opts.files;
    spec.rlimits = opts.rlimits;
    spec.uid = opts.uid;
    spec.uid_given = loaded->scenario.uid.has_value();
    spec.work_dir = m_work;
    spec.time_limit = m_options.time_limit;
    spec.page_broker = m_options.page_broker;
    if (auto why = cannot_run(spec))
        return early(Kind::Skip, *why);
    if (!bin_dir)
        return early(Kind::Skip, "no scenarios/bin folder to build the programs it may exec");
    auto bin = native_bin(*bin_dir);
    if (!bin)
        return early(Kind::Error, "the native programs of " + bin_dir->string() + " do not build: " + bin.error());
    spec.bin_dir = *bin;
    // The model installs the scenario itself as /bin/NAME.c (lang/session.cpp), where a program
    // that execs argv[0] finds it; so does the native /bin, for this run.
    spec.exe = spec.bin_dir / path.filename();
    if (auto r = compile_c(m_cc, path, spec.exe, include_dir_for(*bin_dir)); !r)
        return early(Kind::Differ, "the model runs it, but the host's compiler rejects it", {r.error()});

    Result const native = run(spec);
    std::error_code ec;
    std::filesystem::remove(spec.exe, ec);
    if (!native.error.empty())
        return early(Kind::Error, "the sandbox failed: " + native.error);
    if (native.timed_out && !model.run.ok)
        return early(Kind::Skip,
            format("neither run ends: the model stopped after {} steps ({}), the native run at the time limit",
                model.run.steps, model.run.error));
    Outcome o;
    if (native.timed_out)
        o.notes.push_back(format("the native run did not end within {} ms (every process was killed)",
            m_options.time_limit.count()));
    if (!model.run.ok)
        o.notes.push_back("the model's run did not end: " + model.run.error);
    compare_output(*loaded, opts, model.run, native, o);
    if (!native.timed_out && model.run.ok && model.run.main_status() != native.main_status)
        o.notes.push_back(format("main {} in the model, {} natively", describe_status(model.run.main_status()),
            describe_status(native.main_status)));
    compare_expects(model.run, native, o);
    if (!o.notes.empty()) {
        o.kind = Kind::Differ;
        o.reason = o.notes.front();
        o.notes.erase(o.notes.begin());
    }
    if (auto note = skipped_note(native); !note.empty())
        o.notes.push_back(note);
    if (!native.page_broker_error.empty())
        o.notes.push_back("the page broker could not start: " + native.page_broker_error);
    o.expects = native_expects(native.report).tally;
    o.page_broker = native.page_broker;
    return o;
}

}  // namespace forklab::native
