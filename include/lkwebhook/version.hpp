#ifndef LKWEBHOOK_VERSION_HPP
#define LKWEBHOOK_VERSION_HPP

// Version of the lkwebhook headers. The macros exist for preprocessor checks;
// C++ code should prefer the constexpr values.
#define LKWEBHOOK_VERSION_MAJOR 0
#define LKWEBHOOK_VERSION_MINOR 1
#define LKWEBHOOK_VERSION_PATCH 0
#define LKWEBHOOK_VERSION_STRING "0.1.0"

namespace lkwebhook {

inline constexpr int version_major = LKWEBHOOK_VERSION_MAJOR;
inline constexpr int version_minor = LKWEBHOOK_VERSION_MINOR;
inline constexpr int version_patch = LKWEBHOOK_VERSION_PATCH;
inline constexpr const char* version_string = LKWEBHOOK_VERSION_STRING;

}  // namespace lkwebhook

#endif  // LKWEBHOOK_VERSION_HPP
