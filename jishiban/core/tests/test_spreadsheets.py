"""Spreadsheet cells: formulas neutralised the same way in every export."""

import io

from openpyxl import load_workbook

from jishiban.core.spreadsheets import safe_cell, write_xlsx


def test_text_a_spreadsheet_would_run_gets_an_apostrophe():
    for formula in ("=1+1", "+86 139", "-2", "@SUM(A1)", "\tx", "\rx"):
        assert safe_cell(formula) == "'" + formula
    assert safe_cell("小区停水") == "小区停水" and safe_cell("") == ""
    assert safe_cell(-2) == -2 and safe_cell(None) is None


def test_xlsx_has_the_header_the_rows_and_safe_cells():
    out = io.BytesIO()
    assert write_xlsx(out, "诉求件", ["编号", "内容"], iter([["JN1", "=HYPERLINK(\"http://x\")"], ["JN2", "停水"]])) == 2
    sheet = load_workbook(io.BytesIO(out.getvalue()))["诉求件"]
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [
        ["编号", "内容"], ["JN1", "'=HYPERLINK(\"http://x\")"], ["JN2", "停水"]]
