#ifndef LKWEBHOOK_IMPL_ERROR_IPP
#define LKWEBHOOK_IMPL_ERROR_IPP

// The error codes' implementation (error.hpp is their interface).
// Included by error.hpp in the default header-only mode, by <lkwebhook/src.hpp>
// only with LKWEBHOOK_SEPARATE_COMPILATION (config.hpp).

#include <array>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>

#include "../config.hpp"
#include "../error.hpp"

namespace lkwebhook::detail {

LKWEBHOOK_DECL std::string error_category_impl::message(int value) const {
    return std::string{describe(static_cast<errc>(value))};
}

LKWEBHOOK_DECL std::string condition_category_impl::message(int value) const {
    return std::string{to_string(static_cast<condition>(value))};
}

}  // namespace lkwebhook::detail

namespace lkwebhook {

LKWEBHOOK_DECL const std::error_category& error_category() noexcept {
    static const detail::error_category_impl instance;
    return instance;
}

LKWEBHOOK_DECL const std::error_category& condition_category() noexcept {
    static const detail::condition_category_impl instance;
    return instance;
}

LKWEBHOOK_DECL std::error_code make_error_code(errc code) noexcept {
    return {static_cast<int>(code), error_category()};
}

LKWEBHOOK_DECL std::error_condition make_error_condition(condition c) noexcept {
    return {static_cast<int>(c), condition_category()};
}

}  // namespace lkwebhook

namespace lkwebhook::detail {

LKWEBHOOK_DECL std::error_condition error_category_impl::default_error_condition(int value) const noexcept {
    const int c = condition_of(static_cast<errc>(value));
    if (c == 0) return {value, *this};
    return make_error_condition(static_cast<condition>(c));
}

LKWEBHOOK_DECL bool condition_category_impl::equivalent(const std::error_code& code, int value) const noexcept {
    return code.category() == lkwebhook::error_category() && condition_of(static_cast<errc>(code.value())) == value;
}

}  // namespace lkwebhook::detail

namespace lkwebhook {

LKWEBHOOK_DECL std::string_view to_string(const std::error_code& code) noexcept {
    if (!code) return "ok";
    if (code.category() == error_category()) return to_string(static_cast<errc>(code.value()));
    return "foreign_error";
}

LKWEBHOOK_DECL int http_status(const std::error_code& code) noexcept {
    if (!code) return 200;
    if (code.category() == error_category()) return http_status(static_cast<errc>(code.value()));
    return 500;
}

LKWEBHOOK_DECL diagnosis& diagnosis::append(std::string_view text) noexcept {
    for (char c : text) put(c);
    return *this;
}

LKWEBHOOK_DECL diagnosis& diagnosis::append_escaped(std::string_view text) noexcept {
    constexpr std::size_t max_input = 64;
    put('"');
    const std::size_t n = text.size() < max_input ? text.size() : max_input;
    for (std::size_t i = 0; i < n; ++i) {
        const auto byte = static_cast<unsigned char>(text[i]);
        if (byte >= 0x20 && byte < 0x7f && byte != '"' && byte != '\\') {
            put(static_cast<char>(byte));
        } else {
            const auto digits = detail::hex_byte(byte);
            put('\\');
            put('x');
            put(digits[0]);
            put(digits[1]);
        }
    }
    put('"');
    if (text.size() > max_input) append("...");
    return *this;
}

LKWEBHOOK_DECL void diagnosis::put(char c) noexcept {
    if (size_ < capacity) {
        buffer_[size_++] = c;
    } else {
        buffer_[capacity - 3] = '.';
        buffer_[capacity - 2] = '.';
        buffer_[capacity - 1] = '.';
    }
}

LKWEBHOOK_DECL diagnosis_writer& diagnosis_writer::append_escaped(std::string_view text) noexcept {
    if (why_ != nullptr) why_->append_escaped(text);
    return *this;
}

LKWEBHOOK_DECL void diagnosis_writer::clear() noexcept {
    if (why_ != nullptr) why_->clear();
}

}  // namespace lkwebhook

#endif  // LKWEBHOOK_IMPL_ERROR_IPP
