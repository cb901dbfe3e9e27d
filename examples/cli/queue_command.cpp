// lkwebhook queue: inspect and repair a durable queue (durable_dispatcher's
// Redis Streams or NATS JetStream backend).
//
//   lkwebhook queue (--redis URL | --nats URL) [--prefix P] [--partitions N] depth
//   lkwebhook queue ... dead [--max N]         list dead letters, oldest first
//   lkwebhook queue ... replay (ID | --all)    append dead letters to their partition again
//
// --prefix is redis_stream_options::key_prefix (default "lkwebhook:queue:") or,
// with --nats, the stream name (default LKWEBHOOK; subjects under --subject,
// default "lkwebhook"). The Redis password may come from LKWEBHOOK_REDIS_PASSWORD
// instead of the URL (so it is not visible in the process list); it is never printed, nor
// are the credentials a NATS URL may carry (examples/common/queue_urls.hpp, which the
// example server's --redis and --nats share).

#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include <lkwebhook/redis_connection.hpp>
#include <lkwebhook/redis_stream_queue.hpp>
#ifdef LKWEBHOOK_CLI_HAS_NATS
#include <lkwebhook/jetstream_queue.hpp>
#endif

#include "commands.hpp"
#include "common/queue_urls.hpp"

namespace lkwebhook::cli {
namespace {

void queue_usage(std::ostream& out) {
    out << "usage: lkwebhook queue (--redis URL | --nats URL) [--prefix P] [--subject S] [--partitions N] COMMAND\n"
           "\n"
           "commands:\n"
           "  depth                 unfinished and pending entries per partition, and dead letters\n"
           "  dead [--max N]        list dead letters (id, event id, deliveries, error), oldest first\n"
           "  replay ID | --all     append dead letters to their partition again, and remove them\n"
           "\n"
           "URL: redis://[user:password@]host[:port][/db], unix:///path.sock[?db=N], rediss://... (TLS;\n"
           "     ?ssl_ca_certs=FILE for a private CA, &ssl_certfile=FILE&ssl_keyfile=FILE for a client certificate);\n"
           "     nats://host:port. The Redis password may be given in LKWEBHOOK_REDIS_PASSWORD instead.\n"
           "--prefix: the Redis key prefix (default lkwebhook:queue:) or the JetStream stream (default LKWEBHOOK).\n"
           "--partitions must match the receivers' (default 16).\n";
}

struct queue_args {
    std::string redis_url;
    std::string nats_url;
    std::string prefix;
    std::string subject = "lkwebhook";
    std::size_t partitions = 16;
    std::size_t max = 100;
    std::vector<std::string> positional;
    bool all = false;
};

// One line per dead letter; the error text is quoted so that it stays on its line.
void print_quoted(std::ostream& out, std::string_view text) {
    out << '"';
    for (const char c : text) {
        if (c == '"' || c == '\\') {
            out << '\\' << c;
        } else if (static_cast<unsigned char>(c) < 0x20) {
            out << ' ';
        } else {
            out << c;
        }
    }
    out << '"';
}

int run_redis(const queue_args& a) {
    diagnosis why;
    auto endpoint = examples::redis_endpoint_from_command_line(a.redis_url, &why);
    if (!endpoint) {
        std::cerr << "error: " << why.view() << '\n';
        return 2;
    }
    redis_stream_options o;
    o.endpoint = *endpoint;
    if (!a.prefix.empty()) o.key_prefix = a.prefix;
    o.partitions = a.partitions;
    redis_stream_queue queue{o};
    if (auto checked = queue.check(&why); !checked) {
        std::cerr << "error: " << to_string(static_cast<errc>(checked.error().value())) << ": " << why.view() << '\n';
        return 1;
    }
    const std::string& command = a.positional.front();
    if (command == "depth") {
        auto d = queue.depth(&why);
        if (!d) {
            std::cerr << "error: " << why.view() << '\n';
            return 1;
        }
        for (std::size_t p = 0; p < d->partitions.size(); ++p) {
            std::cout << "partition " << p << ": unfinished " << d->partitions[p].unfinished << ", pending "
                      << d->partitions[p].pending << '\n';
        }
        std::cout << "total: unfinished " << d->unfinished << ", pending " << d->pending << ", dead letters "
                  << d->dead_letters << '\n';
        return 0;
    }
    if (command == "dead") {
        auto letters = queue.dead_letters(a.max, {}, &why);
        if (!letters) {
            std::cerr << "error: " << why.view() << '\n';
            return 1;
        }
        for (const dead_letter_entry& d : *letters) {
            std::cout << d.id << " event=" << (d.event_id.empty() ? "-" : d.event_id) << " partition=" << d.partition
                      << " deliveries=" << d.deliveries << " received_ms=" << d.received_unix_ms << " error=";
            print_quoted(std::cout, d.error);
            std::cout << '\n';
        }
        std::cout << letters->size() << " dead letter(s)\n";
        return 0;
    }
    if (command == "replay") {
        std::vector<std::string> ids;
        if (a.all) {
            auto letters = queue.dead_letters(1'000'000, {}, &why);
            if (!letters) {
                std::cerr << "error: " << why.view() << '\n';
                return 1;
            }
            for (const dead_letter_entry& d : *letters) ids.push_back(d.id);
        } else if (a.positional.size() == 2) {
            ids.push_back(a.positional[1]);
        } else {
            queue_usage(std::cerr);
            return 2;
        }
        int failed = 0;
        for (const std::string& id : ids) {
            diagnosis reason;
            auto replayed = queue.replay_dead_letter(id, &reason);
            if (replayed) {
                std::cout << "replayed " << id << " as " << *replayed << '\n';
            } else {
                std::cerr << "error: " << id << ": " << reason.view() << '\n';
                ++failed;
            }
        }
        return failed == 0 ? 0 : 1;
    }
    queue_usage(std::cerr);
    return 2;
}

#ifdef LKWEBHOOK_CLI_HAS_NATS
int run_nats(const queue_args& a) {
    jetstream_options o;
    o.url = a.nats_url;
    if (!a.prefix.empty()) o.stream = a.prefix;
    o.subject_prefix = a.subject;
    o.partitions = a.partitions;
    jetstream_queue queue{o};
    const std::string& command = a.positional.front();
    if (command == "depth") {
        auto unfinished = queue.unfinished();
        auto letters = queue.dead_letters(1'000'000);
        if (!unfinished || !letters) {
            std::cerr << "error: NATS JetStream unavailable at " << examples::url_without_credentials(a.nats_url)
                      << '\n';
            return 1;
        }
        std::uint64_t total = 0;
        for (std::size_t p = 0; p < unfinished->size(); ++p) {
            std::cout << "partition " << p << ": unfinished " << (*unfinished)[p] << '\n';
            total += (*unfinished)[p];
        }
        std::cout << "total: unfinished " << total << ", dead letters " << letters->size() << '\n';
        return 0;
    }
    if (command == "dead" || command == "replay") {
        auto letters = queue.dead_letters(command == "dead" ? a.max : 1'000'000);
        if (!letters) {
            std::cerr << "error: NATS JetStream unavailable at " << examples::url_without_credentials(a.nats_url)
                      << '\n';
            return 1;
        }
        if (command == "dead") {
            for (const jetstream_dead_letter& d : *letters) {
                std::cout << d.sequence << " event=" << (d.event_id.empty() ? "-" : d.event_id)
                          << " partition=" << d.partition << " deliveries=" << d.deliveries
                          << " received_ms=" << d.received_unix_ms << " error=";
                print_quoted(std::cout, d.error);
                std::cout << '\n';
            }
            std::cout << letters->size() << " dead letter(s)\n";
            return 0;
        }
        std::vector<std::uint64_t> sequences;
        if (a.all) {
            for (const jetstream_dead_letter& d : *letters) sequences.push_back(d.sequence);
        } else if (a.positional.size() == 2) {
            sequences.push_back(std::strtoull(a.positional[1].c_str(), nullptr, 10));
        } else {
            queue_usage(std::cerr);
            return 2;
        }
        int failed = 0;
        for (const std::uint64_t seq : sequences) {
            if (queue.replay_dead_letter(seq)) {
                std::cout << "replayed " << seq << '\n';
            } else {
                std::cerr << "error: " << seq << ": not replayed\n";
                ++failed;
            }
        }
        return failed == 0 ? 0 : 1;
    }
    queue_usage(std::cerr);
    return 2;
}
#endif

}  // namespace

int queue_command(int argc, char** argv) {
    queue_args a;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        const auto value = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
        if (arg == "--help" || arg == "-h") {
            queue_usage(std::cout);
            return 0;
        }
        if (arg == "--all") {
            a.all = true;
            continue;
        }
        if (arg == "--redis" || arg == "--nats" || arg == "--prefix" || arg == "--subject" || arg == "--partitions" ||
            arg == "--max") {
            const char* v = value();
            if (v == nullptr) {
                std::cerr << "lkwebhook queue: " << arg << " needs a value\n";
                return 2;
            }
            if (arg == "--redis") a.redis_url = v;
            if (arg == "--nats") a.nats_url = v;
            if (arg == "--prefix") a.prefix = v;
            if (arg == "--subject") a.subject = v;
            if (arg == "--partitions" || arg == "--max") {
                char* end = nullptr;
                const unsigned long long n = std::strtoull(v, &end, 10);
                if (end == v || *end != '\0' || n == 0 || n > 100'000) {
                    std::cerr << "lkwebhook queue: " << arg << " must be a number in [1, 100000]\n";
                    return 2;
                }
                (arg == "--partitions" ? a.partitions : a.max) = static_cast<std::size_t>(n);
            }
            continue;
        }
        if (arg.starts_with("--")) {
            std::cerr << "lkwebhook queue: unknown option " << arg << '\n';
            return 2;
        }
        a.positional.emplace_back(arg);
    }
    if (a.positional.empty() || (a.redis_url.empty() == a.nats_url.empty())) {
        queue_usage(std::cerr);
        return 2;
    }
    if (!a.nats_url.empty()) {
#ifdef LKWEBHOOK_CLI_HAS_NATS
        return run_nats(a);
#else
        std::cerr << "lkwebhook queue: built without libnats; --nats is not available\n";
        return 2;
#endif
    }
    return run_redis(a);
}

}  // namespace lkwebhook::cli
