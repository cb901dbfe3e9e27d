#ifndef LKWEBHOOK_DETAIL_OPENSSL_HPP
#define LKWEBHOOK_DETAIL_OPENSSL_HPP

// The only place that talks to OpenSSL. OpenSSL 3, non-deprecated APIs only:
//  - the HMAC (EVP_MAC "HMAC") and SHA-256 (EVP_MD "SHA256") implementations
//    are fetched once per process (function-local statics, thread-safe
//    initialisation), never per call: implicit fetches such as EVP_sha256()
//    or the HMAC() one-shot serialise threads on the provider store (openssl
//    issues 17064, 20286; tests/threats/catalogue.md I9);
//  - contexts are thread_local, created on first use in each thread and reset
//    for each computation, so no context is ever shared between threads (J3)
//    and the steady state does no context allocation; the HMAC context is
//    only re-keyed when the secret changes (see thread_hmac_state);
//  - a context whose computation failed is freed, never reused: the next call
//    builds a new one. OpenSSL 3.5 can leave a context unusable after a
//    failed EVP_MAC_init (an allocation failure inside its digest copy), and
//    re-initialising that context writes through NULL inside libcrypto
//    (reproducer: tests/fault/upstream/openssl_hmac_reinit_after_failed_init.cpp);
//  - HMAC()/SHA256() with a NULL output buffer (static storage, not
//    thread-safe: C9) are never used;
//  - comparisons of MACs and digests use CRYPTO_memcmp (C4).
// Every function reports failure by returning false; callers turn that into
// errc::internal_error and reject the request (fail closed, C8).

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <array>
#include <atomic>
#include <cstddef>
#include <memory>
#include <string_view>

#include "../config.hpp"

namespace lkwebhook::detail {

inline constexpr std::size_t sha256_size = 32;
/// Length of the standard padded base64 of a SHA-256 digest.
inline constexpr std::size_t sha256_base64_size = 44;

using digest_bytes = std::array<unsigned char, sha256_size>;

struct evp_mac_deleter {
    void operator()(EVP_MAC* p) const noexcept { EVP_MAC_free(p); }
};
struct evp_mac_ctx_deleter {
    void operator()(EVP_MAC_CTX* p) const noexcept { EVP_MAC_CTX_free(p); }
};
struct evp_md_deleter {
    void operator()(EVP_MD* p) const noexcept { EVP_MD_free(p); }
};
struct evp_md_ctx_deleter {
    void operator()(EVP_MD_CTX* p) const noexcept { EVP_MD_CTX_free(p); }
};

/// Owning handles. Null means "not available"; users check before use.
using evp_mac_ptr = std::unique_ptr<EVP_MAC, evp_mac_deleter>;
using evp_mac_ctx_ptr = std::unique_ptr<EVP_MAC_CTX, evp_mac_ctx_deleter>;
using evp_md_ptr = std::unique_ptr<EVP_MD, evp_md_deleter>;
using evp_md_ctx_ptr = std::unique_ptr<EVP_MD_CTX, evp_md_ctx_deleter>;

/// The HMAC implementation, fetched once per process and kept for its
/// lifetime; null if the fetch failed. A failed fetch is not cached: the next
/// call tries again, so one transient failure (ENOMEM, provider not loaded
/// yet) cannot poison the process. Threads racing on the first fetch keep
/// one winner and free the other copies.
[[nodiscard]] LKWEBHOOK_DECL EVP_MAC* hmac_algorithm() noexcept;

/// The SHA-256 implementation, fetched once per process (same rules as
/// hmac_algorithm()); null if the fetch failed.
[[nodiscard]] LKWEBHOOK_DECL EVP_MD* sha256_algorithm() noexcept;

/// Longest secret whose keyed HMAC state a thread keeps for reuse. Real
/// LiveKit secrets are 32-64 bytes.
inline constexpr std::size_t hmac_key_cache_bytes = 256;

/// This thread's HMAC-SHA256 context plus which key it currently holds.
/// OpenSSL 3.0 allocates four times whenever a context is re-keyed, and
/// twice when it is re-initialised with the key it already holds, so the
/// context remembers its key (a copy in thread-local memory, next to the one
/// OpenSSL itself keeps inside the context; wiped when the thread exits) and
/// is only re-keyed when the secret's bytes differ. The comparison is by
/// content in constant time, never by address: a provider may free a secret
/// and place a different one at the same address.
struct thread_hmac_state {
    evp_mac_ctx_ptr ctx;
    std::array<unsigned char, hmac_key_cache_bytes> key{};
    std::size_t key_size = 0;
    bool keyed = false;

    thread_hmac_state() noexcept = default;
    thread_hmac_state(const thread_hmac_state&) = delete;
    thread_hmac_state& operator=(const thread_hmac_state&) = delete;
    ~thread_hmac_state() { OPENSSL_cleanse(key.data(), key.size()); }

    LKWEBHOOK_DECL void forget() noexcept;
};

/// This thread's HMAC state with a context (digest bound once at creation),
/// or null when OpenSSL could not create one. A later call retries.
[[nodiscard]] LKWEBHOOK_DECL thread_hmac_state* thread_hmac() noexcept;

/// This thread's digest context slot (null until first use, and after a failure).
[[nodiscard]] LKWEBHOOK_DECL evp_md_ctx_ptr& thread_digest_slot() noexcept;

/// This thread's digest context, or null when OpenSSL could not create one.
[[nodiscard]] LKWEBHOOK_DECL EVP_MD_CTX* thread_digest_context() noexcept;

/// out = HMAC-SHA256(key, data). The key bytes are used as they are (the
/// LiveKit API secret is never base64-decoded: C10). Returns false on any
/// OpenSSL failure (and for an empty key), with `out` cleared.
[[nodiscard]] LKWEBHOOK_DECL bool hmac_sha256(std::string_view key, std::string_view data, digest_bytes& out) noexcept;

/// out = SHA-256(data), streamed straight from the caller's bytes (no copy).
/// Returns false on any OpenSSL failure, with `out` cleared.
[[nodiscard]] LKWEBHOOK_DECL bool sha256(std::string_view data, digest_bytes& out) noexcept;

/// Standard padded base64 (RFC 4648 section 4) of a digest: always 44
/// characters. EVP_EncodeBlock writes a terminating NUL, hence 45 bytes.
[[nodiscard]] LKWEBHOOK_DECL bool base64_standard(const digest_bytes& digest,
                                                  std::array<char, sha256_base64_size + 1>& out) noexcept;

/// Constant-time equality of two equally long buffers (time depends on the
/// length only, which callers compare publicly first).
[[nodiscard]] LKWEBHOOK_DECL bool equal_constant_time(const void* a, const void* b, std::size_t size) noexcept;

/// Best-effort wipe of secret bytes (K5); the compiler may not elide it.
LKWEBHOOK_DECL void cleanse(void* data, std::size_t size) noexcept;

}  // namespace lkwebhook::detail

#if LKWEBHOOK_HEADER_ONLY
#include "../impl/openssl.ipp"
#endif

#endif  // LKWEBHOOK_DETAIL_OPENSSL_HPP
