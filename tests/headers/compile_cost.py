#!/usr/bin/env python3
"""Compile cost of the public headers, relative to the standard library.

    compile_cost.py --compiler CXX [--flag F]... [--runs N]

Compiles three one-line translation units with the same compiler and flags
and measures the compiler's user+sys CPU time, in N interleaved rounds whose
per-round ratios to the baseline are reduced to their median (so a busy
machine neither fails nor passes the check by chance):

    baseline: eight standard headers that event-reading code includes anyway
    events:   only <lkwebhook/events.hpp>, what correlator code includes
    umbrella: <lkwebhook.hpp>, everything, header-only (the default mode)
    separate: <lkwebhook.hpp> with LKWEBHOOK_SEPARATE_COMPILATION, the mode
              for programs of many translation units (config.hpp): the
              headers declare, <lkwebhook/src.hpp> defines, in one of them

    floor:    the standard and OpenSSL headers that separate includes, alone

Fails unless events costs at most --events-limit times the baseline (1.5),
and, when --umbrella-limit is given, unless separate costs at most that, or,
with a standard library heavier than Debian 12's, unless separate minus floor
(the library's own declarations) stays within the share it has there.
The header-only umbrella's ratio is printed for the record: it parses
simdjson.h, which alone costs more than three baselines. Exit status 0 when
every check holds.
"""

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile

BASELINE = """#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>
int lkwebhook_compile_cost_probe() { return 0; }
"""
EVENTS = """#include <lkwebhook/events.hpp>
int lkwebhook_compile_cost_probe() { return 0; }
"""
UMBRELLA = """#include <lkwebhook.hpp>
int lkwebhook_compile_cost_probe() { return 0; }
"""


# What the standard and OpenSSL headers of the separately compiled umbrella
# cost on Debian 12 (g++ 12, libstdc++ 12), in baselines: 1.9 to 2.1x.
REFERENCE_FLOOR = 2.0


def cpu_seconds(command):
    """user+sys CPU of one run of command (a child process)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(command, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def standard_headers(compiler, flags, defines, source, scratch):
    """The #include <...> lines of the library's headers that `source`
    reaches (everything but the library itself): what the library's
    declarations cannot do without."""
    subprocess.run([compiler, *flags, *defines, "-M", source, "-o", os.path.join(scratch, "deps.d")], check=True)
    with open(os.path.join(scratch, "deps.d"), encoding="utf-8") as f:
        paths = f.read().replace("\\\n", " ").split()
    lines = set()
    for path in paths:
        if "/lkwebhook" not in path or not os.path.isfile(path):
            continue
        with open(path, encoding="ascii") as f:
            for line in f:
                if line.startswith("#include <") and not line.startswith("#include <lkwebhook"):
                    lines.add(line.strip())
    return "\n".join(sorted(lines)) + "\nint lkwebhook_compile_cost_probe() { return 0; }\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--compiler", required=True)
    parser.add_argument("--flag", action="append", default=[], help="a compiler flag (repeatable)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--events-limit", type=float, default=1.5)
    parser.add_argument("--umbrella-limit", type=float, default=None)
    args = parser.parse_args()

    separate_defines = ["-DLKWEBHOOK_SEPARATE_COMPILATION"]
    with tempfile.TemporaryDirectory() as scratch:
        def unit(name, text, defines=()):
            source = os.path.join(scratch, name + ".cpp")
            with open(source, "w", encoding="ascii") as f:
                f.write(text)
            return [args.compiler, *args.flag, *defines, "-c", source, "-o", os.path.join(scratch, name + ".o")]

        commands = {
            "baseline": unit("baseline", BASELINE),
            "events": unit("events", EVENTS),
            "umbrella": unit("umbrella", UMBRELLA),
            "separate": unit("separate", UMBRELLA, separate_defines),
        }
        commands["floor"] = unit("floor", standard_headers(args.compiler, args.flag, separate_defines,
                                                            commands["separate"][-3], scratch))
        # Rounds of every unit one after the other, each divided by the
        # baseline of its own round, and the median of those ratios: on a
        # shared machine the CPU time of one compilation varies by half with
        # what else runs, and neighbouring compilations vary alike. The
        # header-only umbrella is only reported: one run.
        ratios = {name: [] for name in ("events", "separate", "floor")}
        baselines = []
        for _ in range(args.runs):
            base = cpu_seconds(commands["baseline"])
            baselines.append(base)
            for name in ratios:
                ratios[name].append(cpu_seconds(commands[name]) / base)
        baseline = statistics.median(baselines)
        umbrella = cpu_seconds(commands["umbrella"]) / baseline

    ratio = {name: statistics.median(values) for name, values in ratios.items()}
    own = statistics.median(s - f for s, f in zip(ratios["separate"], ratios["floor"]))
    print("baseline %.2f s CPU (eight standard headers)" % baseline)
    print("events   %.2fx the baseline (limit %.1fx)" % (ratio["events"], args.events_limit))
    print("umbrella %.2fx, header-only (reported only: simdjson.h alone costs over 3x)" % umbrella)
    print("separate %.2fx, separately compiled; the standard and OpenSSL headers it includes cost %.2fx "
          "alone, the library's own declarations %.2fx" % (ratio["separate"], ratio["floor"], own))
    status = 0
    if ratio["events"] > args.events_limit:
        print("FAILED: events over %.1fx" % args.events_limit)
        status = 1
    if args.umbrella_limit is not None:
        # The budget is the 4x, set on Debian 12, where the standard
        # and OpenSSL headers the declarations need cost about 2x: 2x of it
        # is the library's own. A newer standard library can take more by
        # itself (libstdc++ 14's <chrono> alone costs about 2x, all of them
        # 3 to 3.6x); there the library's own share keeps its 2x.
        own_budget = args.umbrella_limit - REFERENCE_FLOOR
        if ratio["separate"] <= args.umbrella_limit:
            print("ok: separate within %.1fx" % args.umbrella_limit)
        elif ratio["floor"] > REFERENCE_FLOOR and own <= own_budget:
            print("ok: this standard library alone costs %.2fx (over the %.1fx of Debian 12's), and the "
                  "library adds %.2fx (at most %.1fx)" % (ratio["floor"], REFERENCE_FLOOR, own, own_budget))
        else:
            print("FAILED: separate over %.1fx" % args.umbrella_limit)
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
