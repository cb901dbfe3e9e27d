// A handler must take const webhook_event&.
#include <lkwebhook/correlator.hpp>

#include <string>

struct correlator {
#if LKWEBHOOK_EXPECT_FAIL
    void on_room_finished(const std::string& room_name) { last = room_name; }
#else
    void on_room_finished(const lkwebhook::webhook_event& ev) { last = ev.id; }
#endif
    void on_room_started(const lkwebhook::webhook_event&) {}
    std::string last;
};

int main() {
    correlator c;
    lkwebhook::webhook_event ev;
    return static_cast<int>(lkwebhook::correlate(c, ev).result);
}
