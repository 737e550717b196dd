#include "report.h"

#include "base/format.h"

#include "trace/event.h"

#include <iomanip>
#include <ostream>

namespace forklab::cli {

void print_ps(std::ostream& out, Kernel const& k)
{
    out << std::left << std::setw(6) << "UID" << std::right << std::setw(7) << "PID" << std::setw(7)
        << "PPID" << std::setw(7) << "PGID" << "  STAT  CMD\n";
    for (Task const& t : k.tasks()) {
        if (!t.is_thread_group_leader())
            continue;
        pid_t const ppid = t.real_parent ? t.real_parent->tgid : 0;
        std::string cmd(t.name());
        if (t.is_zombie())
            cmd = "[" + cmd + "] <defunct>";
        out << std::left << std::setw(6) << t.cred.uid << std::right << std::setw(7) << t.pid
            << std::setw(7) << ppid << std::setw(7) << t.pgid() << "  " << std::left << std::setw(4)
            << task_state_letter(t.state) << "  " << cmd << "\n";
    }
}

namespace {

std::string access_text(OpenFileDescription const& file)
{
    std::string text = file.access_mode() == O_RDONLY ? "r" : file.access_mode() == O_WRONLY ? "w" : "u";
    if (file.flags & O_APPEND)
        text += " append";
    if (file.flags & O_NONBLOCK)
        text += " nonblock";
    return text;
}

}  // namespace

void print_lsof(std::ostream& out, Kernel const& k)
{
    out << std::left << std::setw(10) << "COMMAND" << std::right << std::setw(6) << "PID" << std::setw(5) << "FD"
        << "  " << std::left << std::setw(10) << "MODE" << std::setw(6) << "DESC" << std::right << std::setw(8)
        << "OFFSET" << std::setw(6) << "REFS" << std::setw(7) << "INODE" << "  " << std::left << std::setw(13)
        << "TYPE" << "NAME\n";
    for (Task const& t : k.tasks()) {
        if (!t.is_thread_group_leader() || !t.files)
            continue;
        for (std::size_t fd = 0; fd < t.files->fds.size(); ++fd) {
            FdSlot const& slot = t.files->fds[fd];
            if (!slot.file)
                continue;
            OpenFileDescription const& f = *slot.file;
            out << std::left << std::setw(10) << t.name() << std::right << std::setw(6) << t.pid << std::setw(5)
                << format("{}{}", fd, slot.cloexec ? "e" : "") << "  " << std::left << std::setw(10)
                << access_text(f) << std::setw(6) << format("#{}", f.id) << std::right << std::setw(8)
                << f.offset << std::setw(6) << f.use_count() << std::setw(7) << f.inode->ino << "  " << std::left
                << std::setw(13) << inode_kind_name(f.inode->kind) << f.path << "\n";
        }
    }
}

void print_events(std::ostream& out, Kernel const& k, std::size_t first)
{
    for (Event const& e : k.events().since(first))
        out << std::right << std::setw(4) << e.step << "  " << std::left << std::setw(18)
            << event_kind_name(e.kind) << explain(e) << "\n";
}

nlohmann::json events_json(Kernel const& k, std::size_t first)
{
    auto list = nlohmann::json::array();
    for (Event const& e : k.events().since(first))
        list.push_back({{"step", e.step}, {"kind", event_kind_name(e.kind)}, {"pid", e.pid},
            {"other", e.other}, {"value", e.value}, {"explanation", explain(e)}});
    return list;
}

nlohmann::json processes_json(Kernel const& k)
{
    auto list = nlohmann::json::array();
    for (Task const& t : k.tasks()) {
        if (!t.is_thread_group_leader())
            continue;
        list.push_back({{"pid", t.pid}, {"ppid", t.real_parent ? t.real_parent->tgid : 0},
            {"pgid", t.pgid()}, {"sid", t.sid()}, {"uid", t.cred.uid}, {"comm", t.name()},
            {"state", task_state_name(t.state)}, {"threads", t.signal->nr_threads}});
    }
    return list;
}

}  // namespace forklab::cli
