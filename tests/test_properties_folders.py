"""Properties of whole audits on data folders the audit has never seen (issue 10, item 1).

Hypothesis draws data folders (``tests/properties/folders.py``: any subset of
the optional files, empty and header-only sheets, blank optional cells,
ragged CSV rows, activities with and without ``policy_ref``, extracts for
activities whose retention cannot be judged, dates at the edges, Swedish
and English headers and values, duplicate headers, formula characters, tab
and CR, planted names and e-mail addresses), writes each as real files and
runs the command line on it. Every run must:

* finish (exit 0), or exit 2 with one ``error:`` line naming an input file;
* write findings.csv, input-issues.csv and the workbook (and nothing after exit 2);
* account for every data row: loaded, or named by an input issue;
* contain no formula or hyperlink cell in the workbook, and no CSV cell a spreadsheet would run;
* show no planted name or address from a column that is not an id, count or date;
* give the same finding ids when run again on the same folder.

Profiles (``tests/conftest.py``): ``ci`` (default) runs a fixed,
derandomised set without shrinking; ``HYPOTHESIS_PROFILE=dev`` runs many
random examples and shrinks a failure to a small folder.

All properties draw the *same* examples: each test is built by
:func:`_property` from one function, so under ``derandomize`` they share a
seed, and :func:`~tests.properties.harness.audit_folder` caches each run, so
a folder is audited once for all of them.

"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import Phase, given, settings

from tests.properties import harness
from tests.properties.folders import Folder, describe, folders

Check = Callable[[harness.Outcome], list[str]]

# In CI a failing property stops at its first failing folder: shrinking one
# means hundreds of audits. The dev profile shrinks, for a small example.
_PHASES = (
    (Phase.explicit, Phase.reuse, Phase.generate)
    if settings.get_current_profile_name() == "ci"
    else tuple(settings.default.phases)
)


@pytest.fixture(scope="module", autouse=True)
def _clean_folders():
    """Remove the folders written by this module once its tests are done."""
    yield
    harness.cleanup()


def _message(problems: list[str], folder: Folder) -> str:
    shown = "\n  ".join(problems[:8])
    more = f"\n  (and {len(problems) - 8} more)" if len(problems) > 8 else ""
    return f"\n  {shown}{more}\nfolder:\n{describe(folder)}"


def _property(check: Check) -> Callable[..., None]:
    """A test of ``check`` over drawn folders; every test made here draws the same examples."""

    @settings(phases=_PHASES)
    @given(folder=folders())
    def test(folder: Folder) -> None:
        problems = check(harness.audit_folder(folder))
        assert not problems, _message(problems, folder)

    test.__doc__ = check.__doc__
    return test


test_run_finishes_or_exits_2_with_one_line = _property(harness.check_finishes)

test_outputs_are_written = _property(harness.check_outputs)

test_every_row_is_loaded_or_an_input_issue = _property(harness.check_rows_accounted)

test_no_formula_or_hyperlink_cell_in_the_workbook = _property(harness.check_no_formula)

test_no_csv_cell_a_spreadsheet_would_run = _property(harness.check_csv_safe)

test_no_private_value_reaches_the_report = _property(harness.check_no_private_data)

test_finding_ids_are_stable_across_runs = _property(harness.check_stable_ids)
