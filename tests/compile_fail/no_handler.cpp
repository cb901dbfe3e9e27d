// A correlator must define at least one handler.
#include <lkwebhook/correlator.hpp>

struct correlator {
#if LKWEBHOOK_EXPECT_FAIL
    void on_room_finishd(const lkwebhook::webhook_event&) {}  // typo: handles nothing
#else
    void on_room_finished(const lkwebhook::webhook_event&) {}
#endif
};

int main() {
    correlator c;
    lkwebhook::webhook_event ev;
    return static_cast<int>(lkwebhook::correlate(c, ev).result);
}
