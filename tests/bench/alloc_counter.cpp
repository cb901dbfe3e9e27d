// Counting allocator for the benchmark binary; see alloc_counter.hpp.
#include "alloc_counter.hpp"

#include <cstdlib>
#include <new>

#include <openssl/crypto.h>

namespace bench {
namespace {

// Plain thread_local integers: constant-initialised, so no allocation or guard
// when operator new first touches them.
thread_local std::uint64_t cpp_allocations = 0;
thread_local std::uint64_t crypto_allocations = 0;
bool crypto_hooks = false;

void* crypto_malloc(std::size_t n, const char*, int) {
    ++crypto_allocations;
    return std::malloc(n);
}
void* crypto_realloc(void* p, std::size_t n, const char*, int) {
    ++crypto_allocations;
    return std::realloc(p, n);
}
void crypto_free(void* p, const char*, int) { std::free(p); }

// Runs before other static initialisers, so before OpenSSL's first allocation.
__attribute__((constructor(101))) void install_crypto_hooks() {
    crypto_hooks = CRYPTO_set_mem_functions(crypto_malloc, crypto_realloc, crypto_free) == 1;
}

void* allocate(std::size_t n) {
    ++cpp_allocations;
    if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
    throw std::bad_alloc();
}

void* allocate_aligned(std::size_t n, std::align_val_t a) {
    ++cpp_allocations;
    const auto alignment = static_cast<std::size_t>(a);
    const std::size_t rounded = (n + alignment - 1) / alignment * alignment;
    if (void* p = std::aligned_alloc(alignment, rounded == 0 ? alignment : rounded)) return p;
    throw std::bad_alloc();
}

}  // namespace

allocation_count thread_allocations() noexcept { return allocation_count{cpp_allocations, crypto_allocations}; }
bool crypto_allocations_counted() noexcept { return crypto_hooks; }

}  // namespace bench

// Out of line, so a compiler inlining a delete never pairs free() with a
// library's `new (std::nothrow)` (-Wmismatched-new-delete).
[[gnu::noinline]] static void lkwebhook_release(void* p) noexcept { std::free(p); }

void* operator new(std::size_t n) { return bench::allocate(n); }
void* operator new[](std::size_t n) { return bench::allocate(n); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
    ++bench::cpp_allocations;
    return std::malloc(n == 0 ? 1 : n);
}
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept {
    ++bench::cpp_allocations;
    return std::malloc(n == 0 ? 1 : n);
}
void* operator new(std::size_t n, std::align_val_t a) { return bench::allocate_aligned(n, a); }
void* operator new[](std::size_t n, std::align_val_t a) { return bench::allocate_aligned(n, a); }
void operator delete(void* p) noexcept { lkwebhook_release(p); }
void operator delete[](void* p) noexcept { lkwebhook_release(p); }
void operator delete(void* p, std::size_t) noexcept { lkwebhook_release(p); }
void operator delete[](void* p, std::size_t) noexcept { lkwebhook_release(p); }
void operator delete(void* p, std::align_val_t) noexcept { lkwebhook_release(p); }
void operator delete[](void* p, std::align_val_t) noexcept { lkwebhook_release(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { lkwebhook_release(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { lkwebhook_release(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { lkwebhook_release(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { lkwebhook_release(p); }
