#ifndef LKWEBHOOK_KEY_FILE_HPP
#define LKWEBHOOK_KEY_FILE_HPP

// Loading API keys from a livekit-server `--key-file`.
//
//     auto keys = lkwebhook::from_key_file("/etc/livekit/keys.yaml", &why);
//
// Format: a YAML mapping of API key to secret, one `key: secret` per line
// (livekit-server decodes it with yaml.v3 into a map[string]string).
// Supported: blank lines, `#` comments (whole-line and after a space), a
// leading `---`, plain, single- and double-quoted scalars, CRLF line ends,
// uniform indentation. Rejected as invalid_config, as yaml.v3 would reject
// or misread them: `key:secret` without the space (a plain scalar, not a
// mapping), duplicate keys, empty or null secrets, tabs in indentation,
// nested or multi-line values, flow/anchor/tag syntax. Line numbers, never
// secrets, appear in the diagnosis.
//
// The parser is in detail/key_file_parser.hpp; the key providers in keys.hpp.

#include <cstddef>
#include <cstdio>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "detail/key_file_parser.hpp"
#include "detail/openssl.hpp"
#include "error.hpp"
#include "keys.hpp"
#include "result.hpp"

#if !defined(_WIN32)
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

namespace lkwebhook {

namespace detail {

/// Reads the whole key file into `out`: a regular file of at most 1 MiB,
/// not accessible by others unless `check_permissions` is false.
///
/// The file is opened with O_NONBLOCK (and O_NOCTTY, O_CLOEXEC) and only
/// then checked to be a regular file: a blocking open() of a FIFO waits for a
/// writer forever, so checking after a plain open() hung on a path naming a
/// FIFO. O_NONBLOCK is cleared again before reading (it means nothing for a
/// regular file, but the read loop must not see EAGAIN on exotic file
/// systems).
inline bool read_key_file(const std::string& path, std::string& out, diagnosis* why, bool check_permissions) {
    constexpr std::size_t max_file = 1024 * 1024;
#if !defined(_WIN32)
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        diagnose(why).append("cannot open the key file");
        return false;
    }
    struct ::stat st {};
    bool ok = ::fstat(fd, &st) == 0;
    if (!ok) {
        diagnose(why).append("cannot stat the key file");
    } else if (!S_ISREG(st.st_mode)) {
        ok = false;
        diagnose(why).append(S_ISFIFO(st.st_mode)  ? "the key file is a FIFO, not a regular file"
                             : S_ISDIR(st.st_mode) ? "the key file is a directory, not a regular file"
                                                   : "the key file is not a regular file");
    } else if (const int flags = ::fcntl(fd, F_GETFL); flags < 0 || ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0) {
        ok = false;
        diagnose(why).append("cannot configure the key file descriptor");
    } else if (check_permissions && (st.st_mode & 0007) != 0) {
        ok = false;
        diagnose(why)
                .append("the key file is accessible by others (mode ")
                .append(static_cast<std::size_t>(st.st_mode & 0777))
                .append(" decimal); livekit-server refuses it too: chmod o-rwx");
    } else if (static_cast<std::size_t>(st.st_size) > max_file) {
        ok = false;
        diagnose(why).append("the key file is larger than 1 MiB");
    }
    if (ok) {
        out.resize(static_cast<std::size_t>(st.st_size));
        std::size_t got = 0;
        while (got < out.size()) {
            const ::ssize_t n = ::read(fd, out.data() + got, out.size() - got);
            if (n < 0) {
                ok = false;
                diagnose(why).append("cannot read the key file");
                break;
            }
            if (n == 0) break;
            got += static_cast<std::size_t>(n);
        }
        out.resize(got);
    }
    ::close(fd);
    return ok;
#else
    (void)check_permissions;
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (f == nullptr) {
        diagnose(why).append("cannot open the key file");
        return false;
    }
    char buf[4096];
    std::size_t n = 0;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) {
        out.append(buf, n);
        if (out.size() > max_file) break;
    }
    std::fclose(f);
    cleanse(buf, sizeof buf);
    if (out.size() > max_file) {
        diagnose(why).append("the key file is larger than 1 MiB");
        return false;
    }
    return true;
#endif
}

}  // namespace detail

/// Reads a livekit-server `--key-file` (the format above) into a key_set.
/// Like livekit-server, refuses a file that others may read or write
/// (mode & 0007 != 0) unless `check_permissions` is false. Files over
/// 1 MiB are refused. invalid_config on any problem; the file's bytes are
/// wiped from memory after parsing.
[[nodiscard]] inline result<key_set> from_key_file(const std::string& path, diagnosis* why = nullptr,
                                                   bool check_permissions = true) {
    diagnose(why).clear();
    std::string text;
    if (!detail::read_key_file(path, text, why, check_permissions)) return errc::invalid_config;
    auto parsed = detail::parse_key_file_text(text, why);
    detail::cleanse(text.data(), text.size());
    if (!parsed) return parsed.error();
    std::vector<key_pair> pairs;
    pairs.reserve(parsed->size());
    for (const auto& [k, s] : *parsed) pairs.push_back(key_pair{k, s});
    auto made = key_set::make(std::span<const key_pair>(pairs), why);
    detail::cleanse_pairs(*parsed);
    return made;
}

}  // namespace lkwebhook

#endif  // LKWEBHOOK_KEY_FILE_HPP
