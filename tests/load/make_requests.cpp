// Generates the request mix for the wrk load test (tests/load/run.sh):
//   genuine   distinct events, each signed with lkwebhook::sign (ids EV_LOAD...)
//   duplicate exact byte copies of earlier genuine requests (a LiveKit retry or a replay)
//   forged    ids EV_FORGED...: flipped signature, body altered after signing,
//             signed with a wrong secret, unknown key, garbage token
// Output file, one request per three lines: "<kind>\n<authorization>\n<body>\n"
// (bodies are single-line JSON). Also writes <out>.genuine: the genuine ids, one a line.
//
//   lkwebhook_load_requests <out> <api_key> <api_secret> <genuine_count>
#include <lkwebhook/signer.hpp>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

namespace {

std::string body_for(const std::string& id, int n) {
    char room[64];
    std::snprintf(room, sizeof room, "RM_load%08d", n / 8);
    char participant[64];
    std::snprintf(participant, sizeof participant, "PA_load%08d", n);
    return std::string("{\"event\":\"participant_joined\", \"room\":{\"sid\":\"") + room +
           "\", \"name\":\"load-room\", \"emptyTimeout\":300, \"creationTime\":\"1768226525\"}, "
           "\"participant\":{\"sid\":\"" +
           participant + "\", \"identity\":\"caller-" + std::to_string(n) +
           "\", \"state\":\"JOINED\", \"joinedAt\":\"1768228176\", \"name\":\"Load Tester\", \"kind\":\"SIP\", "
           "\"attributes\":{\"sip.callID\":\"" +
           std::to_string(n * 7919) + "\"}}, \"id\":\"" + id + "\", \"createdAt\":\"1768228640\"}";
}

std::string sign_or_die(const std::string& body, const std::string& key, const std::string& secret) {
    lkwebhook::sign_options options;
    options.valid_for = std::chrono::seconds{3600};
    auto token = lkwebhook::sign(body, key, secret, options);
    if (!token) {
        std::cerr << "sign failed: " << token.error().message() << "\n";
        std::exit(1);
    }
    return *token;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 5) {
        std::cerr << "usage: lkwebhook_load_requests <out> <api_key> <api_secret> <genuine_count>\n";
        return 2;
    }
    const std::string out_path = argv[1];
    const std::string key = argv[2];
    const std::string secret = argv[3];
    const int genuine_count = std::atoi(argv[4]);
    if (genuine_count < 10) {
        std::cerr << "genuine_count must be >= 10\n";
        return 2;
    }

    struct request {
        std::string kind, authorization, body;
    };
    std::vector<request> genuine;
    std::ofstream ids(out_path + ".genuine");
    for (int i = 0; i < genuine_count; ++i) {
        char id[32];
        std::snprintf(id, sizeof id, "EV_LOAD%08d", i);
        std::string body = body_for(id, i);
        genuine.push_back({"genuine", sign_or_die(body, key, secret), std::move(body)});
        ids << id << "\n";
    }

    std::vector<request> mix;
    int forged = 0;
    for (int i = 0; i < genuine_count; ++i) {
        mix.push_back(genuine[static_cast<std::size_t>(i)]);
        if (i % 4 == 3) {  // a retry of a recent request: same token, same body
            request dup = genuine[static_cast<std::size_t>(i - 2)];
            dup.kind = "duplicate";
            mix.push_back(std::move(dup));
        }
        if (i % 5 == 4) {  // a forgery, cycling through five kinds
            char id[32];
            std::snprintf(id, sizeof id, "EV_FORGED%06d", forged);
            std::string body = body_for(id, 1000000 + forged);
            request f{"forged", "", body};
            switch (forged % 5) {
                case 0: {  // signature bit flipped (still canonical base64url: first char of the segment)
                    f.authorization = sign_or_die(body, key, secret);
                    char& c = f.authorization[f.authorization.rfind('.') + 1];
                    c = c == 'A' ? 'B' : 'A';
                    break;
                }
                case 1:  // body altered after signing
                    f.authorization = sign_or_die(body, key, secret);
                    f.body.replace(f.body.find("Load Tester"), 11, "Evil Tester");
                    break;
                case 2:  // wrong secret
                    f.authorization = sign_or_die(body, key, secret + "x");
                    break;
                case 3:  // unknown key
                    f.authorization = sign_or_die(body, key + "x", secret);
                    break;
                default:  // garbage
                    f.authorization = "Bearer not.a.jwt";
                    break;
            }
            mix.push_back(std::move(f));
            ++forged;
        }
    }

    std::ofstream out(out_path, std::ios::binary);
    for (const request& r : mix) out << r.kind << "\n" << r.authorization << "\n" << r.body << "\n";
    if (!out || !ids) {
        std::cerr << "cannot write " << out_path << "\n";
        return 1;
    }
    std::cout << mix.size() << " requests: " << genuine_count << " genuine, " << forged << " forged\n";
    return 0;
}
