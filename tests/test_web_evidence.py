"""Evidence you can open: the FOI request and document pages of ``pqcheck serve`` and the cached
original served as a download, over the real waitress server and the demo database (whose
import kept a copy of each file in the cache beside it).

The file route answers from the cache only: a document's file is found by its SHA-256 and must
resolve inside the cache's folder. ``..``, absolute paths, a hash that is a path, and links out of
the cache are refused; what is served is a download with a content type from an allow-list.
"""

from __future__ import annotations

import hashlib
import http.client
import re
import shutil
import sqlite3
from pathlib import Path
from urllib.parse import quote, urljoin, urlsplit

import pytest
import requests

from pqcheck.cache import FileCache
from pqcheck.db import open_db
from pqcheck.evidence import OCTET_STREAM, download_name, original_in_cache

from .support.pages import Page
from .support.webserver import serving

TIMEOUT = 15
REPLY = "file:FOI 52658/file:52658 Reply.pdf"  # the demo's PDF: the Home Office's reply, two pages
DEMO_PDF = Path(__file__).resolve().parents[1] / "fixtures" / "demo" / "foi" / "52658 Reply.pdf"


@pytest.fixture
def demo_copy(demo_copy, demo_db):
    """A copy of the demo database with a copy of its file cache beside it."""
    shutil.copytree(FileCache.beside(demo_db).root, FileCache.beside(demo_copy).root)
    return demo_copy


def get(running, path: str, **options) -> requests.Response:
    return requests.get(urljoin(running.url, path.lstrip("/")), timeout=TIMEOUT, **options)


def raw_get(running, path: str) -> int:
    """The status of a GET of ``path`` sent exactly as written (no client tidies its dots), after
    the redirects the server answers with."""
    parts = urlsplit(running.url)
    for _ in range(3):
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=TIMEOUT)
        try:
            conn.putrequest("GET", path, skip_host=True)
            conn.putheader("Host", parts.netloc)
            conn.endheaders()
            response = conn.getresponse()
            status, location, body = response.status, response.getheader("Location"), response.read()
        finally:
            conn.close()
        assert b"not for the web" not in body and b"root:" not in body
        if status not in (301, 302, 307, 308):
            return status
        path = urlsplit(urljoin(running.url, location)).path
    return status


def path_of(document_id: str, route: str = "file") -> str:
    return f"/{route}/" + quote(document_id, safe="/:")


def execute(db_path: Path, sql: str, params=()) -> None:
    conn = sqlite3.connect(db_path)
    try:
        with conn:
            conn.execute(sql, params)
    finally:
        conn.close()


def test_the_pair_page_links_to_the_exact_page_of_the_evidence_and_its_original(demo_copy):
    conn = sqlite3.connect(demo_copy)
    query = "SELECT id FROM matches WHERE foi_document_id = ? ORDER BY score DESC, id LIMIT 1"
    match_id = conn.execute(query, [REPLY]).fetchone()[0]
    conn.close()
    with serving(demo_copy) as running:
        page = get(running, f"/pair/{match_id}")
        assert page.status_code == 200
        database = open_db(demo_copy, read_only=True)
        document, number = database.execute(
            "SELECT foi_document_id, evidence_page FROM matches WHERE id = ?", [match_id]
        ).fetchone()
        request_id = database.execute("SELECT request_id FROM foi_documents WHERE id = ?", [document]).fetchone()[0]
        database.close()
        assert document == REPLY and number == 1
        hrefs = Page(page.text).hrefs()
        assert f"{path_of(document, 'document')}#page-{number}" in hrefs
        assert path_of(document) in hrefs and path_of(request_id, "foi") in hrefs
        # a local file is named, never shown as a path on the server
        assert "file://" not in page.text and str(DEMO_PDF.parent) not in page.text
        assert "imported from a local file, 52658 Reply.pdf" in page.text

        # the document page has that page, by its anchor, with its text and the figures found
        shown = get(running, f"{path_of(document, 'document')}")
        assert shown.status_code == 200
        assert f'id="page-{number}"' in shown.text and 'id="page-2"' in shown.text
        first = shown.text[shown.text.index('id="page-1"') : shown.text.index('id="page-2"')]
        assert "<mark>" in first and "Freedom of Information team" in first
        assert str(DEMO_PDF.parent) not in shown.text


def test_the_foi_request_page_shows_its_documents_pages_figures_and_source(demo_copy):
    request_id = "file:FOI 52658"
    execute(
        demo_copy,
        "UPDATE foi_requests SET url = ? WHERE id = ?",
        ["https://www.whatdotheyknow.com/request/x", request_id],
    )
    with serving(demo_copy) as running:
        page = get(running, path_of(request_id, "foi"))
        assert page.status_code == 200
        conn = sqlite3.connect(demo_copy)
        documents = [
            row[0]
            for row in conn.execute("SELECT id FROM foi_documents WHERE request_id = ? ORDER BY id", [request_id])
        ]
        texts = [
            row[0] for row in conn.execute("SELECT text FROM foi_pages WHERE document_id = ? ORDER BY page", [REPLY])
        ]
        figures = conn.execute("SELECT count(*) FROM foi_figures WHERE document_id = ?", [REPLY]).fetchone()[0]
        conn.close()
        hrefs = Page(page.text).hrefs()
        assert len(documents) == 2 and all(path_of(d, "document") in hrefs for d in documents)
        assert "https://www.whatdotheyknow.com/request/x" in hrefs  # the source, linked
        assert path_of(REPLY) in hrefs  # the original of the PDF
        assert texts and figures
        assert page.text.count("<mark>") >= figures  # each figure found highlighted in its page's text
        assert f"{figures} figures" in page.text
        assert "Marsham Street" in page.text

        # a search hit of this FOI links to its page (and to the page of its document the words are on)
        results = get(running, "/search", params={"q": "Marsham", "kind": "foi"})
        hits = re.findall(r'<a class="hit-title" href="([^"]+)"', results.text)
        assert path_of(request_id, "foi") in hits


def test_the_cached_original_is_served_as_a_download(demo_copy):
    with serving(demo_copy) as running:
        response = get(running, path_of(REPLY))
        assert response.status_code == 200
        assert response.content == DEMO_PDF.read_bytes()
        assert response.headers["Content-Type"] == "application/pdf"
        assert response.headers["Content-Disposition"].startswith("attachment;")
        assert 'filename="52658 Reply.pdf"' in response.headers["Content-Disposition"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "default-src 'none'" in response.headers["Content-Security-Policy"]


def test_html_and_unknown_types_are_served_as_bytes_to_save(demo_copy):
    conn = sqlite3.connect(demo_copy)
    html_doc = conn.execute("SELECT id FROM foi_documents WHERE file_type = 'html' ORDER BY id LIMIT 1").fetchone()[0]
    conn.close()
    execute(demo_copy, "UPDATE foi_documents SET file_type = 'exe' WHERE id = ?", [REPLY])
    with serving(demo_copy) as running:
        for document in (html_doc, REPLY):
            response = get(running, path_of(document))
            assert response.status_code == 200, document
            assert response.headers["Content-Type"] == OCTET_STREAM
            assert response.headers["Content-Disposition"].startswith("attachment;")


def test_no_path_outside_the_cache_is_ever_served(demo_copy, tmp_path):
    secret = tmp_path / "secret.pdf"
    secret.write_bytes(b"%PDF-1.4 not for the web")
    digest = hashlib.sha256(secret.read_bytes()).hexdigest()
    cache = FileCache.beside(demo_copy)
    # a document whose hash is a path, one whose file in the cache is a link out, one in a linked folder
    execute(demo_copy, "UPDATE foi_documents SET sha256 = ? WHERE id = ?", ["../../../../etc/passwd", REPLY])
    conn = sqlite3.connect(demo_copy)
    others = [row[0] for row in conn.execute("SELECT id FROM foi_documents WHERE id != ? ORDER BY id LIMIT 2", [REPLY])]
    conn.close()
    execute(demo_copy, "UPDATE foi_documents SET sha256 = ? WHERE id = ?", [digest, others[0]])
    cache.path_for(digest, ".pdf").parent.mkdir(parents=True, exist_ok=True)
    cache.path_for(digest, ".pdf").symlink_to(secret)
    outside = tmp_path / "outside"
    outside.mkdir()
    other_digest = hashlib.sha256(b"elsewhere").hexdigest()
    (outside / f"{other_digest}.pdf").write_bytes(b"elsewhere")
    linked = cache.root / other_digest[:2]
    if linked.exists():
        pytest.skip("the demo's cache happens to hold that folder")
    linked.symlink_to(outside, target_is_directory=True)
    execute(demo_copy, "UPDATE foi_documents SET sha256 = ? WHERE id = ?", [other_digest, others[1]])

    with serving(demo_copy) as running:
        for document in (REPLY, *others):
            refused = get(running, path_of(document))
            assert refused.status_code == 404, document
            assert b"not for the web" not in refused.content and b"elsewhere" not in refused.content
        for path in (
            "/file/../../../../etc/passwd",
            "/file/..%2F..%2F..%2Fetc%2Fpasswd",
            "/file//etc/passwd",
            "/file/%2Fetc%2Fpasswd",
            f"/file/{secret}",
            f"/file/{quote(str(secret), safe='')}",
        ):
            assert raw_get(running, path) == 404, path
        assert get(running, "/file/" + digest).status_code == 404  # a hash is not a document id

    database = open_db(demo_copy, read_only=True)
    assert [original_in_cache(database, d, cache) for d in (REPLY, *others)] == [None, None, None]
    database.close()


def test_the_name_to_save_as_has_no_folder_and_the_types_extension():
    sha = "ab" * 32
    assert download_name("../../etc/passwd", "text", sha) == "passwd.txt"
    assert download_name("C:\\Users\\x\\Reply.PDF", "pdf", sha) == "Reply.PDF"
    assert download_name("/tmp/report", "xlsx", sha) == "report.xlsx"
    assert download_name('a"b;\r\nc.pdf', "pdf", sha) == "a_b_c.pdf"
    assert download_name(None, None, sha) == sha[:16]
    assert download_name("..", "pdf", sha) == f"{sha[:16]}.pdf"


def test_a_local_import_keeps_its_original_in_the_cache_unless_told_not_to(tmp_path):
    from click.testing import CliRunner

    from pqcheck.cli import cli

    folder = tmp_path / "foi"
    folder.mkdir()
    (folder / "reply.pdf").write_bytes(DEMO_PDF.read_bytes())
    digest = hashlib.sha256(DEMO_PDF.read_bytes()).hexdigest()
    kept = CliRunner().invoke(cli, ["import", "foi", str(tmp_path / "kept.db"), str(folder), "-q"])
    assert kept.exit_code == 0, kept.output
    assert FileCache.beside(tmp_path / "kept.db").find(digest).read_bytes() == DEMO_PDF.read_bytes()
    bare = CliRunner().invoke(cli, ["import", "foi", str(tmp_path / "bare.db"), str(folder), "-q", "--no-copy"])
    assert bare.exit_code == 0, bare.output
    assert FileCache.beside(tmp_path / "bare.db").find(digest) is None
