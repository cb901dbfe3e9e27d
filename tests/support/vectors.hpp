#ifndef LKWEBHOOK_TESTS_SUPPORT_VECTORS_HPP
#define LKWEBHOOK_TESTS_SUPPORT_VECTORS_HPP

// The one loader of the webhook vectors in tests/vectors/data/ (format:
// tests/vectors/data/README.md) for every data-driven test, the benchmarks
// and the assurance suites. Uses the simdjson DOM API; throws
// std::runtime_error on a missing directory, a missing or malformed file, or
// a set that does not match index.json, so a test without its data fails
// instead of passing over nothing. Usage:
//
//   for (const auto& v : lkwebhook::test::load_all_vectors()) { ... v.expect ... }
//   const auto v = lkwebhook::test::load_vector(lkwebhook::test::vectors_dir(), "ok_bench_small_room_finished");
//
// LKWEBHOOK_VECTORS_DIR (a string macro set by tests/CMakeLists.txt from the
// CMake cache variable of that name) is the default directory; without it,
// ../vectors/data relative to this header (tests/vectors/data).

#include <simdjson.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace lkwebhook::test {

/// One vector file, decoded.
struct webhook_vector {
    std::string file;                          ///< path it was loaded from
    std::string name;                          ///< unique name (the file stem)
    std::string description;                   ///< why it expects what it expects
    std::string api_key;                       ///< the single configured API key
    std::string api_secret;                    ///< its secret (UTF-8 bytes)
    std::optional<std::string> authorization;  ///< nullopt: header absent
    std::string body;                          ///< exact body bytes
    std::int64_t now = 0;                      ///< unix seconds to evaluate at
    std::int64_t leeway_s = 0;
    std::string expect;      ///< "ok" or an errc name
    std::string event_json;  ///< ok vectors: canonical event, minified JSON; else empty
    std::string category;    ///< meta.category
    std::string event_type;  ///< meta.event_type (may be empty)

    /// The Authorization value as a view (empty when absent).
    [[nodiscard]] std::string_view authorization_view() const noexcept {
        return authorization ? std::string_view(*authorization) : std::string_view{};
    }
};

/// The directory of the vectors (tests/vectors/data unless configured otherwise).
inline std::filesystem::path vectors_dir() {
#ifdef LKWEBHOOK_VECTORS_DIR
    return std::filesystem::path(LKWEBHOOK_VECTORS_DIR);
#else
    return std::filesystem::path(__FILE__).parent_path() / ".." / "vectors" / "data";
#endif
}

/// Every vector file (*.json except index.json) in `dir`, sorted by name.
/// Throws when `dir` is not a directory or holds no vector.
inline std::vector<std::filesystem::path> vector_files(const std::filesystem::path& dir = vectors_dir()) {
    std::error_code error;
    if (!std::filesystem::is_directory(dir, error))
        throw std::runtime_error("vector directory not found: " + dir.string() +
                                 " (set LKWEBHOOK_VECTORS_DIR to tests/vectors/data)");
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        if (!entry.is_regular_file() || entry.path().extension() != ".json") continue;
        if (entry.path().filename() == "index.json") continue;
        files.push_back(entry.path());
    }
    if (files.empty()) throw std::runtime_error("no vector files in " + dir.string());
    std::sort(files.begin(), files.end());
    return files;
}

namespace detail {

inline std::string string_field(simdjson::dom::object obj, std::string_view key, bool required = true) {
    simdjson::dom::element e;
    if (obj.at_key(key).get(e) != simdjson::SUCCESS || e.is_null()) {
        if (required) throw std::runtime_error("vector lacks string field " + std::string(key));
        return {};
    }
    std::string_view s;
    if (e.get_string().get(s) != simdjson::SUCCESS)
        throw std::runtime_error("vector field is not a string: " + std::string(key));
    return std::string(s);
}

inline std::int64_t int_field(simdjson::dom::object obj, std::string_view key) {
    std::int64_t v = 0;
    if (obj.at_key(key).get_int64().get(v) != simdjson::SUCCESS)
        throw std::runtime_error("vector lacks integer field " + std::string(key));
    return v;
}

}  // namespace detail

/// Loads one vector file. Throws std::runtime_error on a malformed file.
inline webhook_vector load_vector(const std::filesystem::path& path) {
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    if (auto err = parser.load(path.string()).get(doc); err != simdjson::SUCCESS)
        throw std::runtime_error("cannot parse " + path.string() + ": " + simdjson::error_message(err));
    simdjson::dom::object obj;
    if (doc.get_object().get(obj) != simdjson::SUCCESS) throw std::runtime_error(path.string() + " is not an object");
    webhook_vector v;
    v.file = path.string();
    v.name = detail::string_field(obj, "name");
    v.description = detail::string_field(obj, "description", false);
    v.api_key = detail::string_field(obj, "api_key");
    v.api_secret = detail::string_field(obj, "api_secret");
    simdjson::dom::element auth;
    if (obj.at_key("authorization").get(auth) == simdjson::SUCCESS && !auth.is_null()) {
        std::string_view s;
        if (auth.get_string().get(s) != simdjson::SUCCESS) throw std::runtime_error("authorization is not a string");
        v.authorization = std::string(s);
    }
    v.body = detail::string_field(obj, "body");
    v.now = detail::int_field(obj, "now");
    v.leeway_s = detail::int_field(obj, "leeway_s");
    v.expect = detail::string_field(obj, "expect");
    simdjson::dom::element event;
    if (obj.at_key("event").get(event) == simdjson::SUCCESS && !event.is_null()) v.event_json = simdjson::minify(event);
    simdjson::dom::object meta;
    if (obj.at_key("meta").get_object().get(meta) == simdjson::SUCCESS) {
        v.category = detail::string_field(meta, "category", false);
        v.event_type = detail::string_field(meta, "event_type", false);
    }
    return v;
}

/// Loads the vector `<dir>/<name>.json`.
inline webhook_vector load_vector(const std::filesystem::path& dir, std::string_view name) {
    const std::filesystem::path path = dir / (std::string(name) + ".json");
    std::error_code error;
    if (!std::filesystem::is_regular_file(path, error))
        throw std::runtime_error("vector file not found: " + path.string());
    return load_vector(path);
}

/// The number of vectors index.json in `dir` lists (its "count").
inline std::size_t indexed_vector_count(const std::filesystem::path& dir = vectors_dir()) {
    const std::filesystem::path path = dir / "index.json";
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    if (auto err = parser.load(path.string()).get(doc); err != simdjson::SUCCESS)
        throw std::runtime_error("cannot parse " + path.string() + ": " + simdjson::error_message(err));
    std::uint64_t count = 0;
    if (doc["count"].get_uint64().get(count) != simdjson::SUCCESS)
        throw std::runtime_error(path.string() + " lacks an integer count");
    return static_cast<std::size_t>(count);
}

/// Loads every vector in `dir` (sorted by file name); throws unless there are
/// exactly as many as index.json lists.
inline std::vector<webhook_vector> load_all_vectors(const std::filesystem::path& dir = vectors_dir()) {
    std::vector<webhook_vector> out;
    for (const auto& f : vector_files(dir)) out.push_back(load_vector(f));
    const std::size_t indexed = indexed_vector_count(dir);
    if (out.size() != indexed)
        throw std::runtime_error(dir.string() + " holds " + std::to_string(out.size()) + " vectors, index.json lists " +
                                 std::to_string(indexed));
    return out;
}

}  // namespace lkwebhook::test

#endif  // LKWEBHOOK_TESTS_SUPPORT_VECTORS_HPP
