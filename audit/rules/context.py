"""What every rule family receives: the inputs, the policy, the settings and the as-of date."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd

from audit.inputs.model import Inputs
from audit.policy.model import PolicyModel
from audit.reference.settings import Settings


@dataclass(frozen=True)
class AuditContext:
    """One audit's fixed facts.

    ``as_of`` is the only notion of "today" any rule may use, so a run is
    reproducible whatever the wall clock says.
    """

    inputs: Inputs
    policy: PolicyModel
    settings: Settings
    as_of: date
    lang: str = "en"
    """The language findings are worded in (``en``/``sv``, :mod:`audit.reference.i18n`)."""
    # init=False: dataclasses.replace() gives a changed context a fresh memo, never stale results.
    _memo: dict[str, Any] = field(default_factory=dict, init=False, compare=False, repr=False)

    @property
    def as_of_ts(self) -> pd.Timestamp:
        """The as-of date as a pandas Timestamp, for vectorised date arithmetic."""
        return pd.Timestamp(self.as_of)

    def memo(self, key: str, compute: Callable[[], Any]) -> Any:
        """``compute()`` once per audit, then the stored result.

        Rule families and the table builders behind the workbook share
        intermediate frames (e.g. every record judged against its retention
        limit); this runs that work once instead of once per caller. Results
        must be treated as read-only.
        """
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]
