// lkwebhook: command-line companion of the library.
//   lkwebhook verify ...   check a captured webhook (body + Authorization)
//   lkwebhook sign ...     mint the Authorization value LiveKit would send
//   lkwebhook send ...     POST a signed webhook to a receiver
//   lkwebhook queue ...    durable queue depth, dead letters, replay
// Exit codes: 0 ok, 1 rejected/failed, 2 usage error.

#include <iostream>
#include <string_view>

#include <lkwebhook/version.hpp>

#include "commands.hpp"

namespace {

void usage(std::ostream& out) {
    out << "usage: lkwebhook <command> [options]\n"
           "\n"
           "commands:\n"
           "  verify   authenticate and decode a captured webhook; prints the event as canonical JSON\n"
#ifdef LKWEBHOOK_CLI_HAS_SIGN
           "  sign     print the Authorization value LiveKit would send for a body\n"
#endif
#ifdef LKWEBHOOK_CLI_HAS_SEND
           "  send     sign a body and POST it to a webhook receiver\n"
#endif
#ifdef LKWEBHOOK_CLI_HAS_QUEUE
           "  queue    durable queue: depth, dead letters, replay (Redis Streams or NATS JetStream)\n"
#endif
           "\n"
           "Run `lkwebhook <command> --help` for its options. Exit codes: 0 ok, 1 rejected, 2 usage error.\n";
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        usage(std::cerr);
        return 2;
    }
    const std::string_view command = argv[1];
    if (command == "verify") return lkwebhook::cli::verify_command(argc - 1, argv + 1);
#ifdef LKWEBHOOK_CLI_HAS_SIGN
    if (command == "sign") return lkwebhook::cli::sign_command(argc - 1, argv + 1);
#endif
#ifdef LKWEBHOOK_CLI_HAS_SEND
    if (command == "send") return lkwebhook::cli::send_command(argc - 1, argv + 1);
#endif
#ifdef LKWEBHOOK_CLI_HAS_QUEUE
    if (command == "queue") return lkwebhook::cli::queue_command(argc - 1, argv + 1);
#endif
    if (command == "--help" || command == "-h" || command == "help") {
        usage(std::cout);
        return 0;
    }
    if (command == "--version") {
        std::cout << "lkwebhook " << lkwebhook::version_string << "\n";
        return 0;
    }
    std::cerr << "lkwebhook: unknown command '" << command << "'\n";
    usage(std::cerr);
    return 2;
}
