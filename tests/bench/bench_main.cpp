// lkwebhook benchmarks: see README.md. For each workload, in one binary and run:
//   floor           OpenSSL SHA-256(body) + HMAC-SHA256(secret, header.payload), keyed per event
//   floor_prekeyed  the same with the HMAC key schedule reused (information only)
//   parse_floor     simdjson's DOM parse of the body alone, parser reused (information:
//                   the part of decode no walk of the tape can save)
//   copy_floor      that parse plus a walk that only copies each value out (information:
//                   a lower bound for decoding into std::string fields)
//   verify          lkwebhook::verify (steps 1-7)
//   decode_reused   lkwebhook::decode into one reused webhook_event (warm decode_context)
//   decode_owning   lkwebhook::decode into a fresh webhook_event each time (warm decode_context)
//   receive         lkwebhook::receiver::receive: verify + decode into its reused event
//   e2e             verify_and_dispatch with a no-op correlator and a memory_store, every
//                   request a distinct event id (the store claims, completes and evicts)
//   e2e_mt          e2e on the mid workload with 1 and 2 threads sharing one store
//   key_file/N      parsing a livekit-server key file of N keys and building its key_set
//                   (no file I/O): must grow as N log N (catalogue I12)
// Counters: events/s; x_floor = time per event / floor time per event (same workload,
// calibrated at start-up); allocs/ev = C++ heap allocations per event; ossl_allocs/ev =
// OpenSSL's own allocations per event; dup% = share of e2e requests that were duplicates.
// After the run a "targets" block checks the issue's targets on the mid workload.
#include "alloc_counter.hpp"
#include "crypto_floor.hpp"
#include "workloads.hpp"

#include <lkwebhook/clock.hpp>
#include <lkwebhook/decode.hpp>
#include <lkwebhook/dispatch.hpp>
#include <lkwebhook/events.hpp>
#include <lkwebhook/idempotency.hpp>
#include <lkwebhook/key_file.hpp>
#include <lkwebhook/keys.hpp>
#include <lkwebhook/receiver.hpp>
#include <lkwebhook/signer.hpp>
#include <lkwebhook/verify.hpp>

#include <benchmark/benchmark.h>
#include <simdjson.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace {

// CPU time of the calling thread: the machine is shared, and wall time would
// charge other processes' time slices to us. Floors and ratios use it too.
struct thread_cpu_clock {
    using duration = std::chrono::nanoseconds;
    using time_point = std::chrono::time_point<thread_cpu_clock, duration>;
    static time_point now() noexcept {
        timespec ts{};
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
        return time_point(duration(std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec));
    }
};
using clock_type = thread_cpu_clock;

std::vector<bench::workload>* workloads = nullptr;
std::map<std::string, double> floor_ns;  // workload name -> ns per event of `floor`

struct noop_correlator {
    void on_event(const lkwebhook::webhook_event& ev) noexcept { benchmark::DoNotOptimize(&ev); }
};

lkwebhook::static_key keys_for(const bench::workload& w) {
    auto keys = lkwebhook::static_key::make(w.api_key, w.api_secret);
    if (!keys) throw std::runtime_error("static_key::make failed");
    return std::move(*keys);
}

// Measures the timed loop of one benchmark invocation and sets the counters.
class measurement {
public:
    measurement(benchmark::State& state, const std::string& workload)
        : state_(state), floor_(floor_ns.count(workload) ? floor_ns[workload] : 0.0) {}
    void start() {
        allocations_ = bench::thread_allocations();
        started_ = clock_type::now();
    }
    void stop() {
        const auto elapsed = std::chrono::duration<double, std::nano>(clock_type::now() - started_).count();
        const auto after = bench::thread_allocations();
        const double n = static_cast<double>(state_.iterations());
        if (n == 0) return;
        state_.counters["events/s"] = benchmark::Counter(n, benchmark::Counter::kIsRate);
        if (floor_ > 0)
            state_.counters["x_floor"] = benchmark::Counter(elapsed / n / floor_, benchmark::Counter::kAvgThreads);
        state_.counters["allocs/ev"] = benchmark::Counter(static_cast<double>(after.cpp - allocations_.cpp) / n,
                                                          benchmark::Counter::kAvgThreads);
        state_.counters["ossl_allocs/ev"] = benchmark::Counter(
                static_cast<double>(after.crypto - allocations_.crypto) / n, benchmark::Counter::kAvgThreads);
    }

private:
    benchmark::State& state_;
    double floor_;
    bench::allocation_count allocations_{};
    clock_type::time_point started_{};
};

void bm_key_file(benchmark::State& state) {
    const auto n = static_cast<std::size_t>(state.range(0));
    std::string text;
    for (std::size_t i = 0; i < n; ++i) text += "APIkey" + std::to_string(i) + ": secret-" + std::to_string(i) + "\n";
    for (auto _ : state) {
        auto pairs = lkwebhook::detail::parse_key_file_text(text, nullptr);
        if (!pairs) {
            state.SkipWithError("the key file did not parse");
            return;
        }
        std::vector<lkwebhook::key_pair> views;
        views.reserve(pairs->size());
        for (const auto& [k, s] : *pairs) views.push_back(lkwebhook::key_pair{k, s});
        auto keys = lkwebhook::key_set::make(std::span<const lkwebhook::key_pair>(views));
        benchmark::DoNotOptimize(keys);
    }
    state.SetComplexityN(state.range(0));
    state.counters["keys/s"] =
            benchmark::Counter(static_cast<double>(n), benchmark::Counter::kIsIterationInvariantRate);
}

void bm_floor(benchmark::State& state, const bench::workload* w, bool rekey) {
    bench::crypto_floor floor(w->api_secret);
    const std::string_view body = w->original.body;
    const std::string_view input = bench::crypto_floor::signing_input(w->original.authorization);
    measurement m(state, w->name);
    m.start();
    for (auto _ : state) benchmark::DoNotOptimize(floor.run(body, input, rekey));
    m.stop();
}

// What decode_reused pays simdjson before its walk of the tape starts: the
// same parse of a padded copy (decode.ipp copies the body too), nothing kept.
void bm_parse_floor(benchmark::State& state, const bench::workload* w) {
    const simdjson::padded_string body(w->original.body);
    simdjson::dom::parser parser;
    if (parser.allocate(body.size()) != simdjson::SUCCESS) {
        state.SkipWithError("simdjson could not allocate");
        return;
    }
    measurement m(state, w->name);
    m.start();
    for (auto _ : state) {
        simdjson::dom::element root;
        if (parser.parse(body).get(root) != simdjson::SUCCESS) {
            state.SkipWithError("simdjson rejected the workload");
            return;
        }
        benchmark::DoNotOptimize(root);
    }
    m.stop();
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                            static_cast<std::int64_t>(w->original.body.size()));
}

// A lower bound for any decoder that walks simdjson's tape into std::string
// fields: parse_floor's parse, then one pass over the tape that copies every
// string value into a reused std::string (capacity kept, as in a reused
// event) and every number into a slot, and steps over keys. No key lookup,
// no type, range or duplicate check, no reset of absent fields: less than a
// real decoder must do. The tape's layout is detail/json_tape.hpp's.
class copy_only_walk {
public:
    std::size_t run(const simdjson::dom::document& document) {
        const std::uint64_t* tape = document.tape.get();
        const std::uint8_t* strings = document.string_buf.get();
        const std::size_t end = static_cast<std::uint32_t>(tape[0]);  // the root's last word
        std::size_t copied = 0;
        std::size_t stored = 0;
        std::size_t depth = 0;
        for (std::size_t at = 1; at < end; ++at) {
            const std::uint64_t word = tape[at];
            const auto tag = static_cast<char>(word >> 56);
            if (tag == '}' || tag == ']') {
                --depth;
                continue;
            }
            if (depth > 0 && in_object_[depth]) {
                // Members alternate key, value: a key is only stepped over.
                const bool key = next_is_key_[depth];
                next_is_key_[depth] = !key;
                if (key) continue;
            }
            switch (tag) {
                case '{':
                case '[':
                    if (++depth >= in_object_.size()) return copied + stored;
                    in_object_[depth] = tag == '{';
                    next_is_key_[depth] = true;
                    break;
                case '"': {
                    const std::uint8_t* entry = strings + (word & ((std::uint64_t{1} << 56) - 1));
                    std::uint32_t size = 0;
                    std::memcpy(&size, entry, sizeof size);
                    if (copied == texts_.size()) texts_.emplace_back();
                    std::string& to = texts_[copied++];
                    to.clear();
                    to.append(reinterpret_cast<const char*>(entry + sizeof size), size);
                    break;
                }
                case 'l':
                case 'u':
                case 'd':
                    if (stored == numbers_.size()) numbers_.emplace_back();
                    numbers_[stored++] = tape[++at];
                    break;
                default: break;
            }
        }
        return copied + stored;
    }

private:
    std::array<bool, 1025> in_object_{};
    std::array<bool, 1025> next_is_key_{};
    std::vector<std::string> texts_;
    std::vector<std::uint64_t> numbers_;
};

void bm_copy_floor(benchmark::State& state, const bench::workload* w) {
    const simdjson::padded_string body(w->original.body);
    simdjson::dom::parser parser;
    copy_only_walk walk;
    if (parser.allocate(body.size()) != simdjson::SUCCESS) {
        state.SkipWithError("simdjson could not allocate");
        return;
    }
    simdjson::dom::element root;
    if (parser.parse(body).get(root) != simdjson::SUCCESS || walk.run(parser.doc) == 0) {
        state.SkipWithError("simdjson rejected the workload");
        return;
    }
    measurement m(state, w->name);
    m.start();
    for (auto _ : state) {
        if (parser.parse(body).get(root) != simdjson::SUCCESS) {
            state.SkipWithError("simdjson rejected the workload");
            return;
        }
        benchmark::DoNotOptimize(walk.run(parser.doc));
    }
    m.stop();
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                            static_cast<std::int64_t>(w->original.body.size()));
}

void bm_verify(benchmark::State& state, const bench::workload* w) {
    const auto keys = keys_for(*w);
    const lkwebhook::fixed_clock now{w->now};
    const lkwebhook::verify_options options;
    if (!lkwebhook::verify(w->original.body, w->original.authorization, keys, options, now)) {
        state.SkipWithError("verify rejected the workload");
        return;
    }
    measurement m(state, w->name);
    m.start();
    for (auto _ : state) {
        auto r = lkwebhook::verify(w->original.body, w->original.authorization, keys, options, now);
        benchmark::DoNotOptimize(r);
    }
    m.stop();
}

void bm_decode(benchmark::State& state, const bench::workload* w, bool reuse_event) {
    lkwebhook::decode_context context;
    lkwebhook::webhook_event reused;
    if (!lkwebhook::decode(w->original.body, reused, context)) {
        state.SkipWithError("decode rejected the workload");
        return;
    }
    measurement m(state, w->name);
    m.start();
    for (auto _ : state) {
        if (reuse_event) {
            auto r = lkwebhook::decode(w->original.body, reused, context);
            benchmark::DoNotOptimize(r);
        } else {
            lkwebhook::webhook_event fresh;
            auto r = lkwebhook::decode(w->original.body, fresh, context);
            benchmark::DoNotOptimize(r);
            benchmark::DoNotOptimize(fresh);
        }
    }
    m.stop();
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                            static_cast<std::int64_t>(w->original.body.size()));
}

void bm_receive(benchmark::State& state, const bench::workload* w) {
    lkwebhook::receiver receiver(keys_for(*w), lkwebhook::receiver_options{}, lkwebhook::fixed_clock{w->now});
    if (receiver.receive(w->original.body, w->original.authorization).error()) {
        state.SkipWithError("receiver rejected the workload");
        return;
    }
    measurement m(state, w->name);
    m.start();
    for (auto _ : state) {
        auto r = receiver.receive(w->original.body, w->original.authorization);
        benchmark::DoNotOptimize(r);
    }
    m.stop();
}

// The store: capacity a quarter of the variants, so an id has always been
// evicted (early, counted) before its variant comes round again: every
// request is a first delivery and the store inserts, evicts and completes.
lkwebhook::memory_store_options store_options_for(const bench::workload& w) {
    lkwebhook::memory_store_options o;
    o.capacity = std::max<std::size_t>(16, w.variants.size() / 4);
    return o;
}

// `cursor` persists across Google Benchmark's repeated invocations (and is
// shared by threads), so no invocation restarts on ids the store still holds.
void run_e2e(benchmark::State& state, const bench::workload* w, lkwebhook::memory_store& store,
             std::atomic<std::size_t>& cursor) {
    const auto keys = keys_for(*w);
    const lkwebhook::fixed_clock now{w->now};
    const lkwebhook::dispatch_options options;
    noop_correlator correlator;
    std::uint64_t duplicates = 0;
    std::uint64_t failures = 0;
    const std::size_t count = w->variants.size();
    measurement m(state, w->name);
    m.start();
    for (auto _ : state) {
        const bench::signed_request& r = w->variants[cursor.fetch_add(1, std::memory_order_relaxed) % count];
        const lkwebhook::outcome o =
                lkwebhook::verify_and_dispatch(r.body, r.authorization, keys, correlator, store, options, now);
        duplicates += o.duplicate ? 1 : 0;
        failures += (!o.ok() && !o.duplicate) ? 1 : 0;
    }
    m.stop();
    const auto n = static_cast<double>(state.iterations());
    state.counters["dup%"] =
            benchmark::Counter(100.0 * static_cast<double>(duplicates) / n, benchmark::Counter::kAvgThreads);
    if (failures != 0) state.SkipWithError("verify_and_dispatch rejected a genuine request");
}

void bm_e2e(benchmark::State& state, const bench::workload* w) {
    lkwebhook::memory_store store(store_options_for(*w));
    std::atomic<std::size_t> cursor{0};
    run_e2e(state, w, store, cursor);
}

lkwebhook::memory_store* shared_store = nullptr;

void bm_e2e_mt(benchmark::State& state, const bench::workload* w) {
    // The threads share one store and one cursor over the variants.
    static std::atomic<std::size_t> cursor{0};
    run_e2e(state, w, *shared_store, cursor);
}

// Pathological but valid bodies (catalogue I6): each shape at about 256 KiB
// and 1 MiB, signed, through verify_and_dispatch without a store. Linear work
// means the large one costs about 4x the small one.
struct pathological_body {
    std::string shape;
    std::size_t kib = 0;
    std::string body;
    std::string authorization;
};
std::vector<pathological_body>* pathological = nullptr;
constexpr std::string_view pathological_key = "APIbenchpatho";
constexpr std::string_view pathological_secret = "bench-pathological-secret-0123456789abcdef";
constexpr std::int64_t pathological_now = 1768228729;

// A participant_joined whose participant carries `member` (a complete
// `"name":value` text, or several).
std::string participant_with(const std::string& member) {
    return R"({"event":"participant_joined","room":{"sid":"RM_patho","name":"patho"},"participant":{"sid":"PA_patho","identity":"p",)" +
           member + R"(},"id":"EV_pathological","createdAt":"1768228640"})";
}

std::string pathological_shape(const std::string& shape, std::size_t size) {
    std::string items;
    const std::size_t target = size - 256;
    if (shape == "map_keys") {
        // Distinct keys in no particular order: the duplicate check must sort.
        items = "\"attributes\":{";
        for (std::size_t i = 0; items.size() < target; ++i) {
            char entry[32];
            std::snprintf(entry, sizeof entry, "%s\"%05zx\":\"\"", i ? "," : "", (i * 7919) & 0xFFFFF);
            items += entry;
        }
        return participant_with(items + "}");
    }
    if (shape == "escaped_keys") {
        items = "\"attributes\":{";
        for (std::size_t i = 0; items.size() < target; ++i) {
            char entry[40];
            std::snprintf(entry, sizeof entry, "%s\"\\u0061\\n%05zx\":\"\"", i ? "," : "", (i * 7919) & 0xFFFFF);
            items += entry;
        }
        return participant_with(items + "}");
    }
    if (shape == "nested_arrays") {
        const std::string deep = std::string(60, '[') + std::string(60, ']');
        items = "\"unknownMember\":[";
        for (std::size_t i = 0; items.size() < target; ++i) items += (i ? "," : "") + deep;
        return participant_with(items + "]");
    }
    // enum_numbers: a repeated enum field of TrackSource numbers.
    items = "\"permission\":{\"canPublishSources\":[";
    for (std::size_t i = 0; items.size() < target; ++i) {
        if (i) items += ',';
        items += static_cast<char>('1' + i % 4);
    }
    return participant_with(items + "]}");
}

void bm_pathological(benchmark::State& state, const pathological_body* p) {
    static const lkwebhook::static_key keys = *lkwebhook::static_key::make(pathological_key, pathological_secret);
    const lkwebhook::fixed_clock now{pathological_now};
    lkwebhook::no_idempotency store;
    noop_correlator correlator;
    for (auto _ : state) {
        const lkwebhook::outcome o = lkwebhook::verify_and_dispatch(p->body, p->authorization, keys, correlator, store,
                                                                    lkwebhook::dispatch_options{}, now);
        if (!o.ok()) {
            state.SkipWithError("a pathological body was rejected");
            return;
        }
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(p->body.size()));
}

double calibrate_floor(const bench::workload& w) {
    bench::crypto_floor floor(w.api_secret);
    const std::string_view input = bench::crypto_floor::signing_input(w.original.authorization);
    double best = 1e300;
    for (int round = 0; round < 5; ++round) {
        unsigned sink = 0;
        std::size_t n = 0;
        const auto start = clock_type::now();
        auto elapsed = clock_type::duration::zero();
        while (elapsed < std::chrono::milliseconds(60)) {
            for (int i = 0; i < 64; ++i) sink += floor.run(w.original.body, input, true);
            n += 64;
            elapsed = clock_type::now() - start;
        }
        benchmark::DoNotOptimize(sink);
        best = std::min(best, std::chrono::duration<double, std::nano>(elapsed).count() / static_cast<double>(n));
    }
    return best;
}

// Console output plus a check of the issue's targets at the end.
class targets_reporter : public benchmark::ConsoleReporter {
public:
    void ReportRuns(const std::vector<Run>& runs) override {
        for (const Run& run : runs) {
            if (run.error_occurred) errors_.push_back(run.benchmark_name());
            // With --benchmark_repetitions the checks use the fastest
            // repetition (the least disturbed by other processes), never an
            // aggregate.
            if (run.run_type == Run::RT_Aggregate) continue;
            const double ms = run.GetAdjustedCPUTime() * benchmark::GetTimeUnitMultiplier(benchmark::kMillisecond) /
                              benchmark::GetTimeUnitMultiplier(run.time_unit);
            const auto best = times_ms_.find(run.benchmark_name());
            if (run.iterations > 0 && best != times_ms_.end() && best->second <= ms) continue;
            auto& slot = results_[run.benchmark_name()];
            for (const auto& [name, counter] : run.counters) slot[name] = counter.value;
            if (run.iterations > 0) times_ms_[run.benchmark_name()] = ms;
        }
        ConsoleReporter::ReportRuns(runs);
    }

    void Finalize() override {
        ConsoleReporter::Finalize();
        std::printf("\ncrypto floor per event (keyed HMAC + SHA-256), calibrated at start-up:\n");
        for (const auto& [name, ns] : floor_ns)
            std::printf("  %-6s %8.0f ns  (%.0f events/s)\n", name.c_str(), ns, 1e9 / ns);
        std::printf("\ntargets (mid workload):\n");
        const double e2e = value("e2e/mid", "x_floor");
        line("end to end within 1.5x the crypto floor", e2e, e2e <= 1.5, "x");
        const double receive_allocs = value("receive/mid", "allocs/ev");
        const double receive_ossl = value("receive/mid", "ossl_allocs/ev");
        line("zero C++ heap allocations: verify + decode into a reused event", receive_allocs, receive_allocs == 0.0,
             "/ev");
        line("zero OpenSSL heap allocations: verify + decode into a reused event", receive_ossl, receive_ossl == 0.0,
             "/ev");
        const double one = value("e2e_mt/mid/real_time/threads:1", "events/s");
        const double two = value("e2e_mt/mid/real_time/threads:2", "events/s");
        const double speedup = one > 0 ? two / one : 0.0;
        line("2 threads >= 1.8x the events/s of 1 thread (wall clock)", speedup, speedup >= 1.8, "x");
        // On a shared or loaded machine the wall-clock figure measures the other
        // processes; the CPU cost per event per thread shows the contention the
        // library itself adds (2 x cost(1) / cost(2) is the speedup 2 idle cores give).
        const double cost_one = value("e2e_mt/mid/real_time/threads:1", "x_floor");
        const double cost_two = value("e2e_mt/mid/real_time/threads:2", "x_floor");
        const double implied = cost_one > 0 && cost_two > 0 ? 2.0 * cost_one / cost_two : -1.0;
        line("2 threads >= 1.8x, from CPU time per event (contention inside the library only)", implied, implied >= 1.8,
             "x");
        std::printf("  (load average at start: see the context above; wall-clock scaling needs 2 idle cores)\n");
        const double key_file_ms = value_ms("key_file/20000");
        line("a key file of 20,000 keys parses and loads in under 50 ms", key_file_ms,
             key_file_ms >= 0 && key_file_ms < 50.0, " ms");
        issue_13_targets();
        for (const std::string& e : errors_) std::printf("  ERROR in %s\n", e.c_str());
    }

private:
    // Issue 13: decoding near simdjson's pace, verification near the crypto floor.
    void issue_13_targets() const {
        std::printf("\ntargets (issue 13, thread CPU time):\n");
        const auto gbps = [&](const std::string& workload) {
            const double bytes = value("decode_reused/" + workload, "bytes_per_second");
            return bytes < 0 ? -1.0 : bytes / 1e9;
        };
        const double mid = gbps("mid");
        line("decode_reused/mid >= 1.5 GB/s", mid, mid >= 1.5, " GB/s");
        for (const char* w : {"tracks64", "attrs1000"}) {
            const double rate = gbps(w);
            const std::string what = std::string("decode_reused/") + w + " >= 1 GB/s";
            line(what.c_str(), rate, rate >= 1.0, " GB/s");
        }
        const double verify_us = value_ms("verify/small") * 1e3;
        const double floor_us = value_ms("floor_prekeyed/small") * 1e3;
        const double over = verify_us >= 0 && floor_us >= 0 ? verify_us - floor_us : -1.0;
        line("verify/small within 0.3 us of floor_prekeyed/small", over, over >= 0 && over <= 0.3, " us over");
        for (const auto& [name, ns] : floor_ns) {
            // The fastest e2e over the fastest floor of this run: the start-up
            // calibration behind x_floor ran seconds earlier, and on this
            // shared machine it has read up to 40% above the floor benchmark.
            const double e2e_ms = value_ms("e2e/" + name);
            const double floor_ms = value_ms("floor/" + name);
            const double ratio = e2e_ms >= 0 && floor_ms > 0 ? e2e_ms / floor_ms : value("e2e/" + name, "x_floor");
            const std::string what = "e2e/" + name + " at most 2.0x the crypto floor";
            line(what.c_str(), ratio, ratio >= 0 && ratio <= 2.0, "x");
        }
        // Not targets: what no decoder on simdjson's DOM can go below. decode
        // includes the parse and at least the copy-only walk; e2e includes
        // verify and decode.
        std::printf(
                "  bounds (information): simdjson's DOM parse alone; parse + a walk that only copies values;\n"
                "  (verify + that) / floor, below which no e2e on simdjson's DOM can go:\n");
        for (const auto& [name, ns] : floor_ns) {
            const double parse_ms = value_ms("parse_floor/" + name);
            const double copy_ms = value_ms("copy_floor/" + name);
            const double verify_ms = value_ms("verify/" + name);
            const double floor_ms = value_ms("floor/" + name);
            if (parse_ms <= 0 || copy_ms <= 0) continue;
            const double bytes = value("parse_floor/" + name, "bytes_per_second") * parse_ms / 1e3;
            std::printf("    %-9s parse %.2f GB/s, parse + copy %.2f GB/s", name.c_str(), bytes / (parse_ms * 1e6),
                        bytes / (copy_ms * 1e6));
            if (verify_ms >= 0 && floor_ms > 0)
                std::printf(", (verify + parse + copy) / floor %.2fx", (verify_ms + copy_ms) / floor_ms);
            std::printf("\n");
        }
        const double receive_ossl = value("receive/mid", "ossl_allocs/ev");
        line("OpenSSL allocations: verify + decode into a reused event, at most 3", receive_ossl,
             receive_ossl >= 0 && receive_ossl <= 3.0, "/ev");
        if (pathological == nullptr) return;
        for (const pathological_body& p : *pathological) {
            if (p.kib != 1024) continue;
            const double large = value_ms("pathological/" + p.shape + "/1024");
            const double small = value_ms("pathological/" + p.shape + "/256");
            std::string what = "pathological " + p.shape + ", 1 MiB, at most 10 ms";
            line(what.c_str(), large, large >= 0 && large <= 10.0, " ms");
            const double ratio = large >= 0 && small > 0 ? large / small : -1.0;
            what = "pathological " + p.shape + " linear: 1 MiB / 256 KiB at most 5 (4 is linear)";
            line(what.c_str(), ratio, ratio >= 0 && ratio <= 5.0, "x");
        }
    }

    double value(const std::string& run, const std::string& counter) const {
        const auto r = results_.find(run);
        if (r == results_.end()) return -1.0;
        const auto c = r->second.find(counter);
        return c == r->second.end() ? -1.0 : c->second;
    }
    double value_ms(const std::string& run) const {
        const auto r = times_ms_.find(run);
        return r == times_ms_.end() ? -1.0 : r->second;
    }
    static void line(const char* what, double value, bool met, const char* unit) {
        if (value < 0)
            std::printf("  [not run] %s\n", what);
        else
            std::printf("  [%s] %s: %.2f%s\n", met ? "met" : "MISSED", what, value, unit);
    }
    std::map<std::string, std::map<std::string, double>> results_;
    std::map<std::string, double> times_ms_;  // CPU time per iteration
    std::vector<std::string> errors_;
};

}  // namespace

int main(int argc, char** argv) {
    std::string vectors_dir = LKWEBHOOK_BENCH_VECTORS_DIR;
    std::string dump_dir;
    // Our own flags first; the rest goes to Google Benchmark.
    std::vector<char*> rest{argv[0]};
    for (int i = 1; i < argc; ++i) {
        if (std::strncmp(argv[i], "--vectors=", 10) == 0)
            vectors_dir = argv[i] + 10;
        else if (std::strncmp(argv[i], "--dump-workloads=", 17) == 0)
            dump_dir = argv[i] + 17;
        else
            rest.push_back(argv[i]);
    }
    int rest_argc = static_cast<int>(rest.size());

    std::vector<bench::workload> loaded;
    try {
        loaded = bench::load_workloads(vectors_dir, 32u << 20);
        if (!dump_dir.empty()) {
            bench::dump_workloads(loaded, dump_dir);
            std::printf("wrote %zu workloads to %s\n", loaded.size(), dump_dir.c_str());
            return 0;
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "lkwebhook_bench: %s\n", e.what());
        return 1;
    }
    workloads = &loaded;
    if (!bench::crypto_allocations_counted()) std::fprintf(stderr, "warning: OpenSSL allocations are not counted\n");

    for (const bench::workload& w : loaded) floor_ns[w.name] = calibrate_floor(w);

    for (const bench::workload& w : loaded) {
        const bench::workload* p = &w;
        const std::string& n = w.name;
        benchmark::RegisterBenchmark(("floor/" + n).c_str(), bm_floor, p, true);
        benchmark::RegisterBenchmark(("floor_prekeyed/" + n).c_str(), bm_floor, p, false);
        benchmark::RegisterBenchmark(("verify/" + n).c_str(), bm_verify, p);
        benchmark::RegisterBenchmark(("parse_floor/" + n).c_str(), bm_parse_floor, p);
        benchmark::RegisterBenchmark(("copy_floor/" + n).c_str(), bm_copy_floor, p);
        benchmark::RegisterBenchmark(("decode_reused/" + n).c_str(), bm_decode, p, true);
        benchmark::RegisterBenchmark(("decode_owning/" + n).c_str(), bm_decode, p, false);
        benchmark::RegisterBenchmark(("receive/" + n).c_str(), bm_receive, p);
        benchmark::RegisterBenchmark(("e2e/" + n).c_str(), bm_e2e, p);
    }
    const bench::workload& mid = loaded[1];
    lkwebhook::memory_store store(store_options_for(mid));
    shared_store = &store;
    benchmark::RegisterBenchmark("e2e_mt/mid", bm_e2e_mt, &mid)->Threads(1)->Threads(2)->UseRealTime();
    std::vector<pathological_body> pathological_bodies;
    for (const char* shape : {"map_keys", "escaped_keys", "nested_arrays", "enum_numbers"}) {
        for (const std::size_t kib : {std::size_t{256}, std::size_t{1024}}) {
            pathological_body p;
            p.shape = shape;
            p.kib = kib;
            p.body = pathological_shape(shape, kib * 1024);
            lkwebhook::sign_options sign;
            sign.now_unix = pathological_now;
            auto token = lkwebhook::sign(p.body, pathological_key, pathological_secret, sign);
            if (!token) {
                std::fprintf(stderr, "lkwebhook_bench: signing a pathological body failed\n");
                return 1;
            }
            p.authorization = *token;
            pathological_bodies.push_back(std::move(p));
        }
    }
    pathological = &pathological_bodies;
    for (const pathological_body& p : pathological_bodies) {
        benchmark::RegisterBenchmark(("pathological/" + p.shape + "/" + std::to_string(p.kib)).c_str(), bm_pathological,
                                     &p)
                ->Unit(benchmark::kMillisecond);
    }
    benchmark::RegisterBenchmark("key_file", bm_key_file)
            ->Arg(10'000)
            ->Arg(20'000)
            ->Arg(40'000)
            ->Unit(benchmark::kMillisecond)
            ->Complexity(benchmark::oNLogN);

    benchmark::Initialize(&rest_argc, rest.data());
    if (benchmark::ReportUnrecognizedArguments(rest_argc, rest.data())) return 1;
    targets_reporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    benchmark::Shutdown();
    return 0;
}
