"""Run a Python script and note its peak memory: `python bench/peak.py SCRIPT ARGS...`.

A process's peak resident memory as wait4 or `getrusage(RUSAGE_CHILDREN)` give it is a
high-water mark that survives fork and exec: a command started from the benchmark (a large
process) would begin at the benchmark's own peak. The peak of the memory the script itself
maps (`VmHWM`, Linux) starts afresh at exec; this wrapper runs the script as Python would
(its folder first on the path, as `__main__`) and writes that peak, in KiB, to the file named
by BENCH_PEAK_FILE when the script ends, however it ends.
"""

from __future__ import annotations

import os
import runpy
import sys


def peak_kib() -> int | None:
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None  # not Linux: the runner falls back on wait4's figure


def main() -> None:
    script = sys.argv[1]
    sys.argv = sys.argv[1:]
    sys.path[0] = os.path.dirname(os.path.abspath(script))
    try:
        runpy.run_path(script, run_name="__main__")
    finally:
        peak, target = peak_kib(), os.environ.get("BENCH_PEAK_FILE")
        if peak is not None and target:
            with open(target, "w", encoding="ascii") as noted:
                noted.write(str(peak))


if __name__ == "__main__":
    main()
