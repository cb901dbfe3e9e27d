#!/usr/bin/env python3
"""Compile cost of the public headers, relative to the standard library.

    compile_cost.py --compiler CXX [--flag F]... [--runs N]

Compiles three one-line translation units with the same compiler and flags
and measures the compiler's user+sys CPU time (the minimum of N runs, so a
busy machine does not fail the check):

    baseline: eight standard headers that event-reading code includes anyway
    events:   only <lkwebhook/events.hpp>, what correlator code includes
    umbrella: <lkwebhook.hpp>, everything

Fails unless events costs at most --events-limit times the baseline (1.5).
The umbrella's ratio is printed, and checked only when --umbrella-limit is
given. Exit status 0 when every check holds.
"""

import argparse
import os
import resource
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
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--events-limit", type=float, default=1.5)
    parser.add_argument("--umbrella-limit", type=float, default=None)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as scratch:
        costs = {}
        for name, text in (("baseline", BASELINE), ("events", EVENTS), ("umbrella", UMBRELLA)):
            source = os.path.join(scratch, name + ".cpp")
            with open(source, "w", encoding="ascii") as f:
                f.write(text)
            command = [args.compiler, *args.flag, "-c", source, "-o", os.path.join(scratch, name + ".o")]
            # The umbrella is only reported unless it has a limit: one run will do.
            runs = 1 if name == "umbrella" and args.umbrella_limit is None else args.runs
            costs[name] = min(cpu_seconds(command) for _ in range(runs))

    baseline = costs["baseline"]
    status = 0
    for name, limit in (("events", args.events_limit), ("umbrella", args.umbrella_limit)):
        ratio = costs[name] / baseline
        verdict = "" if limit is None else ((" (limit %.1fx)" % limit) if ratio <= limit else (" OVER the limit of %.1fx" % limit))
        print("%-8s %.2f s CPU, %.2fx the baseline's %.2f s%s" % (name, costs[name], ratio, baseline, verdict))
        if limit is not None and ratio > limit:
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
