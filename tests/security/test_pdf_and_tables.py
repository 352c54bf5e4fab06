"""The PDF printer refuses every request but the page, and published cells are no formulas."""

from __future__ import annotations

import shutil
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import openpyxl
import pandas as pd
import pytest

from needs_assessment.report.publish import find_chromium, neutralise, neutralise_tables, print_pdf


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+44 20", "'+44 20"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=x", "'\t=x"),
        ("\r=x", "'\r=x"),
        ("-3.5", "-3.5"),
        ("+12", "+12"),
        ("1e-5", "1e-5"),
        ("Fenland", "Fenland"),
        ("'=already", "'=already"),
        (-3, -3),
        (2.5, 2.5),
        (None, None),
    ],
)
def test_formula_like_text_is_neutralised(value, expected):
    assert neutralise(value) == expected


def test_only_files_with_formula_cells_are_rewritten(tmp_path):
    (tmp_path / "tables").mkdir()
    risky = pd.DataFrame({"name": ['=HYPERLINK("http://x","y")', "Ely"], "n": [-1, 2]})
    risky.to_csv(tmp_path / "tables" / "risky.csv", index=False)
    pd.DataFrame({"n": [1.25, -3]}).to_csv(tmp_path / "tables" / "plain.csv", index=False)
    plain = (tmp_path / "tables" / "plain.csv").read_bytes()
    assert neutralise_tables(tmp_path) == 1
    assert (tmp_path / "tables" / "plain.csv").read_bytes() == plain
    back = pd.read_csv(tmp_path / "tables" / "risky.csv")
    assert back["name"].tolist() == ['\'=HYPERLINK("http://x","y")', "Ely"]
    assert back["n"].tolist() == [-1, 2]
    assert neutralise_tables(tmp_path) == 0  # idempotent


def test_workbook_text_is_never_a_formula(tmp_path):
    from needs_assessment.report.publish import _safe_frame

    path = tmp_path / "book.xlsx"
    _safe_frame(pd.DataFrame({"=a": ["=1+1", "ok"], "n": [-1, 2]})).to_excel(path, index=False)
    cells = [c for row in openpyxl.load_workbook(path).active.iter_rows() for c in row]
    assert not [c for c in cells if c.data_type == "f"]
    assert [c.value for c in cells] == ["'=a", "n", "'=1+1", -1, "ok", 2]


class Listener(BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):  # noqa: N802 (http.server's name)
        Listener.hits.append(self.path)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.mark.browser
@pytest.mark.skipif(find_chromium() is None, reason="Chromium is not installed")
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext is not installed")
def test_the_printer_refuses_files_and_the_network_even_without_the_policy(tmp_path):
    server = HTTPServer(("127.0.0.1", 0), Listener)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}"
    try:
        page = tmp_path / "assessment.html"
        page.write_text(
            "<html><body><p>Printed page</p>"
            f'<img src="{url}/img.png"><link rel="stylesheet" href="{url}/x.css">'
            '<iframe src="file:///etc/passwd" width="600" height="600"></iframe>'
            '<iframe src="sibling.html"></iframe><object data="file:///etc/hostname"></object>'
            f'<script src="{url}/x.js"></script><script>document.write("SCRIPT RAN")</script>'
            "</body></html>",
            encoding="utf-8",
        )
        (tmp_path / "sibling.html").write_text("SIBLING FILE", encoding="utf-8")
        assert print_pdf(page, tmp_path / "out.pdf")
    finally:
        server.shutdown()
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "out.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Printed page" in text
    assert "root:" not in text and "SIBLING FILE" not in text and "SCRIPT RAN" not in text
    assert Listener.hits == []
