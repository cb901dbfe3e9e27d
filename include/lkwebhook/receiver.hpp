#ifndef LKWEBHOOK_RECEIVER_HPP
#define LKWEBHOOK_RECEIVER_HPP

// The facade: authenticate a LiveKit webhook request, then decode its body
// into a typed event, reusing every buffer.
//
//   auto keys = lkwebhook::static_key::make("APIkey", "secret").value();
//   lkwebhook::receiver rx{std::move(keys)};
//   auto r = rx.receive(body, authorization_header_value);
//   if (!r) return reply(lkwebhook::http_status(r.error()));   // r.why() for logs
//   handle(*r);   // const webhook_event&, valid until the next receive()
//
// Order (threat model section 2): lkwebhook::verify() runs steps 1-7 (size
// caps, token syntax, alg, key, MAC, time claims, body hash) and only then
// is the body copied into the receiver's padded buffer and parsed (step 8).
// Nothing unauthenticated reaches simdjson.
//
// A receiver owns one simdjson parser (capacity capped at the body limit),
// one padded buffer and one webhook_event, so once warm a receive()
// allocates nothing. It is not thread-safe: use one per thread (they are
// cheap); copy or move the event out (webhook_event owns its data) to hand
// it to another thread.

#include <string_view>
#include <system_error>
#include <utility>

#include "clock.hpp"
#include "decode.hpp"
#include "error.hpp"
#include "events.hpp"
#include "keys.hpp"
#include "verify.hpp"

namespace lkwebhook {

/// Options of a receiver: authentication (verify_options) plus decoding policy.
struct receiver_options {
    verify_options verify{};
    /// Reject events without an `id` as malformed_body (G14). Off by default,
    /// as LiveKit's own receivers accept them; turn it on when deduplicating.
    bool require_event_id = false;
    /// Longest accepted event id, in bytes (G15).
    std::size_t max_event_id_bytes = 128;
    /// Deepest accepted JSON nesting (G6).
    std::size_t max_depth = 64;
    /// Memory bound of a decoded event: memory_factor x body + memory_base
    /// bytes (G23; see decode_options). memory_factor 0 disables it.
    std::size_t memory_factor = 16;
    std::size_t memory_base = 64 * 1024;
};

/// What receive() returns: the event (a reference into the receiver, valid
/// until its next receive()) or the error. API subset of std::expected.
class [[nodiscard]] receive_result {
public:
    [[nodiscard]] bool has_value() const noexcept { return !error_; }
    [[nodiscard]] explicit operator bool() const noexcept { return has_value(); }
    /// Precondition: has_value().
    [[nodiscard]] const webhook_event& operator*() const noexcept { return *event_; }
    [[nodiscard]] const webhook_event* operator->() const noexcept { return event_; }
    /// The event; throws std::system_error (aborts without exceptions) on error.
    [[nodiscard]] const webhook_event& value() const {
        if (error_) {
#if LKWEBHOOK_EXCEPTIONS
            throw std::system_error(error_);
#else
            std::abort();
#endif
        }
        return *event_;
    }
    /// Empty on success, else one errc of verify() or decode().
    [[nodiscard]] std::error_code error() const noexcept { return error_; }
    /// The HTTP status to answer with (200 on success).
    [[nodiscard]] int http_status() const noexcept { return lkwebhook::http_status(error_); }
    /// What authentication established (meaningful when authentication
    /// succeeded: on success and on malformed_body).
    [[nodiscard]] const verified_request& request() const noexcept { return request_; }
    /// The reason of a failure (library text only; <= 256 bytes); empty on
    /// success. A view into the receiver: valid until its next receive().
    [[nodiscard]] std::string_view why() const noexcept { return why_ != nullptr ? why_->view() : std::string_view{}; }

private:
    template <KeyProvider, Clock>
    friend class receiver;

    receive_result(const webhook_event* event, std::error_code error, const verified_request& request,
                   const diagnosis* why) noexcept
        : event_(event), error_(error), request_(request), why_(why) {}

    const webhook_event* event_;
    std::error_code error_;
    verified_request request_;
    const diagnosis* why_;
};

/// Authenticates and decodes LiveKit webhooks with one set of keys.
template <KeyProvider Keys, Clock C = system_clock_source>
class receiver {
public:
    explicit receiver(Keys keys, const receiver_options& options = {}, C clock = {})
        : keys_(std::move(keys)), clock_(std::move(clock)), options_(options), context_(decode_options_of(options)) {}

    receiver(const receiver&) = delete;
    receiver& operator=(const receiver&) = delete;
    receiver(receiver&&) noexcept = default;
    receiver& operator=(receiver&&) noexcept = default;
    ~receiver() = default;

    /// Verifies `authorization` (the Authorization header value; empty when
    /// absent) against `body` (the raw bytes as received), then decodes the
    /// body. The event reference of the result is valid until the next
    /// receive() on this receiver. Never throws.
    receive_result receive(std::string_view body, std::string_view authorization) noexcept {
        why_.clear();
        auto verified = verify(body, authorization, keys_, options_.verify, clock_, &why_);
        if (!verified) return {nullptr, verified.error(), verified_request{}, &why_};
        if (auto decoded = decode(body, event_, context_, &why_); !decoded) {
            return {nullptr, decoded.error(), *verified, &why_};
        }
        return {&event_, std::error_code{}, *verified, &why_};
    }

    /// The reason of the last failure (empty after a success).
    [[nodiscard]] const diagnosis& last_diagnosis() const noexcept { return why_; }
    /// The last successfully decoded event (unspecified after a failure).
    [[nodiscard]] const webhook_event& last_event() const noexcept { return event_; }
    [[nodiscard]] const Keys& keys() const noexcept { return keys_; }
    [[nodiscard]] const receiver_options& options() const noexcept { return options_; }

private:
    static decode_options decode_options_of(const receiver_options& options) noexcept {
        decode_options d;
        d.max_body_bytes = options.verify.max_body_bytes;
        d.max_depth = options.max_depth;
        d.max_event_id_bytes = options.max_event_id_bytes;
        d.require_event_id = options.require_event_id;
        d.memory_factor = options.memory_factor;
        d.memory_base = options.memory_base;
        return d;
    }

    Keys keys_;
    C clock_;
    receiver_options options_;
    decode_context context_;
    webhook_event event_;
    diagnosis why_;
};

}  // namespace lkwebhook

#endif  // LKWEBHOOK_RECEIVER_HPP
