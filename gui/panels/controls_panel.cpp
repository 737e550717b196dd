// The controls: step, step back, play with a speed, run to the next event of a kind, the
// scrubber over the whole run, and the scheduler and fork strategy the run is made with (and
// the button that compares the strategies).
#include "panels/draw.h"

#include "base/format.h"

#include <array>

namespace forklab::gui {

namespace {

struct SchedChoice {
    char const* label;
    lang::SchedPolicy policy;
};
constexpr std::array<SchedChoice, 5> kScheds{{
    {"parent first", lang::SchedPolicy::ParentFirst},
    {"child first", lang::SchedPolicy::ChildFirst},
    {"round robin", lang::SchedPolicy::RoundRobin},
    {"random", lang::SchedPolicy::Random},
    {"manual", lang::SchedPolicy::Manual},
}};

struct StrategyChoice {
    char const* label;
    ForkStrategy strategy;
};
constexpr std::array<StrategyChoice, 3> kStrategies{{
    {"copy-on-write", ForkStrategy::Cow},
    {"copy", ForkStrategy::Copy},
    {"on-demand", ForkStrategy::Odf},
}};

void buttons(PanelContext& ctx)
{
    Stepper& run = ctx.run;
    if (ImGui::Button("|< restart"))
        run.restart();
    ImGui::SameLine();
    if (ImGui::Button("< back"))
        run.back();
    ImGui::SameLine();
    if (ImGui::Button("step >"))
        run.forward();
    ImGui::SameLine();
    if (ImGui::Button(ctx.view.playing ? "pause ||" : "play >>", ImVec2(ImGui::GetFontSize() * 4.2f, 0)))
        ctx.view.playing = !ctx.view.playing;
    ImGui::SameLine();
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 6);
    ImGui::SliderFloat("##speed", &ctx.view.steps_per_second, 0.5f, 60.0f, "%.1f steps/s", ImGuiSliderFlags_Logarithmic);
    ImGui::SameLine();
    ImGui::TextUnformatted("  next:");
    struct Target {
        char const* label;
        EventKind kind;
    };
    for (Target t : {Target{"fork", EventKind::Fork}, Target{"exec", EventKind::Exec}, Target{"exit", EventKind::Exit},
             Target{"fault", EventKind::PageFault}}) {
        ImGui::SameLine();
        if (ImGui::Button(t.label))
            run.run_to(t.kind);
    }
    ImGui::SameLine();
    if (ImGui::Button("NOTE"))
        run.run_to_note();
    ImGui::SameLine();
    if (ImGui::Button("end >|"))
        run.go_to(run.total());
    ImGui::SameLine();
    if (ImGui::Button("? help"))
        ctx.view.show_help = !ctx.view.show_help;
}

void choices(PanelContext& ctx)
{
    lang::RunOptions options = ctx.run.options();
    ImGui::TextUnformatted("scheduler");
    ImGui::SameLine();
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 6.5f);
    char const* sched_label = "?";
    for (auto const& s : kScheds)
        if (s.policy == options.sched.policy)
            sched_label = s.label;
    if (ImGui::BeginCombo("##sched", sched_label)) {
        for (auto const& s : kScheds)
            if (ImGui::Selectable(s.label, s.policy == options.sched.policy) && s.policy != options.sched.policy) {
                options.sched.policy = s.policy;
                ctx.run.set_options(options);
            }
        ImGui::EndCombo();
    }
    ImGui::SameLine();
    ImGui::TextUnformatted("fork");
    ImGui::SameLine();
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 8.0f);
    char const* strategy_label = "?";
    for (auto const& s : kStrategies)
        if (s.strategy == options.kernel.fork_strategy)
            strategy_label = s.label;
    if (ImGui::BeginCombo("##strategy", strategy_label)) {
        for (auto const& s : kStrategies)
            if (ImGui::Selectable(s.label, s.strategy == options.kernel.fork_strategy) &&
                s.strategy != options.kernel.fork_strategy) {
                options.kernel.fork_strategy = s.strategy;
                ctx.run.set_options(options);
            }
        ImGui::EndCombo();
    }
    ImGui::SameLine();
    if (ImGui::Button("compare (C)"))
        ctx.view.show_compare = !ctx.view.show_compare;
    if (ImGui::IsItemHovered())
        ImGui::SetTooltip("The same run under every fork strategy: their memory counters side by side");
}

// How the run ended. A deadlock names every sleeper: the bar has room for the start of the
// message, its tooltip for all of it.
void run_end(lang::Session const& s)
{
    if (s.end() == lang::RunEnd::Finished) {
        ImGui::TextUnformatted("the run is over: every process exited");
        return;
    }
    std::string const& error = s.error();
    std::string const shown = error.size() > 90 ? error.substr(0, 90) + "..." : error;
    ImGui::TextColored(ImVec4(0.75f, 0.1f, 0.1f, 1), "%s", shown.c_str());
    if (shown.size() == error.size() || !ImGui::IsItemHovered())
        return;
    ImGui::BeginTooltip();
    ImGui::PushTextWrapPos(ImGui::GetFontSize() * 40);
    ImGui::TextUnformatted(error.c_str());
    ImGui::PopTextWrapPos();
    ImGui::EndTooltip();
}

void scrubber(PanelContext& ctx)
{
    Stepper& run = ctx.run;
    std::string const label = format("step {} / {}", run.step(), run.total());
    int step = int(run.step());
    ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x * 0.36f);
    if (ImGui::SliderInt("##scrub", &step, 0, int(run.total()), label.c_str()))
        ctx.view.jump_to = std::uint64_t(step);
    ImGui::SameLine(0, ImGui::GetFontSize());
    choices(ctx);
    ImGui::SameLine(0, ImGui::GetFontSize());
    if (run.options().sched.policy == lang::SchedPolicy::Manual && !run.at_end()) {
        ImGui::TextUnformatted("run next:");
        for (pid_t p : run.runnable()) {
            ImGui::SameLine();
            ImGui::PushStyleColor(ImGuiCol_Button, to_vec4(ctx.palette.colour(p)));
            ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1, 1, 1, 1));
            if (ImGui::Button(format("pid {}", p).c_str()))
                ctx.view.run_task = p;
            ImGui::PopStyleColor(2);
        }
        return;
    }
    if (run.at_end()) {
        run_end(run.session());
        return;
    }
    if (pid_t next = run.planned_next()) {
        ImGui::TextUnformatted("next to run:");
        ImGui::SameLine();
        pid_chip(ctx, next, "pid ");
    }
}

}  // namespace

void controls_panel(PanelContext& ctx, Rect r)
{
    begin_panel("controls", r, ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_NoScrollbar);
    buttons(ctx);
    scrubber(ctx);
    ImGui::End();
}

}  // namespace forklab::gui
