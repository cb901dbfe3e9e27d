// Every shared vector through the `lkwebhook verify` tool (LKWEBHOOK_CLI_PATH):
//   lkwebhook verify --api-key K --api-secret S [--authorization A] --now N --leeway L BODYFILE
// Accepted: exit 0 and one line of JSON on stdout equal to the vector's event.
// Rejected: exit 1 and `error: <expected>: ...` as the first line of stderr.

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sys/types.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "json_equal.hpp"
#include "support/catch.hpp"
#include "support/vectors.hpp"

namespace {

struct run_result {
    int exit_code = -1;
    std::string out;
    std::string err;
};

std::string slurp(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// Runs argv (no shell, so no quoting issues) with stdout/stderr to files.
run_result run(const std::vector<std::string>& args, const std::filesystem::path& dir,
               const std::filesystem::path& stdin_path = "/dev/null") {
    const auto out_path = dir / "stdout";
    const auto err_path = dir / "stderr";
    const pid_t pid = ::fork();
    if (pid == 0) {
        const int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        const int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        const int null_in = ::open(stdin_path.c_str(), O_RDONLY);
        if (out < 0 || err < 0 || null_in < 0) ::_exit(127);
        ::dup2(out, 1);
        ::dup2(err, 2);
        ::dup2(null_in, 0);
        std::vector<char*> argv;
        for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
    run_result r;
    int status = 0;
    if (pid > 0 && ::waitpid(pid, &status, 0) == pid && WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
    r.out = slurp(out_path);
    r.err = slurp(err_path);
    return r;
}

}  // namespace

TEST_CASE("lkwebhook verify gives every vector's expected outcome", "[vectors][cli]") {
    const std::filesystem::path cli = LKWEBHOOK_CLI_PATH;
    REQUIRE(std::filesystem::exists(cli));
    const auto dir = std::filesystem::temp_directory_path() / ("lkwebhook-cli-vectors-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const auto vectors = lkwebhook::test::load_all_vectors();
    REQUIRE(vectors.size() >= 100);
    for (const auto& v : vectors) {
        INFO("vector " << v.name << ": " << v.description);
        const auto body_path = dir / "body";
        {
            std::ofstream body(body_path, std::ios::binary | std::ios::trunc);
            body.write(v.body.data(), static_cast<std::streamsize>(v.body.size()));
        }
        std::vector<std::string> args{cli.string(), "verify", "--api-key", v.api_key, "--api-secret", v.api_secret};
        if (v.authorization) {
            args.emplace_back("--authorization");
            args.push_back(*v.authorization);
        }
        args.insert(args.end(),
                    {"--now", std::to_string(v.now), "--leeway", std::to_string(v.leeway_s), body_path.string()});
        const run_result r = run(args, dir);
        INFO("exit " << r.exit_code << "\nstdout: " << r.out << "\nstderr: " << r.err);
        if (v.expect == "ok") {
            CHECK(r.exit_code == 0);
            REQUIRE(!r.out.empty());
            CHECK(r.out.back() == '\n');
            CHECK(r.out.find('\n') == r.out.size() - 1);  // exactly one line
            CHECK(lkwebhook::test::json_diff(r.out, v.event_json).empty());
        } else {
            CHECK(r.exit_code == 1);
            CHECK(r.out.empty());
            const std::string first_line = r.err.substr(0, r.err.find('\n'));
            const std::string prefix = "error: " + v.expect + ": ";
            CHECK(first_line.rfind(prefix, 0) == 0);
            CHECK(first_line.size() > prefix.size());  // a diagnosis follows
        }
    }
    std::filesystem::remove_all(dir);
}

TEST_CASE("lkwebhook verify reads the body from standard input and reports usage errors", "[cli]") {
    const std::filesystem::path cli = LKWEBHOOK_CLI_PATH;
    const auto dir = std::filesystem::temp_directory_path() / ("lkwebhook-cli-usage-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    // Unknown option, bad --leeway, missing key: usage errors (exit 2).
    CHECK(run({cli.string(), "verify", "--bogus", "x"}, dir).exit_code == 2);
    CHECK(run({cli.string(), "verify", "--api-key", "k", "--api-secret", "s", "--leeway", "abc"}, dir).exit_code == 2);
    CHECK(run({cli.string(), "verify", "--api-key", "k", "--api-secret", "s", "--leeway", "301"}, dir).exit_code == 2);
    CHECK(run({cli.string(), "nonsense"}, dir).exit_code == 2);
    CHECK(run({cli.string()}, dir).exit_code == 2);
    CHECK(run({cli.string(), "--help"}, dir).exit_code == 0);
    // No --authorization and an empty body from /dev/null: missing_authorization.
    const run_result r = run({cli.string(), "verify", "--api-key", "k", "--api-secret", "s"}, dir);
    CHECK(r.exit_code == 1);
    CHECK(r.err.rfind("error: missing_authorization: ", 0) == 0);
    // --authorization '' is an empty header: also missing_authorization.
    const run_result empty = run({cli.string(), "verify", "--api-key=k", "--api-secret=s", "--authorization="}, dir);
    CHECK(empty.exit_code == 1);
    CHECK(empty.err.rfind("error: missing_authorization: ", 0) == 0);
    std::filesystem::remove_all(dir);
}

TEST_CASE("lkwebhook verify takes keys from the environment or a key file, and the body from stdin", "[cli]") {
    const std::filesystem::path cli = LKWEBHOOK_CLI_PATH;
    const auto dir = std::filesystem::temp_directory_path() / ("lkwebhook-cli-keys-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const auto vectors = lkwebhook::test::load_all_vectors();
    const lkwebhook::test::webhook_vector* v = nullptr;
    for (const auto& candidate : vectors) {
        if (candidate.name == "ok_room_started_server_style") v = &candidate;
    }
    REQUIRE(v != nullptr);
    REQUIRE(v->authorization);
    const auto body_path = dir / "body";
    {
        std::ofstream body(body_path, std::ios::binary | std::ios::trunc);
        body.write(v->body.data(), static_cast<std::streamsize>(v->body.size()));
    }
    const std::string now = std::to_string(v->now);
    const std::string leeway = std::to_string(v->leeway_s);

    // Body on standard input (no BODY_FILE, and "-").
    const run_result piped = run({cli.string(), "verify", "--api-key", v->api_key, "--api-secret", v->api_secret,
                                  "--authorization", *v->authorization, "--now", now, "--leeway", leeway},
                                 dir, body_path);
    CHECK(piped.exit_code == 0);
    CHECK(lkwebhook::test::json_diff(piped.out, v->event_json).empty());
    const run_result dash = run({cli.string(), "verify", "--api-key", v->api_key, "--api-secret", v->api_secret,
                                 "--authorization", *v->authorization, "--now", now, "-"},
                                dir, body_path);
    CHECK(dash.exit_code == 0);

    // Keys from LIVEKIT_API_KEY / LIVEKIT_API_SECRET.
    ::setenv("LIVEKIT_API_KEY", v->api_key.c_str(), 1);
    ::setenv("LIVEKIT_API_SECRET", v->api_secret.c_str(), 1);
    const run_result env =
            run({cli.string(), "verify", "--authorization", *v->authorization, "--now", now, body_path.string()}, dir);
    CHECK(env.exit_code == 0);
    // A wrong secret on the command line overrides the environment.
    const run_result wrong = run({cli.string(), "verify", "--api-secret", "not-the-secret", "--authorization",
                                  *v->authorization, "--now", now, body_path.string()},
                                 dir);
    CHECK(wrong.exit_code == 1);
    CHECK(wrong.err.rfind("error: bad_signature: ", 0) == 0);
    ::unsetenv("LIVEKIT_API_KEY");
    ::unsetenv("LIVEKIT_API_SECRET");
    CHECK(run({cli.string(), "verify", "--authorization", *v->authorization, body_path.string()}, dir).exit_code == 2);

    // A livekit-server key file with several keys.
    const auto keys_path = dir / "keys.yaml";
    {
        std::ofstream keys(keys_path, std::ios::trunc);
        keys << "APIotherKey: other-secret\n" << v->api_key << ": " << v->api_secret << "\n";
    }
    std::filesystem::permissions(keys_path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write,
                                 std::filesystem::perm_options::replace);
    const run_result file = run({cli.string(), "verify", "--keys-file", keys_path.string(), "--authorization",
                                 *v->authorization, "--now", now, body_path.string()},
                                dir);
    INFO(file.err);
    CHECK(file.exit_code == 0);
    CHECK(lkwebhook::test::json_diff(file.out, v->event_json).empty());
    CHECK(run({cli.string(), "verify", "--keys-file", (dir / "missing.yaml").string(), body_path.string()}, dir)
                  .exit_code == 2);
    std::filesystem::remove_all(dir);
}
