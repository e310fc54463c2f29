"""The portal's translations, read from the ``.po`` catalogs themselves (no compiled ``.mo`` to go stale).

Message ids are English. Each part of the portal keeps its Simplified Chinese texts in a catalog of its
own, ``<folder>/zh_Hans/<part>.po`` (core: ``web/translations``; a plugin: the ``translations`` folder of
its :class:`~core.plugins.records.PortalPages`), so parts are translated side by side without touching
one file. Traditional Chinese is derived from the Simplified texts (OpenCC, Taiwan phrasing), and
``<folder>/zh_Hant/*.po`` overrides a derived text where a reader expects other wording. English shows
the message ids.
"""
from __future__ import annotations

import io
import threading
from collections.abc import Iterable
from pathlib import Path

from babel import support
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask_babel import Domain, get_locale
from opencc import OpenCC

CORE_FOLDER = Path(__file__).resolve().parents[1] / "translations"
_to_traditional = OpenCC("s2twp")


CONTEXT_SEPARATOR = "\x04"  # gettext's: a message with a context (msgctxt) is keyed "<context>\x04<msgid>"


def read_catalogs(folders: Iterable[Path], locale: str) -> dict[str, str]:
    """``{msgid: text}`` of every ``<folder>/<locale>/*.po``; an empty translation is left out. A message
    with a context (``msgctxt "policy"``, read with ``pgettext("policy", ...)``) is keyed
    ``"policy\x04<msgid>"``: the same English word may read differently in another context."""
    texts: dict[str, str] = {}
    for folder in folders:
        for po in sorted((Path(folder) / locale).glob("*.po")):
            with po.open("rb") as fh:
                for message in read_po(fh):
                    if message.id and message.string:
                        key = f"{message.context}{CONTEXT_SEPARATOR}{message.id}" if message.context else message.id
                        texts[key] = message.string
    return texts


def texts_for(folders: Iterable[Path], locale: str) -> dict[str, str]:
    folders = list(folders)
    if locale == "zh_Hans":
        return read_catalogs(folders, "zh_Hans")
    if locale == "zh_Hant":
        derived = {k: _to_traditional.convert(v) for k, v in read_catalogs(folders, "zh_Hans").items()}
        derived.update(read_catalogs(folders, "zh_Hant"))
        return derived
    return {}


def _translations(texts: dict[str, str]) -> support.Translations:
    catalog = Catalog(locale="zh")
    for key, text in texts.items():
        context, _sep, msgid = key.rpartition(CONTEXT_SEPARATOR)
        catalog.add(msgid, text, context=context or None)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return support.Translations(fp=buffer)


class CatalogDomain(Domain):
    """Flask-Babel's domain, fed from the ``.po`` files of the core and of every plugin with pages."""

    def __init__(self, folders: Iterable[Path]):
        super().__init__()
        self.folders = [Path(f) for f in folders]
        self._built: dict[str, support.Translations] = {}
        self._lock = threading.Lock()

    def get_translations(self):
        locale = str(get_locale() or "zh_Hans")
        built = self._built.get(locale)
        if built is None:
            with self._lock:
                built = self._built.get(locale)
                if built is None:
                    texts = texts_for(self.folders, locale)
                    built = _translations(texts) if texts else support.NullTranslations()
                    self._built[locale] = built
        return built
