#ifndef LKWEBHOOK_TESTS_FAULT_INJECTION_HPP
#define LKWEBHOOK_TESTS_FAULT_INJECTION_HPP

// Fault injection for the test executable. injection.cpp defines the OpenSSL
// EVP/HMAC/SHA functions the library may call; because lkwebhook is header-only,
// its calls are compiled into this executable and bind to these definitions,
// which forward to libcrypto through dlsym(RTLD_NEXT). Allocations (the
// library's C++ ones and OpenSSL's own) go through the tests' one counting
// allocator, tests/support/counting_allocator.hpp, whose failure hook it sets.
//
// While counting is on, every interposed call and allocation is numbered per
// kind; arm(kind, n) makes the n-th one fail the way the real one can fail
// (NULL / 0 return, std::bad_alloc, nullptr for nothrow new). Single-threaded use.

#include <cstddef>
#include <string>
#include <vector>

namespace fault {

enum class kind { openssl_call, crypto_alloc, cpp_alloc };
inline constexpr kind all_kinds[] = {kind::openssl_call, kind::crypto_alloc, kind::cpp_alloc};
const char* to_string(kind k) noexcept;

struct counts {
    long openssl_calls = 0;
    long crypto_allocs = 0;
    long cpp_allocs = 0;
    long of(kind k) const noexcept {
        return k == kind::openssl_call ? openssl_calls : k == kind::crypto_alloc ? crypto_allocs : cpp_allocs;
    }
};

// true when the OpenSSL allocation hooks were installed before OpenSSL allocated.
bool crypto_hooks_installed() noexcept;

// Start numbering calls and allocations from zero (also clears the call log).
void start_counting() noexcept;
// Stop numbering; returns what happened since start_counting().
counts stop_counting() noexcept;

// Make the n-th (1-based) event of kind k after start_counting() fail.
void arm(kind k, long n) noexcept;
void disarm() noexcept;
// Whether the armed failure actually happened.
bool triggered() noexcept;
// Name of the interposed function (or "CRYPTO_malloc"/"operator new") that was failed.
std::string triggered_site();
// The same, without allocating (for signal handlers).
const char* triggered_site_c_str() noexcept;

// Names of the OpenSSL functions called while counting, in order.
std::vector<std::string> call_log();

}  // namespace fault

#endif
