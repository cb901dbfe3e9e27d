#ifndef LKWEBHOOK_TESTS_THREATS_VECTOR_FILE_HPP
#define LKWEBHOOK_TESTS_THREATS_VECTOR_FILE_HPP

// Reads shared/vectors/*.json (format: shared/tools/vectors/README.md) for the
// assurance tests (threats, fault injection). Test-only; throws on bad files.

#include <simdjson.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace lkwebhook_test {

struct vector_case {
    std::string name;
    std::string api_key;
    std::string api_secret;
    std::optional<std::string> authorization;  // nullopt: header absent
    std::string body;
    std::int64_t now = 0;
    std::int64_t leeway_s = 0;
    std::string expect;  // "ok" or an errc name
};

inline std::string read_whole_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path.string());
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline vector_case parse_vector_file(const std::filesystem::path& path) {
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    if (parser.parse(simdjson::padded_string(read_whole_file(path))).get(doc) != simdjson::SUCCESS)
        throw std::runtime_error(path.string() + ": not JSON");
    auto text = [&](const char* key) {
        std::string_view v;
        if (doc[key].get(v) != simdjson::SUCCESS) throw std::runtime_error(path.string() + ": no string " + key);
        return std::string(v);
    };
    vector_case c;
    c.name = text("name");
    c.api_key = text("api_key");
    c.api_secret = text("api_secret");
    c.body = text("body");
    c.expect = text("expect");
    if (!doc["authorization"].is_null()) c.authorization = text("authorization");
    if (doc["now"].get(c.now) != simdjson::SUCCESS || doc["leeway_s"].get(c.leeway_s) != simdjson::SUCCESS)
        throw std::runtime_error(path.string() + ": no integer now/leeway_s");
    return c;
}

inline vector_case load_vector(const std::string& dir, const std::string& name) {
    return parse_vector_file(std::filesystem::path(dir) / (name + ".json"));
}

// Every vector in the directory (index.json excluded), sorted by name.
inline std::vector<vector_case> load_all_vectors(const std::string& dir) {
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(dir))
        if (entry.path().extension() == ".json" && entry.path().filename() != "index.json")
            files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    std::vector<vector_case> out;
    for (const auto& f : files) out.push_back(parse_vector_file(f));
    if (out.empty()) throw std::runtime_error("no vectors in " + dir);
    return out;
}

}  // namespace lkwebhook_test

#endif
