"""The benchmark harness: interoperability checks, sample selection, filters and output.

Nothing here measures or asserts on time: the statistics are fed made-up samples.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

import _harness as h  # noqa: E402
import run  # noqa: E402


def _codec(library: str, *, accept_anything: bool = False, broken: bool = False) -> h.Codec:
    """A toy 'token' format: message.MAC, where MAC is the reversed message."""

    def produce(message: str) -> str:
        return f"{message}.{message[::-1]}"

    def consume(token: str) -> str:
        message, _, mac = token.rpartition(".")
        if broken:
            return message.upper()
        if not accept_anything and mac != message[::-1]:
            raise ValueError("bad MAC")
        return message

    return h.Codec(library, produce, consume)


def test_tamper_changes_only_the_last_part() -> None:
    token = "aaa.bbb.cccccc"
    bad = h.tamper(token)
    assert bad != token
    assert bad.rsplit(".", 1)[0] == "aaa.bbb"
    assert len(bad) == len(token)
    assert h.tamper("x.AAAA") == "x.AABA"


def test_tamper_needs_a_last_part() -> None:
    with pytest.raises(h.CheckError):
        h.tamper("a.b.")


def test_consume_case_times_every_library_that_interoperates() -> None:
    prepared = h.consume_case(
        [_codec("josekit"), _codec("floor"), _codec("PyJWT")],
        "hello",
        unsupported={"jwcrypto": "n/a: no such thing"},
    )
    assert sorted(prepared.timed) == ["PyJWT", "floor", "josekit"]
    assert all(fn() == "hello" for fn in prepared.timed.values())
    assert prepared.notes == {"jwcrypto": "n/a: no such thing"}


def test_a_peer_that_accepts_a_tampered_token_is_left_out() -> None:
    prepared = h.consume_case(
        [_codec("josekit"), _codec("floor"), _codec("joserfc", accept_anything=True)], "hello"
    )
    assert "joserfc" not in prepared.timed
    assert prepared.notes["joserfc"].startswith("check failed")


def test_a_peer_that_returns_something_else_is_left_out() -> None:
    prepared = h.produce_case(
        [_codec("josekit"), _codec("floor"), _codec("PyJWT", broken=True)], "hi"
    )
    assert sorted(prepared.timed) == ["floor", "josekit"]
    assert "PyJWT" in prepared.notes


def test_variants_are_consumed_in_turn_and_checked() -> None:
    seen: list[str] = []
    recording = _codec("PyJWT")

    def consume(token: str) -> str:
        seen.append(token)
        return str(recording.consume(token))

    sticky = _codec("joserfc")
    first: list[str] = []

    def consume_first(token: str) -> str:  # answers the first message it ever saw
        first.append(str(sticky.consume(token)))
        return first[0]

    prepared = h.consume_case(
        [
            _codec("josekit"),
            _codec("floor"),
            h.Codec("PyJWT", recording.produce, consume),
            h.Codec("joserfc", sticky.produce, consume_first),
        ],
        "m0",
        variants=["m1", "m2"],
    )
    assert "joserfc" not in prepared.timed
    assert prepared.notes["joserfc"].startswith("check failed")
    seen.clear()
    for _ in range(4):
        prepared.timed["PyJWT"]()
    assert seen == ["m0.0m", "m1.1m", "m2.2m", "m0.0m"]


def test_must_reject_tokens_are_checked_for_every_library() -> None:
    def rejects(token: str) -> list[str]:
        return ["forged.nope"]

    prepared = h.roundtrip_case(
        [_codec("josekit"), _codec("floor"), _codec("jwcrypto", accept_anything=True)],
        "hello",
        must_reject=rejects,
    )
    assert sorted(prepared.timed) == ["floor", "josekit"]
    assert all(fn() == "hello" for fn in prepared.timed.values())


def test_josekit_or_floor_failing_a_check_fails_the_benchmark() -> None:
    with pytest.raises(h.CheckError, match="floor"):
        h.consume_case([_codec("josekit"), _codec("floor", broken=True)], "hello")
    with pytest.raises(h.CheckError, match="josekit"):
        h.consume_case([_codec("floor")], "hello")


def test_samples_that_lost_the_cpu_are_left_out() -> None:
    samples = [(10.0, 0.0)] * 10 + [(50.0, 0.5)] * 5
    stats = h._stats(samples, calls=100)
    assert stats.median_us == 10.0
    assert stats.discarded == 5
    assert stats.samples == 10


def test_the_least_disturbed_samples_are_kept_when_few_are_clean() -> None:
    samples = [(float(i), i / 100) for i in range(100, 0, -1)]  # every one lost some CPU
    stats = h._stats(samples, calls=1)
    assert stats.samples == 20
    assert stats.min_us == 1.0
    assert stats.median_us == pytest.approx(10.5)


def _result(target: h.Target, medians: dict[str, float], **notes: str) -> h.Result:
    stats = {
        lib: h.Stats(m, m, m, m, calls_per_sample=10, samples=5, discarded=0)
        for lib, m in medians.items()
    }
    return h.Result(h.Benchmark("jws.verify.HS256", lambda: h.Prepared({}), target), stats, notes)


def test_verdicts_and_ratios() -> None:
    fast = _result(h.Target(beat_peers=True), {"josekit": 5.0, "floor": 4.0, "PyJWT": 10.0})
    assert fast.ratio("PyJWT") == 0.5
    assert fast.ratio("josekit") is None
    assert fast.verdict() == "ok"
    slow = _result(
        h.Target(beat_peers=True, max_floor_ratio=1.2),
        {"josekit": 5.0, "floor": 4.0, "python-jose": 4.5},
    )
    assert slow.verdict() == "MISS"
    assert slow.misses() == ["slower than python-jose (1.11x)", "1.25x floor, target <= 1.2x"]
    assert _result(h.Target(), {"josekit": 1.0}).verdict() == "-"


def _paired(target: h.Target, mine: list[float], theirs: list[float]) -> h.Result:
    def stats(values: list[float]) -> h.Stats:
        return h._stats([(v, 0.0) for v in values], calls=10)

    stats_by_lib = {"josekit": stats(mine), "python-jose": stats(theirs)}
    return h.Result(h.Benchmark("x", lambda: h.Prepared({}), target), stats_by_lib, {})


def test_peers_are_compared_round_by_round() -> None:
    target = h.Target(beat_peers=True)
    # Slower in every round: a miss.
    slower = _paired(target, [10.0 + i for i in range(8)], [9.0 + i for i in range(8)])
    assert slower.verdict() == "MISS"
    assert slower.misses() == ["slower than python-jose (1.08x, in 100% of rounds)"]
    # Slower in half the rounds, though the median is higher: a tie, not a miss.
    level = _paired(target, [5.0, 7.0, 5.0, 7.0, 5.0, 7.0], [6.0, 6.0, 6.0, 6.0, 6.0, 6.0])
    assert level.verdict() == "tie"
    assert level.misses() == []
    assert level.ties() == ["level with python-jose (1.00x, slower in 50% of rounds)"]
    # Faster in every round.
    faster = _paired(target, [1.0] * 6, [2.0] * 6)
    assert faster.verdict() == "ok"
    assert faster.ties() == []


def test_table_and_json_output() -> None:
    results = [
        _result(
            h.Target(beat_peers=True),
            {"josekit": 5.0, "floor": 4.0, "PyJWT": 10.0},
            **{"python-jose": "n/a: python-jose has no EdDSA", "joserfc": "check failed (x)"},
        ),
        h.Result(h.Benchmark("jwe.decrypt.x", lambda: h.Prepared({})), {}, {}, error="boom"),
    ]
    table = h.render_table(results, "header line")
    lines = table.splitlines()
    assert lines[0] == "header line"
    row = next(line for line in lines if line.startswith("jws.verify.HS256"))
    assert row.split()[1:4] == ["5.00", "4.00", "(1.25)"]
    assert "fail" in row
    assert "n/a" in row
    assert row.endswith("ok")
    assert "jwe.decrypt.x: ERROR boom" in table
    assert "n/a: python-jose has no EdDSA" in table

    data = json.loads(h.render_json(results, h.Settings.quick(), {"python": "3"}))
    first = data["results"][0]
    assert first["verdict"] == "ok"
    assert first["libraries"]["PyJWT"]["josekit_ratio"] == 0.5
    assert first["libraries"]["python-jose"] == {"skipped": "n/a: python-jose has no EdDSA"}
    assert data["results"][1]["verdict"] == "ERROR"
    assert data["settings"]["clock"] == "wall"


def test_filters_are_substrings_or_globs() -> None:
    found = [
        h.Benchmark(i, lambda: h.Prepared({})) for i in ("jws.verify.HS256", "jwt.decode.ES256")
    ]
    assert [b.id for b in run.selected(found, ["verify"])] == ["jws.verify.HS256"]
    assert [b.id for b in run.selected(found, ["JWT.*.es256"])] == ["jwt.decode.ES256"]
    assert [b.id for b in run.selected(found, [])] == [b.id for b in found]
    assert run.selected(found, ["nothing"]) == []


def test_measure_returns_statistics_for_every_callable() -> None:
    calls: dict[str, int] = {"a": 0, "b": 0}

    def counter(name: str) -> Any:
        def fn() -> None:
            calls[name] += 1

        return fn

    settings = h.Settings(rounds=3, sample_seconds=0.0002, warmup_seconds=0.0001)
    stats = h.measure({"a": counter("a"), "b": counter("b")}, settings)
    assert set(stats) == {"a", "b"}
    assert all(s.samples + s.discarded == 3 for s in stats.values())
    assert calls["a"] > 3
    assert calls["b"] > 3
