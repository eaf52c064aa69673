"""Office documents: docx and odt (paragraphs and tables, one page), xlsx, xls and ods (one page per sheet).

Spreadsheet rows and document table rows are rendered ``a | b | c`` (see
:func:`pqcheck.extract.common.render_row`): whole numbers without ``.0``, dates as ISO dates,
cells formatted as percentages as ``12.5%``. ZIP-based files whose members would expand to more
than ten times ``Limits.max_bytes`` are refused as ``too_large`` before parsing.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from pqcheck.extract.common import format_number, render_row
from pqcheck.extract.model import ExtractError, Extraction, PageText, Run
from pqcheck.text import ascii_int

EXPANSION_FACTOR = 10  # ZIP members may expand to this many times max_bytes
MAX_REPEAT = 256  # ODF repeated rows/columns expanded at most this many times


def _check_zip(path: Path, run: Run) -> None:
    with zipfile.ZipFile(path) as archive:
        expanded = sum(info.file_size for info in archive.infolist())
    if expanded > run.limits.max_bytes * EXPANSION_FACTOR:
        raise ExtractError(
            "too_large",
            f"expands to {expanded / 1048576:.0f} MB when unzipped, over {EXPANSION_FACTOR}x the size limit",
        )


# --- Word --------------------------------------------------------------------------------------


def extract_docx(path: Path, run: Run, extraction: Extraction) -> None:
    """Paragraphs in document order, each table's rows as ``a | b`` lines, blank lines between blocks."""
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    _check_zip(path, run)
    document = docx.Document(str(path))
    blocks: list[str] = []
    for item in document.iter_inner_content():
        if run.full:
            break
        if isinstance(item, Paragraph):
            text = " ".join(item.text.split())
        elif isinstance(item, Table):
            text = "\n".join(line for line in (render_row(cells) for cells in _docx_rows(item)) if line)
        else:
            continue
        if text:
            blocks.append(run.take(text))
    extraction.pages = [PageText(1, "\n\n".join(blocks))]
    extraction.page_count = 1


def _docx_rows(table) -> Iterator[list[str]]:
    """Cell texts per row; a merged cell (the same cell repeated across the grid) counted once."""
    for row in table.rows:
        cells: list[str] = []
        previous = None
        for cell in row.cells:
            if previous is not None and cell._tc is previous:
                continue
            previous = cell._tc
            cells.append(cell.text)
        yield cells


# --- Excel -------------------------------------------------------------------------------------


def extract_xlsx(path: Path, run: Run, extraction: Extraction) -> None:
    import openpyxl

    _check_zip(path, run)
    # A file object, not the path: openpyxl refuses paths whose extension is not .xlsx/.xlsm.
    handle = path.open("rb")
    try:
        workbook = openpyxl.load_workbook(handle, read_only=True, data_only=True)
    except BaseException:
        handle.close()
        raise
    try:
        sheets = list(workbook.worksheets)
        extraction.page_count = len(sheets)
        for number, sheet in enumerate(sheets, start=1):
            if not _sheet_allowed(number, len(sheets), run):
                break
            sheet.reset_dimensions()  # stored dimensions are often wrong (A1:XFD1048576)
            rows = ([_xlsx_value(cell) for cell in row] for row in sheet.iter_rows())
            extraction.pages.append(PageText(number, _sheet_text(rows, run), label=sheet.title))
    finally:
        workbook.close()
        handle.close()


def _xlsx_value(cell) -> Any:
    value = cell.value
    if isinstance(value, int | float) and not isinstance(value, bool):
        number_format = getattr(cell, "number_format", None) or ""
        if "%" in number_format:
            return format_number(round(value * 100, 8)) + "%"
        if "£" in number_format:
            return "£" + format_number(float(value))
    return value


def extract_xls(path: Path, run: Run, extraction: Extraction) -> None:
    import xlrd

    try:
        book = xlrd.open_workbook(str(path), on_demand=True)
    except xlrd.XLRDError as error:
        if "encrypt" in str(error).lower():
            raise ExtractError("encrypted", "password-protected Excel file") from error
        raise
    try:
        extraction.page_count = book.nsheets
        for index in range(book.nsheets):
            if not _sheet_allowed(index + 1, book.nsheets, run):
                break
            sheet = book.sheet_by_index(index)
            rows = ([_xls_value(cell, book.datemode) for cell in sheet.row(r)] for r in range(sheet.nrows))
            extraction.pages.append(PageText(index + 1, _sheet_text(rows, run), label=sheet.name))
            book.unload_sheet(index)
    finally:
        book.release_resources()


def _xls_value(cell, datemode: int) -> Any:
    import xlrd

    if cell.ctype == xlrd.XL_CELL_DATE:
        try:
            return xlrd.xldate.xldate_as_datetime(cell.value, datemode)
        except (ValueError, OverflowError, xlrd.xldate.XLDateError):
            return cell.value
    if cell.ctype == xlrd.XL_CELL_BOOLEAN:
        return bool(cell.value)
    if cell.ctype in (xlrd.XL_CELL_ERROR, xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return None
    return cell.value


def _sheet_allowed(number: int, total: int, run: Run) -> bool:
    if number > run.limits.max_pages:
        run.cut_once(f"kept the first {run.limits.max_pages} of {total} sheets (page limit)")
        return False
    if run.timed_out():
        run.cut_once(f"timed out after {run.limits.timeout_seconds:g} s before sheet {number}")
        return False
    return not run.full


def _sheet_text(rows: Iterable[list[Any]], run: Run) -> str:
    lines = []
    for count, row in enumerate(rows):
        if count % 1000 == 999 and run.timed_out():
            run.cut_once(f"timed out after {run.limits.timeout_seconds:g} s in a sheet")
            break
        line = render_row(row)
        if line:
            lines.append(run.take(line))
            if run.full:
                break
    return "\n".join(lines)


# --- OpenDocument ------------------------------------------------------------------------------

_NS = {
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
}


def _q(prefix: str, name: str) -> str:
    return f"{{{_NS[prefix]}}}{name}"


TABLE, ROW = _q("table", "table"), _q("table", "table-row")
CELL, COVERED = _q("table", "table-cell"), _q("table", "covered-table-cell")
PARA, HEADING = _q("text", "p"), _q("text", "h")
SPACE, TAB, BREAK = _q("text", "s"), _q("text", "tab"), _q("text", "line-break")
NOTE = _q("text", "note")
CURRENCY_SYMBOLS = {"GBP": "£", "EUR": "€", "USD": "$"}


def extract_ods(path: Path, run: Run, extraction: Extraction) -> None:
    """One page per table (sheet), streamed from content.xml so large sheets stay bounded."""
    _check_zip(path, run)
    with zipfile.ZipFile(path) as archive, archive.open("content.xml") as content:
        number = 0
        lines: list[str] = []
        name = None
        depth = 0  # nesting of tables: only top-level tables are sheets
        keep = True
        for event, element in ElementTree.iterparse(content, events=("start", "end")):
            tag = element.tag
            if tag != TABLE and tag != ROW:
                continue
            if event == "start":
                if tag == TABLE:
                    depth += 1
                    if depth == 1:
                        number += 1
                        name = element.get(_q("table", "name"))
                        lines = []
                        keep = number <= run.limits.max_pages and not run.full
                        if keep and run.timed_out():
                            run.cut_once(f"timed out after {run.limits.timeout_seconds:g} s before sheet {number}")
                            keep = False
                continue
            if tag == ROW and depth == 1 and keep:
                line = render_row(_ods_cells(element))
                if line:
                    repeat = min(_count(element, _q("table", "number-rows-repeated")), MAX_REPEAT)
                    lines.extend(run.take(line) for _ in range(repeat))
                element.clear()
            elif tag == TABLE:
                depth -= 1
                if depth == 0:
                    if keep:
                        extraction.pages.append(PageText(number, "\n".join(lines), label=name))
                    element.clear()
    extraction.page_count = number
    if number > run.limits.max_pages:
        run.cut_once(f"kept the first {run.limits.max_pages} of {number} sheets (page limit)")


def _ods_cells(row) -> list[str]:
    cells: list[str] = []
    pending_empty = 0
    for cell in row:
        if cell.tag not in (CELL, COVERED):
            continue
        repeat = _count(cell, _q("table", "number-columns-repeated"))
        value = _ods_value(cell)
        if not value:
            pending_empty += repeat
            continue
        cells.extend([""] * min(pending_empty, MAX_REPEAT))
        pending_empty = 0
        cells.extend([value] * min(repeat, MAX_REPEAT))
    return cells


def _count(element, attribute: str) -> int:
    """A repeat count an ODF attribute gives (1 when absent, or not a whole number in ASCII digits)."""
    return ascii_int(element.get(attribute)) or 1


def _ods_value(cell) -> str:
    value_type = cell.get(_q("office", "value-type"))
    value = cell.get(_q("office", "value"))
    if value_type in ("float", "percentage", "currency") and value is not None:
        try:
            number = float(value)
        except ValueError:
            return _odf_text(cell)
        if value_type == "percentage":
            return format_number(round(number * 100, 8)) + "%"
        if value_type == "currency":
            symbol = CURRENCY_SYMBOLS.get(cell.get(_q("office", "currency"), ""), "")
            return symbol + format_number(number)
        return format_number(number)
    if value_type == "date":
        date = cell.get(_q("office", "date-value"), "")
        return date[:10] if date.endswith("T00:00:00") or len(date) == 10 else date.replace("T", " ")[:16]
    return " ".join(_odf_text(cell).split())


def _odf_text(element) -> str:
    """Text of an ODF element: ``text:s`` as spaces, tabs and line breaks kept, notes skipped."""
    parts: list[str] = []

    def walk(node) -> None:
        if node.text:
            parts.append(node.text)
        for child in node:
            if child.tag == SPACE:
                parts.append(" " * min(_count(child, _q("text", "c")), 100))
            elif child.tag == TAB:
                parts.append("\t")
            elif child.tag == BREAK:
                parts.append("\n")
            elif child.tag == NOTE:
                pass
            elif child.tag in (PARA, HEADING):
                if parts and not parts[-1].endswith("\n"):
                    parts.append("\n")
                walk(child)
            else:
                walk(child)
            if child.tail:
                parts.append(child.tail)

    walk(element)
    return "".join(parts).strip()


def extract_odt(path: Path, run: Run, extraction: Extraction) -> None:
    """Paragraphs and headings in order, tables as ``a | b`` rows."""
    _check_zip(path, run)
    with zipfile.ZipFile(path) as archive, archive.open("content.xml") as content:
        root = ElementTree.parse(content).getroot()
    body = root.find("office:body/office:text", _NS)
    blocks: list[str] = []
    if body is not None:
        _odt_blocks(body, blocks, run)
    extraction.pages = [PageText(1, "\n\n".join(blocks))]
    extraction.page_count = 1


def _odt_blocks(node, blocks: list[str], run: Run) -> None:
    for child in node:
        if run.full:
            return
        if child.tag in (PARA, HEADING):
            text = " ".join(_odf_text(child).split())
            if text:
                blocks.append(run.take(text))
        elif child.tag == TABLE:
            rows = []
            for row in child.iter(ROW):
                cells = [" ".join(_odf_text(cell).split()) for cell in row if cell.tag == CELL]
                line = render_row(cells)
                if line:
                    rows.append(line)
            if rows:
                blocks.append(run.take("\n".join(rows)))
        else:
            _odt_blocks(child, blocks, run)


EXTRACTORS: dict[str, Callable[[Path, Run, Extraction], None]] = {
    "docx": extract_docx,
    "xlsx": extract_xlsx,
    "xls": extract_xls,
    "ods": extract_ods,
    "odt": extract_odt,
}
