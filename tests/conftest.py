from __future__ import annotations

from collections.abc import Iterator

import pytest

from agentkit.testing import RecordedSleeps, record_sleeps

# The plugin users get through its entry point; loaded here (it is disabled in addopts) so
# that coverage, started by then, sees the package imported.
pytest_plugins = ["agentkit.testing.pytest_plugin"]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """`kind`: a test that takes it runs with the sync client ("sync") and the async one ("async",
    on asyncio).

    A test or module marked `@pytest.mark.kinds("sync", "asyncio", "trio")` runs with the kinds it
    lists instead (there the async kinds name the event loop to run the async client on). A test
    that parametrizes an argument named `kind` itself is left alone.
    """
    if "kind" in metafunc.fixturenames and not _parametrized(metafunc, "kind"):
        marker = metafunc.definition.get_closest_marker("kinds")
        metafunc.parametrize("kind", marker.args if marker else ("sync", "async"))


def _parametrized(metafunc: pytest.Metafunc, name: str) -> bool:
    """Whether a `parametrize` mark of the test gives the argument `name`."""
    for mark in metafunc.definition.iter_markers("parametrize"):
        names = mark.args[0] if mark.args else mark.kwargs["argnames"]
        if name in ([n.strip() for n in names.split(",")] if isinstance(names, str) else names):
            return True
    return False


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
