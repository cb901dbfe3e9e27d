// Threat catalogue I1/I2/A2/A10/B1: before the MAC succeeds (and between the MAC and
// the body-hash check) verification touches zero body bytes, parses nothing of
// the body, and allocates nothing; size gates are decided from lengths alone.
//
// How: the body (or the oversized Authorization value) is copied onto pages that
// are then made PROT_NONE, so any read faults. Each call runs in a forked child;
// the child reports the outcome through a pipe and exits 0, so a fault (or an
// ASan SEGV report) shows up as a child that did not finish. A control case
// proves the guard works: a genuine request whose body is guarded must fault,
// because hashing it needs its bytes.
// Allocations are counted by the replaced operator new below and by OpenSSL
// allocation hooks installed before OpenSSL's first allocation.
#include "support/catch.hpp"

#include "support/vectors.hpp"

#include <lkwebhook/clock.hpp>
#include <lkwebhook/error.hpp>
#include <lkwebhook/keys.hpp>
#include <lkwebhook/signer.hpp>
#include <lkwebhook/verify.hpp>

#include <openssl/crypto.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <set>
#include <string>
#include <string_view>

// ---- allocation counting: the tests' one counting allocator -------------------
#include "support/counting_allocator.hpp"
#include "support/fork_runner.hpp"

namespace {

using vector_case = lkwebhook::test::webhook_vector;

const std::filesystem::path vectors_dir = lkwebhook::test::vectors_dir();

// A copy of some bytes on their own pages, made unreadable on request.
class guarded_bytes {
public:
    explicit guarded_bytes(std::string_view bytes) : size_(bytes.size()) {
        const auto page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
        mapped_ = (size_ / page + 1) * page;
        void* p = mmap(nullptr, mapped_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        REQUIRE(p != MAP_FAILED);
        data_ = static_cast<char*>(p);
        if (size_ != 0) std::memcpy(data_, bytes.data(), size_);
    }
    guarded_bytes(const guarded_bytes&) = delete;
    guarded_bytes& operator=(const guarded_bytes&) = delete;
    ~guarded_bytes() { munmap(data_, mapped_); }
    void protect() { REQUIRE(mprotect(data_, mapped_, PROT_NONE) == 0); }
    // Everything but the first and the last page of the bytes becomes unreadable.
    void protect_interior() {
        const auto page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
        REQUIRE(size_ >= 3 * page);
        const std::size_t last_page = (size_ - 1) / page * page;
        REQUIRE(mprotect(data_ + page, last_page - page, PROT_NONE) == 0);
    }
    std::string_view view() const { return {data_, size_}; }

private:
    char* data_ = nullptr;
    std::size_t size_ = 0;
    std::size_t mapped_ = 0;
};

struct child_outcome {
    bool finished = false;  // exited 0 after reporting
    std::string result;     // "ok" or the errc name the child saw
};

// Die from the fault itself: not through the test framework's handlers,
// which would report from the child as if it were the parent.
void default_fault_signals(int) {
    std::signal(SIGSEGV, SIG_DFL);
    std::signal(SIGBUS, SIG_DFL);
}

// Runs verify in a forked child (fresh from this process's state).
child_outcome verify_in_child(std::string_view body, std::string_view authorization, const vector_case& v) {
    const lkwebhook::test::child_result r = lkwebhook::test::run_in_child(
            [&] {
                auto keys = lkwebhook::static_key::make(v.api_key, v.api_secret);
                if (!keys) _exit(3);
                lkwebhook::verify_options options;
                options.leeway = std::chrono::seconds{v.leeway_s};
                const auto result =
                        lkwebhook::verify(body, authorization, *keys, options, lkwebhook::fixed_clock{v.now});
                return result ? std::string("ok") : std::string(lkwebhook::to_string(result.error()));
            },
            {&default_fault_signals, nullptr});
    return child_outcome{r.finished, r.text};
}

// Outcomes decided before the body is hashed (pipeline steps 1-6 and the
// presence half of step 7).
const std::set<std::string> decided_before_body = {
        "missing_authorization", "malformed_token", "unsupported_algorithm",   "unknown_api_key",   "bad_signature",
        "token_not_yet_valid",   "token_expired",   "token_lifetime_too_long", "missing_body_hash", "body_too_large"};

}  // namespace

TEST_CASE("no body byte is read before the token is authenticated and its claims checked",
          "[threats][threat-I1][threat-I2][threat-A10]") {
    int checked = 0;
    for (const vector_case& v : lkwebhook::test::load_all_vectors(vectors_dir)) {
        if (decided_before_body.count(v.expect) == 0) continue;
        INFO("vector " << v.name);
        guarded_bytes body(v.body);
        body.protect();
        const child_outcome out = verify_in_child(body.view(), v.authorization.value_or(""), v);
        CHECK(out.finished);  // false: the child faulted reading the guarded body
        CHECK(out.result == v.expect);
        ++checked;
    }
    CHECK(checked >= 40);
}

TEST_CASE("the guard page harness detects a body read (control)", "[threats][threat-I1]") {
    const vector_case v = lkwebhook::test::load_vector(vectors_dir, "ok_bench_mid_participant_joined");
    guarded_bytes readable(v.body);
    const child_outcome fine = verify_in_child(readable.view(), *v.authorization, v);
    CHECK(fine.finished);
    CHECK(fine.result == "ok");

    guarded_bytes body(v.body);
    body.protect();
    const child_outcome out = verify_in_child(body.view(), *v.authorization, v);
    CHECK_FALSE(out.finished);  // a genuine token needs the body hashed: the read must fault
    CHECK(out.result.empty());
}

TEST_CASE("an oversized Authorization value is rejected from its length alone", "[threats][threat-A2]") {
    const vector_case v = lkwebhook::test::load_vector(vectors_dir, "ok_bench_small_room_finished");
    // 12 KiB of token-alphabet bytes. Only the first and last pages stay
    // readable: trimming optional whitespace (which comes first, so that an
    // all-whitespace value is missing_authorization) may look at the ends, but
    // any scan of the value itself would fault.
    const auto page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
    std::string huge(3 * page, 'a');
    huge[100] = '.';
    huge[200] = '.';
    guarded_bytes authorization(huge);
    authorization.protect_interior();
    const child_outcome out = verify_in_child(v.body, authorization.view(), v);
    CHECK(out.finished);
    CHECK(out.result == "malformed_token");
}

TEST_CASE("verification makes no C++ allocation and O(1) OpenSSL ones, and bad syntax none",
          "[threats][threat-I1][threat-B1]") {
    REQUIRE(lkwebhook::test::crypto_allocator_installed);
    // Warm up: the one-time OpenSSL fetches and this thread's contexts.
    const vector_case ok = lkwebhook::test::load_vector(vectors_dir, "ok_bench_mid_participant_joined");
    auto ok_keys = lkwebhook::static_key::make(ok.api_key, ok.api_secret);
    REQUIRE(ok_keys);
    REQUIRE(lkwebhook::verify(ok.body, *ok.authorization, *ok_keys, {}, lkwebhook::fixed_clock{ok.now}));

    constexpr long max_openssl_allocations_per_verify = 8;
    struct measured {
        std::string result;
        long cpp_allocations;
        long openssl_allocations;
    };
    auto measure = [](const vector_case& v, std::string_view authorization) {
        auto keys = lkwebhook::static_key::make(v.api_key, v.api_secret);
        REQUIRE(keys);
        lkwebhook::verify_options options;
        options.leeway = std::chrono::seconds{v.leeway_s};
        const auto cpp_before = lkwebhook::test::thread_operator_new_calls;
        const auto crypto_before = lkwebhook::test::thread_crypto_allocations;
        const auto r = lkwebhook::verify(v.body, authorization, *keys, options, lkwebhook::fixed_clock{v.now});
        const auto cpp_allocations = static_cast<long>(lkwebhook::test::thread_operator_new_calls - cpp_before);
        const auto crypto_allocations = static_cast<long>(lkwebhook::test::thread_crypto_allocations - crypto_before);
        return measured{r ? std::string("ok") : std::string(lkwebhook::to_string(r.error())), cpp_allocations,
                        crypto_allocations};
    };

    for (const vector_case& v : lkwebhook::test::load_all_vectors(vectors_dir)) {
        INFO("vector " << v.name);
        const measured m = measure(v, v.authorization.value_or(""));
        CHECK(m.result == (v.expect == "malformed_body" ? "ok" : v.expect));  // bodies are decoded later
        CHECK(m.cpp_allocations == 0);
        // OpenSSL 3.0 allocates inside every EVP digest/MAC init (a provider
        // context per init), so a verify that reaches the MAC cannot be
        // allocation-free; the bound proves the count is O(1), whatever the input.
        CHECK(m.openssl_allocations <= max_openssl_allocations_per_verify);
    }

    SECTION("10,000 dots: malformed_token, stopping early, no allocation") {
        std::string dots = *ok.authorization;
        dots.append(10'000, '.');
        const measured m = measure(ok, dots);
        CHECK(m.result == "malformed_token");
        CHECK(m.cpp_allocations + m.openssl_allocations == 0);
    }
    SECTION("a JWE-shaped five-segment token") {
        const std::string jwe = *ok.authorization + ".AAAA.BBBB";
        const measured m = measure(ok, jwe);
        CHECK(m.result == "malformed_token");
        CHECK(m.cpp_allocations + m.openssl_allocations == 0);
    }
}
