"""French and English complete: every message the code marks for translation has a French
translation that is not fuzzy, and the compiled catalogue matches it."""

import gettext
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parent.parent
FR_PO = ROOT / "locale" / "fr" / "LC_MESSAGES" / "django.po"
FR_MO = FR_PO.with_suffix(".mo")
# Every app of the project (a folder with an apps.py), the project package and the templates.
SOURCE_DIRS = sorted({p.parent.name for p in ROOT.glob("*/apps.py")} | {"cobudget", "templates"})


def _extracted_msgids(tmp_path) -> set[tuple[str | None, str]]:
    """Run makemessages on a copy of the sources and read what it extracts."""
    for name in SOURCE_DIRS:
        src = ROOT / name
        if src.exists():
            shutil.copytree(src, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__", "migrations"))
    shutil.copy(ROOT / "manage.py", tmp_path / "manage.py")
    (tmp_path / "locale").mkdir()
    result = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "fr", "--no-obsolete", "--no-location"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    po = polib.pofile(str(tmp_path / "locale" / "fr" / "LC_MESSAGES" / "django.po"))
    return {(entry.msgctxt, entry.msgid) for entry in po if not entry.obsolete}


def test_every_french_message_is_translated_and_not_fuzzy():
    po = polib.pofile(str(FR_PO))
    missing = [e.msgid for e in po if not e.obsolete and not e.translated()]
    fuzzy = [e.msgid for e in po if "fuzzy" in e.flags and not e.obsolete]
    assert not missing, f"{len(missing)} messages lack a French translation, e.g. {missing[:5]}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy messages, e.g. {fuzzy[:5]}"


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="Debian's gettext is not installed (apt-get install gettext)")
def test_the_french_catalogue_covers_every_message_in_the_code(tmp_path):
    po = polib.pofile(str(FR_PO))
    known = {(e.msgctxt, e.msgid) for e in po if not e.obsolete}
    extracted = _extracted_msgids(tmp_path)
    absent = sorted(msgid for ctx, msgid in extracted - known)
    assert not absent, f"{len(absent)} messages are not in locale/fr (run make messages), e.g. {absent[:8]}"


def test_the_compiled_catalogue_matches_the_po_file():
    po = polib.pofile(str(FR_PO))
    with FR_MO.open("rb") as handle:
        mo = gettext.GNUTranslations(handle)
    stale = []
    for entry in po:
        if entry.obsolete or not entry.translated() or entry.msgid_plural:
            continue
        key = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid
        if mo._catalog.get(key) != entry.msgstr:
            stale.append(entry.msgid)
    assert not stale, f"locale/fr .mo is stale (run make messages): {stale[:5]}"
