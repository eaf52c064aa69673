"""Reading the pages ``pqcheck serve`` sends: their tags, result titles, marks, links and form fields."""

from __future__ import annotations

import re
from html.parser import HTMLParser


class Page(HTMLParser):
    """What the tests look at in a page: every tag with its attributes, the text of each result
    title, the text inside each <mark> (with the id of the block it is in), the links."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.hit_titles: list[str] = []
        self.marks: list[tuple[str | None, str]] = []
        self._title: list[str] | None = None
        self._mark: list[str] | None = None
        self._blocks: list[str | None] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if "hit-title" in (attributes.get("class") or "").split():
            self._title = []
        if tag == "mark":
            self._mark = []
        if tag == "blockquote":
            self._blocks.append(attributes.get("id"))

    def handle_endtag(self, tag):
        if tag in ("a", "span") and self._title is not None:
            self.hit_titles.append("".join(self._title).strip())
            self._title = None
        if tag == "mark" and self._mark is not None:
            self.marks.append((self._blocks[-1] if self._blocks else None, "".join(self._mark)))
            self._mark = None
        if tag == "blockquote" and self._blocks:
            self._blocks.pop()

    def handle_data(self, data):
        if self._title is not None:
            self._title.append(data)
        if self._mark is not None:
            self._mark.append(data)

    def hrefs(self) -> list[str]:
        return [a["href"] for tag, a in self.tags if a.get("href") is not None]

    def pair_ids(self) -> list[str]:
        return [m.group(1) for h in self.hrefs() if (m := re.fullmatch(r"/pair/([0-9a-f]{40})", h))]

    def link(self, text_start: str) -> str:
        """The href of the first export link whose path starts with ``text_start``."""
        return next(h for h in self.hrefs() if h.startswith(text_start))


def form_fields(text: str) -> dict[str, str]:
    return {a["name"]: a.get("value") or "" for tag, a in Page(text).tags if tag == "input" and a.get("name")}
