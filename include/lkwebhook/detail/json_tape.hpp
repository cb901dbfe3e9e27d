#ifndef LKWEBHOOK_DETAIL_JSON_TAPE_HPP
#define LKWEBHOOK_DETAIL_JSON_TAPE_HPP

// Read access to the tape a simdjson DOM parse leaves in its document (the
// decoder's input, impl/decode.ipp). Why the raw words and not dom::element:
// the decoder needs a container's extent (to bound the depth of a value it
// does not keep without walking it) and reads each word once; the element
// API hides the one and repeats the other.
//
// The layout (the same in simdjson 3.0.1 and 3.12): one 64-bit word per
// value, its type tag in the top byte. Word 0 is the root; the document's
// value starts at word 1.
//  - '{' / '[': the low 32 bits are the index of the word after the
//    matching '}' / ']'; the members (key string, value) or elements lie in
//    between, so an empty container is two words.
//  - '"': the low 56 bits are an offset into the string buffer, which holds
//    the unescaped bytes there after a 32-bit length.
//  - 'l' / 'u' / 'd': an int64, uint64 or double in the next word.
//  - 't', 'f', 'n': true, false, null (one word).

#include <simdjson.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace lkwebhook::detail {

enum class tape_tag : std::uint8_t {
    object = '{',
    array = '[',
    string = '"',
    int64 = 'l',
    uint64 = 'u',
    float64 = 'd',
    true_value = 't',
    false_value = 'f',
    null = 'n',
};

/// A parsed document's tape and string buffer (valid until the next parse).
class json_tape {
public:
    json_tape() noexcept = default;
    explicit json_tape(const simdjson::dom::document& document) noexcept
        : words_(document.tape.get()), strings_(document.string_buf.get()) {}

    /// Index of the document's top-level value.
    static constexpr std::size_t root = 1;

    [[nodiscard]] tape_tag tag(std::size_t at) const noexcept { return static_cast<tape_tag>(words_[at] >> 56); }

    /// The index after the value at `at` (its end, for a container): one
    /// table load instead of a switch over the tags (the decoder asks once
    /// per member and list element).
    [[nodiscard]] std::size_t after(std::size_t at) const noexcept {
        const std::uint64_t word = words_[at];
        const std::uint8_t width = widths[word >> 56];
        return width != 0 ? at + width : static_cast<std::uint32_t>(word);
    }

    /// For a container at `at`: the index of its closing word.
    [[nodiscard]] std::size_t closing(std::size_t at) const noexcept {
        return static_cast<std::uint32_t>(words_[at]) - std::size_t{1};
    }

    [[nodiscard]] std::string_view string(std::size_t at) const noexcept {
        const std::uint8_t* entry = strings_ + (words_[at] & payload_mask);
        std::uint32_t size = 0;
        std::memcpy(&size, entry, sizeof size);
        return {reinterpret_cast<const char*>(entry + sizeof size), size};
    }

    [[nodiscard]] std::int64_t int64(std::size_t at) const noexcept { return next_as<std::int64_t>(at); }
    [[nodiscard]] std::uint64_t uint64(std::size_t at) const noexcept { return next_as<std::uint64_t>(at); }
    [[nodiscard]] double float64(std::size_t at) const noexcept { return next_as<double>(at); }

private:
    static constexpr std::uint64_t payload_mask = (std::uint64_t{1} << 56) - 1;

    /// Tape words a value takes, by tag: 2 for a number (its value is the
    /// next word), 0 for a container (its word says where it ends), 1 else.
    static constexpr std::array<std::uint8_t, 256> widths = [] {
        std::array<std::uint8_t, 256> table{};
        for (std::uint8_t& width : table) width = 1;
        table[static_cast<std::uint8_t>(tape_tag::object)] = 0;
        table[static_cast<std::uint8_t>(tape_tag::array)] = 0;
        table[static_cast<std::uint8_t>(tape_tag::int64)] = 2;
        table[static_cast<std::uint8_t>(tape_tag::uint64)] = 2;
        table[static_cast<std::uint8_t>(tape_tag::float64)] = 2;
        return table;
    }();

    template <class T>
    [[nodiscard]] T next_as(std::size_t at) const noexcept {
        T value{};
        std::memcpy(&value, &words_[at + 1], sizeof value);
        return value;
    }

    const std::uint64_t* words_ = nullptr;
    const std::uint8_t* strings_ = nullptr;
};

[[nodiscard]] constexpr std::string_view tape_type_name(tape_tag tag) noexcept {
    switch (tag) {
        case tape_tag::array: return "an array";
        case tape_tag::object: return "an object";
        case tape_tag::int64:
        case tape_tag::uint64:
        case tape_tag::float64: return "a number";
        case tape_tag::string: return "a string";
        case tape_tag::true_value:
        case tape_tag::false_value: return "a boolean";
        case tape_tag::null: return "null";
    }
    return "an invalid value";
}

}  // namespace lkwebhook::detail

#endif  // LKWEBHOOK_DETAIL_JSON_TAPE_HPP
