"""A component's state outputs, read on first use.

After a component is planned, its current outputs matter only if a dependent is planned in the
same run (with them) or a hook reads them. A promotion of `app` whose dependents consume none
of the outputs it changes never reads them: one terraform process (~0.6 s) less.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping

from envman.terraform.models import OutputValue
from envman.terraform.state_direct import current_outputs
from envman.workspace import Workspace


class StateOutputs(Mapping[str, OutputValue]):
    """`terraform output -json` of ``tf``, run once, when a value is first asked for (by
    whichever thread asks first; the others wait for that read)."""

    def __init__(self, workspace: Workspace) -> None:
        self._workspace = workspace
        self._values: dict[str, OutputValue] | None = None
        self._lock = threading.Lock()

    def _read(self) -> dict[str, OutputValue]:
        with self._lock:
            if self._values is None:
                self._values = current_outputs(self._workspace)
            return self._values

    def __getitem__(self, key: str) -> OutputValue:
        return self._read()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._read())

    def __len__(self) -> int:
        return len(self._read())
