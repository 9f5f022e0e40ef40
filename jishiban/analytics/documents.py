"""A ``reports.Report`` as a file: .docx (python-docx, charts drawn by matplotlib in a CJK font),
.xlsx (openpyxl, one sheet per table), HTML (the app's template) or JSON (the figures)."""

from __future__ import annotations

import io
import json

from django.template.loader import render_to_string

from jishiban.core.xmltext import xml_safe

from .reports import Chart, Report

FORMATS = ("docx", "xlsx", "html", "json")
CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "html": "text/html; charset=utf-8",
    "json": "application/json",
}
CJK_FONTS = ["Noto Sans CJK SC", "Noto Sans CJK JP", "WenQuanYi Zen Hei", "SimHei", "Microsoft YaHei"]
DOC_FONT = "Noto Sans CJK SC"


def chart_png(chart: Chart) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    plt.rcParams["font.sans-serif"] = CJK_FONTS + plt.rcParams["font.sans-serif"]
    plt.rcParams["axes.unicode_minus"] = False
    fig, ax = plt.subplots(figsize=(7, 3.2), dpi=110)
    try:
        n = len(chart.series) or 1
        width = 0.8 / n
        for i, (name, values) in enumerate(chart.series.items()):
            xs = [x + i * width - 0.4 + width / 2 for x in range(len(chart.labels))]
            if chart.kind == "line":
                ax.plot(range(len(chart.labels)), values, marker="o", label=name)
            else:
                ax.bar(xs, values, width=width, label=name, color="#1f5fad" if i == 0 else None)
        ax.set_xticks(range(len(chart.labels)))
        ax.set_xticklabels(chart.labels, rotation=30 if len(chart.labels) > 6 else 0, ha="right", fontsize=8)
        ax.set_title(chart.title, fontsize=11)
        if n > 1:
            ax.legend(fontsize=8)
        ax.spines[["top", "right"]].set_visible(False)
        fig.tight_layout()
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png")
        return buffer.getvalue()
    finally:
        plt.close(fig)


def to_docx(report: Report) -> bytes:
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    doc = Document()
    for style_name in ("Normal", "Title", "Heading 1", "Heading 2"):
        style = doc.styles[style_name]
        style.font.name = DOC_FONT
        style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), DOC_FONT)
    doc.styles["Normal"].font.size = Pt(11)
    doc.add_heading(xml_safe(report.title), level=0)
    doc.add_paragraph(xml_safe(report.subtitle))
    for section in report.sections:
        doc.add_heading(xml_safe(section.heading), level=1)
        for text in section.paragraphs:
            doc.add_paragraph(xml_safe(text))
        for table in section.tables:
            if table.title:
                doc.add_paragraph(xml_safe(table.title))
            if not table.rows:
                doc.add_paragraph("（无）")
                continue
            t = doc.add_table(rows=1, cols=len(table.headers))
            t.style = "Table Grid"
            for cell, h in zip(t.rows[0].cells, table.headers, strict=True):
                cell.text = xml_safe(str(h))
            for row in table.rows:
                for cell, value in zip(t.add_row().cells, row, strict=True):
                    cell.text = xml_safe(str(value))
        for chart in section.charts:
            if chart.labels:
                doc.add_picture(io.BytesIO(chart_png(chart)), width=Cm(16))
    doc.core_properties.title = f"{report.title} {report.subtitle}"
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def to_xlsx(report: Report) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "概要"
    ws.append([report.title, report.subtitle])
    for section in report.sections:
        ws.append([section.heading])
        for text in section.paragraphs:
            ws.append([text])
    n = 0
    for section in report.sections:
        for table in section.tables:
            n += 1
            sheet = wb.create_sheet(f"{n}{(table.title or section.heading)[:25]}".replace("、", "")[:31])
            sheet.append(table.headers)
            for row in table.rows:
                sheet.append(row)
    charts = [chart for section in report.sections for chart in section.charts if chart.labels]
    for i, chart in enumerate(charts, start=1):
        _xlsx_chart(wb.create_sheet(f"图{i}{chart.title[:25]}"[:31]), chart)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _xlsx_chart(sheet, chart: Chart) -> None:
    """The chart's data on its own sheet and a native Excel chart over it (LibreOffice and Excel
    draw it themselves, so it stays editable)."""
    from openpyxl.chart import BarChart, LineChart, Reference

    sheet.append(["", *chart.series])
    for j, label in enumerate(chart.labels):
        sheet.append([label, *[values[j] for values in chart.series.values()]])
    drawn = LineChart() if chart.kind == "line" else BarChart()
    drawn.title = chart.title
    drawn.width, drawn.height = 24, 12
    rows = len(chart.labels) + 1
    drawn.add_data(Reference(sheet, min_col=2, max_col=1 + len(chart.series), min_row=1, max_row=rows),
                   titles_from_data=True)
    drawn.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=rows))
    sheet.add_chart(drawn, f"{chr(ord('B') + len(chart.series) + 1)}2")


def to_html(report: Report, request=None) -> str:
    return render_to_string("analytics/report_body.html", {"report": report}, request=request)


def render(report: Report, fmt: str) -> bytes:
    if fmt == "docx":
        return to_docx(report)
    if fmt == "xlsx":
        return to_xlsx(report)
    if fmt == "html":
        return to_html(report).encode()
    if fmt == "json":
        return json.dumps(report.as_json(), ensure_ascii=False, indent=1).encode()
    raise ValueError(fmt)
