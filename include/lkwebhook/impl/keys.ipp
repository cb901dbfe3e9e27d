#ifndef LKWEBHOOK_IMPL_KEYS_IPP
#define LKWEBHOOK_IMPL_KEYS_IPP

// The key providers' implementation (keys.hpp is their interface).
// Included by keys.hpp in the default header-only mode, by <lkwebhook/src.hpp>
// only with LKWEBHOOK_SEPARATE_COMPILATION (config.hpp).

#include <algorithm>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "../config.hpp"
#include "../keys.hpp"

namespace lkwebhook::detail {

LKWEBHOOK_DECL result<key_storage> key_storage::make(std::span<const key_pair> pairs, diagnosis* why) {
    diagnose(why).clear();
    if (pairs.empty()) return fail(why, "no API key configured");
    std::size_t total = 0;
    for (std::size_t i = 0; i < pairs.size(); ++i) {
        if (pairs[i].key_id.empty()) return fail_at(why, "empty API key (key id) in entry ", i);
        if (pairs[i].secret.empty()) {
            diagnose(why).append("empty API secret for key ").append_escaped(pairs[i].key_id);
            return errc::invalid_config;
        }
        total += pairs[i].key_id.size() + pairs[i].secret.size();
    }
    key_storage s;
    s.bytes_ = std::make_unique<char[]>(total);
    s.size_ = total;
    s.entries_.reserve(pairs.size());
    std::size_t at = 0;
    for (const key_pair& p : pairs) {
        char* key = s.bytes_.get() + at;
        std::copy(p.key_id.begin(), p.key_id.end(), key);
        at += p.key_id.size();
        char* secret = s.bytes_.get() + at;
        std::copy(p.secret.begin(), p.secret.end(), secret);
        at += p.secret.size();
        s.entries_.push_back(key_entry{{key, p.key_id.size()}, {secret, p.secret.size()}});
    }
    std::sort(s.entries_.begin(), s.entries_.end(),
              [](const key_entry& a, const key_entry& b) { return a.key_id < b.key_id; });
    for (std::size_t i = 1; i < s.entries_.size(); ++i) {
        if (s.entries_[i].key_id == s.entries_[i - 1].key_id) {
            diagnose(why).append("duplicate API key ").append_escaped(s.entries_[i].key_id);
            return errc::invalid_config;
        }
    }
    for (const key_entry& e : s.entries_) {
        if (e.secret.size() < recommended_secret_bytes) {
            diagnose(why)
                    .append("warning: the secret of API key ")
                    .append_escaped(e.key_id)
                    .append(" is shorter than 32 bytes; use a longer one in production");
            break;  // one warning (C7)
        }
    }
    return s;
}

LKWEBHOOK_DECL key_storage& key_storage::operator=(const key_storage& other) {
    if (this != &other) {
        key_storage copy(other);
        swap(copy);
    }
    return *this;
}

LKWEBHOOK_DECL key_storage& key_storage::operator=(key_storage&& other) noexcept {
    if (this != &other) {
        key_storage moved(std::move(other));
        swap(moved);
    }
    return *this;
}

LKWEBHOOK_DECL void key_storage::swap(key_storage& other) noexcept {
    std::swap(bytes_, other.bytes_);
    std::swap(size_, other.size_);
    std::swap(entries_, other.entries_);
}

LKWEBHOOK_DECL std::optional<key_entry> key_storage::find(std::string_view key_id) const noexcept {
    const auto it = std::lower_bound(entries_.begin(), entries_.end(), key_id,
                                     [](const key_entry& e, std::string_view k) noexcept { return e.key_id < k; });
    if (it == entries_.end() || it->key_id != key_id) return std::nullopt;
    return *it;
}

LKWEBHOOK_DECL void key_storage::print(std::ostream& os, std::string_view type_name) const {
    os << type_name << '{' << entries_.size() << (entries_.size() == 1 ? " key: " : " keys: ");
    bool first = true;
    for (const key_entry& e : entries_) {
        if (!first) os << ", ";
        first = false;
        diagnosis d;
        d.append_escaped(e.key_id);
        os << d.view();
    }
    os << "; secrets redacted}";
}

LKWEBHOOK_DECL result<key_storage> key_storage::fail(diagnosis* why, std::string_view text) {
    diagnose(why).append(text);
    return errc::invalid_config;
}

LKWEBHOOK_DECL result<key_storage> key_storage::fail_at(diagnosis* why, std::string_view text, std::size_t index) {
    diagnose(why).append(text).append(index);
    return errc::invalid_config;
}

LKWEBHOOK_DECL void key_storage::copy_from(const key_storage& other) {
    if (other.size_ != 0) {
        bytes_ = std::make_unique<char[]>(other.size_);
        std::copy(other.bytes_.get(), other.bytes_.get() + other.size_, bytes_.get());
    }
    size_ = other.size_;
    entries_.reserve(other.entries_.size());
    for (const key_entry& e : other.entries_) {
        const auto rebase = [&](std::string_view v) {
            return std::string_view{bytes_.get() + (v.data() - other.bytes_.get()), v.size()};
        };
        entries_.push_back(key_entry{rebase(e.key_id), rebase(e.secret)});
    }
}

}  // namespace lkwebhook::detail

namespace lkwebhook {

LKWEBHOOK_DECL result<static_key> static_key::make(std::string_view key_id, std::string_view secret, diagnosis* why) {
    const key_pair pair{key_id, secret};
    auto storage = detail::key_storage::make(std::span<const key_pair>(&pair, 1), why);
    if (!storage) return storage.error();
    return static_key(std::move(*storage));
}

LKWEBHOOK_DECL std::optional<std::string_view> static_key::find_secret(std::string_view key_id) const noexcept {
    const auto e = storage_.find(key_id);
    if (!e) return std::nullopt;
    return e->secret;
}

LKWEBHOOK_DECL std::optional<key_entry> static_key::find_entry(std::string_view key_id) const noexcept {
    return storage_.find(key_id);
}

LKWEBHOOK_DECL result<key_set> key_set::make(std::span<const key_pair> pairs, diagnosis* why) {
    auto storage = detail::key_storage::make(pairs, why);
    if (!storage) return storage.error();
    return key_set(std::move(*storage));
}

LKWEBHOOK_DECL result<key_set> key_set::make(std::initializer_list<key_pair> pairs, diagnosis* why) {
    return make(std::span<const key_pair>(pairs.begin(), pairs.size()), why);
}

LKWEBHOOK_DECL result<key_set> key_set::from_environment(diagnosis* why) {
    diagnose(why).clear();
    const char* key = std::getenv("LIVEKIT_API_KEY");
    const char* secret = std::getenv("LIVEKIT_API_SECRET");
    if (key == nullptr || *key == '\0') {
        diagnose(why).append("LIVEKIT_API_KEY is not set or empty");
        return errc::invalid_config;
    }
    if (secret == nullptr || *secret == '\0') {
        diagnose(why).append("LIVEKIT_API_SECRET is not set or empty");
        return errc::invalid_config;
    }
    return make({key_pair{key, secret}}, why);
}

LKWEBHOOK_DECL std::optional<std::string_view> key_set::find_secret(std::string_view key_id) const noexcept {
    const auto e = storage_.find(key_id);
    if (!e) return std::nullopt;
    return e->secret;
}

LKWEBHOOK_DECL std::optional<key_entry> key_set::find_entry(std::string_view key_id) const noexcept {
    return storage_.find(key_id);
}

LKWEBHOOK_DECL std::vector<std::string_view> key_set::key_ids() const {
    std::vector<std::string_view> ids;
    ids.reserve(storage_.size());
    for (const key_entry& e : storage_.entries()) ids.push_back(e.key_id);
    return ids;
}

}  // namespace lkwebhook

#endif  // LKWEBHOOK_IMPL_KEYS_IPP
