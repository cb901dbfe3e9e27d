#ifndef LKWEBHOOK_KEYS_HPP
#define LKWEBHOOK_KEYS_HPP

// Key providers: where the verifier finds the API secret named by a token's
// `iss` claim. The API key (key id) is public; the secret is the HMAC key,
// used as its raw bytes (never base64-decoded: tests/threats/catalogue.md C10).
//
// Secrets never appear in diagnostics, error messages or operator<< output
// (K1, K2). Our providers keep all key ids and secrets in one heap block that
// is wiped with OPENSSL_cleanse when the provider is destroyed (K5, best
// effort: copies the caller made are the caller's business).

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config.hpp"
#include "detail/openssl.hpp"
#include "error.hpp"
#include "result.hpp"

namespace lkwebhook {

/// Something that maps an API key (the token's `iss`) to its secret.
///
/// Expressions, on a `const K& k` and a `std::string_view key_id`:
///  - `k.find_secret(key_id)`, noexcept, returns
///    `std::optional<std::string_view>`: the secret whose key id equals
///    `key_id` byte for byte (no case folding, trimming or prefix matching:
///    catalogue E3), or nullopt. The view must stay valid and unchanged
///    for as long as the provider is not modified or destroyed. An empty
///    secret is treated as "no such key".
///  - `k.size()`: how many keys are configured (used in diagnostics only).
/// Optional: `k.find_entry(key_id)`, noexcept, returning
/// `std::optional<key_entry>` whose key_id views the provider's own copy of
/// the key id. When present, verified_request::key_id points there (and so
/// lives as long as the provider); when absent, see verified_request.
/// find_secret is called once per request, before the MAC is checked, with
/// an attacker-chosen key id: it must not log it unescaped, allocate without
/// bound, or be slower than O(log n) if you care about pre-auth cost.
/// Providers used from several threads must be safe for concurrent reads.
template <class K>
concept KeyProvider = requires(const K& k, std::string_view key_id) {
    { k.find_secret(key_id) }
    noexcept->std::same_as<std::optional<std::string_view>>;
    { k.size() } -> std::convertible_to<std::size_t>;
};

/// A key id and its secret, both views into a provider's storage.
struct key_entry {
    std::string_view key_id;
    std::string_view secret;
};

/// One key id / secret pair, as given to key_set::make.
struct key_pair {
    std::string_view key_id;
    std::string_view secret;
};

/// Secrets shorter than this draw a (non-fatal) warning: RFC 7518 section 3.2
/// asks for HS256 keys of at least 256 bits. LiveKit's dev mode uses the
/// 6-byte secret "secret", so short secrets are accepted (C7).
inline constexpr std::size_t recommended_secret_bytes = 32;

namespace detail {

/// All key ids and secrets of a provider in one heap block, entries sorted by
/// key id for O(log n) byte-exact lookup. Wipes the block on destruction.
class key_storage {
public:
    key_storage() noexcept = default;

    /// Validates and copies the pairs: >= 1 pair, no empty key id or secret,
    /// no duplicate key ids; else invalid_config with the reason in `why`.
    LKWEBHOOK_DECL static result<key_storage> make(std::span<const key_pair> pairs, diagnosis* why);

    key_storage(const key_storage& other) : key_storage() { copy_from(other); }
    LKWEBHOOK_DECL key_storage& operator=(const key_storage& other);
    key_storage(key_storage&& other) noexcept { swap(other); }
    LKWEBHOOK_DECL key_storage& operator=(key_storage&& other) noexcept;
    ~key_storage() { detail::cleanse(bytes_.get(), size_); }

    LKWEBHOOK_DECL void swap(key_storage& other) noexcept;

    [[nodiscard]] LKWEBHOOK_DECL std::optional<key_entry> find(std::string_view key_id) const noexcept;

    [[nodiscard]] std::size_t size() const noexcept { return entries_.size(); }
    [[nodiscard]] std::span<const key_entry> entries() const noexcept { return entries_; }

    /// Key ids only, quoted and escaped, never secrets.
    LKWEBHOOK_DECL void print(std::ostream& os, std::string_view type_name) const;

private:
    LKWEBHOOK_DECL static result<key_storage> fail(diagnosis* why, std::string_view text);
    LKWEBHOOK_DECL static result<key_storage> fail_at(diagnosis* why, std::string_view text, std::size_t index);
    LKWEBHOOK_DECL void copy_from(const key_storage& other);

    std::unique_ptr<char[]> bytes_{};
    std::size_t size_ = 0;
    std::vector<key_entry> entries_{};
};

}  // namespace detail

/// Exactly one API key and its secret (the common single-project receiver).
/// Immutable after construction, so safe for concurrent use. Copyable
/// (copies the secret) and movable.
class static_key {
public:
    /// invalid_config when `key_id` or `secret` is empty; `why` gets the
    /// reason, or a warning for a secret shorter than 32 bytes on success.
    [[nodiscard]] LKWEBHOOK_DECL static result<static_key> make(std::string_view key_id, std::string_view secret,
                                                                diagnosis* why = nullptr);

    /// The secret when `key_id` is exactly our key id, else nullopt. The view
    /// lives as long as this object (moves keep it valid).
    [[nodiscard]] LKWEBHOOK_DECL std::optional<std::string_view> find_secret(std::string_view key_id) const noexcept;
    /// Like find_secret, with a view of our own copy of the key id.
    [[nodiscard]] LKWEBHOOK_DECL std::optional<key_entry> find_entry(std::string_view key_id) const noexcept;
    /// Always 1.
    [[nodiscard]] std::size_t size() const noexcept { return storage_.size(); }
    /// The key id (public).
    [[nodiscard]] std::string_view key_id() const noexcept { return storage_.entries().front().key_id; }

    /// Prints `static_key{1 key: "APIxyz"; secrets redacted}`.
    friend std::ostream& operator<<(std::ostream& os, const static_key& k) {
        k.storage_.print(os, "static_key");
        return os;
    }

private:
    explicit static_key(detail::key_storage storage) noexcept : storage_(std::move(storage)) {}
    detail::key_storage storage_;
};

/// Several key ids and secrets: key rotation, several projects, per-egress
/// signing keys (tests/vectors/wire-format.md section 3.1). Lookup by `iss` is byte-exact and
/// O(log n) (a sorted array, no unsalted hashing of attacker input).
/// Immutable after construction, so safe for concurrent use. Copyable and
/// movable; to rotate keys at run time, build a new key_set and swap a
/// std::shared_ptr<const key_set> (each request verifies against one snapshot).
class key_set {
public:
    /// invalid_config when `pairs` is empty, a key id or secret is empty, or
    /// a key id repeats. `why` gets the reason (never a secret), or a warning
    /// about a short secret on success.
    [[nodiscard]] LKWEBHOOK_DECL static result<key_set> make(std::span<const key_pair> pairs, diagnosis* why = nullptr);
    [[nodiscard]] LKWEBHOOK_DECL static result<key_set> make(std::initializer_list<key_pair> pairs,
                                                             diagnosis* why = nullptr);

    /// One pair from the environment variables LIVEKIT_API_KEY and
    /// LIVEKIT_API_SECRET (the names LiveKit's SDKs and CLI use). Read only
    /// when called: the verifier itself never reads the environment (K3).
    /// invalid_config when either is unset or empty. Not thread-safe against
    /// concurrent setenv(), like std::getenv.
    [[nodiscard]] LKWEBHOOK_DECL static result<key_set> from_environment(diagnosis* why = nullptr);

    /// The secret of the key whose id equals `key_id` byte for byte, or
    /// nullopt. The view lives as long as this key_set (moves keep it valid).
    [[nodiscard]] LKWEBHOOK_DECL std::optional<std::string_view> find_secret(std::string_view key_id) const noexcept;
    /// Like find_secret, with a view of our own copy of the key id.
    [[nodiscard]] LKWEBHOOK_DECL std::optional<key_entry> find_entry(std::string_view key_id) const noexcept;
    /// Number of configured keys.
    [[nodiscard]] std::size_t size() const noexcept { return storage_.size(); }
    /// The configured key ids (public), sorted byte-wise.
    [[nodiscard]] LKWEBHOOK_DECL std::vector<std::string_view> key_ids() const;

    /// Prints `key_set{2 keys: "APIa", "APIb"; secrets redacted}`.
    friend std::ostream& operator<<(std::ostream& os, const key_set& k) {
        k.storage_.print(os, "key_set");
        return os;
    }

private:
    explicit key_set(detail::key_storage storage) noexcept : storage_(std::move(storage)) {}

    detail::key_storage storage_;
};

static_assert(KeyProvider<static_key>);
static_assert(KeyProvider<key_set>);

}  // namespace lkwebhook

#if LKWEBHOOK_HEADER_ONLY
#include "impl/keys.ipp"
#endif

#endif  // LKWEBHOOK_KEYS_HPP
