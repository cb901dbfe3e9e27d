#ifndef LKWEBHOOK_TESTS_BENCH_WORKLOADS_HPP
#define LKWEBHOOK_TESTS_BENCH_WORKLOADS_HPP

// Benchmark workloads: three vectors from tests/vectors/data (what a LiveKit
// server sends, signed by it) and three ~60 KB participant_joined bodies
// generated from the mid one (large metadata and attributes; 64 tracks; 1,000
// attributes), signed with lkwebhook::sign.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace bench {

struct signed_request {
    std::string body;
    std::string authorization;
};

struct workload {
    std::string name;    // "small", "mid", "large", "huge", "tracks64", "attrs1000"
    std::string source;  // vector name or "generated"
    std::string api_key;
    std::string api_secret;
    std::int64_t now = 0;     // the instant every token is valid at
    signed_request original;  // exactly the vector's request
    // Copies of `original` whose event ids differ (so an idempotency store does
    // real work), each signed with lkwebhook::sign at `now`.
    std::vector<signed_request> variants;
};

// Loads the workloads; variants_per_kib scales how many unique-id variants are
// generated (fewer for big bodies to bound memory). Throws std::runtime_error.
std::vector<workload> load_workloads(const std::string& vectors_dir, std::size_t variant_budget_bytes);

// Writes each workload's original request as <dir>/<name>.json
// ({"name","api_key","api_secret","now","body","authorization"}), for the JS SDK comparison.
void dump_workloads(const std::vector<workload>& workloads, const std::string& dir);

// The generated bodies (unsigned), exposed for tests of the generators: ~64 KB
// of metadata and attributes; 64 simulcast video tracks (~60 KB); 1,000
// attributes (~60 KB).
std::string generate_huge_participant_body(const std::string& mid_body);
std::string generate_many_tracks_body(const std::string& mid_body);
std::string generate_many_attributes_body(const std::string& mid_body);

}  // namespace bench

#endif
