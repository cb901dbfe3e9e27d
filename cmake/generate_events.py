#!/usr/bin/env python3
"""Generate the schema headers from cmake/schema.txt.

Run by hand when the schema changes (the build never runs it; the output is
committed). With no arguments it reads cmake/schema.txt (beside this script)
and writes include/lkwebhook/events/schema.hpp (the structs and enums) and
include/lkwebhook/detail/schema_traits.hpp (their descriptor tables):

    python3 cmake/generate_events.py

Options:

    --schema PATH       read this schema instead of cmake/schema.txt
    --output-root DIR   write the outputs under DIR instead of the
                        repository's include/ (paths below DIR are those of
                        OUTPUTS, e.g. DIR/lkwebhook/events/schema.hpp)
    --check             regenerate every output under --output-root (which is
                        then required and must not be include/), and exit
                        non-zero when one differs from the committed file in
                        include/; both sides go through the same clang-format,
                        so the check does not depend on its version
    --key-hashes        print, for every spelling of every field name, the
                        line "<seed-hex> <bits> <hash> <name>" with the seed
                        and bits the generated tables use: the test
                        tests/schema compares them with detail::key_hash

Input format (one message or enum per block):

    message livekit.Room
      <number> <proto_name> <jsonName> <type...> [repeated] [oneof NAME] [optional]
    enum livekit.TrackType
      <number> <NAME>

Output: for every enum an `enum class x : std::int32_t` (values named after
the proto names, lower-cased) plus its enum_traits table; for every message a
struct with snake_case members (sub-messages as optional_message<T>, repeated
fields as repeated<T>, maps as string_map, oneof members and proto3
`optional` scalars as optional_value<T>), its proto_message_name and its
clear_fields (events/schema.hpp, light: what correlator code compiles), plus
its message_traits descriptor in detail/schema_traits.hpp (only the decoder
and encoder compile those): one line per field, so adding a field LiveKit invents is one line of schema.
Each descriptor also gets a collision-free hash table of its field names (both
spellings) that the decoder probes once per member; key_hash() below must
stay equal to detail::key_hash in include/lkwebhook/detail/descriptors.hpp.
"""

import argparse
import filecmp
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_SCHEMA = os.path.join(HERE, "schema.txt")
INCLUDE_ROOT = os.path.join(os.path.dirname(HERE), "include")
# Every file the generator writes, relative to the include root.
OUTPUTS = ("lkwebhook/events/schema.hpp", "lkwebhook/detail/schema_traits.hpp")

CPP_KEYWORDS = {
    "alignas", "alignof", "and", "and_eq", "asm", "auto", "bitand", "bitor", "bool", "break", "case", "catch",
    "char", "class", "compl", "concept", "const", "consteval", "constexpr", "constinit", "const_cast", "continue",
    "co_await", "co_return", "co_yield", "decltype", "default", "delete", "do", "double", "dynamic_cast", "else",
    "enum", "explicit", "export", "extern", "false", "float", "for", "friend", "goto", "if", "inline", "int",
    "long", "mutable", "namespace", "new", "noexcept", "not", "not_eq", "nullptr", "operator", "or", "or_eq",
    "private", "protected", "public", "register", "reinterpret_cast", "requires", "return", "short", "signed",
    "sizeof", "static", "static_assert", "static_cast", "struct", "switch", "template", "this", "thread_local",
    "throw", "true", "try", "typedef", "typeid", "typename", "union", "unsigned", "using", "virtual", "void",
    "volatile", "wchar_t", "while", "xor", "xor_eq", "errno", "assert", "unix", "linux",
}

# Fields holding credentials (catalogue G22, K7): to_json can redact them. Stream
# URLs are credentials as a whole: an RTMP URL ends in the stream key, an SRT URL
# carries its passphrase, a WebSocket egress URL its token. Storage access key ids
# are identifiers, not secrets, and stay. (The userinfo of any other URL is
# redacted by the encoder itself.)
CREDENTIALS = {
    ("livekit.Room", "turn_password"),
    ("livekit.IngressInfo", "stream_key"),
    ("livekit.S3Upload", "secret"),
    ("livekit.S3Upload", "session_token"),
    ("livekit.GCPUpload", "credentials"),
    ("livekit.AzureBlobUpload", "account_key"),
    ("livekit.AliOSSUpload", "secret"),
    ("livekit.ProxyConfig", "password"),
    ("livekit.StreamOutput", "urls"),
    ("livekit.StreamInfo", "url"),
    ("livekit.TrackEgressRequest", "websocket_url"),
}

SCALARS = {
    "string": "std::string",
    "bool": "bool",
    "int32": "std::int32_t",
    "sint32": "std::int32_t",
    "sfixed32": "std::int32_t",
    "uint32": "std::uint32_t",
    "fixed32": "std::uint32_t",
    "int64": "std::int64_t",
    "sint64": "std::int64_t",
    "sfixed64": "std::int64_t",
    "uint64": "std::uint64_t",
    "fixed64": "std::uint64_t",
    "double": "double",
    "float": "double",
}


def snake(name):
    s = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    s = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", s)
    return s.lower()


def ident(name):
    return name + "_" if name in CPP_KEYWORDS else name


def type_name(full):
    """livekit.ParticipantInfo.State -> participant_info_state"""
    parts = full.split(".")
    if parts[0] == "livekit":
        parts = parts[1:]
    return ident("_".join(snake(p) for p in parts))


def parse(path):
    messages, enums, order = {}, {}, []
    current = None
    with open(path, encoding="utf-8") as f:
        for raw in f:
            line = raw.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            if line.startswith("message "):
                current = {"kind": "message", "name": line.split()[1], "fields": []}
                messages[current["name"]] = current
                order.append(current)
            elif line.startswith("enum "):
                current = {"kind": "enum", "name": line.split()[1], "values": []}
                enums[current["name"]] = current
                order.append(current)
            elif current and current["kind"] == "enum":
                number, name = line.split()
                current["values"].append((int(number), name))
            elif current:
                tokens = line.split()
                number, proto, json = int(tokens[0]), tokens[1], tokens[2]
                rest = tokens[3:]
                field = {"number": number, "proto": proto, "json": json, "repeated": False, "oneof": None,
                         "optional": False}
                if rest[0] == "map<string,":
                    if rest[1] != "string>":
                        raise SystemExit(f"unsupported map value type in {line!r}")
                    field["type"] = "map"
                    rest = rest[2:]
                elif rest[0] in ("message", "enum"):
                    field["type"] = rest[0]
                    field["ref"] = rest[1]
                    rest = rest[2:]
                elif rest[0] in SCALARS:
                    field["type"] = rest[0]
                    rest = rest[1:]
                else:
                    raise SystemExit(f"unsupported type in {line!r}")
                i = 0
                while i < len(rest):
                    if rest[i] == "repeated":
                        field["repeated"] = True
                    elif rest[i] == "optional":
                        field["optional"] = True
                    elif rest[i] == "oneof":
                        field["oneof"] = rest[i + 1]
                        i += 1
                    else:
                        raise SystemExit(f"unexpected token {rest[i]!r} in {line!r}")
                    i += 1
                current["fields"].append(field)
    return messages, enums


def topo(messages):
    done, out = set(), []

    def visit(name, stack):
        if name in done:
            return
        if name in stack:
            raise SystemExit(f"recursive message {name}: not supported by the generator")
        stack.add(name)
        for f in messages[name]["fields"]:
            if f["type"] == "message":
                visit(f["ref"], stack)
        stack.discard(name)
        done.add(name)
        out.append(name)

    for name in sorted(messages):
        visit(name, set())
    return out


def max_nesting(messages):
    """The most messages a chain of message fields nests, counting both ends."""
    depth = {}
    for name in topo(messages):  # dependencies first
        depth[name] = 1 + max((depth[f["ref"]] for f in messages[name]["fields"] if f["type"] == "message"),
                              default=0)
    return max(depth.values())


def member_type(f):
    if f["type"] == "map":
        return "::lkwebhook::string_map"
    if f["type"] == "message":
        element = "::lkwebhook::" + type_name(f["ref"])
        return f"::lkwebhook::repeated<{element}>" if f["repeated"] else f"::lkwebhook::optional_message<{element}>"
    element = "::lkwebhook::" + type_name(f["ref"]) if f["type"] == "enum" else SCALARS[f["type"]]
    if f["repeated"]:
        return f"::lkwebhook::repeated<{element}>"
    if f["oneof"] or f["optional"]:
        return f"::lkwebhook::optional_value<{element}>"
    return element


def default_init(f):
    if f["repeated"] or f["type"] in ("map", "message", "string") or f["oneof"] or f["optional"]:
        return ""
    if f["type"] == "bool":
        return " = false"
    if f["type"] == "enum":
        return "{}"
    if f["type"] in ("double", "float"):
        return " = 0.0"
    return " = 0"


def describe(f, message=None):
    kind = f["type"] if f["type"] not in ("message", "enum") else f"{f['type']} {f['ref']}"
    parts = [f'"{f["json"]}"', f"#{f['number']}", kind]
    if f["repeated"]:
        parts.append("repeated")
    if f["oneof"]:
        parts.append(f"oneof {f['oneof']}")
    if f["optional"]:
        parts.append("optional")
    return ", ".join(parts)


def key_hash(name, seed, bits):
    """Must equal detail::key_hash in include/lkwebhook/detail/descriptors.hpp."""
    b = name.encode("ascii")
    n = len(b)
    x = (n & 0xFF) | (b[0] << 8) | (b[n // 4] << 16) | (b[n // 2] << 24) | (b[3 * n // 4] << 32) | (b[n - 1] << 40)
    return ((x * seed) & 0xFFFFFFFFFFFFFFFF) >> (64 - bits)


def key_table(fields):
    """A collision-free (seed, bits, slots) over both spellings of every field
    name; slots hold 1 + the field index. json names win over proto names."""
    names = {}
    for spelling in ("json", "proto"):
        for index, f in enumerate(fields):
            names.setdefault(f[spelling], index)
    bits = max(1, (len(names) - 1).bit_length()) + 1
    while bits <= 16:
        for i in range(1, 200000):
            seed = ((i * 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF) | 1
            slots = [0] * (1 << bits)
            for name, index in names.items():
                h = key_hash(name, seed, bits)
                if slots[h]:
                    break
                slots[h] = index + 1
            else:
                return seed, bits, slots
        bits += 1
    raise SystemExit("no perfect hash for " + ", ".join(names))


def render(messages, enums):
    """Returns {output path relative to the include root: text}, unformatted."""
    out = []
    w = out.append
    traits = []
    t_w = traits.append
    w("// GENERATED by cmake/generate_events.py from cmake/schema.txt: do not edit by hand.")
    w("// " + f"{len(messages)} messages, {len(enums)} enums (livekit.WebhookEvent and everything it reaches).")
    w("// Included by <lkwebhook/events.hpp>; include that header instead. The messages'")
    w("// descriptor tables (for the decoder and encoder) are in detail/schema_traits.hpp.")
    w("#ifndef LKWEBHOOK_EVENTS_SCHEMA_HPP")
    w("#define LKWEBHOOK_EVENTS_SCHEMA_HPP")
    w("")
    w("#include <cstdint>")
    w("#include <string>")
    w("#include <string_view>")
    w("")
    w('#include "event_type.hpp"')
    w('#include "field_types.hpp"')
    w("")
    w("namespace lkwebhook {")
    w("")
    w("// ---- enums: open (any int32 is representable, so numbers this schema does not")
    w("// ---- know survive decoding); enumerators are the proto names in lower case.")
    for name in sorted(enums):
        e = enums[name]
        t = type_name(name)
        w("")
        w(f"/// {name}")
        w(f"enum class {t} : std::int32_t {{")
        for number, value in e["values"]:
            w(f"    {ident(value.lower())} = {number},")
        w("};")
        w("template <>")
        w(f"struct enum_traits<{t}> {{")
        w(f'    static constexpr std::string_view proto_name = "{name}";')
        w(f"    static constexpr detail::enum_value values[{len(e['values'])}] = {{")
        for number, value in e["values"]:
            w(f'        {{{number}, "{value}"}},')
        w("    };")
        w(f"    static constexpr detail::enum_info info{{proto_name, values, {len(e['values'])}}};")
        w("};")
    w("")
    w("// ---- messages (dependencies first)")
    t_w("// GENERATED by cmake/generate_events.py from cmake/schema.txt: do not edit by hand.")
    t_w("// The descriptor table of every message in events/schema.hpp: what the one")
    t_w("// generic decoder (decode.hpp) and encoder (encode.hpp) walk. Internal.")
    t_w("#ifndef LKWEBHOOK_DETAIL_SCHEMA_TRAITS_HPP")
    t_w("#define LKWEBHOOK_DETAIL_SCHEMA_TRAITS_HPP")
    t_w("")
    t_w("#include <cstddef>")
    t_w("#include <cstdint>")
    t_w("#include <string_view>")
    t_w("")
    t_w('#include "../config.hpp"')
    t_w('#include "../events/schema.hpp"')
    t_w('#include "descriptors.hpp"')
    t_w("")
    t_w("namespace lkwebhook {")
    for name in topo(messages):
        m = messages[name]
        t = type_name(name)
        if len(m["fields"]) > 64:
            raise SystemExit(f"{name}: more than 64 fields (the decoder's duplicate mask)")
        oneofs = []
        for f in m["fields"]:
            if f["oneof"] and f["oneof"] not in oneofs:
                oneofs.append(f["oneof"])
        w("")
        w(f"/// {name}")
        if oneofs:
            w("/// Oneofs (at most one member present): " + "; ".join(
                f"{o}: " + ", ".join(ident(snake(f["proto"])) for f in m["fields"] if f["oneof"] == o)
                for o in oneofs) + ".")
        w(f"struct {t} {{")
        for f in m["fields"]:
            member = ident(snake(f["proto"]))
            f["member"] = member
            w(f"    {member_type(f)} {member}{default_init(f)};  ///< {describe(f)}")
        for o in oneofs:
            members = [f for f in m["fields"] if f["oneof"] == o]
            w("")
            w(f"    /// Which member of oneof `{o}` is set (values are the proto field numbers).")
            w(f"    enum class {ident(snake(o))}_case : std::int32_t {{")
            w("        none = 0,")
            for f in members:
                w(f"        {f['member']} = {f['number']},")
            w("    };")
            w(f"    [[nodiscard]] {ident(snake(o))}_case which_{snake(o)}() const noexcept {{")
            for f in members:
                w(f"        if ({f['member']}.has_value()) return {ident(snake(o))}_case::{f['member']};")
            w(f"        return {ident(snake(o))}_case::none;")
            w("    }")
        if name == "livekit.WebhookEvent":
            w("")
            w("    /// The typed event name (event_type::unknown for names this version does not know).")
            w("    [[nodiscard]] event_type type() const noexcept { return event_type_from_name(event); }")
        w("")
        w(f"    friend bool operator==(const {t}&, const {t}&) = default;")
        w("};")
        w("template <>")
        w(f'inline constexpr std::string_view proto_message_name<{t}> = "{name}";')
        w("template <>")
        w(f"inline void detail::clear_fields<{t}>({t}& m) noexcept {{")
        for f in m["fields"]:
            w(f"    detail::reset_member(m.{f['member']});")
        w("}")
        t_w("")
        t_w("template <>")
        t_w(f"struct message_traits<{t}> {{")
        t_w(f"    static constexpr std::string_view proto_name = proto_message_name<{t}>;")
        if oneofs:
            t_w(f"    static constexpr std::string_view oneofs[{len(oneofs)}] = {{" + ", ".join(
                f'"{o}"' for o in oneofs) + "};")
        t_w(f"    static constexpr detail::field_info fields[{len(m['fields'])}] = {{")
        for f in m["fields"]:
            extra = f", {oneofs.index(f['oneof']) + 1}" if f["oneof"] else ""
            if (name, f["proto"]) in CREDENTIALS:
                extra = (extra or ", 0") + ", true"
            t_w(f'        detail::make_field<&{t}::{f["member"]}>(offsetof({t}, {f["member"]}), "{f["json"]}", '
                f'"{f["proto"]}", {f["number"]}{extra}),')
        t_w("    };")
        seed, bits, slots = key_table(m["fields"])
        t_w(f"    static constexpr std::uint8_t key_slots[{len(slots)}] = {{" + ", ".join(str(v) for v in slots) + "};")
        oneof_ref = "oneofs" if oneofs else "nullptr"
        t_w(f"    static constexpr detail::message_info info{{proto_name, fields, {len(m['fields'])}, {oneof_ref}, "
            f"{len(oneofs)}, sizeof({t}), key_slots, 0x{seed:016X}u, {bits}}};")
        t_w("};")
    w("")
    w("}  // namespace lkwebhook")
    w("")
    w("#endif  // LKWEBHOOK_EVENTS_SCHEMA_HPP")
    t_w("")
    t_w("namespace detail {")
    t_w("/// The most messages one chain of message fields nests (a message without")
    t_w("/// sub-messages: 1), whichever message is decoded: the decoder's path of fields")
    t_w("/// never holds more entries than this. The schema has no recursive message.")
    t_w(f"inline constexpr std::size_t max_message_nesting = {max_nesting(messages)};")
    t_w("}  // namespace detail")
    t_w("")
    t_w("}  // namespace lkwebhook")
    t_w("")
    t_w("// Separate compilation (config.hpp): decode<M> and to_json<M> reach a table")
    t_w("// through detail::info_of<M>, declared only; the one translation unit that")
    t_w("// includes src.hpp (and so this file) instantiates it for every message.")
    t_w("#if !LKWEBHOOK_HEADER_ONLY")
    t_w("namespace lkwebhook::detail {")
    for name in sorted(messages, key=type_name):
        t_w(f"template const message_info* info_of<{type_name(name)}>() noexcept;")
    t_w("}  // namespace lkwebhook::detail")
    t_w("#endif")
    t_w("")
    t_w("#endif  // LKWEBHOOK_DETAIL_SCHEMA_TRAITS_HPP")
    return {OUTPUTS[0]: "\n".join(out) + "\n", OUTPUTS[1]: "\n".join(traits) + "\n"}


def clang_format():
    return shutil.which("clang-format-14") or shutil.which("clang-format")


def write_outputs(files, root, formatter):
    written = []
    for relative, text in files.items():
        path = os.path.join(root, relative)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="ascii", newline="\n") as f:
            f.write(text)
        # Keep the committed files in the repository's .clang-format style.
        if formatter:
            subprocess.run([formatter, "-i", "--style=file:" + os.path.join(os.path.dirname(HERE), ".clang-format"),
                            path], check=True)
        written.append(path)
    return written


def check(files, root):
    """Regenerates under root and compares with the committed files; 0 when all equal."""
    formatter = clang_format()
    if not formatter:
        print("generate_events.py --check: clang-format not found (install it: cmake/install-deps.sh --tests)",
              file=sys.stderr)
        return 2
    write_outputs(files, root, formatter)
    status = 0
    with tempfile.TemporaryDirectory() as scratch:
        for relative in files:
            committed = os.path.join(INCLUDE_ROOT, relative)
            if not os.path.exists(committed):
                print(f"missing committed file include/{relative}", file=sys.stderr)
                status = 1
                continue
            # The committed file through the same formatter: a no-op with
            # clang-format 14, and a like-for-like comparison with any other.
            copy = os.path.join(scratch, relative)
            os.makedirs(os.path.dirname(copy), exist_ok=True)
            shutil.copyfile(committed, copy)
            write_outputs({relative: open(copy, encoding="ascii").read()}, scratch, formatter)
            regenerated = os.path.join(root, relative)
            if filecmp.cmp(copy, regenerated, shallow=False):
                print(f"include/{relative}: up to date")
            else:
                print(f"include/{relative} differs from {regenerated}: run python3 cmake/generate_events.py",
                      file=sys.stderr)
                subprocess.run(["diff", "-u", copy, regenerated], check=False)
                status = 1
    return status


def print_key_hashes(messages):
    for name in sorted(messages):
        fields = messages[name]["fields"]
        seed, bits, _ = key_table(fields)
        for spelling in sorted({f[s] for f in fields for s in ("json", "proto")}):
            print(f"{seed:016X} {bits} {key_hash(spelling, seed, bits)} {spelling}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--schema", default=DEFAULT_SCHEMA)
    parser.add_argument("--output-root", default=None)
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--key-hashes", action="store_true")
    args = parser.parse_args()
    messages, enums = parse(args.schema)
    if args.key_hashes:
        print_key_hashes(messages)
        return 0
    files = render(messages, enums)
    if args.check:
        if not args.output_root or os.path.realpath(args.output_root) == os.path.realpath(INCLUDE_ROOT):
            parser.error("--check needs an --output-root other than include/")
        return check(files, args.output_root)
    write_outputs(files, args.output_root or INCLUDE_ROOT, clang_format())
    return 0


if __name__ == "__main__":
    sys.exit(main())
