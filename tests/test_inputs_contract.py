"""The loaders keep the normalised-input contract (pandera schemas built from columns.yaml)."""

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pandera.errors
import pytest

from audit.inputs import load_inputs
from audit.inputs.contract import check_contract, schemas
from audit.paths import SAMPLE_DIR


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
