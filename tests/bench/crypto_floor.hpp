#ifndef LKWEBHOOK_TESTS_BENCH_CRYPTO_FLOOR_HPP
#define LKWEBHOOK_TESTS_BENCH_CRYPTO_FLOOR_HPP

// The crypto floor: the work no correct verifier can skip, called straight on
// OpenSSL with objects fetched and contexts created once:
//   SHA-256 over the body  +  HMAC-SHA256(secret, "<header>.<payload>").
// Two variants:
//  - keyed per event (EVP_MAC_init with the key every time): what a direct
//    call costs; the ratio-to-floor counters use this one;
//  - pre-keyed (EVP_MAC_init with a NULL key reuses the key schedule): the
//    cheapest possible HMAC, reported for information (a verifier could cache
//    one keyed context per API key to get there).

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <array>
#include <stdexcept>
#include <string_view>

namespace bench {

class crypto_floor {
public:
    explicit crypto_floor(std::string_view secret) : secret_(secret) {
        mac_ = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
        md_ = EVP_MD_fetch(nullptr, "SHA256", nullptr);
        mac_ctx_ = mac_ ? EVP_MAC_CTX_new(mac_) : nullptr;
        md_ctx_ = EVP_MD_CTX_new();
        if (mac_ctx_ == nullptr || md_ == nullptr || md_ctx_ == nullptr)
            throw std::runtime_error("OpenSSL setup failed");
        char digest[] = "SHA256";
        const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                                     OSSL_PARAM_construct_end()};
        if (EVP_MAC_init(mac_ctx_, key_bytes(), secret_.size(), params) != 1) throw std::runtime_error("EVP_MAC_init");
    }
    crypto_floor(const crypto_floor&) = delete;
    crypto_floor& operator=(const crypto_floor&) = delete;
    ~crypto_floor() {
        EVP_MAC_CTX_free(mac_ctx_);
        EVP_MD_CTX_free(md_ctx_);
        EVP_MAC_free(mac_);
        EVP_MD_free(md_);
    }

    // Returns a byte of the results so the optimiser keeps the work.
    unsigned char run(std::string_view body, std::string_view signing_input, bool rekey) {
        std::array<unsigned char, 32> mac{};
        std::array<unsigned char, 32> digest{};
        std::size_t mac_size = 0;
        unsigned int digest_size = 0;
        const bool ok =
                EVP_MAC_init(mac_ctx_, rekey ? key_bytes() : nullptr, rekey ? secret_.size() : 0, nullptr) == 1 &&
                EVP_MAC_update(mac_ctx_, bytes(signing_input), signing_input.size()) == 1 &&
                EVP_MAC_final(mac_ctx_, mac.data(), &mac_size, mac.size()) == 1 &&
                EVP_DigestInit_ex2(md_ctx_, md_, nullptr) == 1 &&
                EVP_DigestUpdate(md_ctx_, body.data(), body.size()) == 1 &&
                EVP_DigestFinal_ex(md_ctx_, digest.data(), &digest_size) == 1;
        if (!ok) throw std::runtime_error("crypto floor: OpenSSL failed");
        return static_cast<unsigned char>(mac[0] ^ digest[0]);
    }

    // "<header>.<payload>" of a compact JWS.
    static std::string_view signing_input(std::string_view token) { return token.substr(0, token.rfind('.')); }

private:
    const unsigned char* key_bytes() const { return reinterpret_cast<const unsigned char*>(secret_.data()); }
    static const unsigned char* bytes(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

    std::string_view secret_;
    EVP_MAC* mac_ = nullptr;
    EVP_MD* md_ = nullptr;
    EVP_MAC_CTX* mac_ctx_ = nullptr;
    EVP_MD_CTX* md_ctx_ = nullptr;
};

}  // namespace bench

#endif
