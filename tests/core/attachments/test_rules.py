"""Pure attachment rules: type from the bytes, tenant limits, file names."""
from __future__ import annotations

import pytest

from core.attachments import rules
from core.attachments.settings import AttachmentSettingsSchema
from core.errors import InvalidInput
from tests.core.attachments.files import EXE, HTML, SVG, heic_head, jpeg_head, pdf_bytes, png_bytes, webp_head


@pytest.mark.parametrize("head,code", [
    (jpeg_head(), "jpeg"), (png_bytes(), "png"), (webp_head(), "webp"), (b"GIF87a\x01\x00", "gif"),
    (b"GIF89a\x01\x00", "gif"), (pdf_bytes(), "pdf"), (heic_head(), "heic"),
    (EXE, None), (HTML, None), (SVG, None), (b"", None), (b"\xff\xd8", None),
    (b"PK\x03\x04" + b"\x00" * 30, None),  # zip / docx
    (b"RIFF\x24\x00\x00\x00WAVEfmt ", None),  # a RIFF that is not WebP
    (b"\x00\x00\x00\x18ftypavif" + b"\x00" * 20, None),  # AVIF is not HEIC
    (b"  %PDF-1.4", None),  # the magic must open the file
    (b"<svg xmlns='http://www.w3.org/2000/svg'/>", None),
])
def test_sniff(head, code):
    assert rules.sniff(head[:rules.HEAD]) == code


def test_content_types_and_inline():
    assert [rules.content_type(c) for c in ("jpeg", "png", "webp", "gif", "pdf", "heic")] == [
        "image/jpeg", "image/png", "image/webp", "image/gif", "application/pdf", "image/heic"]
    assert [c for c in rules.TYPES if rules.inline(c)] == ["jpeg", "png", "webp", "gif"]
    assert rules.type_of_content("application/pdf") == "pdf" and rules.type_of_content("text/html") is None


def test_check_type_names_file_and_the_accepted_types():
    assert rules.check_type("pdf", ["jpeg", "pdf"]) == "pdf"
    with pytest.raises(InvalidInput) as refused:
        rules.check_type(None, ["jpeg", "pdf"])
    assert refused.value.fields == {"file": ["not an accepted file type: upload one of jpeg, pdf"]}
    assert refused.value.extra["reason_zh"] == "不支持的文件类型，请上传：jpeg, pdf"
    with pytest.raises(InvalidInput) as refused:
        rules.check_type("gif", ["jpeg", "pdf"])
    assert refused.value.fields == {"file": ["gif files are not accepted here: upload one of jpeg, pdf"]}


def test_limits():
    assert rules.limit_bytes(10, 20) == 10 * 1024 * 1024
    assert rules.limit_bytes(50, 20) == 20 * 1024 * 1024  # never above the platform's cap
    limit = rules.limit_bytes(10, 20)
    assert rules.check_size(limit, limit) == limit
    assert rules.check_size(1, limit) == 1
    with pytest.raises(InvalidInput) as refused:
        rules.check_size(limit + 1, limit)
    assert refused.value.fields == {"file": ["the file is larger than 10 MB"]}
    with pytest.raises(InvalidInput) as refused:
        rules.check_size(0, limit)
    assert refused.value.fields == {"file": ["the file is empty"]}


def test_settings_defaults_and_validation():
    assert AttachmentSettingsSchema().load({}) == {"max_mb": 10, "types": ["jpeg", "png", "webp", "pdf"]}
    assert AttachmentSettingsSchema().validate({"types": ["svg"]})
    assert AttachmentSettingsSchema().validate({"types": []})
    assert AttachmentSettingsSchema().validate({"max_mb": 0})


@pytest.mark.parametrize("raw,clean", [
    ("现场照片.jpg", "现场照片.jpg"),
    ("C:\\Users\\王\\Desktop\\报修单.pdf", "报修单.pdf"),
    ("../../etc/passwd", "passwd"),
    ("a\x00b\x1fc\u202egpj.exe", "abcgpj.exe"),  # control chars and the right-to-left override gone
    ('a<b>c:"d|e?f*.png', "a_b_c__d_e_f_.png"),
    ("   ..隐藏  文件 .png  ", "隐藏 文件 .png"),
    ("", "file"), (None, "file"), ("...", "file"), ("/", "file"),
    ("ｆｕｌｌ.png", "ｆｕｌｌ.png"),
    ("e\u0301.png", "\u00e9.png"),  # NFC
])
def test_sanitise_filename(raw, clean):
    assert rules.sanitise_filename(raw) == clean


def test_long_names_are_cut_keeping_the_extension():
    name = rules.sanitise_filename("检" * 300 + ".pdf")
    assert len(name) == rules.MAX_NAME and name.endswith("检.pdf")
    assert len(rules.sanitise_filename("x" * 300)) == rules.MAX_NAME


@pytest.mark.parametrize("raw,code,shown", [
    ("现场.jpg", "jpeg", "现场.jpg"), ("现场.JPEG", "jpeg", "现场.JPEG"),
    ("scan.jpg", "png", "scan.png"),  # a known but wrong extension is replaced
    ("报修单.exe", "pdf", "报修单.exe.pdf"),  # an unknown one is kept, the right one added
    ("noext", "pdf", "noext.pdf"), (None, "heic", "file.heic"), (".png", "png", "png.png"),
])
def test_display_name_follows_the_bytes(raw, code, shown):
    assert rules.display_name(raw, code) == shown


def test_display_name_of_a_long_name_stays_within_the_cap():
    assert len(rules.display_name("长" * 200 + ".doc", "pdf")) <= rules.MAX_NAME
