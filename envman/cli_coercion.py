"""Plain coercion of envman's plain parameters, without pydantic.

typer (0.29) turns every given command-line value into its annotated type through a pydantic
``TypeAdapter`` built on first use: importing pydantic and building one adapter per parameter
costs ~0.13 s of every run (bench/results.md), for values that are strings, lists of strings,
integers, flags, paths and choices. ``speed_up(param)`` gives such a parameter a coercion that does the same
for the common case (a string, a canonical integer, a flag, a readable or missing path, a choice's exact value) and hands
anything else to typer's own adapter, so errors keep typer's wording.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

from typer import _click as click
from typer._coercion import RuntimeParam, build_runtime_param
from typer.core import _TyperParameter

_INTEGER = re.compile(r"[+-]?[0-9]{1,18}")
_PLAIN_PATH = {
    "exists": False,
    "file_okay": True,
    "dir_okay": True,
    "writable": False,
    "readable": True,
    "resolve_path": False,
    "allow_dash": False,
    "path_type": None,
}


def _plain_str(value: Any) -> Any:
    return value if isinstance(value, str) else None


def _plain_int(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and _INTEGER.fullmatch(value):
        return int(value)
    return None


def _plain_path(value: Any) -> Any:
    if isinstance(value, Path):
        return value
    if not isinstance(value, str) or not value:
        return None
    if os.path.exists(value) and not os.access(value, os.R_OK):
        return None  # typer says "is not readable"
    return Path(value)


def _plain_bool(value: Any) -> Any:
    return value if isinstance(value, bool) else None


_LEAVES = {str: _plain_str, int: _plain_int, Path: _plain_path, bool: _plain_bool}


@dataclass(frozen=True)
class _PlainRuntimeParam(RuntimeParam):
    """A leaf (or a list of leaves) coerced by ``leaf``; anything it declines (None) goes
    to typer's adapter, built only then."""

    many: bool
    fallback: list[RuntimeParam]

    def _coerce_value(self, value: Any, param: _TyperParameter, ctx: click.Context) -> Any:
        leaf = _leaf_function(_leaf_type(self.annotation), ctx)
        items = list(value) if self.many and isinstance(value, list | tuple) else None
        if items is not None:
            done = [leaf(item) for item in items]
            if all(item is not None for item in done):
                return done
        elif not self.many:
            single = leaf(value)
            if single is not None:
                return single
        return self._typer(param)._coerce_value(value, param=param, ctx=ctx)

    def _typer(self, param: _TyperParameter) -> RuntimeParam:
        if not self.fallback:
            self.fallback.append(build_runtime_param(param.type_descriptor))
        return self.fallback[0]


def _leaf_function(leaf: Any, ctx: click.Context) -> Callable[[Any], Any]:
    if leaf in _LEAVES:
        return _LEAVES[leaf]
    exact = ctx.token_normalize_func is None  # else typer normalises before comparing
    members = {str(member.value): member for member in leaf} if exact else {}

    def choice(value: Any) -> Any:
        if isinstance(value, leaf):
            return value
        return members.get(value) if isinstance(value, str) else None

    return choice


def _leaf_type(annotation: Any) -> Any:
    args = getattr(annotation, "__args__", None)
    if getattr(annotation, "__origin__", None) is list and args and len(args) == 1:
        return args[0]
    return annotation


def _plain(param: _TyperParameter) -> bool:
    info = param.type_descriptor.parameter_info
    if info.parser is not None or param.type_descriptor.file_annotation is not None:
        return False
    leaf = _leaf_type(param.type_descriptor.annotation)
    if isinstance(leaf, type) and issubclass(leaf, Enum):
        return bool(info.case_sensitive)  # an exact member value; other spellings: typer
    if leaf not in _LEAVES:
        return False
    if leaf is int and (info.min is not None or info.max is not None or info.clamp):
        return False
    return leaf is not Path or all(getattr(info, k) == v for k, v in _PLAIN_PATH.items())


def speed_up(param: click.Parameter) -> None:
    """Give ``param`` the plain coercion when its annotation is str, int, bool, Path, an Enum or a list of
    one of them without constraints (idempotent; other parameters are left to typer)."""
    if not isinstance(param, _TyperParameter) or getattr(param, "_runtime_param", 1) is not None:
        return
    if not _plain(param):
        return
    annotation = param.type_descriptor.annotation
    param._runtime_param = _PlainRuntimeParam(
        parameter_info=param.type_descriptor.parameter_info,
        annotation=annotation,
        many=_leaf_type(annotation) is not annotation,
        fallback=[],
    )


def plain_params(command: click.Command) -> None:
    """``speed_up`` every parameter of ``command``, --help included (click makes that one
    when it is asked for the parameters). Idempotent."""
    if getattr(command, "_envman_plain", False):
        return
    for param in command.params:
        speed_up(param)
    listed = command.get_params

    def get_params(ctx: click.Context) -> list[click.Parameter]:
        params = listed(ctx)
        for param in params:
            speed_up(param)
        return params

    command.get_params = get_params  # type: ignore[method-assign]
    command._envman_plain = True  # type: ignore[attr-defined]
