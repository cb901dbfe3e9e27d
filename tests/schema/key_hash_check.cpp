// Reads the lines `generate_events.py --key-hashes` prints on stdin,
// "<seed-hex> <bits> <hash> <name>", and checks that detail::key_hash gives
// the same hash for each, and that every spelling of every field name of the
// compiled schema was covered. Exit status 0 when all agree.
#include <cstdint>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include <lkwebhook/detail/schema_traits.hpp>  // the descriptor tables
#include <lkwebhook/events.hpp>

namespace {

// Every field-name spelling of every message reachable from WebhookEvent,
// keyed by the message's table seed and bits.
void collect(const lkwebhook::detail::message_info& info, std::set<std::string_view>& seen,
             std::set<std::string>& spellings) {
    if (!seen.insert(info.proto_name).second) return;
    for (const auto& field : info) {
        std::ostringstream key;
        key << std::hex << info.key_seed << ' ' << std::dec << info.key_bits << ' ';
        spellings.insert(key.str() + std::string(field.json_name));
        spellings.insert(key.str() + std::string(field.proto_name));
        if (field.kind == lkwebhook::detail::field_kind::message) collect(*field.message(), seen, spellings);
    }
}

}  // namespace

int main() {
    std::set<std::string_view> seen;
    std::set<std::string> expected;
    collect(lkwebhook::message_traits<lkwebhook::webhook_event>::info, seen, expected);

    std::size_t lines = 0;
    std::size_t mismatches = 0;
    std::set<std::string> covered;
    std::string line;
    while (std::getline(std::cin, line)) {
        std::istringstream words(line);
        std::uint64_t seed = 0;
        std::uint32_t bits = 0;
        std::size_t hash = 0;
        std::string name;
        if (!(words >> std::hex >> seed >> std::dec >> bits >> hash >> name) || bits < 1 || bits > 16) {
            std::cerr << "unreadable line: " << line << '\n';
            return 1;
        }
        ++lines;
        const std::size_t computed = lkwebhook::detail::key_hash(name, seed, bits);
        if (computed != hash) {
            ++mismatches;
            std::cerr << name << " (seed " << std::hex << seed << std::dec << ", " << bits << " bits): generator "
                      << hash << ", detail::key_hash " << computed << '\n';
        }
        std::ostringstream key;
        key << std::hex << seed << ' ' << std::dec << bits << ' ' << name;
        covered.insert(key.str());
    }
    std::size_t uncovered = 0;
    for (const std::string& spelling : expected) {
        if (covered.count(spelling) == 0) {
            ++uncovered;
            std::cerr << "not printed by the generator (seed bits name): " << spelling << '\n';
        }
    }
    std::cout << lines << " field-name hashes compared, " << mismatches << " differ, " << uncovered
              << " compiled spellings not covered\n";
    return lines != 0 && mismatches == 0 && uncovered == 0 ? 0 : 1;
}
