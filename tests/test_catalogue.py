"""The rule catalogue is the registry: every function it names exists, and a bad edit names file and key."""

import pytest
import yaml

from audit.errors import ReferenceDataError
from audit.reference.catalogue import CATALOGUE_FILE, catalogue, load_catalogue
from audit.reference.settings import load_settings
from audit.rules.registry import resolve


def test_every_named_function_exists():
    cat = catalogue()
    named = [r.check for r in cat.rules.values() if r.check] + [t.build for t in cat.tables.values()]
    named += [c.draw for c in cat.charts.values()]
    assert all(callable(resolve(ref)) for ref in named)


def test_every_rule_has_a_severity_and_an_area():
    settings = load_settings()
    for rid in catalogue().rules:
        assert settings.severity(rid) in {"high", "medium", "low", "info"}
        assert catalogue().area(rid)


def test_chart_inputs_are_known():
    known = {"findings", "settings", "activities", "systems", *catalogue().tables}
    for spec in catalogue().charts.values():
        assert set(spec.inputs) <= known


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d["rules"]["SEC-01"].pop("title"), r"rules\.SEC-01\.title: required key is missing"),
        (lambda d: d["rules"]["SEC-01"].update(check="no function"), r"rules\.SEC-01\.check"),
        (lambda d: d["rules"].update({"XYZ-01": d["rules"]["SEC-01"]}), r"unknown area\(s\) XYZ"),
        (lambda d: d["tables"]["policy"].update(sheet="Transfers"), r"two tables share a sheet name"),
        (
            lambda d: d["rules"]["SEC-01"].update(needs=["clause:backup"]),
            r"SEC-01 needs clause:backup, which policy_parts",
        ),
        (lambda d: d["rules"]["SEC-01"].update(needs=["deadline"]), r"rules\.SEC-01\.needs\[0\]: String should match"),
        (lambda d: d["policy_parts"].update(shoe_size="x"), r"policy_parts"),
        (lambda d: d["not_run"].update(detail="{rule} {policy_id}"), r"not_run.*may name only rule and reasons"),
        (lambda d: d.pop("not_run"), r"not_run: required key is missing"),
    ],
)
def test_bad_catalogue_names_file_and_key(tmp_path, edit, message):
    data = yaml.safe_load(CATALOGUE_FILE.read_text(encoding="utf-8"))
    edit(data)
    path = tmp_path / "rules.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ReferenceDataError, match=message) as err:
        load_catalogue(path)
    assert str(path) in str(err.value) and "\n" not in str(err.value)


def test_unknown_function_is_named():
    with pytest.raises(ReferenceDataError, match="no function audit.rules.security:nothing_here"):
        resolve("audit.rules.security:nothing_here")
