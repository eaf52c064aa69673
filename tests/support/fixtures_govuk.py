"""Builders for GOV.UK Search API results, Content API items and attachment files (tests only).

The shapes follow ``shared/samples/foi/govuk_foi_release.SHAPE.json`` and the real content item
``govuk_content_foi_release_mod_fr20.json`` (reference ``foi-sources.md`` §2): a release's
``links.organisations`` are expanded links with ``base_path``; search results carry
``organisations`` as objects with ``slug`` and ``title``; attachments are ``file`` (absolute
URL, ``content_type``, ``filename``), ``html`` (a path on GOV.UK) or ``external``.
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from pathlib import Path
from typing import Any

import pytest

SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "samples" / "foi"
MOD_SAMPLE = "govuk_content_foi_release_mod_fr20.json"
GOVUK = "https://www.gov.uk"
ASSETS = "https://assets.publishing.service.gov.uk"


def load_mod_sample() -> dict[str, Any]:
    """The real MOD foi_release content item, read from shared/ (never copied into the repo)."""
    path = SAMPLES / MOD_SAMPLE
    if not path.is_file():
        pytest.skip(f"real GOV.UK content sample not found at {path} (the shared/ folder beside the repo)")
    return json.loads(path.read_text(encoding="utf-8"))


def organisation_link(slug: str, title: str, base: str = GOVUK) -> dict[str, Any]:
    """An organisation as the Content API expands it in ``links``."""
    path = f"/government/organisations/{slug}"
    return {
        "content_id": str(uuid.uuid5(uuid.NAMESPACE_URL, slug)),
        "title": title,
        "locale": "en",
        "api_path": f"/api/content{path}",
        "base_path": path,
        "document_type": "organisation",
        "schema_name": "organisation",
        "withdrawn": False,
        "links": {},
        "api_url": f"{base}/api/content{path}",
        "web_url": f"{base}{path}",
    }


def organisation_item(slug: str, title: str, prefix: str = "/government/organisations/") -> dict[str, Any]:
    """An organisation's own content item (what ``check_organisation`` reads)."""
    return {
        "base_path": f"{prefix}{slug}",
        "content_id": str(uuid.uuid5(uuid.NAMESPACE_URL, slug)),
        "document_type": "organisation",
        "schema_name": "organisation",
        "title": title,
        "description": None,
        "details": {},
        "links": {},
        "locale": "en",
    }


def file_attachment(
    attachment_id: str, url: str, *, title: str | None = None, content_type: str = "application/pdf", filename=None
) -> dict[str, Any]:
    return {
        "attachment_type": "file",
        "id": attachment_id,
        "title": title or f"Attachment {attachment_id}",
        "url": url,
        "content_type": content_type,
        "filename": filename if filename is not None else url.rsplit("/", 1)[-1],
        "accessible": False,
    }


def html_attachment(attachment_id: str, path: str, *, title: str | None = None) -> dict[str, Any]:
    return {"attachment_type": "html", "id": attachment_id, "title": title or f"HTML {attachment_id}", "url": path}


def external_attachment(attachment_id: str, url: str, *, title: str | None = None) -> dict[str, Any]:
    return {"attachment_type": "external", "id": attachment_id, "title": title or f"Link {attachment_id}", "url": url}


def make_release(
    slug: str,
    title: str,
    *,
    organisations: tuple[tuple[str, str], ...] = (("home-office", "Home Office"),),
    published: str = "2024-03-01T10:00:00.000+00:00",
    description: str | None = None,
    body_html: str | None = None,
    attachments: list[dict[str, Any]] | tuple = (),
    base: str = GOVUK,
) -> dict[str, Any]:
    """A foi_release content item in the Content API's shape."""
    orgs = [organisation_link(s, t, base) for s, t in organisations]
    description = description if description is not None else f"Response to an FOI request about {title.lower()}."
    return {
        "base_path": f"/government/publications/{slug}",
        "content_id": str(uuid.uuid5(uuid.NAMESPACE_URL, slug)),
        "document_type": "foi_release",
        "schema_name": "publication",
        "locale": "en",
        "title": title,
        "description": description,
        "first_published_at": published,
        "public_updated_at": published,
        "updated_at": published,
        "publishing_app": "whitehall",
        "rendering_app": "frontend",
        "phase": "live",
        "withdrawn_notice": {},
        "links": {"organisations": orgs, "primary_publishing_organisation": orgs[:1]},
        "details": {
            "body": body_html if body_html is not None else f'<div class="govspeak"><p>{description}</p>\n</div>',
            "political": False,
            "first_public_at": published,
            "change_history": [{"public_timestamp": published, "note": "First published."}],
            "attachments": list(attachments),
            "featured_attachments": [a["id"] for a in attachments if a.get("attachment_type") == "file"],
        },
    }


def html_publication(base_path: str, title: str, body_html: str) -> dict[str, Any]:
    """An HTML attachment's own content item."""
    return {
        "base_path": base_path,
        "content_id": str(uuid.uuid5(uuid.NAMESPACE_URL, base_path)),
        "document_type": "html_publication",
        "schema_name": "html_publication",
        "locale": "en",
        "title": title,
        "description": None,
        "public_updated_at": "2024-03-01T10:00:00.000+00:00",
        "details": {"body": body_html, "political": False},
        "links": {},
    }


def search_result(content: dict[str, Any]) -> dict[str, Any]:
    """The Search API's result for a content item (every field pqcheck asks for)."""
    orgs = [
        {"slug": o["base_path"].rsplit("/", 1)[-1], "title": o["title"], "link": o["base_path"]}
        for o in content["links"].get("organisations", [])
    ]
    return {
        "title": content["title"],
        "description": content.get("description"),
        "link": content["base_path"],
        "public_timestamp": content["details"].get("first_public_at") or content["public_updated_at"],
        "organisations": orgs,
        "content_store_document_type": content["document_type"],
    }


def search_page(results: list[dict[str, Any]], total: int, start: int = 0) -> dict[str, Any]:
    return {
        "results": results,
        "total": total,
        "start": start,
        "aggregates": {},
        "suggested_queries": [],
        "suggested_autocomplete": [],
        "es_cluster": "A",
    }


def make_pdf(lines: list[str]) -> bytes:
    """A one-page PDF with a text layer (fpdf2)."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    for line in lines:
        pdf.cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def make_csv(rows: list[list[Any]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode("utf-8")
