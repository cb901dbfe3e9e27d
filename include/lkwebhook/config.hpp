#ifndef LKWEBHOOK_CONFIG_HPP
#define LKWEBHOOK_CONFIG_HPP

// Feature detection shared by every header. Only LKWEBHOOK_-prefixed macros
// are defined here, and nothing else leaks from the library.

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

#endif  // LKWEBHOOK_CONFIG_HPP
