#ifndef LKWEBHOOK_IMPL_OUTCOME_IPP
#define LKWEBHOOK_IMPL_OUTCOME_IPP

// The outcome's implementation (outcome.hpp is its interface).
// Included by outcome.hpp in the default header-only mode, by <lkwebhook/src.hpp>
// only with LKWEBHOOK_SEPARATE_COMPILATION (config.hpp).

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include "../config.hpp"
#include "../outcome.hpp"

namespace lkwebhook {

LKWEBHOOK_DECL outcome outcome::failure(errc code) noexcept {
    outcome o;
    o.error = make_error_code(code);
    o.status = http_status(code);
    if (o.status == 503) o.retry_after = std::chrono::seconds{1};
    return o;
}

LKWEBHOOK_DECL std::string to_string(const outcome& o) {
    diagnosis id;
    id.append_escaped(o.event_id());
    std::string s;
    s.reserve(160 + o.why.view().size());
    s += "outcome=";
    s += o.name();
    s += " status=";
    s += std::to_string(o.status);
    s += " type=";
    s += to_string(o.type);
    s += " id=";
    s += id.view();
    s += " duplicate=";
    s += o.duplicate ? '1' : '0';
    s += " delivery=";
    s += to_string(o.delivery);
    if (o.delivery != lkwebhook::delivery::none && o.delivery != lkwebhook::delivery::queued) {
        s += " session_found=";
        s += o.session_found ? '1' : '0';
    }
    if (o.retry_after) {
        s += " retry_after=";
        s += std::to_string(o.retry_after->count());
    }
    if (!o.why.empty()) {
        s += " why=";
        detail::append_logfmt_quoted(s, o.why.view());
    }
    return s;
}

}  // namespace lkwebhook

#endif  // LKWEBHOOK_IMPL_OUTCOME_IPP
