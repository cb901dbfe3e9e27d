// main() of test_durable: exits 77 (registered as SKIP_RETURN_CODE) when
// redis-server is not installed, so CTest reports the suite as skipped, never
// as passed.

#include <cstdio>

#if __has_include(<catch2/catch_session.hpp>)
#include <catch2/catch_session.hpp>
#else
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>
#endif

#include "redis/redis_server.hpp"

int main(int argc, char* argv[]) {
    if (lkwebhook_test::redis_server_path().empty()) {
        std::puts("SKIPPED: redis-server is not installed (apt-get install redis-server)");
        return 77;
    }
    return Catch::Session().run(argc, argv);
}
