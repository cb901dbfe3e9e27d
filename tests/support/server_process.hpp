#ifndef LKWEBHOOK_TESTS_SUPPORT_SERVER_PROCESS_HPP
#define LKWEBHOOK_TESTS_SUPPORT_SERVER_PROCESS_HPP

// Starting a real server (redis-server, nats-server) for a test fixture: one
// fork/exec with its output appended to a log file, and one wait for the line
// the server logs when it is ready. Each fixture keeps its own arguments and
// its own way of stopping.

#include <chrono>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

namespace lkwebhook_test {

/// Runs `args` (args[0]: the binary's path) in `dir`, stdout and stderr
/// appended to `log`; returns the child's pid.
inline pid_t spawn_logged(std::vector<std::string> args, const std::string& dir, const std::string& log) {
    // Built before fork(): the child of a threaded process may only call async-signal-safe functions.
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
        if (::chdir(dir.c_str()) != 0) ::_exit(126);
        const int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
        if (out >= 0) {
            ::dup2(out, 1);
            ::dup2(out, 2);
        }
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
    return pid;
}

/// Waits (every 50 ms, `attempts` times) until `log` contains `ready`. Throws
/// when the process exits first (`pid` becomes -1; the message carries the
/// log) or never logs it.
inline void wait_for_log(pid_t& pid, const std::string& log, std::string_view ready, int attempts,
                         const std::string& what) {
    for (int i = 0; i < attempts; ++i) {
        std::ifstream in{log};
        const std::string text{std::istreambuf_iterator<char>{in}, std::istreambuf_iterator<char>{}};
        if (text.find(ready) != std::string::npos) return;
        int status = 0;
        if (::waitpid(pid, &status, WNOHANG) == pid) {
            pid = -1;
            throw std::runtime_error(what + " exited at start: " + text);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds{50});
    }
    throw std::runtime_error(what + " did not become ready");
}

}  // namespace lkwebhook_test

#endif  // LKWEBHOOK_TESTS_SUPPORT_SERVER_PROCESS_HPP
