#ifndef LKWEBHOOK_RESULT_HPP
#define LKWEBHOOK_RESULT_HPP

// result<T>: a T or a std::error_code. Its API is a subset of std::expected
// (C++23) so that a later switch is mechanical: has_value, operator bool,
// operator*, operator->, value, error. value() throws std::system_error only
// when exceptions are enabled; without them it aborts on misuse
// (detail::throw_or_abort).

#include <system_error>
#include <type_traits>
#include <utility>
#include <variant>

#include "config.hpp"
#include "error.hpp"

namespace lkwebhook {

template <class T>
class [[nodiscard]] result {
    static_assert(!std::is_reference_v<T>, "result<T&> is not supported; use a pointer or reference_wrapper");
    static_assert(!std::is_same_v<std::remove_cv_t<T>, std::error_code>, "result<error_code> is ambiguous");

public:
    using value_type = T;
    using error_type = std::error_code;

    result() = default;  // a value-initialised T

    // Implicit from a value or an error, like std::expected with unexpected.
    result(const T& value) : storage_(std::in_place_index<0>, value) {}
    result(T&& value) noexcept(std::is_nothrow_move_constructible_v<T>)
        : storage_(std::in_place_index<0>, std::move(value)) {}
    result(std::error_code error) noexcept : storage_(std::in_place_index<1>, error) {}
    result(errc error) noexcept : storage_(std::in_place_index<1>, make_error_code(error)) {}

    template <class... Args>
    explicit result(std::in_place_t, Args&&... args) : storage_(std::in_place_index<0>, std::forward<Args>(args)...) {}

    [[nodiscard]] bool has_value() const noexcept { return storage_.index() == 0; }
    [[nodiscard]] explicit operator bool() const noexcept { return has_value(); }

    [[nodiscard]] T& operator*() & noexcept { return *std::get_if<0>(&storage_); }
    [[nodiscard]] const T& operator*() const& noexcept { return *std::get_if<0>(&storage_); }
    [[nodiscard]] T&& operator*() && noexcept { return std::move(*std::get_if<0>(&storage_)); }
    [[nodiscard]] T* operator->() noexcept { return std::get_if<0>(&storage_); }
    [[nodiscard]] const T* operator->() const noexcept { return std::get_if<0>(&storage_); }

    [[nodiscard]] T& value() & {
        check();
        return **this;
    }
    [[nodiscard]] const T& value() const& {
        check();
        return **this;
    }
    [[nodiscard]] T&& value() && {
        check();
        return std::move(**this);
    }

    /// The error; an empty error_code when the result holds a value.
    [[nodiscard]] std::error_code error() const noexcept {
        const auto* e = std::get_if<1>(&storage_);
        return e != nullptr ? *e : std::error_code{};
    }

private:
    void check() const {
        if (!has_value()) detail::throw_or_abort(std::system_error(error()));
    }

    std::variant<T, std::error_code> storage_;
};

/// result<void>: success or an error.
template <>
class [[nodiscard]] result<void> {
public:
    using value_type = void;
    using error_type = std::error_code;

    result() noexcept = default;
    result(std::error_code error) noexcept : error_(error) {}
    result(errc error) noexcept : error_(make_error_code(error)) {}

    [[nodiscard]] bool has_value() const noexcept { return !error_; }
    [[nodiscard]] explicit operator bool() const noexcept { return has_value(); }
    void value() const {
        if (!has_value()) detail::throw_or_abort(std::system_error(error_));
    }
    [[nodiscard]] std::error_code error() const noexcept { return error_; }

private:
    std::error_code error_;
};

}  // namespace lkwebhook

#endif  // LKWEBHOOK_RESULT_HPP
