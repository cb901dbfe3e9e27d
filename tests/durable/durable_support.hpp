#ifndef LKWEBHOOK_TESTS_DURABLE_DURABLE_SUPPORT_HPP
#define LKWEBHOOK_TESTS_DURABLE_DURABLE_SUPPORT_HPP

// Shared by the durable-queue tests and lkwebhook-durable-node: the test key,
// signed event requests, hex transport over the node's stdin, a handle on a
// node process (start, feed, SIGKILL), and the handler log the nodes write.

#include <chrono>
#include <cstdint>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <lkwebhook/signer.hpp>

namespace lkwebhook_test {

inline constexpr std::string_view durable_api_key = "APIdurableTest";
inline constexpr std::string_view durable_api_secret = "durable-test-secret-0123456789abcdefghij";

inline std::string to_hex(std::string_view bytes) {
    constexpr char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (const char c : bytes) {
        out += digits[static_cast<unsigned char>(c) >> 4];
        out += digits[static_cast<unsigned char>(c) & 0xf];
    }
    return out;
}

inline std::string from_hex(std::string_view hex) {
    const auto nibble = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        throw std::invalid_argument("bad hex");
    };
    std::string out;
    out.reserve(hex.size() / 2);
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
        out += static_cast<char>((nibble(hex[i]) << 4) | nibble(hex[i + 1]));
    return out;
}

struct signed_event {
    std::string id;
    std::string room;
    std::string body;
    std::string authorization;
};

/// A participant_joined event of `room` with id `id`, signed now, as LiveKit sends it.
inline signed_event make_event(const std::string& room, const std::string& id, std::int64_t created_at = 1767260400) {
    std::string body = R"({"event":"participant_joined","room":{"sid":"RM_)" + room + R"(","name":")" + room +
                       R"("},"participant":{"sid":"PA_)" + id + R"(","identity":"alice"},"id":")" + id +
                       R"(","createdAt":")" + std::to_string(created_at) + R"("})";
    auto token = lkwebhook::sign(body, durable_api_key, durable_api_secret);
    if (!token) throw std::runtime_error("sign failed");
    return {id, room, std::move(body), *token};
}

/// A running lkwebhook-durable-node, talked to over pipes.
class node_process {
public:
    node_process(const std::string& binary, const std::vector<std::string>& options) {
        std::vector<std::string> args{binary};
        args.insert(args.end(), options.begin(), options.end());
        std::vector<char*> argv;
        for (std::string& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        int in[2];
        int out[2];
        if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
        pid_ = ::fork();
        if (pid_ < 0) throw std::runtime_error("fork failed");
        if (pid_ == 0) {
            ::dup2(in[0], 0);
            ::dup2(out[1], 1);
            ::close(in[0]);
            ::close(in[1]);
            ::close(out[0]);
            ::close(out[1]);
            ::execv(argv[0], argv.data());
            ::_exit(127);
        }
        ::close(in[0]);
        ::close(out[1]);
        to_ = in[1];
        from_ = out[0];
        if (read_line(std::chrono::seconds{30}) != "ready") throw std::runtime_error("node did not start");
    }
    ~node_process() {
        if (to_ >= 0) ::close(to_);
        if (from_ >= 0) ::close(from_);
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);
            int status = 0;
            ::waitpid(pid_, &status, 0);
        }
    }
    node_process(const node_process&) = delete;
    node_process& operator=(const node_process&) = delete;

    /// The HTTP status the node answered (0 if it did not answer within the timeout).
    int submit(const signed_event& e) {
        send("submit " + e.authorization + " " + to_hex(e.body) + "\n");
        const std::string line = read_line(std::chrono::seconds{30});
        return line.empty() ? 0 : std::stoi(line);
    }

    /// accepted handled duplicates redeliveries dead
    std::vector<std::uint64_t> stats() {
        send("stats\n");
        std::istringstream in{read_line(std::chrono::seconds{30})};
        std::vector<std::uint64_t> values;
        std::uint64_t v = 0;
        while (in >> v) values.push_back(v);
        return values;
    }

    /// SIGKILL: a crash, no shutdown, nothing flushed.
    void kill() {
        if (pid_ <= 0) return;
        ::kill(pid_, SIGKILL);
        int status = 0;
        ::waitpid(pid_, &status, 0);
        pid_ = -1;
    }

    /// Graceful: quit, wait for the exit status (true when it exited 0).
    bool quit() {
        send("quit\n");
        int status = 0;
        const bool ok = ::waitpid(pid_, &status, 0) == pid_ && WIFEXITED(status) && WEXITSTATUS(status) == 0;
        pid_ = -1;
        return ok;
    }

private:
    void send(const std::string& text) {
        std::size_t at = 0;
        while (at < text.size()) {
            const ssize_t n = ::write(to_, text.data() + at, text.size() - at);
            if (n <= 0) throw std::runtime_error("node stdin closed");
            at += static_cast<std::size_t>(n);
        }
    }

    std::string read_line(std::chrono::milliseconds timeout) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        for (;;) {
            if (const auto nl = buffer_.find('\n'); nl != std::string::npos) {
                std::string line = buffer_.substr(0, nl);
                buffer_.erase(0, nl + 1);
                return line;
            }
            const auto left =
                    std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0) return {};
            pollfd p{from_, POLLIN, 0};
            if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
            char chunk[512];
            const ssize_t n = ::read(from_, chunk, sizeof chunk);
            if (n <= 0) return {};
            buffer_.append(chunk, static_cast<std::size_t>(n));
        }
    }

    pid_t pid_ = -1;
    int to_ = -1;
    int from_ = -1;
    std::string buffer_;
};

struct log_line {
    std::string phase;  // start | done
    std::string id;
    std::string room;
    std::string pid;
};

inline std::vector<log_line> read_log(const std::string& path) {
    std::ifstream in{path};
    std::vector<log_line> lines;
    log_line l;
    std::string text;
    while (std::getline(in, text)) {
        std::istringstream fields{text};
        if (fields >> l.phase >> l.id >> l.room >> l.pid) lines.push_back(l);
    }
    return lines;
}

inline std::map<std::string, int> count_phase(const std::vector<log_line>& lines, std::string_view phase) {
    std::map<std::string, int> counts;
    for (const log_line& l : lines) {
        if (l.phase == phase) ++counts[l.id];
    }
    return counts;
}

/// Polls `done()` every 20 ms until it holds or `timeout` passed.
template <class F>
bool eventually(F&& done, std::chrono::milliseconds timeout = std::chrono::seconds{60}) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done()) {
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds{20});
    }
    return true;
}

}  // namespace lkwebhook_test

#endif
