"""The text of a PDF's pages, as poppler's ``pdftotext -layout`` reads it.

poppler (Debian's poppler-utils, installed by ``.ci/run``) reads a briefing's
text in about a tenth of the time pypdf takes: pypdf parses every drawing
operator of the vector map page in Python. Each page is returned with its
lines in reading order and the runs of spaces that ``-layout`` puts between
table columns collapsed to one, so a table row reads
``03158 Xã Sín Thầu Trung Quốc 29,6; Lào 28,3 1 8 15 5 29 0``.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest


def page_texts(pdf: Path | str | bytes) -> list[str]:
    """Return the text of each page of ``pdf`` (a path, or the file's bytes)."""
    exe = shutil.which("pdftotext")
    if exe is None:
        pytest.fail("pdftotext not found: the PDF checks need poppler "
                    "(apt-get install -y poppler-utils)")
    data = pdf if isinstance(pdf, bytes) else None
    source = "-" if data is not None else str(pdf)
    out = subprocess.run([exe, "-layout", "-enc", "UTF-8", source, "-"], input=data,
                         capture_output=True, check=True).stdout.decode("utf-8")
    pages = out.split("\f")[:-1]  # every page ends with a form feed
    return ["\n".join(" ".join(line.split()) for line in page.splitlines() if line.strip())
            for page in pages]
