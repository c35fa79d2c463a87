"""The text MuPDF gives a PDF, through PyMuPDF (MuPDF 1.2x, as SumatraPDF
and other current MuPDF viewers read it; Debian's `mutool` is 1.21): each
page's text as `page.get_text()` gives it, pages ended by a form feed, as
tests/pdfjs/extract.mjs does. Usage: python3 extract.py FILE.pdf"""

import sys

import pymupdf

with pymupdf.open(sys.argv[1]) as document:
    for page in document:
        sys.stdout.write(page.get_text())
        sys.stdout.write("\f")
