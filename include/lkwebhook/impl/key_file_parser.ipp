#ifndef LKWEBHOOK_IMPL_KEY_FILE_PARSER_IPP
#define LKWEBHOOK_IMPL_KEY_FILE_PARSER_IPP

// The key-file parser's implementation (detail/key_file_parser.hpp is its interface).
// Included by detail/key_file_parser.hpp in the default header-only mode, by <lkwebhook/src.hpp>
// only with LKWEBHOOK_SEPARATE_COMPILATION (config.hpp).

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "../config.hpp"
#include "../detail/key_file_parser.hpp"

namespace lkwebhook::detail {

LKWEBHOOK_DECL void cleanse_pairs(std::vector<std::pair<std::string, std::string>>& pairs) noexcept {
    for (auto& [k, s] : pairs) {
        cleanse(s.data(), s.size());
        cleanse(k.data(), k.size());
    }
}

LKWEBHOOK_DECL bool yaml_plain_start_ok(std::string_view s) noexcept {
    if (s.empty()) return false;
    constexpr std::string_view indicators = "[]{}#&*!|>%@`,";
    if (indicators.find(s.front()) != std::string_view::npos) return false;
    if ((s.front() == '-' || s.front() == '?' || s.front() == ':') && (s.size() == 1 || s[1] == ' ' || s[1] == '\t'))
        return false;
    return true;
}

LKWEBHOOK_DECL bool yaml_scalar(std::string_view line, std::size_t& pos, bool is_key, std::string& out,
                                std::string_view& reason) {
    out.clear();
    if (pos >= line.size()) {
        reason = "missing value";
        return false;
    }
    const char q = line[pos];
    if (q == '\'') {
        ++pos;
        for (;;) {
            if (pos >= line.size()) {
                reason = "unterminated single-quoted scalar";
                return false;
            }
            if (line[pos] == '\'') {
                if (pos + 1 < line.size() && line[pos + 1] == '\'') {
                    out.push_back('\'');
                    pos += 2;
                    continue;
                }
                ++pos;
                return true;
            }
            out.push_back(line[pos++]);
        }
    }
    if (q == '"') {
        ++pos;
        for (;;) {
            if (pos >= line.size()) {
                reason = "unterminated double-quoted scalar";
                return false;
            }
            const char c = line[pos++];
            if (c == '"') return true;
            if (c != '\\') {
                out.push_back(c);
                continue;
            }
            if (pos >= line.size()) {
                reason = "bad escape in double-quoted scalar";
                return false;
            }
            const char e = line[pos++];
            switch (e) {
                case '\\': out.push_back('\\'); continue;
                case '"': out.push_back('"'); continue;
                case '/': out.push_back('/'); continue;
                case 'n': out.push_back('\n'); continue;
                case 't': out.push_back('\t'); continue;
                case 'r': out.push_back('\r'); continue;
                case '0': out.push_back('\0'); continue;
                case ' ': out.push_back(' '); continue;
                default: break;
            }
            std::size_t digits = e == 'x' ? 2 : e == 'u' ? 4 : e == 'U' ? 8 : 0;
            if (digits == 0 || pos + digits > line.size()) {
                reason = "unsupported escape in double-quoted scalar";
                return false;
            }
            std::uint32_t cp = 0;
            for (std::size_t i = 0; i < digits; ++i) {
                const int d = hex_digit_value(line[pos + i]);
                if (d < 0) {
                    reason = "bad hex escape in double-quoted scalar";
                    return false;
                }
                cp = cp << 4 | static_cast<std::uint32_t>(d);
            }
            pos += digits;
            if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
                reason = "bad code point in double-quoted scalar";
                return false;
            }
            char encoded[4];
            out.append(encoded, encode_utf8(cp, encoded));
        }
    }
    // Plain scalar.
    const std::string_view rest = line.substr(pos);
    if (!yaml_plain_start_ok(rest)) {
        reason = "unsupported YAML (flow collection, anchor, tag, block scalar or indicator)";
        return false;
    }
    std::size_t end = rest.size();
    for (std::size_t i = 0; i < rest.size(); ++i) {
        const bool space_before = i > 0 && (rest[i - 1] == ' ' || rest[i - 1] == '\t');
        if (rest[i] == '#' && space_before) {
            end = i;
            break;
        }
        if (rest[i] == ':' && (i + 1 == rest.size() || rest[i + 1] == ' ' || rest[i + 1] == '\t')) {
            if (is_key) {
                end = i;
                break;
            }
            reason = "a value contains \": \" (quote it)";
            return false;
        }
    }
    std::string_view scalar = rest.substr(0, end);
    while (!scalar.empty() && (scalar.back() == ' ' || scalar.back() == '\t')) scalar.remove_suffix(1);
    out.assign(scalar.begin(), scalar.end());
    pos += scalar.size();
    if (!is_key && (scalar == "~" || scalar == "null" || scalar == "Null" || scalar == "NULL")) out.clear();
    return true;
}

LKWEBHOOK_DECL result<std::vector<std::pair<std::string, std::string>>> parse_key_file_text(std::string_view text,
                                                                                            diagnosis* why) {
    if (text.starts_with(utf8_byte_order_mark)) text.remove_prefix(utf8_byte_order_mark.size());
    std::vector<std::pair<std::string, std::string>> pairs;
    std::vector<std::size_t> line_of;  // line number of each pair
    const auto fail = [&](std::size_t line_no, std::string_view reason) {
        cleanse_pairs(pairs);
        diagnose(why).append("key file line ").append(line_no).append(": ").append(reason);
        return result<std::vector<std::pair<std::string, std::string>>>{errc::invalid_config};
    };
    std::size_t line_no = 0;
    std::size_t indent = std::string_view::npos;
    bool seen_entry = false;
    std::size_t start = 0;
    while (start <= text.size()) {
        std::size_t nl = text.find('\n', start);
        if (nl == std::string_view::npos) nl = text.size();
        std::string_view line = text.substr(start, nl - start);
        start = nl + 1;
        ++line_no;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        std::size_t pos = 0;
        while (pos < line.size() && line[pos] == ' ') ++pos;
        std::size_t ws_end = pos;
        while (ws_end < line.size() && line[ws_end] == '\t') ++ws_end;
        if (ws_end == line.size() || line[ws_end] == '#') {
            if (nl == text.size()) break;
            continue;  // blank or comment
        }
        if (ws_end != pos) return fail(line_no, "tab in indentation");
        const std::string_view content = line.substr(pos);
        if (!seen_entry && (content == "---" || content.starts_with("--- ") || content.starts_with("---\t"))) {
            if (nl == text.size()) break;
            continue;
        }
        if (content == "...") break;
        if (indent == std::string_view::npos) indent = pos;
        if (pos != indent)
            return fail(line_no, "inconsistent indentation (nested or multi-line values are not supported)");
        std::string key;
        std::string value;
        std::string_view reason;
        if (!yaml_scalar(line, pos, true, key, reason)) return fail(line_no, reason);
        if (pos >= line.size() || line[pos] != ':' ||
            (pos + 1 < line.size() && line[pos + 1] != ' ' && line[pos + 1] != '\t'))
            return fail(line_no, "expected \"key: secret\" (with a space after the colon)");
        ++pos;
        while (pos < line.size() && (line[pos] == ' ' || line[pos] == '\t')) ++pos;
        if (pos >= line.size() || line[pos] == '#') {
            detail::cleanse(key.data(), key.size());
            return fail(line_no, "empty secret");
        }
        if (!yaml_scalar(line, pos, false, value, reason)) return fail(line_no, reason);
        while (pos < line.size() && (line[pos] == ' ' || line[pos] == '\t')) ++pos;
        if (pos < line.size() && line[pos] != '#') return fail(line_no, "unexpected text after the secret");
        if (key.empty()) return fail(line_no, "empty API key");
        if (value.empty()) return fail(line_no, "empty secret");
        seen_entry = true;
        pairs.emplace_back(std::move(key), std::move(value));
        line_of.push_back(line_no);
        if (nl == text.size()) break;
    }
    if (pairs.empty()) {
        diagnose(why).append("key file has no \"key: secret\" entries");
        return errc::invalid_config;
    }
    // Duplicates: sort the indices by key (ties by line), then report the
    // first line, in file order, that repeats an earlier key.
    std::vector<std::size_t> order(pairs.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return pairs[a].first != pairs[b].first ? pairs[a].first < pairs[b].first : a < b;
    });
    std::size_t duplicate = pairs.size();
    for (std::size_t i = 1; i < order.size(); ++i) {
        if (pairs[order[i]].first == pairs[order[i - 1]].first && order[i] < duplicate) duplicate = order[i];
    }
    if (duplicate != pairs.size()) {
        diagnose(why)
                .append("key file line ")
                .append(line_of[duplicate])
                .append(": duplicate API key ")
                .append_escaped(pairs[duplicate].first);
        cleanse_pairs(pairs);
        return errc::invalid_config;
    }
    return pairs;
}

}  // namespace lkwebhook::detail

#endif  // LKWEBHOOK_IMPL_KEY_FILE_PARSER_IPP
