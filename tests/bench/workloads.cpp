// Benchmark workloads; see workloads.hpp.
#include "workloads.hpp"

#include <lkwebhook/signer.hpp>

#include "support/vectors.hpp"

#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <string_view>

namespace bench {
namespace {

// One of the vectors as a workload, through the tests' one vector loader.
workload load_vector(const std::string& dir, const std::string& vector_name, const std::string& short_name) {
    const lkwebhook::test::webhook_vector v = lkwebhook::test::load_vector(dir, vector_name);
    if (!v.authorization) throw std::runtime_error(v.file + ": no Authorization value");
    workload w;
    w.name = short_name;
    w.source = vector_name;
    w.api_key = v.api_key;
    w.api_secret = v.api_secret;
    w.original.body = v.body;
    w.original.authorization = *v.authorization;
    w.now = v.now;
    return w;
}

// The body with its event id replaced (the id is the top-level "id":"EV_..." member).
std::string with_event_id(const std::string& body, std::string_view id) {
    constexpr std::string_view marker = "\"id\":\"EV_";
    const std::size_t at = body.find(marker);
    if (at == std::string::npos) throw std::runtime_error("body has no \"id\":\"EV_...\" member");
    const std::size_t value_begin = at + 6;  // after "id":"
    const std::size_t value_end = body.find('"', value_begin);
    std::string out;
    out.reserve(body.size() + id.size());
    out.append(body, 0, value_begin).append(id).append(body, value_end, std::string::npos);
    return out;
}

std::string sign_or_throw(std::string_view body, const workload& w) {
    lkwebhook::sign_options options;
    options.now_unix = w.now - 60;  // nbf a minute before "now", exp four minutes after
    auto token = lkwebhook::sign(body, w.api_key, w.api_secret, options);
    if (!token) throw std::runtime_error("lkwebhook::sign failed: " + token.error().message());
    return *token;
}

void make_variants(workload& w, std::size_t budget_bytes) {
    std::size_t count = budget_bytes / (w.original.body.size() + 512);
    if (count < 64) count = 64;
    if (count > 16384) count = 16384;
    w.variants.reserve(count);
    char id[32];
    for (std::size_t i = 0; i < count; ++i) {
        std::snprintf(id, sizeof id, "EV_bench%07zu", i);
        signed_request r;
        r.body = with_event_id(w.original.body, id);
        r.authorization = sign_or_throw(r.body, w);
        w.variants.push_back(std::move(r));
    }
}

std::string json_quote(std::string_view s) {
    std::string out = "\"";
    for (char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (u < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", u);
            out += buf;
        } else {
            out += c;
        }
    }
    return out + "\"";
}

}  // namespace

std::string generate_huge_participant_body(const std::string& mid_body) {
    // Metadata as apps use it: a JSON document inside a string (escaped quotes),
    // about 27 KB; plus 300 attributes of about 120 bytes each.
    std::string metadata;
    metadata.reserve(26000);
    metadata += "{\\\"profile\\\":{\\\"notes\\\":[";
    for (int i = 0; metadata.size() < 27500; ++i) {
        if (i) metadata += ',';
        char item[160];
        std::snprintf(item, sizeof item,
                      "{\\\"n\\\":%d,\\\"text\\\":\\\"caller said item %d \\u00e9\\u4e2d \\\\/ ok\\\",\\\"at\\\":%d}",
                      i, i, 1768228000 + i);
        metadata += item;
    }
    metadata += "]}}";

    std::string attributes;
    attributes.reserve(40000);
    for (int i = 0; i < 300; ++i) {
        char entry[200];
        std::snprintf(entry, sizeof entry,
                      "\"app.attr.%03d\":\"value-%03d lorem ipsum dolor sit amet, consectetur adipiscing elit %08d "
                      "sed do eiusmod tempor\", ",
                      i, i, i * 7919);
        attributes += entry;
    }

    std::string body = mid_body;
    constexpr std::string_view attributes_marker = "\"attributes\":{";
    const std::size_t a = body.find(attributes_marker);
    if (a == std::string::npos) throw std::runtime_error("mid body has no attributes map");
    body.insert(a + attributes_marker.size(), attributes);
    constexpr std::string_view joined_marker = "\"joinedAt\":";
    const std::size_t j = body.find(joined_marker);
    if (j == std::string::npos) throw std::runtime_error("mid body has no joinedAt");
    body.insert(j, "\"metadata\":\"" + metadata + "\", ");
    return with_event_id(body, "EV_bench_huge01");
}

std::string generate_many_tracks_body(const std::string& mid_body) {
    // The mid body's video track (simulcast, three layers, one codec) 64 times,
    // each with its own sid: a large room's participant_joined.
    constexpr std::string_view tracks_marker = "\"tracks\":[";
    const std::size_t t = mid_body.find(tracks_marker);
    if (t == std::string::npos) throw std::runtime_error("mid body has no tracks");
    const std::size_t first = t + tracks_marker.size();
    // The first track is the object that opens there; find its closing brace.
    std::size_t depth = 0;
    std::size_t end = first;
    for (; end < mid_body.size(); ++end) {
        if (mid_body[end] == '{') ++depth;
        if (mid_body[end] == '}' && --depth == 0) break;
    }
    const std::string track = mid_body.substr(first, end + 1 - first);
    constexpr std::string_view sid_marker = "\"sid\":\"TR_";
    const std::size_t sid_at = track.find(sid_marker);
    if (sid_at == std::string::npos) throw std::runtime_error("mid body's first track has no sid");
    const std::size_t sid_value = sid_at + sid_marker.size();
    const std::size_t sid_end = track.find('"', sid_value);
    std::string tracks;
    for (int i = 0; i < 64; ++i) {
        if (i) tracks += ", ";
        char sid[16];
        std::snprintf(sid, sizeof sid, "bench%07d", i);
        tracks.append(track, 0, sid_value).append(sid).append(track, sid_end, std::string::npos);
    }
    std::size_t array_end = first;
    depth = 1;
    for (; array_end < mid_body.size(); ++array_end) {
        if (mid_body[array_end] == '[') ++depth;
        if (mid_body[array_end] == ']' && --depth == 0) break;
    }
    std::string body = mid_body.substr(0, first) + tracks + mid_body.substr(array_end);
    return with_event_id(body, "EV_bench_tracks1");
}

std::string generate_many_attributes_body(const std::string& mid_body) {
    // 1,000 attributes in key order (LiveKit's JSON has sorted map keys), about
    // 58 bytes each, ahead of the mid body's own four (which sort after them).
    std::string attributes;
    for (int i = 0; i < 1000; ++i) {
        char entry[96];
        std::snprintf(entry, sizeof entry, "\"app.attr.%04d\":\"value-%04d lorem ipsum dolor sit %08d\", ", i, i,
                      i * 7919);
        attributes += entry;
    }
    std::string body = mid_body;
    constexpr std::string_view attributes_marker = "\"attributes\":{";
    const std::size_t a = body.find(attributes_marker);
    if (a == std::string::npos) throw std::runtime_error("mid body has no attributes map");
    body.insert(a + attributes_marker.size(), attributes);
    return with_event_id(body, "EV_bench_attrs01");
}

std::vector<workload> load_workloads(const std::string& vectors_dir, std::size_t variant_budget_bytes) {
    std::vector<workload> out;
    out.push_back(load_vector(vectors_dir, "ok_bench_small_room_finished", "small"));
    out.push_back(load_vector(vectors_dir, "ok_bench_mid_participant_joined", "mid"));
    out.push_back(load_vector(vectors_dir, "ok_bench_large_egress_ended", "large"));

    workload huge = out[1];
    huge.name = "huge";
    huge.source = "generated from ok_bench_mid_participant_joined";
    huge.original.body = generate_huge_participant_body(out[1].original.body);
    huge.original.authorization = sign_or_throw(huge.original.body, huge);
    out.push_back(std::move(huge));

    workload tracks = out[1];
    tracks.name = "tracks64";
    tracks.source = "generated from ok_bench_mid_participant_joined";
    tracks.original.body = generate_many_tracks_body(out[1].original.body);
    tracks.original.authorization = sign_or_throw(tracks.original.body, tracks);
    out.push_back(std::move(tracks));

    workload attrs = out[1];
    attrs.name = "attrs1000";
    attrs.source = "generated from ok_bench_mid_participant_joined";
    attrs.original.body = generate_many_attributes_body(out[1].original.body);
    attrs.original.authorization = sign_or_throw(attrs.original.body, attrs);
    out.push_back(std::move(attrs));

    for (workload& w : out) make_variants(w, variant_budget_bytes);
    return out;
}

void dump_workloads(const std::vector<workload>& workloads, const std::string& dir) {
    for (const workload& w : workloads) {
        const std::string path = dir + "/" + w.name + ".json";
        std::ofstream out(path, std::ios::binary);
        if (!out) throw std::runtime_error("cannot write " + path);
        out << "{\"name\":" << json_quote(w.name) << ",\"api_key\":" << json_quote(w.api_key)
            << ",\"api_secret\":" << json_quote(w.api_secret) << ",\"now\":" << w.now
            << ",\"body\":" << json_quote(w.original.body)
            << ",\"authorization\":" << json_quote(w.original.authorization) << "}\n";
    }
}

}  // namespace bench
