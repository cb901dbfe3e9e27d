// The command line both example servers (examples/httplib, examples/beast) share: the options
// every webhook receiver needs (where to listen, which keys, how large a body, how much clock
// skew), one parser for them, and their usage text. Each server adds its own options as a
// small table (`value_option`), so `--help` and the error messages read the same in both.
// Copy it along with the server you start from.

#ifndef LKWEBHOOK_EXAMPLES_COMMON_SERVER_OPTIONS_HPP
#define LKWEBHOOK_EXAMPLES_COMMON_SERVER_OPTIONS_HPP

#include <lkwebhook/key_file.hpp>
#include <lkwebhook/keys.hpp>

#include "parse_number.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <iostream>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>

namespace examples {

// The options every example server takes, with their defaults.
struct common_server_options {
    std::string bind = "127.0.0.1";
    unsigned short port = 8080;  // 0: a free port, chosen when listening
    std::string path = "/voice/livekit/webhooks";
    std::optional<std::string> keys_file;  // unset: LIVEKIT_API_KEY and LIVEKIT_API_SECRET
    std::size_t max_body_bytes = 1024 * 1024;
    std::int64_t leeway_seconds = 60;
    bool quiet = false;
};

// An option of the form `--name VALUE`: `store` keeps the value and says whether it is valid;
// when it is not, the server stops with `complaint`.
struct value_option {
    std::string_view name;
    std::function<bool(std::string_view)> store;
    std::string_view complaint = {};
};

// A `store` for a text value.
template <class Text>
std::function<bool(std::string_view)> store_text(Text& out) {
    return [&out](std::string_view value) {
        out = std::string(value);
        return true;
    };
}

// A `store` for a number in [lowest, highest].
template <class T>
std::function<bool(std::string_view)> store_number(T& out, std::type_identity_t<T> lowest,
                                                   std::type_identity_t<T> highest) {
    return [&out, lowest, highest](std::string_view value) {
        return parse_number(value, out) && out >= lowest && out <= highest;
    };
}

// A `store` for any number of type T.
template <class T>
std::function<bool(std::string_view)> store_number(T& out) {
    return [&out](std::string_view value) { return parse_number(value, out); };
}

// The lines of `--help` that describe the common options, in the layout of the servers' own.
inline constexpr std::string_view common_options_usage =
        "  --bind ADDRESS        listen address (default 127.0.0.1; 0.0.0.0 for every interface)\n"
        "  --port N              listen port (default 8080; 0 picks a free port)\n"
        "  --path PATH           webhook path (default /voice/livekit/webhooks)\n"
        "  --keys-file FILE      livekit-server key file (`key: secret` lines) instead of the environment\n"
        "  --max-body-bytes N    largest accepted body (default 1048576); larger ones get 413\n"
        "  --leeway SECONDS      clock-skew leeway for the token's nbf/exp (default 60)\n"
        "  --quiet               no per-request log lines\n";

// The whole `--help` text of a server: what it does (whole lines), the common options, then
// its own options (lines in the same layout).
inline std::string server_usage(std::string_view program, std::string_view description,
                                std::string_view own_options_usage) {
    std::string text = "usage: " + std::string(program) + " [options]\n\n";
    text += description;
    text += "Keys come from LIVEKIT_API_KEY and LIVEKIT_API_SECRET, or from --keys-file.\n\n";
    text += common_options_usage;
    text += own_options_usage;
    text += "\nGET /metrics (Prometheus text), GET /healthz, GET /sessions, GET /events. Stops on SIGINT/SIGTERM.\n";
    return text;
}

// The API keys: from the --keys-file file when given, else from LIVEKIT_API_KEY and
// LIVEKIT_API_SECRET, as LiveKit's own tools read them.
[[nodiscard]] inline lkwebhook::result<lkwebhook::key_set> load_keys(const common_server_options& options,
                                                                     lkwebhook::diagnosis* why) {
    return options.keys_file ? lkwebhook::from_key_file(*options.keys_file, why)
                             : lkwebhook::key_set::from_environment(why);
}

// Reads the command line into `common` and, through `own_options`, the server's own options.
// Returns the exit status when the program is to stop now: 0 after `--help` (usage on standard
// output), 2 for an unknown, incomplete or invalid option (`PROGRAM: why` and the usage on
// standard error); nothing when the server is to start.
inline std::optional<int> parse_server_command_line(int argc, char** argv, std::string_view program,
                                                    std::string_view usage, common_server_options& common,
                                                    std::span<const value_option> own_options) {
    const value_option common_options[] = {
            {"--bind", store_text(common.bind)},
            {"--port", store_number(common.port), "--port needs 0..65535"},
            {"--path",
             [&common](std::string_view value) {
                 common.path = std::string(value);
                 return value.starts_with('/');
             },
             "--path must start with /"},
            {"--keys-file", store_text(common.keys_file)},
            {"--max-body-bytes", store_number(common.max_body_bytes), "--max-body-bytes needs a byte count"},
            {"--leeway", store_number(common.leeway_seconds), "--leeway needs seconds"},
    };
    const auto find = [](std::span<const value_option> options, std::string_view name) -> const value_option* {
        for (const value_option& option : options)
            if (option.name == name) return &option;
        return nullptr;
    };
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        const auto bad = [&](std::string_view why) {
            std::cerr << program << ": " << why << "\n" << usage;
            return 2;
        };
        if (arg == "--help" || arg == "-h") {
            std::cout << usage;
            return 0;
        }
        if (arg == "--quiet") {
            common.quiet = true;
            continue;
        }
        const value_option* option = find(common_options, arg);
        if (option == nullptr) option = find(own_options, arg);
        if (option == nullptr || i + 1 >= argc) return bad("unknown or incomplete option " + std::string(arg));
        if (!option->store(argv[++i])) return bad(option->complaint);
    }
    return std::nullopt;
}

}  // namespace examples

#endif  // LKWEBHOOK_EXAMPLES_COMMON_SERVER_OPTIONS_HPP
