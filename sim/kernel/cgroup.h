// The pids controller of cgroup v2 (Linux: kernel/cgroup/pids.c). Each cgroup counts the tasks
// in it and in its descendants (pids.current, zombies included until they are reaped); a fork
// that would take any cgroup on the way to the root past its pids.max fails with EAGAIN, and
// that cgroup's pids.events "max" counter goes up.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace forklab {

class Cgroup {
public:
    static constexpr std::int64_t kMax = -1;  // pids.max = "max": no limit.

    Cgroup(std::string name, Cgroup* parent) : m_name(std::move(name)), m_parent(parent) {}

    std::string path() const;  // "/" for the root, "/lab/box" below it.
    std::string const& name() const { return m_name; }
    Cgroup* parent() const { return m_parent; }
    std::vector<std::unique_ptr<Cgroup>> const& children() const { return m_children; }
    Cgroup* child(std::string_view name) const;
    Cgroup& add_child(std::string name);

    // Charge one task to this cgroup and every ancestor, or charge nothing and return the
    // cgroup whose limit said no.
    Cgroup* try_charge();
    void uncharge();

    std::int64_t pids_max = kMax;
    std::int64_t pids_current = 0;
    std::uint64_t pids_events_max = 0;  // pids.events: forks refused by this cgroup's limit.

private:
    std::string m_name;
    Cgroup* m_parent;
    std::vector<std::unique_ptr<Cgroup>> m_children;
};

}  // namespace forklab
