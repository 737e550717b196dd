// Process ids, as Linux keeps them (kernel/pid.c, include/linux/pid.h).
//
// A `Pid` is Linux's struct pid: one per pid number in use, reference-counted, with the task
// that owns it and the lists of process-group and session members that use it as their id. A
// pid number stays allocated while anything refers to it, so a pid is never reused while a
// process group or session still carries that number.
//
// A `PidNamespace` hands out numbers cyclically below pid_max; a task in a nested namespace has
// a number in it and in every ancestor.
#pragma once

#include "base/error.h"
#include "base/ref.h"
#include "kernel/task_links.h"

#include <boost/container/small_vector.hpp>
#include <span>
#include <sys/types.h>
#include <vector>

namespace forklab {

class PidNamespace;

struct UPid {
    pid_t nr;
    PidNamespace* ns;
};

class Pid : public RefCounted<Pid> {
public:
    explicit Pid(unsigned level) : m_level(level) {}
    ~Pid();  // Frees the numbers in every namespace (Linux: free_pid()).
    Pid(Pid const&) = delete;
    Pid& operator=(Pid const&) = delete;

    unsigned level() const { return m_level; }
    pid_t nr() const { return m_numbers.front().nr; }  // The number in the root namespace.
    pid_t nr_in(PidNamespace const* ns) const;         // 0 when not visible from ns.
    PidNamespace* active_ns() const { return m_numbers.back().ns; }
    std::span<UPid const> numbers() const { return {m_numbers.data(), m_numbers.size()}; }
    void add_number(UPid upid) { m_numbers.push_back(upid); }

    Task* task = nullptr;       // The task whose own pid this is (PIDTYPE_PID), until released.
    PgrpList pgrp_members;      // Thread-group leaders whose process group is this pid.
    SessionList session_members;  // Thread-group leaders whose session is this pid.

private:
    unsigned m_level;
    boost::container::small_vector<UPid, 1> m_numbers;  // numbers[i] is the pid in level i.
};

class PidNamespace {
public:
    PidNamespace(PidNamespace* parent, int pid_max);

    // Linux: idr_alloc_cyclic() as alloc_pid() calls it. The search starts after the last pid
    // handed out and wraps to RESERVED_PIDS (or 1, early on). EAGAIN when every number is taken.
    ErrorOr<pid_t> alloc_nr(Pid* owner);
    void free_nr(pid_t nr);
    Pid* find(pid_t nr) const { return nr > 0 && std::size_t(nr) < m_map.size() ? m_map[nr] : nullptr; }

    PidNamespace* parent() const { return m_parent; }
    unsigned level() const { return m_level; }
    int pid_max() const { return m_pid_max; }
    void set_pid_max(int pid_max) { m_pid_max = pid_max; }
    int allocated() const { return m_allocated; }
    pid_t last_pid() const { return m_last; }

    Task* child_reaper = nullptr;  // The namespace's init: orphans are reparented to it.
    bool adding = true;            // Linux: PIDNS_ADDING, cleared once the init has exited.
    int nr_tasks = 0;              // Tasks with a pid in this namespace, zombies included.

private:
    PidNamespace* m_parent;
    unsigned m_level;
    int m_pid_max;
    pid_t m_last = 0;
    int m_allocated = 0;
    std::vector<Pid*> m_map;  // m_map[nr]: the struct pid that holds number nr, or null.
};

}  // namespace forklab
