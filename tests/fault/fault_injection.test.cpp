// Threat catalogue C8 (and I9/C9): every OpenSSL call, every OpenSSL allocation and
// every C++ allocation on the request path is made to fail in turn. Each
// failure must give a clean rejection (internal_error, or another error code),
// never acceptance, never a crash, and must leak nothing; afterwards the next
// request must succeed again (a transient failure must not poison state).
//
// Each injected failure runs in a forked child, so one-time state (fetched
// algorithms, thread-local contexts, decoder buffers) starts from the same
// point every time. Two starting points are covered: "cold" (the first request
// the process handles: OpenSSL initialised, the library not yet used) and
// "warm" (after one successful request). Under AddressSanitizer the child runs
// LeakSanitizer before it exits. The interposers live in injection.cpp.
#include "support/catch.hpp"
#include "support/fork_runner.hpp"

#include "injection.hpp"
#include "support/vectors.hpp"

#include <lkwebhook/clock.hpp>
#include <lkwebhook/dispatch.hpp>
#include <lkwebhook/error.hpp>
#include <lkwebhook/idempotency.hpp>
#include <lkwebhook/keys.hpp>
#include <lkwebhook/receiver.hpp>
#include <lkwebhook/signer.hpp>
#include <lkwebhook/verify.hpp>

#include <openssl/evp.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <functional>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define LKWEBHOOK_FAULT_LSAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) && !defined(LKWEBHOOK_FAULT_LSAN)
#define LKWEBHOOK_FAULT_LSAN 1
#endif
#ifdef LKWEBHOOK_FAULT_LSAN
#include <sanitizer/lsan_interface.h>
#endif

namespace {

using vector_case = lkwebhook::test::webhook_vector;

const vector_case& mid_vector() {
    static const vector_case v =
            lkwebhook::test::load_vector(lkwebhook::test::vectors_dir(), "ok_bench_mid_participant_joined");
    return v;
}
const vector_case& forged_signature_vector() {
    static const vector_case v =
            lkwebhook::test::load_vector(lkwebhook::test::vectors_dir(), "err_bad_signature_flipped_bit");
    return v;
}
const vector_case& tampered_body_vector() {
    static const vector_case v =
            lkwebhook::test::load_vector(lkwebhook::test::vectors_dir(), "err_body_hash_mismatch_one_byte");
    return v;
}

struct counting_correlator {
    int calls = 0;
    void on_event(const lkwebhook::webhook_event&) noexcept { ++calls; }
};

// One request path. prepare() builds whatever the path needs (outside the
// counted window); run() performs one request and returns "ok" or the errc name
// (static strings only: nothing may allocate while counting besides the code
// under test).
struct scenario {
    std::string name;
    // "ok" for a genuine request; else the errc a forged one gets without faults.
    std::string expect;
    std::function<void()> prepare;
    std::function<std::string_view()> run;
    // Called between the warm-up and the measured request (outside the counted
    // window): verify_and_dispatch needs a store that has not seen the id.
    std::function<void()> reset = [] {};
};

std::string_view name_of(std::error_code e) { return e ? lkwebhook::to_string(e) : std::string_view("ok"); }

std::vector<scenario> make_scenarios() {
    std::vector<scenario> out;
    // State lives in shared_ptrs captured by the closures; created in prepare().
    {
        auto keys = std::make_shared<std::optional<lkwebhook::static_key>>();
        out.push_back({"verify", "ok",
                       [keys] { *keys = *lkwebhook::static_key::make(mid_vector().api_key, mid_vector().api_secret); },
                       [keys]() -> std::string_view {
                           const vector_case& v = mid_vector();
                           const auto r = lkwebhook::verify(v.body, *v.authorization, **keys, {},
                                                            lkwebhook::fixed_clock{v.now});
                           return r ? std::string_view("ok") : name_of(r.error());
                       }});
    }
    {
        using receiver_type = lkwebhook::receiver<lkwebhook::static_key, lkwebhook::fixed_clock>;
        auto receiver = std::make_shared<std::optional<receiver_type>>();
        out.push_back({"receiver.receive", "ok",
                       [receiver] {
                           const vector_case& v = mid_vector();
                           receiver->emplace(*lkwebhook::static_key::make(v.api_key, v.api_secret),
                                             lkwebhook::receiver_options{}, lkwebhook::fixed_clock{v.now});
                       },
                       [receiver]() -> std::string_view {
                           const vector_case& v = mid_vector();
                           return name_of((*receiver)->receive(v.body, *v.authorization).error());
                       }});
    }
    {
        struct state {
            std::optional<lkwebhook::static_key> keys;
            std::optional<lkwebhook::memory_store> store;
            counting_correlator correlator;
        };
        auto s = std::make_shared<state>();
        out.push_back({"verify_and_dispatch", "ok",
                       [s] {
                           s->keys = *lkwebhook::static_key::make(mid_vector().api_key, mid_vector().api_secret);
                           s->store.emplace();
                       },
                       [s]() -> std::string_view {
                           const vector_case& v = mid_vector();
                           const lkwebhook::outcome o =
                                   lkwebhook::verify_and_dispatch(v.body, *v.authorization, *s->keys, s->correlator,
                                                                  *s->store, {}, lkwebhook::fixed_clock{v.now});
                           if (o.ok() && s->correlator.calls != 1) return "ok-without-one-handler-call";
                           return o.name();
                       },
                       [s] {
                           s->store.emplace();
                           s->correlator.calls = 0;
                       }});
    }
    // Forged requests: no failure anywhere may turn them into acceptance.
    for (const vector_case* forged : {&forged_signature_vector(), &tampered_body_vector()}) {
        struct state {
            std::optional<lkwebhook::static_key> keys;
            std::optional<lkwebhook::memory_store> store;
            counting_correlator correlator;
        };
        auto s = std::make_shared<state>();
        out.push_back({"verify_and_dispatch[" + forged->name + "]", forged->expect,
                       [s, forged] {
                           s->keys = *lkwebhook::static_key::make(forged->api_key, forged->api_secret);
                           s->store.emplace();
                       },
                       [s, forged]() -> std::string_view {
                           const lkwebhook::outcome o = lkwebhook::verify_and_dispatch(
                                   forged->body, *forged->authorization, *s->keys, s->correlator, *s->store, {},
                                   lkwebhook::fixed_clock{forged->now});
                           if (s->correlator.calls != 0) return "forged-event-dispatched";
                           return o.name();
                       }});
    }
    return out;
}

// Where a child crashed: the interposer site that was failed just before, if any.
int crash_report_fd = -1;
extern "C" void report_crash(int signal_number) {
    if (crash_report_fd >= 0) {
        const char prefix[] = "CRASH-after-fault-at ";
        (void)!write(crash_report_fd, prefix, sizeof prefix - 1);
        const std::string_view site = fault::triggered() ? fault::triggered_site_c_str() : "none";
        (void)!write(crash_report_fd, site.data(), site.size());
    }
    std::signal(signal_number, SIG_DFL);
    std::raise(signal_number);
}

using child_report = lkwebhook::test::child_result;

// A crash in the child names the interposer site failed just before it.
void report_crashes_to(int report_fd) {
    crash_report_fd = report_fd;
    std::signal(SIGSEGV, report_crash);
    std::signal(SIGBUS, report_crash);
    std::signal(SIGABRT, report_crash);
}

int leak_check_status() {
#ifdef LKWEBHOOK_FAULT_LSAN
    if (__lsan_do_recoverable_leak_check() != 0) return 23;
#endif
    return 0;
}

child_report in_child(const std::function<std::string()>& body) {
    return lkwebhook::test::run_in_child(body, {&report_crashes_to, &leak_check_status});
}

// Brings OpenSSL itself up (default provider, method caches) in the parent,
// so "cold" children measure the library's own one-time work, not OpenSSL's.
void initialise_openssl_only() {
    EVP_MD_free(EVP_MD_fetch(nullptr, "SHA256", nullptr));
    EVP_MAC_free(EVP_MAC_fetch(nullptr, "HMAC", nullptr));
}

struct fault_run {
    std::string scenario;
    bool warm = false;
    fault::kind kind = fault::kind::openssl_call;
    long index = 0;
};

std::string describe(const fault_run& f) {
    std::ostringstream s;
    s << f.scenario << (f.warm ? " (warm)" : " (cold)") << ": " << fault::to_string(f.kind) << " #" << f.index;
    return s.str();
}

// A crash the library cannot prevent, to be reported rather than counted.
// None is known: the decoder's simdjson DOM parser (detail/dom_parser.hpp)
// checks every one of its allocations and reports MEMALLOC. (The On-Demand
// parser it replaced did not check two of them: reproducer
// tests/fault/upstream/simdjson_unchecked_parser_allocation.cpp.)
bool known_upstream_crash(const std::string& child_text, const std::string& scenario_name, bool warm) {
    (void)child_text;
    (void)scenario_name;
    (void)warm;
    return false;
}

}  // namespace

TEST_CASE("every OpenSSL call and allocation on the request path failing in turn never yields acceptance",
          "[fault][threat-C8][threat-G25]") {
    REQUIRE(fault::crypto_hooks_installed());
    initialise_openssl_only();
    std::vector<std::string> violations;
    std::vector<std::string> known_upstream;
    std::map<std::string, int> known_upstream_per_scenario;  // one allocation at most: a second is a violation
    long injected = 0;

    for (const bool warm : {false, true}) {
        for (std::size_t s = 0; s < make_scenarios().size(); ++s) {
            const std::string scenario_name = make_scenarios()[s].name;
            // 1. How many calls/allocations does one request make from this state?
            const child_report census = in_child([&] {
                scenario sc = make_scenarios()[s];
                sc.prepare();
                if (warm && sc.run() != sc.expect) return std::string("warm-up failed");
                sc.reset();
                fault::start_counting();
                const std::string_view result = sc.run();
                const fault::counts c = fault::stop_counting();
                std::ostringstream o;
                o << result << ' ' << c.openssl_calls << ' ' << c.crypto_allocs << ' ' << c.cpp_allocs;
                return o.str();
            });
            INFO(scenario_name << (warm ? " warm" : " cold") << " census: " << census.text);
            REQUIRE(census.finished);
            std::istringstream in(census.text);
            std::string result;
            fault::counts counts;
            in >> result >> counts.openssl_calls >> counts.crypto_allocs >> counts.cpp_allocs;
            const std::string expect = make_scenarios()[s].expect;
            REQUIRE(result == expect);
            REQUIRE(counts.openssl_calls > 0);
            std::printf("%-20s %s: %ld OpenSSL calls, %ld OpenSSL allocations, %ld C++ allocations per request\n",
                        scenario_name.c_str(), warm ? "warm" : "cold", counts.openssl_calls, counts.crypto_allocs,
                        counts.cpp_allocs);

            // 2. Fail each of them in turn.
            for (const fault::kind kind : fault::all_kinds) {
                for (long i = 1; i <= counts.of(kind); ++i) {
                    const fault_run f{scenario_name, warm, kind, i};
                    ++injected;
                    const child_report r = in_child([&] {
                        scenario sc = make_scenarios()[s];
                        sc.prepare();
                        if (warm && sc.run() != sc.expect) return std::string("warm-up-failed - -");
                        sc.reset();
                        fault::start_counting();
                        fault::arm(kind, i);
                        const std::string_view failed = sc.run();
                        fault::stop_counting();
                        fault::disarm();
                        const bool triggered = fault::triggered();
                        const std::string site = fault::triggered_site();
                        // Recovery: the same path must work again once the fault is gone.
                        // (A new scenario state for dispatch: the failed run may have
                        // completed the id in its store, which would make this a duplicate.)
                        scenario again = make_scenarios()[s];
                        again.prepare();
                        const std::string_view recovered = again.run();
                        return std::string(failed) + ' ' + (triggered ? "1" : "0") + ' ' + site + ' ' +
                               std::string(recovered);
                    });
                    std::istringstream reply(r.text);
                    std::string failed, triggered, site, recovered;
                    reply >> failed >> triggered >> site >> recovered;
                    const bool genuine = expect == "ok";
                    if (!r.finished && known_upstream_crash(r.text, scenario_name, warm) &&
                        ++known_upstream_per_scenario[scenario_name] == 1) {
                        known_upstream.push_back(describe(f) + ": " + r.text);
                    } else if (!r.finished) {
                        violations.push_back(
                                describe(f) + ": child " +
                                (r.signal ? "killed by signal " + std::to_string(r.signal)
                                          : (r.exit_code == 23 ? std::string("leaked memory (LeakSanitizer)")
                                                               : "exited " + std::to_string(r.exit_code))) +
                                " [" + r.text + "]");
                    } else if (triggered != "1") {
                        violations.push_back(describe(f) + ": the failure was not reached (non-deterministic path?)");
                    } else if (!genuine && failed == "ok") {
                        violations.push_back(describe(f) + " (" + site + "): a FORGED request was ACCEPTED");
                    } else if (!genuine && failed != expect && failed != "internal_error") {
                        violations.push_back(describe(f) + " (" + site + "): forged request gave " + failed +
                                             ", expected " + expect + " or internal_error");
                    } else if (genuine && kind == fault::kind::openssl_call && failed == "ok") {
                        violations.push_back(describe(f) + " (" + site +
                                             ") failed but the request was accepted anyway");
                    } else if (genuine && failed != "ok" && failed != "internal_error" && failed != "overloaded") {
                        // A transient failure must be retryable (5xx), never a 4xx that loses the event.
                        violations.push_back(describe(f) + " (" + site + ") turned a genuine request into " + failed);
                    } else if (recovered != expect) {
                        violations.push_back(describe(f) + " (" + site + ") gave " + failed +
                                             ", but the next request gave " + recovered + " (state poisoned)");
                    }
                }
            }
        }
    }
    std::printf("injected %ld failures\n", injected);
    for (const std::string& k : known_upstream) std::printf("KNOWN UPSTREAM DEFECT (not counted): %s\n", k.c_str());
    std::string all;
    for (const std::string& v : violations) all += "\n  " + v;
    INFO("violations:" << all);
    CHECK(violations.empty());
    CHECK(injected > 20);
}

TEST_CASE("the request path uses only pre-fetched algorithms and no static-buffer one-shots",
          "[fault][threat-I9][threat-C9]") {
    REQUIRE(fault::crypto_hooks_installed());
    initialise_openssl_only();
    for (scenario& sc : make_scenarios()) {
        INFO(sc.name);
        sc.prepare();
        REQUIRE(sc.run() == sc.expect);  // warm: algorithms fetched, contexts created
        sc.reset();
        fault::start_counting();
        REQUIRE(sc.run() == sc.expect);
        fault::stop_counting();
        for (const std::string& call : fault::call_log()) {
            INFO("call " << call);
            // Implicit fetches (EVP_sha256, EVP_Q_*, EVP_Digest with a fetched-per-call
            // type) and the static-buffer one-shots HMAC()/SHA256() are forbidden;
            // explicit fetches must not happen per request either.
            CHECK(call != "EVP_sha256");
            CHECK(call != "EVP_Q_mac");
            CHECK(call != "EVP_Q_digest");
            CHECK(call != "HMAC");
            CHECK(call != "SHA256");
            CHECK(call != "EVP_MAC_fetch");
            CHECK(call != "EVP_MD_fetch");
        }
    }
}
