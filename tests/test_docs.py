"""The user documentation in docs/ is generated from the catalogues and matches them."""

import pytest

from audit.inputs.schema import input_specs
from audit.paths import DOCS_DIR
from audit.reference.catalogue import catalogue
from tools import docs


@pytest.mark.parametrize("name", sorted(docs.PAGES))
def test_committed_page_is_what_the_catalogues_say(name):
    committed = (DOCS_DIR / name).read_text(encoding="utf-8")
    assert committed == docs.PAGES[name](), f"docs/{name} is stale: run python -m tools.docs"


def test_every_column_and_alias_is_documented():
    page = docs.inputs_page()
    for spec in input_specs().values():
        for sheet in spec.sheets:
            for col in sheet.columns:
                assert f"| `{col.name}` |" in page
                assert col.doc, f"{sheet.name}.{col.name} has no doc in columns.yaml"
                assert all(f"`{alias}`" in page for alias in col.aliases)


def test_every_rule_table_and_chart_is_documented():
    rules, report = docs.rules_page(), docs.report_page()
    assert all(f"`{rid}`" in rules for rid in catalogue().rules)
    assert all(f"`{t.sheet}`" in report for t in catalogue().tables.values())
    assert all(f"`{c.file}`" in report for c in catalogue().charts.values())


def test_markdown_cells_escape_pipes():
    assert docs.cell("a|b\nc") == "a\\|b c"


def test_docs_can_be_written_elsewhere(tmp_path):
    assert docs.main([str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(docs.PAGES)


def test_help_points_to_the_docs_in_the_repository():
    from audit.cli import build_parser

    text = build_parser().format_help()
    assert "docs/inputs.md" in text and "../shared" not in text
    assert all((DOCS_DIR / name).exists() for name in docs.PAGES)
