// clock.hpp: the Clock concept, the system clock and fixed_clock.
#include <lkwebhook/clock.hpp>

#include <chrono>

#include "support/catch.hpp"

namespace {
struct fractional_clock {
    std::chrono::system_clock::time_point t;
    [[nodiscard]] std::chrono::system_clock::time_point now() const noexcept { return t; }
};
struct not_a_clock {
    int now() const { return 0; }
};
}  // namespace

TEST_CASE("Clock accepts clocks and rejects other types", "[clock]") {
    STATIC_REQUIRE(lkwebhook::Clock<lkwebhook::system_clock_source>);
    STATIC_REQUIRE(lkwebhook::Clock<lkwebhook::fixed_clock>);
    STATIC_REQUIRE(lkwebhook::Clock<fractional_clock>);
    STATIC_REQUIRE_FALSE(lkwebhook::Clock<not_a_clock>);
    STATIC_REQUIRE_FALSE(lkwebhook::Clock<int>);
}

TEST_CASE("fixed_clock reads back its seconds", "[clock]") {
    CHECK(lkwebhook::unix_now(lkwebhook::fixed_clock{1700000000}) == 1700000000);
    CHECK(lkwebhook::unix_now(lkwebhook::fixed_clock{0}) == 0);
    CHECK(lkwebhook::unix_now(lkwebhook::fixed_clock{253402300799}) == 253402300799);
}

TEST_CASE("unix_now floors sub-second readings, also before 1970", "[clock]") {
    using namespace std::chrono;
    CHECK(lkwebhook::unix_now(fractional_clock{system_clock::time_point{seconds{10} + milliseconds{999}}}) == 10);
    CHECK(lkwebhook::unix_now(fractional_clock{system_clock::time_point{seconds{-10} + milliseconds{1}}}) == -10);
}

TEST_CASE("the system clock source tracks std::chrono::system_clock", "[clock]") {
    const auto before =
            std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    const auto ours = lkwebhook::unix_now(lkwebhook::system_clock_source{});
    const auto after =
            std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    CHECK(before <= ours);
    CHECK(ours <= after);
    CHECK(ours > 1700000000);
}
