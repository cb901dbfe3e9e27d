// A handler returns void, bool or handler_result, nothing else.
#include <lkwebhook/correlator.hpp>

struct correlator {
#if LKWEBHOOK_EXPECT_FAIL
    int on_participant_joined(const lkwebhook::webhook_event&) { return 200; }  // an HTTP status is not a result
#else
    lkwebhook::handler_result on_participant_joined(const lkwebhook::webhook_event&) {
        return lkwebhook::handler_result::ok();
    }
#endif
};

int main() {
    correlator c;
    lkwebhook::webhook_event ev;
    return static_cast<int>(lkwebhook::correlate(c, ev).result);
}
