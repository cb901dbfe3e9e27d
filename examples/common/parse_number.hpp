// A whole command-line argument as a number, for the example servers and the `lkwebhook` CLI.

#ifndef LKWEBHOOK_EXAMPLES_COMMON_PARSE_NUMBER_HPP
#define LKWEBHOOK_EXAMPLES_COMMON_PARSE_NUMBER_HPP

#include <charconv>
#include <string_view>
#include <system_error>

namespace examples {

// The whole of `text` as an integer of type T: no sign where T has none, no '+', no leading
// or trailing space or other characters, nothing out of T's range.
template <class T>
bool parse_number(std::string_view text, T& out) {
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
    return error == std::errc{} && end == text.data() + text.size();
}

}  // namespace examples

#endif  // LKWEBHOOK_EXAMPLES_COMMON_PARSE_NUMBER_HPP
