"""Pure rules of attachments (no database, no clock, no files): what a file is, whether it may be kept,
and the name it is shown under.

- :func:`sniff` — the file's type from its first bytes (magic numbers), never from the client's
  ``Content-Type`` or the file name: JPEG, PNG, WebP, GIF, PDF and HEIC/HEIF. Anything else (SVG,
  HTML, scripts, executables, office files, archives) is ``None`` and refused.
- :func:`check_type` / :func:`check_size` — the tenant's limits (``svc.attachments.types`` and
  ``.max_mb``, never above the platform's ``KEHU_ATTACHMENT_MAX_MB``); a refusal is a 422 naming ``file``.
- :func:`sanitise_filename` / :func:`display_name` — the name shown and offered on download: the last
  path component only, no control or format characters, no characters that are unsafe in file names,
  Chinese and other letters kept, at most :data:`MAX_NAME` characters, ending with the extension of
  the sniffed type.
"""
from __future__ import annotations

import re
import unicodedata

from core.errors import InvalidInput

#: type code → (content type, extensions, shown inline in a browser)
TYPES = {
    "jpeg": ("image/jpeg", (".jpg", ".jpeg"), True),
    "png": ("image/png", (".png",), True),
    "webp": ("image/webp", (".webp",), True),
    "gif": ("image/gif", (".gif",), True),
    "pdf": ("application/pdf", (".pdf",), False),
    "heic": ("image/heic", (".heic", ".heif"), False),
}
DEFAULT_TYPES = ["jpeg", "png", "webp", "pdf"]
KINDS = ("photo", "scan", "signed_form", "document", "other")
#: bytes :func:`sniff` needs to recognise every type
HEAD = 32
MAX_NAME = 120
MB = 1024 * 1024

_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs", b"mif1", b"msf1"}
_UNSAFE = re.compile(r'[<>:"|?*\\/]')
_SPACES = re.compile(r"\s+")
_KNOWN_EXTENSIONS = {ext for _, exts, _ in TYPES.values() for ext in exts}


def sniff(head: bytes) -> str | None:
    """The type code of a file that starts with ``head`` (at least :data:`HEAD` bytes when the file
    has them), or ``None`` when it is none of :data:`TYPES`."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS:
        return "heic"
    return None


def content_type(code: str) -> str:
    return TYPES[code][0]


def inline(code: str) -> bool:
    """Whether a browser may show the file in place (images it can render); others are downloaded."""
    return TYPES[code][2]


def type_of_content(content_type_: str) -> str | None:
    return next((code for code, (ct, _, _) in TYPES.items() if ct == content_type_), None)


def _refused(en: str, zh: str) -> InvalidInput:
    return InvalidInput(en, fields={"file": [en]}, reason_zh=zh)


def check_type(code: str | None, allowed) -> str:
    """``code`` when the tenant accepts it; otherwise a 422 on ``file`` naming the accepted types."""
    names = ", ".join(allowed)
    if code is None:
        raise _refused(f"not an accepted file type: upload one of {names}",
                       f"不支持的文件类型，请上传：{names}")
    if code not in allowed:
        raise _refused(f"{code} files are not accepted here: upload one of {names}",
                       f"不接受{code}文件，请上传：{names}")
    return code


def limit_bytes(tenant_max_mb: int, platform_max_mb: int) -> int:
    """The largest file kept: the tenant's limit, never above the platform's."""
    return min(int(tenant_max_mb), int(platform_max_mb)) * MB


def check_size(size: int, max_bytes: int) -> int:
    """``size`` when 1 ≤ size ≤ ``max_bytes``; otherwise a 422 on ``file``."""
    if size <= 0:
        raise _refused("the file is empty", "文件为空")
    if size > max_bytes:
        limit = max_bytes / MB
        shown = f"{limit:g}"
        raise _refused(f"the file is larger than {shown} MB", f"文件超过{shown} MB")
    return size


def sanitise_filename(raw: str | None) -> str:
    """The client's file name made safe to show and to offer on download: the last path component
    (``/`` or ``\\``), NFC, without control and format characters (incl. bidirectional overrides),
    ``<>:"|?*`` replaced by ``_``, spaces collapsed, no leading dots, at most :data:`MAX_NAME`
    characters (the extension kept). Letters of every script are kept. Empty → ``file``."""
    name = unicodedata.normalize("NFC", raw or "")
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"))
    name = _UNSAFE.sub("_", name)
    name = _SPACES.sub(" ", name).strip().lstrip(".").strip()
    if not name:
        return "file"
    if len(name) > MAX_NAME:
        stem, dot, ext = name.rpartition(".")
        if dot and stem and len(ext) <= 10:
            name = stem[:MAX_NAME - len(ext) - 1].rstrip() + "." + ext
        else:
            name = name[:MAX_NAME].rstrip()
    return name


def display_name(raw: str | None, code: str) -> str:
    """:func:`sanitise_filename`, ending with an extension of the sniffed type: a wrong known
    extension is replaced (``scan.jpg`` holding a PNG → ``scan.png``), an unknown one kept and the
    right one added (``报修单.exe`` holding a PDF → ``报修单.exe.pdf``)."""
    name = sanitise_filename(raw)
    extensions = TYPES[code][1]
    stem, dot, ext = name.rpartition(".")
    suffix = ("." + ext.lower()) if dot and stem else ""
    if suffix in extensions:
        return name
    if suffix in _KNOWN_EXTENSIONS:
        name = stem
    name = name[:MAX_NAME - len(extensions[0])].rstrip()
    return name + extensions[0]
