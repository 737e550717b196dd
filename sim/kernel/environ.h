// A process's environment. On a real system it lives in the process's own memory, so fork
// copies it copy-on-write; here the strings are shared until one side changes them, which is the
// same thing at the host's cost of one pointer per task.
#pragma once

#include "base/ref.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace forklab {

class Environ {
public:
    std::optional<std::string_view> get(std::string_view name) const;
    void set(std::string_view name, std::string_view value);  // setenv(name, value, 1)
    void unset(std::string_view name);
    std::vector<std::string> const& entries() const;          // "NAME=value", in order.
    bool shares_storage_with(Environ const& o) const { return m_block == o.m_block; }

private:
    struct Block : RefCounted<Block> {
        std::vector<std::string> entries;
    };
    std::vector<std::string>& writable();
    RefPtr<Block> m_block;
};

}  // namespace forklab
