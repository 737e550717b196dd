// The lists that link tasks together, as Linux's list_heads in task_struct do. Each is an
// intrusive list (Boost.Intrusive): a task is linked into its parent's children, the global task
// list, its thread group, its process group and its session without any allocation.
#pragma once

#include <boost/intrusive/list.hpp>

namespace forklab {

struct Task;

namespace links {
namespace bi = boost::intrusive;
using Mode = bi::link_mode<bi::normal_link>;
struct SiblingTag;  // Linux: task_struct.sibling, in the parent's children list.
struct TasksTag;    // Linux: task_struct.tasks, the list of every process.
struct ThreadTag;   // Linux: task_struct.thread_node, in signal_struct.thread_head.
struct PgrpTag;     // Linux: pid_links[PIDTYPE_PGID], in the process group's struct pid.
struct SessionTag;  // Linux: pid_links[PIDTYPE_SID], in the session's struct pid.
using SiblingHook = bi::list_base_hook<bi::tag<SiblingTag>, Mode>;
using TasksHook = bi::list_base_hook<bi::tag<TasksTag>, Mode>;
using ThreadHook = bi::list_base_hook<bi::tag<ThreadTag>, Mode>;
using PgrpHook = bi::list_base_hook<bi::tag<PgrpTag>, Mode>;
using SessionHook = bi::list_base_hook<bi::tag<SessionTag>, Mode>;
template<typename Hook>
using List = bi::list<Task, bi::base_hook<Hook>, bi::constant_time_size<false>>;
}  // namespace links

using ChildList = links::List<links::SiblingHook>;
using TaskList = links::List<links::TasksHook>;
using ThreadList = links::List<links::ThreadHook>;
using PgrpList = links::List<links::PgrpHook>;
using SessionList = links::List<links::SessionHook>;

}  // namespace forklab
