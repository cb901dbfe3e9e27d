#ifndef LKWEBHOOK_DETAIL_DOM_PARSER_HPP
#define LKWEBHOOK_DETAIL_DOM_PARSER_HPP

// The decoder's simdjson DOM parser, whose buffers exist before a document
// is parsed with it.
//
// Why the DOM parser: its parse() runs the best kernel libsimdjson was built
// with for this CPU (chosen at run time) and validates the whole document in
// one pass, so the decoder walks only the members it keeps (json_tape.hpp).
// Why reserve: the parser allocates lazily, inside the first parse that
// needs more room, which would put that on the request path; owners reserve
// the whole capacity when they are built (decode_context::reserve():
// receivers and the per-thread dispatch decoders). Every one of those
// allocations is checked by simdjson (MEMALLOC). Untouched capacity costs
// address space, not memory: the buffers are not initialised, so only the
// pages a body actually uses become resident.

#include <simdjson.h>

#include <algorithm>
#include <cstddef>

namespace lkwebhook::detail {

class dom_parser {
public:
    /// `max_depth`: the deepest nesting (top level = 1) the parse accepts;
    /// simdjson counts only non-empty containers, the decoder checks the rest.
    dom_parser(std::size_t max_capacity, std::size_t max_depth) noexcept
        : parser_(max_capacity), max_depth_(max_depth + 1) {}

    /// True when the parser can take a document of `size` bytes (at most the
    /// maximum capacity) without allocating; allocates when it cannot yet.
    /// False when memory ran out.
    [[nodiscard]] bool ready_for(std::size_t size) noexcept {
        // simdjson sizes every parse for at least its minimal capacity.
        const std::size_t capacity = std::max(size, simdjson::dom::MINIMAL_DOCUMENT_CAPACITY);
        if (capacity <= capacity_) return true;
        capacity_ = 0;
        if (parser_.allocate(capacity, max_depth_) != simdjson::SUCCESS) return false;
        if (parser_.doc.allocate(capacity) != simdjson::SUCCESS) return false;
        capacity_ = capacity;
        return true;
    }

    /// Parses `size` bytes at `padded` (followed by SIMDJSON_PADDING readable
    /// bytes) into document(); ready_for(size) must hold.
    [[nodiscard]] simdjson::error_code parse(const char* padded, std::size_t size) noexcept {
        return parser_.parse(padded, size, false).error();
    }

    [[nodiscard]] const simdjson::dom::document& document() const noexcept { return parser_.doc; }

private:
    simdjson::dom::parser parser_;
    std::size_t max_depth_;
    std::size_t capacity_ = 0;  // capacity allocated for; 0: none
};

}  // namespace lkwebhook::detail

#endif  // LKWEBHOOK_DETAIL_DOM_PARSER_HPP
