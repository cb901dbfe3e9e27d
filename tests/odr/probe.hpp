#ifndef LKWEBHOOK_TESTS_ODR_PROBE_HPP
#define LKWEBHOOK_TESTS_ODR_PROBE_HPP

#include <string>

// What each translation unit reports about the library as it saw it.
struct odr_probe {
    const void* category = nullptr;  // address of lkwebhook::error_category()
    const void* condition_category = nullptr;
    std::string message;          // error_code{bad_signature}.message()
    int status = 0;               // http_status of body_too_large
    std::string authorization;    // a token signed in this TU ("" if unavailable)
    bool verified_other = false;  // whether this TU verified the other TU's token
};

odr_probe probe_first(const std::string& token_from_other);
odr_probe probe_second(const std::string& token_from_other);

#endif
