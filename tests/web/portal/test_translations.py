"""Chinese first: every text of the portal (and of the plugins' pages) has its Simplified Chinese
translation in a catalog; Traditional Chinese is derived from it, with overrides."""
from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir

from web.portal.i18n import CORE_FOLDER, read_catalogs, texts_for

ROOT = Path(__file__).resolve().parents[3]
METHODS = [("**/templates/**.html", "jinja2.ext:babel_extract"), ("**.py", "python")]
OPTIONS = {"**/templates/**.html": {"extensions": "jinja2.ext.do"}}


def _message_ids(folder: Path) -> dict[str, str]:
    found = {}
    for filename, _lineno, message, _comments, _context in extract_from_dir(
            str(folder), METHODS, OPTIONS, keywords={"_": None, "gettext": None, "lazy_gettext": None}):
        ids = message if isinstance(message, tuple) else (message,)
        for msgid in ids:
            if msgid:
                found.setdefault(msgid, filename)
    return found


def _plugin_folders() -> list[tuple[Path, Path]]:
    """(code folder, translations folder) of every plugin package of this repository."""
    pairs = []
    for package in sorted((ROOT / "plugins").iterdir()):
        if (package / "translations").is_dir():
            pairs.append((package, package / "translations"))
    return pairs


def test_every_portal_text_has_a_chinese_translation():
    texts = read_catalogs([CORE_FOLDER], "zh_Hans")
    missing = {msgid: where for msgid, where in _message_ids(ROOT / "web").items() if msgid not in texts}
    assert missing == {}, "add these to a catalog in web/translations/zh_Hans/"


def test_every_plugin_page_text_has_a_chinese_translation():
    for code, catalogs in _plugin_folders():
        texts = read_catalogs([CORE_FOLDER, catalogs], "zh_Hans")
        missing = {m: w for m, w in _message_ids(code).items() if m not in texts}
        assert missing == {}, f"add these to {catalogs}/zh_Hans/"


def test_traditional_chinese_is_derived_with_taiwan_wording_and_overrides():
    hant = texts_for([CORE_FOLDER], "zh_Hant")
    assert hant["Log out"] == "登出"  # an override in zh_Hant/core.po
    assert hant["Wrong username or password."] == "使用者名稱或密碼錯誤。"
    hans = read_catalogs([CORE_FOLDER], "zh_Hans")
    assert set(hans) <= set(hant)  # nothing is missing in Traditional


def test_no_text_is_translated_twice_in_different_words():
    """Each part keeps its own catalog; a message id found in two catalogs must read the same in both
    (otherwise which one wins depends on file names)."""
    from babel.messages.pofile import read_po

    seen: dict[str, tuple[str, str]] = {}
    clashes = []
    for po in sorted((CORE_FOLDER / "zh_Hans").glob("*.po")):
        with po.open("rb") as fh:
            for message in read_po(fh):
                if not message.id or not message.string:
                    continue
                key = f"{message.context}|{message.id}" if message.context else message.id
                first = seen.setdefault(key, (po.name, message.string))
                if first[1] != message.string:
                    clashes.append(f"{message.id!r}: {first[0]} {first[1]!r} vs {po.name} {message.string!r}")
    assert clashes == []


def test_every_literal_field_message_of_the_domain_has_a_chinese_translation():
    """A refusal's field message (``InvalidInput(..., fields={"x": ["..."]})`` in core/) is shown next to
    its field in the portal: each literal one has its Chinese in a catalog (domain.po or a part's)."""
    import re

    texts = read_catalogs([CORE_FOLDER], "zh_Hans")
    pattern = re.compile(r'fields=\{"[a-z_.]+": \["([^"{}]+)"\]')
    missing = {}
    for path in (ROOT / "core").rglob("*.py"):
        for message in pattern.findall(path.read_text(encoding="utf-8")):
            if message not in texts:
                missing.setdefault(message, str(path.relative_to(ROOT)))
    assert missing == {}, "add these to web/translations/zh_Hans/domain.po"
