#include "lang/runner.h"

#include "lang/session.h"

namespace forklab::lang {

Run run_program(std::string path, std::string source, RunOptions options)
{
    Session session(std::move(path), std::move(source), std::move(options));
    session.run_to_end();
    return session.take_result();
}

}  // namespace forklab::lang
