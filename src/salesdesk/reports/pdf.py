"""The monthly pack as one PDF: WeasyPrint renders reports/pack_pdf.html (the page's body and
its SVG charts) and embeds a subset of a CJK font, so Chinese prints on a PC that has no
Chinese font installed.

The font is SALESDESK_PDF_FONT, or the Noto Sans CJK file found in a usual place. It is
loaded through @font-face from the file itself, never looked up among the fonts installed,
so the PDF looks the same on every server. The Noto CJK collections open on their Japanese
face; `font-language-override: "ZHS "` (in the template) selects the simplified Chinese glyph
forms (骨, 直, 没 …) whatever the reader's language.
"""

from __future__ import annotations

import atexit
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.template.loader import render_to_string

FONT_CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",  # Debian, Ubuntu: fonts-noto-cjk
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",  # Arch
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",  # Fedora
    "/usr/share/fonts/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc",
    "/System/Library/Fonts/PingFang.ttc",  # macOS
    "C:/Windows/Fonts/msyh.ttc",  # Windows: Microsoft YaHei
)


def pdf_font() -> Path:
    """The regular CJK font file the PDF embeds (ImproperlyConfigured when there is none)."""
    configured = getattr(settings, "SALESDESK_PDF_FONT", "")
    if configured:
        path = Path(configured)
        if not path.is_file():
            raise ImproperlyConfigured(f"SALESDESK_PDF_FONT: no font file at {configured}")
        return path
    for candidate in FONT_CANDIDATES:
        path = Path(candidate)
        if path.is_file():
            return path
    raise ImproperlyConfigured(
        "No CJK font for the monthly pack PDF: install fonts-noto-cjk or set SALESDESK_PDF_FONT "
        "to a .ttf, .otf or .ttc file with Chinese glyphs."
    )


def bold_font(regular: Path) -> Path | None:
    """The bold face beside the regular one (NotoSansCJK-Bold.ttc), if there is one; without
    it headings are emboldened by the renderer."""
    if "Regular" not in regular.name:
        return None
    bold = regular.with_name(regular.name.replace("Regular", "Bold"))
    return bold if bold.is_file() else None


def pack_filename(pack: dict) -> str:
    return f"salesdesk-monthly-pack-{pack['month']:%Y-%m}.pdf"


@lru_cache(maxsize=4)
def _fonts(regular: str, bold: str):
    """The font configuration with the CJK faces loaded, and the stylesheet declaring them:
    loaded once per process (reading a 20 MB collection costs a few hundred milliseconds)."""
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    config = FontConfiguration()
    rules = [f'@font-face {{ font-family: "SalesDesk CJK"; src: url("{regular}"); }}']
    if bold:
        rules.append(
            f'@font-face {{ font-family: "SalesDesk CJK"; src: url("{bold}"); font-weight: bold; }}'
        )
    return config, CSS(string="\n".join(rules), font_config=config)


# Let go of the fonts before the interpreter tears its modules down (WeasyPrint's cleanup
# needs them).
atexit.register(_fonts.cache_clear)


def html_to_pdf(html: str) -> bytes:
    """A PDF of `html` with the CJK font declared as "SalesDesk CJK" and embedded."""
    from weasyprint import HTML  # imported here: loading Pango costs time at start-up

    font = pdf_font()
    bold = bold_font(font)
    config, stylesheet = _fonts(font.resolve().as_uri(), bold.resolve().as_uri() if bold else "")
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(
        stylesheets=[stylesheet], font_config=config
    )


def pack_html(pack: dict) -> str:
    return render_to_string("reports/pack_pdf.html", {"pack": pack})


def render_pack_pdf(pack: dict) -> bytes:
    """The PDF of a pack from selectors.pack.monthly_pack."""
    return html_to_pdf(pack_html(pack))
