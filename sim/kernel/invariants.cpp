// check_invariants(): every structural rule the kernel relies on, checked from scratch by
// walking the tasks. Tests call it after every step; a violation names the rule it breaks.
#include "kernel/kernel.h"

#include <algorithm>
#include <map>
#include <set>
#include <sstream>
#include <unordered_map>

namespace forklab {

namespace {

class Report {
public:
    template<typename... Parts>
    void fail(Parts const&... parts)
    {
        std::ostringstream out;
        (out << ... << parts);
        m_problems.push_back(out.str());
    }
    std::vector<std::string> take() { return std::move(m_problems); }

private:
    std::vector<std::string> m_problems;
};

// How many references each shared piece should have: one per task that points at it.
struct Holders {
    std::unordered_map<void const*, long> count;
    std::unordered_map<void const*, long> reported;
    template<typename T>
    void add(RefPtr<T> const& p)
    {
        if (!p)
            return;
        ++count[p.get()];
        reported[p.get()] = long(p->use_count());
    }
};

}  // namespace

// Memory: VMAs sorted and page-aligned; page-table entries only inside VMAs, writable only
// where the VMA is; every frame's reference count equal to the entries (in distinct page-table
// pages) and objects that hold it; no frame in use that nothing holds; every page-table page
// held by as many address spaces as its reference count says.
static void check_memory(Report& r, TaskList const& tasks, PhysicalMemory const& phys,
    std::set<VmObject const*> objects)
{
    std::unordered_map<MmStruct const*, int> mms;
    for (Task const& t : tasks)
        if (t.mm)
            ++mms[t.mm.get()];
    std::unordered_map<PteTable const*, long> leaf_holders;
    std::unordered_map<FrameNr, long> refs;
    for (auto const& [mm, users] : mms) {
        if (long(mm->use_count()) != users)
            r.fail("an mm_struct has ", mm->use_count(), " references and ", users, " tasks");
        std::uint64_t last_end = 0;
        for (Vma const& v : mm->vmas()) {
            if ((v.start & kPageMask) || (v.end & kPageMask) || v.start >= v.end || v.start < last_end)
                r.fail("VMA ", v.start, "-", v.end, " is misaligned, empty or overlaps the one before");
            last_end = v.end;
            if (v.object)
                objects.insert(v.object.get());
        }
        for (PageTable::Leaf const& leaf : mm->page_table().leaves()) {
            if (++leaf_holders[leaf.table.get()] > 1)
                continue;  // A shared page-table page counts its frames once.
            unsigned present = 0;
            for (unsigned i = 0; i < kPtesPerTable; ++i) {
                Pte const pte = leaf.table->pte[i];
                if (!pte_present(pte))
                    continue;
                ++present;
                std::uint64_t const va = (leaf.region << kTableShift) | (std::uint64_t(i) << kPageShift);
                Vma const* v = mm->find_vma(va);
                if (!v)
                    r.fail("a page-table entry maps ", va, ", which no VMA covers");
                else if (pte_write(pte) && !v->writable())
                    r.fail("a page-table entry makes ", va, " writable in a read-only VMA");
                if (pte_frame(pte) != kZeroFrame)
                    ++refs[pte_frame(pte)];
            }
            if (present != leaf.table->present)
                r.fail("a page-table page counts ", leaf.table->present, " entries and has ", present);
        }
    }
    for (auto const& [leaf, holders] : leaf_holders)
        if (long(leaf->use_count()) != holders)
            r.fail("a page-table page has ", leaf->use_count(), " references and ", holders, " holders");
    for (VmObject const* object : objects)
        for (FrameNr f : object->frames())
            ++refs[f];
    for (auto const& [frame, count] : refs)
        if (long(phys.refcount(frame)) != count)
            r.fail("frame ", frame, " has ", phys.refcount(frame), " references and ", count, " holders");
    if (refs.size() != phys.in_use())
        r.fail(phys.in_use(), " frames in use, ", refs.size(), " held: a frame leaked");
}

// Files: every description's references are descriptors; every inode's references are names,
// descriptions, mappings and the filesystem's own; the counters agree; pipes count their ends;
// every lock has a live owner that still has the file open, and no two locks conflict; every
// task asleep on a pipe or a lock is in that wait queue. Returns every page cache, for the
// frame count.
static std::set<VmObject const*> check_files(Report& r, TaskList const& tasks, Vfs const& vfs,
    std::unordered_map<OpenFileDescription const*, long> const& file_refs)
{
    std::unordered_map<Inode const*, long> holders;
    std::unordered_map<Inode const*, int> names;
    std::set<Inode const*> inodes;
    auto walk = [&](auto& self, Inode const& dir) -> void {
        inodes.insert(&dir);
        for (auto const& [name, child] : dir.entries) {
            ++holders[child.get()];
            ++names[child.get()];
            if (child->is_dir() && child->parent != &dir)
                r.fail("directory ", child->display_name, ": its parent is not the directory naming it");
            if (child->is_dir())
                self(self, *child);
            else
                inodes.insert(child.get());
        }
    };
    walk(walk, vfs.root());
    ++holders[&vfs.root()];
    ++names[&vfs.root()];  // The root is its own name.
    ++holders[&vfs.console()];
    ++holders[&vfs.null_device()];
    std::set<FilesStruct const*> tables;
    std::unordered_map<Inode const*, std::set<void const*>> fd_owners;  // Tables with the file open.
    for (Task const& t : tasks) {
        if (!t.files)
            continue;
        tables.insert(t.files.get());
        for (FdSlot const& slot : t.files->fds)
            if (slot.file)
                fd_owners[slot.file->inode.get()].insert(t.files.get());
        if (t.mm)
            for (Vma const& v : t.mm->vmas())
                if (auto const* inode = dynamic_cast<Inode const*>(v.object.get())) {
                    ++holders[inode];
                    inodes.insert(inode);
                }
    }
    std::unordered_map<Inode const*, int> descriptions, readers, writers;
    for (auto const& [file, refs] : file_refs) {
        Inode const* inode = file->inode.get();
        inodes.insert(inode);
        ++holders[inode];
        ++descriptions[inode];
        readers[inode] += file->readable();
        writers[inode] += file->writable();
    }
    if (long(file_refs.size()) != vfs.nr_files())
        r.fail(vfs.nr_files(), " open file descriptions counted, ", file_refs.size(), " in fd tables: one leaked");
    if (long(inodes.size()) != vfs.nr_inodes())
        r.fail(vfs.nr_inodes(), " inodes counted, ", inodes.size(), " reachable: one leaked");
    std::set<VmObject const*> caches;
    for (Inode const* inode : inodes) {
        caches.insert(inode);
        if (inode->image_pages)
            caches.insert(inode->image_pages.get());
        std::string const& name = inode->display_name;
        if (long(inode->use_count()) != holders[inode])
            r.fail("inode ", name, ": ", inode->use_count(), " references, ", holders[inode], " holders");
        if (inode->nlink != names[inode])
            r.fail("inode ", name, ": nlink ", inode->nlink, ", names ", names[inode]);
        if (inode->open_files != descriptions[inode])
            r.fail("inode ", name, ": counts ", inode->open_files, " open descriptions, has ", descriptions[inode]);
        if (inode->pipe && (inode->pipe->readers != readers[inode] || inode->pipe->writers != writers[inode]))
            r.fail(name, ": counts ", inode->pipe->readers, "/", inode->pipe->writers, " readers/writers, has ",
                readers[inode], "/", writers[inode]);
        if (inode->pipe && (inode->pipe->bufs.size() > Pipe::kPages ||
                               inode->pipe->bytes_written != inode->pipe->bytes_read + inode->pipe->buffered()))
            r.fail(name, ": more pages than a pipe has, or bytes in and out do not add up");
        auto const& locks = inode->locks.all();
        for (std::size_t i = 0; i < locks.size(); ++i) {
            FileLock const& l = locks[i];
            bool const live = l.kind == LockKind::Posix
                ? fd_owners[inode].count(l.owner) > 0
                : file_refs.count(static_cast<OpenFileDescription const*>(l.owner)) > 0 &&
                    static_cast<OpenFileDescription const*>(l.owner)->inode.get() == inode;
            if (!live)
                r.fail("inode ", name, ": a lock whose owner no longer has the file open");
            for (std::size_t j = i + 1; j < locks.size(); ++j)
                if (locks[j].conflicts_with(l))
                    r.fail("inode ", name, ": two conflicting locks are both held");
        }
    }
    for (Task const& t : tasks) {
        bool const on_file = t.blocked_on == BlockReason::PipeRead || t.blocked_on == BlockReason::PipeWrite ||
            t.blocked_on == BlockReason::FileLock;
        auto const* inode = static_cast<Inode const*>(t.sleeping_on);
        if (on_file != (inode != nullptr)) {
            r.fail("pid ", t.pid, ": asleep on a file without its wait queue, or the reverse");
            continue;
        }
        if (!inode)
            continue;
        WaitQueue const* queue = t.blocked_on == BlockReason::FileLock ? &inode->lock_wait
            : !inode->pipe ? nullptr
            : t.blocked_on == BlockReason::PipeRead ? &inode->pipe->rd_wait : &inode->pipe->wr_wait;
        if (!queue || std::find(queue->begin(), queue->end(), t.pid) == queue->end())
            r.fail("pid ", t.pid, ": asleep on ", inode->display_name, " but not in its wait queue");
    }
    return caches;
}

std::vector<std::string> Kernel::check_invariants() const
{
    Report r;
    Holders shared;
    std::unordered_map<Pid const*, long> pid_refs;
    std::unordered_map<OpenFileDescription const*, long> file_refs;
    std::set<FilesStruct const*> tables;
    std::map<uid_t, int> nproc;
    std::unordered_map<Cgroup const*, std::int64_t> in_cgroup;
    std::unordered_map<SignalStruct const*, std::pair<int, int>> threads;  // nr_threads, live
    std::unordered_map<PidNamespace const*, int> ns_tasks;
    long children_links = 0, leaders_with_parent = 0;
    int n = 0;

    for (Task const& t : m_tasks) {
        ++n;
        if (!t.thread_pid || t.thread_pid->task != &t)
            r.fail("pid ", t.pid, ": its struct pid does not point back at it");
        else if (root_pid_ns().find(t.pid) != t.thread_pid.get())
            r.fail("pid ", t.pid, ": the root namespace maps the number elsewhere");
        if (!t.signal || !t.sighand)
            r.fail("pid ", t.pid, ": no signal_struct or sighand_struct");
        if (!t.signal || !t.thread_pid)
            continue;
        for (auto const& upid : t.thread_pid->numbers())
            ++ns_tasks[upid.ns];
        ++nproc[t.cred.uid];
        ++in_cgroup[t.cgroup];
        auto& th = threads[t.signal.get()];
        ++th.first;
        th.second += !t.exiting;
        shared.add(t.signal);
        shared.add(t.sighand);
        shared.add(t.files);
        shared.add(t.fs);
        shared.add(t.mm);
        ++pid_refs[t.thread_pid.get()];
        if (t.files && tables.insert(t.files.get()).second)
            for (FdSlot const& slot : t.files->fds)
                if (slot.file)
                    ++file_refs[slot.file.get()];
        if (t.tgid != t.group_leader->pid)
            r.fail("pid ", t.pid, ": tgid ", t.tgid, " is not its leader's pid ", t.group_leader->pid);
        if (t.group_leader->signal != t.signal)
            r.fail("pid ", t.pid, ": does not share its leader's signal_struct");
        if (t.blocked & kUnblockable)
            r.fail("pid ", t.pid, ": blocks SIGKILL or SIGSTOP");
        if ((t.state == TaskState::Blocked) != (t.blocked_on != BlockReason::None))
            r.fail("pid ", t.pid, ": blocked state and wait reason disagree");
        if (t.is_zombie() && !t.children.empty())
            r.fail("pid ", t.pid, ": a zombie still has children");
        if (!t.exiting && (!t.mm || !t.files || !t.fs))
            r.fail("pid ", t.pid, ": a live task without mm, files or fs");
        if (t.is_zombie() && !t.exiting)
            r.fail("pid ", t.pid, ": a zombie that never exited");
        if (t.vfork_parent && !(t.vfork_parent->state == TaskState::Blocked &&
                                t.vfork_parent->blocked_on == BlockReason::Vfork))
            r.fail("pid ", t.pid, ": its vfork parent ", t.vfork_parent->pid, " is not waiting for it");
        if (t.state == TaskState::Blocked && t.blocked_on == BlockReason::Vfork) {
            bool found = false;
            for (Task const& c : m_tasks)
                found |= c.vfork_parent == &t;
            if (!found)
                r.fail("pid ", t.pid, ": waits for a vfork child that does not exist");
        }
        for (Task const& c : t.children) {
            ++children_links;
            if (c.real_parent != &t)
                r.fail("pid ", c.pid, " is in the children of ", t.pid, " but its parent is ",
                    c.real_parent ? c.real_parent->pid : 0);
            if (!c.is_thread_group_leader())
                r.fail("thread ", c.pid, " is in a children list");
        }
        if (t.is_thread_group_leader()) {
            ++pid_refs[t.signal->pgrp.get()];
            ++pid_refs[t.signal->session.get()];
            if (t.real_parent)
                ++leaders_with_parent;
            else if (&t != m_init)
                r.fail("pid ", t.pid, ": a process without a parent");
        } else if (t.real_parent != t.group_leader->real_parent) {
            r.fail("thread ", t.pid, ": its parent differs from its leader's");
        }
    }
    if (children_links != leaders_with_parent)
        r.fail(children_links, " children-list links for ", leaders_with_parent, " processes with a parent");

    // Process groups and sessions: members are exactly the leaders that name them.
    for (auto const& [pid, refs] : pid_refs) {
        long const held = long(pid->use_count());
        if (held != refs)
            r.fail("struct pid ", pid->nr(), ": ", held, " references, ", refs, " holders");
        for (Task const& m : pid->pgrp_members)
            if (m.signal->pgrp.get() != pid)
                r.fail("pid ", m.pid, " is in process group ", pid->nr(), " but names another");
        for (Task const& m : pid->session_members)
            if (m.signal->session.get() != pid)
                r.fail("pid ", m.pid, " is in session ", pid->nr(), " but names another");
    }
    for (auto const& ns : m_namespaces) {
        long numbers = 0;
        for (auto const& [pid, refs] : pid_refs)
            numbers += pid->nr_in(ns.get()) != 0;
        if (numbers != ns->allocated())
            r.fail("pid namespace level ", ns->level(), ": ", ns->allocated(), " numbers allocated, ",
                numbers, " in use");
        if (ns_tasks[ns.get()] != ns->nr_tasks)
            r.fail("pid namespace level ", ns->level(), ": counts ", ns->nr_tasks, " tasks, has ",
                ns_tasks[ns.get()]);
    }
    for (auto const& [ptr, n_holders] : shared.count)
        if (shared.reported[ptr] != n_holders)
            r.fail("a shared structure has ", shared.reported[ptr], " references and ", n_holders, " holders");
    for (auto const& [file, refs] : file_refs)
        if (long(file->use_count()) != refs)
            r.fail("open file description ", file->path, ": ", file->use_count(), " references, ", refs,
                " descriptors");
    for (auto const& [sig, counts] : threads)
        if (sig->nr_threads != counts.first || sig->live != counts.second)
            r.fail("a signal_struct counts ", sig->nr_threads, "/", sig->live, " threads/live, has ",
                counts.first, "/", counts.second);

    check_memory(r, m_tasks, m_phys, check_files(r, m_tasks, m_vfs, file_refs));

    // The limits' counters.
    if (m_nr_threads != n)
        r.fail("nr_threads is ", m_nr_threads, " but there are ", n, " tasks");
    std::map<uid_t, int> const counted(m_nproc.begin(), m_nproc.end());
    if (counted != nproc)
        r.fail("the per-uid process counts (RLIMIT_NPROC) disagree with the tasks");
    auto check_cgroup = [&](auto& self, Cgroup const& cg) -> std::int64_t {
        std::int64_t total = in_cgroup[&cg];
        for (auto const& child : cg.children())
            total += self(self, *child);
        if (total != cg.pids_current)
            r.fail("cgroup ", cg.path(), ": pids.current ", cg.pids_current, ", tasks ", total);
        return total;
    };
    check_cgroup(check_cgroup, m_root_cgroup);
    return r.take();
}

}  // namespace forklab
