// `lkwebhook sign`: print the Authorization value a LiveKit server would send with a body.
//
// The body is read byte-exact (a file or standard input; nothing is trimmed or re-encoded, since
// the token signs the SHA-256 of exactly those bytes). The value printed is the bare JWT with no
// `Bearer ` prefix: header {"alg":"HS256","typ":"JWT"}, claims iss, exp, nbf, iat, sha256.
//
//   lkwebhook sign --api-key KEY --api-secret SECRET [--now UNIX] [--valid-for SECONDS] [BODY_FILE]
//
// Typical use, posting with curl the way LiveKit does:
//   curl --data-binary @body.json -H "Authorization: $(lkwebhook sign body.json)"
//        -H 'Content-Type: application/webhook+json' http://127.0.0.1:8080/voice/livekit/webhooks
// (one command line; --data-binary, not -d, which strips newlines and breaks the hash)

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>

#include <lkwebhook/signer.hpp>

#include "commands.hpp"
#include "common/parse_number.hpp"

namespace lkwebhook::cli {

namespace {

constexpr std::string_view sign_usage =
        "usage: lkwebhook sign [--api-key KEY] [--api-secret SECRET] [--now UNIX_SECONDS]\n"
        "                      [--valid-for SECONDS] [BODY_FILE]\n"
        "\n"
        "Prints the Authorization header value a LiveKit server would send with the body read\n"
        "byte-exact from BODY_FILE (or standard input): a bare HS256 JWT (no `Bearer `) whose\n"
        "claims are iss, exp, nbf, iat and sha256 (base64 SHA-256 of the body).\n"
        "\n"
        "  --api-key KEY        the API key, the token's iss (default $LIVEKIT_API_KEY)\n"
        "  --api-secret SECRET  its secret (default $LIVEKIT_API_SECRET)\n"
        "  --now UNIX_SECONDS   signing time, nbf and iat (default: the current time)\n"
        "  --valid-for SECONDS  exp - nbf (default 300, as LiveKit)\n"
        "\n"
        "Exit status: 0 on success, 2 on usage errors.\n";

}  // namespace

int sign_command(int argc, char** argv) {
    const char* env_key = std::getenv("LIVEKIT_API_KEY");
    const char* env_secret = std::getenv("LIVEKIT_API_SECRET");
    std::string api_key = env_key != nullptr ? env_key : "";
    std::string api_secret = env_secret != nullptr ? env_secret : "";
    sign_options options;
    std::optional<std::string> body_file;

    const auto usage_error = [](std::string_view message) {
        std::cerr << "lkwebhook sign: " << message << "\n(see `lkwebhook sign --help`)\n";
        return 2;
    };

    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        const bool has_value = i + 1 < argc;
        std::int64_t number = 0;
        if (arg == "--help" || arg == "-h") {
            std::cout << sign_usage;
            return 0;
        } else if (arg == "--api-key") {
            if (!has_value) return usage_error("--api-key needs a value");
            api_key = argv[++i];
        } else if (arg == "--api-secret") {
            if (!has_value) return usage_error("--api-secret needs a value");
            api_secret = argv[++i];
        } else if (arg == "--now") {
            if (!has_value || !examples::parse_number(argv[++i], number) || number < 0)
                return usage_error("--now needs unix seconds");
            options.now_unix = number;
        } else if (arg == "--valid-for") {
            if (!has_value || !examples::parse_number(argv[++i], number) || number <= 0)
                return usage_error("--valid-for needs a positive number of seconds");
            options.valid_for = std::chrono::seconds(number);
        } else if (arg.size() > 1 && arg.front() == '-') {
            return usage_error("unknown option " + std::string(arg));
        } else if (!body_file) {
            body_file = std::string(arg);
        } else {
            return usage_error("more than one body file given");
        }
    }
    if (api_key.empty() || api_secret.empty())
        return usage_error(
                "no API key/secret: pass --api-key and --api-secret or set LIVEKIT_API_KEY and "
                "LIVEKIT_API_SECRET");

    std::string body;
    if (!body_file || *body_file == "-") {
        body.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
        if (std::cin.bad()) {
            std::cerr << "lkwebhook sign: cannot read standard input\n";
            return 2;
        }
    } else {
        std::ifstream in(*body_file, std::ios::binary);
        if (!in) {
            std::cerr << "lkwebhook sign: cannot read " << *body_file << ": " << std::strerror(errno) << "\n";
            return 2;
        }
        body.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }

    auto token = sign(body, api_key, api_secret, options);
    if (!token) {
        std::cerr << "lkwebhook sign: error: " << token.error().message() << "\n";
        return 2;
    }
    std::cout << *token << "\n";
    return 0;
}

}  // namespace lkwebhook::cli
