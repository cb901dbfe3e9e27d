// Upstream defect reproducer (OpenSSL 3.5; not built by default, see
// tests/fault/CMakeLists.txt): once one allocation inside EVP_MAC_init() fails,
// the next EVP_MAC_init() on the same HMAC context can crash inside libcrypto.
//
// What happens: HMAC's init ends by copying its inner digest context into the
// working one (EVP_MD_CTX_copy_ex). When the provider's context duplication
// fails there (out of memory), the working context is left with its digest set
// but no provider context. The next init takes OpenSSL 3.5's copy shortcut for
// "same digest on both sides", which copies the digest state into the missing
// provider context: a write through NULL (SIGSEGV). OpenSSL 3.0 (Debian 12)
// does not take that shortcut and survives; this program then exits 0.
//
// lkwebhook's guard (include/lkwebhook/detail/openssl.hpp): a context whose
// computation failed is freed, never reused; the next request builds a new one.
//
// Build and run (needs only libcrypto):
//   g++ -std=c++20 openssl_hmac_reinit_after_failed_init.cpp -lcrypto && ./a.out
// Output: one line per allocation of EVP_MAC_init made to fail; exit status 1
// when any re-initialisation crashed.
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

namespace {

long allocations_seen = 0;
long fail_at = 0;  // 0: never fail
bool counting = false;

void* failing_malloc(size_t n, const char*, int) {
    if (counting && ++allocations_seen == fail_at) return nullptr;
    return std::malloc(n);
}
void* failing_realloc(void* p, size_t n, const char*, int) {
    if (counting && ++allocations_seen == fail_at) return nullptr;
    return std::realloc(p, n);
}
void plain_free(void* p, const char*, int) { std::free(p); }

unsigned char key[] = "a LiveKit API secret of 43 bytes, more or l";

EVP_MAC_CTX* new_hmac_sha256_context() {
    EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    if (mac == nullptr) return nullptr;
    EVP_MAC_CTX* ctx = EVP_MAC_CTX_new(mac);
    EVP_MAC_free(mac);
    if (ctx == nullptr) return nullptr;
    char digest[] = "SHA256";
    const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                                 OSSL_PARAM_construct_end()};
    if (EVP_MAC_CTX_set_params(ctx, params) != 1) {
        EVP_MAC_CTX_free(ctx);
        return nullptr;
    }
    return ctx;
}

// In a child: fail allocation `n` of one EVP_MAC_init(), then init and use the
// same context again. Returns the child's wait status.
int run_child(long n, long& allocations_of_one_init) {
    int fds[2];
    if (pipe(fds) != 0) std::abort();
    std::fflush(nullptr);
    const pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        EVP_MAC_CTX* ctx = new_hmac_sha256_context();
        if (ctx == nullptr) _exit(3);
        allocations_seen = 0;
        fail_at = n;
        counting = true;
        const int first = EVP_MAC_init(ctx, key, sizeof key - 1, nullptr);
        counting = false;
        (void)!write(fds[1], &allocations_seen, sizeof allocations_seen);
        close(fds[1]);
        if (first == 1) _exit(0);  // nothing failed: n is past the last allocation
        // The failure was reported (0). Using the context again must either
        // work or fail cleanly; it must not crash.
        unsigned char out[32];
        size_t written = 0;
        const int again = EVP_MAC_init(ctx, key, sizeof key - 1, nullptr) == 1 && EVP_MAC_update(ctx, key, 4) == 1 &&
                          EVP_MAC_final(ctx, out, &written, sizeof out) == 1;
        EVP_MAC_CTX_free(ctx);
        _exit(again ? 0 : 2);
    }
    close(fds[1]);
    allocations_of_one_init = 0;
    (void)!read(fds[0], &allocations_of_one_init, sizeof allocations_of_one_init);
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    return status;
}

}  // namespace

int main() {
    if (CRYPTO_set_mem_functions(failing_malloc, failing_realloc, plain_free) != 1) {
        std::puts("CRYPTO_set_mem_functions refused (OpenSSL allocated before main)");
        return 2;
    }
    std::printf("%s\n", OpenSSL_version(OPENSSL_VERSION));
    // Bring the default provider up first, so only EVP_MAC_init's own
    // allocations are counted.
    EVP_MAC_CTX_free(new_hmac_sha256_context());
    int crashes = 0;
    for (long n = 1;; ++n) {
        long seen = 0;
        const int status = run_child(n, seen);
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && seen < n) break;  // every allocation tried
        if (WIFSIGNALED(status)) {
            ++crashes;
            std::printf("allocation #%ld of EVP_MAC_init failed: the next EVP_MAC_init crashed (signal %d)\n", n,
                        WTERMSIG(status));
        } else {
            std::printf("allocation #%ld of EVP_MAC_init failed: the next init %s\n", n,
                        WIFEXITED(status) && WEXITSTATUS(status) == 0 ? "worked" : "failed cleanly");
        }
    }
    std::printf("%s\n",
                crashes != 0 ? "DEFECT: a failed EVP_MAC_init leaves a context that crashes when reused" : "no crash");
    return crashes != 0 ? 1 : 0;
}
