"""The API reference lists every parameter of `messages.create` / `stream` / `count_tokens`.

The reference is what mkdocstrings renders from griffe's view of the code, with the extension
in `scripts/griffe_unpacked_params.py` expanding `**params: Unpack[TypedDict]`. These tests load
the package the same way and compare the documented parameters with the runtime ones (the
`TypedDict` keys, via the signatures `agentkit._messages` gives the methods): a key added to a
`TypedDict` without a description, or one the docs would miss, fails here.
"""

from __future__ import annotations

import importlib.util
import inspect
import sys
from pathlib import Path
from typing import Any

import pytest

griffe = pytest.importorskip("griffe")

from agentkit import _messages  # noqa: E402
from agentkit.types import request_params  # noqa: E402

ROOT = Path(__file__).parent.parent
EXTENSION = ROOT / "scripts" / "griffe_unpacked_params.py"
METHODS = [
    (cls, method) for cls in ("Messages", "AsyncMessages") for method in _messages._SIGNATURES
]


def load_extension() -> Any:
    spec = importlib.util.spec_from_file_location("griffe_unpacked_params", EXTENSION)
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)  # its dataclass looks its module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def package() -> Any:
    extension = load_extension().UnpackedParams(modules=[request_params.__name__])
    return griffe.load(
        "agentkit",
        search_paths=[str(ROOT)],
        extensions=griffe.load_extensions(extension),
        docstring_parser="google",
    )


def documented(function: Any) -> dict[str, Any]:
    """The function's `Args:` entries, by name."""
    sections = [s for s in function.docstring.parsed if s.kind.value == "parameters"]
    assert len(sections) == 1, function.path
    return {param.name: param for param in sections[0].value}


@pytest.mark.parametrize(("cls", "method"), METHODS)
def test_each_parameter_is_in_the_signature_and_described(
    package: Any, cls: str, method: str
) -> None:
    function = package[f"_messages.{cls}.{method}"]
    runtime = _messages._SIGNATURES[method].parameters
    keys = [name for name in runtime if name != "self"]

    shown = {p.name: p for p in function.parameters if p.name != "self"}
    assert list(shown) == [k for k in list(shown) if k in keys]
    assert set(shown) == set(keys)
    for name in keys:
        required = runtime[name].default is inspect.Parameter.empty
        assert (shown[name].default is None) == required, name
        assert shown[name].annotation, name
        assert "Required[" not in str(shown[name].annotation), name

    args = documented(function)
    assert set(args) == set(keys)
    for name, arg in args.items():
        assert arg.description.strip(), f"{cls}.{method}: {name} has no description"
        assert "\n" not in arg.description, name
        assert arg.annotation is not None, name


def test_every_typeddict_key_is_documented(package: Any) -> None:
    tds = [
        request_params.RequestOptions,
        request_params.MessageCountTokensParams,
        request_params.MessageCreateParams,
        request_params.MessageCreateParamsNonStreaming,
        request_params.MessageCreateParamsStreaming,
    ]
    documented_keys = set(documented(package["_messages.Messages.create"]))
    for td in tds:
        assert set(td.__annotations__) <= documented_keys, td.__name__
        for key in td.__annotations__:
            attribute = package[f"types.request_params.{td.__name__}.{key}"]
            assert attribute.docstring, f"{td.__name__}.{key} needs a docstring (its description)"


def test_required_parameters_come_first_and_request_options_last(package: Any) -> None:
    names = [p.name for p in package["_messages.Messages.create"].parameters]
    assert names[:4] == ["self", "model", "messages", "max_tokens"]
    assert names[-4:] == list(request_params.RequestOptions.__annotations__)


def test_create_keeps_its_other_docstring_sections(package: Any) -> None:
    kinds = [s.kind.value for s in package["_messages.Messages.create"].docstring.parsed]
    assert kinds == ["text", "parameters", "raises"]
