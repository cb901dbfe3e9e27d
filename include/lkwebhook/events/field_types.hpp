#ifndef LKWEBHOOK_EVENTS_FIELD_TYPES_HPP
#define LKWEBHOOK_EVENTS_FIELD_TYPES_HPP

// The field containers of the typed events (part of <lkwebhook/events.hpp>):
// optional_value<T> (explicit presence for scalars: proto3 `optional` fields
// and oneof members), optional_message<T> (presence for sub-messages),
// repeated<T> and string_map (map<string, string>, order-preserving).
//
// The type-erased schema descriptors that drive the one generic decoder and
// the one generic encoder are in detail/descriptors.hpp; correlator code that
// only reads events never compiles them.
//
// Reuse without allocation: every container keeps its storage when it is
// reset. A sub-message that was decoded once keeps its heap block, a
// repeated field keeps its elements (and their strings' capacity) and only
// moves its used-count, so decoding the same shape of event into the same
// webhook_event again allocates nothing.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "../config.hpp"

namespace lkwebhook {

/// The proto name of a generated message struct ("livekit.Room"); empty for
/// every other type. Specialised for every struct in events/schema.hpp.
template <class T>
inline constexpr std::string_view proto_message_name{};

/// Schema descriptor of a generated message struct: `proto_name`, `fields`,
/// `info`. Specialised for every struct in detail/schema_traits.hpp (the
/// decoder and encoder include it).
template <class T>
struct message_traits;

/// Names of a generated enum: `proto_name`, `values`, `info`.
/// Specialised for every enum in events/schema.hpp.
template <class E>
struct enum_traits;

namespace detail {

[[noreturn]] inline void bad_access() { throw_or_abort(std::bad_optional_access()); }

template <class T>
void clear_value(T& value) noexcept;

/// Resets every field of a generated message, keeping all storage; an
/// explicit specialisation per message in events/schema.hpp.
template <class T>
void clear_fields(T& message) noexcept;

template <class M>
struct ops_impl;

}  // namespace detail

/// A scalar (or string) with explicit presence: proto3 `optional` fields and
/// oneof members. The API is a subset of std::optional. reset() keeps a
/// string's capacity.
template <class T>
class optional_value {
public:
    using value_type = T;

    constexpr optional_value() noexcept(std::is_nothrow_default_constructible_v<T>) = default;
    constexpr optional_value(const T& value) : value_(value), engaged_(true) {}  // NOLINT: implicit like std::optional
    constexpr optional_value(T&& value) noexcept(std::is_nothrow_move_constructible_v<T>)  // NOLINT
        : value_(std::move(value)), engaged_(true) {}

    optional_value& operator=(const T& value) {
        value_ = value;
        engaged_ = true;
        return *this;
    }
    optional_value& operator=(T&& value) noexcept(std::is_nothrow_move_assignable_v<T>) {
        value_ = std::move(value);
        engaged_ = true;
        return *this;
    }

    [[nodiscard]] constexpr bool has_value() const noexcept { return engaged_; }
    [[nodiscard]] constexpr explicit operator bool() const noexcept { return engaged_; }
    [[nodiscard]] constexpr T& operator*() noexcept { return value_; }
    [[nodiscard]] constexpr const T& operator*() const noexcept { return value_; }
    [[nodiscard]] constexpr T* operator->() noexcept { return &value_; }
    [[nodiscard]] constexpr const T* operator->() const noexcept { return &value_; }
    [[nodiscard]] T& value() {
        if (!engaged_) detail::bad_access();
        return value_;
    }
    [[nodiscard]] const T& value() const {
        if (!engaged_) detail::bad_access();
        return value_;
    }
    template <class U>
    [[nodiscard]] T value_or(U&& fallback) const {
        return engaged_ ? value_ : static_cast<T>(std::forward<U>(fallback));
    }

    /// Makes the value present and default (zero, empty); returns it.
    T& emplace() noexcept {
        detail::clear_value(value_);
        engaged_ = true;
        return value_;
    }
    /// Makes the value absent; a string keeps its capacity.
    void reset() noexcept {
        detail::clear_value(value_);
        engaged_ = false;
    }

    friend bool operator==(const optional_value& a, const optional_value& b) {
        return a.engaged_ == b.engaged_ && (!a.engaged_ || a.value_ == b.value_);
    }

private:
    T value_{};
    bool engaged_ = false;
};

/// A sub-message field: present or absent ("room" absent is not the same as
/// `"room":{}`). Like std::optional, but the storage lives on the heap and
/// survives reset(), so a reused event does not reallocate it.
///
/// It owns its block through a plain pointer rather than std::unique_ptr:
/// every generated struct instantiates this template, and unique_ptr's
/// instantiation was a third of the cost of compiling <lkwebhook/events.hpp>
/// (tests/headers/compile_cost.py keeps that header cheap).
template <class T>
class optional_message {
public:
    using value_type = T;

    optional_message() noexcept = default;
    optional_message(const T& value) : storage_(new T(value)), engaged_(true) {}        // NOLINT
    optional_message(T&& value) : storage_(new T(std::move(value))), engaged_(true) {}  // NOLINT
    optional_message(const optional_message& other)
        : storage_(other.engaged_ ? new T(*other.storage_) : nullptr), engaged_(other.engaged_) {}
    optional_message(optional_message&& other) noexcept
        : storage_(std::exchange(other.storage_, nullptr)), engaged_(std::exchange(other.engaged_, false)) {}
    optional_message& operator=(const optional_message& other) {
        if (this == &other) return *this;
        if (!other.engaged_) {
            reset();
        } else if (storage_ != nullptr) {
            *storage_ = *other.storage_;
            engaged_ = true;
        } else {
            storage_ = new T(*other.storage_);
            engaged_ = true;
        }
        return *this;
    }
    optional_message& operator=(optional_message&& other) noexcept {
        if (this == &other) return *this;
        delete storage_;
        storage_ = std::exchange(other.storage_, nullptr);
        engaged_ = std::exchange(other.engaged_, false);
        return *this;
    }
    optional_message& operator=(const T& value) {
        emplace() = value;
        return *this;
    }
    optional_message& operator=(T&& value) {
        emplace() = std::move(value);
        return *this;
    }
    ~optional_message() { delete storage_; }

    [[nodiscard]] bool has_value() const noexcept { return engaged_; }
    [[nodiscard]] explicit operator bool() const noexcept { return engaged_; }
    /// Precondition: has_value().
    [[nodiscard]] T& operator*() noexcept { return *storage_; }
    [[nodiscard]] const T& operator*() const noexcept { return *storage_; }
    [[nodiscard]] T* operator->() noexcept { return storage_; }
    [[nodiscard]] const T* operator->() const noexcept { return storage_; }
    [[nodiscard]] T& value() {
        if (!engaged_) detail::bad_access();
        return *storage_;
    }
    [[nodiscard]] const T& value() const {
        if (!engaged_) detail::bad_access();
        return *storage_;
    }
    /// The value if present, else nullptr.
    [[nodiscard]] const T* get() const noexcept { return engaged_ ? storage_ : nullptr; }

    /// Makes the message present and empty (all fields default), reusing the
    /// storage of an earlier value; returns it. May throw std::bad_alloc the
    /// first time only.
    T& emplace() {
        if (storage_ != nullptr) {
            detail::clear_value(*storage_);
        } else {
            storage_ = new T();
        }
        engaged_ = true;
        return *storage_;
    }
    /// Makes the message absent; its storage is kept for the next emplace().
    void reset() noexcept { engaged_ = false; }

    friend bool operator==(const optional_message& a, const optional_message& b) {
        return a.engaged_ == b.engaged_ && (!a.engaged_ || *a.storage_ == *b.storage_);
    }

private:
    template <class>
    friend struct detail::ops_impl;

    /// emplace() without clearing an earlier value: for the decoder, which
    /// writes or resets every field of the message itself.
    T& engage() {
        if (storage_ == nullptr) storage_ = new T();
        engaged_ = true;
        return *storage_;
    }

    T* storage_ = nullptr;
    bool engaged_ = false;
};

/// A repeated field: a contiguous list whose elements are kept (with their
/// capacity) when it is cleared, and reused by the next emplace_back().
template <class T>
class repeated {
    static_assert(!std::is_same_v<T, bool>, "repeated<bool> would use std::vector<bool>");

public:
    using value_type = T;
    using size_type = std::size_t;
    using iterator = T*;
    using const_iterator = const T*;
    using reference = T&;
    using const_reference = const T&;

    repeated() noexcept = default;
    repeated(std::initializer_list<T> items) : items_(items), size_(items.size()) {}
    repeated(const repeated& other) : items_(other.begin(), other.end()), size_(other.size_) {}
    repeated(repeated&& other) noexcept : items_(std::move(other.items_)), size_(std::exchange(other.size_, 0)) {}
    repeated& operator=(const repeated& other) {
        if (this == &other) return *this;
        clear();
        for (const T& item : other) emplace_back() = item;
        return *this;
    }
    repeated& operator=(repeated&& other) noexcept {
        items_ = std::move(other.items_);
        size_ = std::exchange(other.size_, 0);
        return *this;
    }
    ~repeated() = default;

    [[nodiscard]] std::size_t size() const noexcept { return size_; }
    [[nodiscard]] bool empty() const noexcept { return size_ == 0; }
    /// Elements kept for reuse (at least size()).
    [[nodiscard]] std::size_t capacity() const noexcept { return items_.size(); }
    [[nodiscard]] T* data() noexcept { return items_.data(); }
    [[nodiscard]] const T* data() const noexcept { return items_.data(); }
    [[nodiscard]] T* begin() noexcept { return items_.data(); }
    [[nodiscard]] T* end() noexcept { return items_.data() + size_; }
    [[nodiscard]] const T* begin() const noexcept { return items_.data(); }
    [[nodiscard]] const T* end() const noexcept { return items_.data() + size_; }
    /// Precondition: index < size().
    [[nodiscard]] T& operator[](std::size_t index) noexcept { return items_[index]; }
    [[nodiscard]] const T& operator[](std::size_t index) const noexcept { return items_[index]; }
    [[nodiscard]] T& front() noexcept { return items_[0]; }
    [[nodiscard]] const T& front() const noexcept { return items_[0]; }
    [[nodiscard]] T& back() noexcept { return items_[size_ - 1]; }
    [[nodiscard]] const T& back() const noexcept { return items_[size_ - 1]; }

    /// Appends a default (zero, empty) element, reusing a kept one when
    /// available; returns it. May throw std::bad_alloc when it grows.
    T& emplace_back() {
        if (size_ < items_.size()) {
            T& item = items_[size_++];
            detail::clear_value(item);
            return item;
        }
        items_.emplace_back();
        ++size_;
        return items_.back();
    }
    void push_back(const T& item) { emplace_back() = item; }
    void push_back(T&& item) { emplace_back() = std::move(item); }
    /// Removes the last element (kept for reuse). Precondition: !empty().
    void pop_back() noexcept { --size_; }
    /// Removes every element; they are kept for reuse.
    void clear() noexcept { size_ = 0; }
    void reserve(std::size_t n) {
        if (n > items_.size()) items_.resize(n);
    }

    friend bool operator==(const repeated& a, const repeated& b) {
        if (a.size_ != b.size_) return false;
        for (std::size_t i = 0; i < a.size_; ++i) {
            if (!(a.items_[i] == b.items_[i])) return false;
        }
        return true;
    }

private:
    template <class>
    friend struct detail::ops_impl;

    /// emplace_back() without clearing a kept element: for the decoder,
    /// which writes or resets all of it itself.
    T& append() {
        if (size_ < items_.size()) return items_[size_++];
        items_.emplace_back();
        ++size_;
        return items_.back();
    }

    std::vector<T> items_;
    std::size_t size_ = 0;
};

/// map<string, string> as an order-preserving list of pairs (in the order
/// received). Deliberately not a hash map: keys are chosen by end users and
/// an unsalted std::hash table can be flooded (catalogue G20). The
/// decoder rejects duplicate keys, so each key occurs at most once.
class string_map : public repeated<std::pair<std::string, std::string>> {
public:
    using repeated::repeated;

    /// The value of `key`, or nullptr. Linear in size().
    [[nodiscard]] const std::string* find(std::string_view key) const noexcept {
        for (const auto& entry : *this) {
            if (entry.first == key) return &entry.second;
        }
        return nullptr;
    }
    [[nodiscard]] bool contains(std::string_view key) const noexcept { return find(key) != nullptr; }
    /// Sets `key` to `value`, appending the key when it is new.
    void set(std::string_view key, std::string_view value) {
        for (auto& entry : *this) {
            if (entry.first == key) {
                entry.second.assign(value);
                return;
            }
        }
        auto& entry = emplace_back();
        entry.first.assign(key);
        entry.second.assign(value);
    }

    /// Map equality: the same key/value pairs, in any order.
    friend bool operator==(const string_map& a, const string_map& b) noexcept {
        if (a.size() != b.size()) return false;
        for (const auto& entry : a) {
            const std::string* other = b.find(entry.first);
            if (other == nullptr || *other != entry.second) return false;
        }
        return true;
    }
};

namespace detail {

/// The name and values of a generated enum (enum_traits<E>::info).
struct enum_value {
    std::int32_t number;
    std::string_view name;
};

struct enum_info {
    std::string_view proto_name;
    const enum_value* values;
    std::size_t size;

    /// The name of `number`, or empty when this schema does not know it.
    [[nodiscard]] constexpr std::string_view name_of(std::int32_t number) const noexcept {
        for (std::size_t i = 0; i < size; ++i) {
            if (values[i].number == number) return values[i].name;
        }
        return {};
    }
    /// The value named `name`, or nullptr. Length and first byte are
    /// tested inline before the names are compared: the decoder looks up
    /// every enum name a body carries, and most values differ in one of the
    /// two (TrackSource names in length, VideoQuality's and TrackType's in
    /// their first letter), so they cost no compare call.
    [[nodiscard]] constexpr const enum_value* find(std::string_view name) const noexcept {
        if (name.empty()) return nullptr;  // no value has an empty name
        for (std::size_t i = 0; i < size; ++i) {
            const std::string_view candidate = values[i].name;
            if (candidate.size() == name.size() && candidate[0] == name[0] && candidate == name) return &values[i];
        }
        return nullptr;
    }
};

/// Back to the default (zero, empty, absent) keeping storage: one member of
/// a generated struct.
template <class M>
inline void reset_member(M& member) noexcept {
    if constexpr (requires { member.reset(); }) {
        member.reset();  // optional_value, optional_message
    } else if constexpr (requires { member.clear(); }) {
        member.clear();  // std::string, repeated, string_map
    } else {
        member = M{};  // numbers, enums
    }
}

/// Back to the default keeping storage: a value held by a container.
template <class T>
inline void clear_value(T& value) noexcept {
    if constexpr (std::is_same_v<T, std::pair<std::string, std::string>>) {
        value.first.clear();
        value.second.clear();
    } else if constexpr (std::is_class_v<T> && !std::is_same_v<T, std::string>) {
        clear_fields(value);  // generated for every message (events/schema.hpp)
    } else {
        reset_member(value);
    }
}

}  // namespace detail
}  // namespace lkwebhook

#endif  // LKWEBHOOK_EVENTS_FIELD_TYPES_HPP
