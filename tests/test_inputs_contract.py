"""The loaders keep the normalised-input contract (pandera schemas built from columns.yaml)."""

import dataclasses
from collections.abc import Callable
from pathlib import Path

import ibis
import pandas as pd
import pandera.errors
import pytest

from audit.inputs import load_inputs
from audit.inputs.contract import check_contract, schemas
from audit.paths import SAMPLE_DIR
from audit.records.store import RecordStore


def test_sample_keeps_the_contract():
    check_contract(load_inputs(SAMPLE_DIR))


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "ods"])
def test_swedish_fixture_keeps_the_contract(folder: Callable[..., Path], fmt: str):
    check_contract(load_inputs(folder(fmt=fmt)))


def test_every_sheet_of_columns_yaml_has_a_schema():
    assert {"Activities", "Systems", "Vendors", "Requests", "Disclosures", "Records"} <= set(schemas())


def test_a_broken_frame_is_caught_with_the_column_named():
    inputs = load_inputs(SAMPLE_DIR)
    inputs.systems["last_security_test"] = inputs.systems["last_security_test"].dt.strftime("%Y-%m-%d")
    inputs.vendors.loc[0, "access_countries"] = "IN"  # a string where a list is promised
    with pytest.raises(pandera.errors.SchemaErrors) as err:
        check_contract(inputs)
    assert "last_security_test" in str(err.value)
    inputs.systems["last_security_test"] = pd.to_datetime(inputs.systems["last_security_test"])
    with pytest.raises(pandera.errors.SchemaErrors, match="access_countries"):
        check_contract(inputs)


def test_hand_made_inputs_get_every_contract_column():
    """Rules read ``frame[column]`` for any contract column, however the Inputs were built."""
    from audit.inputs.contract import sheet_specs
    from audit.inputs.model import Inputs

    tiny = pd.DataFrame({"src_file": ["x.xlsx"], "src_sheet": ["S"], "src_row": [2]})
    inputs = Inputs(activities=tiny, systems=tiny, vendors=tiny, requests=tiny.iloc[:0], disclosures=tiny)
    for name in ("Activities", "Systems", "Vendors", "Requests", "Disclosures"):
        frame = getattr(inputs, name.lower())
        assert {c.name for c in sheet_specs()[name].columns} <= set(frame.columns)
    assert inputs.systems["last_security_test"].dtype == "datetime64[ns]"
    assert inputs.systems["backup"].dtype == "boolean" and inputs.systems["backup"].isna().all()
    assert inputs.activities["systems"].tolist() == [[]]
    check_contract(inputs)


def test_every_load_checks_the_contract(monkeypatch):
    import audit.inputs as loader

    calls = []
    monkeypatch.setattr(loader, "check_contract", lambda inputs: calls.append(inputs))
    loaded = loader.load_inputs(SAMPLE_DIR)
    assert calls == [loaded]


def test_a_record_extract_with_a_wrong_dtype_is_caught():
    inputs = load_inputs(SAMPLE_DIR)
    name = next(iter(inputs.records))
    extract = inputs.records[name]
    wrong = dataclasses.replace(extract, table=extract.table.mutate(collected=ibis.literal("2026-01-01")))
    inputs.records = RecordStore({**inputs.records, name: wrong}, inputs.records.backend)
    with pytest.raises(pandera.errors.SchemaErrors, match="collected"):
        check_contract(inputs)


@pytest.mark.parametrize(
    ("column", "value", "match"),
    [("value", ("anna@example.se",), "value"), ("severity", "fatal", "severity")],
)
def test_an_issue_with_unsafe_examples_or_an_unknown_severity_is_caught(column: str, value: object, match: str):
    inputs = load_inputs(SAMPLE_DIR)
    issue = {"file": "f", "sheet": "s", "row": 1, "column": "c", "value": "", "problem": "p", "severity": "info"}
    inputs.issues = pd.DataFrame([{**issue, column: value}], dtype=object)
    with pytest.raises(pandera.errors.SchemaErrors, match=match):
        check_contract(inputs)
