#include <cstdio>

#include "probe.hpp"

int main() {
    int failures = 0;
    auto check = [&](bool ok, const char* what) {
        if (!ok) {
            std::fprintf(stderr, "FAILED: %s\n", what);
            ++failures;
        }
    };
    const odr_probe a = probe_first("");
    const odr_probe b = probe_second(a.authorization);
    const odr_probe a2 = probe_first(b.authorization);

    check(a.category != nullptr && a.category == b.category, "one error_category() object across TUs");
    check(a.condition_category == b.condition_category, "one condition_category() object across TUs");
    check(!a.message.empty() && a.message == b.message, "same message in both TUs");
    check(a.status == 413 && b.status == 413, "http_status(body_too_large) == 413 in both TUs");
    check(a2.category == a.category, "stable across calls");
    check(!a.authorization.empty() && !b.authorization.empty(), "both TUs sign");
    check(b.verified_other, "the second TU verifies the first TU's token");
    check(a2.verified_other, "the first TU verifies the second TU's token");
    if (failures == 0) std::puts("odr: both translation units agree");
    return failures == 0 ? 0 : 1;
}
