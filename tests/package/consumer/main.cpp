// The program every package consumer builds (find_package, add_subdirectory,
// pkg-config, vcpkg layout): it includes the umbrella header and runs real
// library code, so a broken include path, a missing dependency or an
// unlinkable library fails the package test.
#include <lkwebhook.hpp>

#include <cstdio>
#include <string_view>
#include <system_error>

int main() {
    int failures = 0;
    auto check = [&failures](bool ok, const char* what) {
        if (!ok) {
            std::fprintf(stderr, "consumer FAILED: %s\n", what);
            ++failures;
        }
    };

#ifdef LKWEBHOOK_CONSUMER_EXPECTED_VERSION
    check(std::string_view{lkwebhook::version_string} == LKWEBHOOK_CONSUMER_EXPECTED_VERSION,
          "header version matches the package version");
#endif

    const std::error_code ec = lkwebhook::errc::bad_signature;
    check(lkwebhook::http_status(ec) == 401, "bad_signature answers 401");
    check(ec == lkwebhook::condition::authentication_failed, "bad_signature is an authentication failure");
    check(std::string_view{ec.category().name()} == "lkwebhook", "error category name");
    const lkwebhook::result<int> r = lkwebhook::errc::body_too_large;
    check(!r && lkwebhook::http_status(r.error()) == 413, "result carries body_too_large");

    if (failures != 0) return 1;
    std::printf("consumer: ok (lkwebhook %s)\n", lkwebhook::version_string);
    return 0;
}
