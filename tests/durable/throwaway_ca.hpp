#ifndef LKWEBHOOK_TESTS_DURABLE_THROWAWAY_CA_HPP
#define LKWEBHOOK_TESTS_DURABLE_THROWAWAY_CA_HPP

// Test fixture: a throwaway certificate authority in a temporary directory,
// made with the openssl command (cmake/install-deps.sh installs it), for the
// TLS tests of the queue engines (nats-server --tls, redis-server --tls-port):
//   ca.pem                      the CA that signs the two below
//   server.pem, server.key      a server certificate for 127.0.0.1 (IP SAN only)
//   client.pem, client.key      a client certificate, for servers that demand one
//   other.pem                   an unrelated CA that signed neither
// Valid for two days; removed with the object.

#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>

#include <unistd.h>

namespace lkwebhook_test {

class throwaway_ca {
public:
    throwaway_ca() {
        char pattern[] = "/tmp/lkwebhook-tls-XXXXXX";
        if (::mkdtemp(pattern) == nullptr) throw std::runtime_error("mkdtemp failed");
        dir_ = pattern;
        const std::string script =
                "cd '" + dir_ +
                "' && (openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2"
                " -subj /CN=lkwebhook-test-ca"
                " && openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj /CN=127.0.0.1"
                " && echo subjectAltName=IP:127.0.0.1 > san.ext"
                " && openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem"
                " -days 2 -extfile san.ext"
                " && openssl req -newkey rsa:2048 -nodes -keyout client.key -out client.csr"
                " -subj /CN=lkwebhook-test-client"
                " && openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out client.pem"
                " -days 2"
                " && openssl req -x509 -newkey rsa:2048 -nodes -keyout other.key -out other.pem -days 2"
                " -subj /CN=other-ca"
                ") >openssl.log 2>&1";
        if (std::system(script.c_str()) != 0) {
            remove();
            throw std::runtime_error("the openssl command failed to make the test certificates");
        }
    }
    ~throwaway_ca() { remove(); }
    throwaway_ca(const throwaway_ca&) = delete;
    throwaway_ca& operator=(const throwaway_ca&) = delete;

    [[nodiscard]] const std::string& directory() const noexcept { return dir_; }
    [[nodiscard]] std::string file(const std::string& name) const { return dir_ + "/" + name; }

private:
    void remove() noexcept {
        std::error_code ignored;
        std::filesystem::remove_all(dir_, ignored);
    }

    std::string dir_;
};

}  // namespace lkwebhook_test

#endif
