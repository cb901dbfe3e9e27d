// Upstream defect reproducer (simdjson 3.0.1 on Debian 12, 3.12 on Debian 13;
// not built by default, see tests/fault/CMakeLists.txt): when one of the
// allocations of an On-Demand parser's first parse fails, the parse does not
// report MEMALLOC; it goes on and writes through NULL (SIGSEGV).
//
// What happens: ondemand::parser::allocate() takes its string buffer (and, in
// builds with SIMDJSON_DEVELOPMENT_CHECKS, i.e. unoptimised ones, its
// start-position array) with `new (std::nothrow)` and never checks the result;
// it only checks the allocations that follow, so it returns SUCCESS with a
// null buffer, and the first string (or container, for the start positions)
// of the document is written through it.
//
// lkwebhook no longer uses an On-Demand parser: its decoder parses with the
// DOM parser (include/lkwebhook/detail/dom_parser.hpp), whose allocations
// simdjson checks (MEMALLOC), reserved before any request
// (decode_context::reserve()). Kept as the record of why.
//
// Build and run (needs only simdjson):
//   g++ -std=c++20 -O2 simdjson_unchecked_parser_allocation.cpp -lsimdjson && ./a.out
//   g++ -std=c++20 -O0 simdjson_unchecked_parser_allocation.cpp -lsimdjson && ./a.out
// Output: one line per allocation of the first parse made to fail; exit
// status 1 when any of them crashed.
#include <simdjson.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <new>
#include <string_view>

namespace {
long allocations_seen = 0;
long fail_at = 0;  // 0: never fail
bool counting = false;

void* allocate_or_fail(std::size_t n) noexcept {
    if (counting && ++allocations_seen == fail_at) return nullptr;
    return std::malloc(n == 0 ? 1 : n);
}
}  // namespace

// simdjson allocates with the nothrow forms; the throwing ones are counted too.
void* operator new(std::size_t n) {
    if (void* p = allocate_or_fail(n)) return p;
    throw std::bad_alloc();
}
void* operator new[](std::size_t n) {
    if (void* p = allocate_or_fail(n)) return p;
    throw std::bad_alloc();
}
void* operator new(std::size_t n, const std::nothrow_t&) noexcept { return allocate_or_fail(n); }
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept { return allocate_or_fail(n); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

int main() {
#if defined(SIMDJSON_DEVELOPMENT_CHECKS) && SIMDJSON_DEVELOPMENT_CHECKS
    const char* development_checks = "on";
#else
    const char* development_checks = "off";
#endif
    std::printf("simdjson %d.%d.%d, SIMDJSON_DEVELOPMENT_CHECKS %s\n", int{simdjson::SIMDJSON_VERSION_MAJOR},
                int{simdjson::SIMDJSON_VERSION_MINOR}, int{simdjson::SIMDJSON_VERSION_REVISION}, development_checks);
    const simdjson::padded_string json(std::string_view(R"({"room":{"name":"call-1"},"event":"room_started"})"));
    // Select the implementation (haswell, westmere, ...) before counting: that
    // one-time selection allocates too (in 3.0.1 with the throwing new, inside
    // noexcept code: a failure there terminates), and is not what this shows.
    std::printf("implementation %s\n", simdjson::get_active_implementation()->name().c_str());
    int crashes = 0;
    for (long n = 1;; ++n) {
        std::fflush(nullptr);
        int fds[2];
        if (pipe(fds) != 0) return 2;
        const pid_t pid = fork();
        if (pid == 0) {
            close(fds[0]);
            simdjson::ondemand::parser parser;  // allocates nothing yet
            allocations_seen = 0;
            fail_at = n;
            counting = true;
            std::string_view name;
            simdjson::ondemand::document document;
            simdjson::error_code error = parser.iterate(json).get(document);
            if (!error) error = document["room"]["name"].get_string().get(name);
            counting = false;
            (void)!write(fds[1], &allocations_seen, sizeof allocations_seen);
            _exit(error ? 3 : 0);
        }
        close(fds[1]);
        long seen = 0;
        (void)!read(fds[0], &seen, sizeof seen);
        close(fds[0]);
        int status = 0;
        waitpid(pid, &status, 0);
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && seen < n) break;  // every allocation tried
        if (WIFSIGNALED(status)) {
            ++crashes;
            std::printf("allocation #%ld of the first parse failed: crashed (signal %d)\n", n, WTERMSIG(status));
        } else {
            std::printf("allocation #%ld of the first parse failed: %s\n", n,
                        WIFEXITED(status) && WEXITSTATUS(status) == 3 ? "error reported" : "parsed anyway");
        }
    }
    std::printf("%s\n",
                crashes != 0 ? "DEFECT: a failed parser allocation is parsed into instead of reported" : "no crash");
    return crashes != 0 ? 1 : 0;
}
