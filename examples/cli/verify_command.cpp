// `lkwebhook verify`: authenticate and decode a captured LiveKit webhook.
//
//   lkwebhook verify --api-key KEY --api-secret SECRET [--keys-file FILE]
//                    --authorization VALUE [--now UNIX_SECONDS] [--leeway SECONDS] [BODY_FILE]
//
// The body is read byte-exact from BODY_FILE, or from standard input without
// it (or with "-"). Keys default to LIVEKIT_API_KEY / LIVEKIT_API_SECRET.
// Without --authorization the request is taken to have had no such header.
// Success: the event as canonical proto3 JSON on one line on stdout, exit 0.
// Rejection: `error: <stable_name>: <diagnosis>` as the first line of
// stderr, exit 1. Usage errors: exit 2.

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>

#include <lkwebhook/encode.hpp>
#include <lkwebhook/key_file.hpp>
#include <lkwebhook/keys.hpp>
#include <lkwebhook/receiver.hpp>

#include "commands.hpp"
#include "common/parse_number.hpp"

namespace lkwebhook::cli {
namespace {

constexpr std::string_view verify_usage =
        "usage: lkwebhook verify [--api-key KEY] [--api-secret SECRET] [--keys-file FILE]\n"
        "                        [--authorization VALUE] [--now UNIX_SECONDS] [--leeway SECONDS] [BODY_FILE]\n"
        "\n"
        "Authenticates a captured LiveKit webhook and prints its event as canonical proto3 JSON.\n"
        "  --api-key, --api-secret  the key pair (default: $LIVEKIT_API_KEY, $LIVEKIT_API_SECRET)\n"
        "  --keys-file FILE         a livekit-server key file (`key: secret` lines) instead of one pair\n"
        "  --authorization VALUE    the Authorization header value; omit it if the request had none\n"
        "  --now UNIX_SECONDS       evaluate the token at this time (default: the system clock)\n"
        "  --leeway SECONDS         clock-skew tolerance, 0..300 (default 60)\n"
        "  BODY_FILE                the raw body (default or '-': standard input), read byte-exact\n"
        "Exit: 0 ok (event on stdout), 1 rejected (`error: <name>: <reason>` on stderr), 2 usage error.\n";

int usage_error(std::string_view message) {
    std::cerr << "lkwebhook verify: " << message << "\n" << verify_usage;
    return 2;
}

/// A clock that is either fixed (--now) or the system clock. Like
/// fixed_clock it gives the verifier whole Unix seconds through unix_now(),
/// so a --now after 2262 (past what a nanosecond system_clock::time_point
/// holds) is read as given instead of overflowing.
struct cli_clock {
    std::optional<std::int64_t> fixed;
    [[nodiscard]] std::chrono::system_clock::time_point now() const noexcept {
        if (fixed) return fixed_clock{*fixed}.now();
        return std::chrono::system_clock::now();
    }
    [[nodiscard]] std::int64_t unix_now() const noexcept {
        if (fixed) return *fixed;
        return lkwebhook::unix_now(system_clock_source{});
    }
};

bool read_body(const std::optional<std::string>& path, std::string& body) {
    if (!path || *path == "-") {
        std::ostringstream buffer;
        buffer << std::cin.rdbuf();
        body = std::move(buffer).str();
        return !std::cin.bad();
    }
    std::ifstream in(*path, std::ios::binary);
    if (!in) return false;
    body.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    return !in.bad();
}

template <class Keys>
int run(Keys keys, const receiver_options& options, cli_clock clock, std::string_view body,
        std::string_view authorization) {
    receiver<Keys, cli_clock> rx{std::move(keys), options, clock};
    const auto received = rx.receive(body, authorization);
    if (!received) {
        const std::error_code error = received.error();
        if (lkwebhook::to_string(error) == "invalid_config") {
            std::cerr << "lkwebhook verify: invalid configuration: " << received.why() << "\n";
            return 2;
        }
        std::string_view why = received.why();
        const std::string fallback = error.message();
        if (why.empty()) why = fallback;
        std::cerr << "error: " << lkwebhook::to_string(error) << ": " << why << "\n";
        return 1;
    }
    std::string json;
    to_json(*received, json);
    json.push_back('\n');
    std::cout << json;
    std::cout.flush();
    return std::cout.good() ? 0 : 1;
}

}  // namespace

int verify_command(int argc, char** argv) {
    std::optional<std::string> api_key;
    std::optional<std::string> api_secret;
    std::optional<std::string> keys_file;
    std::optional<std::string> authorization;
    std::optional<std::string> body_file;
    cli_clock clock;
    receiver_options options;

    for (int i = 1; i < argc; ++i) {
        std::string_view arg = argv[i];
        if (arg == "--help" || arg == "-h") {
            std::cout << verify_usage;
            return 0;
        }
        if (arg.size() > 2 && arg.substr(0, 2) == "--") {
            std::string_view name = arg;
            std::optional<std::string_view> value;
            if (const auto eq = arg.find('='); eq != std::string_view::npos) {
                name = arg.substr(0, eq);
                value = arg.substr(eq + 1);
            }
            const auto take = [&]() -> std::optional<std::string_view> {
                if (value) return value;
                if (i + 1 >= argc) return std::nullopt;
                return std::string_view{argv[++i]};
            };
            const std::optional<std::string_view> v = take();
            if (!v) return usage_error(std::string("option ") + std::string(name) + " needs a value");
            if (name == "--api-key") {
                api_key = std::string(*v);
            } else if (name == "--api-secret") {
                api_secret = std::string(*v);
            } else if (name == "--keys-file") {
                keys_file = std::string(*v);
            } else if (name == "--authorization") {
                authorization = std::string(*v);
            } else if (name == "--now") {
                std::int64_t now = 0;
                if (!examples::parse_number(*v, now) || now < 0 || now > max_numeric_date)
                    return usage_error("--now needs an integer number of unix seconds in [0, 253402300799]");
                clock.fixed = now;
            } else if (name == "--leeway") {
                std::int64_t leeway = 0;
                if (!examples::parse_number(*v, leeway) || leeway < 0 || leeway > 300) {
                    return usage_error("--leeway needs an integer number of seconds in [0, 300]");
                }
                options.verify.leeway = std::chrono::seconds{leeway};
            } else {
                return usage_error(std::string("unknown option ") + std::string(name));
            }
            continue;
        }
        if (body_file) return usage_error("more than one BODY_FILE");
        body_file = std::string(arg);
    }

    std::string body;
    if (!read_body(body_file, body)) {
        std::cerr << "lkwebhook verify: cannot read the body from " << (body_file ? *body_file : "standard input")
                  << "\n";
        return 2;
    }
    const std::string_view header = authorization ? std::string_view{*authorization} : std::string_view{};

    if (keys_file) {
        if (api_key || api_secret) return usage_error("use either --keys-file or --api-key/--api-secret");
        diagnosis why;
        auto keys = from_key_file(*keys_file, &why);
        if (!keys) return usage_error(std::string("cannot use the keys file: ") + std::string(why.view()));
        return run(std::move(*keys), options, clock, body, header);
    }
    if (!api_key) {
        if (const char* env = std::getenv("LIVEKIT_API_KEY"); env != nullptr) api_key = env;
    }
    if (!api_secret) {
        if (const char* env = std::getenv("LIVEKIT_API_SECRET"); env != nullptr) api_secret = env;
    }
    if (!api_key || api_key->empty()) return usage_error("no API key: pass --api-key or set LIVEKIT_API_KEY");
    if (!api_secret || api_secret->empty()) {
        return usage_error("no API secret: pass --api-secret or set LIVEKIT_API_SECRET");
    }
    diagnosis why;
    auto keys = static_key::make(*api_key, *api_secret, &why);
    if (!keys) return usage_error(std::string("invalid key pair: ") + std::string(why.view()));
    return run(std::move(*keys), options, clock, body, header);
}

}  // namespace lkwebhook::cli
