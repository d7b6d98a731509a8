"""A pytest plugin (loaded automatically when agentkit is installed): the `cassette` fixture.

```python
def test_answer(cassette):
    client = cassette.client()       # records once (with a real key), then replays offline
    ...
```

Cassettes live in `cassettes/<test module>/<test name>.json` beside the test file. The mode
comes from `--agentkit-cassette=replay|record|auto` (default `auto`: replay when recorded).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import cast

import pytest

from ._cassette import Cassette, Mode


def pytest_addoption(parser: pytest.Parser) -> None:
    """Add `--agentkit-cassette`."""
    parser.addoption(
        "--agentkit-cassette",
        default="auto",
        choices=("replay", "record", "auto"),
        help="agentkit cassettes: replay (offline), record (real API), auto (default)",
    )


@pytest.fixture
def cassette(request: pytest.FixtureRequest) -> Iterator[Cassette]:
    """A record/replay transport for this test; `cassette.client()` gives a client."""
    mode = cast(Mode, request.config.getoption("--agentkit-cassette"))
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    path = request.path.parent / "cassettes" / request.path.stem / f"{name}.json"
    recorder = Cassette(path, mode)
    yield recorder
    recorder.close()  # saves a recording, closes the network connections it opened
