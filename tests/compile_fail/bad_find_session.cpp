// find_session must return something testable and dereferenceable.
#include <lkwebhook/correlator.hpp>

#include <string_view>

struct session {
    int events = 0;
};

struct correlator {
    session only;
#if LKWEBHOOK_EXPECT_FAIL
    bool find_session(std::string_view id) { return id == "call-1"; }  // says "found" but gives no session
#else
    session* find_session(std::string_view id) { return id == "call-1" ? &only : nullptr; }
#endif
    void on_room_finished(const lkwebhook::webhook_event&) {}
};

int main() {
    correlator c;
    lkwebhook::webhook_event ev;
    return static_cast<int>(lkwebhook::correlate(c, ev).result);
}
