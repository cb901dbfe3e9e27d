#ifndef LKWEBHOOK_IMPL_KEY_FILE_IPP
#define LKWEBHOOK_IMPL_KEY_FILE_IPP

// Key-file loading's implementation (key_file.hpp is its interface).
// Included by key_file.hpp in the default header-only mode, by <lkwebhook/src.hpp>
// only with LKWEBHOOK_SEPARATE_COMPILATION (config.hpp).

#include <cstddef>
#include <cstdio>
#include <string>
#include <string_view>
#include <utility>
#include <vector>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../config.hpp"
#include "../key_file.hpp"

namespace lkwebhook::detail {

LKWEBHOOK_DECL bool read_key_file(const std::string& path, std::string& out, diagnosis* why, bool check_permissions) {
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

}  // namespace lkwebhook::detail

namespace lkwebhook {

LKWEBHOOK_DECL result<key_set> from_key_file(const std::string& path, diagnosis* why, bool check_permissions) {
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

#endif  // LKWEBHOOK_IMPL_KEY_FILE_IPP
