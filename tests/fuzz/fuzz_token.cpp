// Fuzz target: the pre-MAC token path (catalogue.md#order steps 2-4 and the
// time-claim checks of step 6) and the strict base64url codec and JSON scanner
// under it. The input is an Authorization value.
// Invariants checked, beyond "no crash, no sanitizer report":
//  - split_token's segments are views into the input; the signature has 43
//    characters; signing_input is exactly "header.payload"; every segment is
//    canonical base64url;
//  - base64url is a bijection on canonical text: decode then encode gives the
//    input back, and a non-canonical input never decodes;
//  - the JSON scanner is deterministic.
#include "fuzz_support.hpp"

#include <lkwebhook/detail/base64url.hpp>
#include <lkwebhook/detail/json_token.hpp>
#include <lkwebhook/error.hpp>
#include <lkwebhook/token.hpp>

#include <array>
#include <vector>

namespace {

void check_base64url(std::string_view text) {
    using namespace lkwebhook::detail;
    std::vector<unsigned char> bytes(text.size() / 4 * 3 + 3);
    const std::ptrdiff_t n = decode_base64url(text, bytes.data(), bytes.size());
    LKWEBHOOK_FUZZ_CHECK((n >= 0) == is_canonical_base64url(text));
    if (n < 0) return;
    LKWEBHOOK_FUZZ_CHECK(static_cast<std::size_t>(n) == base64url_decoded_size(text.size()));
    std::vector<char> again(base64url_encoded_size(static_cast<std::size_t>(n)) + 1);
    const std::size_t m = encode_base64url(bytes.data(), static_cast<std::size_t>(n), again.data());
    LKWEBHOOK_FUZZ_CHECK(std::string_view(again.data(), m) == text);
    // Too small an output buffer is refused, never overrun.
    if (n > 0) LKWEBHOOK_FUZZ_CHECK(decode_base64url(text, bytes.data(), static_cast<std::size_t>(n) - 1) < 0);
}

void check_json_scanner(std::string_view text) {
    using namespace lkwebhook::detail;
    if (text.size() > json_scanner_max_input) return;
    std::vector<json_name_slot> names(json_max_names(text.size()));
    std::size_t members_first = 0;
    const json_fault first =
            scan_json_object(text, 16, names, [&](const json_value&, const json_value&) noexcept { ++members_first; });
    std::size_t members_second = 0;
    const json_fault second =
            scan_json_object(text, 16, names, [&](const json_value&, const json_value&) noexcept { ++members_second; });
    LKWEBHOOK_FUZZ_CHECK(first.error == second.error && first.offset == second.offset);
    LKWEBHOOK_FUZZ_CHECK(members_first == members_second);
    if (first) LKWEBHOOK_FUZZ_CHECK(first.offset <= text.size());
}

bool within(std::string_view part, std::string_view whole) {
    return part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input = fuzz::as_text(data, size);
    check_base64url(input);
    check_json_scanner(input);

    const std::string_view value = lkwebhook::trim_ows(input);
    for (const bool allow_bearer : {true, false}) {
        lkwebhook::diagnosis why;
        const auto segments = lkwebhook::split_token(value, allow_bearer, &why);
        if (!segments) {
            LKWEBHOOK_FUZZ_CHECK(segments.error() == lkwebhook::make_error_code(lkwebhook::errc::malformed_token));
            continue;
        }
        const lkwebhook::token_segments& t = *segments;
        LKWEBHOOK_FUZZ_CHECK(within(t.header, value) && within(t.payload, value) && within(t.signature, value));
        LKWEBHOOK_FUZZ_CHECK(t.signature.size() == lkwebhook::signature_chars);
        LKWEBHOOK_FUZZ_CHECK(!t.header.empty() && !t.payload.empty());
        LKWEBHOOK_FUZZ_CHECK(t.signing_input.size() == t.header.size() + 1 + t.payload.size());
        LKWEBHOOK_FUZZ_CHECK(t.signing_input.data() == t.header.data() && t.signing_input[t.header.size()] == '.');
        LKWEBHOOK_FUZZ_CHECK(lkwebhook::detail::is_canonical_base64url(t.header));
        LKWEBHOOK_FUZZ_CHECK(lkwebhook::detail::is_canonical_base64url(t.payload));
        LKWEBHOOK_FUZZ_CHECK(lkwebhook::detail::is_canonical_base64url(t.signature));

        (void)lkwebhook::check_token_header(t.header, &why);
        lkwebhook::token_claims claims;
        if (claims.parse(t.payload, &why)) {
            if (const auto iss = claims.issuer()) LKWEBHOOK_FUZZ_CHECK(iss->size() <= lkwebhook::max_claims_json_bytes);
            if (const auto times = lkwebhook::read_token_times(claims, &why)) {
                LKWEBHOOK_FUZZ_CHECK(times->exp >= 0 && times->exp <= lkwebhook::max_numeric_date);
                for (const std::int64_t now :
                     {std::int64_t{0}, std::int64_t{1700000000}, lkwebhook::max_numeric_date}) {
                    (void)lkwebhook::check_token_window(*times, now, std::chrono::seconds{300},
                                                        std::chrono::seconds{900}, &why);
                }
            }
        }
        LKWEBHOOK_FUZZ_CHECK(why.view().size() <= 256);
    }
    return 0;
}
