// The strict JSON scanner for JOSE headers and claims (detail/json_token.hpp):
// grammar, UTF-8, escapes, depth, duplicates after unescaping, and a
// differential mutation test against simdjson's DOM parser.
#include <lkwebhook/detail/json_token.hpp>

#include <simdjson.h>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "support/catch.hpp"

namespace j = lkwebhook::detail;

namespace {

struct scanned {
    j::json_fault fault;
    std::vector<std::pair<std::string, j::json_value>> members;
};

scanned scan(std::string_view text, int depth = 16) {
    scanned out;
    std::vector<j::json_name_slot> names(j::json_max_names(text.size()));
    out.fault = j::scan_json_object(text, depth, names, [&](const j::json_value& k, const j::json_value& v) {
        std::string key(k.raw.size() + 1, '\0');
        key.resize(j::json_unescape(k.raw, key.data(), key.size()));
        out.members.emplace_back(key, v);
    });
    return out;
}

j::json_error error_of(std::string_view text, int depth = 16) { return scan(text, depth).fault.error; }

}  // namespace

TEST_CASE("top-level members are reported with kinds and raw text", "[json_token]") {
    const auto s =
            scan(R"( {"a":"x\/y","b":-12,"c":1.5e3,"d":{"e":[1,{"f":null}]},"g":true,"h":false,"i":null,"j":[]} )");
    REQUIRE_FALSE(s.fault);
    REQUIRE(s.members.size() == 8);
    CHECK(s.members[0].first == "a");
    CHECK(s.members[0].second.kind == j::json_kind::string);
    CHECK(s.members[0].second.raw == "x\\/y");
    CHECK(s.members[0].second.escaped);
    CHECK(s.members[1].second.kind == j::json_kind::number);
    CHECK(s.members[1].second.raw == "-12");
    CHECK(s.members[1].second.integer);
    CHECK_FALSE(s.members[2].second.integer);
    CHECK(s.members[3].second.kind == j::json_kind::object);
    CHECK(s.members[3].second.raw == R"({"e":[1,{"f":null}]})");
    CHECK(s.members[4].second.kind == j::json_kind::boolean_true);
    CHECK(s.members[5].second.kind == j::json_kind::boolean_false);
    CHECK(s.members[6].second.kind == j::json_kind::null);
    CHECK(s.members[7].second.kind == j::json_kind::array);
    CHECK(scan("{}").members.empty());
}

TEST_CASE("grammar violations are rejected", "[json_token][threat-D4][threat-E1]") {
    for (std::string_view bad : {"",
                                 " ",
                                 "{",
                                 "}",
                                 "{,}",
                                 R"({"a"})",
                                 R"({"a":})",
                                 R"({"a":1,})",
                                 R"({"a":1 "b":2})",
                                 R"({a:1})",
                                 R"({'a':1})",
                                 R"({"a":01})",
                                 R"({"a":1.})",
                                 R"({"a":.5})",
                                 R"({"a":+1})",
                                 R"({"a":1e})",
                                 R"({"a":tru})",
                                 R"({"a":nul})",
                                 R"({"a":NaN})",
                                 R"({"a":[1,]})",
                                 R"({"a":"\x41"})",
                                 R"({"a":"\u12"})",
                                 "{\"a\":\"\t\"}",
                                 "{\"a\":1}\v",
                                 "/*c*/{}",
                                 R"({"a":1}})"})
        CHECK(error_of(bad) != j::json_error::none);
    CHECK(error_of("[1]") == j::json_error::not_object);
    CHECK(error_of("\"x\"") == j::json_error::not_object);
    CHECK(error_of("{} {}") == j::json_error::trailing);
    CHECK(error_of("{}\x00", 16) == j::json_error::none);  // (a C literal stops at the NUL)
    CHECK(error_of(std::string_view("{}\0", 3)) == j::json_error::trailing);
    CHECK(error_of("\xef\xbb\xbf{}") == j::json_error::syntax);  // BOM
    CHECK(error_of(" \t\r\n{ \t\r\n} \t\r\n") == j::json_error::none);
}

TEST_CASE("strict UTF-8 inside strings", "[json_token][threat-D4][threat-E1]") {
    CHECK(error_of("{\"a\":\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"}") == j::json_error::none);
    for (std::string_view bad :
         {"\xc0\xaf", "\xc1\xbf", "\xe0\x80\xaf", "\xed\xa0\x80", "\xf0\x80\x80\xaf", "\xf4\x90\x80\x80",
          "\xf5\x80\x80\x80", "\xff", "\x80", "\xc3", "\xe2\x82", "\xc3\x28"}) {
        const std::string doc = "{\"a\":\"" + std::string(bad) + "\"}";
        CAPTURE(doc);
        CHECK(error_of(doc) == j::json_error::invalid_utf8);
    }
}

TEST_CASE("surrogate escapes must pair", "[json_token]") {
    CHECK(error_of(R"({"a":"\ud83d\ude00"})") == j::json_error::none);
    for (std::string_view bad : {R"({"a":"\ud800"})", R"({"a":"\udc00"})", R"({"a":"\ud800\u0041"})",
                                 R"({"a":"\ud800x"})", R"({"a":"\ud800\"})"})
        CHECK(error_of(bad) == j::json_error::syntax);
    const auto s = scan(R"({"a":"\ud83d\ude00\u00e9\u0000"})");
    std::string out(16, '\0');
    out.resize(j::json_unescape(s.members[0].second.raw, out.data(), out.size()));
    CHECK(out == std::string("\xf0\x9f\x98\x80\xc3\xa9\0", 7));
}

TEST_CASE("nesting is limited, the top object counting as depth 1", "[json_token][threat-D4][threat-E1]") {
    CHECK(error_of("{}", 1) == j::json_error::none);
    CHECK(error_of(R"({"a":{}})", 1) == j::json_error::too_deep);
    CHECK(error_of(R"({"a":[[[]]]})", 4) == j::json_error::none);
    CHECK(error_of(R"({"a":[[[[]]]]})", 4) == j::json_error::too_deep);
    const std::string deep = "{\"a\":" + std::string(2000, '[') + std::string(2000, ']') + "}";
    CHECK(error_of(deep, 16) == j::json_error::too_deep);
}

TEST_CASE("duplicate member names are rejected after unescaping, at any depth",
          "[json_token][threat-D8][threat-D9][threat-E1]") {
    CHECK(error_of(R"({"a":1,"a":2})") == j::json_error::duplicate_member);
    CHECK(error_of(R"({"a":1,"\u0061":2})") == j::json_error::duplicate_member);
    CHECK(error_of(R"({"\/":1,"/":2})") == j::json_error::duplicate_member);
    CHECK(error_of(R"({"\u00e9":1,"é":2})") == j::json_error::duplicate_member);
    CHECK(error_of(R"({"x":{"b":1,"c":2,"b":3}})") == j::json_error::duplicate_member);
    CHECK(error_of(R"({"x":[{"b":1},{"b":2}],"y":{"b":1}})") == j::json_error::none);  // different objects
    CHECK(error_of(R"({"a":1,"A":2,"a ":3,"":4})") == j::json_error::none);
    CHECK(error_of(R"({"":1,"":2})") == j::json_error::duplicate_member);
    // Many distinct names, then one duplicate at the end.
    std::string many = "{";
    for (int i = 0; i < 1500; ++i) many += "\"k" + std::to_string(i) + "\":0,";
    CHECK(error_of(many + "\"z\":0}") == j::json_error::none);
    CHECK(error_of(many + "\"k7\":0}") == j::json_error::duplicate_member);
}

TEST_CASE("string comparison helpers unescape", "[json_token]") {
    CHECK(j::json_string_equals("HS\\u0032\\u0035\\u0036", true, "HS256"));
    CHECK_FALSE(j::json_string_equals("HS\\u0032\\u0035\\u0036 ", true, "HS256"));
    CHECK(j::json_string_equals("HS256", false, "HS256"));
    CHECK(j::json_string_compare("a\\u0062", true, "ab", false) == 0);
    CHECK(j::json_string_compare("a", false, "ab", false) < 0);
    CHECK(j::json_string_compare("\\u00ff", true, "\\u0100", true) < 0);  // UTF-8 byte order
}

TEST_CASE("differential mutation test against simdjson", "[json_token]") {
    const std::vector<std::string> seeds = {
            R"({"iss":"APIabc","exp":1700000300,"nbf":1700000000,"iat":1700000000,"sha256":"CoEQz1chqJ9bnZRcORddjplkvpjmPujmLTR42DbefYI="})",
            R"({"alg":"HS256","typ":"JWT","kid":"k\u00e9\ud83d\ude00"})",
            R"({"video":{"room":"r","roomJoin":true,"canPublishSources":["camera","microphone"]},"n":-0.5e-3,"z":null,"t":[true,false,{}]})",
    };
    const std::string alphabet = "{}[]\":,\\/ \t\r\nabuetrfn0123456789-+.eE\x80\xc3\xa9\xed\xa0\xf0\xff";
    std::uint64_t state = 0x9E3779B97F4A7C15ULL;
    const auto next = [&] {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        return state;
    };
    simdjson::dom::parser parser;
    int accepted = 0;
    int rejected = 0;
    for (int round = 0; round < 20000; ++round) {
        std::string doc = seeds[next() % seeds.size()];
        const int edits = 1 + static_cast<int>(next() % 3);
        for (int e = 0; e < edits && !doc.empty(); ++e) {
            const std::size_t at = next() % doc.size();
            const char c = alphabet[next() % alphabet.size()];
            switch (next() % 3) {
                case 0: doc[at] = c; break;
                case 1: doc.insert(doc.begin() + static_cast<std::ptrdiff_t>(at), c); break;
                default: doc.erase(at, 1); break;
            }
        }
        const auto ours = scan(doc, 64).fault.error;
        simdjson::dom::element element;
        const simdjson::error_code their_error = parser.parse(doc).get(element);
        const bool theirs = their_error == simdjson::SUCCESS;
        CAPTURE(doc, simdjson::error_message(their_error));
        if (ours == j::json_error::none) {
            ++accepted;
            // Whatever we accept is valid JSON, and an object. (simdjson also
            // rejects numbers beyond double/64-bit range, which RFC 8259
            // allows; the NumericDate reader range-checks them itself.)
            const bool number_range =
                    their_error == simdjson::NUMBER_ERROR || their_error == simdjson::NUMBER_OUT_OF_RANGE;
            CHECK((theirs || number_range));
            if (theirs) CHECK(element.is_object());
        } else {
            ++rejected;
            // Whatever valid JSON we reject is rejected for a reason simdjson does not check.
            if (theirs)
                CHECK((ours == j::json_error::duplicate_member || ours == j::json_error::not_object ||
                       ours == j::json_error::too_deep));
        }
    }
    CHECK(accepted > 100);
    CHECK(rejected > 100);
}

TEST_CASE("the compact fast path covers only what the general scanner accepts alike", "[json_token]") {
    std::array<j::json_compact_member, j::json_compact_max_members> members;
    // Within the subset: the members, in order, with their kinds.
    const std::string_view claims = R"({"iss":"APIkey","exp":1768459207,"nbf":-0,"sha256":"lyz1=+/"})";
    REQUIRE(j::scan_compact_flat_object(claims, members) == 4);
    CHECK(members[0].key().raw == "iss");
    CHECK(members[0].value().kind == j::json_kind::string);
    CHECK(members[0].value().raw == "APIkey");
    CHECK(members[1].value().kind == j::json_kind::number);
    CHECK(members[1].value().integer);
    CHECK(members[1].value().raw == "1768459207");
    CHECK(members[2].value().raw == "-0");
    CHECK(members[3].value().raw == "lyz1=+/");
    const scanned general = scan(claims);
    REQUIRE_FALSE(general.fault);
    REQUIRE(general.members.size() == 4);
    CHECK(general.members[1].second.raw == "1768459207");

    // Outside it, the fast path declines (-1) and the general scanner decides.
    const struct {
        std::string_view text;
        j::json_error general;
    } edges[] = {
            {R"({"a":1,"a":2})", j::json_error::duplicate_member},
            {R"({"a":1,"\u0061":2})", j::json_error::duplicate_member},
            {R"({"a":1.5})", j::json_error::none},
            {R"({"a":1e3})", j::json_error::none},
            {R"({"a":01})", j::json_error::syntax},
            {R"({"a":-})", j::json_error::syntax},
            {R"({"a":true})", j::json_error::none},
            {R"({"a":[1]})", j::json_error::none},
            {R"({"a": 1})", j::json_error::none},
            {R"({"a":"\n"})", j::json_error::none},
            {"{\"a\":\"\x7f\"}", j::json_error::none},
            {"{\"a\":\"\xc3\xa9\"}", j::json_error::none},
            {"{\"a\":\"\xc3\"}", j::json_error::invalid_utf8},
            {R"({"a":1}x)", j::json_error::trailing},
            {R"({"a":1,})", j::json_error::syntax},
            {R"({})", j::json_error::none},
            {R"({"a":1)", j::json_error::syntax},
    };
    for (const auto& edge : edges) {
        INFO(edge.text);
        CHECK(j::scan_compact_flat_object(edge.text, members) == -1);
        CHECK(error_of(edge.text) == edge.general);
    }

    // More than 16 members: declined, and accepted by the general scanner.
    std::string many = "{";
    for (int i = 0; i < 17; ++i) many += (i ? ",\"k" : "\"k") + std::to_string(i) + "\":" + std::to_string(i);
    many += "}";
    CHECK(j::scan_compact_flat_object(many, members) == -1);
    const scanned all = scan(many);
    CHECK_FALSE(all.fault);
    CHECK(all.members.size() == 17);
}

TEST_CASE("the compact fast path reads numbers of every length as the general scanner does", "[json_token]") {
    // Its digit runs go eight bytes a step: any byte at any position of a
    // number around that width must leave both scanners agreeing.
    std::array<j::json_compact_member, j::json_compact_max_members> members;
    const std::string digits = "1234567890987654321012345";
    for (std::size_t length = 1; length <= 24; ++length) {
        const std::string number = digits.substr(0, length);
        for (std::size_t at = 0; at <= number.size(); ++at) {
            for (int byte = 0; byte < 256; ++byte) {
                std::string value = number;
                if (at < number.size()) value[at] = static_cast<char>(byte);
                const std::string text = R"({"exp":)" + value + R"(,"iss":"k"})";
                INFO(text);
                const int count = j::scan_compact_flat_object(text, members);
                // A leading space keeps scan_json_object off its own fast path
                // (the members it reports are views into `spaced`).
                const std::string spaced = " " + text;
                const scanned general = scan(spaced);
                if (count < 0) continue;  // declined: the general scanner decides alone
                REQUIRE_FALSE(general.fault);
                REQUIRE(general.members.size() == static_cast<std::size_t>(count));
                CHECK(members[0].value().raw == general.members[0].second.raw);
                CHECK(members[0].value().kind == general.members[0].second.kind);
                CHECK(members[1].value().raw == "k");
                if (at == number.size()) break;  // the unmutated number, once
            }
        }
    }
    // A plain number of every length is inside the subset.
    for (std::size_t length = 1; length <= 24; ++length) {
        const std::string text = R"({"exp":)" + digits.substr(0, length) + "}";
        INFO(text);
        CHECK(j::scan_compact_flat_object(text, members) == 1);
        CHECK(members[0].value().raw == digits.substr(0, length));
    }
}

TEST_CASE("json_plain_run stops at the first byte a plain string cannot hold", "[json_token]") {
    // The word-at-a-time scan against the byte-at-a-time definition, for
    // every byte value at every position of a run longer than two words,
    // and with a second stop byte after the first (borrows and carries).
    const auto plain = [](unsigned char c) { return c >= 0x20 && c < 0x7F && c != '"' && c != '\\'; };
    for (std::size_t length : {1u, 7u, 8u, 9u, 16u, 21u}) {
        for (std::size_t position = 0; position < length; ++position) {
            for (int byte = 0; byte < 256; ++byte) {
                for (const char later : {'x', '\0', '\xff', '"'}) {
                    std::string text(length, 'a');
                    text[position] = static_cast<char>(byte);
                    if (position + 1 < length) text[position + 1] = later;
                    std::size_t expected = 0;
                    while (expected < text.size() && plain(static_cast<unsigned char>(text[expected]))) ++expected;
                    INFO("length " << length << ", position " << position << ", byte " << byte);
                    CHECK(j::json_plain_run(text) == expected);
                }
            }
        }
    }
    STATIC_REQUIRE(j::json_plain_run("abc\"def") == 3);
}
