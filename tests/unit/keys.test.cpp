// Key providers (keys.hpp): validation, byte-exact lookup, environment, the
// livekit-server key-file format, redaction.
#include <lkwebhook/key_file.hpp>
#include <lkwebhook/keys.hpp>

#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "support/catch.hpp"

using lkwebhook::errc;
using lkwebhook::from_key_file;
using lkwebhook::key_set;

namespace {

struct temp_file {
    explicit temp_file(const std::string& content, unsigned mode = 0600) {
        path = (std::filesystem::temp_directory_path() /
                ("lkwebhook-keys-" + std::to_string(::getpid()) + "-" + std::to_string(counter()++) + ".yaml"))
                       .string();
        std::ofstream(path, std::ios::binary) << content;
        ::chmod(path.c_str(), mode);
    }
    ~temp_file() { std::remove(path.c_str()); }
    static int& counter() {
        static int n = 0;
        return n;
    }
    std::string path;
};

}  // namespace

TEST_CASE("static_key holds one pair and looks it up byte-exactly", "[keys][threat-E3]") {
    auto k = lkwebhook::static_key::make("APIkey", "a-secret-that-is-at-least-32-bytes-long");
    REQUIRE(k.has_value());
    CHECK(k->find_secret("APIkey") == std::optional<std::string_view>("a-secret-that-is-at-least-32-bytes-long"));
    for (std::string_view miss : {"apikey", "APIke", "APIkey ", "APIkeyy", ""})
        CHECK_FALSE(k->find_secret(miss).has_value());
    CHECK(k->size() == 1);
    CHECK(k->key_id() == "APIkey");
}

TEST_CASE("empty key ids, empty secrets and duplicate ids are invalid_config", "[keys][threat-C7]") {
    lkwebhook::diagnosis why;
    CHECK(lkwebhook::static_key::make("", "secret", &why).error() == errc::invalid_config);
    CHECK(lkwebhook::static_key::make("key", "", &why).error() == errc::invalid_config);
    CHECK(why.view().find("empty API secret") != std::string_view::npos);
    CHECK(key_set::make(std::span<const lkwebhook::key_pair>{}, &why).error() == errc::invalid_config);
    CHECK(key_set::make({{"a", "s1"}, {"b", "s2"}, {"a", "s3"}}, &why).error() == errc::invalid_config);
    CHECK(why.view().find("duplicate") != std::string_view::npos);
    CHECK(why.view().find("s3") == std::string_view::npos);
}

TEST_CASE("short secrets are accepted with one warning that hides the secret", "[keys][threat-C7]") {
    lkwebhook::diagnosis why;
    auto k = key_set::make({{"devkey", "secret"}, {"other", "short2"}}, &why);
    REQUIRE(k.has_value());
    CHECK(why.view().find("shorter than 32 bytes") != std::string_view::npos);
    CHECK(why.view().find("secret\"") == std::string_view::npos);
    CHECK(why.view().find("short2") == std::string_view::npos);
}

TEST_CASE("key_set finds every key among many, byte-exactly", "[keys][threat-E3]") {
    std::vector<std::string> ids;
    std::vector<std::string> secrets;
    for (int i = 0; i < 300; ++i) {
        ids.push_back("API" + std::to_string(i * 7919 % 1000));
        secrets.push_back("secret-" + std::to_string(i));
    }
    std::vector<lkwebhook::key_pair> pairs;
    for (std::size_t i = 0; i < ids.size(); ++i) pairs.push_back({ids[i], secrets[i]});
    auto k = key_set::make(pairs);
    REQUIRE(k.has_value());
    CHECK(k->size() == 300);
    for (std::size_t i = 0; i < ids.size(); ++i) {
        CHECK(k->find_secret(ids[i]) == std::optional<std::string_view>(secrets[i]));
        CHECK(k->find_entry(ids[i])->key_id == ids[i]);
    }
    CHECK_FALSE(k->find_secret("API").has_value());
    CHECK_FALSE(k->find_secret(ids[0] + "0").has_value());
}

TEST_CASE("copies and moves keep lookups working", "[keys]") {
    auto k = *key_set::make({{"a", "secret-a"}, {"b", "secret-b"}});
    key_set copy = k;
    key_set moved = std::move(k);
    CHECK(copy.find_secret("b") == std::optional<std::string_view>("secret-b"));
    CHECK(moved.find_secret("a") == std::optional<std::string_view>("secret-a"));
    CHECK(copy.find_entry("a")->key_id.data() != moved.find_entry("a")->key_id.data());
    copy = moved;
    CHECK(copy.find_secret("a") == std::optional<std::string_view>("secret-a"));
}

TEST_CASE("operator<< prints key ids and never secrets", "[keys][threat-K2]") {
    std::ostringstream os;
    os << *key_set::make({{"APIb", "topsecret-b"}, {"APIa", "topsecret-a"}}) << " "
       << *lkwebhook::static_key::make("APIone", "topsecret-one");
    const std::string s = os.str();
    CHECK(s == "key_set{2 keys: \"APIa\", \"APIb\"; secrets redacted} static_key{1 key: \"APIone\"; secrets redacted}");
    CHECK(s.find("topsecret") == std::string::npos);
}

TEST_CASE("from_environment reads LIVEKIT_API_KEY and LIVEKIT_API_SECRET", "[keys]") {
    lkwebhook::diagnosis why;
    ::unsetenv("LIVEKIT_API_KEY");
    ::unsetenv("LIVEKIT_API_SECRET");
    CHECK(key_set::from_environment(&why).error() == errc::invalid_config);
    CHECK(why.view().find("LIVEKIT_API_KEY") != std::string_view::npos);
    ::setenv("LIVEKIT_API_KEY", "APIenv", 1);
    ::setenv("LIVEKIT_API_SECRET", "", 1);
    CHECK(key_set::from_environment(&why).error() == errc::invalid_config);
    CHECK(why.view().find("LIVEKIT_API_SECRET") != std::string_view::npos);
    ::setenv("LIVEKIT_API_SECRET", "env-secret-env-secret-env-secret-env", 1);
    auto k = key_set::from_environment();
    REQUIRE(k.has_value());
    CHECK(k->find_secret("APIenv") == std::optional<std::string_view>("env-secret-env-secret-env-secret-env"));
    ::unsetenv("LIVEKIT_API_KEY");
    ::unsetenv("LIVEKIT_API_SECRET");
}

TEST_CASE("from_key_file reads the livekit-server key file format", "[keys]") {
    temp_file f(
            "# LiveKit keys\r\n"
            "---\n"
            "\n"
            "APIplain: plainSecretValue1234567890   # trailing comment\n"
            "  # indented comment\n"
            "'APIsingle': 'it''s a secret'\n"
            "\"APIdouble\": \"tab\\there \\u00e9 \\\"q\\\"\"\n"
            "APIhash: abc#not-a-comment\n"
            "APInum: 12345\n");
    lkwebhook::diagnosis why;
    auto k = from_key_file(f.path, &why);
    CAPTURE(std::string(why.view()));
    REQUIRE(k.has_value());
    CHECK(k->size() == 5);
    CHECK(k->find_secret("APIplain") == std::optional<std::string_view>("plainSecretValue1234567890"));
    CHECK(k->find_secret("APIsingle") == std::optional<std::string_view>("it's a secret"));
    CHECK(k->find_secret("APIdouble") == std::optional<std::string_view>("tab\there \xc3\xa9 \"q\""));
    CHECK(k->find_secret("APIhash") == std::optional<std::string_view>("abc#not-a-comment"));
    CHECK(k->find_secret("APInum") == std::optional<std::string_view>("12345"));
}

TEST_CASE("from_key_file rejects what livekit-server would reject or misread", "[keys][threat-C7]") {
    const std::pair<const char*, const char*> bad[] = {
            {"APIa:secret\n", "space after the colon"},
            {"APIa: s1\nAPIa: s2\n", "duplicate"},
            {"APIa:\n", "empty secret"},
            {"APIa: ''\n", "empty secret"},
            {"APIa: ~\n", "empty secret"},
            {"\tAPIa: s\n", "tab"},
            {"APIa: s\n  APIb: t\n", "indentation"},
            {"APIa: [x, y]\n", "unsupported"},
            {"APIa: a: b\n", "quote it"},
            {"APIa: 'open\n", "unterminated"},
            {"# only comments\n\n", "no \"key: secret\""},
            {"APIa: \"x\\q\"\n", "unsupported escape"},
    };
    for (const auto& [content, reason] : bad) {
        temp_file f(content);
        lkwebhook::diagnosis why;
        CAPTURE(std::string(content), std::string(why.view()));
        CHECK(from_key_file(f.path, &why).error() == errc::invalid_config);
        CHECK(why.view().find(reason) != std::string_view::npos);
        CHECK(why.view().find("s2") == std::string_view::npos);
    }
}

TEST_CASE("from_key_file refuses files that others can access, like livekit-server", "[keys][threat-K1]") {
    temp_file f("APIa: a-secret\n", 0644);
    lkwebhook::diagnosis why;
    CHECK(from_key_file(f.path, &why).error() == errc::invalid_config);
    CHECK(why.view().find("others") != std::string_view::npos);
    CHECK(from_key_file(f.path, nullptr, false).has_value());
    CHECK(from_key_file("/nonexistent/lkwebhook/keys.yaml", &why).error() == errc::invalid_config);
    temp_file g("APIa: a-secret\n", 0640);
    CHECK(from_key_file(g.path).has_value());
}
