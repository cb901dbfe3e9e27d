#ifndef LKWEBHOOK_TESTS_FUZZ_FUZZ_SUPPORT_HPP
#define LKWEBHOOK_TESTS_FUZZ_FUZZ_SUPPORT_HPP

// Shared by the fuzz targets: an invariant check that aborts (libFuzzer and the
// replay main both treat an abort as a failure) and a splitter for inputs that
// carry several fields.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace fuzz {

[[noreturn]] inline void invariant_failed(const char* what, const char* file, int line) {
    std::fprintf(stderr, "%s:%d: fuzz invariant failed: %s\n", file, line, what);
    std::abort();
}

// Splits the input at the first occurrence of `separator` (a byte sequence
// unlikely in tokens), e.g. "authorization\n--\nbody". No separator: all of it
// is `second`, `first` is empty.
struct two_parts {
    std::string_view first;
    std::string_view second;
};
inline two_parts split_input(std::string_view input, std::string_view separator) {
    const std::size_t at = input.find(separator);
    if (at == std::string_view::npos) return {{}, input};
    return {input.substr(0, at), input.substr(at + separator.size())};
}

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
    return size == 0 ? std::string_view{} : std::string_view(reinterpret_cast<const char*>(data), size);
}

}  // namespace fuzz

#define LKWEBHOOK_FUZZ_CHECK(condition) \
    ((condition) ? static_cast<void>(0) : ::fuzz::invariant_failed(#condition, __FILE__, __LINE__))

#endif
