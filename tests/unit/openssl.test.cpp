// detail/openssl.hpp: known answers for the wrappers, and source checks that
// keep the crypto rules of the catalogue (C4, C5, C9, I9) from regressing.
#include <lkwebhook/detail/openssl.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "support/catch.hpp"

namespace o = lkwebhook::detail;

namespace {
std::string hex(const o::digest_bytes& d) {
    static const char* digits = "0123456789abcdef";
    std::string s;
    for (unsigned char b : d) {
        s += digits[b >> 4];
        s += digits[b & 0xf];
    }
    return s;
}

std::string read(const std::filesystem::path& p) {
    std::ifstream f(p, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

/// Source text without // comments, so documentation may name what code must not call.
const std::filesystem::path include_dir =
        std::filesystem::path(__FILE__).parent_path() / ".." / ".." / "include" / "lkwebhook";

// The code of a header without its comments, followed by that of its
// implementation file (impl/<name>.ipp, config.hpp) where it has one.
std::string code_of(const std::filesystem::path& p) {
    std::string out;
    const std::filesystem::path implementation = include_dir / "impl" / p.filename().replace_extension(".ipp");
    for (const auto& file : {p, implementation}) {
        if (file == implementation && !std::filesystem::exists(file)) break;
        std::istringstream in(read(file));
        for (std::string line; std::getline(in, line);) {
            const auto c = line.find("//");
            out += (c == std::string::npos ? line : line.substr(0, c)) + "\n";
        }
    }
    return out;
}

const std::vector<std::string> verification_headers = {"detail/openssl.hpp",
                                                       "detail/base64url.hpp",
                                                       "detail/json_token.hpp",
                                                       "token.hpp",
                                                       "body_hash.hpp",
                                                       "verify.hpp",
                                                       "keys.hpp",
                                                       "signer.hpp",
                                                       "body_hmac_header.hpp",
                                                       "key_file.hpp",
                                                       "detail/key_file_parser.hpp"};
}  // namespace

TEST_CASE("SHA-256 and HMAC-SHA256 known answers", "[openssl]") {
    o::digest_bytes d{};
    REQUIRE(o::sha256("abc", d));
    CHECK(hex(d) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    // RFC 4231 test case 2.
    REQUIRE(o::hmac_sha256("Jefe", "what do ya want for nothing?", d));
    CHECK(hex(d) == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    // RFC 4231 test case 6: a 131-byte key (longer than the block and than the key cache).
    const std::string key(131, '\xaa');
    REQUIRE(o::hmac_sha256(key, "Test Using Larger Than Block-Size Key - Hash Key First", d));
    CHECK(hex(d) == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
    REQUIRE(o::hmac_sha256("Jefe", "what do ya want for nothing?", d));  // and back
    CHECK(hex(d) == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    CHECK_FALSE(o::hmac_sha256("", "x", d));
    std::array<char, 45> b64{};
    REQUIRE(o::sha256("", d));
    REQUIRE(o::base64_standard(d, b64));
    CHECK(std::string(b64.data(), 44) == "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
}

TEST_CASE("contexts are per thread and give the same answers concurrently", "[openssl][threat-I9]") {
    std::vector<std::thread> threads;
    std::vector<int> bad(4, 0);
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([t, &bad] {
            o::digest_bytes d{};
            for (int i = 0; i < 500; ++i) {
                const bool ok = o::hmac_sha256(t % 2 ? "Jefe" : "other", "what do ya want for nothing?", d);
                if (!ok || (t % 2 && hex(d) != "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"))
                    ++bad[static_cast<std::size_t>(t)];
            }
        });
    }
    for (auto& th : threads) th.join();
    for (int b : bad) CHECK(b == 0);
}

TEST_CASE("no forbidden crypto calls in the verification headers", "[openssl][threat-C4][threat-C9][threat-I9]") {
    // C9: HMAC()/SHA256() one-shots (static output buffer); I9: implicit
    // fetches; C4: non-constant-time comparisons and C-string APIs on tokens.
    const std::vector<std::string> forbidden = {"HMAC",       "SHA256",    "SHA256_Init",  "EVP_sha256",
                                                "EVP_Digest", "EVP_Q_mac", "EVP_Q_digest", "memcmp",
                                                "strcmp",     "strncmp",   "strlen",       "bcmp"};
    const auto is_ident = [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    };
    for (const auto& h : verification_headers) {
        const std::string code = code_of(include_dir / h);
        REQUIRE_FALSE(code.empty());
        for (const auto& name : forbidden) {
            // A call: the name, not part of a longer identifier, then optional spaces and '('.
            for (std::size_t at = code.find(name); at != std::string::npos; at = code.find(name, at + 1)) {
                if (at > 0 && is_ident(code[at - 1])) continue;
                std::size_t after = at + name.size();
                if (after < code.size() && is_ident(code[after])) continue;
                while (after < code.size() && code[after] == ' ') ++after;
                const bool call = after < code.size() && code[after] == '(';
                CAPTURE(h, name, code.substr(at, 40));
                CHECK_FALSE(call);
            }
        }
    }
}

TEST_CASE("the verifier never encodes the expected MAC", "[openssl][threat-C5]") {
    // It decodes the attacker's (public) signature and compares bytes.
    for (const std::string h : {"token.hpp", "verify.hpp", "body_hash.hpp"})
        CHECK(code_of(include_dir / h).find("encode_base64url") == std::string::npos);
    CHECK(code_of(include_dir / "token.hpp").find("decode_base64url(token.signature") != std::string::npos);
}
