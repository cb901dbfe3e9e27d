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

#include <algorithm>
#include <array>
#include <atomic>
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

/// The HMAC implementation, fetched once per process and kept for its
/// lifetime; null if the fetch failed. A failed fetch is not cached: the next
/// call tries again, so one transient failure (ENOMEM, provider not loaded
/// yet) cannot poison the process. Threads racing on the first fetch keep
/// one winner and free the other copies.
[[nodiscard]] inline EVP_MAC* hmac_algorithm() noexcept {
    static std::atomic<EVP_MAC*> cached{nullptr};
    EVP_MAC* mac = cached.load(std::memory_order_acquire);
    if (mac != nullptr) return mac;
    evp_mac_ptr fresh{EVP_MAC_fetch(nullptr, "HMAC", nullptr)};
    if (fresh == nullptr) return nullptr;
    EVP_MAC* expected = nullptr;
    if (cached.compare_exchange_strong(expected, fresh.get(), std::memory_order_acq_rel)) return fresh.release();
    return expected;  // another thread won; `fresh` is freed
}

/// The SHA-256 implementation, fetched once per process (same rules as
/// hmac_algorithm()); null if the fetch failed.
[[nodiscard]] inline EVP_MD* sha256_algorithm() noexcept {
    static std::atomic<EVP_MD*> cached{nullptr};
    EVP_MD* md = cached.load(std::memory_order_acquire);
    if (md != nullptr) return md;
    evp_md_ptr fresh{EVP_MD_fetch(nullptr, "SHA256", nullptr)};
    if (fresh == nullptr) return nullptr;
    EVP_MD* expected = nullptr;
    if (cached.compare_exchange_strong(expected, fresh.get(), std::memory_order_acq_rel)) return fresh.release();
    return expected;
}

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

    void forget() noexcept {
        OPENSSL_cleanse(key.data(), key.size());
        key_size = 0;
        keyed = false;
    }
};

/// This thread's HMAC state with a context (digest bound once at creation),
/// or null when OpenSSL could not create one. A later call retries.
[[nodiscard]] inline thread_hmac_state* thread_hmac() noexcept {
    thread_local thread_hmac_state state;
    if (state.ctx == nullptr) {
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
        state.ctx = std::move(fresh);
        state.forget();
    }
    return &state;
}

/// This thread's digest context slot (null until first use, and after a failure).
[[nodiscard]] inline evp_md_ctx_ptr& thread_digest_slot() noexcept {
    thread_local evp_md_ctx_ptr ctx;
    return ctx;
}

/// This thread's digest context, or null when OpenSSL could not create one.
[[nodiscard]] inline EVP_MD_CTX* thread_digest_context() noexcept {
    evp_md_ctx_ptr& ctx = thread_digest_slot();
    if (ctx == nullptr) ctx.reset(EVP_MD_CTX_new());
    return ctx.get();
}

/// out = HMAC-SHA256(key, data). The key bytes are used as they are (the
/// LiveKit API secret is never base64-decoded: C10). Returns false on any
/// OpenSSL failure (and for an empty key), with `out` cleared.
[[nodiscard]] inline bool hmac_sha256(std::string_view key, std::string_view data, digest_bytes& out) noexcept {
    out.fill(0);
    thread_hmac_state* state = thread_hmac();
    if (state == nullptr || key.empty()) return false;
    const auto* key_bytes = reinterpret_cast<const unsigned char*>(key.data());
    // Lengths are compared first (public: the length of a configured secret),
    // then the bytes in constant time.
    const bool same_key = state->keyed && state->key_size == key.size() &&
                          CRYPTO_memcmp(state->key.data(), key_bytes, key.size()) == 0;
    bool ok = false;
    if (same_key) {
        ok = EVP_MAC_init(state->ctx.get(), nullptr, 0, nullptr) == 1;  // reuse the key it holds
    } else {
        state->forget();
        ok = EVP_MAC_init(state->ctx.get(), key_bytes, key.size(), nullptr) == 1;
        if (ok && key.size() <= state->key.size()) {
            std::copy(key_bytes, key_bytes + key.size(), state->key.begin());
            state->key_size = key.size();
            state->keyed = true;
        }
    }
    std::size_t written = 0;
    ok = ok &&
         EVP_MAC_update(state->ctx.get(), reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1 &&
         EVP_MAC_final(state->ctx.get(), out.data(), &written, out.size()) == 1 && written == out.size();
    if (!ok) {
        // The context's state is unknown after a failure, and OpenSSL 3.5 may
        // crash when it is initialised again: free it; the next call makes a new one.
        state->forget();
        state->ctx.reset();
        out.fill(0);
    }
    return ok;
}

/// out = SHA-256(data), streamed straight from the caller's bytes (no copy).
[[nodiscard]] inline bool sha256(std::string_view data, digest_bytes& out) noexcept {
    out.fill(0);
    EVP_MD* md = sha256_algorithm();
    EVP_MD_CTX* ctx = thread_digest_context();
    if (md == nullptr || ctx == nullptr) return false;
    unsigned int written = 0;
    const bool ok = EVP_DigestInit_ex2(ctx, md, nullptr) == 1 && EVP_DigestUpdate(ctx, data.data(), data.size()) == 1 &&
                    EVP_DigestFinal_ex(ctx, out.data(), &written) == 1 && written == out.size();
    if (!ok) {
        out.fill(0);
        thread_digest_slot().reset();  // as in hmac_sha256: never reuse a context that failed
    }
    return ok;
}

/// Standard padded base64 (RFC 4648 section 4) of a digest: always 44
/// characters. EVP_EncodeBlock writes a terminating NUL, hence 45 bytes.
[[nodiscard]] inline bool base64_standard(const digest_bytes& digest,
                                          std::array<char, sha256_base64_size + 1>& out) noexcept {
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), digest.data(),
                                  static_cast<int>(digest.size()));
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
