#ifndef LKWEBHOOK_TESTS_VECTORS_JSON_EQUAL_HPP
#define LKWEBHOOK_TESTS_VECTORS_JSON_EQUAL_HPP

// Compares two JSON texts as values, the way the vectors README asks:
// object key order is ignored, numbers are compared by value, everything
// else exactly. Returns an empty string when equal, else where they differ.

#include <simdjson.h>

#include <string>
#include <string_view>

namespace lkwebhook::test {

namespace detail {

inline bool is_number(simdjson::dom::element_type t) {
    using T = simdjson::dom::element_type;
    return t == T::INT64 || t == T::UINT64 || t == T::DOUBLE;
}

inline double number_of(simdjson::dom::element e) {
    using T = simdjson::dom::element_type;
    switch (e.type()) {
        case T::INT64: return static_cast<double>(std::int64_t(e));
        case T::UINT64: return static_cast<double>(std::uint64_t(e));
        default: return double(e);
    }
}

inline std::string json_diff(simdjson::dom::element a, simdjson::dom::element b, const std::string& path) {
    using T = simdjson::dom::element_type;
    if (is_number(a.type()) && is_number(b.type())) {
        return number_of(a) == number_of(b) ? std::string{} : path + ": numbers differ";
    }
    if (a.type() != b.type()) return path + ": types differ";
    switch (a.type()) {
        case T::OBJECT: {
            simdjson::dom::object oa = a;
            simdjson::dom::object ob = b;
            for (auto [key, value] : oa) {
                simdjson::dom::element other;
                if (ob.at_key(key).get(other) != simdjson::SUCCESS)
                    return path + "." + std::string(key) + ": only in the first";
                if (auto d = json_diff(value, other, path + "." + std::string(key)); !d.empty()) return d;
            }
            for (auto [key, value] : ob) {
                (void)value;
                simdjson::dom::element other;
                if (oa.at_key(key).get(other) != simdjson::SUCCESS)
                    return path + "." + std::string(key) + ": only in the second";
            }
            return {};
        }
        case T::ARRAY: {
            simdjson::dom::array xa = a;
            simdjson::dom::array xb = b;
            if (xa.size() != xb.size()) return path + ": array lengths differ";
            std::size_t i = 0;
            auto it = xb.begin();
            for (simdjson::dom::element item : xa) {
                if (auto d = json_diff(item, *it, path + "[" + std::to_string(i) + "]"); !d.empty()) return d;
                ++it;
                ++i;
            }
            return {};
        }
        case T::STRING: return std::string_view(a) == std::string_view(b) ? std::string{} : path + ": strings differ";
        case T::BOOL: return bool(a) == bool(b) ? std::string{} : path + ": booleans differ";
        default: return {};
    }
}

}  // namespace detail

/// Empty when the two JSON texts hold the same value; else a description.
inline std::string json_diff(std::string_view first, std::string_view second) {
    simdjson::dom::parser pa;
    simdjson::dom::parser pb;
    simdjson::dom::element a;
    simdjson::dom::element b;
    if (pa.parse(first.data(), first.size()).get(a) != simdjson::SUCCESS) return "first is not JSON";
    if (pb.parse(second.data(), second.size()).get(b) != simdjson::SUCCESS) return "second is not JSON";
    return detail::json_diff(a, b, "$");
}

}  // namespace lkwebhook::test

#endif
