// The smallest complete use of lkwebhook: a correlator that handles one event type, and one
// verify_and_dispatch call on a request captured to files.
//
//   LIVEKIT_API_KEY=... LIVEKIT_API_SECRET=... lkwebhook-minimal BODY_FILE AUTHORIZATION_FILE
//
// BODY_FILE holds the exact request body; AUTHORIZATION_FILE the Authorization header value
// (for example the output of `lkwebhook sign BODY_FILE`). Prints the outcome; exits 0 when the
// answer would be 2xx, 1 otherwise.

#include <fstream>
#include <iostream>
#include <iterator>
#include <string>

#include <lkwebhook/dispatch.hpp>

// A correlator defines a member function per event type it cares about; every other event is
// acknowledged without being handled.
struct call_closer {
    void on_room_finished(const lkwebhook::webhook_event& event) {
        std::cout << "call in room " << event.room->name << " ended\n";
    }
};

static std::string read_file(const char* path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

int main(int argc, char** argv) {
    if (argc != 3) {
        std::cerr << "usage: lkwebhook-minimal BODY_FILE AUTHORIZATION_FILE\n";
        return 2;
    }
    auto keys = lkwebhook::key_set::from_environment();  // LIVEKIT_API_KEY, LIVEKIT_API_SECRET
    if (!keys) {
        std::cerr << "set LIVEKIT_API_KEY and LIVEKIT_API_SECRET\n";
        return 2;
    }
    const std::string body = read_file(argv[1]);  // the raw bytes: never re-serialize a body
    std::string authorization = read_file(argv[2]);
    while (!authorization.empty() && (authorization.back() == '\n' || authorization.back() == '\r'))
        authorization.pop_back();  // a file's line end is not part of the header value

    call_closer correlator;
    const lkwebhook::outcome outcome = lkwebhook::verify_and_dispatch(body, authorization, *keys, correlator);

    std::cout << "HTTP " << outcome.status << " " << outcome.name();
    if (!outcome.why.empty()) std::cout << ": " << outcome.why.view();
    std::cout << "\n";
    return outcome.acknowledged() ? 0 : 1;
}
