// The benchmark's allocation counts (alloc_counter.hpp) come from the tests'
// one counting allocator, which this translation unit instantiates.
#include "alloc_counter.hpp"

#include "../support/counting_allocator.hpp"

namespace bench {

allocation_count thread_allocations() noexcept {
    return allocation_count{lkwebhook::test::thread_operator_new_calls, lkwebhook::test::thread_crypto_allocations};
}
bool crypto_allocations_counted() noexcept { return lkwebhook::test::crypto_allocator_installed; }

}  // namespace bench
