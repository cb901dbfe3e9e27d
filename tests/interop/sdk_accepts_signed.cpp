// Signs LiveKit webhook events with lkwebhook::sign() and has LiveKit's
// official JS SDK (livekit-server-sdk WebhookReceiver, via receive.mjs)
// verify them: every genuine request must be accepted with the right event
// name, and tampered, wrongly keyed or expired ones rejected. lkwebhook's own
// verify() must agree on every case. Exit codes: 0 all passed, 1 a failure,
// 77 skipped (node, or the npm-installed SDK, is missing).
#include <lkwebhook/signer.hpp>
#include <lkwebhook/verify.hpp>

#include <simdjson.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "support/vectors.hpp"

namespace {

struct request_case {
    std::string name;
    std::string api_key;
    std::string api_secret;  // what the receiver is configured with
    std::string body;
    std::string authorization;
    std::int64_t now = 0;
    bool expect_accept = false;
    std::string expect_event;
};

std::string json_string(std::string_view s) {
    std::string out = "\"";
    for (char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += ch;
        } else if (c < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", c);
            out += buf;
        } else {
            out += ch;
        }
    }
    return out + "\"";
}

std::string shell_quote(const std::string& s) {
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

int failures = 0;
int passes = 0;
void check(bool ok, const std::string& what) {
    if (ok) {
        ++passes;
    } else {
        ++failures;
        std::printf("FAILED: %s\n", what.c_str());
    }
}

}  // namespace

int main() {
    const std::string node = LKWEBHOOK_INTEROP_NODE;
    const std::string modules = LKWEBHOOK_INTEROP_NODE_MODULES;
    if (node.empty() || !std::filesystem::exists(node)) {
        std::printf("SKIPPED: node not found\n");
        return 77;
    }
    if (!std::filesystem::exists(std::filesystem::path(modules) / "livekit-server-sdk" / "package.json")) {
        std::printf("SKIPPED: livekit-server-sdk is not installed in %s (the npm fixture did not run)\n",
                    modules.c_str());
        return 77;
    }

    const std::string key = "APIinterop01";
    const std::string secret = "interop-secret-0123456789abcdefghijklmnopqrstuv";
    const std::int64_t t0 = 1767225600;

    // Genuine events: one body per event type from the shared vectors (valid
    // UTF-8, so the SDK's string API hashes the same bytes), plus a few
    // hand-made ones.
    std::vector<request_case> cases;
    std::map<std::string, bool> seen_type;
    for (const auto& v : lkwebhook::test::load_all_vectors()) {
        if (v.expect != "ok" || v.event_type.empty() || seen_type[v.event_type] || v.event_json.empty()) continue;
        if (v.event_type == "unknown") continue;
        seen_type[v.event_type] = true;
        request_case c;
        c.name = "signed_" + v.name;
        c.body = v.body;
        c.expect_event = v.event_type;
        cases.push_back(c);
    }
    {
        request_case c;
        c.name = "signed_minimal_room_started";
        c.body =
                R"({"event":"room_started","room":{"sid":"RM_x","name":"r \u00fc \"q\""},"id":"EV_abc","createdAt":"1767225600"})";
        c.expect_event = "room_started";
        cases.push_back(c);
    }
    std::size_t genuine = cases.size();
    for (std::size_t i = 0; i < genuine; ++i) {
        request_case& c = cases[i];
        c.api_key = key;
        c.api_secret = secret;
        lkwebhook::sign_options o;
        o.now_unix = t0 + static_cast<std::int64_t>(i);
        auto token = lkwebhook::sign(c.body, key, secret, o);
        if (!token) {
            std::printf("FAILED: sign() failed for %s\n", c.name.c_str());
            return 1;
        }
        c.authorization = *token;
        c.now = t0 + static_cast<std::int64_t>(i) + 1;
        c.expect_accept = true;
    }
    // Negative controls built from the first genuine case.
    const request_case base = cases.front();
    {
        request_case c = base;
        c.name = "tampered_body";
        c.body = base.body + " ";
        c.expect_accept = false;
        cases.push_back(c);
    }
    {
        request_case c = base;
        c.name = "wrong_secret";
        c.api_secret = secret + "x";
        c.expect_accept = false;
        cases.push_back(c);
    }
    {
        request_case c = base;
        c.name = "expired";
        c.now = base.now + 300 + 10 + 5;  // SDK default leeway is 10 s
        c.expect_accept = false;
        cases.push_back(c);
    }
    {
        request_case c = base;
        c.name = "other_key_id";
        c.api_key = "APIsomeoneElse";
        c.expect_accept = false;
        cases.push_back(c);
    }

    const std::filesystem::path work = std::filesystem::path(LKWEBHOOK_INTEROP_WORK_DIR) / "interop-cases.json";
    {
        std::ofstream f(work, std::ios::binary);
        f << "[";
        for (std::size_t i = 0; i < cases.size(); ++i) {
            const auto& c = cases[i];
            f << (i ? ",\n" : "\n") << "{\"name\":" << json_string(c.name) << ",\"api_key\":" << json_string(c.api_key)
              << ",\"api_secret\":" << json_string(c.api_secret) << ",\"body\":" << json_string(c.body)
              << ",\"authorization\":" << json_string(c.authorization) << ",\"now\":" << c.now << ",\"leeway_s\":10}";
        }
        f << "\n]\n";
    }

    const std::string command = "NODE_PATH=" + shell_quote(modules) + " " + shell_quote(node) + " " +
                                shell_quote(LKWEBHOOK_INTEROP_SCRIPT) + " " + shell_quote(work.string()) + " 2>&1";
    std::FILE* pipe = ::popen(command.c_str(), "r");
    if (pipe == nullptr) {
        std::printf("FAILED: cannot run node\n");
        return 1;
    }
    std::string output;
    char buf[4096];
    std::size_t n = 0;
    while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) output.append(buf, n);
    const int status = ::pclose(pipe);
    check(status == 0, "node exited with status " + std::to_string(status) + ": " + output.substr(0, 500));

    std::map<std::string, std::pair<bool, std::string>> sdk;  // name -> (accepted, event or error)
    simdjson::dom::parser parser;
    std::size_t start = 0;
    while (start < output.size()) {
        std::size_t nl = output.find('\n', start);
        if (nl == std::string::npos) nl = output.size();
        const std::string line = output.substr(start, nl - start);
        start = nl + 1;
        if (line.empty()) continue;
        simdjson::dom::element e;
        if (parser.parse(line).get(e) != simdjson::SUCCESS) {
            check(false, "unparsable node output: " + line.substr(0, 200));
            continue;
        }
        std::string_view name;
        std::string_view result;
        if (e["name"].get_string().get(name) != simdjson::SUCCESS ||
            e["result"].get_string().get(result) != simdjson::SUCCESS)
            continue;
        std::string_view detail;
        const simdjson::error_code detail_error =
                (result == "accepted" ? e["event"] : e["message"]).get_string().get(detail);
        if (detail_error != simdjson::SUCCESS) detail = "?";
        sdk[std::string(name)] = {result == "accepted", std::string(detail)};
    }

    for (const auto& c : cases) {
        const auto it = sdk.find(c.name);
        if (it == sdk.end()) {
            check(false, c.name + ": no answer from the SDK");
            continue;
        }
        const auto& [accepted, detail] = it->second;
        check(accepted == c.expect_accept, c.name + ": SDK " + (accepted ? "accepted" : "rejected (" + detail + ")") +
                                                   ", expected " + (c.expect_accept ? "accept" : "reject"));
        if (c.expect_accept && accepted) check(detail == c.expect_event, c.name + ": SDK decoded event " + detail);
        // Our verifier, with the SDK's 10 s leeway, agrees.
        auto keys = lkwebhook::key_set::make({{c.api_key, c.api_secret}});
        lkwebhook::verify_options o;
        o.leeway = std::chrono::seconds{10};
        const bool ours =
                keys && lkwebhook::verify(c.body, c.authorization, *keys, o, lkwebhook::fixed_clock{c.now}).has_value();
        check(ours == c.expect_accept, c.name + ": lkwebhook::verify disagrees");
        std::printf("%-55s SDK %-8s lkwebhook %s\n", c.name.c_str(), accepted ? "accepted" : "rejected",
                    ours ? "accepted" : "rejected");
    }
    check(genuine >= 10, "at least 10 genuine events signed (got " + std::to_string(genuine) + ")");
    std::printf("%d passed, %d failed\n", passes, failures);
    return failures == 0 ? 0 : 1;
}
