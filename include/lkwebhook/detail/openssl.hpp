#ifndef LKWEBHOOK_DETAIL_OPENSSL_HPP
#define LKWEBHOOK_DETAIL_OPENSSL_HPP

// The only place that talks to OpenSSL. OpenSSL 3, non-deprecated APIs only:
//  - the HMAC (EVP_MAC "HMAC") and SHA-256 (EVP_MD "SHA256") implementations
//    are fetched once per process (function-local statics, thread-safe
//    initialisation), never per call: implicit fetches such as EVP_sha256()
//    or the HMAC() one-shot serialise threads on the provider store (openssl
//    issues 17064, 20286; threat model I9);
//  - contexts are thread_local, created on first use in each thread and reset
//    for each computation, so no context is ever shared between threads (J3)
//    and the steady state does no context allocation;
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
#include <cstddef>
#include <memory>
#include <string_view>

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

/// The HMAC implementation, fetched once per process; null if the fetch failed.
[[nodiscard]] inline EVP_MAC* hmac_algorithm() noexcept {
    static const evp_mac_ptr mac{EVP_MAC_fetch(nullptr, "HMAC", nullptr)};
    return mac.get();
}

/// The SHA-256 implementation, fetched once per process; null if the fetch failed.
[[nodiscard]] inline EVP_MD* sha256_algorithm() noexcept {
    static const evp_md_ptr md{EVP_MD_fetch(nullptr, "SHA256", nullptr)};
    return md.get();
}

/// This thread's HMAC-SHA256 context (digest bound once at creation), or
/// null when OpenSSL could not create one. A later call retries creation.
[[nodiscard]] inline EVP_MAC_CTX* thread_hmac_context() noexcept {
    thread_local evp_mac_ctx_ptr ctx;
    if (ctx == nullptr) {
        EVP_MAC* mac = hmac_algorithm();
        if (mac == nullptr) return nullptr;
        evp_mac_ctx_ptr fresh{EVP_MAC_CTX_new(mac)};
        if (fresh == nullptr) return nullptr;
        char digest_name[] = "SHA256";
        const OSSL_PARAM params[] = {
            OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name, 0),
            OSSL_PARAM_construct_end(),
        };
        if (EVP_MAC_CTX_set_params(fresh.get(), params) != 1) return nullptr;
        ctx = std::move(fresh);
    }
    return ctx.get();
}

/// This thread's digest context, or null when OpenSSL could not create one.
[[nodiscard]] inline EVP_MD_CTX* thread_digest_context() noexcept {
    thread_local evp_md_ctx_ptr ctx;
    if (ctx == nullptr) ctx.reset(EVP_MD_CTX_new());
    return ctx.get();
}

/// out = HMAC-SHA256(key, data). The key bytes are used as they are (the
/// LiveKit API secret is never base64-decoded: C10). OpenSSL copies the key
/// into its context and clears that copy on reset and free. Returns false on
/// any OpenSSL failure, with `out` cleared.
[[nodiscard]] inline bool hmac_sha256(std::string_view key, std::string_view data, digest_bytes& out) noexcept {
    out.fill(0);
    EVP_MAC_CTX* ctx = thread_hmac_context();
    if (ctx == nullptr || key.empty()) return false;
    std::size_t written = 0;
    const bool ok = EVP_MAC_init(ctx, reinterpret_cast<const unsigned char*>(key.data()), key.size(), nullptr) == 1 &&
                    EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1 &&
                    EVP_MAC_final(ctx, out.data(), &written, out.size()) == 1 && written == out.size();
    if (!ok) out.fill(0);
    return ok;
}

/// out = SHA-256(data), streamed straight from the caller's bytes (no copy).
[[nodiscard]] inline bool sha256(std::string_view data, digest_bytes& out) noexcept {
    out.fill(0);
    EVP_MD* md = sha256_algorithm();
    EVP_MD_CTX* ctx = thread_digest_context();
    if (md == nullptr || ctx == nullptr) return false;
    unsigned int written = 0;
    const bool ok = EVP_DigestInit_ex2(ctx, md, nullptr) == 1 &&
                    EVP_DigestUpdate(ctx, data.data(), data.size()) == 1 &&
                    EVP_DigestFinal_ex(ctx, out.data(), &written) == 1 && written == out.size();
    if (!ok) out.fill(0);
    return ok;
}

/// Standard padded base64 (RFC 4648 section 4) of a digest: always 44
/// characters. EVP_EncodeBlock writes a terminating NUL, hence 45 bytes.
[[nodiscard]] inline bool base64_standard(const digest_bytes& digest, std::array<char, sha256_base64_size + 1>& out) noexcept {
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), digest.data(), static_cast<int>(digest.size()));
    return n == static_cast<int>(sha256_base64_size);
}

/// Constant-time equality of two equally long buffers (time depends on the
/// length only, which callers compare publicly first).
[[nodiscard]] inline bool equal_constant_time(const void* a, const void* b, std::size_t size) noexcept {
    return CRYPTO_memcmp(a, b, size) == 0;
}

/// Best-effort wipe of secret bytes (K5); the compiler may not elide it.
inline void cleanse(void* data, std::size_t size) noexcept {
    if (data != nullptr && size != 0) OPENSSL_cleanse(data, size);
}

}  // namespace lkwebhook::detail

#endif  // LKWEBHOOK_DETAIL_OPENSSL_HPP
