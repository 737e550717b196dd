// Reference counting for the kernel's shared pieces (files_struct, fs_struct, signal_struct,
// sighand_struct, mm_struct, struct pid), as Linux counts them with refcount_t.
//
// Boost's intrusive counter keeps the count inside the object, so a reference is one pointer and
// "share" in copy_process() is one increment. The model is single-threaded: the counter is not
// atomic.
#pragma once

#include <boost/smart_ptr/intrusive_ptr.hpp>
#include <boost/smart_ptr/intrusive_ref_counter.hpp>

namespace forklab {

template<typename T>
using RefCounted = boost::intrusive_ref_counter<T, boost::thread_unsafe_counter>;

template<typename T>
using RefPtr = boost::intrusive_ptr<T>;

template<typename T, typename... Args>
RefPtr<T> make_ref(Args&&... args)
{
    return RefPtr<T>(new T(std::forward<Args>(args)...));
}

}  // namespace forklab
