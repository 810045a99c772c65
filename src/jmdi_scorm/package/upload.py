"""How large a package may be to upload it into an LMS on stock settings (docs/moodle.md, Upload size).

The import sheets, the build's summary note and ``jmdi-scorm check`` all measure a zip against
:data:`UPLOAD_LIMIT` and give the same advice when it is over.
"""

from __future__ import annotations

#: PHP's built-in default for ``upload_max_filesize``, ``2M``: 2 MiB. Moodle refuses an uploaded
#: file larger than the smallest of that PHP setting, PHP's ``post_max_size`` (default ``8M``),
#: the site's "Maximum uploaded file size" and the course's "Maximum upload size"; on a server
#: whose PHP keeps its defaults, a package over 2 MiB does not upload. PHP takes a file of exactly
#: this size.
UPLOAD_LIMIT = 2 * 1024 * 1024
UPLOAD_LIMIT_TEXT = f"{UPLOAD_LIMIT / 1024 / 1024:g} MiB"

#: What an administrator changes so that a larger package uploads (docs/moodle.md).
RAISE_LIMIT = (
    "raise Moodle's upload limit (PHP's upload_max_filesize and post_max_size, then the site's "
    "Maximum uploaded file size and the course's Maximum upload size; docs/moodle.md)"
)


def over_upload_limit(size: int) -> bool:
    """Whether a zip of ``size`` bytes is too large for PHP's default upload limit."""
    return size > UPLOAD_LIMIT


def over_limit_text(them: str) -> str:
    """``over 2 MiB (…: a Moodle with stock PHP settings refuses <them>)``: why a size is a problem."""
    return f"over {UPLOAD_LIMIT_TEXT} (PHP's default upload limit: a Moodle with stock PHP settings refuses {them})"


def mib(size: int) -> str:
    """``size`` bytes in MiB with two decimals (``2.15 MiB``)."""
    return f"{size / 1024 / 1024:.2f} MiB"


def size_text(size: int) -> str:
    """``2.15 MiB (2,250,484 bytes)``."""
    return f"{mib(size)} ({size:,} bytes)"


def smaller_builds(split: bool = False, pdfs: bool = True, quote: str = "") -> str:
    """The build options that make smaller packages, leaving out those already used (``split``:
    the build was ``--split module``; ``pdfs``: its packages hold the module PDFs); ``quote``
    goes around each option (a backtick in Markdown). Empty when there is none left."""
    ways = []
    if not split:
        ways.append(f"{quote}--split module{quote} (one package per module{', with its own PDF' if pdfs else ''})")
    if pdfs:
        ways.append(f"{quote}--no-pdf{quote} (no module PDFs: the module pages link their printable pages)")
    return " or ".join(ways)


def advice(split: bool = False, pdfs: bool = True) -> str:
    """What to do about a package over :data:`UPLOAD_LIMIT` (``smaller_builds`` for the options)."""
    smaller = smaller_builds(split, pdfs)
    return RAISE_LIMIT + (f", or build smaller packages with {smaller}" if smaller else "")
