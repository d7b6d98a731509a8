"""`save_map_html`: the summary page of an `agent.map`, from its results in memory.

`agentkit view results.jsonl` draws the same page from a results file.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from typing import Any

from .._core.mapping import MapSummary, result_line
from ._map import MapResult, _error_record, _output_of
from ._result import RunResult

__all__ = ["map_record", "save_map_html"]


def map_record(result: MapResult[Any]) -> dict[str, Any]:
    """One finished input as the results file records it (a dict, `seconds` included)."""
    error = result.error
    run = result.result if error is None else getattr(error, "run_state", None)
    run = run if isinstance(run, RunResult) else None
    ok = error is None and run is not None
    line = result_line(
        index=result.index,
        item_id=result.id,
        output=_output_of(run) if ok and run is not None else None,
        text=run.text if ok and run is not None else None,
        stop_reason=run.stop_reason if ok and run is not None else None,
        usage=run.usage.to_dict() if run is not None else None,
        error=_error_record(error) if error is not None else None,
        seconds=run.seconds if run is not None else None,
    )
    record: dict[str, Any] = json.loads(line)
    return record


def save_map_html(
    path: str | os.PathLike[str],
    results: Iterable[MapResult[Any]],
    summary: MapSummary | None = None,
    *,
    title: str | None = None,
) -> None:
    """Write the summary page of an `agent.map`: one self-contained HTML file (no network).

    It shows the outcomes (stop reasons and error types), a histogram of the runs' times,
    the tokens summed (cache reads and writes included) and every failure with its error.

    Args:
        path: The file to write (UTF-8).
        results: The map's `MapResult`s (e.g. the list `agent.map_all(...)` returns).
        summary: The map's `MapSummary`, for its skipped inputs, wall time and rate limiting.
        title: The page's title (default: "Map results").
    """
    from .._timeline import render_map

    records = [map_record(r) for r in results]
    page = render_map(
        records, summary.to_dict() if summary is not None else None, title=title or "Map results"
    )
    with open(path, "w", encoding="utf-8") as file:
        file.write(page)
