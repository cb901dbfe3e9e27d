#ifndef LKWEBHOOK_TESTS_BENCH_ALLOC_COUNTER_HPP
#define LKWEBHOOK_TESTS_BENCH_ALLOC_COUNTER_HPP

// Heap allocations made by the calling thread: operator new (every form) and
// OpenSSL's own allocations (CRYPTO_set_mem_functions), which do not go
// through operator new. Counted by tests/support/counting_allocator.hpp,
// instantiated in alloc_counter.cpp.

#include <cstdint>

namespace bench {

struct allocation_count {
    std::uint64_t cpp = 0;     // operator new / new[] (all forms)
    std::uint64_t crypto = 0;  // OpenSSL CRYPTO_malloc / CRYPTO_realloc
    std::uint64_t total() const noexcept { return cpp + crypto; }
};

// Allocations made by this thread since it started.
allocation_count thread_allocations() noexcept;

// Whether the OpenSSL hooks could be installed (before OpenSSL's first allocation).
bool crypto_allocations_counted() noexcept;

}  // namespace bench

#endif
