// Fuzz target: the body decoder (catalogue group G), fed the raw input as
// an (already authenticated) body. Invariants beyond "no crash":
//  - decoding into a long-lived, reused webhook_event and decode_context (the
//    production path) gives exactly the same result as decoding into fresh
//    ones: same error, and on success the same canonical JSON, so retained
//    storage never leaks data from an earlier event;
//  - the encoder's output is accepted by the decoder and is a fixpoint
//    (decode(to_json(e)) encodes to the same text).
#include "fuzz_support.hpp"

#include <lkwebhook/decode.hpp>
#include <lkwebhook/encode.hpp>
#include <lkwebhook/events.hpp>

#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view body = fuzz::as_text(data, size);

    static lkwebhook::decode_context reused_context;
    static lkwebhook::webhook_event reused_event;
    lkwebhook::diagnosis why;
    const auto reused = lkwebhook::decode(body, reused_event, reused_context, &why);
    LKWEBHOOK_FUZZ_CHECK(why.view().size() <= 256);

    lkwebhook::decode_context fresh_context;
    lkwebhook::webhook_event fresh_event;
    const auto fresh = lkwebhook::decode(body, fresh_event, fresh_context);

    LKWEBHOOK_FUZZ_CHECK(static_cast<bool>(reused) == static_cast<bool>(fresh));
    if (!fresh) {
        LKWEBHOOK_FUZZ_CHECK(reused.error() == fresh.error());
        return 0;
    }
    const std::string canonical = lkwebhook::to_json(fresh_event);
    LKWEBHOOK_FUZZ_CHECK(lkwebhook::to_json(reused_event) == canonical);
    LKWEBHOOK_FUZZ_CHECK(lkwebhook::to_string(fresh_event.type()) == fresh_event.event ||
                         fresh_event.type() == lkwebhook::event_type::unknown);

    lkwebhook::webhook_event again;
    lkwebhook::decode_context again_context;
    const auto round_trip = lkwebhook::decode(canonical, again, again_context);
    if (!round_trip) {
        std::fprintf(stderr, "canonical JSON rejected by the decoder: %s\n", canonical.c_str());
        LKWEBHOOK_FUZZ_CHECK(round_trip);
    }
    LKWEBHOOK_FUZZ_CHECK(lkwebhook::to_json(again) == canonical);
    return 0;
}
