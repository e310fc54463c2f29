"""Reading and writing tables: CSV and XLSX.

- Import: CSV in UTF-8 (with or without BOM) or GB18030 (a superset of GBK and GB2312, what Excel
  on a Chinese Windows saves as "CSV"); XLSX through openpyxl (first sheet, values not formulas).
  Every row comes back as a list of strings (``""`` for an empty cell), numbers as Excel shows them
  (a phone typed as a number stays ``13800138000``, not ``1.38e10``).
- Export: CSV with a UTF-8 BOM (Excel opens it as UTF-8) and XLSX. Every text cell that a
  spreadsheet would run as a formula (first character ``= + - @``, tab or CR) is written with a
  leading apostrophe (CUS-74): ``=1+1`` → ``'=1+1``.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator
from decimal import Decimal
from pathlib import Path

FORMATS = ("csv", "xlsx")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class FileProblem(ValueError):
    """The file as a whole cannot be read (encoding, format, no header)."""

    def __init__(self, en: str, zh: str):
        super().__init__(en)
        self.en, self.zh = en, zh


def decode_csv(data: bytes) -> str:
    """UTF-8 (BOM optional), else GB18030; anything else is a :class:`FileProblem`."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise FileProblem("the file is neither UTF-8 nor GBK/GB18030 text: save it as CSV UTF-8 or XLSX",
                          "文件既不是UTF-8也不是GBK/GB18030编码：请另存为“CSV UTF-8”或XLSX格式") from None


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def read_rows(path: Path, fmt: str) -> Iterator[list[str]]:
    """The rows of the file, header first."""
    if fmt == "csv":
        text = decode_csv(path.read_bytes())
        for row in csv.reader(io.StringIO(text, newline="")):
            yield [cell.strip() for cell in row]
        return
    if fmt == "xlsx":
        from openpyxl import load_workbook

        try:
            book = load_workbook(path, read_only=True, data_only=True)
        except Exception as err:  # openpyxl raises several kinds for a damaged or foreign file
            raise FileProblem(f"not a readable XLSX file ({type(err).__name__})", "不是可读取的XLSX文件") from err
        try:
            sheet = book.worksheets[0]
            width = 0
            for row in sheet.iter_rows(values_only=True):
                cells = [_cell_text(v) for v in row]
                width = width or len(cells)  # read-only sheets drop trailing empty cells: pad to the header
                yield cells + [""] * (width - len(cells))
        finally:
            book.close()
        return
    raise FileProblem(f"unknown format {fmt!r}: csv or xlsx", f"不支持的格式{fmt}：请用CSV或XLSX")


def neutralise_cell(value):
    """A cell value safe to open in a spreadsheet (CUS-74): text starting like a formula gets a
    leading apostrophe; numbers, dates and other values pass unchanged."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _csv_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def write_csv(path: Path, header: list[str], rows: Iterable[list]) -> int:
    """UTF-8 with BOM, CRLF line ends (Excel), formulas neutralised. Returns the number of rows."""
    count = 0
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow([neutralise_cell(h) for h in header])
        for row in rows:
            writer.writerow([_csv_value(neutralise_cell(v)) for v in row])
            count += 1
    return count


def write_xlsx(path: Path, header: list[str], rows: Iterable[list], title: str = "客户") -> int:
    """One sheet; text cells are written as text (never as formulas)."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title)
    sheet.append([neutralise_cell(h) for h in header])
    count = 0
    for row in rows:
        sheet.append([neutralise_cell(v.replace(tzinfo=None) if isinstance(v, dt.datetime) else v) for v in row])
        count += 1
    book.save(path)
    return count
