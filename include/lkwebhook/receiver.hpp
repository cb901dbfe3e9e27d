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
// Order (tests/threats/catalogue.md#order): lkwebhook::verify() runs steps 1-7 (size
// caps, token syntax, alg, key, MAC, time claims, body hash) and only then
// is the body copied into the receiver's padded buffer and parsed (step 8).
// Nothing unauthenticated reaches simdjson.
//
// A receiver owns one simdjson parser (capacity capped at the body limit),
// one padded buffer and one webhook_event, so once warm a receive()
// allocates nothing. It is not thread-safe: use one per thread (they are
// cheap); copy or move the event out (webhook_event owns its data) to hand
// it to another thread.

#include <functional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

#include "clock.hpp"
#include "config.hpp"
#include "decode.hpp"
#include "error.hpp"
#include "events.hpp"
#include "keys.hpp"
#include "result.hpp"
#include "verify.hpp"

namespace lkwebhook {

/// Options of a receiver: authentication (steps 1-7) and decoding (step 8),
/// composed, not copied: each limit is declared once, in its own struct
/// (the body size limit in verify_options, which also sizes the decoder).
struct receiver_options {
    verify_options verify{};
    decode_options decode{};

    bool operator==(const receiver_options&) const = default;
};

static_assert(verify_options{}.max_body_bytes == default_max_body_bytes);

/// invalid_config when an option of `verify` or `decode` is outside its
/// documented range.
[[nodiscard]] LKWEBHOOK_DECL result<void> validate(const receiver_options& o, diagnosis* why = nullptr) noexcept;

/// What receive() returns: the event (a reference into the receiver, valid
/// until its next receive()) or the error, as a result<T> holds them, plus
/// what authentication established and the diagnosis. API subset of
/// std::expected.
class [[nodiscard]] receive_result {
public:
    [[nodiscard]] bool has_value() const noexcept { return event_.has_value(); }
    [[nodiscard]] explicit operator bool() const noexcept { return has_value(); }
    /// Precondition: has_value().
    [[nodiscard]] const webhook_event& operator*() const noexcept { return event_->get(); }
    [[nodiscard]] const webhook_event* operator->() const noexcept { return &event_->get(); }
    /// The event; throws std::system_error (aborts without exceptions) on error.
    [[nodiscard]] const webhook_event& value() const { return event_.value().get(); }
    /// Empty on success, else one errc of verify() or decode(); never
    /// invalid_config (the options were validated when the receiver was made).
    [[nodiscard]] std::error_code error() const noexcept { return event_.error(); }
    /// The HTTP status to answer with (200 on success).
    [[nodiscard]] int http_status() const noexcept { return lkwebhook::http_status(error()); }
    /// What authentication established (meaningful when authentication
    /// succeeded: on success and on malformed_body).
    [[nodiscard]] const verified_request& request() const noexcept { return request_; }
    /// The reason of a failure (library text only; <= 256 bytes); empty on
    /// success. A view into the receiver: valid until its next receive().
    [[nodiscard]] std::string_view why() const noexcept { return why_ != nullptr ? why_->view() : std::string_view{}; }

private:
    template <KeyProvider, Clock>
    friend class receiver;

    using event_result = result<std::reference_wrapper<const webhook_event>>;

    receive_result(event_result event, const verified_request& request, const diagnosis* why) noexcept
        : event_(event), request_(request), why_(why) {}

    event_result event_;
    verified_request request_;
    const diagnosis* why_;
};

/// Authenticates and decodes LiveKit webhooks with one set of keys.
///
/// Its options are validated once, when it is made, so that receive() never
/// answers invalid_config (a configuration error, not a request outcome): make() returns
/// invalid_config, the constructor throws std::system_error with it (and
/// aborts in builds without exceptions).
template <KeyProvider Keys, Clock C = system_clock_source>
class receiver {
public:
    /// A receiver, or invalid_config (with the reason in `why`) when an
    /// option is outside its documented range.
    [[nodiscard]] static result<receiver> make(Keys keys, const receiver_options& options = {}, C clock = {},
                                               diagnosis* why = nullptr) {
        if (auto valid = validate(options, why); !valid) return valid.error();
        return receiver{validated{}, std::move(keys), options, std::move(clock)};
    }

    /// Throws std::system_error(invalid_config) when an option is outside
    /// its documented range; use make() to get a result instead.
    explicit receiver(Keys keys, const receiver_options& options = {}, C clock = {})
        : receiver(validated{}, std::move(keys), checked(options), std::move(clock)) {}

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
        if (!verified) return {verified.error(), verified_request{}, &why_};
        if (auto decoded = decode(body, event_, context_, &why_); !decoded) return {decoded.error(), *verified, &why_};
        return {std::cref(event_), *verified, &why_};
    }

    /// The reason of the last failure (empty after a success).
    [[nodiscard]] const diagnosis& last_diagnosis() const noexcept { return why_; }
    /// The last successfully decoded event (unspecified after a failure).
    [[nodiscard]] const webhook_event& last_event() const noexcept { return event_; }
    [[nodiscard]] const Keys& keys() const noexcept { return keys_; }
    [[nodiscard]] const receiver_options& options() const noexcept { return options_; }

private:
    struct validated {};
    receiver(validated, Keys keys, const receiver_options& options, C clock)
        : keys_(std::move(keys)),
          clock_(std::move(clock)),
          options_(options),
          context_(options.decode, options.verify.max_body_bytes) {
        context_.reserve();  // now, not inside the first receive() (a failure is retried there)
    }

    static const receiver_options& checked(const receiver_options& options) {
        diagnosis why;
        if (!validate(options, &why)) {
            detail::throw_or_abort(std::system_error(make_error_code(errc::invalid_config), std::string(why.view())));
        }
        return options;
    }

    Keys keys_;
    C clock_;
    receiver_options options_;
    decode_context context_;
    webhook_event event_;
    diagnosis why_;
};

}  // namespace lkwebhook

#if LKWEBHOOK_HEADER_ONLY
#include "impl/receiver.ipp"
#endif

#endif  // LKWEBHOOK_RECEIVER_HPP
