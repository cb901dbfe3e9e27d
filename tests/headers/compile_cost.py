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

Fails unless events costs at most --events-limit times the baseline (1.5),
and, when --umbrella-limit is given, unless separate costs at most that.
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


def cpu_seconds(command):
    """user+sys CPU of one run of command (a child process)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(command, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--compiler", required=True)
    parser.add_argument("--flag", action="append", default=[], help="a compiler flag (repeatable)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--events-limit", type=float, default=1.5)
    parser.add_argument("--umbrella-limit", type=float, default=None)
    args = parser.parse_args()

    units = (("baseline", BASELINE, []), ("events", EVENTS, []), ("umbrella", UMBRELLA, []),
             ("separate", UMBRELLA, ["-DLKWEBHOOK_SEPARATE_COMPILATION"]))
    with tempfile.TemporaryDirectory() as scratch:
        commands = {}
        for name, text, defines in units:
            source = os.path.join(scratch, name + ".cpp")
            with open(source, "w", encoding="ascii") as f:
                f.write(text)
            commands[name] = [args.compiler, *args.flag, *defines, "-c", source, "-o",
                              os.path.join(scratch, name + ".o")]
        # Rounds of every checked unit one after the other, each divided by
        # the baseline of its own round, and the median of those ratios: on a
        # shared machine the CPU time of one compilation varies by half with
        # what else runs, and neighbouring compilations vary alike. The
        # header-only umbrella is only reported: one run.
        checked = ["events"] + (["separate"] if args.umbrella_limit is not None else [])
        ratios = {name: [] for name in checked}
        costs = {name: [] for name in ["baseline", *checked]}
        for _ in range(args.runs):
            base = cpu_seconds(commands["baseline"])
            costs["baseline"].append(base)
            for name in checked:
                cost = cpu_seconds(commands[name])
                costs[name].append(cost)
                ratios[name].append(cost / base)
        baseline = statistics.median(costs["baseline"])
        umbrella = cpu_seconds(commands["umbrella"])
        if args.umbrella_limit is None:
            separate = cpu_seconds(commands["separate"])
            ratios["separate"] = [separate / baseline]
            costs["separate"] = [separate]
        ratios["umbrella"] = [umbrella / baseline]
        costs["umbrella"] = [umbrella]

    status = 0
    for name, limit in (("events", args.events_limit), ("umbrella", None), ("separate", args.umbrella_limit)):
        ratio = statistics.median(ratios[name])
        verdict = "" if limit is None else ((" (limit %.1fx)" % limit) if ratio <= limit else (" OVER the limit of %.1fx" % limit))
        print("%-8s %.2f s CPU, %.2fx the baseline's %.2f s%s" % (name, statistics.median(costs[name]), ratio, baseline, verdict))
        if limit is not None and ratio > limit:
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
