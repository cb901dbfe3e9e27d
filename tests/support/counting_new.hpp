#ifndef LKWEBHOOK_TESTS_SUPPORT_COUNTING_NEW_HPP
#define LKWEBHOOK_TESTS_SUPPORT_COUNTING_NEW_HPP

// Replaces the global operator new/delete with versions that count every
// allocation, so tests can prove "no heap allocation once warm". Replacement
// allocation functions cannot be inline: include this header in exactly one
// translation unit of a test executable. It affects that executable only.

#include <atomic>
#include <cstdlib>
#include <new>

namespace lkwebhook::test {

/// Number of operator new calls (every form) since the program started.
inline std::atomic<long> operator_new_calls{0};

inline void* counted_alloc(std::size_t size) noexcept {
    operator_new_calls.fetch_add(1, std::memory_order_relaxed);
    return std::malloc(size == 0 ? 1 : size);
}

inline void* counted_alloc_or_throw(std::size_t size) {
    if (void* p = counted_alloc(size)) return p;
    throw std::bad_alloc();
}

}  // namespace lkwebhook::test

// Every replaceable form, so sanitizers see matching new/delete pairs. The
// deallocation functions are kept out of line: inlined into a caller, g++'s
// -Wmismatched-new-delete would see free() on memory from operator new.
void* operator new(std::size_t size) { return lkwebhook::test::counted_alloc_or_throw(size); }
void* operator new[](std::size_t size) { return lkwebhook::test::counted_alloc_or_throw(size); }
void* operator new(std::size_t size, const std::nothrow_t&) noexcept { return lkwebhook::test::counted_alloc(size); }
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept { return lkwebhook::test::counted_alloc(size); }
[[gnu::noinline]] void operator delete(void* p) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete[](void* p) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete(void* p, std::size_t) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }

#endif  // LKWEBHOOK_TESTS_SUPPORT_COUNTING_NEW_HPP
