// The durable queue's addresses as the example server (examples/httplib: --redis, --nats) and
// the CLI (`lkwebhook queue`) take them on the command line: the Redis endpoint from a URL
// with the password optionally from the environment, and a URL as it may be printed.

#ifndef LKWEBHOOK_EXAMPLES_COMMON_QUEUE_URLS_HPP
#define LKWEBHOOK_EXAMPLES_COMMON_QUEUE_URLS_HPP

#include <lkwebhook/redis_connection.hpp>

#include <cstdlib>
#include <string>
#include <string_view>

namespace examples {

// Every form redis_endpoint_from_url() reads (redis://, rediss://?ssl_ca_certs=..., unix://).
// A password in LKWEBHOOK_REDIS_PASSWORD (when set and not empty) replaces the URL's, so that
// it need not appear in the process list.
[[nodiscard]] inline lkwebhook::result<lkwebhook::redis_endpoint> redis_endpoint_from_command_line(
        std::string_view url, lkwebhook::diagnosis* why) {
    auto endpoint = lkwebhook::redis_endpoint_from_url(url, why);
    if (!endpoint) return endpoint;
    if (const char* password = std::getenv("LKWEBHOOK_REDIS_PASSWORD"); password != nullptr && *password != '\0')
        endpoint->password = password;
    return endpoint;
}

// `url` without the `user:password@` part a NATS (or Redis) URL may carry, for log lines and
// error messages.
[[nodiscard]] inline std::string url_without_credentials(std::string_view url) {
    const auto at = url.rfind('@');
    if (at == std::string_view::npos) return std::string(url);
    const auto scheme_end = url.find("://");
    const std::string_view scheme = scheme_end < at ? url.substr(0, scheme_end + 3) : std::string_view{};
    return std::string(scheme) + std::string(url.substr(at + 1));
}

}  // namespace examples

#endif  // LKWEBHOOK_EXAMPLES_COMMON_QUEUE_URLS_HPP
