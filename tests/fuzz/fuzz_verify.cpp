// Fuzz target: the whole verification path on attacker-controlled input,
// "<now>\n<authorization>\n<body>" (see make_corpus.py), with the vectors' two
// keys configured. Invariants beyond "no crash":
//  - verify, receiver::receive and verify_and_dispatch agree: the same
//    authentication error, and the correlator is never called for a rejected
//    request;
//  - an accepted request stops verifying when one body byte changes
//    (body_hash_mismatch) or when the signature's first character changes
//    (bad_signature or malformed_token): acceptance is never unconditional.
#include "fuzz_support.hpp"

#include <lkwebhook/clock.hpp>
#include <lkwebhook/dispatch.hpp>
#include <lkwebhook/error.hpp>
#include <lkwebhook/idempotency.hpp>
#include <lkwebhook/keys.hpp>
#include <lkwebhook/receiver.hpp>
#include <lkwebhook/verify.hpp>

#include <charconv>
#include <string>

namespace {

const lkwebhook::key_set& keys() {
    static const lkwebhook::key_set k = *lkwebhook::key_set::make({
            {"APIujsgGJ0iviB1", "niBb7wlSSdZnjf4T9Bc93PG2fL4TSnJbuxQeTEJZfiw"},
            {"abcdefg", "abababa"},
    });
    return k;
}

struct counting_correlator {
    int calls = 0;
    void on_event(const lkwebhook::webhook_event&) noexcept { ++calls; }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input = fuzz::as_text(data, size);
    const auto [now_text, rest] = fuzz::split_input(input, "\n");
    const auto [authorization, body] = fuzz::split_input(rest, "\n");
    std::int64_t now = 1768228729;
    std::from_chars(now_text.data(), now_text.data() + now_text.size(), now);
    const lkwebhook::fixed_clock clock{now};
    lkwebhook::verify_options options;
    options.leeway = std::chrono::seconds{10};

    lkwebhook::diagnosis why;
    const auto verified = lkwebhook::verify(body, authorization, keys(), options, clock, &why);
    LKWEBHOOK_FUZZ_CHECK(why.view().size() <= 256);

    lkwebhook::receiver_options receiver_options;
    receiver_options.verify = options;
    lkwebhook::receiver<lkwebhook::key_set, lkwebhook::fixed_clock> receiver(keys(), receiver_options, clock);
    const auto received = receiver.receive(body, authorization);

    lkwebhook::memory_store store;
    counting_correlator correlator;
    lkwebhook::dispatch_options dispatch;
    dispatch.verify = options;
    const lkwebhook::outcome o =
            lkwebhook::verify_and_dispatch(body, authorization, keys(), correlator, store, dispatch, clock);

    if (!verified) {
        LKWEBHOOK_FUZZ_CHECK(received.error() == verified.error());
        LKWEBHOOK_FUZZ_CHECK(o.error == verified.error());
        LKWEBHOOK_FUZZ_CHECK(correlator.calls == 0);
        LKWEBHOOK_FUZZ_CHECK(o.status == lkwebhook::http_status(verified.error()));
        return 0;
    }
    // Authenticated: the receiver either decodes it or calls it malformed; the
    // dispatcher agrees and calls the handler at most once.
    const auto malformed = lkwebhook::make_error_code(lkwebhook::errc::malformed_body);
    LKWEBHOOK_FUZZ_CHECK(!received.error() || received.error() == malformed);
    LKWEBHOOK_FUZZ_CHECK(o.error == received.error());
    LKWEBHOOK_FUZZ_CHECK(correlator.calls == (o.ok() ? 1 : 0));

    // Acceptance depends on every body byte and on the signature.
    if (!body.empty()) {
        std::string altered(body);
        altered[altered.size() / 2] = static_cast<char>(altered[altered.size() / 2] ^ 0x01);
        const auto r = lkwebhook::verify(altered, authorization, keys(), options, clock);
        LKWEBHOOK_FUZZ_CHECK(!r && r.error() == lkwebhook::make_error_code(lkwebhook::errc::body_hash_mismatch));
    }
    std::string forged(authorization);
    const std::size_t signature = forged.rfind('.') + 1;
    forged[signature] = forged[signature] == 'A' ? 'B' : 'A';
    LKWEBHOOK_FUZZ_CHECK(!lkwebhook::verify(body, forged, keys(), options, clock));
    return 0;
}
