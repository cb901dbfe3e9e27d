// Threat catalogue K5 (best effort, optional): key storage is wiped
// before it is freed. This executable replaces the global operator delete
// family and scans every block handed back for the secret's bytes.
#include "support/catch.hpp"

#include <lkwebhook/keys.hpp>

#include <malloc.h>

#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <string_view>

namespace {
// A string literal: never on the heap itself.
constexpr std::string_view secret = "K5-wipe-me-secret-0123456789abcdef0123456789";
bool watching = false;
int blocks_with_secret = 0;
int blocks_freed = 0;

// Out of line, so the compiler does not pair free() with a library's
// `new (std::nothrow)` when it inlines a delete (-Wmismatched-new-delete).
[[gnu::noinline]] void inspect_and_free(void* p) noexcept {
    if (p != nullptr && watching) {
        ++blocks_freed;
        const std::size_t n = malloc_usable_size(p);
        const auto* bytes = static_cast<const char*>(p);
        if (n >= secret.size() && std::string_view(bytes, n).find(secret) != std::string_view::npos)
            ++blocks_with_secret;
    }
    std::free(p);
}
void* allocate(std::size_t n) {
    if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
    throw std::bad_alloc();
}
}  // namespace

void* operator new(std::size_t n) { return allocate(n); }
void* operator new[](std::size_t n) { return allocate(n); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept { return std::malloc(n == 0 ? 1 : n); }
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept { return std::malloc(n == 0 ? 1 : n); }
void operator delete(void* p, const std::nothrow_t&) noexcept { inspect_and_free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { inspect_and_free(p); }
void operator delete(void* p) noexcept { inspect_and_free(p); }
void operator delete[](void* p) noexcept { inspect_and_free(p); }
void operator delete(void* p, std::size_t) noexcept { inspect_and_free(p); }
void operator delete[](void* p, std::size_t) noexcept { inspect_and_free(p); }

TEST_CASE("key sets and static keys wipe their secrets before freeing them", "[threats][threat-K5]") {
    watching = true;
    blocks_with_secret = 0;
    blocks_freed = 0;
    {
        // Control: an ordinary heap copy of the secret is seen when it is freed.
        std::string control(secret);
        REQUIRE(control.size() == secret.size());
    }
    CHECK(blocks_with_secret == 1);
    blocks_with_secret = 0;
    {
        auto one = lkwebhook::static_key::make("APIk5", secret);
        REQUIRE(one);
        auto many = lkwebhook::key_set::make({{"APIk5a", secret}, {"APIk5b", "another-secret-0123456789abcdef012345"}});
        REQUIRE(many);
        auto copy = *many;  // copies must be wiped too
        REQUIRE(copy.find_secret("APIk5a") == secret);
    }
    watching = false;
    CHECK(blocks_freed > 0);
    CHECK(blocks_with_secret == 0);
}
