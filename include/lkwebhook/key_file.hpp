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
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config.hpp"
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
LKWEBHOOK_DECL bool read_key_file(const std::string& path, std::string& out, diagnosis* why, bool check_permissions);

}  // namespace detail

/// Reads a livekit-server `--key-file` (the format above) into a key_set.
/// Like livekit-server, refuses a file that others may read or write
/// (mode & 0007 != 0) unless `check_permissions` is false. Files over
/// 1 MiB are refused. invalid_config on any problem; the file's bytes are
/// wiped from memory after parsing.
[[nodiscard]] LKWEBHOOK_DECL result<key_set> from_key_file(const std::string& path, diagnosis* why = nullptr,
                                                           bool check_permissions = true);

}  // namespace lkwebhook

#if LKWEBHOOK_HEADER_ONLY
#include "impl/key_file.ipp"
#endif

#endif  // LKWEBHOOK_KEY_FILE_HPP
