// The rewriting of numbers simdjson's DOM parser refuses (detail/wide_numbers.hpp):
// exactly the wide ones change, each into a shorter-or-equal number of the same
// double (or 1e308 on overflow), and nothing inside strings or outside valid
// number tokens moves. The decoder's outcomes for such bodies are in
// tests/unit/decode.test.cpp.
#include <lkwebhook/detail/wide_numbers.hpp>

#include <simdjson.h>

#include <charconv>
#include <string>
#include <string_view>

#include "support/catch.hpp"

namespace d = lkwebhook::detail;

namespace {

struct rewritten {
    bool changed = false;
    std::string text;
};

rewritten narrow(std::string text) {
    rewritten out;
    out.changed = d::narrow_wide_numbers(text.data(), text.size());
    out.text = std::move(text);
    return out;
}

double parsed_double(std::string_view text) {
    double value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    (void)end;
    REQUIRE(error == std::errc{});
    return value;
}

// What simdjson's DOM parser reads from `[<text>]`: its one element, as a double.
double dom_double(const std::string& text) {
    simdjson::dom::parser parser;
    const simdjson::padded_string json("[" + text + "]");
    simdjson::dom::element root;
    REQUIRE(parser.parse(json).get(root) == simdjson::SUCCESS);
    simdjson::dom::array array;
    REQUIRE(root.get_array().get(array) == simdjson::SUCCESS);
    double value = 0;
    REQUIRE(array.at(0).get_double().get(value) == simdjson::SUCCESS);
    return value;
}

}  // namespace

TEST_CASE("wide integers become the same double with an exponent, never longer", "[decode][wide_numbers][threat-G26]") {
    for (const char* wide :
         {"18446744073709551616", "-9223372036854775809", "99999999999999999999", "123456789012345678901234567890",
          "-123456789012345678901234567890", "100000000000000000000000", "9223372036854775808123"}) {
        const std::string original = wide;
        INFO(original);
        const rewritten r = narrow(original);
        CHECK(r.changed);
        REQUIRE(r.text.size() == original.size());
        const std::string_view number(r.text.data(),
                                      r.text.find(' ') == std::string::npos ? r.text.size() : r.text.find(' '));
        CHECK(r.text.find_first_not_of(' ', number.size()) == std::string::npos);  // padded with spaces only
        CHECK(number.find('e') != std::string_view::npos);
        // The double simdjson reads from the rewrite is the exact conversion of the original.
        CHECK(dom_double(std::string(number)) == parsed_double(original));
    }
    CHECK(narrow("18446744073709551616").text == "18446744073709552e3 ");
}

TEST_CASE("numbers that overflow a double become 1e308", "[decode][wide_numbers][threat-G26]") {
    CHECK(narrow("1e400").text == "1e308");
    CHECK(narrow("-1e400").text == "-1e308");
    CHECK(narrow("1.5E+99999999999999999999").text == "1e308" + std::string(20, ' '));
    CHECK(narrow(std::string(400, '9')).text == "1e308" + std::string(395, ' '));
    CHECK(narrow("-" + std::string(400, '9')).text == "-1e308" + std::string(395, ' '));
}

TEST_CASE("everything else is left as it was", "[decode][wide_numbers][threat-G26]") {
    for (const char* kept :
         {R"({"a":18446744073709551615,"b":-9223372036854775808,"c":1e308,"d":1e-400,"e":0e999999,"f":-0})",
          R"({"s":"18446744073709551616 1e400","t":"\"123456789012345678901234\"","u":"\\"})",
          R"({"bad":0123456789012345678901,"worse":1e,"x":--1,"y":1.e5})",
          R"({"unterminated":"123456789012345678901234)", "", "-", "tru1e"}) {
        INFO(kept);
        const rewritten r = narrow(kept);
        CHECK_FALSE(r.changed);
        CHECK(r.text == kept);
    }
    // Only the wide token of a mixed text moves; a string after an escaped quote is still a string.
    const rewritten mixed = narrow(R"({"s":"a\"b 123456789012345678901","n":123456789012345678901,"m":7})");
    CHECK(mixed.changed);
    CHECK(mixed.text == R"({"s":"a\"b 123456789012345678901","n":12345678901234568e4  ,"m":7})");
}
