#ifndef LKWEBHOOK_DETAIL_CHECKED_PARSER_HPP
#define LKWEBHOOK_DETAIL_CHECKED_PARSER_HPP

// A simdjson On-Demand parser whose buffers are known to exist before a
// document is parsed with it.
//
// Why: ondemand::parser::allocate() does not check two of its allocations,
// the string buffer (every build) and the start-position array (builds with
// SIMDJSON_DEVELOPMENT_CHECKS, i.e. unoptimised ones); when either fails it
// still reports success, and parsing then writes through NULL (simdjson 3.0.1
// on Debian 12 and 3.12 on Debian 13 alike; reproducer:
// tests/fault/upstream/simdjson_unchecked_parser_allocation.cpp). The parser
// also allocates lazily, inside the first parse that needs more room, which
// would put that path on the request path. So:
//  - ready_for() allocates through allocate() itself, then checks the string
//    buffer through the one public view of it (a json_iterator's string
//    position, from iterate_raw() over a two-byte document, which allocates
//    nothing), and reports false instead of letting a parse crash;
//  - owners reserve the whole capacity when they are built (decode_context::
//    reserve(): receivers and the per-thread dispatch decoders), so requests
//    never reach simdjson's allocation at all. The start-position array cannot
//    be checked from outside; reserving up front keeps it off the request path.
// Untouched capacity costs address space, not memory: the buffers are
// uninitialised, so only the pages a body actually uses become resident.

#include <simdjson.h>

#include <algorithm>
#include <cstddef>

namespace lkwebhook::detail {

class checked_parser {
public:
    explicit checked_parser(std::size_t max_capacity) noexcept : parser_(max_capacity) {}

    /// True when the parser can take a document of `size` bytes (at most the
    /// maximum capacity) without allocating; allocates when it cannot yet.
    /// False when memory ran out, even where simdjson itself reports success.
    [[nodiscard]] bool ready_for(std::size_t size) noexcept {
        if (size <= checked_capacity_) return true;
        checked_capacity_ = 0;
        const std::size_t capacity = std::max(size, std::min(probe_size, parser_.max_capacity()));
        if (parser_.allocate(capacity, parser_.max_depth()) != simdjson::SUCCESS) return false;
        if (capacity >= probe_size && !has_string_buffer()) return false;
        checked_capacity_ = capacity;
        return true;
    }

    [[nodiscard]] simdjson::ondemand::parser& get() noexcept { return parser_; }

private:
    static constexpr std::size_t probe_size = 2;

    // A json_iterator starts at the parser's string buffer; null means
    // allocate() lost it. iterate_raw() allocates nothing when the capacity
    // suffices (checked by the caller), and only runs stage 1 over "{}".
    [[nodiscard]] bool has_string_buffer() noexcept {
        static constexpr char probe[probe_size + simdjson::SIMDJSON_PADDING] = "{}";
        simdjson::ondemand::json_iterator iterator;
        if (parser_.iterate_raw(simdjson::padded_string_view(probe, probe_size, sizeof probe)).get(iterator)) {
            return false;
        }
        return iterator.string_buf_loc() != nullptr;
    }

    simdjson::ondemand::parser parser_;
    std::size_t checked_capacity_ = 0;  // capacity whose buffers were checked; 0: none
};

}  // namespace lkwebhook::detail

#endif  // LKWEBHOOK_DETAIL_CHECKED_PARSER_HPP
