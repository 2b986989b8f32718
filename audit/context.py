"""What every rule family receives: the inputs, the policy, the settings and the as-of date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from audit.inputs.model import Inputs
from audit.policy import PolicyModel
from audit.settings import Settings


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

    @property
    def as_of_ts(self) -> pd.Timestamp:
        """The as-of date as a pandas Timestamp, for vectorised date arithmetic."""
        return pd.Timestamp(self.as_of)
