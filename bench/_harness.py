"""Measurement helpers shared by the benchmarks: alternate contenders, medians, CPU time."""

from __future__ import annotations

import gc
import statistics
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, field

_collect = True


def smoke_mode() -> None:
    """For `--quick` runs: no `gc.collect()` before each run.

    With the official SDK imported a full collection takes about 0.1 s, most of a smoke run's
    time, and a smoke run's figures are not read.
    """
    global _collect
    _collect = False


@dataclass
class Result:
    """Repeated measurements of one contender on one benchmark."""

    name: str
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    peak_bytes: int = 0
    units: float = 1.0  # work items per run (events, requests...), for rates

    @property
    def median(self) -> float:
        return statistics.median(self.wall)

    @property
    def cpu_median(self) -> float:
        return statistics.median(self.cpu)

    @property
    def rate(self) -> float:
        return self.units / self.median

    def as_dict(self) -> dict[str, float | str]:
        return {
            "name": self.name,
            "median_s": self.median,
            "min_s": min(self.wall),
            "max_s": max(self.wall),
            "cpu_median_s": self.cpu_median,
            "per_second": self.rate,
            "peak_mb": self.peak_bytes / 2**20,
            "runs": len(self.wall),
        }


def run_alternating(
    contenders: dict[str, Callable[[], object]],
    *,
    repeat: int = 5,
    warmup: int = 1,
    units: float = 1.0,
    memory: bool = True,
) -> dict[str, Result]:
    """Run each contender `repeat` times, round-robin, after `warmup` untimed rounds.

    Peak memory (tracemalloc, Python allocations) is taken in one extra run per contender so
    that tracing does not slow the timed runs.
    """
    results = {name: Result(name, units=units) for name in contenders}
    for _ in range(warmup):
        for fn in contenders.values():
            fn()
    for _ in range(repeat):
        for name, fn in contenders.items():
            if _collect:
                gc.collect()
            cpu0, wall0 = time.process_time(), time.perf_counter()
            fn()
            results[name].wall.append(time.perf_counter() - wall0)
            results[name].cpu.append(time.process_time() - cpu0)
    if memory:
        for name, fn in contenders.items():
            if _collect:
                gc.collect()
            tracemalloc.start()
            fn()
            results[name].peak_bytes = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
    return results


def run_repeated(
    contenders: dict[str, Callable[[], object]],
    *,
    runs: int,
    repeat: int,
    memory: bool = True,
) -> dict[str, Result]:
    """`run_alternating` with each measurement made of `runs` calls of the contender.

    For contenders too quick to time one call at a time; rates are per call (`units=runs`).
    """

    def repeated(run: Callable[[], object]) -> Callable[[], object]:
        def many() -> object:
            last: object = None
            for _ in range(runs):
                last = run()
            return last

        return many

    return run_alternating(
        {name: repeated(run) for name, run in contenders.items()},
        repeat=repeat,
        units=runs,
        memory=memory,
    )


def table(title: str, results: dict[str, Result], baselines: list[str], unit: str) -> str:
    """A plain-text table of medians, min-max, CPU, rate, memory and ratios to baselines."""
    lines = [f"## {title}", ""]
    header = (
        f"{'contender':34} {'median':>10} {'min-max':>19} {'cpu':>9} "
        f"{unit + '/s':>12} {'peak MB':>8}"
    )
    for base in baselines:
        header += f" {'x ' + base[:10]:>13}"
    lines.append(header)
    for r in results.values():
        row = (
            f"{r.name:34} {r.median * 1000:8.1f}ms "
            f"{min(r.wall) * 1000:8.1f}-{max(r.wall) * 1000:<8.1f}ms "
            f"{r.cpu_median * 1000:7.1f}ms {r.rate:12,.0f} {r.peak_bytes / 2**20:8.1f}"
        )
        for base in baselines:
            b = results.get(base)
            row += f" {b.median / r.median:12.2f}x" if b else f" {'n/a':>13}"
        lines.append(row)
    lines.append("")
    lines.append("(x baseline = baseline median / this median: above 1 means faster)")
    return "\n".join(lines)
