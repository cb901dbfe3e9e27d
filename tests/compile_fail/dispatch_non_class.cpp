// verify_and_dispatch needs a correlator object, not a function.
#include <lkwebhook/dispatch.hpp>

#include <string_view>

void on_room_finished(const lkwebhook::webhook_event&) {}

struct correlator {
    void on_room_finished(const lkwebhook::webhook_event&) {}
};

int main() {
    auto keys = lkwebhook::static_key::make("APIkey", "secret").value();
    lkwebhook::memory_store store;
#if LKWEBHOOK_EXPECT_FAIL
    auto& c = on_room_finished;
#else
    correlator c;
#endif
    return lkwebhook::verify_and_dispatch(std::string_view{"{}"}, std::string_view{}, keys, c, store).status == 401 ? 0
                                                                                                                    : 1;
}
