#ifndef LKWEBHOOK_DETAIL_DESCRIPTORS_HPP
#define LKWEBHOOK_DETAIL_DESCRIPTORS_HPP

// The type-erased schema descriptors (field_info, message_info) that drive
// the one generic decoder (decode.hpp) and the one generic encoder
// (encode.hpp). The generated tables built from them are in
// detail/schema_traits.hpp. Internal: the event structs themselves need none
// of this (events.hpp).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "../events/field_types.hpp"

namespace lkwebhook::detail {

// ---- type-erased schema descriptors ---------------------------------------

enum class field_kind : std::uint8_t {
    string,
    boolean,
    int32,
    uint32,
    int64,
    uint64,
    float64,
    enumeration,
    message,
    map
};
enum class field_label : std::uint8_t { singular, optional, repeated };

/// Operations on one C++ member type, so one decoder/encoder handles all.
/// "values" are: the member itself (singular), the engaged value
/// (optional_value / optional_message) or the elements (repeated, map).
struct container_ops {
    std::size_t (*size)(const void* member) noexcept;  ///< values present (singular: 0 when default)
    const void* (*at)(const void* member, std::size_t index) noexcept;
    void* (*emplace)(void* member);        ///< a fresh default value to write into (may throw bad_alloc)
    void (*reset)(void* member) noexcept;  ///< back to default/absent/empty, keeping storage
    void (*pop)(void* member) noexcept;    ///< undo the last emplace of a repeated element
    /// Like emplace, but a kept sub-message or list element is returned as
    /// it was: the caller (the decoder) writes or resets every part of it.
    void* (*engage)(void* member);
};

struct message_info;

struct field_info {
    std::string_view json_name;   ///< lowerCamelCase, as LiveKit emits it
    std::string_view proto_name;  ///< the .proto spelling, also accepted
    std::int32_t number;          ///< proto field number
    field_kind kind;              ///< of the value (element kind for repeated)
    field_label label;
    std::uint8_t oneof;  ///< 0: not in a oneof; else 1 + index into message_info::oneofs
    /// Of the member in its message (offsetof; make_field() requires a
    /// standard-layout message): an addition, where a function per member
    /// cost the decoder an indirect call for every member it stores or resets.
    std::size_t offset;
    const container_ops* ops;
    const enum_info* enumeration;               ///< kind == enumeration
    const message_info* (*message)() noexcept;  ///< kind == message
    bool credential;                            ///< a secret (TURN password, stream key, storage keys)

    [[nodiscard]] void* member(void* message_ptr) const noexcept { return static_cast<char*>(message_ptr) + offset; }
    [[nodiscard]] const void* member_of(const void* message_ptr) const noexcept {
        return static_cast<const char*>(message_ptr) + offset;
    }
};

struct message_info {
    std::string_view proto_name;
    const field_info* fields;
    std::size_t size;
    const std::string_view* oneofs;
    std::size_t oneof_count;
    std::size_t object_size;  ///< sizeof the struct (the decoder's memory accounting)
    /// Perfect hash of every spelling of every field name, generated:
    /// key_slots[key_hash(name, key_seed, key_bits)] is 1 + the index of
    /// the field with that name; 0 for a slot no name uses. Without a table
    /// (nullptr) the decoder searches linearly.
    const std::uint8_t* key_slots = nullptr;
    std::uint64_t key_seed = 0;
    std::uint32_t key_bits = 0;

    [[nodiscard]] const field_info* begin() const noexcept { return fields; }
    [[nodiscard]] const field_info* end() const noexcept { return fields + size; }
};

/// The slot of a member name in a message's perfect-hash table (see
/// message_info::key_slots): a multiplicative hash of its length and five
/// of its bytes. cmake/generate_events.py computes the same function when
/// it searches for a collision-free seed; change both together.
/// Precondition: !key.empty(), 1 <= bits <= 16.
[[nodiscard]] constexpr std::size_t key_hash(std::string_view key, std::uint64_t seed, std::uint32_t bits) noexcept {
    const std::size_t n = key.size();
    const auto byte = [key](std::size_t i) { return static_cast<std::uint64_t>(static_cast<unsigned char>(key[i])); };
    const std::uint64_t x = (static_cast<std::uint64_t>(n) & 0xFFu) | (byte(0) << 8) | (byte(n / 4) << 16) |
                            (byte(n / 2) << 24) | (byte(3 * n / 4) << 32) | (byte(n - 1) << 40);
    return static_cast<std::size_t>((x * seed) >> (64u - bits));
}

/// Resets every field of a message to its default, keeping all storage.
inline void clear_message(const message_info& info, void* message) noexcept {
    for (const field_info& field : info) field.ops->reset(field.member(message));
}

template <class T>
const message_info* info_of() noexcept {
    return &message_traits<T>::info;
}

template <class T>
[[nodiscard]] inline bool is_default(const T& value) noexcept {
    if constexpr (std::is_same_v<T, std::string>) {
        return value.empty();
    } else {
        return value == T{};
    }
}

template <class M>
struct ops_impl {  // a plain scalar member (implicit presence)
    static std::size_t size(const void* m) noexcept { return is_default(*static_cast<const M*>(m)) ? 0 : 1; }
    static const void* at(const void* m, std::size_t) noexcept { return m; }
    static void* emplace(void* m) { return m; }
    static void reset(void* m) noexcept { clear_value(*static_cast<M*>(m)); }
    static void pop(void*) noexcept {}
    static void* engage(void* m) { return m; }
};

template <class T>
struct ops_impl<optional_value<T>> {
    using M = optional_value<T>;
    static std::size_t size(const void* m) noexcept { return static_cast<const M*>(m)->has_value() ? 1 : 0; }
    static const void* at(const void* m, std::size_t) noexcept { return &**static_cast<const M*>(m); }
    static void* emplace(void* m) { return &static_cast<M*>(m)->emplace(); }
    static void reset(void* m) noexcept { static_cast<M*>(m)->reset(); }
    static void pop(void* m) noexcept { static_cast<M*>(m)->reset(); }
    static void* engage(void* m) { return &static_cast<M*>(m)->emplace(); }
};

template <class T>
struct ops_impl<optional_message<T>> {
    using M = optional_message<T>;
    static std::size_t size(const void* m) noexcept { return static_cast<const M*>(m)->has_value() ? 1 : 0; }
    static const void* at(const void* m, std::size_t) noexcept { return static_cast<const M*>(m)->get(); }
    static void* emplace(void* m) { return &static_cast<M*>(m)->emplace(); }
    static void reset(void* m) noexcept { static_cast<M*>(m)->reset(); }
    static void pop(void* m) noexcept { static_cast<M*>(m)->reset(); }
    static void* engage(void* m) { return &static_cast<M*>(m)->engage(); }
};

template <class T>
struct ops_impl<repeated<T>> {
    using M = repeated<T>;
    static std::size_t size(const void* m) noexcept { return static_cast<const M*>(m)->size(); }
    static const void* at(const void* m, std::size_t i) noexcept { return &(*static_cast<const M*>(m))[i]; }
    static void* emplace(void* m) { return &static_cast<M*>(m)->emplace_back(); }
    static void reset(void* m) noexcept { static_cast<M*>(m)->clear(); }
    static void pop(void* m) noexcept { static_cast<M*>(m)->pop_back(); }
    /// A kept element inline, growth out of line: without the split the
    /// compiler saves every register for the rare growth path on each call
    /// (a list of 500k numbers calls this once per element).
    static void* engage(void* m) {
        M& list = *static_cast<M*>(m);
        if (list.size_ < list.items_.size()) return &list.items_[list.size_++];
        return grow(list);
    }
    [[gnu::noinline]] static void* grow(M& list) { return &list.append(); }
};

template <>
struct ops_impl<string_map> : ops_impl<repeated<std::pair<std::string, std::string>>> {};

template <class M>
inline constexpr container_ops ops_of{&ops_impl<M>::size,  &ops_impl<M>::at,  &ops_impl<M>::emplace,
                                      &ops_impl<M>::reset, &ops_impl<M>::pop, &ops_impl<M>::engage};

template <class>
struct member_pointer_traits;
template <class C, class M>
struct member_pointer_traits<M C::*> {
    using class_type = C;
    using member_type = M;
};

template <class T>
struct value_shape {  // what a member holds: element type and label
    using element = T;
    static constexpr field_label label = field_label::singular;
};
template <class T>
struct value_shape<optional_value<T>> {
    using element = T;
    static constexpr field_label label = field_label::optional;
};
template <class T>
struct value_shape<optional_message<T>> {
    using element = T;
    static constexpr field_label label = field_label::optional;
};
template <class T>
struct value_shape<repeated<T>> {
    using element = T;
    static constexpr field_label label = field_label::repeated;
};
template <>
struct value_shape<string_map> {
    using element = string_map;
    static constexpr field_label label = field_label::singular;
};

template <class E>
constexpr field_kind kind_of() noexcept {
    if constexpr (std::is_same_v<E, std::string>)
        return field_kind::string;
    else if constexpr (std::is_same_v<E, bool>)
        return field_kind::boolean;
    else if constexpr (std::is_same_v<E, std::int32_t>)
        return field_kind::int32;
    else if constexpr (std::is_same_v<E, std::uint32_t>)
        return field_kind::uint32;
    else if constexpr (std::is_same_v<E, std::int64_t>)
        return field_kind::int64;
    else if constexpr (std::is_same_v<E, std::uint64_t>)
        return field_kind::uint64;
    else if constexpr (std::is_same_v<E, double>)
        return field_kind::float64;
    else if constexpr (std::is_same_v<E, string_map>)
        return field_kind::map;
    else if constexpr (std::is_enum_v<E>) {
        static_assert(sizeof(E) == sizeof(std::int32_t) && std::is_same_v<std::underlying_type_t<E>, std::int32_t>);
        return field_kind::enumeration;
    } else
        return field_kind::message;
}

/// One descriptor entry; kind, label and the nested schema are deduced from
/// the member's C++ type, so a generated line cannot disagree with its struct.
/// `offset` is offsetof(message, member) for the same member (the generator
/// writes both from one name).
template <auto Member>
constexpr field_info make_field(std::size_t offset, std::string_view json_name, std::string_view proto_name,
                                std::int32_t number, std::uint8_t oneof = 0, bool credential = false) noexcept {
    using C = typename member_pointer_traits<decltype(Member)>::class_type;
    using M = typename member_pointer_traits<decltype(Member)>::member_type;
    // offsetof is defined for standard-layout classes only.
    static_assert(std::is_standard_layout_v<C>);
    using E = typename value_shape<M>::element;
    constexpr field_kind kind = kind_of<E>();
    const enum_info* enumeration = nullptr;
    const message_info* (*message)() noexcept = nullptr;
    if constexpr (kind == field_kind::enumeration) enumeration = &enum_traits<E>::info;
    if constexpr (kind == field_kind::message) message = &info_of<E>;
    return field_info{json_name,  proto_name,  number,  kind,      value_shape<M>::label, oneof, offset,
                      &ops_of<M>, enumeration, message, credential};
}

}  // namespace lkwebhook::detail

#endif  // LKWEBHOOK_DETAIL_DESCRIPTORS_HPP
