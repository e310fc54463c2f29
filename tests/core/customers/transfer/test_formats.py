"""Reading and writing customer files: encodings, formulas (CUS-74), header aliases, row bodies."""
import datetime as dt

import pytest
from hypothesis import given, strategies as st

from core.customers.transfer.columns import map_header, row_body
from core.customers.transfer.formats import FileProblem, decode_csv, neutralise_cell, read_rows, write_csv, write_xlsx


def test_csv_encodings_utf8_bom_and_gb18030():
    text = "姓名,手机\r\n陳小明,13800138000\r\n"
    assert decode_csv(b"\xef\xbb\xbf" + text.encode("utf-8")) == text
    assert decode_csv(text.encode("utf-8")) == text
    assert decode_csv(text.encode("gbk")) == text  # what Excel on a Chinese Windows saves
    assert decode_csv(text.encode("gb18030")) == text
    with pytest.raises(FileProblem):
        decode_csv(b"\x81\x30\xff\xff")


@pytest.mark.parametrize("value, expected", [
    ("=1+1", "'=1+1"), ("+86 138", "'+86 138"), ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1", "'\t=1"), ("\r=1", "'\r=1"), ("王小明", "王小明"), ("1+1", "1+1"), (42, 42), (None, None),
])
def test_neutralise_cell_cus74(value, expected):
    assert neutralise_cell(value) == expected


@given(st.text(max_size=30))
def test_neutralised_text_never_starts_like_a_formula(value):
    out = neutralise_cell(value)
    assert not out.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert out in (value, "'" + value)


def test_written_csv_and_xlsx_read_back(tmp_path):
    rows = [[1, "王小明", "=1+1", dt.date(1949, 12, 31)], [2, "华信", None, None]]
    write_csv(tmp_path / "x.csv", ["id", "名称", "备注", "生日"], rows)
    assert (tmp_path / "x.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert list(read_rows(tmp_path / "x.csv", "csv")) == [
        ["id", "名称", "备注", "生日"], ["1", "王小明", "'=1+1", "1949-12-31"], ["2", "华信", "", ""]]
    write_xlsx(tmp_path / "x.xlsx", ["id", "名称", "备注", "生日"], rows)
    assert list(read_rows(tmp_path / "x.xlsx", "xlsx")) == [
        ["id", "名称", "备注", "生日"], ["1", "王小明", "'=1+1", "1949-12-31"], ["2", "华信", "", ""]]


def test_header_aliases_in_chinese_and_english():
    mapping, unknown = map_header(["客户姓名", " Mobile ", "固定电话", "身份证号码", "微信", "名称"])
    assert mapping == {0: "name", 1: "mobile", 2: "landline", 3: "resident_id"}  # the second name column is ignored
    assert unknown == ["微信"]


def test_row_body_splits_phones_and_reads_labels():
    mapping, _ = map_header(["姓名", "手机", "座机", "类型", "性别", "出生日期"])
    body, errors = row_body(mapping, ["王小明", "13800138000；13900001111", "0830-2345678", "个人", "男", "1990/1/2"])
    assert errors == {}
    assert body["phones"] == [{"number": "13800138000", "kind": "mobile"}, {"number": "13900001111", "kind": "mobile"},
                              {"number": "0830-2345678", "kind": "landline"}]
    assert (body["kind"], body["gender"], body["birth_date"]) == ("person", "male", dt.date(1990, 1, 2))
    _body, errors = row_body(mapping, ["王小明", "", "", "公司?", "未知", "去年"])
    assert set(errors) == {"kind", "gender", "birth_date"}
