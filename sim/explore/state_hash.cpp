#include "explore/state_hash.h"

#include <algorithm>
#include <array>
#include <span>
#include <unordered_map>
#include <vector>

namespace forklab::explore {

namespace {

// A 64-bit multiply-xorshift hash, fed word by word: fast enough to take in every written
// page of every process at each of the explorer's choice points.
class Hasher {
public:
    void mix(std::uint64_t v)
    {
        m_h = (m_h ^ v) * 0x9e3779b97f4a7c15ULL;
        m_h ^= m_h >> 29;
    }
    void bytes(std::span<std::uint8_t const> data)
    {
        mix(data.size());
        std::size_t i = 0;
        for (; i + 8 <= data.size(); i += 8) {
            std::uint64_t w = 0;
            for (std::size_t b = 0; b < 8; ++b)
                w |= std::uint64_t(data[i + b]) << (8 * b);
            mix(w);
        }
        std::uint64_t tail = 0;
        for (std::size_t b = 0; i + b < data.size(); ++b)
            tail |= std::uint64_t(data[i + b]) << (8 * b);
        mix(tail);
    }
    void text(std::string_view s) { bytes({reinterpret_cast<std::uint8_t const*>(s.data()), s.size()}); }
    std::uint64_t value() const { return m_h; }

private:
    std::uint64_t m_h = 0xcbf29ce484222325ULL;
};

// Shared structures (an address space after vfork, a description after fork or dup) are
// numbered in the order they are first met, so that sharing -- not the host's addresses --
// goes into the hash.
template<typename T>
class Numbering {
public:
    // The structure's number, and whether this is the first time it is met.
    std::pair<std::uint64_t, bool> number(T const* p)
    {
        auto [it, fresh] = m_ids.try_emplace(p, m_ids.size());
        return {it->second, fresh};
    }

private:
    std::unordered_map<T const*, std::uint64_t> m_ids;
};

class StateHasher {
public:
    StateHasher(Kernel const& kernel, lang::Machine const& machine, HashOptions const& options)
        : m_k(kernel), m_m(machine)
    {
        if (options.pid_symmetry)
            number_by_family();
    }

    std::uint64_t run()
    {
        Terminal const& tty = m_k.terminal();
        m_h.text(tty.text());
        m_h.mix(tty.input_pos);
        m_h.mix(m_k.now_ns());
        if (m_ranks.empty())
            m_h.mix(std::uint64_t(m_k.root_pid_ns().last_pid()));
        for (Task const* t : tasks_by_pid())
            task(*t);
        files(m_k.vfs().root());
        for (lang::ExpectFailure const& f : m_m.expect_failures())
            m_h.mix(id(f.pid)), m_h.mix(std::uint64_t(f.line));
        return m_h.value();
    }

private:
    // Each process's place in the family tree, from the fork events: "1/0/2" is the third
    // child of the first child of pid 1. The places, sorted, number the processes.
    void number_by_family()
    {
        std::unordered_map<pid_t, std::string> place;
        std::unordered_map<pid_t, int> children;
        for (Event const& e : m_k.events().all()) {
            if (e.kind != EventKind::Fork)
                continue;
            auto const parent = place.find(e.pid);
            std::string const base = parent == place.end() ? std::to_string(e.pid) : parent->second;
            place[e.other] = base + "/" + std::to_string(children[e.pid]++);
        }
        std::vector<std::pair<std::string, pid_t>> sorted;
        for (auto const& [pid, name] : place)
            sorted.emplace_back(name, pid);
        std::sort(sorted.begin(), sorted.end());
        for (std::size_t i = 0; i < sorted.size(); ++i)
            m_ranks[sorted[i].second] = (std::uint64_t(1) << 40) | i;
    }

    // A pid as the hash takes it: its place in the family under pid symmetry, else itself.
    std::uint64_t id(pid_t pid) const
    {
        auto const it = m_ranks.find(pid);
        return it == m_ranks.end() ? std::uint64_t(std::uint32_t(pid)) : it->second;
    }

    std::vector<Task const*> tasks_by_pid() const
    {
        std::vector<Task const*> list;
        for (Task const& t : m_k.tasks())
            list.push_back(&t);
        std::sort(list.begin(), list.end(), [this](Task const* a, Task const* b) { return id(a->pid) < id(b->pid); });
        return list;
    }

    void task(Task const& t)
    {
        m_h.mix(id(t.pid));
        m_h.mix(id(t.tgid));
        m_h.mix(t.real_parent ? id(t.real_parent->pid) : 0);
        m_h.mix(std::uint64_t(t.state) | std::uint64_t(t.blocked_on) << 8 | std::uint64_t(t.exiting) << 16);
        m_h.mix(std::uint64_t(std::uint32_t(t.exit_code)));
        m_h.mix(t.pending), m_h.mix(t.blocked);
        m_h.mix(t.sleep_expires_ns);
        m_h.mix(t.wait_pid > 0 ? id(t.wait_pid) : std::uint64_t(std::uint32_t(t.wait_pid)));
        m_h.mix(std::uint64_t(std::uint32_t(t.wait_options)));
        m_h.mix(t.io_done.value_or(~0ULL));
        m_h.mix(std::uint64_t(t.cred.uid) << 32 | t.cred.euid);
        if (t.signal) {
            m_h.mix(t.signal->shared_pending);
            for (int sig : t.signal->rt_queue)
                m_h.mix(std::uint64_t(sig));
            m_h.mix(id(t.pgid())), m_h.mix(id(t.sid()));
            m_h.mix(std::uint64_t(t.signal->stopped) | std::uint64_t(t.signal->group_exit) << 1);
        }
        if (t.sighand)
            for (auto const& [sig, act] : t.sighand->entries())
                m_h.mix(std::uint64_t(sig)), m_h.mix(act.handler), m_h.mix(act.mask), m_h.mix(act.flags);
        if (t.files)
            fds(*t.files);
        if (t.mm)
            memory(*t.mm);
        if (lang::Cpu const* cpu = m_m.cpu(t.pid))
            registers(*cpu);
    }

    void fds(FilesStruct const& files)
    {
        auto [id, fresh] = m_tables.number(&files);
        m_h.mix(id);
        if (!fresh)
            return;
        for (std::size_t fd = 0; fd < files.fds.size(); ++fd) {
            FdSlot const& slot = files.fds[fd];
            if (!slot.file)
                continue;
            m_h.mix(fd << 1 | std::uint64_t(slot.cloexec));
            description(*slot.file);
        }
    }

    void description(OpenFileDescription const& file)
    {
        auto [id, fresh] = m_files.number(&file);
        m_h.mix(id);
        if (!fresh)
            return;
        m_h.mix(file.offset);
        m_h.mix(std::uint64_t(std::uint32_t(file.flags)));
        m_h.mix(std::uint64_t(file.inode->ino));
        if (Pipe const* pipe = file.inode->pipe.get()) {
            m_h.mix(std::uint64_t(pipe->readers) << 32 | std::uint32_t(pipe->writers));
            auto const data = pipe->peek(pipe->buffered());
            m_h.bytes(data);
        }
    }

    // The bytes a task can have written: every present page with data, outside the program's
    // read-only text and constants (which the program image fixes).
    void memory(MmStruct const& mm)
    {
        auto [id, fresh] = m_mms.number(&mm);
        m_h.mix(id);
        if (!fresh)
            return;
        for (Vma const& v : mm.vmas())
            m_h.mix(v.start), m_h.mix(v.end), m_h.mix(std::uint64_t(v.prot) << 32 | v.flags);
        m_h.mix(mm.current_brk());
        PhysicalMemory const& phys = mm.phys();
        for (PageTable::Leaf const& leaf : mm.page_table().leaves()) {
            for (unsigned i = 0; i < kPtesPerTable; ++i) {
                Pte const pte = leaf.table->pte[i];
                if (!pte_present(pte) || !phys.has_data(pte_frame(pte)))
                    continue;
                std::uint64_t const va = (leaf.region << kTableShift) | (std::uint64_t(i) << kPageShift);
                Vma const* vma = mm.find_vma(va);
                if (vma && !vma->writable() && (vma->kind == VmaKind::Text || vma->kind == VmaKind::Rodata))
                    continue;
                m_h.mix(va);
                m_h.mix(page(phys, pte_frame(pte)));
            }
        }
    }

    std::uint64_t page(PhysicalMemory const& phys, FrameNr frame)
    {
        auto [it, fresh] = m_pages.try_emplace(frame, 0);
        if (!fresh)
            return it->second;
        std::array<std::uint8_t, kPageSize> buf;
        phys.read(frame, 0, buf);
        Hasher h;
        h.bytes(buf);
        it->second = h.value();
        return it->second;
    }

    void registers(lang::Cpu const& cpu)
    {
        if (cpu.program) {  // Which program: by its path in /bin (its text is fixed by the run).
            m_h.text(cpu.program->path());
            m_h.mix(cpu.program->code().size());
        }
        m_h.mix(cpu.pc), m_h.mix(cpu.sp), m_h.mix(cpu.fp);
        m_h.mix(cpu.stack.size());
        for (std::uint64_t v : cpu.stack)
            m_h.mix(v);
        for (lang::SignalFrame const& f : cpu.signal_frames)
            m_h.mix(f.pc), m_h.mix(f.sp), m_h.mix(f.fp), m_h.mix(f.depth), m_h.mix(f.saved_mask);
        for (lang::CallRecord const& c : cpu.calls)
            m_h.mix(c.return_address), m_h.mix(c.depth);
        m_h.mix(std::uint64_t(cpu.interrupted));
        for (lang::LibcResume const& r : cpu.libc_resume) {
            m_h.mix(r.pc), m_h.mix(r.depth);
            m_h.bytes(r.saved), m_h.bytes(r.work);
            for (std::int64_t v : r.results)
                m_h.mix(std::uint64_t(v));
        }
    }

    // Regular files' names and bytes (a program may write a file that another reads), every
    // directory's names; programs in /bin are fixed by the run's options.
    void files(Inode const& dir)
    {
        for (auto const& [name, inode] : dir.entries) {
            if (name == "." || name == ".." || inode.get() == &dir || inode.get() == dir.parent)
                continue;
            m_h.text(name);
            m_h.mix(std::uint64_t(inode->ino) << 16 | inode->mode);
            if (inode->is_dir()) {
                files(*inode);
            } else if (inode->is_regular() && !inode->executable) {
                std::vector<std::uint8_t> bytes(inode->size);
                inode->read_at(0, bytes);
                m_h.bytes(bytes);
            }
        }
    }

    Kernel const& m_k;
    lang::Machine const& m_m;
    Hasher m_h;
    Numbering<FilesStruct> m_tables;
    Numbering<OpenFileDescription> m_files;
    Numbering<MmStruct> m_mms;
    std::unordered_map<FrameNr, std::uint64_t> m_pages;
    std::unordered_map<pid_t, std::uint64_t> m_ranks;  // Under pid symmetry.
};

}  // namespace

std::uint64_t state_hash(Kernel const& kernel, lang::Machine const& machine, HashOptions const& options)
{
    return StateHasher(kernel, machine, options).run();
}

}  // namespace forklab::explore
