#ifndef LKWEBHOOK_CONFIG_HPP
#define LKWEBHOOK_CONFIG_HPP

// Feature detection shared by every header, and the one place that decides
// between throwing and aborting (detail::throw_or_abort). Only
// LKWEBHOOK_-prefixed macros are defined here, and nothing else leaks from
// the library.

#include <cstdlib>

#if defined(__cpp_exceptions) || defined(__EXCEPTIONS)
#define LKWEBHOOK_EXCEPTIONS 1
#else
#define LKWEBHOOK_EXCEPTIONS 0
#endif

// Marks a parameter whose referent must outlive the returned view, so clang
// warns when a view into a temporary escapes (as ada and simdjson do).
#if defined(__clang__) && defined(__has_cpp_attribute)
#if __has_cpp_attribute(clang::lifetimebound)
#define LKWEBHOOK_LIFETIMEBOUND [[clang::lifetimebound]]
#endif
#endif
#ifndef LKWEBHOOK_LIFETIMEBOUND
#define LKWEBHOOK_LIFETIMEBOUND
#endif

namespace lkwebhook::detail {

/// The library's one answer to a broken precondition or an unusable
/// configuration in a constructor: throw `error` when exceptions are enabled,
/// else abort (there is no other way to refuse).
template <class Exception>
[[noreturn]] void throw_or_abort(Exception&& error) {
#if LKWEBHOOK_EXCEPTIONS
    throw static_cast<Exception&&>(error);
#else
    (void)error;
    std::abort();
#endif
}

/// The one place that fails closed on an exception: runs `f` and returns its
/// result; when exceptions are enabled and `f` throws (a correlator, or
/// std::bad_alloc), returns `on_throw()` instead, so noexcept entry points
/// answer an error rather than terminate.
template <class F, class OnThrow>
auto fail_closed(F&& f, OnThrow&& on_throw) noexcept -> decltype(f()) {
#if LKWEBHOOK_EXCEPTIONS
    try {
        return f();
    } catch (...) {
        return on_throw();
    }
#else
    (void)on_throw;
    return f();
#endif
}

}  // namespace lkwebhook::detail

#endif  // LKWEBHOOK_CONFIG_HPP
