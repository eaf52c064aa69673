"""What a file really is, from its bytes; the name and the declared content type are hints only.

``sniff(path, filename, content_type)`` reads the start of the file (and, for ZIP containers, the
member list) and returns a :class:`Sniffed`: the detected type, the type the name or content type
claimed, and the text encoding when the file is text. Text-family types (HTML, CSV, plain text)
are told apart from the decoded content; the hint only settles CSV against plain text.
"""

from __future__ import annotations

import codecs
import csv
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from pqcheck.text import looks_like_html

HEAD_BYTES = 64 * 1024  # enough for magic numbers, an HTML prologue and a CSV sample

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
IMAGE_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
    (b"II*\x00", "tiff"),
    (b"MM\x00*", "tiff"),
    (b"BM", "bmp"),
)

ENCRYPTED_OFFICE = "password-protected Office document"
DAMAGED_ZIP = "damaged or truncated ZIP container"

# The name or content type a source gives, mapped to our file types.
EXTENSIONS = {
    "pdf": "pdf",
    "docx": "docx",
    "docm": "docx",
    "xlsx": "xlsx",
    "xlsm": "xlsx",
    "xls": "xls",
    "ods": "ods",
    "odt": "odt",
    "csv": "csv",
    "tsv": "csv",
    "txt": "text",
    "text": "text",
    "htm": "html",
    "html": "html",
    "xhtml": "html",
    "doc": "doc",
    "rtf": "rtf",
    "zip": "zip",
    "png": "image",
    "jpg": "image",
    "jpeg": "image",
    "gif": "image",
    "tif": "image",
    "tiff": "image",
    "bmp": "image",
}
MIME_TYPES = {
    "application/pdf": "pdf",
    "application/x-pdf": "pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.ms-excel": "xls",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/vnd.oasis.opendocument.text": "odt",
    "application/msword": "doc",
    "application/rtf": "rtf",
    "text/rtf": "rtf",
    "text/csv": "csv",
    "text/tab-separated-values": "csv",
    "application/csv": "csv",
    "text/plain": "text",
    "text/html": "html",
    "application/xhtml+xml": "html",
    "application/zip": "zip",
}

# Types whose extraction is the same family: a mismatch between them is not worth a note.
_TEXT_FAMILY = {"text", "csv"}

_HTML_MARKERS = re.compile(rb"<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>]|<meta\s[^>]*charset", re.IGNORECASE)
_META_CHARSET = re.compile(rb"""<meta\s[^>]*charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""^<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""")


@dataclass
class Sniffed:
    file_type: str | None  # pdf, docx, xlsx, xls, ods, odt, csv, html, text, doc, rtf, zip, image, or None
    declared_type: str | None  # what the filename or content type said, when either did
    size: int
    encoding: str | None = None  # for text-family files: the codec the content decodes with
    detail: str | None = None  # e.g. "png" for an image, what an unsupported container holds
    encrypted: bool = False  # a password-protected Office file (an OLE2 EncryptedPackage)
    damaged: bool = False  # a container whose structure cannot be read (e.g. a truncated ZIP)

    @property
    def mismatch(self) -> bool:
        """True when the name or content type claimed a different kind of file than the bytes are."""
        if self.declared_type is None or self.file_type is None:
            return False
        if self.declared_type == self.file_type:
            return False
        return not (self.declared_type in _TEXT_FAMILY and self.file_type in _TEXT_FAMILY)


def declared_type(filename: str | None, content_type: str | None) -> str | None:
    """The type a name or a declared content type (MIME type or bare extension) points to."""
    if content_type:
        value = content_type.split(";", 1)[0].strip().lower()
        if value in MIME_TYPES:
            return MIME_TYPES[value]
        if value.lstrip(".") in EXTENSIONS:
            return EXTENSIONS[value.lstrip(".")]
        if value.startswith("image/"):
            return "image"
    if filename:
        suffix = PurePosixPath(filename.replace("\\", "/")).suffix.lower().lstrip(".")
        if suffix in EXTENSIONS:
            return EXTENSIONS[suffix]
    return None


def sniff(path: Path, filename: str | None = None, content_type: str | None = None) -> Sniffed:
    """Detect the type of the file at ``path`` (which must exist and be readable)."""
    size = path.stat().st_size
    hint = declared_type(filename if filename is not None else path.name, content_type)
    with path.open("rb") as handle:
        head = handle.read(HEAD_BYTES)
    result = Sniffed(file_type=None, declared_type=hint, size=size)
    if not head:
        result.file_type = hint if hint in {"text", "csv", "html"} else "text"
        result.encoding = "utf-8"
        return result
    if b"%PDF-" in head[:1024]:
        result.file_type = "pdf"
        return result
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        result.file_type, result.detail = _zip_type(path)
        if result.detail == DAMAGED_ZIP:
            result.damaged = True
            if hint in {"docx", "xlsx", "ods", "odt"}:
                result.file_type = hint  # what it was meant to be; it cannot be checked
        return result
    if head.startswith(OLE2_MAGIC):
        result.file_type, result.detail = _ole2_type(path)
        result.encrypted = result.detail == ENCRYPTED_OFFICE
        return result
    for magic, name in IMAGE_MAGIC:
        if head.startswith(magic) and (name != "bmp" or len(head) > 26):
            result.file_type, result.detail = "image", name
            return result
    if head.startswith(b"{\\rtf"):
        result.file_type = "rtf"
        return result
    encoding = text_encoding(head, truncated=size > len(head))
    if encoding is None:
        return result  # binary we do not know
    result.encoding = encoding
    result.file_type = _text_kind(head, encoding, hint)
    return result


def _zip_type(path: Path) -> tuple[str | None, str | None]:
    """docx, xlsx, ods or odt by their members; any other ZIP file is "zip", with what it is as detail."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            mimetype = b""
            if "mimetype" in names:
                mimetype = archive.read("mimetype")[:100].strip()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, KeyError, NotImplementedError):
        return "zip", DAMAGED_ZIP
    if "word/document.xml" in names:
        return "docx", None
    if "xl/workbook.xml" in names or "xl/workbook.bin" in names:
        return "xlsx", None
    if mimetype == b"application/vnd.oasis.opendocument.spreadsheet":
        return "ods", None
    if mimetype == b"application/vnd.oasis.opendocument.text":
        return "odt", None
    if "ppt/presentation.xml" in names:
        return "zip", "PowerPoint presentation (pptx)"
    if mimetype:
        return "zip", mimetype.decode("ascii", "replace")
    return "zip", None


def _ole2_type(path: Path) -> tuple[str | None, str | None]:
    """Legacy Office (OLE2 compound file): xls if it has a Workbook stream, doc if WordDocument."""
    # Directory entries store stream names in UTF-16LE; the directory is usually near the start,
    # but can be anywhere, so scan the file in chunks (bounded by the size limit checked earlier).
    wanted = {
        "encrypted": ("EncryptedPackage".encode("utf-16-le"),),
        "xls": ("Workbook".encode("utf-16-le"), "Book\x00".encode("utf-16-le")),
        "doc": ("WordDocument".encode("utf-16-le"),),
        "ppt": ("PowerPoint Document".encode("utf-16-le"),),
    }
    tail = b""
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            window = tail + chunk
            for kind, needles in wanted.items():
                if any(needle in window for needle in needles):
                    if kind == "ppt":
                        return None, "legacy PowerPoint file (ppt)"
                    if kind == "encrypted":
                        return None, ENCRYPTED_OFFICE
                    return kind, None
            tail = window[-64:]
    return None, "OLE2 compound file of unknown kind"


def text_encoding(head: bytes, *, truncated: bool = False) -> str | None:
    """The codec that decodes ``head``: a BOM's, a declared one (HTML/XML), UTF-8, else cp1252/latin-1.

    Returns None for binary data (NUL bytes without a UTF-16/32 BOM, or mostly control bytes).
    """
    for bom, codec in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if head.startswith(bom):
            return codec
    sample = head[:8192]
    if b"\x00" in sample:
        return None
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13, 27))
    if controls > len(sample) * 0.05:
        return None
    declared = _META_CHARSET.search(head[:4096]) or _XML_ENCODING.search(head[:200])
    if declared:
        codec = _lookup_codec(declared.group(1).decode("ascii", "ignore"))
        if codec and _decodes(head, codec, truncated):
            return codec
    if _decodes(head, "utf-8", truncated):
        return "utf-8"
    if _decodes(head, "cp1252", truncated):
        return "cp1252"
    return "latin-1"


def _lookup_codec(name: str) -> str | None:
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        return None
    # Web content labelled latin-1/ISO-8859-1 is cp1252 in practice (the WHATWG mapping).
    return "cp1252" if codec in {"latin-1", "iso8859-1", "ascii"} else codec


def _decodes(data: bytes, codec: str, truncated: bool) -> bool:
    """True if ``data`` decodes; a multi-byte sequence cut at the end of a truncated head is allowed."""
    try:
        data.decode(codec)
        return True
    except UnicodeDecodeError as error:
        return truncated and error.start >= len(data) - 4 and _decodes(data[: error.start], codec, False)


def _text_kind(head: bytes, encoding: str, hint: str | None) -> str:
    """html, csv or text, from the decoded start of the file; ``hint`` settles csv against text."""
    if _HTML_MARKERS.search(head[:4096]):
        return "html"
    text = head.decode(encoding, errors="replace")
    stripped = text.lstrip()
    if stripped.startswith("<") and looks_like_html(stripped[:4096]):
        return "html"
    if hint == "html" and looks_like_html(text[:4096]):
        return "html"
    if hint == "text":
        return "text"
    delimiter = csv_delimiter(text, strict=hint != "csv")
    if delimiter is not None:
        return "csv"
    return "text"


def csv_delimiter(sample: str, *, strict: bool = True) -> str | None:
    """The delimiter of a CSV/TSV sample, or None if it does not look delimited.

    Non-strict (the file was declared CSV): any of ``, ; tab |`` that splits the first lines
    consistently. Strict (no hint): also at least three consistent lines of two or more cells,
    and short cells, so prose with commas is not taken for CSV.
    """
    lines = [line for line in sample.splitlines()[:50] if line.strip()]
    if len(lines) > 1 and not sample.endswith(("\n", "\r")):
        lines = lines[:-1]  # the last line of a truncated sample may be cut
    if not lines:
        return None
    best: tuple[float, str] | None = None
    for delimiter in (",", "\t", ";", "|"):
        try:
            rows = list(csv.reader(lines, delimiter=delimiter))
        except csv.Error:
            continue
        widths = [len(row) for row in rows]
        if max(widths) < 2:
            continue
        common = max(set(widths), key=widths.count)
        if common < 2:
            continue
        share = widths.count(common) / len(widths)
        if strict:
            cells = [cell for row in rows for cell in row]
            long_cells = sum(1 for cell in cells if len(cell) > 120)
            if len(lines) < 3 or share < 0.8 or long_cells > len(cells) * 0.1:
                continue
            if delimiter == "," and _prose_like(lines):
                continue
        elif share < 0.5:
            continue
        if best is None or share > best[0]:
            best = (share, delimiter)
    return best[1] if best else None


def _prose_like(lines: list[str]) -> bool:
    """Lines that read as sentences (comma then space, ending with a full stop) rather than records."""
    sentence_ends = sum(1 for line in lines if line.rstrip().endswith((".", "?", "!", ":")))
    return sentence_ends > len(lines) / 2
