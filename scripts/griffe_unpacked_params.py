"""A griffe extension: `**params: Unpack[SomeTypedDict]` documented as one parameter per key.

mkdocstrings would otherwise render `client.messages.create(**params: Unpack[...])`, hiding
the parameters. For each function (or overloaded function) whose keyword arguments are an
unpacked `TypedDict`, this replaces the `**params` parameter by a keyword-only parameter per
key (its annotation, `Required[...]` unwrapped; optional keys default to `NOT_GIVEN`) and adds an
`Args:` section with each key's description: the first line of the attribute docstring the
`TypedDict` gives that key. The keys and their descriptions live only in the `TypedDict`s
(`agentkit/types/request_params.py`); `tests/test_api_reference.py` checks the result.

Configured in `mkdocs.yml` (`extensions:` of the python handler).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import griffe

UNPACK = frozenset({"typing.Unpack", "typing_extensions.Unpack"})
REQUIRED = frozenset({"typing.Required", "typing_extensions.Required"})


def canonical(expr: str | griffe.Expr) -> str:
    """The full path an annotation's name refers to (`Unpack` -> `typing_extensions.Unpack`)."""
    if isinstance(expr, griffe.ExprName | griffe.ExprAttribute):
        return expr.canonical_path
    return str(expr)


@dataclass
class Key:
    """One `TypedDict` key as a parameter."""

    name: str
    annotation: str | griffe.Expr | None
    required: bool
    description: str
    per_call: bool  # declared by the root TypedDict (the per-call request options): listed last


def unpacked_typeddict(func: griffe.Function, modules: tuple[str, ...]) -> griffe.Class | None:
    """The `TypedDict` class of `func`'s `**kwargs: Unpack[TD]`, if defined in `modules`."""
    for param in func.parameters:
        ann = param.annotation
        if param.kind is not griffe.ParameterKind.var_keyword:
            continue
        if isinstance(ann, griffe.ExprSubscript) and canonical(ann.left) in UNPACK:
            target = ann.slice
            if isinstance(target, griffe.ExprName):
                resolved = func.modules_collection.get_member(target.canonical_path)
                if isinstance(resolved, griffe.Class) and resolved.module.path in modules:
                    return resolved
    return None


def typeddict_keys(td: griffe.Class) -> list[Key]:
    """The keys of `td` (inherited ones included), each with its annotation and description."""
    root = td  # the first-base chain's last class in the package (`TypedDict` is not in it)
    while bases := [b for b in root.resolved_bases if isinstance(b, griffe.Class)]:
        root = bases[0]
    keys = []
    for name, member in td.all_members.items():
        if not isinstance(member, griffe.Attribute | griffe.Alias) or not member.is_attribute:
            continue
        ann = member.annotation
        required = False
        if isinstance(ann, griffe.ExprSubscript) and canonical(ann.left) in REQUIRED:
            ann, required = ann.slice, True
        doc = member.docstring.value.strip().splitlines()[0] if member.docstring else ""
        keys.append(Key(name, ann, required, doc, per_call=name in root.members))
    return keys


def merged_keys(tds: list[griffe.Class]) -> list[Key]:
    """The keys of several `TypedDict`s (the overloads of one function), merged.

    A key is required only if every one requires it; differing annotations are joined with
    `|`, differing descriptions with a space.
    """
    merged: dict[str, Key] = {}
    for td in tds:
        for key in typeddict_keys(td):
            seen = merged.setdefault(key.name, key)
            if seen is key:
                continue
            if str(key.annotation) != str(seen.annotation):
                seen.annotation = f"{seen.annotation} | {key.annotation}"
            if key.description not in seen.description:
                seen.description = f"{seen.description} {key.description}"
            seen.required = seen.required and key.required
    for key in merged.values():
        if sum(key.name in {k.name for k in typeddict_keys(td)} for td in tds) < len(tds):
            key.required = False
    return list(merged.values())


def ordered(keys: list[Key]) -> list[Key]:
    """Required keys first, then the optional API parameters, then the per-call options."""
    return sorted(keys, key=lambda k: (not k.required, k.per_call))


EXPLICIT = {
    "output_format": (
        "The type of the answer (a pydantic model, dataclass, TypedDict, list[...], Literal, "
        "union or primitive); its schema is sent as output_config.format."
    ),
}
"""One-line descriptions of keyword parameters a method declares beside its `**kwargs`."""


def expand(func: griffe.Function, keys: list[Key]) -> None:
    """Replace `func`'s `**kwargs` by the keys, and document each in an `Args:` section."""
    kept = [p for p in func.parameters if p.kind is not griffe.ParameterKind.var_keyword]
    keys = [
        Key(p.name, p.annotation, False, EXPLICIT.get(p.name, p.name), per_call=False)
        for p in kept
        if p.kind is griffe.ParameterKind.keyword_only and p.name not in {k.name for k in keys}
    ] + keys
    kept = [p for p in kept if p.kind is not griffe.ParameterKind.keyword_only]
    params = [
        griffe.Parameter(
            key.name,
            annotation=key.annotation,
            kind=griffe.ParameterKind.keyword_only,  # type: ignore[arg-type]  # a str enum
            default=None if key.required else "NOT_GIVEN",
            docstring=griffe.Docstring(key.description),
        )
        for key in keys
    ]
    for param in params:
        param.function = func
    func.parameters = griffe.Parameters(*kept, *params)
    args = "Args:\n" + "".join(f"    {key.name}: {key.description}\n" for key in keys)
    if func.docstring is None:
        func.docstring = griffe.Docstring(args, parent=func)
        return
    text = func.docstring.value
    # the Args section goes before any other section (Raises:, Returns:, ...)
    for marker in ("\nRaises:", "\nReturns:", "\nYields:", "\nExamples:"):
        at = text.find(marker)
        if at != -1:
            text = text[:at] + "\n" + args + text[at:]
            break
    else:
        text = text.rstrip() + "\n\n" + args
    func.docstring.value = text
    vars(func.docstring).pop("parsed", None)  # parsed lazily (cached): parse the new text


class UnpackedParams(griffe.Extension):
    """Document `**kwargs: Unpack[TypedDict]` as the `TypedDict`'s keys.

    Only `TypedDict`s defined in the modules named by the `modules` option (in `mkdocs.yml`).
    """

    def __init__(self, modules: list[str]) -> None:
        super().__init__()
        self.modules = tuple(modules)

    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:
        """Expand every such function of the package, once it is loaded (bases resolvable)."""
        for func in functions(pkg):
            overloads = func.overloads or []
            tds = [td for o in overloads if (td := unpacked_typeddict(o, self.modules))]
            if tds and len(tds) == len(overloads):
                expand(func, ordered(merged_keys(tds)))
                for overload, td in zip(overloads, tds, strict=True):
                    expand(overload, ordered(typeddict_keys(td)))
            elif td := unpacked_typeddict(func, self.modules):
                expand(func, ordered(typeddict_keys(td)))


def functions(obj: griffe.Object) -> list[griffe.Function]:
    """Every function defined in `obj` and its modules and classes (aliases skipped)."""
    found: list[griffe.Function] = []
    for member in obj.members.values():
        if member.is_alias:
            continue
        if isinstance(member, griffe.Function):
            found.append(member)
        elif isinstance(member, griffe.Module | griffe.Class):
            found.extend(functions(member))
    return found
