// Built with -fno-exceptions: everything here must work without them.
// Threat catalogue row J8 ("works with -fno-exceptions"): [threat-J8]
#include <lkwebhook.hpp>

#include <cstdio>
#include <string_view>
#include <system_error>

#if defined(__cpp_exceptions) || defined(__EXCEPTIONS)
#error "this test must be compiled with -fno-exceptions"
#endif
static_assert(LKWEBHOOK_EXCEPTIONS == 0, "config.hpp must detect -fno-exceptions");

namespace {

int failures = 0;

void check(bool ok, const char* what) {
    if (!ok) {
        std::fprintf(stderr, "FAILED: %s\n", what);
        ++failures;
    }
}

lkwebhook::result<int> parse_digit(char c) noexcept {
    if (c < '0' || c > '9') return lkwebhook::errc::malformed_body;
    return c - '0';
}

}  // namespace

int main() {
    const auto good = parse_digit('7');
    check(good.has_value() && *good == 7, "result<int> holds a value");
    const auto bad = parse_digit('x');
    check(!bad && bad.error() == lkwebhook::errc::malformed_body, "result<int> holds an error");
    check(lkwebhook::http_status(bad.error()) == 400, "malformed_body maps to 400");
    check(lkwebhook::to_string(bad.error()) == std::string_view{"malformed_body"}, "stable name");
    check(bad.error() == lkwebhook::condition::bad_request, "condition grouping");

    lkwebhook::diagnosis why;
    why.append("iss ").append_escaped("\x01key");
    check(why.view() == std::string_view{"iss \"\\x01key\""}, "diagnosis escapes attacker text");

    // Authentication without exceptions: sign, verify at a fixed time, and
    // reject an expired token and a tampered body with error codes.
    constexpr std::string_view key_id = "APInoexcept";
    constexpr std::string_view secret = "noexcept-secret-0123456789abcdefghijklmnopqrstuv";
    constexpr std::string_view body = R"({"event":"participant_joined","room":{"name":"nx"}})";
    const auto keys = lkwebhook::static_key::make(key_id, secret);
    check(keys.has_value(), "static_key::make");
    lkwebhook::sign_options at;
    at.now_unix = 1'700'000'000;
    const auto token = lkwebhook::sign(body, key_id, secret, at);
    check(token.has_value(), "sign");
    if (keys && token) {
        const lkwebhook::fixed_clock now{1'700'000'010};
        const auto ok = lkwebhook::verify(body, *token, *keys, {}, now, &why);
        check(ok.has_value(), "verify accepts a fresh token");
        const lkwebhook::fixed_clock later{1'700'000'000 + 300 + 61};
        const auto expired = lkwebhook::verify(body, *token, *keys, {}, later, &why);
        check(!expired && expired.error() == lkwebhook::errc::token_expired, "expired token -> token_expired");
        const auto tampered = lkwebhook::verify("{}", *token, *keys, {}, now, &why);
        check(!tampered && tampered.error() == lkwebhook::errc::body_hash_mismatch,
              "tampered body -> body_hash_mismatch");
    }

    if (failures == 0) std::puts("noexcept: ok");
    return failures == 0 ? 0 : 1;
}
