#ifndef LKWEBHOOK_IMPL_TOKEN_IPP
#define LKWEBHOOK_IMPL_TOKEN_IPP

// The token checks' implementation (token.hpp is their interface).
// Included by token.hpp in the default header-only mode, by <lkwebhook/src.hpp>
// only with LKWEBHOOK_SEPARATE_COMPILATION (config.hpp).

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "../config.hpp"
#include "../token.hpp"

namespace lkwebhook {

LKWEBHOOK_DECL result<token_segments> split_token(std::string_view value, bool allow_bearer_prefix,
                                                  diagnosis* why) noexcept {
    token_segments out{};
    const auto fail = [&](std::string_view text) {
        diagnose(why).append(text);
        return result<token_segments>{errc::malformed_token};
    };
    if (value.size() >= 7) {
        constexpr std::string_view scheme = "bearer";
        bool match = true;
        for (std::size_t i = 0; i < scheme.size(); ++i) {
            char c = value[i];
            if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
            if (c != scheme[i]) match = false;
        }
        if (match && value[6] == ' ') {
            if (!allow_bearer_prefix)
                return fail(
                        "the value starts with a \"Bearer\" scheme, which allow_bearer_prefix disables (LiveKit sends "
                        "the bare token)");
            std::size_t i = 6;
            while (i < value.size() && value[i] == ' ') ++i;
            value.remove_prefix(i);
            out.bearer_prefix_stripped = true;
        }
    }
    std::size_t dots[2] = {0, 0};
    std::size_t ndots = 0;
    // Common case first, without a branch per byte: every byte in the
    // alphabet or a dot, and exactly two dots. Anything else takes the loop
    // below, which finds the first fault and names it.
    std::uint32_t outside = 0;
    std::size_t dot_count = 0;
    for (const char c : value) {
        const bool dot = c == '.';
        dot_count += dot ? 1u : 0u;
        outside |= dot ? 0u : detail::base64url_values[static_cast<unsigned char>(c)];
    }
    const bool common = (outside & 0x80u) == 0 && dot_count == 2;
    if (common) {
        dots[0] = value.find('.');
        dots[1] = value.find('.', dots[0] + 1);
        ndots = 2;
    }
    for (std::size_t i = 0; !common && i < value.size(); ++i) {
        const char c = value[i];
        if (c == '.') {
            if (ndots == 2) return fail("the token has more than three segments (a JWE or not a JWS)");
            dots[ndots++] = i;
            continue;
        }
        if (detail::base64url_values[static_cast<unsigned char>(c)] == 0xff) {
            const auto digits = detail::hex_byte(static_cast<unsigned char>(c));
            const char shown[4] = {'0', 'x', digits[0], digits[1]};
            diagnose(why)
                    .append("byte ")
                    .append(std::string_view(shown, 4))
                    .append(" at offset ")
                    .append(i)
                    .append(" is outside the base64url token alphabet");
            if (c == ' ' || c == ',') diagnose(why).append(" (a scheme word or folded headers?)");
            return errc::malformed_token;
        }
    }
    if (ndots != 2) return fail("the token does not have three dot-separated segments");
    out.header = value.substr(0, dots[0]);
    out.payload = value.substr(dots[0] + 1, dots[1] - dots[0] - 1);
    out.signature = value.substr(dots[1] + 1);
    out.signing_input = value.substr(0, dots[1]);
    if (out.header.empty() || out.payload.empty() || out.signature.empty())
        return fail("the token has an empty segment (an unsecured JWS?)");
    // The scan above checked the alphabet; only lengths and trailing bits remain.
    if (!detail::base64url_tail_is_canonical(out.header)) return fail("the header segment is not canonical base64url");
    if (!detail::base64url_tail_is_canonical(out.payload))
        return fail("the payload segment is not canonical base64url");
    if (!detail::base64url_tail_is_canonical(out.signature))
        return fail("the signature segment is not canonical base64url (non-zero trailing bits?)");
    if (out.signature.size() != signature_chars) {
        diagnose(why)
                .append("the signature segment has ")
                .append(out.signature.size())
                .append(" characters, HS256 needs 43 (another algorithm?)");
        return errc::malformed_token;
    }
    return out;
}

}  // namespace lkwebhook

namespace lkwebhook::detail {

LKWEBHOOK_DECL void append_json_fault(diagnosis* why, std::string_view what, json_fault f) noexcept {
    diagnose(why)
            .append(what)
            .append(" is not a strict JSON object: ")
            .append(to_string(f.error))
            .append(" at byte ")
            .append(f.offset);
}

}  // namespace lkwebhook::detail

namespace lkwebhook {

LKWEBHOOK_DECL result<void> check_token_header(std::string_view header_b64, diagnosis* why) noexcept {
    // The header LiveKit's servers send, {"alg":"HS256","typ":"JWT"}, byte
    // for byte: the checks below accept it, so it needs no decoding.
    if (header_b64 == detail::livekit_header_segment) return {};
    const std::size_t decoded_size = detail::base64url_decoded_size(header_b64.size());
    if (decoded_size > max_header_json_bytes) {
        diagnose(why)
                .append("the JOSE header decodes to ")
                .append(decoded_size)
                .append(" bytes, over the 1024-byte limit");
        return errc::malformed_token;
    }
    std::array<unsigned char, max_header_json_bytes> buffer;
    const std::ptrdiff_t n = detail::decode_base64url(header_b64, buffer.data(), buffer.size());
    if (n < 0) {
        diagnose(why).append("the header segment is not canonical base64url");
        return errc::malformed_token;
    }
    const std::string_view json(reinterpret_cast<const char*>(buffer.data()), static_cast<std::size_t>(n));
    std::array<detail::json_name_slot, detail::json_max_names(max_header_json_bytes)> names;
    std::optional<detail::json_value> alg;
    bool crit = false;
    bool b64 = false;
    const detail::json_fault fault =
            detail::scan_json_object(json, max_header_depth, names,
                                     [&](const detail::json_value& key, const detail::json_value& value) noexcept {
                                         if (detail::json_string_equals(key.raw, key.escaped, "alg"))
                                             alg = value;
                                         else if (detail::json_string_equals(key.raw, key.escaped, "crit"))
                                             crit = true;
                                         else if (detail::json_string_equals(key.raw, key.escaped, "b64"))
                                             b64 = true;
                                     });
    if (fault) {
        detail::append_json_fault(why, "the JOSE header", fault);
        return errc::malformed_token;
    }
    if (!alg || alg->kind != detail::json_kind::string) {
        diagnose(why).append(alg ? "the JOSE header's alg is not a string" : "the JOSE header has no alg");
        return errc::malformed_token;
    }
    if (!detail::json_string_equals(alg->raw, alg->escaped, "HS256")) {
        diagnose(why).append("alg is not \"HS256\", the only algorithm LiveKit webhooks use");
        return errc::unsupported_algorithm;
    }
    if (crit || b64) {
        diagnose(why).append(crit ? "the JOSE header has a crit member, and no extension is understood"
                                  : "the JOSE header has a b64 member (RFC 7797 is not supported)");
        return errc::malformed_token;
    }
    return {};
}

LKWEBHOOK_DECL result<void> token_claims::parse(std::string_view payload_b64, diagnosis* why) noexcept {
    fields_.clear();
    const std::size_t decoded_size = detail::base64url_decoded_size(payload_b64.size());
    if (decoded_size > max_claims_json_bytes) {
        diagnose(why).append("the claims decode to ").append(decoded_size).append(" bytes, over the 8192-byte limit");
        return errc::malformed_token;
    }
    const std::ptrdiff_t n =
            detail::decode_base64url(payload_b64, reinterpret_cast<unsigned char*>(buffer_.data()), buffer_.size());
    if (n < 0) {
        diagnose(why).append("the payload segment is not canonical base64url");
        return errc::malformed_token;
    }
    const std::string_view json(buffer_.data(), static_cast<std::size_t>(n));
    std::array<detail::json_name_slot, detail::json_max_names(max_claims_json_bytes)> names;
    const detail::json_fault fault = detail::scan_json_object(
            json, max_claims_depth, names,
            [&](const detail::json_value& key, const detail::json_value& value) noexcept { record_claim(key, value); });
    if (fault) {
        fields_.clear();
        detail::append_json_fault(why, "the claims", fault);
        return errc::malformed_token;
    }
    unescape_in_place(fields_.iss);
    unescape_in_place(fields_.sha256);
    return {};
}

LKWEBHOOK_DECL void token_claims::record_claim(const detail::json_value& key,
                                               const detail::json_value& value) noexcept {
    static constexpr std::array<std::string_view, 6> names = {"iss", "exp", "nbf", "iat", "aud", "sha256"};
    std::size_t which = names.size();
    for (std::size_t i = 0; i < names.size(); ++i) {
        // A plain name (no escapes: all LiveKit sends) that differs in length
        // or first letter is passed over inline; this filter was most of the
        // cost of matching a member.
        if (!key.escaped && (key.raw.size() != names[i].size() || key.raw[0] != names[i][0])) continue;
        if (detail::json_string_equals(key.raw, key.escaped, names[i])) {
            which = i;
            break;
        }
    }
    switch (which) {
        case 0: fields_.iss = value; break;
        case 1: fields_.exp = value; break;
        case 2: fields_.nbf = value; break;
        case 3: fields_.iat = value; break;
        case 4: fields_.aud_present = true; break;
        case 5: fields_.sha256 = value; break;
        default: break;  // validated and ignored (E11)
    }
}

LKWEBHOOK_DECL std::optional<std::string_view> token_claims::string_claim(
        const std::optional<detail::json_value>& v) noexcept {
    if (!v || v->kind != detail::json_kind::string) return std::nullopt;
    return v->raw;
}

LKWEBHOOK_DECL void token_claims::unescape_in_place(std::optional<detail::json_value>& v) noexcept {
    if (!v || v->kind != detail::json_kind::string || !v->escaped) return;
    // The raw text lives in buffer_; unescaped output never overtakes it.
    char* at = buffer_.data() + (v->raw.data() - buffer_.data());
    const std::size_t n = detail::json_unescape(v->raw, at, v->raw.size());
    v->raw = std::string_view(at, n);
    v->escaped = false;
}

LKWEBHOOK_DECL result<void> verify_token_signature(const token_segments& token, std::string_view secret,
                                                   diagnosis* why) noexcept {
    detail::digest_bytes received{};
    if (token.signature.size() != signature_chars ||
        detail::decode_base64url(token.signature, received.data(), received.size()) !=
                static_cast<std::ptrdiff_t>(received.size())) {
        diagnose(why).append("the signature segment is not 43 canonical base64url characters");
        return errc::malformed_token;
    }
    return detail::verify_token_mac(token.signing_input, received, secret, why);
}

}  // namespace lkwebhook

namespace lkwebhook::detail {

LKWEBHOOK_DECL bool split_livekit_token(std::string_view value, token_segments& out, digest_bytes& signature) noexcept {
    constexpr std::size_t header_size = livekit_header_segment.size();
    // header "." payload "." signature, with a payload of at least one character.
    if (value.size() < header_size + 1 + 1 + 1 + signature_chars) return false;
    if (value.substr(0, header_size) != livekit_header_segment || value[header_size] != '.') return false;
    const std::size_t signature_start = value.size() - signature_chars;
    if (value[signature_start - 1] != '.') return false;
    // A dot in the payload (a fourth segment, B1) is not looked for here:
    // the claims' decoder refuses it as outside the alphabet, and verify
    // then lets split_token name the fault.
    const std::string_view payload = value.substr(header_size + 1, signature_start - 1 - (header_size + 1));
    // Decoding checks the signature's alphabet (no dot either) and its canonical tail.
    const std::string_view signature_text = value.substr(signature_start);
    if (decode_base64url(signature_text, signature.data(), signature.size()) !=
        static_cast<std::ptrdiff_t>(signature.size()))
        return false;
    out.header = value.substr(0, header_size);
    out.payload = payload;
    out.signature = signature_text;
    out.signing_input = value.substr(0, signature_start - 1);
    out.bearer_prefix_stripped = false;
    return true;
}

LKWEBHOOK_DECL result<void> verify_token_mac(std::string_view signing_input, const digest_bytes& received,
                                             std::string_view secret, diagnosis* why) noexcept {
    digest_bytes expected;  // hmac_sha256() writes all of it, whatever happens
    if (secret.empty() || !hmac_sha256(secret, signing_input, expected)) {
        diagnose(why).append("HMAC-SHA256 computation failed in OpenSSL; request rejected");
        return errc::internal_error;
    }
    const bool equal = equal_constant_time(expected.data(), received.data(), expected.size());
    cleanse(expected.data(), expected.size());
    if (!equal) {
        diagnose(why).append("the HMAC-SHA256 signature does not verify with the configured secret");
        return errc::bad_signature;
    }
    return {};
}

}  // namespace lkwebhook::detail

namespace lkwebhook {

LKWEBHOOK_DECL result<token_times> read_token_times(const token_claims& claims, diagnosis* why) noexcept {
    token_times t{};
    if (!detail::read_token_times_into(claims, t, why)) return errc::malformed_token;
    return t;
}

LKWEBHOOK_DECL bool detail::read_token_times_into(const token_claims& claims, token_times& t, diagnosis* why) noexcept {
    t = token_times{};
    const auto fail = [&](std::string_view text) {
        diagnose(why).append(text);
        return false;
    };
    if (!claims.exp()) return fail("the token has no exp claim; webhook tokens must expire");
    if (!read_numeric_date(*claims.exp(), t.exp)) return fail("exp is not an integer NumericDate in [0, 253402300799]");
    if (claims.nbf()) {
        std::int64_t v = 0;
        if (!read_numeric_date(*claims.nbf(), v)) return fail("nbf is not an integer NumericDate in [0, 253402300799]");
        t.nbf = v;
    }
    if (claims.iat()) {
        std::int64_t v = 0;
        if (!read_numeric_date(*claims.iat(), v)) return fail("iat is not an integer NumericDate in [0, 253402300799]");
        t.iat = v;
    }
    if (claims.has_audience()) return fail("the token has an aud claim; webhook tokens have none");
    if (t.nbf && t.exp <= *t.nbf) return fail("exp is not after nbf, so the token can never be valid");
    return true;
}

LKWEBHOOK_DECL result<void> check_token_window(const token_times& t, std::int64_t now, std::chrono::seconds leeway,
                                               std::optional<std::chrono::seconds> max_lifetime,
                                               diagnosis* why) noexcept {
    const auto in_date_range = [](auto value) { return value >= 0 && value <= max_numeric_date; };
    if (!in_date_range(now)) {
        diagnose(why)
                .append("the clock reads ")
                .append(now)
                .append(" s since 1970, outside [0, 253402300799]; this host's clock (or the injected one) is "
                        "broken");
        return errc::internal_error;
    }
    if (!in_date_range(leeway.count()) || (max_lifetime && !in_date_range(max_lifetime->count()))) {
        diagnose(why).append("the leeway or the maximum token lifetime is outside [0, 253402300799] s");
        return errc::internal_error;
    }
    if (!in_date_range(t.exp) || (t.nbf && !in_date_range(*t.nbf))) {
        diagnose(why).append("exp or nbf is outside [0, 253402300799]");
        return errc::internal_error;
    }
    const std::int64_t l = static_cast<std::int64_t>(leeway.count());
    if (now >= t.exp + l) {
        diagnose(why)
                .append("the token expired ")
                .append(now - t.exp)
                .append(" s ago (leeway ")
                .append(l)
                .append(" s); check clock skew between LiveKit and this host, or slow delivery (retries resend the "
                        "same token)");
        return errc::token_expired;
    }
    if (t.nbf && now < *t.nbf - l) {
        diagnose(why)
                .append("the token is valid only from ")
                .append(*t.nbf - now)
                .append(" s in the future (leeway ")
                .append(l)
                .append(" s); check clock skew: this host's clock may be behind LiveKit's");
        return errc::token_not_yet_valid;
    }
    // A token issued in the future (beyond the leeway) is not yet valid either,
    // with or without nbf. LiveKit's servers set iat = nbf = send time, so a
    // genuine token never trips this; it closes the gap for signers that send
    // iat without nbf.
    if (t.iat && *t.iat > now + l) {
        diagnose(why)
                .append("the token was issued ")
                .append(*t.iat - now)
                .append(" s in the future (leeway ")
                .append(l)
                .append(" s); check clock skew: this host's clock may be behind the sender's");
        return errc::token_not_yet_valid;
    }
    if (max_lifetime) {
        const std::int64_t max = static_cast<std::int64_t>(max_lifetime->count());
        if (t.exp - now > max + l) {
            diagnose(why)
                    .append("the token stays valid ")
                    .append(t.exp - now)
                    .append(" s from now, over the maximum of ")
                    .append(max)
                    .append(" s plus ")
                    .append(l)
                    .append(" s leeway (a participant access token? LiveKit webhook tokens live 300 s)");
            return errc::token_lifetime_too_long;
        }
    }
    return {};
}

}  // namespace lkwebhook

#endif  // LKWEBHOOK_IMPL_TOKEN_IPP
