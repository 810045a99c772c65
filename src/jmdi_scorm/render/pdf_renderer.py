"""Whether WeasyPrint can make PDFs here, which one, and the fonts it sees: what a PDF's cache
key and a build record depend on. Light on imports (WeasyPrint is imported only by
:func:`unavailable`): the CLI's build record reads it before the build."""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import importlib.metadata
import os
from pathlib import Path


def unavailable() -> str | None:
    """Why WeasyPrint cannot make PDFs on this machine, or None if it can."""
    try:
        import weasyprint  # loads Pango, HarfBuzz and fontconfig
    except ImportError as exc:
        return f"WeasyPrint is not installed ({exc}); pip install 'jmdi-scorm[pdf]'"
    except OSError as exc:  # a missing system library: cffi cannot dlopen it
        return f"WeasyPrint cannot load its system libraries ({exc}); run scripts/setup.sh"
    try:
        from weasyprint.urls import URLFetcher, URLFetcherResponse  # noqa: F401 - WeasyPrint 68+
    except ImportError:
        return f"WeasyPrint {weasyprint.__version__} is too old (68 or later is needed)"
    return None


def not_installed() -> str | None:
    """Why there can be no PDFs, if WeasyPrint is not even installed; None if it is. Cheap (no
    import of WeasyPrint, ~1 s): a build that reuses every PDF from the cache never imports it, and
    ``pdf.module_pdfs`` raises ``pdf.Unavailable`` if one is to be rendered and WeasyPrint cannot."""
    try:
        importlib.metadata.version("weasyprint")
    except importlib.metadata.PackageNotFoundError:
        return unavailable()  # perhaps importable all the same (a source checkout on sys.path)
    return None


def renderer_versions() -> str:
    """The versions of WeasyPrint and pydyf (its PDF writer), from their metadata: no import."""
    versions = []
    for name in ("weasyprint", "pydyf"):
        try:
            versions.append(f"{name} {importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:  # importable without metadata
            versions.append(f"{name} {importlib.import_module(name).__version__}")
    return ", ".join(versions)


#: Where fontconfig finds the system fonts the print style sheet falls back to (``sans-serif``),
#: and its configuration (which font ``sans-serif`` is).
FONT_PLACES = (
    "/etc/fonts",
    "/usr/share/fonts",
    "/usr/local/share/fonts",
    "~/.fonts",
    "~/.local/share/fonts",
    "~/.config/fontconfig",
    "/System/Library/Fonts",
    "/Library/Fonts",
    "~/Library/Fonts",
)


def system_fonts() -> str:
    """A fingerprint of the installed fonts and fontconfig's settings: the name, size and time of
    every file under :data:`FONT_PLACES` (a few milliseconds for hundreds of fonts)."""
    digest = hashlib.sha256()
    for place in FONT_PLACES:
        for folder, dirs, names in os.walk(Path(place).expanduser()):
            dirs.sort()
            for name in sorted(names):
                path = Path(folder, name)
                with contextlib.suppress(OSError):
                    info = path.stat()
                    digest.update(f"{path}\0{info.st_size}\0{info.st_mtime_ns}\n".encode())
    return digest.hexdigest()
