#ifndef LKWEBHOOK_DECODE_HPP
#define LKWEBHOOK_DECODE_HPP

// Protobuf-JSON -> typed events (events.hpp), with simdjson's DOM parser.
//
// Call this only on an authenticated body (receiver.hpp does both steps in
// the right order): it implements step 8 of tests/threats/catalogue.md#order
// and the rules of its group G.
//
// The whole body is parsed and validated first (syntax, UTF-8, escapes,
// numbers, anywhere, unknown members included), then the parse's tape is
// walked once, order-independent: each key is matched against the message's
// descriptor (lowerCamelCase or proto name, after unescaping), and values the
// descriptor does not know are stepped over (impl/decode.ipp). Accepted:
// 64-bit integers as strings or numbers, 32-bit integers as numbers or
// strings, enums as names or numbers (unknown names leave the field unset,
// unknown numbers are kept), null as "not set", float/double as numbers or
// "NaN"/"Infinity"/"-Infinity". Rejected with errc::malformed_body (and a
// diagnosis naming the field path, library text only): a byte order mark,
// invalid UTF-8 or JSON, a top level that is not an object, trailing
// content, nesting deeper than 64, a known field twice (counting both
// spellings), a duplicate map key, a null map value or array element, wrong
// JSON types, integers with a fraction, exponent, leading zero, '+', spaces
// or out of range, two members of one oneof, and an event id over 128 bytes
// or with control characters.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>

#include "config.hpp"
#include "detail/message_info_fwd.hpp"
#include "detail/text.hpp"
#include "error.hpp"
#include "events.hpp"
#include "result.hpp"

namespace lkwebhook {

/// Limits and policy of the decoder (defaults: catalogue I4).
///
/// The body size limit is not among them: it is declared once, in
/// verify_options::max_body_bytes (the first gate, before anything is
/// read), and a decode_context is built with it as its capacity. The
/// composed options (receiver_options, dispatch_options) hold a
/// decode_options whole, so a limit added here reaches every decoder and
/// every comparison (the defaulted operator==) without further edits.
struct decode_options {
    std::size_t max_depth = 64;            ///< nesting of objects and arrays (top level = 1), in [1, 1024]
    std::size_t max_event_id_bytes = 128;  ///< WebhookEvent.id (G15), in [1, 65536]
    /// Reject events without an `id` (missing or empty) as malformed_body
    /// (G14) instead of handling them undeduplicated. Off by default, as
    /// LiveKit's own receivers accept them; turn it on when deduplicating.
    bool require_event_id = false;
    /// Memory bound of the decoded event (G23): at most
    /// memory_factor x body size + memory_base bytes of strings, list
    /// elements and sub-messages, so a 1 MiB body decodes into at most
    /// 16 MiB. Without it a 3-byte `{}` list element becomes a 350-byte
    /// track_info (x120). A 2x bound was the first target; that cannot hold
    /// for std::string-based structs (an 8-byte `"a":"b",` map entry is a
    /// 64-byte pair of strings), hence 16. 0 disables the check.
    std::size_t memory_factor = 16;       ///< in [0, 1024]
    std::size_t memory_base = 64 * 1024;  ///< in [0, 1 GiB]

    bool operator==(const decode_options&) const = default;
};

/// Largest accepted decode_options::max_depth (each level is a stack frame of
/// a few hundred bytes).
inline constexpr std::size_t max_decode_depth = 1024;
/// Largest accepted decode_options::max_event_id_bytes.
inline constexpr std::size_t max_event_id_limit = 64 * 1024;

/// invalid_config when an option is outside its documented range. Called
/// where the options are given: receiver::make and its constructor,
/// verify_and_dispatch, async_dispatcher's constructor.
[[nodiscard]] inline result<void> validate(const decode_options& o, diagnosis* why = nullptr) noexcept {
    const auto fail = [&](std::string_view text) {
        diagnose(why).append(text);
        return result<void>{errc::invalid_config};
    };
    if (o.max_depth == 0 || o.max_depth > max_decode_depth)
        return fail("decode_options::max_depth must be within [1, 1024]");
    if (o.max_event_id_bytes == 0 || o.max_event_id_bytes > max_event_id_limit)
        return fail("decode_options::max_event_id_bytes must be within [1, 65536]");
    if (o.memory_factor > 1024) return fail("decode_options::memory_factor must be within [0, 1024]");
    if (o.memory_base > std::size_t{1} << 30) return fail("decode_options::memory_base must be at most 1 GiB");
    return {};
}

/// The body limit of a decode_context built without one: the default of
/// verify_options::max_body_bytes.
inline constexpr std::size_t default_max_body_bytes = 1024 * 1024;

class decode_context;

namespace detail {
struct decode_state;  // impl/decode.ipp
struct decode_state_deleter {
    LKWEBHOOK_DECL void operator()(decode_state* state) const noexcept;
};
/// Decodes into `message`, described by `info` (the type-erased decoder).
LKWEBHOOK_DECL std::error_code decode_into(std::string_view json, const message_info& info, void* message,
                                           decode_context& context, diagnosis* why) noexcept;
/// Event-level rules that are not about JSON shape (G14, G15).
LKWEBHOOK_DECL std::error_code check_event_id(const webhook_event& event, const decode_options& options,
                                              diagnosis* why) noexcept;
}  // namespace detail

/// The reusable state of decoding: one simdjson parser (capacity capped at
/// `max_body_bytes`: a longer body is body_too_large before parsing), one
/// padded copy buffer, scratch space. Once it has seen the largest body,
/// decoding allocates nothing here. Not thread-safe: use one per thread.
/// Cheap to keep around; expensive-ish to create per call.
class decode_context {
public:
    /// Allocates the context's state (a few hundred bytes; its buffers come
    /// with reserve() or the first body). Never throws: when memory runs out
    /// here, reserve() and decode try again.
    LKWEBHOOK_DECL explicit decode_context(const decode_options& options = {},
                                           std::size_t max_body_bytes = default_max_body_bytes) noexcept;
    decode_context(const decode_context&) = delete;
    decode_context& operator=(const decode_context&) = delete;
    decode_context(decode_context&&) noexcept = default;
    decode_context& operator=(decode_context&&) noexcept = default;
    ~decode_context() = default;

    [[nodiscard]] const decode_options& options() const noexcept { return options_; }

    /// Allocates now everything decoding a body of up to the capacity needs
    /// (the parser's buffers, the padded copy), so that no decode allocates
    /// them later, on a request; receivers and the per-thread dispatch
    /// decoders call it when built. Returns false when memory ran out (decode
    /// then tries again, and answers internal_error if that fails too).
    /// Costs address space only until bodies use it (the buffers are not
    /// initialised).
    LKWEBHOOK_DECL bool reserve() noexcept;
    /// The longest body this context decodes.
    [[nodiscard]] std::size_t max_body_bytes() const noexcept { return max_body_bytes_; }

private:
    friend std::error_code detail::decode_into(std::string_view json, const detail::message_info& info, void* message,
                                               decode_context& context, diagnosis* why) noexcept;

    /// The state, made again if it is missing; null when memory ran out.
    LKWEBHOOK_DECL detail::decode_state* state() noexcept;

    decode_options options_;
    std::size_t max_body_bytes_;
    // Behind a pointer, so that this header does not need simdjson (the
    // separately compiled mode keeps it out of every translation unit but one).
    std::unique_ptr<detail::decode_state, detail::decode_state_deleter> state_;
};

/// Decodes `json` (an authenticated body) into `into`, reusing its storage.
/// On success `into` holds exactly the event; on failure it holds an
/// unspecified but valid value and the error is malformed_body
/// (body_too_large past the limit, internal_error on allocation failure),
/// with the reason in `why` (field path + problem; no body bytes).
/// For webhook_event the id rules of decode_options also apply.
template <proto_message Message>
[[nodiscard]] inline result<void> decode(std::string_view json, Message& into, decode_context& context,
                                         diagnosis* why = nullptr) noexcept {
    diagnose(why).clear();
    if (auto error = detail::decode_into(json, *detail::info_of<Message>(), &into, context, why)) return error;
    if constexpr (std::is_same_v<Message, webhook_event>) {
        if (auto error = detail::check_event_id(into, context.options(), why)) return error;
    }
    return {};
}

/// One-shot convenience: decodes into a new webhook_event with a temporary
/// context (allocates; prefer a reused decode_context or a receiver).
[[nodiscard]] LKWEBHOOK_DECL result<webhook_event> decode(std::string_view json, diagnosis* why = nullptr);

}  // namespace lkwebhook

#if LKWEBHOOK_HEADER_ONLY
#include "impl/decode.ipp"
#endif

#endif  // LKWEBHOOK_DECODE_HPP
