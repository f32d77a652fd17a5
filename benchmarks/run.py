"""Compare josekit with PyJWT, joserfc, jwcrypto, python-jose and the pyca/cryptography floor.

Usage::

    python benchmarks/run.py                    # every benchmark, printed as a table
    python benchmarks/run.py --quick            # fewer, shorter samples (noisier)
    python benchmarks/run.py --filter verify --filter 'jwt.*.ES256'
    python benchmarks/run.py --json results.json   # also write JSON ('-' for stdout only)
    python benchmarks/run.py --clock cpu        # CPU time instead of elapsed time
    python benchmarks/run.py --list

Every ``bench_*.py`` module next to this file contributes its ``benchmarks()``. Before a
benchmark is timed, every library must accept the token josekit produced (and reject a
tampered one), and josekit must accept the token every library produced; a peer that fails
is left out of that row with a note. Figures are medians of interleaved samples, in
microseconds per operation; ratios are josekit's time divided by the other library's. The
``target`` column says whether josekit meets its goal for the row: ``ok``, ``MISS``, or
``tie`` when it is level with a peer within the run's noise.

Exit status: 0, or 1 when a benchmark could not run (josekit or the floor failed its
checks), or 2 with ``--strict`` when josekit misses a target.
"""

from __future__ import annotations

import argparse
import fnmatch
import importlib
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from _harness import (  # noqa: E402
    CLOCKS,
    Benchmark,
    Result,
    Settings,
    environment,
    measure,
    render_json,
    render_table,
)


def discover() -> tuple[list[Benchmark], list[str]]:
    """Every benchmark of every ``bench_*.py`` module, and notes on modules that cannot load."""
    found: list[Benchmark] = []
    notes: list[str] = []
    first = {name: i for i, name in enumerate(("bench_jws", "bench_jwe", "bench_jwt"))}
    paths = sorted(HERE.glob("bench_*.py"), key=lambda p: (first.get(p.stem, len(first)), p.stem))
    for path in paths:
        try:
            module = importlib.import_module(path.stem)
        except ModuleNotFoundError as exc:
            if exc.name and exc.name.startswith("josekit"):
                notes.append(f"{path.stem}: skipped, {exc.name} is not available")
                continue
            raise
        found.extend(module.benchmarks())
    return found, notes


def selected(benchmarks: Sequence[Benchmark], patterns: Sequence[str]) -> list[Benchmark]:
    """Benchmarks whose id matches any pattern: a glob if it has ``*?[``, else a substring."""
    if not patterns:
        return list(benchmarks)

    def matches(bench_id: str, pattern: str) -> bool:
        bench_id, pattern = bench_id.lower(), pattern.lower()
        if any(c in pattern for c in "*?["):
            return fnmatch.fnmatchcase(bench_id, pattern)
        return pattern in bench_id

    return [b for b in benchmarks if any(matches(b.id, p) for p in patterns)]


def _load_note() -> str:
    """A warning when other processes kept the CPUs busy (wall-clock figures then drift)."""
    try:
        load = os.getloadavg()[0]
    except (AttributeError, OSError):
        return ""
    cpus = os.cpu_count() or 1
    if load < 0.75 * cpus:
        return ""
    return (
        f"note: load average {load:.1f} on {cpus} CPUs during the run: other processes competed "
        "for the CPU; wall-clock figures are inflated and noisier (try --clock cpu)"
    )


def run_one(bench: Benchmark, settings: Settings) -> Result:
    """Build (with its interoperability checks) and time one benchmark."""
    try:
        prepared = bench.build()
    except Exception as exc:
        return Result(bench, {}, {}, error=f"{type(exc).__name__}: {exc}")
    stats = measure(prepared.timed, settings)
    return Result(bench, stats, prepared.notes)


def main(argv: Sequence[str] | None = None) -> int:
    """Parse arguments, run the selected benchmarks, print the table (and JSON)."""
    parser = argparse.ArgumentParser(
        description="Compare josekit with other JOSE libraries and the pyca/cryptography floor."
    )
    parser.add_argument("--quick", action="store_true", help="fewer, shorter samples")
    parser.add_argument(
        "--filter",
        action="append",
        default=[],
        metavar="PATTERN",
        help="run benchmarks whose id contains PATTERN (or matches it as a glob); repeatable",
    )
    parser.add_argument(
        "--json",
        nargs="?",
        const="-",
        metavar="PATH",
        help="write results as JSON to PATH, or to stdout instead of the table if PATH is '-'",
    )
    parser.add_argument(
        "--clock",
        choices=sorted(CLOCKS),
        default="wall",
        help="wall: elapsed time (default); cpu: this thread's CPU time, steadier when other "
        "processes compete for the CPU",
    )
    parser.add_argument("--list", action="store_true", help="list benchmark ids and exit")
    parser.add_argument("--strict", action="store_true", help="exit 2 when a target is missed")
    args = parser.parse_args(argv)

    benchmarks, module_notes = discover()
    chosen = selected(benchmarks, args.filter)
    for note in module_notes:
        print(f"note: {note}", file=sys.stderr)
    if args.list:
        for bench in chosen:
            print(f"{bench.id:32} {bench.target.describe():34} {bench.description}")
        return 0
    if not chosen:
        print("no benchmark matches the filter; see --list", file=sys.stderr)
        return 1

    settings = Settings.quick(args.clock) if args.quick else Settings.full(args.clock)
    env = environment()
    results = []
    start = time.perf_counter()
    for i, bench in enumerate(chosen, 1):
        print(f"[{i}/{len(chosen)}] {bench.id}", file=sys.stderr, flush=True)
        results.append(run_one(bench, settings))
    elapsed = time.perf_counter() - start

    header = (
        f"josekit {env['josekit']} | Python {env['python']} | cryptography {env['cryptography']}"
        f" | PyJWT {env['PyJWT']} | joserfc {env['joserfc']} | jwcrypto {env['jwcrypto']}"
        f" | python-jose {env['python-jose']}\n"
        f"{'quick' if args.quick else 'full'} run: {len(results)} benchmarks, "
        f"{settings.rounds} samples of ~{settings.sample_seconds * 1000:g} ms per library, "
        f"{settings.clock} clock, {elapsed:.0f} s"
    )
    taken = sum(s.samples + s.discarded for r in results for s in r.stats.values())
    dropped = sum(s.discarded for r in results for s in r.stats.values())
    if dropped:
        header += (
            f"\n{dropped} of {taken} samples ({100 * dropped / max(taken, 1):.0f}%) left out: "
            "the process lost the CPU to other work during them"
        )
    load = _load_note() if settings.clock == "wall" else ""
    if load:
        header += "\n" + load
    if module_notes:
        header += "\n" + "\n".join(f"note: {n}" for n in module_notes)
    if args.json != "-":
        print(render_table(results, header))
    if args.json is not None:
        text = render_json(results, settings, env)
        if args.json == "-":
            print(text)
        else:
            Path(args.json).write_text(text + "\n", encoding="utf-8")

    if any(r.error is not None for r in results):
        return 1
    if args.strict and any(r.verdict() == "MISS" for r in results):
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
