"""Notebook 00 in JupyterLab, in a real headless browser, as a DPO opens it.

nbclient runs the notebooks without a frontend, so it cannot see what
JupyterLab chooses to draw: given an output that offers ``application/json``
next to ``text/html``, JupyterLab draws a collapsible JSON tree, and a
widgets extension built for another JupyterLab version loads with console
warnings and may draw no widget at all. This test starts JupyterLab on a free
port with its own runtime, config and data folders (nothing global changes),
opens a copy of notebook 00 whose parameters point at the sample and a
temporary output folder, runs all cells from the Run menu in the system
Chromium driven by playwright, and asserts what the page shows.

Without Chromium or playwright the test is skipped on a developer's machine
and fails under CI (``CI=true``), which installs both.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest

from audit.paths import PROJECT_DIR, SAMPLE_DIR

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
NOTEBOOK = PROJECT_DIR / "notebooks" / "00-dpo-report.ipynb"
COUNTS_TAG = "severity-counts"
# What JupyterLab's module federation and the widgets manager log when an extension does not match the frontend.
MISMATCH = re.compile(r"Unsatisfied version|No satisfying version|version mismatch|Failed to load|does not match", re.I)
SERVER_START_S = 60
RUN_ALL_S = 120


def _missing_browser() -> str | None:
    if not CHROMIUM.is_file():
        return f"no Chromium at {CHROMIUM}"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed"
    return None


def _require_browser() -> None:
    problem = _missing_browser()
    if problem is None:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI must test the notebooks in a browser: {problem}")
    pytest.skip(problem)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _notebook_copy(folder: Path, out_dir: Path) -> Path:
    """Notebook 00 with its parameters pointed at the sample and ``out_dir`` (papermill-style, on a copy)."""
    book = nbformat.read(NOTEBOOK, as_version=4)
    cell = next(c for c in book.cells if "parameters" in c.metadata.get("tags", []))
    cell.source = cell.source.replace('"../data/sample"', json.dumps(str(SAMPLE_DIR))).replace(
        '"../reports"', json.dumps(str(out_dir))
    )
    assert str(SAMPLE_DIR) in cell.source and str(out_dir) in cell.source
    path = folder / NOTEBOOK.name
    nbformat.write(book, path)
    return path


class Lab:
    """A running JupyterLab server: its URL, token and the folder it serves."""

    def __init__(self, url: str, token: str, root: Path, log: Path) -> None:
        self.url, self.token, self.root, self.log = url, token, root, log


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    _require_browser()
    base = tmp_path_factory.mktemp("jupyterlab")
    root = base / "notebooks"
    root.mkdir()
    _notebook_copy(root, base / "out")
    # No "Would you like to get notified about Jupyter news?" toast over the outputs, and no news fetch.
    notification = base / "settings" / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    notification.parent.mkdir(parents=True)
    notification.write_text(json.dumps({"fetchNews": "false", "checkForUpdates": False}), encoding="utf-8")
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(PROJECT_DIR), os.environ.get("PYTHONPATH", "")]),
        "JUPYTER_RUNTIME_DIR": str(base / "runtime"),
        "JUPYTER_CONFIG_DIR": str(base / "config"),
        "JUPYTER_DATA_DIR": str(base / "data"),
        "JUPYTERLAB_SETTINGS_DIR": str(base / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(base / "workspaces"),
        "IPYTHONDIR": str(base / "ipython"),
        "MPLBACKEND": "Agg",
    }
    port, token = _free_port(), secrets.token_hex(16)
    log = base / "server.log"
    command = [
        sys.executable,
        "-m",
        "jupyter",
        "lab",
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={port}",
        f"--ServerApp.token={token}",
        f"--ServerApp.root_dir={root}",
        "--ServerApp.open_browser=False",
        "--LabApp.expose_app_in_browser=True",
        "--allow-root",
    ]
    with log.open("w", encoding="utf-8") as sink:
        server = subprocess.Popen(command, env=env, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + SERVER_START_S
        while True:
            try:
                urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"JupyterLab did not start:\n{log.read_text(encoding='utf-8')[-3000:]}")
                time.sleep(0.3)
        yield Lab(url, token, root, log)
    finally:
        if server.poll() is None:
            server.send_signal(signal.SIGTERM)  # the server shuts its kernels down
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)  # the server's own session: it and its kernels only
                server.wait(timeout=10)


# Where the notebook's kernel is connected, and when every code cell has run.
KERNEL_READY = """() => {
  const panel = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  const kernel = panel && panel.sessionContext && panel.sessionContext.session && panel.sessionContext.session.kernel;
  return !!kernel && kernel.connectionStatus === 'connected' && kernel.status === 'idle';
}"""
ALL_RAN = """() => {
  const panel = window.jupyterapp.shell.currentWidget;
  const cells = panel.content.widgets.filter(c => c.model.type === 'code');
  return panel.sessionContext.session.kernel.status === 'idle'
    && cells.every(c => c.model.executionCount !== null);
}"""
CELL_OUTPUTS = """() => window.jupyterapp.shell.currentWidget.content.widgets
  .filter(c => c.model.type === 'code')
  .map(c => ({tags: c.model.getMetadata('tags') || [], outputs: c.model.outputs.toJSON()}))"""
MARK_CELL = """async ([attribute, needle]) => {
  const panel = window.jupyterapp.shell.currentWidget;
  const index = panel.content.widgets.findIndex(c => c.model.sharedModel.getSource().includes(needle));
  await panel.content.scrollToItem(index, 'start');
  panel.content.widgets[index].node.setAttribute(attribute, needle);
  return index;
}"""
# A cell is found by a call in its source, then scrolled to and marked, so playwright can look at it.


def test_dpo_report_runs_in_jupyterlab_and_shows_html_tables(lab: Lab, tmp_path: Path):
    from playwright.sync_api import sync_playwright

    console: list[tuple[str, str]] = []
    started = time.monotonic()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.on("console", lambda m: console.append((m.type, m.text)))
            page.on("pageerror", lambda e: console.append(("pageerror", str(e))))
            page.goto(f"{lab.url}/lab/tree/{NOTEBOOK.name}?token={lab.token}")
            page.wait_for_function(KERNEL_READY, timeout=SERVER_START_S * 1000, polling=250)

            # Run ▸ Run All Cells, as a DPO would
            page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
            page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
            page.wait_for_function(ALL_RAN, timeout=RUN_ALL_S * 1000, polling=500)

            cells = page.evaluate(CELL_OUTPUTS)
            page.evaluate(MARK_CELL, ["data-audit-summary", "severity_summary("])
            summary = page.locator("[data-audit-summary]")
            table = summary.locator(".jp-OutputArea-output table")
            table.wait_for(timeout=10_000)
            caption = table.locator("caption").inner_text()
            headers = table.locator("th").all_inner_texts()
            page.wait_for_timeout(500)
            page.screenshot(path=str(tmp_path / "jupyterlab-severity-summary.png"))

            page.evaluate(MARK_CELL, ["data-audit-findings", "findings_browser("])
            findings = page.locator("[data-audit-findings]")
            widget_select = findings.locator(".widget-select-multiple select")
            widget_select.wait_for(timeout=10_000)
            severity_options = widget_select.locator("option").all_inner_texts()
            page.screenshot(path=str(tmp_path / "jupyterlab-findings-widget.png"))

            json_trees = page.locator(".jp-RenderedJSON").count()
            stderr = page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')
            tracebacks = [t for t in stderr.all_inner_texts() if "Traceback" in t or "Error" in t]
        finally:
            browser.close()
    elapsed = time.monotonic() - started
    shots = os.environ.get("AUDIT_SCREENSHOT_DIR")
    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)
        for png in tmp_path.glob("*.png"):
            shutil.copy2(png, shots)

    counts = next(c for c in cells if COUNTS_TAG in c["tags"])["outputs"]
    assert [sorted(o["data"]) for o in counts] == [["text/html", "text/plain"]]
    assert json_trees == 0
    assert caption == "Avvikelser per allvarlighet (4 rader)"  # the sample's policy is Swedish
    assert headers == ["Allvarlighet", "Avvikelser"]
    assert severity_options == ["hög", "medel", "låg", "info"]
    errors = [o for c in cells for o in c["outputs"] if o["output_type"] == "error"]
    assert errors == []
    assert tracebacks == []
    assert [m for m in console if MISMATCH.search(m[1])] == []
    assert (tmp_path / "jupyterlab-severity-summary.png").stat().st_size > 10_000
    assert elapsed < 90


def test_a_missing_browser_fails_under_ci_and_skips_elsewhere(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.setattr(sys.modules[__name__], "CHROMIUM", tmp_path / "no-chromium")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI must test the notebooks in a browser: no Chromium at"):
        _require_browser()
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception, match="no Chromium at"):
        _require_browser()
