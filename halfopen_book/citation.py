"""How to cite the book and its pages, from one metadata source (``CITATION.cff``).

Plain functions, used by the Sphinx extension (:mod:`halfopen_book.sphinx_ext`) and tested
without a build: the book's metadata from the CFF file, each page's formatted reference and
BibTeX entry (written by pybtex's BibTeX writer), the original paper's, and the page's
Highwire ``citation_*`` and Dublin Core meta tags.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import unicodedata
from pathlib import Path
from typing import Any

import yaml

CITATION_FILE = "CITATION.cff"
#: Pages without a cite block or citation meta tags: a list of references and a build report
#: are not chapters anyone cites (the default of ``halfopen_uncited_pages`` in the Sphinx
#: extension; the PDF printer and the tests read it here).
UNCITED_PAGES = ("chapters/a3_bibliography", "chapters/a4_status")

_MONTHS = "January February March April May June July August September October November December".split()


# --------------------------------------------------------------------------- metadata


def load_citation(path: str | Path) -> dict[str, Any]:
    """Read a CITATION.cff file; dates become ISO strings (as the CFF schema expects)."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path}: not a CFF mapping")
    return _dates_to_str(data)


def _dates_to_str(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _dates_to_str(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_dates_to_str(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def person_name(person: dict[str, Any], inverted: bool = True) -> str:
    """A CFF person or entity as a display name: 'Family, Given' (or 'Given Family'), or the entity name."""
    if "name" in person:
        return str(person["name"])
    family = " ".join(str(person[k]) for k in ("name-particle", "family-names") if person.get(k))
    given = str(person.get("given-names", "")).strip()
    if person.get("name-suffix"):
        family = f"{family} {person['name-suffix']}"
    if not given:
        return family
    return f"{family}, {given}" if inverted else f"{given} {family}"


def _initials(given: str) -> str:
    return " ".join(f"{part[0]}." for part in re.split(r"[\s.]+", given) if part)


def book_metadata(cff: dict[str, Any], base_url: str = "") -> dict[str, Any]:
    """The book's citation facts from a CFF mapping: title, authors, version, date, URLs.

    ``base_url`` is the site's address (``html_baseurl``, the one setting of it). Without one
    the book is not published anywhere, and ``base_url`` is empty: no page gets a URL.
    """
    date = str(cff.get("date-released", ""))
    return {
        "title": str(cff["title"]),
        "authors": [person_name(a) for a in cff.get("authors", [])],
        "author_entries": list(cff.get("authors", [])),
        "version": str(cff.get("version", "")),
        "date": date,
        "year": date[:4],
        "base_url": base_url.rstrip("/") + "/" if base_url else "",
        "repository": str(cff.get("repository-code", "")),
        "license": cff.get("license"),
        "paper": cff.get("preferred-citation"),
    }


def page_url(base_url: str, docname: str) -> str:
    """The stable URL of a page: the site's base URL plus ``docname.html`` ('' without an address)."""
    if not base_url:
        return ""
    return base_url.rstrip("/") + "/" + docname + ".html"


def with_addresses(cff: dict[str, Any], site_url: str = "", repository: str = "") -> dict[str, Any]:
    """A copy of a CFF mapping whose ``url`` and ``repository-code`` are the book's two settings.

    The repository's own ``CITATION.cff`` names no address (none is invented before the book is
    published); the build writes this copy into the book it stages, so that both come from the
    same settings as the cite blocks. An empty setting removes the key.
    """
    addresses = {"repository-code": repository, "url": site_url}
    out: dict[str, Any] = {}
    for key, value in cff.items():
        if key in addresses:
            continue
        out[key] = value
        if key == "date-released":  # where the file keeps them
            out.update({k: v for k, v in addresses.items() if v})
    out.update({k: v for k, v in addresses.items() if v and k not in out})
    return out


def long_date(iso: str) -> str:
    """'2026-11-28' -> '28 November 2026'; a bare year stays as it is."""
    try:
        d = dt.date.fromisoformat(iso)
    except ValueError:
        return iso
    return f"{d.day} {_MONTHS[d.month - 1]} {d.year}"


# --------------------------------------------------------------------------- BibTeX


def bibtex_key(docname: str, year: str, prefix: str = "halfopen") -> str:
    """A BibTeX key derived from the page name: ``chapters/01_background`` -> ``halfopen2026:01-background``."""
    name = docname.rsplit("/", 1)[-1]
    name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    name = re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-").lower() or "page"
    return f"{prefix}{year}:{name}"


def _persons(entries: list[dict[str, Any]]) -> list[Any]:
    """CFF persons as pybtex persons; an entity is kept whole (braced), not split into names."""
    from pybtex.database import Person

    out = []
    for person in entries:
        if "name" in person:
            out.append(Person("{" + str(person["name"]) + "}"))
        else:
            out.append(Person(person_name(person)))
    return out


def _bibtex_entry(kind: str, key: str, authors: list[dict[str, Any]], fields: list[tuple[str, str]]) -> str:
    """One BibTeX entry, written (and escaped) by pybtex's own BibTeX writer."""
    from pybtex.database import BibliographyData, Entry

    entry = Entry(
        kind, fields=[(name, value) for name, value in fields if value], persons={"author": _persons(authors)}
    )
    return BibliographyData({key: entry}).to_string("bibtex").strip()


def chapter_bibtex(title: str, docname: str, meta: dict[str, Any], whole_book: bool = False) -> str:
    """The BibTeX entry of one page: ``@incollection`` in the book, or ``@book`` for the landing page."""
    url = page_url(meta["base_url"], docname)
    tail = [
        ("year", meta["year"]),
        ("month", meta["date"][5:7].lstrip("0") if len(meta["date"]) >= 7 else ""),
        ("version", meta["version"]),
        ("url", url),
        ("note", f"Version {meta['version']}, released {meta['date']}" if meta["version"] else ""),
    ]
    if whole_book:
        return _bibtex_entry(
            "book", bibtex_key("book", meta["year"]), meta["author_entries"], [("title", meta["title"]), *tail]
        )
    fields = [
        ("title", title),
        ("booktitle", meta["title"]),
        ("publisher", meta["authors"][0] if meta["authors"] else ""),
        *tail,
    ]
    return _bibtex_entry("incollection", bibtex_key(docname, meta["year"]), meta["author_entries"], fields)


def paper_key(paper: dict[str, Any]) -> str:
    """The key of the original paper, as in references.bib: first author's family name + year."""
    family = str(paper["authors"][0].get("family-names") or paper["authors"][0].get("name", "anon"))
    family = unicodedata.normalize("NFKD", family).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z]", "", family.lower()) + str(paper.get("year", ""))


def paper_bibtex(paper: dict[str, Any]) -> str:
    """The BibTeX entry of the original paper (the CFF ``preferred-citation``)."""
    pages = f"{paper['start']}--{paper['end']}" if paper.get("start") and paper.get("end") else ""
    fields = [
        ("title", str(paper["title"])),
        ("journal", str(paper.get("journal", ""))),
        ("volume", str(paper.get("volume", ""))),
        ("number", str(paper.get("issue", ""))),
        ("pages", pages),
        ("year", str(paper.get("year", ""))),
        ("doi", str(paper.get("doi", ""))),
        ("url", str(paper.get("url", ""))),
    ]
    return _bibtex_entry("article", paper_key(paper), paper["authors"], fields)


# --------------------------------------------------------------------------- formatted references


def _names_apa(entries: list[dict[str, Any]]) -> str:
    names = []
    for p in entries:
        if "name" in p:
            names.append(str(p["name"]))
        else:
            names.append(f"{p.get('family-names', '')}, {_initials(str(p.get('given-names', '')))}".strip(", "))
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " & " + names[-1]


def chapter_reference(title: str, docname: str, meta: dict[str, Any], whole_book: bool = False) -> dict[str, str]:
    """The parts of the formatted reference of a page (the caller sets the book title in italics)."""
    version = f"version {meta['version']}, " if meta["version"] else ""
    return {
        "authors": "; ".join(meta["authors"]),
        "year": meta["year"],
        "chapter": "" if whole_book else title,
        "book": meta["title"],
        "details": f"{version}{long_date(meta['date'])}",
        "url": page_url(meta["base_url"], docname),
    }


def chapter_reference_text(title: str, docname: str, meta: dict[str, Any], whole_book: bool = False) -> str:
    """The formatted reference of a page as plain text."""
    r = chapter_reference(title, docname, meta, whole_book)
    chapter = f"“{r['chapter']}”. In " if r["chapter"] else ""
    url = f" {r['url']}" if r["url"] else ""
    return f"{r['authors']} ({r['year']}). {chapter}{r['book']}, {r['details']}.{url}"


def paper_reference_text(paper: dict[str, Any]) -> str:
    """The original paper formatted in author–year style, with its DOI link."""
    issue = f"({paper['issue']})" if paper.get("issue") else ""
    pages = f", {paper['start']}–{paper['end']}" if paper.get("start") and paper.get("end") else ""
    doi = f" https://doi.org/{paper['doi']}" if paper.get("doi") else ""
    return (
        f"{_names_apa(paper['authors'])} ({paper.get('year', '')}). {paper['title']}. "
        f"{paper.get('journal', '')}, {paper.get('volume', '')}{issue}{pages}.{doi}"
    )


# --------------------------------------------------------------------------- meta tags


def meta_tags(title: str, docname: str, meta: dict[str, Any], whole_book: bool = False) -> list[tuple[str, str]]:
    """The (name, content) pairs of the page's citation metadata, in order."""
    url = page_url(meta["base_url"], docname)
    tags: list[tuple[str, str]] = [("citation_title", meta["title"] if whole_book else title)]
    tags += [("citation_author", name) for name in meta["authors"]]
    if meta["date"]:
        tags.append(("citation_publication_date", meta["date"].replace("-", "/")))
    if not whole_book:
        tags += [("citation_inbook_title", meta["title"]), ("citation_book_title", meta["title"])]
    if meta["version"]:
        tags.append(("citation_version", meta["version"]))
    if url:
        tags.append(("citation_public_url", url))
    tags.append(("citation_language", "en"))
    paper = meta.get("paper")
    if paper:
        tags.append(("citation_reference", paper_citation_reference(paper)))
    tags.append(("DC.title", meta["title"] if whole_book else title))
    tags += [("DC.creator", name) for name in meta["authors"]]
    if meta["date"]:
        tags.append(("DC.date", meta["date"]))
    if not whole_book:
        tags.append(("DC.relation.ispartof", meta["title"]))
    if url:
        tags.append(("DC.identifier", url))
    tags += [("DC.type", "Text"), ("DC.language", "en")]
    if paper and paper.get("doi"):
        tags.append(("DC.relation", f"https://doi.org/{paper['doi']}"))
    return tags


def paper_citation_reference(paper: dict[str, Any]) -> str:
    """The paper as a Highwire ``citation_reference`` value (``key=value; ...``)."""
    parts = [f"citation_author={person_name(a)}" for a in paper["authors"]]
    parts.append(f"citation_title={paper['title']}")
    for tag, field in (
        ("citation_journal_title", "journal"),
        ("citation_volume", "volume"),
        ("citation_issue", "issue"),
        ("citation_firstpage", "start"),
        ("citation_lastpage", "end"),
        ("citation_publication_date", "year"),
        ("citation_doi", "doi"),
    ):
        if paper.get(field):
            parts.append(f"{tag}={paper[field]}")
    return "; ".join(parts)


def meta_html(tags: list[tuple[str, str]]) -> str:
    """The tags as HTML ``<meta>`` elements, escaped."""
    return "".join(
        f'\n<meta name="{html.escape(name, quote=True)}" content="{html.escape(content, quote=True)}" />'
        for name, content in tags
    )


# --------------------------------------------------------------------------- author-year bibliography


def author_year_label(last_names: list[str], year: str) -> str:
    """An author–year label: 'Nam 2012', 'Lee and Kwak 2012', 'Janssen et al. 2012'."""
    names = [n.replace("{", "").replace("}", "") for n in last_names]
    if not names:
        who = "Anon."
    elif len(names) == 1:
        who = names[0]
    elif len(names) == 2:
        who = f"{names[0]} and {names[1]}"
    else:
        who = f"{names[0]} et al."
    return f"{who} {year}".strip()


def disambiguate(labels: list[str]) -> list[str]:
    """Equal labels get letters in order: ['OECD 2016', 'OECD 2016'] -> ['OECD 2016a', 'OECD 2016b']."""
    out = []
    for i, label in enumerate(labels):
        same = [j for j, other in enumerate(labels) if other == label]
        out.append(label + "abcdefghijklmnopqrstuvwxyz"[same.index(i)] if len(same) > 1 else label)
    return out
