#ifndef LKWEBHOOK_DETAIL_KEY_FILE_PARSER_HPP
#define LKWEBHOOK_DETAIL_KEY_FILE_PARSER_HPP

// The YAML subset of livekit-server's `--key-file` (the format is described
// in key_file.hpp): flow scalars, one `key: secret` mapping per line.
// Internal; include <lkwebhook/key_file.hpp>.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "../config.hpp"
#include "../error.hpp"
#include "../result.hpp"
#include "openssl.hpp"
#include "text.hpp"

namespace lkwebhook::detail {

/// Wipes the strings' bytes (used for parsed secrets before they are freed).
LKWEBHOOK_DECL void cleanse_pairs(std::vector<std::pair<std::string, std::string>>& pairs) noexcept;

LKWEBHOOK_DECL bool yaml_plain_start_ok(std::string_view s) noexcept;

/// Parses one YAML flow scalar (quoted or plain) starting at `line[pos]`.
/// For keys, `is_key` stops a plain scalar at ": "; for values the rest of the
/// line (minus a " #" comment) is the scalar. Returns false with a reason.
LKWEBHOOK_DECL bool yaml_scalar(std::string_view line, std::size_t& pos, bool is_key, std::string& out,
                                std::string_view& reason);

/// The UTF-8 byte order mark. Editors on Windows save one at the start of a
/// file; livekit-server's YAML reader (yaml.v3) skips it there, so the first
/// key id is read without it.
inline constexpr std::string_view utf8_byte_order_mark = "\xEF\xBB\xBF";

/// Parses the text of a key file (the subset documented in key_file.hpp)
/// into key id / secret pairs. Line numbers, never secrets, appear in the
/// diagnosis; on failure every parsed secret is wiped. O(n log n) in the
/// number of keys: duplicates are found by sorting once the file is read
/// (comparing each key with every earlier one took 1.8 s for 20,000 keys).
LKWEBHOOK_DECL result<std::vector<std::pair<std::string, std::string>>> parse_key_file_text(std::string_view text,
                                                                                            diagnosis* why);

}  // namespace lkwebhook::detail

#if LKWEBHOOK_HEADER_ONLY
#include "../impl/key_file_parser.ipp"
#endif

#endif  // LKWEBHOOK_DETAIL_KEY_FILE_PARSER_HPP
