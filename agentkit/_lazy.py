"""Names a package exports without importing their modules until first use."""

from __future__ import annotations

import importlib
from collections.abc import Mapping, MutableMapping
from typing import Any

__all__ = ["lazy_attribute"]


def lazy_attribute(
    namespace: MutableMapping[str, Any], package: str, table: Mapping[str, str], name: str
) -> Any:
    """The package's `name`, imported from its module in `table` and kept in `namespace`.

    For a package's module-level `__getattr__`: the module is imported on the first access
    only; later accesses find the name in the package's globals.

    Raises:
        AttributeError: `name` is not in `table`.
    """
    module = table.get(name)
    if module is None:
        raise AttributeError(f"module {package!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, package), name)
    namespace[name] = value
    return value
