"""Test PDFs generated with fpdf2 (and pypdf for encryption): no files checked in, no network.

``make_pdf(path, pages)`` writes a PDF whose pages are lists of blocks: a ``str`` is a paragraph,
:class:`Table` a table (ruled, or whitespace-aligned with ``borders=False``), :class:`Image` a
page-wide generated PNG (a scan stand-in), :class:`Rect` a filled rectangle. The core Helvetica
font is used, so text must be latin-1 (``£`` is fine; use ``-`` for dashes).

``scanned_pdf(path, pages)`` writes the same pages as a scan would come: each page rendered to a
greyscale image (pypdfium2, at ``dpi``) and saved by Pillow as an image-only PDF, with no text
layer at all.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass
from pathlib import Path

from fpdf import FPDF


@dataclass
class Table:
    rows: list[tuple[str, ...]]
    borders: bool = True
    col_widths: tuple[int, ...] | None = None


@dataclass
class Image:
    width: int = 600
    height: int = 800
    seed: int = 1


@dataclass
class Rect:
    x: float = 20
    y: float = 30
    w: float = 170
    h: float = 120


@dataclass
class Spacer:
    height: float = 6


Block = str | Table | Image | Rect | Spacer


def make_pdf(path: Path, pages: list[list[Block]], *, font_size: float = 11) -> Path:
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.set_compression(True)
    for blocks in pages:
        pdf.add_page()
        pdf.set_font("Helvetica", size=font_size)
        for block in blocks:
            _draw(pdf, block, font_size)
    pdf.output(str(path))
    return path


def _draw(pdf: FPDF, block: Block, font_size: float) -> None:
    if isinstance(block, str):
        pdf.multi_cell(0, font_size * 0.5, block, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(font_size * 0.4)
    elif isinstance(block, Table):
        layout = "ALL" if block.borders else "NONE"
        kwargs = {"borders_layout": layout, "first_row_as_headings": False, "text_align": "LEFT"}
        if block.col_widths:
            kwargs["col_widths"] = block.col_widths
        with pdf.table(**kwargs) as table:
            for row in block.rows:
                cells = table.row()
                for value in row:
                    cells.cell(value)
        pdf.ln(font_size * 0.4)
    elif isinstance(block, Image):
        pdf.image(png_image(block.width, block.height, block.seed), x=10, y=10, w=190)
    elif isinstance(block, Rect):
        pdf.set_fill_color(120, 120, 120)
        pdf.rect(block.x, block.y, block.w, block.h, style="F")
    elif isinstance(block, Spacer):
        pdf.ln(block.height)
    else:  # pragma: no cover - a test bug
        raise TypeError(f"unknown block {block!r}")


def scanned_pdf(path: Path, pages: list[list[Block]], *, dpi: int = 200, font_size: float = 11) -> Path:
    """``pages`` typed, then printed and scanned: an image-only PDF, one greyscale image per page."""
    import pypdfium2

    typed = make_pdf(path.with_name(f".typed-{path.name}"), pages, font_size=font_size)
    document = pypdfium2.PdfDocument(str(typed))
    try:
        images = [page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L") for page in document]
    finally:
        document.close()
    typed.unlink()
    images[0].save(path, "PDF", resolution=dpi, save_all=True, append_images=images[1:])
    return path


def png_image(width: int = 600, height: int = 800, seed: int = 1) -> io.BytesIO:
    """A grey page with dark 'lines of text' drawn as bars: what a scan looks like without OCR."""
    from PIL import Image as PILImage
    from PIL import ImageDraw

    rng = random.Random(seed)
    image = PILImage.new("L", (width, height), 235)
    draw = ImageDraw.Draw(image)
    y = 40
    while y < height - 40:
        x = 40
        while x < width - 60:
            word = rng.randint(15, 60)
            draw.rectangle((x, y, min(x + word, width - 40), y + 8), fill=40)
            x += word + rng.randint(6, 12)
        y += 22
    data = io.BytesIO()
    image.save(data, format="PNG")
    data.seek(0)
    return data


def encrypt_pdf(
    source: Path, target: Path, *, user_password: str = "secret", owner_password: str | None = None
) -> Path:
    """``source`` encrypted with pypdf. RC4-128 needs no extra crypto package (AES would need
    ``cryptography``, which pdfminer.six happens to pull in, but the test should not rely on it)."""
    from pypdf import PdfWriter

    writer = PdfWriter(clone_from=str(source))
    writer.encrypt(user_password=user_password, owner_password=owner_password, algorithm="RC4-128")
    with target.open("wb") as handle:
        writer.write(handle)
    return target


def truncated_copy(source: Path, target: Path, keep: float = 0.5) -> Path:
    """The first ``keep`` share of ``source``'s bytes: a download cut short."""
    data = source.read_bytes()
    target.write_bytes(data[: int(len(data) * keep)])
    return target


def garbage_pdf(target: Path, size: int = 4000, seed: int = 7) -> Path:
    """A ``%PDF`` header followed by random bytes."""
    rng = random.Random(seed)
    target.write_bytes(b"%PDF-1.7\n" + bytes(rng.randrange(256) for _ in range(size)))
    return target
