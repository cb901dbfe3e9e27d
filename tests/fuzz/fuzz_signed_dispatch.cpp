// Fuzz target: the fuzzed bytes are a body that the target signs itself with
// lkwebhook::sign, so every input passes real authentication and reaches the
// decoder, the idempotency store and the correlator. Invariants:
//  - sign + verify always succeeds for bodies within the size limit;
//  - verify_and_dispatch answers ok (handler called exactly once, with exactly
//    the event decode() produces) or malformed_body (handler not called);
//  - the same request again is a duplicate_event without a handler call when
//    the event has an id, and handled again when it has none (G14);
//  - a correlator that throws yields handler_failed (503) and releases the
//    claim, so the retry is handled (H6, J5).
#include "fuzz_support.hpp"

#include <lkwebhook/clock.hpp>
#include <lkwebhook/decode.hpp>
#include <lkwebhook/dispatch.hpp>
#include <lkwebhook/encode.hpp>
#include <lkwebhook/error.hpp>
#include <lkwebhook/idempotency.hpp>
#include <lkwebhook/keys.hpp>
#include <lkwebhook/signer.hpp>
#include <lkwebhook/verify.hpp>

#include <stdexcept>
#include <string>

namespace {

constexpr std::int64_t now = 1768228729;
constexpr std::string_view api_key = "APIfuzz";
constexpr std::string_view api_secret = "fuzz-secret-0123456789abcdef0123456789abcdef";

struct recording_correlator {
    int calls = 0;
    bool fail = false;
    std::string last;
    void on_event(const lkwebhook::webhook_event& ev) {
        ++calls;
        last = lkwebhook::to_json(ev);
#if LKWEBHOOK_EXCEPTIONS
        if (fail) throw std::runtime_error("handler failure");
#endif
    }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view body = fuzz::as_text(data, size);
    static const lkwebhook::static_key keys = *lkwebhook::static_key::make(api_key, api_secret);
    const lkwebhook::fixed_clock clock{now};

    lkwebhook::sign_options sign_options;
    sign_options.now_unix = now;
    const auto token = lkwebhook::sign(body, api_key, api_secret, sign_options);
    LKWEBHOOK_FUZZ_CHECK(token.has_value());
    LKWEBHOOK_FUZZ_CHECK(lkwebhook::verify(body, *token, keys, {}, clock).has_value());

    lkwebhook::decode_context context;
    lkwebhook::webhook_event expected;
    const auto decoded = lkwebhook::decode(body, expected, context);

    lkwebhook::memory_store store;
    recording_correlator correlator;
    const lkwebhook::outcome first = lkwebhook::verify_and_dispatch(body, *token, keys, correlator, store, {}, clock);
    if (!decoded) {
        LKWEBHOOK_FUZZ_CHECK(first.error == lkwebhook::make_error_code(lkwebhook::errc::malformed_body));
        LKWEBHOOK_FUZZ_CHECK(first.status == 400);
        LKWEBHOOK_FUZZ_CHECK(correlator.calls == 0);
        return 0;
    }
    LKWEBHOOK_FUZZ_CHECK(first.ok() && first.status == 200);
    LKWEBHOOK_FUZZ_CHECK(correlator.calls == 1);
    LKWEBHOOK_FUZZ_CHECK(correlator.last == lkwebhook::to_json(expected));
    LKWEBHOOK_FUZZ_CHECK(first.event_id() == expected.id);

    const lkwebhook::outcome second = lkwebhook::verify_and_dispatch(body, *token, keys, correlator, store, {}, clock);
    if (expected.id.empty()) {
        LKWEBHOOK_FUZZ_CHECK(second.ok() && correlator.calls == 2);
    } else {
        LKWEBHOOK_FUZZ_CHECK(second.error == lkwebhook::make_error_code(lkwebhook::errc::duplicate_event));
        LKWEBHOOK_FUZZ_CHECK(second.status == 200 && second.duplicate && correlator.calls == 1);
    }

#if LKWEBHOOK_EXCEPTIONS
    // A failing handler: 503, claim released, the retry is handled.
    lkwebhook::memory_store store2;
    recording_correlator failing;
    failing.fail = true;
    const lkwebhook::outcome failed = lkwebhook::verify_and_dispatch(body, *token, keys, failing, store2, {}, clock);
    LKWEBHOOK_FUZZ_CHECK(failed.error == lkwebhook::make_error_code(lkwebhook::errc::handler_failed));
    LKWEBHOOK_FUZZ_CHECK(failed.status == 503);
    failing.fail = false;
    const lkwebhook::outcome retried = lkwebhook::verify_and_dispatch(body, *token, keys, failing, store2, {}, clock);
    LKWEBHOOK_FUZZ_CHECK(retried.ok() && failing.calls == 2);
#endif
    return 0;
}
