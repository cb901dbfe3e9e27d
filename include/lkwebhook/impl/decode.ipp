#ifndef LKWEBHOOK_IMPL_DECODE_IPP
#define LKWEBHOOK_IMPL_DECODE_IPP

// The decoder's implementation (decode.hpp is its interface): the only part
// of the library that includes simdjson. In the default header-only mode
// decode.hpp includes this file; with LKWEBHOOK_SEPARATE_COMPILATION only
// <lkwebhook/src.hpp> does, so translation units that include the umbrella
// do not parse simdjson (config.hpp says how to choose).

#include <simdjson.h>

#include <algorithm>
#include <array>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <new>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "../config.hpp"
#include "../decode.hpp"
#include "../detail/dom_parser.hpp"
#include "../detail/json_tape.hpp"
#include "../detail/schema_traits.hpp"
#include "../detail/text.hpp"
#include "../detail/wide_numbers.hpp"
#include "../error.hpp"
#include "../events.hpp"

// The embedding translation unit's simdjson configuration reaches us. Bare
// NaN/Infinity tokens are not JSON and LiveKit never sends them (catalogue
// G18); refuse a build that would accept them.
#if defined(SIMDJSON_ENABLE_NAN_INF) && (SIMDJSON_ENABLE_NAN_INF + 0)
#error "lkwebhook: SIMDJSON_ENABLE_NAN_INF must not be enabled (bare NaN/Infinity are not valid webhook JSON)"
#endif

namespace lkwebhook::detail {

/// What a decode_context owns behind its pointer: one simdjson parser, one
/// padded copy buffer, scratch space.
struct decode_state {
    decode_state(std::size_t max_body_bytes, std::size_t max_depth) noexcept : parser(max_body_bytes, max_depth) {}

    dom_parser parser;               // buffers reserved up front (see its header)
    std::unique_ptr<char[]> buffer;  // private padded copy of the body (G1)
    std::size_t buffer_capacity = 0;
    /// A map key's first eight bytes (big-endian, zero-padded) and its index.
    struct key_order {
        std::uint64_t prefix;
        std::uint32_t index;
    };
    // The duplicate map key check of unsorted maps: the pairs, and the
    // radix sort's second buffer (both keep their capacity between bodies).
    std::vector<key_order> order;
    std::vector<key_order> order_spare;
};

LKWEBHOOK_DECL void decode_state_deleter::operator()(decode_state* state) const noexcept { delete state; }

/// The decoder proper: type-erased over message_info, so one instantiation
/// serves every message. It walks the tape of a whole-document DOM parse
/// (json_tape.hpp): simdjson has validated the syntax, UTF-8, escapes and
/// number grammar of every value before the walk starts, so the walk visits
/// only what it keeps and steps over the rest. Recursion is bounded by
/// max_depth (<= 1024 frames; 64 by default).
class json_decoder {
public:
    json_decoder(const decode_context& context, decode_state& state, diagnosis* why) noexcept
        : context_(context), state_(state), why_(why), max_depth_(context.options().max_depth) {}

    [[nodiscard]] std::error_code run(std::string_view json, const message_info& info, void* message) {
        if (json.size() > context_.max_body_bytes()) {
            note("body of ");
            if (why_ != nullptr) {
                why_->append(json.size()).append(" bytes is larger than the limit of ");
                why_->append(context_.max_body_bytes()).append(" bytes");
            }
            return make_error_code(errc::body_too_large);
        }
        budget_ = context_.options().memory_factor == 0
                          ? std::numeric_limits<std::size_t>::max()
                          : context_.options().memory_base + context_.options().memory_factor * json.size();
        if (json.size() >= 3 && static_cast<unsigned char>(json[0]) == 0xEF &&
            static_cast<unsigned char>(json[1]) == 0xBB && static_cast<unsigned char>(json[2]) == 0xBF) {
            // JSON texts exchanged between systems must not carry a byte
            // order mark (RFC 8259); refused here whatever simdjson does.
            return malformed("starts with a UTF-8 byte order mark");
        }
        // A private padded copy (G1): simdjson reads up to SIMDJSON_PADDING
        // bytes past the end, and narrow_wide_numbers() may rewrite it.
        const std::size_t needed = json.size() + simdjson::SIMDJSON_PADDING;
        if (state_.buffer_capacity < needed) {
            state_.buffer = std::make_unique<char[]>(needed);
            state_.buffer_capacity = needed;
        }
        char* const buffer = state_.buffer.get();
        if (!json.empty()) std::memcpy(buffer, json.data(), json.size());
        std::memset(buffer + json.size(), 0, simdjson::SIMDJSON_PADDING);

        // Reserved by the owner (decode_context::reserve()), so normally no allocation here.
        if (!state_.parser.ready_for(json.size())) return json_error(simdjson::MEMALLOC);
        simdjson::error_code error = state_.parser.parse(buffer, json.size());
        // Any refusal, not only NUMBER_ERROR: the code simdjson gives a wide
        // integer differs between versions (later ones have BIGINT_ERROR).
        // The rewrite touches only valid wide numbers, so a body refused for
        // anything else is refused again; only failing bodies pay for it.
        if (error != simdjson::SUCCESS && error != simdjson::MEMALLOC && error != simdjson::CAPACITY &&
            narrow_wide_numbers(buffer, json.size())) {
            error = state_.parser.parse(buffer, json.size());
        }
        if (error) return json_error(error);
        tape_ = json_tape(state_.parser.document());
        const tape_tag top = tape_.tag(json_tape::root);
        if (top != tape_tag::object) {
            if (why_ != nullptr) {
                why_->clear();
                why_->append("the top level is ").append(tape_type_name(top)).append(", not an object");
            }
            return make_error_code(errc::malformed_body);
        }
        if (!decode_object(json_tape::root, info, message, 1)) return failure_;
        return {};
    }

private:
    struct path_entry {
        const field_info* field;
        std::size_t index;
        bool indexed;
    };

    // ---- diagnostics --------------------------------------------------------

    void note(std::string_view text) noexcept {
        if (why_ == nullptr) return;
        why_->clear();
        why_->append(text);
    }

    void write_path() noexcept {
        if (why_ == nullptr) return;
        why_->clear();
        if (path_size_ == 0) {
            why_->append("body");
            return;
        }
        for (std::size_t i = 0; i < path_size_ && i < path_.size(); ++i) {
            if (i != 0) why_->append(".");
            why_->append(path_[i].field->json_name);
            if (path_[i].indexed) why_->append("[").append(path_[i].index).append("]");
        }
    }

    std::error_code malformed(std::string_view problem) noexcept {
        write_path();
        if (why_ != nullptr) why_->append(": ").append(problem);
        failure_ = make_error_code(errc::malformed_body);
        return failure_;
    }

    bool fail(std::string_view problem) noexcept {
        malformed(problem);
        return false;
    }

    bool fail_type(std::string_view expected, tape_tag got) noexcept {
        write_path();
        if (why_ != nullptr) why_->append(": expected ").append(expected).append(", got ").append(tape_type_name(got));
        failure_ = make_error_code(errc::malformed_body);
        return false;
    }

    std::error_code json_error(simdjson::error_code error) noexcept {
        switch (error) {
            case simdjson::MEMALLOC:
                note("out of memory while parsing");
                failure_ = make_error_code(errc::internal_error);
                return failure_;
            case simdjson::CAPACITY:
                note("body larger than the parser capacity");
                return failure_ = make_error_code(errc::body_too_large);
            case simdjson::EMPTY: return malformed("empty (no JSON value)");
            case simdjson::UTF8_ERROR: return malformed("invalid UTF-8");
            case simdjson::UNESCAPED_CHARS: return malformed("unescaped control character inside a string");
            case simdjson::STRING_ERROR: return malformed("invalid string escape or unpaired surrogate");
            case simdjson::NUMBER_ERROR: return malformed("invalid number");
            case simdjson::UNCLOSED_STRING: return malformed("unterminated string");
            case simdjson::DEPTH_ERROR: {
                malformed("nesting deeper than ");
                if (why_ != nullptr) why_->append(max_depth_).append(" levels");
                return failure_;
            }
            case simdjson::T_ATOM_ERROR:
            case simdjson::F_ATOM_ERROR:
            case simdjson::N_ATOM_ERROR: return malformed("invalid literal (true, false or null expected)");
            default: return malformed("invalid JSON syntax (or trailing content after the top-level object)");
        }
    }

    bool push(const field_info& field) noexcept {
        if (path_size_ >= path_.size()) return fail("nesting too deep");
        path_[path_size_++] = path_entry{&field, 0, false};
        return true;
    }
    void pop() noexcept { --path_size_; }
    void set_index(std::size_t index) noexcept {
        path_[path_size_ - 1].index = index;
        path_[path_size_ - 1].indexed = true;
    }

    bool check_depth(std::size_t depth) noexcept {
        if (depth <= max_depth_) return true;
        write_path();
        if (why_ != nullptr) why_->append(": nesting deeper than ").append(max_depth_).append(" levels");
        failure_ = make_error_code(errc::malformed_body);
        return false;
    }

    /// Counts `bytes` of decoded storage against the G23 bound.
    /// Counts `bytes` against the memory bound if they fit (used_ never
    /// exceeds budget_), without naming a fault: the inline fast paths use it
    /// and leave a refusal to the general code.
    bool try_charge(std::size_t bytes) noexcept {
        if (bytes > budget_ - used_) return false;
        used_ += bytes;
        return true;
    }

    bool charge(std::size_t bytes) noexcept {
        if (try_charge(bytes)) return true;
        write_path();
        if (why_ != nullptr) {
            why_->append(": the decoded event would exceed ").append(context_.options().memory_factor);
            why_->append(" x body size + ").append(context_.options().memory_base).append(" bytes");
        }
        failure_ = make_error_code(errc::malformed_body);
        return false;
    }

    static constexpr std::size_t element_size(field_kind kind) noexcept {
        switch (kind) {
            case field_kind::string: return sizeof(std::string);
            case field_kind::boolean: return sizeof(bool);
            case field_kind::int32:
            case field_kind::uint32:
            case field_kind::enumeration: return sizeof(std::int32_t);
            case field_kind::int64:
            case field_kind::uint64:
            case field_kind::float64: return sizeof(std::int64_t);
            case field_kind::message:
            case field_kind::map: break;
        }
        return sizeof(std::string);
    }

    // ---- structure ----------------------------------------------------------

    // Names are compared with text.hpp's same_bytes().

    /// same_name() without the first-byte test: for the fields after the
    /// expected one, which mostly match (the test only pays on a miss).
    static bool same_length_and_bytes(std::string_view name, std::string_view key) noexcept {
        return name.size() == key.size() && same_bytes(name.data(), key.data(), key.size());
    }

    static bool same_name(std::string_view name, std::string_view key) noexcept {
        return name.size() == key.size() && name[0] == key[0] && same_bytes(name.data(), key.data(), key.size());
    }

    /// The field named `key` (either spelling, after unescaping: the tape
    /// holds keys unescaped), or nullptr: one probe of the message's
    /// generated perfect-hash table, then one comparison per spelling. Every
    /// name hashes to its own slot, so a key that equals a name is found
    /// there and nowhere else. Out of line: decode_object() calls it only
    /// when the fields after the expected one miss, and inlined there it
    /// costs the member loop registers.
    [[gnu::noinline]] static const field_info* lookup(const message_info& info, std::string_view key) noexcept {
        if (key.empty()) return nullptr;
        if (info.key_slots != nullptr) {
            const std::uint8_t slot = info.key_slots[key_hash(key, info.key_seed, info.key_bits)];
            if (slot == 0) return nullptr;
            const field_info& field = info.fields[slot - 1];
            if (same_name(field.json_name, key) || same_name(field.proto_name, key)) return &field;
            return nullptr;
        }
        for (const field_info& field : info) {
            if (same_name(field.json_name, key)) return &field;
        }
        for (const field_info& field : info) {
            if (field.proto_name != field.json_name && same_name(field.proto_name, key)) return &field;
        }
        return nullptr;
    }

    /// How many fields from the expected one on decode_object() compares a
    /// key with before it probes the hash table.
    static constexpr std::size_t lookahead = 4;

    /// The object at tape index `at`; `depth` is its own nesting level (top
    /// level = 1).
    bool decode_object(std::size_t at, const message_info& info, void* message, std::size_t depth) {
        std::uint64_t seen = 0;
        std::uint32_t oneofs_seen = 0;
        const std::size_t end = tape_.closing(at);
        // Signers write the members in the order of the descriptor (field
        // number order), so the field after the last one found is tried
        // first: one comparison whose operands are known early, instead of
        // the hash probe's chain of dependent loads.
        // The descriptor in locals: the compiler cannot keep `info` in
        // registers across the stores into the message (they may alias).
        const field_info* const fields = info.fields;
        const std::size_t field_count = info.size;
        // Decided once per object, not per member: a message without oneofs
        // has no member to check for one.
        const bool has_oneofs = info.oneof_count != 0;
        std::size_t expected = 0;  // index of the field after the last one found
        for (std::size_t key_at = at + 1; key_at < end;) {
            const std::size_t value_at = key_at + 1;
            const std::size_t next = tape_.after(value_at);
            const std::string_view key = tape_.string(key_at);
            key_at = next;
            std::size_t index = expected;
            const field_info* field = fields + index;
            // Senders leave out fields at their defaults, so the key is often
            // a few fields further on: those are tried before the hash probe.
            const std::size_t ahead = std::min(field_count, expected + lookahead);
            while (index < ahead && !same_length_and_bytes(field->json_name, key)) {
                ++index;
                ++field;
            }
            if (index == ahead) {
                field = lookup(info, key);
                if (field == nullptr) {
                    // Unknown member, any type: ignored (G2, G10); simdjson has
                    // validated it, only its depth is left to check.
                    if (!check_unknown_depth(value_at, depth + 1)) return false;
                    continue;
                }
                index = static_cast<std::size_t>(field - fields);
            }
            expected = index + 1;
            // The path entry is written only on the way to a nested value or
            // a fault (write_path() reads it); a plain value stored by
            // store_plain() needs none. The path has room for every entry
            // (path_capacity), so a member needs no capacity check.
            const std::uint64_t bit = std::uint64_t{1} << index;
            if ((seen & bit) != 0) {
                push(*field);
                return fail(field->json_name == field->proto_name
                                    ? "duplicate field"
                                    : "duplicate field (counting both its lowerCamelCase and proto spelling)");
            }
            seen |= bit;
            const tape_tag type = tape_.tag(value_at);
            if (type == tape_tag::null) {
                // null means "not set" for every field kind (G13).
                field->ops->reset(field->member(message));
                continue;
            }
            void* storage = field->member(message);
            if (field->label == field_label::singular) {
                // Strings first, the most common field: a small test without a call.
                if (field->kind == field_kind::string && type == tape_tag::string) {
                    if (store_string(value_at, storage)) continue;
                } else if (store_plain(value_at, type, *field, storage)) {
                    continue;
                }
            } else if (has_oneofs && field->oneof != 0) {
                // Only here: a oneof member has explicit presence (an
                // optional_value or optional_message), never the singular label.
                const std::uint32_t oneof_bit = std::uint32_t{1} << (field->oneof - 1u);
                if ((oneofs_seen & oneof_bit) != 0) {
                    push(*field);
                    write_path();
                    if (why_ != nullptr) {
                        why_->append(": a second member of oneof '").append(info.oneofs[field->oneof - 1]).append("'");
                    }
                    failure_ = make_error_code(errc::malformed_body);
                    return false;
                }
                oneofs_seen |= oneof_bit;
            }
            push(*field);
            const bool ok = field->label == field_label::repeated
                                    ? decode_repeated(value_at, type, *field, storage, depth)
                                    : decode_single(value_at, type, *field, storage, depth);
            if (!ok) return false;
            pop();
        }
        // The message is not cleared beforehand (a reused event keeps its
        // old values): every field this object did not mention goes back to
        // its default now, which touches only those fields.
        std::uint64_t unseen = ~seen;
        if (info.size < 64) unseen &= (std::uint64_t{1} << info.size) - 1;
        while (unseen != 0) {
            const field_info& field = fields[std::countr_zero(unseen)];
            field.ops->reset(field.member(message));
            unseen &= unseen - 1;
        }
        return true;
    }

    bool decode_single(std::size_t at, tape_tag type, const field_info& field, void* storage, std::size_t depth) {
        if (field.kind == field_kind::message || field.kind == field_kind::map) {
            if (type != tape_tag::object) return fail_type("an object", type);
            if (!check_depth(depth + 1)) return false;
            if (field.kind == field_kind::map) return decode_map(at, *static_cast<string_map*>(storage));
            if (!charge(field.message()->object_size)) return false;
            // Not cleared: decode_object writes or resets every field.
            void* message = field.ops->engage(storage);
            return decode_object(at, *field.message(), message, depth + 1);
        }
        // A plain scalar is its own slot (no indirect call for the common case).
        void* slot = field.label == field_label::singular ? storage : field.ops->emplace(storage);
        const scalar_status status = read_scalar(at, type, field, slot);
        if (status == scalar_status::ignored) field.ops->reset(storage);
        return status != scalar_status::failed;
    }

    bool decode_repeated(std::size_t at, tape_tag type, const field_info& field, void* storage, std::size_t depth) {
        if (type != tape_tag::array) return fail_type("an array", type);
        if (!check_depth(depth + 1)) return false;
        field.ops->reset(storage);
        const std::size_t end = tape_.closing(at);
        // Fetched once per list, not per element: the stores into the
        // elements may alias the descriptor, as far as the compiler knows.
        void* (*const engage)(void*) = field.ops->engage;
        const field_kind kind = field.kind;
        std::size_t index = 0;
        if (kind == field_kind::message) {
            const message_info& element_info = *field.message();
            for (std::size_t element_at = at + 1; element_at < end; element_at = tape_.after(element_at)) {
                set_index(index++);
                const tape_tag element_type = tape_.tag(element_at);
                if (element_type == tape_tag::null) return fail("null is not allowed as an array element");
                if (!charge(element_info.object_size)) return false;
                // A kept element is not cleared: decode_object writes or
                // resets all of it.
                void* slot = engage(storage);
                if (element_type != tape_tag::object) return fail_type("an object", element_type);
                if (!check_depth(depth + 2)) return false;
                if (!decode_object(element_at, element_info, slot, depth + 2)) return false;
            }
            return true;
        }
        // A loop for each kind, the kind a constant in it (a list of numbers
        // is the one a body can make longest: 500k elements in 1 MiB).
        switch (kind) {
            case field_kind::string: return decode_scalars<field_kind::string>(at + 1, end, field, storage);
            case field_kind::boolean: return decode_scalars<field_kind::boolean>(at + 1, end, field, storage);
            case field_kind::int32: return decode_scalars<field_kind::int32>(at + 1, end, field, storage);
            case field_kind::uint32: return decode_scalars<field_kind::uint32>(at + 1, end, field, storage);
            case field_kind::int64: return decode_scalars<field_kind::int64>(at + 1, end, field, storage);
            case field_kind::uint64: return decode_scalars<field_kind::uint64>(at + 1, end, field, storage);
            case field_kind::float64: return decode_scalars<field_kind::float64>(at + 1, end, field, storage);
            case field_kind::enumeration: return decode_scalars<field_kind::enumeration>(at + 1, end, field, storage);
            case field_kind::message:
            case field_kind::map: break;
        }
        return fail("internal: unexpected list element kind");
    }

    /// The elements from tape index `first` to `end` of a list of scalars
    /// of kind Kind (field.kind).
    template <field_kind Kind>
    bool decode_scalars(std::size_t first, std::size_t end, const field_info& field, void* storage) {
        void* (*const engage)(void*) = field.ops->engage;
        constexpr std::size_t element_bytes = element_size(Kind);
        std::size_t index = 0;
        for (std::size_t element_at = first; element_at < end; ++index) {
            const tape_tag element_type = tape_.tag(element_at);
            // The element's index enters the path only on the way to a fault
            // (write_path() reads it), as for a plain singular value.
            if (element_type == tape_tag::null || !try_charge(element_bytes)) {
                set_index(index);
                if (element_type == tape_tag::null) return fail("null is not allowed as an array element");
                return charge(element_bytes);  // refused again, now naming the fault
            }
            // A kept element is not cleared: the store overwrites all of it.
            void* slot = engage(storage);
            if (element_type == tape_tag::int64) {
                if (store_int64(tape_.int64(element_at), Kind, slot)) {
                    element_at += 2;  // an int64 and its value word
                    continue;
                }
            } else if (store_plain_text(element_at, element_type, field, slot)) {
                element_at = tape_.after(element_at);
                continue;
            }
            set_index(index);
            const scalar_status status = read_scalar(element_at, element_type, field, slot);
            if (status == scalar_status::failed) return false;
            // An unknown enum name inside a list drops that element, as the
            // official decoders do.
            if (status == scalar_status::ignored) field.ops->pop(storage);
            element_at = tape_.after(element_at);
        }
        return true;
    }

    bool decode_map(std::size_t at, string_map& map) {
        map.clear();
        const std::size_t end = tape_.closing(at);
        std::string_view previous;
        bool sorted = true;  // LiveKit sorts map keys: the common case needs no sort
        for (std::size_t key_at = at + 1; key_at < end;) {
            const std::size_t value_at = key_at + 1;
            const std::string_view key = tape_.string(key_at);
            const tape_tag type = tape_.tag(value_at);
            if (type == tape_tag::null) return fail("null is not allowed as a map value");
            if (type != tape_tag::string) return fail_type("a string map value", type);
            key_at = value_at + 1;  // a string is one tape word
            const std::string_view text = tape_.string(value_at);
            if (!charge(sizeof(std::pair<std::string, std::string>) + key.size() + text.size())) return false;
            // Not cleared: both strings are assigned here.
            auto& entry = *static_cast<std::pair<std::string, std::string>*>(ops_of<string_map>.engage(&map));
            copy_text(entry.first, key);
            copy_text(entry.second, text);
            if (sorted && map.size() > 1) sorted = previous < key;
            previous = key;
        }
        return sorted || check_unique_keys(map);
    }

    /// The duplicate key check of a map whose keys are not in increasing
    /// order. The attacker chooses the keys, so the check must not depend on
    /// them being benign: the (first eight bytes, index) pairs are radix
    /// sorted (linear, and no hash to collide), then only keys whose eight
    /// byte prefixes are equal are compared as strings, by std::sort within
    /// their run (n log n at worst, when every key shares its prefix). Equal
    /// keys have equal prefixes, so each duplicate lands in one run.
    bool check_unique_keys(const string_map& map) {
        const std::size_t n = map.size();
        auto& order = state_.order;
        order.resize(n);
        state_.order_spare.resize(n);
        for (std::size_t i = 0; i < n; ++i) order[i] = {key_prefix(map[i].first), static_cast<std::uint32_t>(i)};
        sort_by_prefix(order, state_.order_spare);
        const auto key_less = [&map](const decode_state::key_order& a, const decode_state::key_order& b) {
            return map[a.index].first < map[b.index].first;
        };
        for (std::size_t run = 0; run < n;) {
            std::size_t run_end = run + 1;
            while (run_end < n && order[run_end].prefix == order[run].prefix) ++run_end;
            if (run_end - run > 1) {
                // A zero-padded prefix does not tell "a" from "a\u0000": compare whole keys.
                std::sort(order.begin() + static_cast<std::ptrdiff_t>(run),
                          order.begin() + static_cast<std::ptrdiff_t>(run_end), key_less);
                for (std::size_t i = run + 1; i < run_end; ++i) {
                    if (map[order[i - 1].index].first == map[order[i].index].first) return fail("duplicate map key");
                }
            }
            run = run_end;
        }
        return true;
    }

    /// Least significant digit radix sort of `order` by prefix, one byte a
    /// pass; a pass is skipped when every prefix has the same byte there (the
    /// bytes past the end of short keys). `spare` is as large as `order`.
    static void sort_by_prefix(std::vector<decode_state::key_order>& order,
                               std::vector<decode_state::key_order>& spare) noexcept {
        const std::size_t n = order.size();
        if (n < 2) return;
        std::array<std::array<std::uint32_t, 256>, 8> counts{};
        for (const decode_state::key_order& entry : order) {
            for (unsigned digit = 0; digit < 8; ++digit) ++counts[digit][(entry.prefix >> (8 * digit)) & 0xFFu];
        }
        for (unsigned digit = 0; digit < 8; ++digit) {
            auto& count = counts[digit];
            if (count[(order[0].prefix >> (8 * digit)) & 0xFFu] == n) continue;
            std::uint32_t start = 0;
            for (std::uint32_t& c : count) start += std::exchange(c, start);
            for (const decode_state::key_order& entry : order)
                spare[count[(entry.prefix >> (8 * digit)) & 0xFFu]++] = entry;
            order.swap(spare);
        }
    }

    static std::uint64_t key_prefix(const std::string& key) noexcept {
        std::uint64_t prefix = 0;
        if (key.size() >= 8) {
            // A fixed-size big-endian read, which compilers turn into one load and a byte swap.
            for (std::size_t i = 0; i < 8; ++i) prefix = prefix << 8 | static_cast<unsigned char>(key[i]);
            return prefix;
        }
        for (std::size_t i = 0; i < key.size(); ++i)
            prefix |= std::uint64_t{static_cast<unsigned char>(key[i])} << (56 - 8 * i);
        return prefix;
    }

    // ---- unknown members -------------------------------------------------------

    /// The depth rule (G10) for a value we do not keep, at nesting level
    /// `depth` if it is a container. simdjson refuses non-empty containers
    /// deeper than max_depth (dom_parser); an empty one one level deeper is
    /// left to us. A container of n tape words nests at most (n - 2) / 2
    /// levels below itself, so only a value that could reach past the limit
    /// is descended into, and no value is visited twice.
    bool check_unknown_depth(std::size_t at, std::size_t depth) noexcept {
        const tape_tag type = tape_.tag(at);
        if (type != tape_tag::object && type != tape_tag::array) return true;
        if (!check_depth(depth)) return false;
        const std::size_t end = tape_.closing(at);
        if (depth + (end - at - 1) / 2 <= max_depth_) return true;
        for (std::size_t inner = at + 1; inner < end; inner = tape_.after(inner)) {
            if (!check_unknown_depth(inner, depth + 1)) return false;
        }
        return true;
    }

    // ---- scalars --------------------------------------------------------------

    /// Copies `text` (in the tape's string buffer, never inside `to`) into
    /// `to`'s kept capacity: append() after clear() skips the overlap
    /// handling of assign(), which a value from the tape never needs.
    static void copy_text(std::string& to, std::string_view text) {
        to.clear();
        to.append(text.data(), text.size());
    }

    enum class scalar_status { ok, ignored, failed };

    bool parse_in_range(std::string_view text, std::int64_t min, std::uint64_t max, bool& negative,
                        std::uint64_t& magnitude) {
        switch (parse_integer(text, negative, magnitude)) {
            case integer_lexeme::ok: break;
            case integer_lexeme::fraction_or_exponent: return fail("integers must not have a fraction or exponent");
            case integer_lexeme::syntax:
                return fail("not a valid integer (digits only, no '+', spaces or leading zeros)");
            case integer_lexeme::out_of_range: return fail("integer out of range");
        }
        return in_range(negative, magnitude, min, max);
    }

    static constexpr bool within(bool negative, std::uint64_t magnitude, std::int64_t min, std::uint64_t max) noexcept {
        return negative ? magnitude <= static_cast<std::uint64_t>(-(min + 1)) + 1 : magnitude <= max;
    }

    bool in_range(bool negative, std::uint64_t magnitude, std::int64_t min, std::uint64_t max) {
        if (!within(negative, magnitude, min, max)) return fail("integer out of range");
        return true;
    }

    /// The value of a sign and magnitude within Int's range (within() holds);
    /// a negative magnitude is at most 2^63, negated without overflow.
    template <class Int>
    static Int integer_from(bool negative, std::uint64_t magnitude) noexcept {
        return negative ? static_cast<Int>(static_cast<std::int64_t>(0 - magnitude)) : static_cast<Int>(magnitude);
    }

    template <class Int>
    static constexpr std::int64_t lowest = std::is_signed_v<Int>
                                                   ? static_cast<std::int64_t>(std::numeric_limits<Int>::min())
                                                   : 0;
    template <class Int>
    static constexpr auto highest = static_cast<std::uint64_t>(std::numeric_limits<Int>::max());

    /// An integer given as a number or as a decimal string. A number on the
    /// tape is an integer exactly when its text had no fraction or exponent
    /// (simdjson has checked the rest of the grammar: no '+', leading zeros
    /// or spaces); "-0" is the integer 0, as the text rule reads it.
    template <class Int>
    bool read_integer(std::size_t at, tape_tag type, void* slot) {
        constexpr std::int64_t min = lowest<Int>;
        constexpr std::uint64_t max = highest<Int>;
        bool negative = false;
        std::uint64_t magnitude = 0;
        switch (type) {
            case tape_tag::int64: {
                const std::int64_t value = tape_.int64(at);
                negative = value < 0;
                magnitude = negative ? 0 - static_cast<std::uint64_t>(value) : static_cast<std::uint64_t>(value);
                if (!in_range(negative, magnitude, min, max)) return false;
                break;
            }
            case tape_tag::uint64:
                magnitude = tape_.uint64(at);
                if (!in_range(false, magnitude, min, max)) return false;
                break;
            case tape_tag::float64: return fail("integers must not have a fraction or exponent");
            case tape_tag::string:
                if (!parse_in_range(tape_.string(at), min, max, negative, magnitude)) return false;
                break;
            default: return fail_type("an integer (number or decimal string)", type);
        }
        *static_cast<Int*>(slot) = integer_from<Int>(negative, magnitude);
        return true;
    }

    /// A double given as a number or as "NaN", "Infinity", "-Infinity" (or
    /// any number as a string). simdjson's conversion is correctly rounded,
    /// as std::from_chars is, so both give the same double for one text.
    bool read_double(std::size_t at, tape_tag type, void* slot) {
        double result = 0;
        switch (type) {
            case tape_tag::float64: result = tape_.float64(at); break;
            case tape_tag::int64: result = static_cast<double>(tape_.int64(at)); break;
            case tape_tag::uint64: result = static_cast<double>(tape_.uint64(at)); break;
            case tape_tag::string: {
                const std::string_view text = tape_.string(at);
                if (text == "NaN") {
                    *static_cast<double*>(slot) = std::numeric_limits<double>::quiet_NaN();
                    return true;
                }
                if (text == "Infinity" || text == "-Infinity") {
                    const double inf = std::numeric_limits<double>::infinity();
                    *static_cast<double*>(slot) = text[0] == '-' ? -inf : inf;
                    return true;
                }
                if (!is_json_number(text)) return fail("not a valid number");
                const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), result);
                if (error == std::errc::result_out_of_range) {
                    // Underflow reads as zero (as JSON.parse and Go do), however it is
                    // written ("1e-400" or "0.000...01"); overflow is refused.
                    if (!is_below_one(text)) return fail("number out of range");
                    result = text[0] == '-' ? -0.0 : 0.0;
                } else if (error != std::errc{} || end != text.data() + text.size()) {
                    return fail("not a valid number");
                }
                break;
            }
            default: return fail_type("a number (or \"NaN\", \"Infinity\", \"-Infinity\")", type);
        }
        if (std::fabs(result) >= 1e308) return fail("number out of range (|x| >= 1e308)");
        *static_cast<double*>(slot) = result;
        return true;
    }

    /// The common case of a scalar (a singular field or a list element),
    /// inline: a string, a boolean, an integer within the field's range or a
    /// known enum name or number is stored and true returned. Anything else
    /// returns false having changed nothing, and read_scalar() reads it the
    /// general way (and names any fault), so this decides no outcome of its
    /// own.
    bool store_plain(std::size_t at, tape_tag type, const field_info& field, void* slot) {
        if (type == tape_tag::int64) return store_int64(tape_.int64(at), field.kind, slot);
        return store_plain_text(at, type, field, slot);
    }

    /// store_plain() of an int64 on the tape: a small function the callers
    /// inline (integer and enum lists are long).
    static bool store_int64(std::int64_t value, field_kind kind, void* slot) noexcept {
        switch (kind) {
            case field_kind::int32:
            case field_kind::enumeration: {
                if (value < std::numeric_limits<std::int32_t>::min() ||
                    value > std::numeric_limits<std::int32_t>::max())
                    return false;
                // A byte copy: an enum slot has int32 as its underlying type.
                const auto number = static_cast<std::int32_t>(value);
                std::memcpy(slot, &number, sizeof number);
                return true;
            }
            case field_kind::uint32: {
                if (value < 0 || value > std::int64_t{std::numeric_limits<std::uint32_t>::max()}) return false;
                *static_cast<std::uint32_t*>(slot) = static_cast<std::uint32_t>(value);
                return true;
            }
            case field_kind::int64: *static_cast<std::int64_t*>(slot) = value; return true;
            case field_kind::uint64:
                if (value < 0) return false;
                *static_cast<std::uint64_t*>(slot) = static_cast<std::uint64_t>(value);
                return true;
            case field_kind::string:
            case field_kind::boolean:
            case field_kind::float64:
            case field_kind::message:
            case field_kind::map: break;
        }
        return false;
    }

    /// store_plain() of anything but an int64 on the tape.
    bool store_plain_text(std::size_t at, tape_tag type, const field_info& field, void* slot) {
        switch (field.kind) {
            case field_kind::string: return type == tape_tag::string && store_string(at, slot);
            case field_kind::boolean:
                if (type != tape_tag::true_value && type != tape_tag::false_value) return false;
                *static_cast<bool*>(slot) = type == tape_tag::true_value;
                return true;
            case field_kind::int32: return store_plain_integer<std::int32_t>(at, type, slot);
            case field_kind::uint32: return store_plain_integer<std::uint32_t>(at, type, slot);
            case field_kind::int64: return store_plain_integer<std::int64_t>(at, type, slot);
            case field_kind::uint64: return store_plain_integer<std::uint64_t>(at, type, slot);
            case field_kind::enumeration: {
                // A number is an int64 (store_int64()) or left to read_scalar().
                if (type != tape_tag::string) return false;
                const enum_value* known = field.enumeration->find(tape_.string(at));
                if (known == nullptr) return false;
                // A byte copy, as in read_scalar(): the slot is an enum whose
                // underlying type is int32.
                std::memcpy(slot, &known->number, sizeof known->number);
                return true;
            }
            case field_kind::float64:
            case field_kind::message:
            case field_kind::map: break;
        }
        return false;
    }

    /// The string at `at` into the std::string at `slot`, within the memory
    /// bound; false (nothing changed) beyond it, where charge() names the fault.
    bool store_string(std::size_t at, void* slot) {
        const std::string_view text = tape_.string(at);
        if (!try_charge(text.size())) return false;
        copy_text(*static_cast<std::string*>(slot), text);
        return true;
    }

    /// A uint64 on the tape (an int64 is store_int64()'s) or a decimal
    /// string, within the range of Int; false for anything else
    /// (read_integer() decides it).
    template <class Int>
    bool store_plain_integer(std::size_t at, tape_tag type, void* slot) noexcept {
        if (type == tape_tag::string) {
            bool negative = false;
            std::uint64_t magnitude = 0;
            if (parse_integer(tape_.string(at), negative, magnitude) != integer_lexeme::ok) return false;
            if (!within(negative, magnitude, lowest<Int>, highest<Int>)) return false;
            *static_cast<Int*>(slot) = integer_from<Int>(negative, magnitude);
            return true;
        }
        if (type == tape_tag::uint64) {
            const std::uint64_t value = tape_.uint64(at);
            if (value > highest<Int>) return false;
            *static_cast<Int*>(slot) = static_cast<Int>(value);
            return true;
        }
        return false;
    }

    scalar_status read_scalar(std::size_t at, tape_tag type, const field_info& field, void* slot) {
        const auto status = [](bool ok) { return ok ? scalar_status::ok : scalar_status::failed; };
        switch (field.kind) {
            case field_kind::string: {
                if (type != tape_tag::string) return status(fail_type("a string", type));
                const std::string_view text = tape_.string(at);
                if (!charge(text.size())) return scalar_status::failed;
                copy_text(*static_cast<std::string*>(slot), text);
                return scalar_status::ok;
            }
            case field_kind::boolean: {
                if (type != tape_tag::true_value && type != tape_tag::false_value) {
                    return status(fail_type("true or false", type));
                }
                *static_cast<bool*>(slot) = type == tape_tag::true_value;
                return scalar_status::ok;
            }
            case field_kind::int32: return status(read_integer<std::int32_t>(at, type, slot));
            case field_kind::uint32: return status(read_integer<std::uint32_t>(at, type, slot));
            case field_kind::int64: return status(read_integer<std::int64_t>(at, type, slot));
            case field_kind::uint64: return status(read_integer<std::uint64_t>(at, type, slot));
            case field_kind::float64: return status(read_double(at, type, slot));
            case field_kind::enumeration: {
                std::int32_t number = 0;
                if (type == tape_tag::string) {
                    const enum_value* known = field.enumeration->find(tape_.string(at));
                    // An unknown name is ignored like an unknown field (G19).
                    if (known == nullptr) return scalar_status::ignored;
                    number = known->number;
                } else if (type == tape_tag::int64 || type == tape_tag::uint64 || type == tape_tag::float64) {
                    if (!read_integer<std::int32_t>(at, type, &number)) return scalar_status::failed;
                } else {
                    return status(fail_type("an enum name or number", type));
                }
                // Enums have int32 as their fixed underlying type: same size and
                // representation, so a byte copy stores any number (open enum).
                std::memcpy(slot, &number, sizeof number);
                return scalar_status::ok;
            }
            case field_kind::message:
            case field_kind::map: break;
        }
        return status(fail("internal: unexpected field kind"));
    }

    const decode_context& context_;
    decode_state& state_;
    diagnosis* why_;
    std::size_t max_depth_;
    json_tape tape_{};
    std::size_t budget_ = 0;
    std::size_t used_ = 0;
    /// One entry per nested message and one for the field being read:
    /// at most max_message_nesting (schema_traits.hpp), so push() never
    /// refuses one for a generated message.
    static constexpr std::size_t path_capacity = 64;
    static_assert(max_message_nesting <= path_capacity);
    // Not value-initialised: only entries below path_size_ are read, and
    // push() writes each before it counts. Zeroing 1.5 KiB per decode was a
    // string store costing about 5% of decode_reused/small.
    std::array<path_entry, path_capacity> path_;
    std::size_t path_size_ = 0;
    std::error_code failure_ = make_error_code(errc::malformed_body);
};

/// Event-level rules that are not about JSON shape (G14, G15).
LKWEBHOOK_DECL std::error_code check_event_id(const webhook_event& event, const decode_options& options,
                                              diagnosis* why) noexcept {
    const auto reject = [why](std::string_view text) {
        diagnose(why).clear();
        diagnose(why).append(text);
        return make_error_code(errc::malformed_body);
    };
    if (event.id.size() > options.max_event_id_bytes) {
        diagnose(why).clear();
        diagnose(why)
                .append("id: ")
                .append(event.id.size())
                .append(" bytes is longer than the limit of ")
                .append(options.max_event_id_bytes)
                .append(" bytes");
        return make_error_code(errc::malformed_body);
    }
    for (const char c : event.id) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte < 0x20 || byte == 0x7F) return reject("id: contains a control character");
    }
    if (options.require_event_id && event.id.empty()) {
        return reject("id: missing or empty (require_event_id is on)");
    }
    return {};
}

LKWEBHOOK_DECL std::error_code decode_into(std::string_view json, const message_info& info, void* message,
                                           decode_context& context, diagnosis* why) noexcept {
    const auto out_of_memory = [why] {
        diagnose(why).clear();
        diagnose(why).append("out of memory while decoding");
        return make_error_code(errc::internal_error);
    };
    decode_state* const state = context.state();
    if (state == nullptr) return out_of_memory();
    return fail_closed(
            [&] {
                json_decoder decoder(context, *state, why);
                return decoder.run(json, info, message);
            },
            out_of_memory);
}

}  // namespace lkwebhook::detail

namespace lkwebhook {

LKWEBHOOK_DECL decode_context::decode_context(const decode_options& options, std::size_t max_body_bytes) noexcept
    : options_(options),
      max_body_bytes_(max_body_bytes),
      state_(new (std::nothrow) detail::decode_state(max_body_bytes, options.max_depth)) {}

LKWEBHOOK_DECL detail::decode_state* decode_context::state() noexcept {
    // A moved-from context, or one whose construction ran out of memory.
    if (!state_) state_.reset(new (std::nothrow) detail::decode_state(max_body_bytes_, options_.max_depth));
    return state_.get();
}

LKWEBHOOK_DECL bool decode_context::reserve() noexcept {
    detail::decode_state* const owned = state();
    if (owned == nullptr) return false;
    const std::size_t needed = max_body_bytes_ + simdjson::SIMDJSON_PADDING;
    if (owned->buffer_capacity < needed) {
        owned->buffer.reset(new (std::nothrow) char[needed]);
        owned->buffer_capacity = owned->buffer ? needed : 0;
    }
    return owned->parser.ready_for(max_body_bytes_) && owned->buffer != nullptr;
}

LKWEBHOOK_DECL result<webhook_event> decode(std::string_view json, diagnosis* why) {
    decode_context context;
    webhook_event event;
    if (auto status = decode(json, event, context, why); !status) return status.error();
    return event;
}

}  // namespace lkwebhook

#endif  // LKWEBHOOK_IMPL_DECODE_IPP
