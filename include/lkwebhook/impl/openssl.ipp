#ifndef LKWEBHOOK_IMPL_OPENSSL_IPP
#define LKWEBHOOK_IMPL_OPENSSL_IPP

// The OpenSSL wrappers' implementation (detail/openssl.hpp is their interface).
// Included by detail/openssl.hpp in the default header-only mode, by <lkwebhook/src.hpp>
// only with LKWEBHOOK_SEPARATE_COMPILATION (config.hpp).

#include <algorithm>
#include <array>
#include <atomic>
#include <cstddef>
#include <memory>
#include <string_view>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "../config.hpp"
#include "../detail/openssl.hpp"

namespace lkwebhook::detail {

LKWEBHOOK_DECL EVP_MAC* hmac_algorithm() noexcept {
    static std::atomic<EVP_MAC*> cached{nullptr};
    EVP_MAC* mac = cached.load(std::memory_order_acquire);
    if (mac != nullptr) return mac;
    evp_mac_ptr fresh{EVP_MAC_fetch(nullptr, "HMAC", nullptr)};
    if (fresh == nullptr) return nullptr;
    EVP_MAC* expected = nullptr;
    if (cached.compare_exchange_strong(expected, fresh.get(), std::memory_order_acq_rel)) return fresh.release();
    return expected;  // another thread won; `fresh` is freed
}

LKWEBHOOK_DECL EVP_MD* sha256_algorithm() noexcept {
    static std::atomic<EVP_MD*> cached{nullptr};
    EVP_MD* md = cached.load(std::memory_order_acquire);
    if (md != nullptr) return md;
    evp_md_ptr fresh{EVP_MD_fetch(nullptr, "SHA256", nullptr)};
    if (fresh == nullptr) return nullptr;
    EVP_MD* expected = nullptr;
    if (cached.compare_exchange_strong(expected, fresh.get(), std::memory_order_acq_rel)) return fresh.release();
    return expected;
}

LKWEBHOOK_DECL void thread_hmac_state::forget() noexcept {
    OPENSSL_cleanse(key.data(), key.size());
    key_size = 0;
    keyed = false;
}

LKWEBHOOK_DECL thread_hmac_state* thread_hmac() noexcept {
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

LKWEBHOOK_DECL evp_md_ctx_ptr& thread_digest_slot() noexcept {
    thread_local evp_md_ctx_ptr ctx;
    return ctx;
}

LKWEBHOOK_DECL EVP_MD_CTX* thread_digest_context() noexcept {
    evp_md_ctx_ptr& ctx = thread_digest_slot();
    if (ctx == nullptr) ctx.reset(EVP_MD_CTX_new());
    return ctx.get();
}

LKWEBHOOK_DECL bool hmac_sha256(std::string_view key, std::string_view data, digest_bytes& out) noexcept {
    // `out` is zeroed on each failure path, not up front: the success path
    // writes all of it, and a fill here costs a string store per call.
    thread_hmac_state* state = thread_hmac();
    if (state == nullptr || key.empty()) {
        out.fill(0);
        return false;
    }
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

LKWEBHOOK_DECL bool sha256(std::string_view data, digest_bytes& out) noexcept {
    // As in hmac_sha256: zeroed on each failure path only.
    EVP_MD* md = sha256_algorithm();
    EVP_MD_CTX* ctx = thread_digest_context();
    if (md == nullptr || ctx == nullptr) {
        out.fill(0);
        return false;
    }
    unsigned int written = 0;
    const bool ok = EVP_DigestInit_ex2(ctx, md, nullptr) == 1 && EVP_DigestUpdate(ctx, data.data(), data.size()) == 1 &&
                    EVP_DigestFinal_ex(ctx, out.data(), &written) == 1 && written == out.size();
    if (!ok) {
        out.fill(0);
        thread_digest_slot().reset();  // as in hmac_sha256: never reuse a context that failed
    }
    return ok;
}

LKWEBHOOK_DECL bool base64_standard(const digest_bytes& digest,
                                    std::array<char, sha256_base64_size + 1>& out) noexcept {
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), digest.data(),
                                  static_cast<int>(digest.size()));
    return n == static_cast<int>(sha256_base64_size);
}

LKWEBHOOK_DECL bool equal_constant_time(const void* a, const void* b, std::size_t size) noexcept {
    return CRYPTO_memcmp(a, b, size) == 0;
}

LKWEBHOOK_DECL void cleanse(void* data, std::size_t size) noexcept {
    if (data != nullptr && size != 0) OPENSSL_cleanse(data, size);
}

}  // namespace lkwebhook::detail

#endif  // LKWEBHOOK_IMPL_OPENSSL_IPP
