// The demo that the README's first command runs: a LiveKit call, replayed against the
// cpp-httplib example server (or the Boost.Beast one) exactly as a LiveKit server would deliver it.
//
//   lkwebhook-demo SERVER_BINARY LKWEBHOOK_BINARY
//
// It starts the server on a free loopback port, then uses `lkwebhook send` (real HTTP, LiveKit's
// headers, signing and retry policy) for each step of a call: the room starts (through a front
// that refuses the first request with 503, so LiveKit retries), two people join and publish,
// one leaves, the room finishes; then a retried duplicate, a late (out-of-order) event, a
// forged request and a body altered in transit. After each step it shows what `send` saw and
// what the server logged, and checks both against what the step is meant to show. It ends with
// what the server's own endpoints say (GET /sessions: the call summary the session ledger
// produced; GET /events: the events the call registry handled; GET /metrics), then stops the
// server with SIGTERM. Exit status 0 only if every step happened as shown.

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iostream>
#include <iterator>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace {

using steady = std::chrono::steady_clock;

// A child process whose standard output (and error) we read line by line.
class child_process {
public:
    explicit child_process(const std::vector<std::string>& argv, const std::vector<std::string>& env = {}) {
        int fds[2];
        if (::pipe2(fds, O_CLOEXEC) != 0) return;
        pid_ = ::fork();
        if (pid_ == 0) {
            ::dup2(fds[1], STDOUT_FILENO);
            ::dup2(fds[1], STDERR_FILENO);
            for (const auto& assignment : env) ::putenv(const_cast<char*>(assignment.c_str()));
            std::vector<char*> args;
            for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
            args.push_back(nullptr);
            ::execv(args[0], args.data());
            std::fprintf(stderr, "cannot run %s: %s\n", args[0], std::strerror(errno));
            ::_exit(127);
        }
        ::close(fds[1]);
        if (pid_ < 0) {
            ::close(fds[0]);
            return;
        }
        fd_ = fds[0];
    }
    child_process(const child_process&) = delete;
    child_process& operator=(const child_process&) = delete;
    ~child_process() {
        if (pid_ > 0 && !exited_) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, nullptr, 0);
        }
        if (fd_ >= 0) ::close(fd_);
    }

    [[nodiscard]] bool started() const { return fd_ >= 0; }

    // The next complete line, or nullopt at EOF or when the deadline passes.
    std::optional<std::string> read_line(steady::time_point deadline) {
        for (;;) {
            if (const auto eol = buffer_.find('\n'); eol != std::string::npos) {
                std::string line = buffer_.substr(0, eol);
                buffer_.erase(0, eol + 1);
                return line;
            }
            if (eof_) {
                if (buffer_.empty()) return std::nullopt;
                return std::exchange(buffer_, std::string());
            }
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - steady::now()).count();
            if (left <= 0) return std::nullopt;
            pollfd p{fd_, POLLIN, 0};
            const int ready = ::poll(&p, 1, static_cast<int>(left));
            if (ready < 0 && errno == EINTR) continue;
            if (ready <= 0) return std::nullopt;
            char chunk[4096];
            const ssize_t got = ::read(fd_, chunk, sizeof chunk);
            if (got < 0 && errno == EINTR) continue;
            if (got <= 0) {
                eof_ = true;
                continue;
            }
            buffer_.append(chunk, static_cast<std::size_t>(got));
        }
    }

    void signal(int number) const {
        if (pid_ > 0 && !exited_) ::kill(pid_, number);
    }

    // Waits for the exit; returns the exit status, or 128 + signal.
    int wait() {
        int status = 0;
        if (pid_ <= 0) return 127;
        ::waitpid(pid_, &status, 0);
        exited_ = true;
        if (WIFEXITED(status)) return WEXITSTATUS(status);
        return 128 + WTERMSIG(status);
    }

private:
    pid_t pid_ = -1;
    int fd_ = -1;
    std::string buffer_;
    bool eof_ = false;
    bool exited_ = false;
};

// Step 1's front: a stand-in for the load balancer or reverse proxy in front of a webhook
// server, which forwards a request only to a server whose GET /healthz it has checked. The
// first request reaches it before any check: it answers that one itself with 503 +
// Retry-After: 1 (what such proxies answer without a healthy upstream) and checks the server
// then; once the check passed it forwards each request unchanged (the body, Authorization and
// Content-Type exactly as received: the signature covers the bytes) and returns the server's
// answer. Everything it does is printed as `front  |` lines.
class health_checked_front {
public:
    health_checked_front(int backend_port, std::string path) : backend_port_(backend_port), path_(std::move(path)) {}
    health_checked_front(const health_checked_front&) = delete;
    health_checked_front& operator=(const health_checked_front&) = delete;
    ~health_checked_front() { stop(); }

    // Listens on a free loopback port; false if it cannot.
    bool start() {
        server_.Post(path_, [this](const httplib::Request& req, httplib::Response& res) { forward(req, res); });
        const int port = server_.bind_to_any_port("127.0.0.1");
        if (port <= 0) return false;
        url_ = "http://127.0.0.1:" + std::to_string(port) + path_;
        thread_ = std::thread([this] { server_.listen_after_bind(); });
        return true;
    }

    // The webhook URL through the front.
    [[nodiscard]] const std::string& url() const { return url_; }

    void stop() {
        if (!thread_.joinable()) return;
        server_.stop();
        thread_.join();
    }

    std::vector<std::string> take_lines() {
        std::lock_guard lock(mutex_);
        return std::exchange(lines_, {});
    }

private:
    void note(std::string line) {
        std::lock_guard lock(mutex_);
        lines_.push_back(std::move(line));
    }

    bool backend_healthy() {
        httplib::Client backend("127.0.0.1", backend_port_);
        backend.set_connection_timeout(2);
        backend.set_read_timeout(2);
        const auto r = backend.Get("/healthz");
        return r && r->status == 200;
    }

    void forward(const httplib::Request& req, httplib::Response& res) {
        if (!healthy_.load()) {
            res.status = 503;
            res.set_header("Retry-After", "1");
            res.set_content("no healthy upstream\n", "text/plain");
            note("POST -> 503 + Retry-After: 1 (no health check of the server yet)");
            const bool healthy = backend_healthy();
            healthy_.store(healthy);
            note(std::string("GET /healthz on the server: ") + (healthy ? "ok, requests go through now" : "failed"));
            return;
        }
        httplib::Headers headers;
        const auto [first, end] = req.headers.equal_range("Authorization");
        for (auto it = first; it != end; ++it) headers.emplace("Authorization", it->second);
        httplib::Client backend("127.0.0.1", backend_port_);
        backend.set_connection_timeout(5);
        backend.set_read_timeout(5);
        const auto r = backend.Post(path_, headers, req.body, req.get_header_value("Content-Type"));
        if (!r) {
            res.status = 502;
            res.set_content("bad gateway\n", "text/plain");
            note("POST -> forwarded, but the server did not answer: 502");
            return;
        }
        res.status = r->status;
        if (r->has_header("Retry-After")) res.set_header("Retry-After", r->get_header_value("Retry-After"));
        res.set_content(r->body, r->get_header_value("Content-Type"));
        note("POST -> forwarded to the server, which answered " + std::to_string(r->status));
    }

    int backend_port_;
    std::string path_;
    std::string url_;
    httplib::Server server_;
    std::thread thread_;
    std::mutex mutex_;
    std::vector<std::string> lines_;
    std::atomic<bool> healthy_{false};  // written and read by the front's request threads
};

struct step_result {
    std::vector<std::string> send_lines;
    int send_exit = -1;
    std::optional<int> server_status;  // from the server's `[webhook] STATUS NAME` line
    std::string server_outcome;
    std::vector<std::string> server_lines;
    std::vector<std::string> front_lines;
};

class demo {
public:
    demo(std::string server, std::string cli) : server_binary_(std::move(server)), cli_(std::move(cli)) {}

    int run();

private:
    bool start_server();
    step_result send(const std::vector<std::string>& args, std::string_view shown_as = {},
                     health_checked_front* front = nullptr);
    std::optional<std::string> get(const std::string& path);
    void wait_until_dispatched();
    void collect_server_lines(step_result& r, std::chrono::milliseconds wait_for_webhook);
    bool expect(const step_result& r, int status, std::string_view outcome, std::string_view shows);
    std::string sign_body(const std::string& body_file);
    void print_block(std::string_view label, const std::vector<std::string>& lines);

    std::string server_binary_;
    std::string cli_;
    std::optional<child_process> server_;
    std::string url_;
    std::string path_;
    int port_ = 0;
    int failures_ = 0;
    int step_ = 0;
    std::string workdir_;
    // How long to keep reading after a request's [webhook] line: the async (Beast) server logs
    // its correlator's lines from a worker, possibly just after it answered.
    std::chrono::milliseconds grace_{150};
};

constexpr const char* api_key = "APIdemoKey7";
constexpr const char* api_secret = "demo-secret-demo-secret-demo-secret-42";  // a demo credential, not a real one

std::vector<std::string> credentials_env() {
    return {std::string("LIVEKIT_API_KEY=") + api_key, std::string("LIVEKIT_API_SECRET=") + api_secret};
}

bool demo::start_server() {
    server_.emplace(std::vector<std::string>{server_binary_, "--bind", "127.0.0.1", "--port", "0"}, credentials_env());
    if (!server_->started()) return false;
    const auto deadline = steady::now() + std::chrono::seconds(20);
    while (auto line = server_->read_line(deadline)) {
        constexpr std::string_view marker = "listening on ";
        if (line->rfind(marker, 0) == 0) {
            url_ = line->substr(marker.size());
            // http://127.0.0.1:PORT/path
            const auto colon = url_.find(':', 7);
            port_ = std::atoi(url_.c_str() + colon + 1);
            const auto slash = url_.find('/', colon);
            path_ = slash == std::string::npos ? "/" : url_.substr(slash);
            return port_ > 0;
        }
        std::cout << "  server: " << *line << "\n";
    }
    return false;
}

void demo::print_block(std::string_view label, const std::vector<std::string>& lines) {
    for (const auto& line : lines) std::cout << "   " << label << line << "\n";
}

// Reads the server's log until its `[webhook]` line for this request, plus whatever follows at once.
void demo::collect_server_lines(step_result& r, std::chrono::milliseconds wait_for_webhook) {
    auto deadline = steady::now() + wait_for_webhook;
    while (auto line = server_->read_line(deadline)) {
        r.server_lines.push_back(*line);
        constexpr std::string_view marker = "[webhook] ";
        if (line->rfind(marker, 0) == 0) {
            const std::string rest = line->substr(marker.size());
            r.server_status = std::atoi(rest.c_str());
            const auto space = rest.find(' ');
            if (space != std::string::npos) {
                const auto end = rest.find_first_of(" :", space + 1);
                r.server_outcome =
                        rest.substr(space + 1, end == std::string::npos ? std::string::npos : end - space - 1);
            }
            // The ledger's lines for this event are written before the [webhook] line; a short
            // grace period collects anything that follows it (e.g. a summary).
            deadline = steady::now() + grace_;
        }
    }
}

step_result demo::send(const std::vector<std::string>& args, std::string_view shown_as, health_checked_front* front) {
    std::vector<std::string> argv{cli_, "send"};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.push_back("--backoff-scale");  // the demo shows LiveKit's waits but does not sit through them
    argv.push_back("0.05");
    argv.push_back(front != nullptr ? front->url() : url_);
    const std::string_view url_shown = front != nullptr ? " FRONT_URL\n" : " URL\n";
    if (!shown_as.empty()) {
        std::cout << "   $ lkwebhook send " << shown_as << url_shown;
    } else {
        std::cout << "   $ lkwebhook send";
        for (std::size_t i = 0; i < args.size(); ++i) {
            if ((args[i] == "--room" || args[i] == "--room-created-at") && i + 1 < args.size()) {
                ++i;  // the same for every step; said once at the top
                continue;
            }
            const auto& a = args[i];
            std::cout << " " << (a.find(' ') != std::string::npos ? "'" + a + "'" : a);
        }
        std::cout << url_shown;
    }
    step_result r;
    child_process sender(argv, credentials_env());
    const auto deadline = steady::now() + std::chrono::seconds(60);
    while (auto line = sender.read_line(deadline)) {
        if (line->rfind("POST ", 0) == 0) continue;  // the URL is already known
        r.send_lines.push_back(*line);
    }
    r.send_exit = sender.wait();
    collect_server_lines(r, std::chrono::seconds(5));
    if (front != nullptr) r.front_lines = front->take_lines();
    print_block("send   | ", r.send_lines);
    print_block("front  | ", r.front_lines);
    print_block("server | ", r.server_lines);
    return r;
}

// GET PATH on the server: the body of a 200 answer, or nullopt.
std::optional<std::string> demo::get(const std::string& path) {
    httplib::Client client("127.0.0.1", port_);
    client.set_connection_timeout(5);
    client.set_read_timeout(5);
    if (auto res = client.Get(path.c_str()); res && res->status == 200) return res->body;
    return std::nullopt;
}

// The Beast server answers before its workers hand the event to the call registry: wait until
// its dispatch queue is empty (the lkwebhook_queue_depth gauge; always 0 for cpp-httplib).
void demo::wait_until_dispatched() {
    const auto deadline = steady::now() + std::chrono::seconds(10);
    while (steady::now() < deadline) {
        const auto metrics = get("/metrics");
        if (metrics && metrics->find("\nlkwebhook_queue_depth 0\n") != std::string::npos) return;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
}

bool demo::expect(const step_result& r, int status, std::string_view outcome, std::string_view shows) {
    const bool send_ok = (status >= 200 && status < 300) ? r.send_exit == 0 : r.send_exit == 1;
    const bool ok = send_ok && r.server_status == status && r.server_outcome == outcome;
    if (ok) {
        if (!shows.empty()) std::cout << "   => " << shows << "\n";
        std::cout << "\n";
    } else {
        ++failures_;
        std::cout << "   !! NOT AS EXPECTED: wanted HTTP " << status << " " << outcome << ", got ";
        if (r.server_status) {
            std::cout << "HTTP " << *r.server_status << " " << r.server_outcome;
        } else {
            std::cout << "no [webhook] line from the server";
        }
        std::cout << " (send exit " << r.send_exit << ")\n\n";
    }
    return ok;
}

std::string demo::sign_body(const std::string& body_file) {
    child_process signer({cli_, "sign", "--api-key", api_key, "--api-secret", api_secret, body_file});
    std::string token;
    if (auto line = signer.read_line(steady::now() + std::chrono::seconds(20))) token = *line;
    if (signer.wait() != 0) token.clear();
    return token;
}

int demo::run() {
    char dir_template[] = "/tmp/lkwebhook-demo-XXXXXX";
    if (::mkdtemp(dir_template) == nullptr) {
        std::cerr << "demo: cannot create a temporary directory\n";
        return 1;
    }
    workdir_ = dir_template;

    // The Boost.Beast example speaks the same command line and log format (its correlator runs
    // on async_dispatcher's workers), so the demo can drive either.
    const bool beast = server_binary_.find("beast") != std::string::npos;
    if (beast) grace_ = std::chrono::milliseconds(400);
    std::cout << "lkwebhook demo: one LiveKit call, delivered to the "
              << (beast ? "Boost.Beast (async dispatcher)" : "cpp-httplib") << " example server\n"
              << "======================================================================\n"
                 "Every request below is a real HTTP POST made by `lkwebhook send` exactly as a LiveKit\n"
                 "server makes it (Authorization: <HS256 JWT over the body's SHA-256>, Content-Type:\n"
                 "application/webhook+json, retries on 429/5xx). `send |` lines are what the sender saw,\n"
                 "`server |` lines what the server logged, `front |` what step 1's front did. `send` waits\n"
                 "LiveKit's backoff 20x shorter here (--backoff-scale 0.05). API key "
              << api_key << " (a demo credential).\n\n";

    if (!start_server()) {
        std::cerr << "demo: the server did not start (" << server_binary_ << ")\n";
        return 1;
    }
    std::cout << "server listening on " << url_ << " (URL below)\n"
              << "every `lkwebhook send` below also passes --room standup-42 --room-created-at <the call's start>\n\n";

    // One call, timestamps relative to now (tokens are checked against the real clock).
    const std::int64_t t0 = static_cast<std::int64_t>(std::time(nullptr)) - 60;
    const auto at = [&](std::int64_t offset) { return std::to_string(t0 + offset); };
    const std::string room = "standup-42";
    const std::vector<std::string> room_args{"--room", room, "--room-created-at", at(0)};
    const auto with = [&](std::vector<std::string> extra) {
        std::vector<std::string> all = room_args;
        all.insert(all.end(), extra.begin(), extra.end());
        return all;
    };
    const auto step = [&](std::string_view title) { std::cout << ++step_ << ". " << title << "\n"; };

    step("The room starts (through a front that has not health-checked our server yet: 503 + Retry-After once)");
    {
        health_checked_front front(port_, path_);
        if (!front.start()) {
            ++failures_;
            std::cout << "   !! NOT AS EXPECTED: the front could not listen on a loopback port\n";
        }
        std::cout << "   This request goes to FRONT_URL (" << front.url()
                  << "), a stand-in for a load balancer:\n"
                     "   it forwards only to a server whose GET /healthz it checked, and it has not checked yet.\n";
        const step_result r =
                send(with({"--event", "room_started", "--id", "EV_demoRoomStart", "--created-at", at(0)}), {}, &front);
        front.stop();
        bool retried = false;
        for (const auto& line : r.send_lines)
            if (line.rfind("attempt 1/5: HTTP 503", 0) == 0 && line.find("Retry-After") != std::string::npos)
                retried = true;
        const bool front_as_shown = r.front_lines.size() == 3 && r.front_lines[0].rfind("POST -> 503", 0) == 0 &&
                                    r.front_lines[2].find("answered 200") != std::string::npos;
        if (!retried || !front_as_shown) {
            ++failures_;
            std::cout << "   !! NOT AS EXPECTED: no 503 + Retry-After from the front, then 200 from the server\n";
        }
        expect(r, 200, "ok",
               "LiveKit's client waited as told and sent the same request again (same token, same id);\n"
               "      the front passed it on, and the server verified, decoded and dispatched it: the ledger\n"
               "      opens a session for the room. (The server itself never saw the refused attempt.)");
    }

    step("Alice joins");
    expect(send(with({"--event", "participant_joined", "--identity", "alice@example.com", "--name", "Alice",
                      "--num-participants", "1", "--id", "EV_demoAliceJoin", "--created-at", at(5), "--joined-at",
                      at(4)})),
           200, "ok", "Alice is present");

    step("Bob joins");
    expect(send(with({"--event", "participant_joined", "--identity", "bob@example.com", "--name", "Bob",
                      "--num-participants", "2", "--id", "EV_demoBobJoin1", "--created-at", at(9), "--joined-at",
                      at(8)})),
           200, "ok", "Bob is present too");

    step("Alice publishes her microphone, Bob his camera");
    expect(send(with({"--event", "track_published", "--identity", "alice@example.com", "--track-source", "microphone",
                      "--id", "EV_demoAliceMic1", "--created-at", at(10)})),
           200, "ok", "track events reach the correlator (participant stub + track)");
    expect(send(with({"--event", "track_published", "--identity", "bob@example.com", "--track-source", "camera", "--id",
                      "EV_demoBobCamera", "--created-at", at(11)})),
           200, "ok", "");

    step("Bob leaves");
    expect(send(with({"--event", "participant_left", "--identity", "bob@example.com", "--name", "Bob",
                      "--num-participants", "1", "--id", "EV_demoBobLeft1", "--created-at", at(40), "--joined-at",
                      at(8)})),
           200, "ok", "Bob's stay is recorded");

    step("The room finishes (the ledger closes the call and writes its summary)");
    const std::vector<std::string> finished =
            with({"--event", "room_finished", "--id", "EV_demoRoomDone", "--created-at", at(55), "--now", at(56)});
    expect(send(finished), 200, "ok", "the call is over: summary below");

    step("A retried duplicate: the same room_finished again (same id, same body, same token)");
    std::cout << "   LiveKit re-sends an event when it did not see our 2xx (timeout, dropped connection).\n";
    expect(send(finished), 200, "duplicate_event",
           "acknowledged with 200 so LiveKit stops, but NOT dispatched again: no second summary");

    step("An out-of-order event: Alice's participant_left arrives after room_finished");
    std::cout << "   LiveKit orders events per room only loosely, so a late event must not resurrect a call.\n";
    expect(send(with({"--event", "participant_left", "--identity", "alice@example.com", "--name", "Alice", "--id",
                      "EV_demoAliceLeft", "--created-at", at(54), "--joined-at", at(4)})),
           200, "ok", "acknowledged (a retry could not help) but the finished call stays finished");

    step("A forged request: signed with a secret that is not ours");
    expect(send(with({"--event", "room_finished", "--api-secret", "not-the-real-secret", "--id", "EV_demoForgery1"})),
           401, "bad_signature", "rejected before the body is even parsed; 401 is final, LiveKit would not retry");

    step("A body altered in transit: signed, then changed by a proxy (one name edited)");
    const std::string original = workdir_ + "/original.json";
    const std::string altered = workdir_ + "/altered.json";
    {
        child_process dry({cli_, "send", "--event", "participant_joined", "--room", room, "--identity",
                           "carol@example.com", "--name", "Carol", "--id", "EV_demoCarolJoin", "--save-body", original,
                           "--dry-run", "--api-key", api_key, "--api-secret", api_secret});
        while (dry.read_line(steady::now() + std::chrono::seconds(20))) {}
        dry.wait();
    }
    const std::string token = sign_body(original);
    std::string body;
    {
        std::ifstream in(original, std::ios::binary);
        body.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
        const auto pos = body.find("\"Carol\"");
        if (pos != std::string::npos) body.replace(pos, 7, "\"Mallory\"");
        std::ofstream out(altered, std::ios::binary | std::ios::trunc);
        out << body;
    }
    std::cout << "   $ TOKEN=$(lkwebhook sign original.json)   # what LiveKit signed: the original body\n";
    std::cout << "   (then \"Carol\" -> \"Mallory\" in the body; the token is sent unchanged)\n";
    expect(send({"--body", altered, "--authorization", token}, "--body altered.json --authorization \"$TOKEN\""), 401,
           "body_hash_mismatch", "the signature is genuine, but it signs other bytes: rejected (hash the raw body!)");

    // What the server's own endpoints say, once every acknowledged event reached the registry.
    wait_until_dispatched();
    std::cout << "Call summary produced by the session ledger (GET /sessions)\n"
                 "-----------------------------------------------------------\n";
    std::vector<std::string> open_calls;
    std::vector<std::string> summary_lines;
    if (const auto sessions = get("/sessions")) {
        std::istringstream lines(*sessions);
        std::vector<std::string>* section = nullptr;
        for (std::string line; std::getline(lines, line);) {
            if (line == "open calls:") {
                section = &open_calls;
            } else if (line.rfind("finished calls", 0) == 0) {
                section = &summary_lines;
            } else if (section != nullptr && line.rfind("  ", 0) == 0) {
                section->push_back(line.substr(2));
            }
        }
    } else {
        ++failures_;
        std::cout << "   !! NOT AS EXPECTED: GET /sessions failed\n";
    }
    for (const auto& line : summary_lines) std::cout << "   " << line << "\n";
    {
        // One call, two participants, both named; Alice, still present at the end, left with the room.
        std::string all;
        for (const auto& line : summary_lines) all += line + "\n";
        const bool as_shown = summary_lines.size() == 3 &&
                              all.find("completed: 55 s, 2 participant(s)") != std::string::npos &&
                              all.find("alice@example.com") != std::string::npos &&
                              all.find("bob@example.com") != std::string::npos &&
                              all.find("joined at +9 s, left at +40 s") != std::string::npos &&
                              all.find("joined at +5 s, left at +55 s") != std::string::npos;
        if (!as_shown) {
            ++failures_;
            std::cout
                    << "   !! NOT AS EXPECTED: the summary is not one 55 s call with Alice (5-55 s) and Bob (9-40 s)\n";
        }
        if (!open_calls.empty()) {
            ++failures_;
            std::cout << "   !! NOT AS EXPECTED: a call is still open: " << open_calls.front() << "\n";
        }
    }

    std::cout << "\nEvents the call registry handled (GET /events: id, event, room)\n"
                 "----------------------------------------------------------------\n";
    {
        // Each accepted event exactly once, in the order sent (one room: one order); the
        // duplicate, the forgery and the altered body never reached it.
        const std::vector<std::string> expected{"EV_demoRoomStart", "EV_demoAliceJoin", "EV_demoBobJoin1",
                                                "EV_demoAliceMic1", "EV_demoBobCamera", "EV_demoBobLeft1",
                                                "EV_demoRoomDone",  "EV_demoAliceLeft"};
        std::vector<std::string> ids;
        if (const auto events = get("/events")) {
            std::istringstream lines(*events);
            std::string line;
            std::getline(lines, line);  // "handled N event(s); ..."
            while (std::getline(lines, line)) {
                if (line.empty()) continue;
                std::cout << "   " << line << "\n";
                ids.push_back(line.substr(0, line.find(' ')));
            }
        } else {
            std::cout << "   (GET /events failed)\n";
        }
        if (ids == expected) {
            std::cout << "   => the 8 events answered `ok`, once each; not the duplicate, the forgery or the altered "
                         "body\n";
        } else {
            ++failures_;
            std::cout << "   !! NOT AS EXPECTED: wanted exactly the 8 accepted events in the order sent\n";
        }
    }
    std::cout << "\nServer metrics (GET /metrics, Prometheus text; non-zero samples, no histogram buckets)\n"
                 "------------------------------------------------------------------------------------\n";
    if (const auto metrics_text = get("/metrics")) {
        std::string_view text = *metrics_text;
        std::size_t shown = 0;
        while (!text.empty()) {
            const auto eol = text.find('\n');
            const std::string_view line = text.substr(0, eol);
            text = eol == std::string_view::npos ? std::string_view{} : text.substr(eol + 1);
            if (line.empty() || line.front() == '#') continue;
            if (line.find("_bucket") != std::string_view::npos) continue;  // histogram buckets: too long for a demo
            if (line.size() >= 2 && line.substr(line.size() - 2) == " 0") continue;  // zero counters too
            std::cout << "   " << line << "\n";
            ++shown;
        }
        // The counters must tell the same story as the steps above.
        for (std::string_view expected :
             {"lkwebhook_requests_total{outcome=\"ok\"} 8\n", "lkwebhook_requests_total{outcome=\"bad_signature\"} 1\n",
              "lkwebhook_requests_total{outcome=\"body_hash_mismatch\"} 1\n", "lkwebhook_duplicates_total 1\n",
              "lkwebhook_sessions_not_found_total 1\n"}) {
            if (metrics_text->find(expected) == std::string::npos) {
                ++failures_;
                std::cout << "   !! NOT AS EXPECTED: no metrics line " << expected;
            }
        }
        if (shown == 0) {
            ++failures_;
            std::cout << "   !! NOT AS EXPECTED: /metrics is empty\n";
        }
    } else {
        ++failures_;
        std::cout << "   !! NOT AS EXPECTED: GET /metrics failed\n";
    }

    std::cout << "\nStopping the server with SIGTERM\n";
    server_->signal(SIGTERM);
    step_result tail;
    collect_server_lines(tail, std::chrono::seconds(10));
    print_block("server | ", tail.server_lines);
    const int server_exit = server_->wait();
    if (server_exit != 0) {
        ++failures_;
        std::cout << "   !! NOT AS EXPECTED: the server exited with " << server_exit << "\n";
    }
    std::remove(original.c_str());
    std::remove(altered.c_str());
    ::rmdir(workdir_.c_str());

    // "Webhook never fires": what LiveKit does when nothing answers at the URL it was given.
    std::cout << "\nAnd when the endpoint is down (the server is stopped now): LiveKit's 5 attempts\n";
    {
        std::vector<std::string> argv{
                cli_, "send", "--event", "room_started", "--room", "standup-43", "--backoff-scale", "0.05", url_};
        std::cout << "   $ lkwebhook send --event room_started --room standup-43 URL\n";
        child_process sender(argv, credentials_env());
        std::vector<std::string> lines;
        while (auto line = sender.read_line(steady::now() + std::chrono::seconds(60)))
            if (line->rfind("POST ", 0) != 0) lines.push_back(*line);
        const int exit_code = sender.wait();
        print_block("send   | ", lines);
        const bool gave_up = exit_code == 1 && !lines.empty() &&
                             lines.back().find("giving up after 5 attempt(s)") != std::string::npos;
        if (gave_up) {
            std::cout << "   => after about 15 s of backoff LiveKit drops the event, and later events of the room\n"
                         "      wait behind it: an endpoint that is down or slow loses webhooks silently.\n";
        } else {
            ++failures_;
            std::cout << "   !! NOT AS EXPECTED: the sender did not give up after 5 attempts (exit " << exit_code
                      << ")\n";
        }
    }

    if (failures_ == 0) {
        std::cout << "\ndemo: every step happened as shown.\n";
        return 0;
    }
    std::cout << "\ndemo: " << failures_ << " step(s) did NOT happen as shown.\n";
    return 1;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        std::cerr << "usage: lkwebhook-demo SERVER_BINARY LKWEBHOOK_BINARY\n";
        return 2;
    }
    ::signal(SIGPIPE, SIG_IGN);
    demo d(argv[1], argv[2]);
    return d.run();
}
