"""The Art. 30 register workbook for the supervisory authority (audit/report/register_workbook.py).

Read back as a person (and IMY) would see it: the contact block, one row per
register activity with the DPO's own values, the template's headings in the
report's language, an empty required cell marked with its REG finding named,
no formula, no record-level personal data, and a PDF one page wide.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import date
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from audit.paths import SAMPLE_DIR
from audit.reference import i18n
from audit.report.register_workbook import (
    gap_cells,
    layout,
    register_name,
    write_register_workbook,
)
from audit.rules.register import ART30_1_FIELDS, ART30_2_FIELDS
from audit.run import AuditResult, run_audit
from tests.conftest import edit_sheet, header_position

AS_OF = date(2026, 11, 1)
COLUMNS = [c.field for c in layout().columns] + ["gaps"]


@pytest.fixture(scope="module")
def audits() -> dict[str, AuditResult]:
    """The sample audited once per language."""
    return {lang: run_audit(SAMPLE_DIR, AS_OF, lang=lang) for lang in ("sv", "en")}


@pytest.fixture(scope="module")
def written(audits: dict[str, AuditResult], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The sample's register workbook in each language."""
    out = tmp_path_factory.mktemp("register")
    return {lang: write_register_workbook(out / lang, result, lang) for lang, result in audits.items()}


def _cells(path: Path) -> pd.DataFrame:
    return pd.read_excel(path, engine="calamine", header=None, dtype=object)


def _activity_rows(path: Path, lang: str) -> pd.DataFrame:
    """Every activity row of every section, with the template's field names as columns (header rows dropped)."""
    cells = _cells(path)
    header = i18n.text("register.column.activity_id", lang)
    heads = cells.index[cells[0] == header].tolist()
    assert heads, "no header row"
    parts = []
    for top in heads:
        below = cells.iloc[top + 1 :]
        stop = below.index[below[0].isna()]
        block = below.loc[: stop[0] - 1] if len(stop) else below
        parts.append(block.iloc[:, : len(COLUMNS)].set_axis(COLUMNS, axis=1))
    return pd.concat(parts).set_index("activity_id")


def test_file_name_is_dated() -> None:
    assert register_name(AS_OF) == "2026-11-01-art30-register.xlsx"
    assert register_name(None) == "????-??-??-art30-register.xlsx"


def test_layout_asks_what_reg05_asks() -> None:
    required = {c.field for c in layout().columns if c.required}
    assert required == set(ART30_1_FIELDS)
    assert {c.field for c in layout().columns if c.required == "art30_2"} == set(ART30_2_FIELDS)


def test_every_column_is_a_register_column_with_headings(audits: dict[str, AuditResult]) -> None:
    acts = audits["sv"].inputs.activities
    assert {c.field for c in layout().columns} <= set(acts.columns)
    for lang in i18n.LANGUAGES:
        assert all(i18n.text(f"register.column.{name}", lang).strip() for name in COLUMNS)


def test_written_into_the_folder_under_its_name(written: dict[str, Path]) -> None:
    assert written["sv"].name == "2026-11-01-art30-register.xlsx"
    assert written["sv"].parent.name == "sv"
    assert not list(written["sv"].parent.glob(".*"))  # no temporary file left


@pytest.mark.parametrize(
    ("lang", "label", "title"),
    [
        ("sv", "Personuppgiftsansvarig", "Registerförteckning enligt artikel 30 i dataskyddsförordningen"),
        ("en", "Controller", "Record of processing activities (GDPR Art. 30)"),
    ],
)
def test_contact_block_holds_the_policys_controller(
    written: dict[str, Path], lang: str, label: str, title: str
) -> None:
    cells = _cells(written[lang])
    assert cells.iloc[0, 0] == title
    # Label and value pairs: columns A and D, and (the right half) I and L.
    pairs = pd.concat([cells[[0, 3]].set_axis(["k", "v"], axis=1), cells[[8, 11]].set_axis(["k", "v"], axis=1)])
    block = pairs.dropna().drop_duplicates("k").set_index("k")["v"]
    assert block[label] == "Carasent Sverige AB"
    assert block[i18n.text("register.contact.controller_address", lang)] == "Nellickevägen 20, 412 63 Göteborg"
    assert block[i18n.text("register.contact.dpo_email", lang)] == "dso@carasent.com"
    assert block[i18n.text("register.contact.representative", lang)] == i18n.text(
        "register.contact.not_applicable", lang
    )


def test_swedish_headings(written: dict[str, Path]) -> None:
    cells = _cells(written["sv"])
    header = cells[cells[0] == "Nr"].iloc[0, : len(COLUMNS)].tolist()
    assert header[:3] == ["Nr", "Behandling", "Ändamål med behandlingen"]
    assert "Kategorier av registrerade" in header
    assert "Tidsfrister för radering" in header
    assert header[-1] == "Granskningens avvikelser i registret"
    assert "Purpose of processing" not in cells.to_numpy()


def test_english_headings(written: dict[str, Path]) -> None:
    cells = _cells(written["en"])
    header = cells[cells[0] == "Ref"].iloc[0, : len(COLUMNS)].tolist()
    assert header[:3] == ["Ref", "Processing activity", "Purpose of processing"]
    assert "Categories of individuals" in header
    assert "Retention schedule (if possible)" in header
    assert "Ändamål med behandlingen" not in cells.to_numpy()


def test_one_row_per_register_activity(written: dict[str, Path], audits: dict[str, AuditResult]) -> None:
    rows = _activity_rows(written["sv"], "sv")
    assert sorted(rows.index) == sorted(audits["sv"].inputs.activities["activity_id"])
    assert len(rows) == 15
    # The processor entry (Art. 30(2)) comes last, in its own section.
    assert rows.index[-1] == "A-11"


def test_cells_hold_the_registers_values(written: dict[str, Path]) -> None:
    sv = _activity_rows(written["sv"], "sv")
    assert sv.loc["A-01", "purpose"] == "Ta emot och besvara förfrågningar och demobokningar via formulär på hemsidan"
    assert sv.loc["A-01", "retention"] == "Raderas efter 30 dagar"
    assert sv.loc["A-05", "retention"] == "7 år efter räkenskapsårets utgång"
    assert sv.loc["A-01", "data_categories"] == "Namn; E-post; Telefonnummer; Företag; Meddelande; IP-adress"
    assert (
        sv.loc["A-02", "legal_basis"]
        == "berättigat intresse (art. 6.1 f); avtal (art. 6.1 b); rättslig förpliktelse (art. 6.1 c)"
    )
    assert sv.loc["A-01", "third_countries"] == "USA"
    assert sv.loc["A-01", "dpia"] == "behövs inte"
    assert sv.loc["A-11", "special_categories"] == "Hälsa"
    assert pd.Timestamp(sv.loc["A-01", "last_reviewed"]) == pd.Timestamp("2026-03-12")
    en = _activity_rows(written["en"], "en")
    assert en.loc["A-01", "third_countries"] == "United States"
    assert en.loc["A-02", "dpia"] == "not carried out"
    assert en.loc["A-05", "legal_basis"] == "legal obligation (Art. 6(1)(c))"


def test_dates_are_real_dates(written: dict[str, Path]) -> None:
    ws = openpyxl.load_workbook(written["sv"], read_only=True).worksheets[0]
    dates = [c for row in ws.iter_rows() for c in row if c.is_date]
    assert len(dates) == 15
    assert all(c.number_format == "yyyy-mm-dd" for c in dates)


def test_reg_findings_are_named_beside_their_activity(written: dict[str, Path], audits: dict[str, AuditResult]) -> None:
    rows = _activity_rows(written["sv"], "sv")
    f = audits["sv"].findings
    title = f.loc[f["rule"] == "REG-05", "title"].iloc[0]
    assert rows.loc["A-08", "gaps"] == f"REG-05 {title}"
    reg06 = f.loc[f["rule"] == "REG-06", "title"].iloc[0]
    reg01 = f.loc[f["rule"] == "REG-01", "title"].iloc[0]
    assert rows.loc["A-13", "gaps"] == f"REG-01 {reg01}\nREG-06 {reg06}"
    assert pd.isna(rows.loc["A-02", "gaps"])  # an activity with no REG finding


def test_findings_without_a_row_are_listed_below(written: dict[str, Path], audits: dict[str, AuditResult]) -> None:
    cells = _cells(written["sv"])
    f = audits["sv"].findings
    title = f.loc[f["rule"] == "REG-02", "title"].iloc[0]
    assert f"REG-02 {title}: P-CASE-FILMS" in cells[0].tolist()


def _filled(path: Path) -> list[tuple[str, int]]:
    """(column heading, row) of every cell with the gap fill."""
    fill = "FF" + layout().style.gap_fill
    ws = openpyxl.load_workbook(path).worksheets[0]
    return [(c.column_letter, c.row) for row in ws.iter_rows() for c in row if c.fill.fgColor.rgb == fill]


def test_sample_marks_only_its_one_gap(written: dict[str, Path], audits: dict[str, AuditResult]) -> None:
    # The sample's one REG-05 gap: A-08 has no security measures. Nothing else is marked.
    assert int((audits["sv"].findings["rule"] == "REG-05").sum()) == 1
    assert int(gap_cells(audits["sv"]).to_numpy().sum()) == 1
    filled = _filled(written["sv"])
    assert len(filled) == 1
    ws = openpyxl.load_workbook(written["sv"]).worksheets[0]
    column, row = filled[0]
    assert ws[f"A{row}"].value == "A-08"
    assert ws[f"{column}{row}"].value is None
    header = next(r for r in range(1, row) if ws[f"A{r}"].value == "Nr")
    assert ws[f"{column}{header}"].value == "Tekniska och organisatoriska säkerhetsåtgärder"


def _plant(root: Path) -> None:
    """In the sample's activities sheet (headers in row 3): A-03 loses its purpose, A-04's becomes a formula."""

    def edit(ws: openpyxl.worksheet.worksheet.Worksheet) -> None:
        purpose = header_position(ws, "Ändamål", row=3)
        rows = {ws.cell(r, 1).value: r for r in range(4, ws.max_row + 1)}
        ws.cell(rows["A-03"], purpose).value = None
        cell = ws.cell(rows["A-04"], purpose)
        cell.value = "=1+1"
        cell.data_type = "s"  # text that looks like a formula, as a DPO may type it (openpyxl would store a formula)

    edit_sheet(root / "activities.xlsx", None, edit)


def test_planted_gap_is_marked_and_named(tmp_path: Path) -> None:
    root = tmp_path / "sample"
    shutil.copytree(SAMPLE_DIR, root)
    _plant(root)
    result = run_audit(root, AS_OF, lang="sv")
    path = write_register_workbook(tmp_path / "out", result, "sv")
    rows = _activity_rows(path, "sv")
    assert pd.isna(rows.loc["A-03", "purpose"])
    f = result.findings
    gap = f[(f["rule"] == "REG-05") & (f["activity_id"] == "A-03")]
    assert gap["subject"].tolist() == ["A-03:purpose"]
    assert rows.loc["A-03", "gaps"].splitlines() == [f"REG-05 {gap['title'].iloc[0]}"]
    ws = openpyxl.load_workbook(path).worksheets[0]
    assert {ws[f"A{row}"].value for _, row in _filled(path)} == {"A-03", "A-08"}
    # The formula planted in A-04's purpose is text, shown as written.
    assert rows.loc["A-04", "purpose"] == "=1+1"
    cell = next(c for row in ws.iter_rows() for c in row if c.value == "=1+1")
    assert cell.data_type == "s"
    assert not [c for row in ws.iter_rows() for c in row if c.data_type == "f"]


def test_no_record_level_personal_data(written: dict[str, Path], audits: dict[str, AuditResult]) -> None:
    result = audits["sv"]
    personal: set[str] = set()
    for extract in result.inputs.records.values():
        frame = extract.to_pandas()
        for col in ("record_id", "subject_ref"):
            personal |= {str(v) for v in frame[col].dropna() if str(v).strip()}
    # Names and e-mail addresses never enter the engine: read them from the extract files themselves.
    for path in (Path(result.inputs.data_dir) / "records").glob("*.csv"):
        frame = pd.read_csv(path, dtype=str)
        for col in ("name", "email"):
            if col in frame:
                personal |= {str(v) for v in frame[col].dropna() if str(v).strip()}
    personal |= {str(v) for v in result.inputs.requests["subject_ref"].dropna()}
    assert len(personal) > 50
    for path in written.values():
        text = "\n".join(str(v) for v in _cells(path).to_numpy().ravel() if isinstance(v, str))
        assert not [p for p in personal if p in text]
        assert "src_row" not in text
        assert "activities.xlsx" not in text


# --- as printed ----------------------------------------------------------------------------------


def _soffice() -> str:
    found = shutil.which("soffice")
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI must have LibreOffice (soffice) to test the printed register")
        pytest.skip("LibreOffice (soffice) is not installed")
    if shutil.which("pdftotext") is None or shutil.which("pdfinfo") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI must have poppler (pdftotext, pdfinfo) to test the printed register")
        pytest.skip("poppler (pdftotext, pdfinfo) is not installed")
    return found


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_prints_one_page_wide_with_footer(written: dict[str, Path], lang: str, tmp_path: Path) -> None:
    soffice = _soffice()
    profile = tmp_path / "lo-profile"
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(written[lang]),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    pdf = tmp_path / written[lang].with_suffix(".pdf").name
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    assert 1 <= pages <= 3
    assert "841.89 x 595.3" in info  # A4 landscape
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    page_texts = text.split("\f")[:pages]
    page_word = i18n.text("register.footer", lang).split("&")[0].strip()  # "Sida" / "Page"
    last_heading = i18n.text("register.column.gaps", lang).split()[0]
    for number, page in enumerate(page_texts, start=1):
        # Every page has the footer and the repeated header row up to its last column: one page wide.
        assert f"{page_word} {number} " in page
        assert AS_OF.isoformat() in page
        assert last_heading in page
    assert "Carasent Sverige AB" in page_texts[0]
    assert all(f"A-{n:02d}" in text for n in range(1, 16))
