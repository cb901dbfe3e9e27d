#ifndef LKWEBHOOK_TESTS_SUPPORT_COUNTING_ALLOCATOR_HPP
#define LKWEBHOOK_TESTS_SUPPORT_COUNTING_ALLOCATOR_HPP

// The one counting (and failing) allocator of the tests: replaces the global
// operator new family (every form) and OpenSSL's allocator
// (CRYPTO_set_mem_functions, whose allocations do not go through operator
// new) with versions that count every allocation and can be told to fail
// one. Used by the "no allocation once warm" unit tests, the benchmark's
// allocation counts and the fault-injection suite.
//
// Replacement allocation functions cannot be inline: include this header in
// exactly one translation unit of an executable. It affects that executable
// only.

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <new>

#include <openssl/crypto.h>

namespace lkwebhook::test {

enum class allocation { operator_new, operator_new_nothrow, operator_new_aligned, crypto_malloc, crypto_realloc };

/// operator new calls (every form, every thread) since the program started.
inline std::atomic<long> operator_new_calls{0};
/// Allocations made by the calling thread. Plain thread_local integers:
/// constant-initialised, so no allocation or guard when operator new first
/// touches them.
inline thread_local std::uint64_t thread_operator_new_calls = 0;
inline thread_local std::uint64_t thread_crypto_allocations = 0;
/// OpenSSL allocations (every thread) since the program started.
inline std::atomic<long> crypto_allocation_calls{0};

/// When set, asked before every allocation; true makes that one fail
/// (std::bad_alloc, or a null pointer where the form returns one).
inline bool (*fail_allocation)(allocation) noexcept = nullptr;

/// Whether OpenSSL took our allocator (only possible before its first allocation).
inline bool crypto_allocator_installed = false;

namespace allocator_detail {

inline bool refused(allocation kind) noexcept { return fail_allocation != nullptr && fail_allocation(kind); }

inline void* cpp_allocate(std::size_t size, std::size_t alignment, allocation kind) noexcept {
    if (refused(kind)) return nullptr;
    operator_new_calls.fetch_add(1, std::memory_order_relaxed);
    ++thread_operator_new_calls;
    if (alignment == 0) return std::malloc(size == 0 ? 1 : size);
    const std::size_t rounded = (size + alignment - 1) / alignment * alignment;
    return std::aligned_alloc(alignment, rounded == 0 ? alignment : rounded);
}

inline void* cpp_allocate_or_throw(std::size_t size, std::size_t alignment, allocation kind) {
    if (void* p = cpp_allocate(size, alignment, kind)) return p;
    throw std::bad_alloc();
}

inline void count_crypto_allocation() noexcept {
    crypto_allocation_calls.fetch_add(1, std::memory_order_relaxed);
    ++thread_crypto_allocations;
}
inline void* crypto_malloc(std::size_t size, const char*, int) {
    if (refused(allocation::crypto_malloc)) return nullptr;
    count_crypto_allocation();
    return std::malloc(size);
}
inline void* crypto_realloc(void* p, std::size_t size, const char*, int) {
    if (refused(allocation::crypto_realloc)) return nullptr;
    count_crypto_allocation();
    return std::realloc(p, size);
}
inline void crypto_free(void* p, const char*, int) { std::free(p); }

// Runs before other static initialisers, so before OpenSSL's first allocation.
// Not inline: an unused inline function is never emitted, so would never run.
[[gnu::constructor(101)]] static void install_crypto_allocator() {
    crypto_allocator_installed = CRYPTO_set_mem_functions(crypto_malloc, crypto_realloc, crypto_free) == 1;
}

// Out of line, so a compiler inlining a delete never pairs free() with a
// library's `new (std::nothrow)` (g++'s -Wmismatched-new-delete).
[[gnu::noinline]] inline void release(void* p) noexcept { std::free(p); }

}  // namespace allocator_detail
}  // namespace lkwebhook::test

void* operator new(std::size_t n) {
    using lkwebhook::test::allocation;
    return lkwebhook::test::allocator_detail::cpp_allocate_or_throw(n, 0, allocation::operator_new);
}
void* operator new[](std::size_t n) {
    using lkwebhook::test::allocation;
    return lkwebhook::test::allocator_detail::cpp_allocate_or_throw(n, 0, allocation::operator_new);
}
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
    using lkwebhook::test::allocation;
    return lkwebhook::test::allocator_detail::cpp_allocate(n, 0, allocation::operator_new_nothrow);
}
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept {
    using lkwebhook::test::allocation;
    return lkwebhook::test::allocator_detail::cpp_allocate(n, 0, allocation::operator_new_nothrow);
}
void* operator new(std::size_t n, std::align_val_t a) {
    using lkwebhook::test::allocation;
    return lkwebhook::test::allocator_detail::cpp_allocate_or_throw(n, static_cast<std::size_t>(a),
                                                                    allocation::operator_new_aligned);
}
void* operator new[](std::size_t n, std::align_val_t a) {
    using lkwebhook::test::allocation;
    return lkwebhook::test::allocator_detail::cpp_allocate_or_throw(n, static_cast<std::size_t>(a),
                                                                    allocation::operator_new_aligned);
}
void operator delete(void* p) noexcept { lkwebhook::test::allocator_detail::release(p); }
void operator delete[](void* p) noexcept { lkwebhook::test::allocator_detail::release(p); }
void operator delete(void* p, std::size_t) noexcept { lkwebhook::test::allocator_detail::release(p); }
void operator delete[](void* p, std::size_t) noexcept { lkwebhook::test::allocator_detail::release(p); }
void operator delete(void* p, std::align_val_t) noexcept { lkwebhook::test::allocator_detail::release(p); }
void operator delete[](void* p, std::align_val_t) noexcept { lkwebhook::test::allocator_detail::release(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { lkwebhook::test::allocator_detail::release(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept {
    lkwebhook::test::allocator_detail::release(p);
}
void operator delete(void* p, const std::nothrow_t&) noexcept { lkwebhook::test::allocator_detail::release(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { lkwebhook::test::allocator_detail::release(p); }

#endif  // LKWEBHOOK_TESTS_SUPPORT_COUNTING_ALLOCATOR_HPP
