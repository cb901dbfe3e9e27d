#ifndef LKWEBHOOK_TESTS_SUPPORT_FORK_RUNNER_HPP
#define LKWEBHOOK_TESTS_SUPPORT_FORK_RUNNER_HPP

// Runs a piece of a test in a forked child process, for tests whose subject
// may crash (a guard page read, an injected allocation failure) or must start
// from a cold process: the parent learns how the child ended and what text
// it reported, and survives either way. POSIX only.

#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "support/catch.hpp"

namespace lkwebhook::test {

/// How a child run ended.
struct child_result {
    bool finished = false;  ///< exited normally with status 0
    int exit_code = -1;     ///< when it exited
    int signal = 0;         ///< when a signal killed it
    std::string text;       ///< what the child reported
};

/// Hooks around the body, run in the child.
struct child_hooks {
    /// First thing in the child, with the descriptor the report goes to
    /// (e.g. to install signal handlers that write there).
    void (*setup)(int report_fd) = nullptr;
    /// After the report is written; a non-zero return becomes the exit status.
    int (*before_exit)() = nullptr;
};

/// Forks; the child runs `body` (returning the text to report), writes the
/// text to a pipe and leaves with _exit (no test-framework or static
/// destructors run in the child). The parent collects the text and the
/// child's status.
template <class Body>
child_result run_in_child(Body&& body, child_hooks hooks = {}) {
    int fds[2];
    REQUIRE(pipe(fds) == 0);
    std::fflush(nullptr);  // nothing buffered is written twice
    const pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        if (hooks.setup != nullptr) hooks.setup(fds[1]);
        const std::string text = body();
        if (write(fds[1], text.data(), text.size()) != static_cast<ssize_t>(text.size())) _exit(4);
        close(fds[1]);
        _exit(hooks.before_exit != nullptr ? hooks.before_exit() : 0);
    }
    close(fds[1]);
    child_result r;
    char buffer[512];
    ssize_t n;
    while ((n = read(fds[0], buffer, sizeof buffer)) > 0) r.text.append(buffer, static_cast<std::size_t>(n));
    close(fds[0]);
    int status = 0;
    REQUIRE(waitpid(pid, &status, 0) == pid);
    if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) r.signal = WTERMSIG(status);
    r.finished = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    return r;
}

}  // namespace lkwebhook::test

#endif  // LKWEBHOOK_TESTS_SUPPORT_FORK_RUNNER_HPP
