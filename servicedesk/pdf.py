"""Printed documents: a Django template rendered to PDF by WeasyPrint.

Every document extends ``templates/pdf/base.html``, which links ``static/css/print.css``:
A4 and A5 page styles and the shipped Noto Sans SC subset, so a slip prints the same on
every machine whatever fonts the host has. Resources load from ``static/`` only; the
renderer never fetches anything over the network.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlparse

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string


def _fetcher():
    """A WeasyPrint URL fetcher that reads files under the static folder and nothing else."""
    from weasyprint.urls import URLFetcher

    root = Path(settings.PDF_STATIC_DIR).resolve()

    class StaticOnlyFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            parsed = urlparse(url)
            if parsed.scheme == "file" and not (
                Path(unquote(parsed.path)).resolve().is_relative_to(root)
            ):
                raise ValueError(f"PDF resource outside the static folder refused: {url}")
            return super().fetch(url, headers)

    return StaticOnlyFetcher(allowed_protocols={"file", "data"}, fail_on_errors=True)


def render_pdf(template_name: str, context: dict | None = None, request=None) -> bytes:
    """Render ``template_name`` with ``context`` and return the PDF bytes."""
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    html = render_to_string(template_name, context or {}, request=request)
    base_url = Path(settings.PDF_STATIC_DIR).resolve().as_uri() + "/"
    return HTML(string=html, base_url=base_url, url_fetcher=_fetcher()).write_pdf(
        font_config=FontConfiguration()
    )


def pdf_response(pdf: bytes, filename: str, *, download: bool = False) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    disposition = "attachment" if download else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
