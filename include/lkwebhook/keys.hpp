#ifndef LKWEBHOOK_KEYS_HPP
#define LKWEBHOOK_KEYS_HPP

// Key providers: where the verifier finds the API secret named by a token's
// `iss` claim. The API key (key id) is public; the secret is the HMAC key,
// used as its raw bytes (never base64-decoded: threat model C10).
//
// Secrets never appear in diagnostics, error messages or operator<< output
// (K1, K2). Our providers keep all key ids and secrets in one heap block that
// is wiped with OPENSSL_cleanse when the provider is destroyed (K5, best
// effort: copies the caller made are the caller's business).

#include <algorithm>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "detail/openssl.hpp"
#include "error.hpp"
#include "result.hpp"

#if !defined(_WIN32)
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

namespace lkwebhook {

/// Something that maps an API key (the token's `iss`) to its secret.
///
/// Expressions, on a `const K& k` and a `std::string_view key_id`:
///  - `k.find_secret(key_id)`, noexcept, returns
///    `std::optional<std::string_view>`: the secret whose key id equals
///    `key_id` byte for byte (no case folding, trimming or prefix matching:
///    threat model E3), or nullopt. The view must stay valid and unchanged
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
    static result<key_storage> make(std::span<const key_pair> pairs, diagnosis* why) {
        if (why != nullptr) why->clear();
        if (pairs.empty()) return fail(why, "no API key configured");
        std::size_t total = 0;
        for (std::size_t i = 0; i < pairs.size(); ++i) {
            if (pairs[i].key_id.empty()) return fail_at(why, "empty API key (key id) in entry ", i);
            if (pairs[i].secret.empty()) {
                if (why != nullptr) why->append("empty API secret for key ").append_escaped(pairs[i].key_id);
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
                if (why != nullptr) why->append("duplicate API key ").append_escaped(s.entries_[i].key_id);
                return errc::invalid_config;
            }
        }
        if (why != nullptr) {
            for (const key_entry& e : s.entries_) {
                if (e.secret.size() < recommended_secret_bytes) {
                    why->append("warning: the secret of API key ")
                            .append_escaped(e.key_id)
                            .append(" is shorter than 32 bytes; use a longer one in production");
                    break;  // one warning (C7)
                }
            }
        }
        return s;
    }

    key_storage(const key_storage& other) : key_storage() { copy_from(other); }
    key_storage& operator=(const key_storage& other) {
        if (this != &other) {
            key_storage copy(other);
            swap(copy);
        }
        return *this;
    }
    key_storage(key_storage&& other) noexcept { swap(other); }
    key_storage& operator=(key_storage&& other) noexcept {
        if (this != &other) {
            key_storage moved(std::move(other));
            swap(moved);
        }
        return *this;
    }
    ~key_storage() { detail::cleanse(bytes_.get(), size_); }

    void swap(key_storage& other) noexcept {
        std::swap(bytes_, other.bytes_);
        std::swap(size_, other.size_);
        std::swap(entries_, other.entries_);
    }

    [[nodiscard]] std::optional<key_entry> find(std::string_view key_id) const noexcept {
        const auto it = std::lower_bound(entries_.begin(), entries_.end(), key_id,
                                         [](const key_entry& e, std::string_view k) noexcept { return e.key_id < k; });
        if (it == entries_.end() || it->key_id != key_id) return std::nullopt;
        return *it;
    }

    [[nodiscard]] std::size_t size() const noexcept { return entries_.size(); }
    [[nodiscard]] std::span<const key_entry> entries() const noexcept { return entries_; }

    /// Key ids only, quoted and escaped, never secrets.
    void print(std::ostream& os, std::string_view type_name) const {
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

private:
    static result<key_storage> fail(diagnosis* why, std::string_view text) {
        if (why != nullptr) why->append(text);
        return errc::invalid_config;
    }
    static result<key_storage> fail_at(diagnosis* why, std::string_view text, std::size_t index) {
        if (why != nullptr) why->append(text).append(index);
        return errc::invalid_config;
    }
    void copy_from(const key_storage& other) {
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

    std::unique_ptr<char[]> bytes_{};
    std::size_t size_ = 0;
    std::vector<key_entry> entries_{};
};

/// Wipes the strings' bytes (used for parsed secrets before they are freed).
inline void cleanse_pairs(std::vector<std::pair<std::string, std::string>>& pairs) noexcept {
    for (auto& [k, s] : pairs) {
        cleanse(s.data(), s.size());
        cleanse(k.data(), k.size());
    }
}

[[nodiscard]] constexpr int hex_digit_value_ascii(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

inline bool yaml_plain_start_ok(std::string_view s) noexcept {
    if (s.empty()) return false;
    constexpr std::string_view indicators = "[]{}#&*!|>%@`,";
    if (indicators.find(s.front()) != std::string_view::npos) return false;
    if ((s.front() == '-' || s.front() == '?' || s.front() == ':') && (s.size() == 1 || s[1] == ' ' || s[1] == '\t'))
        return false;
    return true;
}

/// Parses one YAML flow scalar (quoted or plain) starting at `line[pos]`.
/// For keys, `is_key` stops a plain scalar at ": "; for values the rest of the
/// line (minus a " #" comment) is the scalar. Returns false with a reason.
inline bool yaml_scalar(std::string_view line, std::size_t& pos, bool is_key, std::string& out,
                        std::string_view& reason) {
    out.clear();
    if (pos >= line.size()) {
        reason = "missing value";
        return false;
    }
    const char q = line[pos];
    if (q == '\'') {
        ++pos;
        for (;;) {
            if (pos >= line.size()) {
                reason = "unterminated single-quoted scalar";
                return false;
            }
            if (line[pos] == '\'') {
                if (pos + 1 < line.size() && line[pos + 1] == '\'') {
                    out.push_back('\'');
                    pos += 2;
                    continue;
                }
                ++pos;
                return true;
            }
            out.push_back(line[pos++]);
        }
    }
    if (q == '"') {
        ++pos;
        for (;;) {
            if (pos >= line.size()) {
                reason = "unterminated double-quoted scalar";
                return false;
            }
            const char c = line[pos++];
            if (c == '"') return true;
            if (c != '\\') {
                out.push_back(c);
                continue;
            }
            if (pos >= line.size()) {
                reason = "bad escape in double-quoted scalar";
                return false;
            }
            const char e = line[pos++];
            switch (e) {
                case '\\': out.push_back('\\'); continue;
                case '"': out.push_back('"'); continue;
                case '/': out.push_back('/'); continue;
                case 'n': out.push_back('\n'); continue;
                case 't': out.push_back('\t'); continue;
                case 'r': out.push_back('\r'); continue;
                case '0': out.push_back('\0'); continue;
                case ' ': out.push_back(' '); continue;
                default: break;
            }
            std::size_t digits = e == 'x' ? 2 : e == 'u' ? 4 : e == 'U' ? 8 : 0;
            if (digits == 0 || pos + digits > line.size()) {
                reason = "unsupported escape in double-quoted scalar";
                return false;
            }
            std::uint32_t cp = 0;
            for (std::size_t i = 0; i < digits; ++i) {
                const int d = detail::hex_digit_value_ascii(line[pos + i]);
                if (d < 0) {
                    reason = "bad hex escape in double-quoted scalar";
                    return false;
                }
                cp = cp << 4 | static_cast<std::uint32_t>(d);
            }
            pos += digits;
            if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
                reason = "bad code point in double-quoted scalar";
                return false;
            }
            if (cp < 0x80) {
                out.push_back(static_cast<char>(cp));
            } else if (cp < 0x800) {
                out.push_back(static_cast<char>(0xC0 | cp >> 6));
                out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
            } else if (cp < 0x10000) {
                out.push_back(static_cast<char>(0xE0 | cp >> 12));
                out.push_back(static_cast<char>(0x80 | (cp >> 6 & 0x3F)));
                out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
            } else {
                out.push_back(static_cast<char>(0xF0 | cp >> 18));
                out.push_back(static_cast<char>(0x80 | (cp >> 12 & 0x3F)));
                out.push_back(static_cast<char>(0x80 | (cp >> 6 & 0x3F)));
                out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
            }
        }
    }
    // Plain scalar.
    const std::string_view rest = line.substr(pos);
    if (!yaml_plain_start_ok(rest)) {
        reason = "unsupported YAML (flow collection, anchor, tag, block scalar or indicator)";
        return false;
    }
    std::size_t end = rest.size();
    for (std::size_t i = 0; i < rest.size(); ++i) {
        const bool space_before = i > 0 && (rest[i - 1] == ' ' || rest[i - 1] == '\t');
        if (rest[i] == '#' && space_before) {
            end = i;
            break;
        }
        if (rest[i] == ':' && (i + 1 == rest.size() || rest[i + 1] == ' ' || rest[i + 1] == '\t')) {
            if (is_key) {
                end = i;
                break;
            }
            reason = "a value contains \": \" (quote it)";
            return false;
        }
    }
    std::string_view scalar = rest.substr(0, end);
    while (!scalar.empty() && (scalar.back() == ' ' || scalar.back() == '\t')) scalar.remove_suffix(1);
    out.assign(scalar.begin(), scalar.end());
    pos += scalar.size();
    if (!is_key && (scalar == "~" || scalar == "null" || scalar == "Null" || scalar == "NULL")) out.clear();
    return true;
}

/// livekit-server `--key-file` format: a YAML mapping of API key to secret,
/// one `key: secret` per line (decoded by livekit-server with yaml.v3 into a
/// map[string]string). Supported: blank lines, `#` comments (whole-line and
/// after a space), a leading `---`, plain, single- and double-quoted
/// scalars, CRLF line ends, uniform indentation. Rejected as invalid_config,
/// like yaml.v3 would reject or misread them: `key:secret` without the
/// space (a plain scalar, not a mapping), duplicate keys, empty or null
/// secrets, tabs in indentation, nested or multi-line values, flow/anchor/tag
/// syntax. Line numbers, never secrets, appear in the diagnosis.
inline result<std::vector<std::pair<std::string, std::string>>> parse_key_file_text(std::string_view text,
                                                                                    diagnosis* why) {
    std::vector<std::pair<std::string, std::string>> pairs;
    const auto fail = [&](std::size_t line_no, std::string_view reason) {
        cleanse_pairs(pairs);
        if (why != nullptr) why->append("key file line ").append(line_no).append(": ").append(reason);
        return result<std::vector<std::pair<std::string, std::string>>>{errc::invalid_config};
    };
    std::size_t line_no = 0;
    std::size_t indent = std::string_view::npos;
    bool seen_entry = false;
    std::size_t start = 0;
    while (start <= text.size()) {
        std::size_t nl = text.find('\n', start);
        if (nl == std::string_view::npos) nl = text.size();
        std::string_view line = text.substr(start, nl - start);
        start = nl + 1;
        ++line_no;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        std::size_t pos = 0;
        while (pos < line.size() && line[pos] == ' ') ++pos;
        std::size_t ws_end = pos;
        while (ws_end < line.size() && line[ws_end] == '\t') ++ws_end;
        if (ws_end == line.size() || line[ws_end] == '#') {
            if (nl == text.size()) break;
            continue;  // blank or comment
        }
        if (ws_end != pos) return fail(line_no, "tab in indentation");
        const std::string_view content = line.substr(pos);
        if (!seen_entry && (content == "---" || content.starts_with("--- ") || content.starts_with("---\t"))) {
            if (nl == text.size()) break;
            continue;
        }
        if (content == "...") break;
        if (indent == std::string_view::npos) indent = pos;
        if (pos != indent)
            return fail(line_no, "inconsistent indentation (nested or multi-line values are not supported)");
        std::string key;
        std::string value;
        std::string_view reason;
        if (!yaml_scalar(line, pos, true, key, reason)) return fail(line_no, reason);
        if (pos >= line.size() || line[pos] != ':' ||
            (pos + 1 < line.size() && line[pos + 1] != ' ' && line[pos + 1] != '\t'))
            return fail(line_no, "expected \"key: secret\" (with a space after the colon)");
        ++pos;
        while (pos < line.size() && (line[pos] == ' ' || line[pos] == '\t')) ++pos;
        if (pos >= line.size() || line[pos] == '#') {
            detail::cleanse(key.data(), key.size());
            return fail(line_no, "empty secret");
        }
        if (!yaml_scalar(line, pos, false, value, reason)) return fail(line_no, reason);
        while (pos < line.size() && (line[pos] == ' ' || line[pos] == '\t')) ++pos;
        if (pos < line.size() && line[pos] != '#') return fail(line_no, "unexpected text after the secret");
        if (key.empty()) return fail(line_no, "empty API key");
        if (value.empty()) return fail(line_no, "empty secret");
        for (const auto& [k, s] : pairs) {
            if (k == key) {
                if (why != nullptr)
                    why->append("key file line ").append(line_no).append(": duplicate API key ").append_escaped(key);
                cleanse_pairs(pairs);
                return errc::invalid_config;
            }
        }
        seen_entry = true;
        pairs.emplace_back(std::move(key), std::move(value));
        if (nl == text.size()) break;
    }
    if (pairs.empty()) {
        if (why != nullptr) why->append("key file has no \"key: secret\" entries");
        return errc::invalid_config;
    }
    return pairs;
}

}  // namespace detail

/// Exactly one API key and its secret (the common single-project receiver).
/// Immutable after construction, so safe for concurrent use. Copyable
/// (copies the secret) and movable.
class static_key {
public:
    /// invalid_config when `key_id` or `secret` is empty; `why` gets the
    /// reason, or a warning for a secret shorter than 32 bytes on success.
    [[nodiscard]] static result<static_key> make(std::string_view key_id, std::string_view secret,
                                                 diagnosis* why = nullptr) {
        const key_pair pair{key_id, secret};
        auto storage = detail::key_storage::make(std::span<const key_pair>(&pair, 1), why);
        if (!storage) return storage.error();
        return static_key(std::move(*storage));
    }

    /// The secret when `key_id` is exactly our key id, else nullopt. The view
    /// lives as long as this object (moves keep it valid).
    [[nodiscard]] std::optional<std::string_view> find_secret(std::string_view key_id) const noexcept {
        const auto e = storage_.find(key_id);
        if (!e) return std::nullopt;
        return e->secret;
    }
    /// Like find_secret, with a view of our own copy of the key id.
    [[nodiscard]] std::optional<key_entry> find_entry(std::string_view key_id) const noexcept {
        return storage_.find(key_id);
    }
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
/// signing keys (wire-format 3.1). Lookup by `iss` is byte-exact and
/// O(log n) (a sorted array, no unsalted hashing of attacker input).
/// Immutable after construction, so safe for concurrent use. Copyable and
/// movable; to rotate keys at run time, build a new key_set and swap a
/// std::shared_ptr<const key_set> (each request verifies against one snapshot).
class key_set {
public:
    /// invalid_config when `pairs` is empty, a key id or secret is empty, or
    /// a key id repeats. `why` gets the reason (never a secret), or a warning
    /// about a short secret on success.
    [[nodiscard]] static result<key_set> make(std::span<const key_pair> pairs, diagnosis* why = nullptr) {
        auto storage = detail::key_storage::make(pairs, why);
        if (!storage) return storage.error();
        return key_set(std::move(*storage));
    }
    [[nodiscard]] static result<key_set> make(std::initializer_list<key_pair> pairs, diagnosis* why = nullptr) {
        return make(std::span<const key_pair>(pairs.begin(), pairs.size()), why);
    }

    /// One pair from the environment variables LIVEKIT_API_KEY and
    /// LIVEKIT_API_SECRET (the names LiveKit's SDKs and CLI use). Read only
    /// when called: the verifier itself never reads the environment (K3).
    /// invalid_config when either is unset or empty. Not thread-safe against
    /// concurrent setenv(), like std::getenv.
    [[nodiscard]] static result<key_set> from_environment(diagnosis* why = nullptr) {
        if (why != nullptr) why->clear();
        const char* key = std::getenv("LIVEKIT_API_KEY");
        const char* secret = std::getenv("LIVEKIT_API_SECRET");
        if (key == nullptr || *key == '\0') {
            if (why != nullptr) why->append("LIVEKIT_API_KEY is not set or empty");
            return errc::invalid_config;
        }
        if (secret == nullptr || *secret == '\0') {
            if (why != nullptr) why->append("LIVEKIT_API_SECRET is not set or empty");
            return errc::invalid_config;
        }
        return make({key_pair{key, secret}}, why);
    }

    /// Reads a livekit-server `--key-file`: a YAML map with one `key: secret`
    /// per line (see detail::parse_key_file_text for the exact subset).
    /// Like livekit-server, refuses a file that others may read or write
    /// (mode & 0007 != 0) unless `check_permissions` is false. Files over
    /// 1 MiB are refused. invalid_config on any problem; the file's bytes are
    /// wiped from memory after parsing.
    [[nodiscard]] static result<key_set> from_key_file(const std::string& path, diagnosis* why = nullptr,
                                                       bool check_permissions = true) {
        if (why != nullptr) why->clear();
        std::string text;
        if (!read_file(path, text, why, check_permissions)) return errc::invalid_config;
        auto parsed = detail::parse_key_file_text(text, why);
        detail::cleanse(text.data(), text.size());
        if (!parsed) return parsed.error();
        std::vector<key_pair> pairs;
        pairs.reserve(parsed->size());
        for (const auto& [k, s] : *parsed) pairs.push_back(key_pair{k, s});
        auto made = make(std::span<const key_pair>(pairs), why);
        detail::cleanse_pairs(*parsed);
        return made;
    }

    /// The secret of the key whose id equals `key_id` byte for byte, or
    /// nullopt. The view lives as long as this key_set (moves keep it valid).
    [[nodiscard]] std::optional<std::string_view> find_secret(std::string_view key_id) const noexcept {
        const auto e = storage_.find(key_id);
        if (!e) return std::nullopt;
        return e->secret;
    }
    /// Like find_secret, with a view of our own copy of the key id.
    [[nodiscard]] std::optional<key_entry> find_entry(std::string_view key_id) const noexcept {
        return storage_.find(key_id);
    }
    /// Number of configured keys.
    [[nodiscard]] std::size_t size() const noexcept { return storage_.size(); }
    /// The configured key ids (public), sorted byte-wise.
    [[nodiscard]] std::vector<std::string_view> key_ids() const {
        std::vector<std::string_view> ids;
        ids.reserve(storage_.size());
        for (const key_entry& e : storage_.entries()) ids.push_back(e.key_id);
        return ids;
    }

    /// Prints `key_set{2 keys: "APIa", "APIb"; secrets redacted}`.
    friend std::ostream& operator<<(std::ostream& os, const key_set& k) {
        k.storage_.print(os, "key_set");
        return os;
    }

private:
    explicit key_set(detail::key_storage storage) noexcept : storage_(std::move(storage)) {}

    static bool read_file(const std::string& path, std::string& out, diagnosis* why, bool check_permissions) {
        constexpr std::size_t max_file = 1024 * 1024;
#if !defined(_WIN32)
        const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            if (why != nullptr) why->append("cannot open the key file");
            return false;
        }
        struct ::stat st {};
        bool ok = ::fstat(fd, &st) == 0;
        if (!ok) {
            if (why != nullptr) why->append("cannot stat the key file");
        } else if (!S_ISREG(st.st_mode)) {
            ok = false;
            if (why != nullptr) why->append("the key file is not a regular file");
        } else if (check_permissions && (st.st_mode & 0007) != 0) {
            ok = false;
            if (why != nullptr)
                why->append("the key file is accessible by others (mode ")
                        .append(static_cast<std::size_t>(st.st_mode & 0777))
                        .append(" decimal); livekit-server refuses it too: chmod o-rwx");
        } else if (static_cast<std::size_t>(st.st_size) > max_file) {
            ok = false;
            if (why != nullptr) why->append("the key file is larger than 1 MiB");
        }
        if (ok) {
            out.resize(static_cast<std::size_t>(st.st_size));
            std::size_t got = 0;
            while (got < out.size()) {
                const ::ssize_t n = ::read(fd, out.data() + got, out.size() - got);
                if (n < 0) {
                    ok = false;
                    if (why != nullptr) why->append("cannot read the key file");
                    break;
                }
                if (n == 0) break;
                got += static_cast<std::size_t>(n);
            }
            out.resize(got);
        }
        ::close(fd);
        return ok;
#else
        (void)check_permissions;
        std::FILE* f = std::fopen(path.c_str(), "rb");
        if (f == nullptr) {
            if (why != nullptr) why->append("cannot open the key file");
            return false;
        }
        char buf[4096];
        std::size_t n = 0;
        while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) {
            out.append(buf, n);
            if (out.size() > max_file) break;
        }
        std::fclose(f);
        detail::cleanse(buf, sizeof buf);
        if (out.size() > max_file) {
            if (why != nullptr) why->append("the key file is larger than 1 MiB");
            return false;
        }
        return true;
#endif
    }

    detail::key_storage storage_;
};

static_assert(KeyProvider<static_key>);
static_assert(KeyProvider<key_set>);

}  // namespace lkwebhook

#endif  // LKWEBHOOK_KEYS_HPP
