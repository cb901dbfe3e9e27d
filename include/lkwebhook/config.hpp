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

// Header-only is the default: every function is defined in the headers
// (LKWEBHOOK_DECL = inline). A program with many translation units may
// instead define LKWEBHOOK_SEPARATE_COMPILATION for all of them and include
// <lkwebhook/src.hpp> in exactly one (as Boost.Beast's
// BOOST_BEAST_SEPARATE_COMPILATION does): the heavy implementation files
// (impl/*.ipp, among them everything that needs simdjson) are then compiled
// once, there, and the others parse declarations only. Templates (the
// dispatchers, decode<Message>) stay in the headers in both modes.
#if defined(LKWEBHOOK_SEPARATE_COMPILATION)
#define LKWEBHOOK_HEADER_ONLY 0
#define LKWEBHOOK_DECL
#else
#define LKWEBHOOK_HEADER_ONLY 1
#define LKWEBHOOK_DECL inline
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

/// The one place that keeps state consistent across an exception it does not
/// handle: runs `f` and returns its result; when `f` throws, runs `undo()` and
/// rethrows (a container that failed to grow, a slot reserved for it).
template <class F, class Undo>
auto undo_on_exception(F&& f, Undo&& undo) -> decltype(f()) {
#if LKWEBHOOK_EXCEPTIONS
    try {
        return f();
    } catch (...) {
        undo();
        throw;
    }
#else
    (void)undo;
    return f();
#endif
}

}  // namespace lkwebhook::detail

#endif  // LKWEBHOOK_CONFIG_HPP
