"""Timing, interoperability checks and the results table shared by the benchmark modules.

A benchmark module (``bench_*.py`` next to this file) exposes ``benchmarks()``, returning
:class:`Benchmark` objects. Building one (lazily, only when it is selected) imports the keys
into every library once, checks that every library accepts what josekit produces and that
josekit accepts what every library produces, and returns the zero-argument callables to time.

Timing: each callable is calibrated so that one sample lasts about ``sample_seconds``, warmed
up, and then sampled ``rounds`` times; the libraries of a benchmark are sampled in rotating
order within each round, so drift in machine speed is spread evenly. The garbage collector is
paused during a sample (as :mod:`timeit` does). Samples during which the process lost the CPU
to other work are left out (see :data:`CLOCKS`). The reported figure is the median of the
per-operation sample times; josekit is compared with each other library round by round.
"""

from __future__ import annotations

import gc
import itertools
import json
import platform
import statistics
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "CLOCKS",
    "FLOOR",
    "JOSEKIT",
    "LIBRARIES",
    "PEERS",
    "Benchmark",
    "CheckError",
    "Codec",
    "Prepared",
    "Result",
    "Settings",
    "Stats",
    "Target",
    "consume_case",
    "environment",
    "measure",
    "produce_case",
    "render_json",
    "render_table",
    "roundtrip_case",
    "tamper",
]

JOSEKIT = "josekit"
FLOOR = "floor"
PEERS = ("PyJWT", "joserfc", "jwcrypto", "python-jose", "sd-jwt")
LIBRARIES = (JOSEKIT, FLOOR, *PEERS)


class CheckError(Exception):
    """A library did not interoperate with josekit, so timing it would compare nothing."""


# -- describing a benchmark -----------------------------------------------------------------


@dataclass(frozen=True)
class Codec:
    """One library's idiomatic way to produce and to consume a token, keys imported already.

    ``produce(message) -> token`` signs/encrypts/encodes; ``consume(token) -> message``
    verifies/decrypts/decodes (with validation) and returns the message in the same
    canonical form as the input (bytes, or a claims dict), so results compare with ``==``.
    """

    library: str
    produce: Callable[[Any], str]
    consume: Callable[[str], Any]


@dataclass(frozen=True)
class Target:
    """What josekit promises for one benchmark."""

    beat_peers: bool = False
    max_floor_ratio: float | None = None

    def describe(self) -> str:
        """A short text such as ``faster than every peer, <= 1.5x floor``."""
        parts = []
        if self.beat_peers:
            parts.append("faster than every peer")
        if self.max_floor_ratio is not None:
            parts.append(f"<= {self.max_floor_ratio:g}x floor")
        return ", ".join(parts) or "-"


@dataclass(frozen=True)
class Prepared:
    """What a benchmark times: callables by library, and notes for libraries left out."""

    timed: Mapping[str, Callable[[], object]]
    notes: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Benchmark:
    """A named operation, compared across libraries. ``build`` runs the checks first."""

    id: str
    build: Callable[[], Prepared]
    target: Target = Target()
    description: str = ""


# -- interoperability checks ----------------------------------------------------------------


def tamper(token: str) -> str:
    """Change one character in the middle of the last part (signature or tag) of a token."""
    head, _, last = token.rpartition(".")
    if not last:
        raise CheckError("cannot tamper with a token whose last part is empty")
    i = len(last) // 2
    replacement = "A" if last[i] != "A" else "B"
    return f"{head}.{last[:i]}{replacement}{last[i + 1 :]}"


def _describe(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}: {text}"[:120]


def _expect_equal(what: str, got: object, expected: object) -> None:
    if got != expected:
        raise CheckError(f"{what} returned {got!r:.80}, expected {expected!r:.80}")


def _expect_rejected(what: str, consume: Callable[[str], Any], token: str) -> None:
    try:
        consume(token)
    except Exception:
        return
    raise CheckError(f"{what} accepted a token it must reject: {token[:60]}...")


def _check_codec(
    codec: Codec,
    reference: Codec,
    message: object,
    reference_token: str,
    must_reject: Sequence[str],
) -> None:
    """Both directions: ``codec`` reads josekit's token, josekit reads ``codec``'s token."""
    name = codec.library
    _expect_equal(f"{name} consuming josekit's token", codec.consume(reference_token), message)
    for bad in must_reject:
        _expect_rejected(name, codec.consume, bad)
    own = codec.produce(message)
    _expect_equal(f"josekit consuming {name}'s token", reference.consume(own), message)
    _expect_equal(f"{name} consuming its own token", codec.consume(own), message)


def _checked(
    codecs: Iterable[Codec],
    message: object,
    must_reject: Callable[[str], Sequence[str]] | None,
) -> tuple[Codec, str, list[Codec], dict[str, str]]:
    by_name = {c.library: c for c in codecs}
    if JOSEKIT not in by_name:
        raise CheckError("every benchmark needs a josekit codec")
    reference = by_name[JOSEKIT]
    token = reference.produce(message)
    rejects = [tamper(token), *(must_reject(token) if must_reject else ())]
    kept: list[Codec] = []
    notes: dict[str, str] = {}
    for codec in by_name.values():
        try:
            _check_codec(codec, reference, message, token, rejects)
        except Exception as exc:
            if codec.library in (JOSEKIT, FLOOR):
                raise CheckError(f"{codec.library}: {_describe(exc)}") from exc
            notes[codec.library] = f"check failed ({_describe(exc)})"
            continue
        kept.append(codec)
    return reference, token, kept, notes


def consume_case(
    codecs: Iterable[Codec],
    message: object,
    *,
    variants: Sequence[object] = (),
    unsupported: Mapping[str, str] | None = None,
    must_reject: Callable[[str], Sequence[str]] | None = None,
) -> Prepared:
    """Time consuming (verify/decrypt/decode) josekit-produced tokens in every library.

    With ``variants`` (more messages like ``message``), josekit produces one token per
    message and every library consumes them in turn, each call a different token, so that
    no library can gain from having seen the very same token before; every library must
    return each token's own message. ``must_reject(token)`` returns further tokens (beyond
    the tampered one) that every library must refuse, e.g. an expired JWT: this proves each
    is configured to validate.
    """
    reference, token, kept, notes = _checked(codecs, message, must_reject)
    pool = [(token, message)]
    pool += [(reference.produce(m), m) for m in variants]
    for codec in list(kept):
        try:
            for other, expected in pool[1:]:
                _expect_equal(
                    f"{codec.library} consuming a josekit token", codec.consume(other), expected
                )
        except Exception as exc:
            if codec.library in (JOSEKIT, FLOOR):
                raise CheckError(f"{codec.library}: {_describe(exc)}") from exc
            notes[codec.library] = f"check failed ({_describe(exc)})"
            kept.remove(codec)
    tokens = [t for t, _ in pool]

    def bind(consume: Callable[[str], Any]) -> Callable[[], object]:
        if len(tokens) == 1:
            return lambda: consume(token)
        next_token = itertools.cycle(tokens).__next__
        return lambda: consume(next_token())

    timed = {c.library: bind(c.consume) for c in kept}
    return Prepared(timed, {**(unsupported or {}), **notes})


def produce_case(
    codecs: Iterable[Codec],
    message: object,
    *,
    unsupported: Mapping[str, str] | None = None,
    must_reject: Callable[[str], Sequence[str]] | None = None,
) -> Prepared:
    """Time producing (sign/encrypt/encode) ``message`` in every library."""
    _, _, kept, notes = _checked(codecs, message, must_reject)

    def bind(produce: Callable[[Any], str]) -> Callable[[], object]:
        return lambda: produce(message)

    timed = {c.library: bind(c.produce) for c in kept}
    return Prepared(timed, {**(unsupported or {}), **notes})


def roundtrip_case(
    codecs: Iterable[Codec],
    message: object,
    *,
    unsupported: Mapping[str, str] | None = None,
    must_reject: Callable[[str], Sequence[str]] | None = None,
) -> Prepared:
    """Time producing and then consuming ``message`` in every library."""
    _, _, kept, notes = _checked(codecs, message, must_reject)

    def bind(codec: Codec) -> Callable[[], object]:
        produce, consume = codec.produce, codec.consume
        return lambda: consume(produce(message))

    timed = {c.library: bind(c) for c in kept}
    return Prepared(timed, {**(unsupported or {}), **notes})


# -- timing ---------------------------------------------------------------------------------


CLOCKS: Mapping[str, Callable[[], int]] = {
    "wall": time.perf_counter_ns,
    "cpu": time.thread_time_ns,
}
"""``wall`` (the default) is elapsed time; ``cpu`` is this thread's CPU time, which leaves out
the time the process waits while other processes use the CPU.

With the wall clock, a sample during which the process lost the CPU for more than 2% of the
sample (elapsed time minus this thread's CPU time) is left out of the statistics: on a machine
shared with other work, such samples measure the other work. If fewer than a fifth of the
samples (or 5) are left, the least disturbed fifth is kept. ``Stats.discarded`` counts the
samples left out."""


@dataclass(frozen=True)
class Settings:
    """How long to sample: ``rounds`` samples of about ``sample_seconds`` each, per library."""

    rounds: int
    sample_seconds: float
    warmup_seconds: float
    clock: str = "wall"

    @classmethod
    def full(cls, clock: str = "wall") -> Settings:
        """The default: 151 samples of ~2 ms, about 0.3 s per library and benchmark."""
        return cls(rounds=151, sample_seconds=0.002, warmup_seconds=0.03, clock=clock)

    @classmethod
    def quick(cls, clock: str = "wall") -> Settings:
        """A fast sanity run: 31 samples of ~1 ms (noisier)."""
        return cls(rounds=31, sample_seconds=0.001, warmup_seconds=0.005, clock=clock)


def _loop(fn: Callable[[], object], n: int, clock: Callable[[], int]) -> tuple[int, float]:
    """Nanoseconds for ``n`` calls of ``fn`` (garbage collector paused), and the fraction of
    that time during which the process did not have the CPU (wall clock only; else 0)."""
    cpu_clock = time.thread_time_ns
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        cpu_start = cpu_clock()
        start = clock()
        for _ in itertools.repeat(None, n):
            fn()
        elapsed = clock() - start
        cpu = cpu_clock() - cpu_start
    finally:
        if gc_was_enabled:
            gc.enable()
    if clock is cpu_clock:
        return elapsed, 0.0
    return elapsed, max(0, elapsed - cpu - 10_000) / max(elapsed, 1)


def _calibrate(fn: Callable[[], object], target_ns: float, clock: Callable[[], int]) -> int:
    """The number of calls that takes about ``target_ns`` (at least one).

    The per-call time is the best of three loops, so that one slow first call or one
    interruption does not shrink every later sample to a handful of calls."""
    n = 1
    while True:
        elapsed, _ = _loop(fn, n, clock)
        if elapsed >= target_ns / 8 or n >= 1 << 22:
            break
        n *= 8
    best = min(elapsed, *(_loop(fn, n, clock)[0] for _ in range(2)))
    return max(1, round(n * target_ns / max(best, 1)))


@dataclass(frozen=True)
class Stats:
    """Per-operation times of one library in one benchmark, in microseconds."""

    median_us: float
    min_us: float
    q1_us: float
    q3_us: float
    calls_per_sample: int
    samples: int
    discarded: int
    rounds: tuple[tuple[float, float], ...] = field(default=(), repr=False)
    """Every sample in round order: (microseconds per call, fraction of time without CPU)."""


def _slower_share(mine: Stats, theirs: Stats) -> float | None:
    """In how many rounds (a fraction) josekit's sample was slower than the other library's.

    Samples of one round were taken moments apart, so comparing them pairwise cancels slow
    changes in machine speed. Rounds where either sample lost the CPU are left out, unless
    that leaves fewer than five."""
    pairs = [
        (a, b)
        for (a, lost_a), (b, lost_b) in zip(mine.rounds, theirs.rounds, strict=False)
        if lost_a <= 0.02 and lost_b <= 0.02
    ]
    if len(pairs) < 5:
        pairs = [(a, b) for (a, _), (b, _) in zip(mine.rounds, theirs.rounds, strict=False)]
    if not pairs:
        return None
    return sum(a > b for a, b in pairs) / len(pairs)


def _stats(samples: Sequence[tuple[float, float]], calls: int) -> Stats:
    kept = [us for us, lost in samples if lost <= 0.02]
    enough = max(5, len(samples) // 5)
    if len(kept) < enough:
        kept = [us for us, _ in sorted(samples, key=lambda sample: sample[1])[:enough]]
    q1, _, q3 = statistics.quantiles(kept, n=4) if len(kept) > 1 else (kept[0],) * 3
    return Stats(
        median_us=statistics.median(kept),
        min_us=min(kept),
        q1_us=q1,
        q3_us=q3,
        calls_per_sample=calls,
        samples=len(kept),
        discarded=len(samples) - len(kept),
        rounds=tuple(samples),
    )


def measure(timed: Mapping[str, Callable[[], object]], settings: Settings) -> dict[str, Stats]:
    """Sample every callable ``settings.rounds`` times, interleaved; return their statistics."""
    gc.collect()
    clock = CLOCKS[settings.clock]
    target_ns = settings.sample_seconds * 1e9
    calls = {name: _calibrate(fn, target_ns, clock) for name, fn in timed.items()}
    for name, fn in timed.items():
        warmup = round(calls[name] * settings.warmup_seconds / settings.sample_seconds)
        _loop(fn, max(1, warmup), clock)
    names = list(timed)
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in names}
    for r in range(settings.rounds):
        shift = r % len(names)
        for name in names[shift:] + names[:shift]:
            elapsed, lost = _loop(timed[name], calls[name], clock)
            samples[name].append((elapsed / calls[name] / 1000, lost))
    return {name: _stats(values, calls[name]) for name, values in samples.items()}


# -- results --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    """One benchmark's measurements, notes and verdict against its target."""

    benchmark: Benchmark
    stats: Mapping[str, Stats]
    notes: Mapping[str, str]
    error: str | None = None

    def ratio(self, library: str) -> float | None:
        """josekit's median divided by ``library``'s (below 1: josekit is faster)."""
        mine, theirs = self.stats.get(JOSEKIT), self.stats.get(library)
        if mine is None or theirs is None or library == JOSEKIT:
            return None
        return mine.median_us / theirs.median_us

    def _peer_comparisons(self) -> list[tuple[str, str]]:
        """("miss" or "tie", text) for each peer josekit does not clearly beat.

        Clearly beaten: faster in at least 3 of 4 interleaved rounds. Clearly slower: slower
        in at least 3 of 4 (a miss). Anything between is a tie: the difference is within the
        noise of this run. Without round data, the ratio of medians decides."""
        out = []
        mine = self.stats[JOSEKIT]
        for peer in PEERS:
            r, theirs = self.ratio(peer), self.stats.get(peer)
            if r is None or theirs is None:
                continue
            share = _slower_share(mine, theirs)
            if share is None:
                if r >= 1:
                    out.append(("miss", f"slower than {peer} ({r:.2f}x)"))
            elif share >= 0.75:
                out.append(("miss", f"slower than {peer} ({r:.2f}x, in {share:.0%} of rounds)"))
            elif share > 0.25:
                out.append(
                    ("tie", f"level with {peer} ({r:.2f}x, slower in {share:.0%} of rounds)")
                )
        return out

    def ties(self) -> list[str]:
        """Peers josekit is neither clearly faster nor clearly slower than."""
        if self.error is not None or JOSEKIT not in self.stats:
            return []
        if not self.benchmark.target.beat_peers:
            return []
        return [text for kind, text in self._peer_comparisons() if kind == "tie"]

    def misses(self) -> list[str]:
        """Each way in which josekit misses its target (empty: met, or nothing to meet)."""
        if self.error is not None or JOSEKIT not in self.stats:
            return ["not measured"]
        target = self.benchmark.target
        out = []
        if target.beat_peers:
            out += [text for kind, text in self._peer_comparisons() if kind == "miss"]
        if target.max_floor_ratio is not None:
            r = self.ratio(FLOOR)
            if r is None:
                out.append("no floor measured")
            elif r > target.max_floor_ratio:
                out.append(f"{r:.2f}x floor, target <= {target.max_floor_ratio:g}x")
        return out

    def verdict(self) -> str:
        """``ok``, ``MISS``, ``tie`` (level with a peer, within noise), ``-`` (no target) or
        ``ERROR``."""
        if self.error is not None:
            return "ERROR"
        target = self.benchmark.target
        if not target.beat_peers and target.max_floor_ratio is None:
            return "-"
        if self.misses():
            return "MISS"
        return "tie" if self.ties() else "ok"


def _fmt_us(value: float) -> str:
    if value < 10:
        return f"{value:.2f}"
    if value < 1000:
        return f"{value:.1f}"
    return f"{value:.0f}"


def _cell(result: Result, library: str) -> str:
    if result.error is not None and library == JOSEKIT:
        return "error"
    stats = result.stats.get(library)
    if stats is None:
        note = result.notes.get(library, "")
        return "fail" if note.startswith("check failed") else ("n/a" if note else "-")
    if library == JOSEKIT:
        return _fmt_us(stats.median_us)
    ratio = result.ratio(library)
    return (
        f"{_fmt_us(stats.median_us)} ({ratio:.2f})"
        if ratio is not None
        else _fmt_us(stats.median_us)
    )


def render_table(results: Sequence[Result], header: str = "") -> str:
    """The results as a fixed-width text table, followed by target misses and notes."""
    columns = ["benchmark", *LIBRARIES, "target"]
    rows = [[r.benchmark.id, *(_cell(r, lib) for lib in LIBRARIES), r.verdict()] for r in results]
    widths = [max(len(row[i]) for row in [columns, *rows]) for i in range(len(columns))]

    def line(cells: Sequence[str]) -> str:
        first = cells[0].ljust(widths[0])
        rest = (c.rjust(w) for c, w in zip(cells[1:], widths[1:], strict=True))
        return "  ".join([first, *rest]).rstrip()

    out = []
    if header:
        out.append(header)
    out.append(
        "median microseconds per operation; (x.xx) = josekit time / that library's time, "
        "below 1.00 means josekit is faster; target 'tie': level with a peer within this run's "
        "noise (neither faster nor slower in 3 of 4 interleaved rounds)"
    )
    out.append(line(columns))
    out.append(line(["-" * w for w in widths]))
    out.extend(line(row) for row in rows)
    details = []
    unsupported: dict[str, set[str]] = {}
    for r in results:
        if r.error is not None:
            details.append(f"{r.benchmark.id}: ERROR {r.error}")
            continue
        if r.verdict() == "MISS":
            details.append(
                f"{r.benchmark.id}: MISS ({r.benchmark.target.describe()}): "
                + "; ".join(r.misses() + r.ties())
            )
        elif r.verdict() == "tie":
            details.append(f"{r.benchmark.id}: tie: " + "; ".join(r.ties()))
        for lib, note in r.notes.items():
            if note.startswith("n/a: "):
                unsupported.setdefault(note[5:], set()).add(lib)
            else:
                details.append(f"{r.benchmark.id}: {lib}: {note}")
    if unsupported:
        texts = [
            reason if any(lib in reason for lib in libs) else f"{', '.join(sorted(libs))}: {reason}"
            for reason, libs in unsupported.items()
        ]
        details.append("n/a: " + "; ".join(sorted(texts)))
    if details:
        out.append("")
        out.extend(details)
    return "\n".join(out)


def environment() -> dict[str, str]:
    """Versions of Python, cryptography and every library compared."""
    from importlib import metadata

    info = {
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
        "machine": platform.machine(),
        "system": platform.system(),
    }
    for dist in ("josekit", "cryptography", "PyJWT", "joserfc", "jwcrypto", "python-jose"):
        try:
            info[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            info[dist] = "not installed"
    return info


def render_json(results: Sequence[Result], settings: Settings, env: Mapping[str, str]) -> str:
    """The results as JSON: environment, settings, and per benchmark every library's stats."""
    out: dict[str, Any] = {
        "environment": dict(env),
        "settings": {
            "rounds": settings.rounds,
            "sample_seconds": settings.sample_seconds,
            "warmup_seconds": settings.warmup_seconds,
            "clock": settings.clock,
        },
        "results": [],
    }
    for r in results:
        libraries: dict[str, Any] = {}
        for lib in LIBRARIES:
            stats = r.stats.get(lib)
            if stats is not None:
                libraries[lib] = {
                    "median_us": round(stats.median_us, 4),
                    "min_us": round(stats.min_us, 4),
                    "q1_us": round(stats.q1_us, 4),
                    "q3_us": round(stats.q3_us, 4),
                    "calls_per_sample": stats.calls_per_sample,
                    "samples": stats.samples,
                    "discarded_samples": stats.discarded,
                    "josekit_ratio": (
                        round(ratio, 4) if (ratio := r.ratio(lib)) is not None else None
                    ),
                }
            elif lib in r.notes:
                libraries[lib] = {"skipped": r.notes[lib]}
        target = r.benchmark.target
        out["results"].append(
            {
                "id": r.benchmark.id,
                "description": r.benchmark.description,
                "target": {
                    "beat_peers": target.beat_peers,
                    "max_floor_ratio": target.max_floor_ratio,
                },
                "verdict": r.verdict(),
                "misses": r.misses() if r.verdict() == "MISS" else [],
                "ties": r.ties(),
                "error": r.error,
                "libraries": libraries,
            }
        )
    return json.dumps(out, indent=2)
