// Interposition layer for fault injection; see injection.hpp.
#include "injection.hpp"

#include "../support/counting_allocator.hpp"

#include <dlfcn.h>

#include <cstdio>
#include <cstdlib>
#include <new>

#include <openssl/crypto.h>
#include <openssl/evp.h>

// Deprecated one-shot APIs are declared here ourselves, so the interposers exist
// even when the build defines OPENSSL_NO_DEPRECATED (then the headers omit them).
// The library must not call them (catalogue C9/I9); the tests check the log.
extern "C" {
unsigned char* HMAC(const EVP_MD* evp_md, const void* key, int key_len, const unsigned char* data, size_t data_len,
                    unsigned char* md, unsigned int* md_len);
unsigned char* SHA256(const unsigned char* d, size_t n, unsigned char* md);
}

namespace fault {
namespace {

struct state_t {
    bool counting = false;
    long seen[3] = {0, 0, 0};
    bool armed = false;
    kind armed_kind = kind::openssl_call;
    long armed_at = 0;
    bool triggered = false;
    const char* triggered_site = "";
    // Call log without allocating (operator new is interposed too).
    static constexpr int log_capacity = 512;
    const char* log[log_capacity] = {};
    int log_size = 0;
};

state_t& state() noexcept {
    static state_t s;
    return s;
}

// Counts one event; true when it is the armed one (the caller then fails).
bool hit(kind k, const char* site) noexcept {
    state_t& s = state();
    if (!s.counting) return false;
    const long n = ++s.seen[static_cast<int>(k)];
    if (k == kind::openssl_call && s.log_size < state_t::log_capacity) s.log[s.log_size++] = site;
    if (s.armed && !s.triggered && s.armed_kind == k && s.armed_at == n) {
        s.triggered = true;
        s.triggered_site = site;
        return true;
    }
    return false;
}

template <class F>
F real(const char* name) noexcept {
    void* symbol = dlsym(RTLD_NEXT, name);
    if (symbol == nullptr) {
        std::fprintf(stderr, "fault injection: dlsym(RTLD_NEXT, %s) failed\n", name);
        std::abort();
    }
    return reinterpret_cast<F>(symbol);
}

// --- allocations: the tests' one counting allocator, failing the armed one --------
bool fail_armed_allocation(lkwebhook::test::allocation a) noexcept {
    using lkwebhook::test::allocation;
    switch (a) {
        case allocation::operator_new: return hit(kind::cpp_alloc, "operator_new");
        case allocation::operator_new_nothrow: return hit(kind::cpp_alloc, "operator_new(nothrow)");
        case allocation::operator_new_aligned: return hit(kind::cpp_alloc, "operator_new(aligned)");
        case allocation::crypto_malloc: return hit(kind::crypto_alloc, "CRYPTO_malloc");
        case allocation::crypto_realloc: return hit(kind::crypto_alloc, "CRYPTO_realloc");
    }
    return false;
}
const bool fail_hook_set = (lkwebhook::test::fail_allocation = &fail_armed_allocation, true);

}  // namespace

const char* to_string(kind k) noexcept {
    switch (k) {
        case kind::openssl_call: return "OpenSSL call";
        case kind::crypto_alloc: return "OpenSSL allocation";
        case kind::cpp_alloc: return "operator new";
    }
    return "?";
}

bool crypto_hooks_installed() noexcept { return fail_hook_set && lkwebhook::test::crypto_allocator_installed; }

void start_counting() noexcept {
    state_t& s = state();
    s.seen[0] = s.seen[1] = s.seen[2] = 0;
    s.log_size = 0;
    s.triggered = false;
    s.triggered_site = "";
    s.counting = true;
}

counts stop_counting() noexcept {
    state_t& s = state();
    s.counting = false;
    return counts{s.seen[0], s.seen[1], s.seen[2]};
}

void arm(kind k, long n) noexcept {
    state_t& s = state();
    s.armed = true;
    s.armed_kind = k;
    s.armed_at = n;
    s.triggered = false;
}

void disarm() noexcept { state().armed = false; }
bool triggered() noexcept { return state().triggered; }
std::string triggered_site() { return state().triggered_site; }
const char* triggered_site_c_str() noexcept { return state().triggered_site; }

std::vector<std::string> call_log() {
    const state_t& s = state();
    return std::vector<std::string>(s.log, s.log + s.log_size);
}

}  // namespace fault

// --- interposed OpenSSL functions ---------------------------------------------------
// Each fails the way its documentation says it can: NULL or 0.
#define LKWEBHOOK_FAULT_REAL(name) static const auto real_fn = fault::real<decltype(&::name)>(#name)

EVP_MAC* EVP_MAC_fetch(OSSL_LIB_CTX* libctx, const char* algorithm, const char* properties) {
    LKWEBHOOK_FAULT_REAL(EVP_MAC_fetch);
    if (fault::hit(fault::kind::openssl_call, "EVP_MAC_fetch")) return nullptr;
    return real_fn(libctx, algorithm, properties);
}

EVP_MAC_CTX* EVP_MAC_CTX_new(EVP_MAC* mac) {
    LKWEBHOOK_FAULT_REAL(EVP_MAC_CTX_new);
    if (fault::hit(fault::kind::openssl_call, "EVP_MAC_CTX_new")) return nullptr;
    return real_fn(mac);
}

EVP_MAC_CTX* EVP_MAC_CTX_dup(const EVP_MAC_CTX* src) {
    LKWEBHOOK_FAULT_REAL(EVP_MAC_CTX_dup);
    if (fault::hit(fault::kind::openssl_call, "EVP_MAC_CTX_dup")) return nullptr;
    return real_fn(src);
}

int EVP_MAC_init(EVP_MAC_CTX* ctx, const unsigned char* key, size_t keylen, const OSSL_PARAM params[]) {
    LKWEBHOOK_FAULT_REAL(EVP_MAC_init);
    if (fault::hit(fault::kind::openssl_call, "EVP_MAC_init")) return 0;
    return real_fn(ctx, key, keylen, params);
}

int EVP_MAC_CTX_set_params(EVP_MAC_CTX* ctx, const OSSL_PARAM params[]) {
    LKWEBHOOK_FAULT_REAL(EVP_MAC_CTX_set_params);
    if (fault::hit(fault::kind::openssl_call, "EVP_MAC_CTX_set_params")) return 0;
    return real_fn(ctx, params);
}

int EVP_MAC_update(EVP_MAC_CTX* ctx, const unsigned char* data, size_t datalen) {
    LKWEBHOOK_FAULT_REAL(EVP_MAC_update);
    if (fault::hit(fault::kind::openssl_call, "EVP_MAC_update")) return 0;
    return real_fn(ctx, data, datalen);
}

int EVP_MAC_final(EVP_MAC_CTX* ctx, unsigned char* out, size_t* outl, size_t outsize) {
    LKWEBHOOK_FAULT_REAL(EVP_MAC_final);
    if (fault::hit(fault::kind::openssl_call, "EVP_MAC_final")) return 0;
    return real_fn(ctx, out, outl, outsize);
}

unsigned char* EVP_Q_mac(OSSL_LIB_CTX* libctx, const char* name, const char* propq, const char* subalg,
                         const OSSL_PARAM* params, const void* key, size_t keylen, const unsigned char* data,
                         size_t datalen, unsigned char* out, size_t outsize, size_t* outlen) {
    LKWEBHOOK_FAULT_REAL(EVP_Q_mac);
    if (fault::hit(fault::kind::openssl_call, "EVP_Q_mac")) return nullptr;
    return real_fn(libctx, name, propq, subalg, params, key, keylen, data, datalen, out, outsize, outlen);
}

EVP_MD* EVP_MD_fetch(OSSL_LIB_CTX* ctx, const char* algorithm, const char* properties) {
    LKWEBHOOK_FAULT_REAL(EVP_MD_fetch);
    if (fault::hit(fault::kind::openssl_call, "EVP_MD_fetch")) return nullptr;
    return real_fn(ctx, algorithm, properties);
}

EVP_MD_CTX* EVP_MD_CTX_new(void) {
    LKWEBHOOK_FAULT_REAL(EVP_MD_CTX_new);
    if (fault::hit(fault::kind::openssl_call, "EVP_MD_CTX_new")) return nullptr;
    return real_fn();
}

int EVP_MD_CTX_copy_ex(EVP_MD_CTX* out, const EVP_MD_CTX* in) {
    LKWEBHOOK_FAULT_REAL(EVP_MD_CTX_copy_ex);
    if (fault::hit(fault::kind::openssl_call, "EVP_MD_CTX_copy_ex")) return 0;
    return real_fn(out, in);
}

int EVP_DigestInit_ex(EVP_MD_CTX* ctx, const EVP_MD* type, ENGINE* impl) {
    LKWEBHOOK_FAULT_REAL(EVP_DigestInit_ex);
    if (fault::hit(fault::kind::openssl_call, "EVP_DigestInit_ex")) return 0;
    return real_fn(ctx, type, impl);
}

int EVP_DigestInit_ex2(EVP_MD_CTX* ctx, const EVP_MD* type, const OSSL_PARAM params[]) {
    LKWEBHOOK_FAULT_REAL(EVP_DigestInit_ex2);
    if (fault::hit(fault::kind::openssl_call, "EVP_DigestInit_ex2")) return 0;
    return real_fn(ctx, type, params);
}

int EVP_DigestUpdate(EVP_MD_CTX* ctx, const void* d, size_t cnt) {
    LKWEBHOOK_FAULT_REAL(EVP_DigestUpdate);
    if (fault::hit(fault::kind::openssl_call, "EVP_DigestUpdate")) return 0;
    return real_fn(ctx, d, cnt);
}

int EVP_DigestFinal_ex(EVP_MD_CTX* ctx, unsigned char* md, unsigned int* s) {
    LKWEBHOOK_FAULT_REAL(EVP_DigestFinal_ex);
    if (fault::hit(fault::kind::openssl_call, "EVP_DigestFinal_ex")) return 0;
    return real_fn(ctx, md, s);
}

int EVP_Digest(const void* data, size_t count, unsigned char* md, unsigned int* size, const EVP_MD* type,
               ENGINE* impl) {
    LKWEBHOOK_FAULT_REAL(EVP_Digest);
    if (fault::hit(fault::kind::openssl_call, "EVP_Digest")) return 0;
    return real_fn(data, count, md, size, type, impl);
}

int EVP_Q_digest(OSSL_LIB_CTX* libctx, const char* name, const char* propq, const void* data, size_t datalen,
                 unsigned char* md, size_t* mdlen) {
    LKWEBHOOK_FAULT_REAL(EVP_Q_digest);
    if (fault::hit(fault::kind::openssl_call, "EVP_Q_digest")) return 0;
    return real_fn(libctx, name, propq, data, datalen, md, mdlen);
}

const EVP_MD* EVP_sha256(void) {
    LKWEBHOOK_FAULT_REAL(EVP_sha256);
    if (fault::hit(fault::kind::openssl_call, "EVP_sha256")) return nullptr;
    return real_fn();
}

int EVP_EncodeBlock(unsigned char* t, const unsigned char* f, int n) {
    // Cannot fail; logged only (a table-driven encode of a secret-derived value is C5's concern).
    LKWEBHOOK_FAULT_REAL(EVP_EncodeBlock);
    if (fault::state().counting && fault::state().log_size < fault::state_t::log_capacity)
        fault::state().log[fault::state().log_size++] = "EVP_EncodeBlock";
    return real_fn(t, f, n);
}

unsigned char* HMAC(const EVP_MD* evp_md, const void* key, int key_len, const unsigned char* data, size_t data_len,
                    unsigned char* md, unsigned int* md_len) {
    LKWEBHOOK_FAULT_REAL(HMAC);
    if (fault::hit(fault::kind::openssl_call, "HMAC")) return nullptr;
    return real_fn(evp_md, key, key_len, data, data_len, md, md_len);
}

unsigned char* SHA256(const unsigned char* d, size_t n, unsigned char* md) {
    LKWEBHOOK_FAULT_REAL(SHA256);
    if (fault::hit(fault::kind::openssl_call, "SHA256")) return nullptr;
    return real_fn(d, n, md);
}

#undef LKWEBHOOK_FAULT_REAL
