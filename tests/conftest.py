from __future__ import annotations

from collections.abc import Iterator

import pytest

from agentkit.testing import RecordedSleeps, record_sleeps

# The plugin users get through its entry point; loaded here (it is disabled in addopts) so
# that coverage, started by then, sees the package imported.
pytest_plugins = ["agentkit.testing.pytest_plugin"]


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never see the developer's real credentials or settings."""
    for name in (
        "ANTHROPIC_API_KEY",
        "ANTHROPIC_AUTH_TOKEN",
        "ANTHROPIC_BASE_URL",
        "ANTHROPIC_LOG",
    ):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def waits() -> Iterator[RecordedSleeps]:
    """Retry waits, recorded instead of slept: `.request` (HTTP retries), `.stream` (re-sends)."""
    with record_sleeps() as recorded:
        yield recorded
