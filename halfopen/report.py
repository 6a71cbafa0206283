"""The reproduction report: every published value the book regenerates, beside the book's.

Published values are data (``published_table_1`` and ``published_values``, each with the
paragraph or table it comes from); book values are computed here from the source tables
with the same functions the chapters use. Each ``published_values`` item names what it is
(``obs_2017.KAZ.transparency``) and :data:`COMPUTE` knows how to regenerate it; an item it
doesn't know is an error, so a published value can't sit in the report unchecked.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import pandas as pd

from . import data, derive

TABLE_1_EDITION = 2019
CENTRAL_ASIA = "Central Asia"


def compare_table_1(book: pd.DataFrame, published: pd.DataFrame) -> pd.DataFrame:
    """Every cell of the regenerated Table 1 beside the published cell, with ``Match``.

    ``published`` is the ``published_table_1`` table (snake_case columns); ``book`` is the
    output of :func:`halfopen.derive.table_1`. One row per country and column (30 for the
    paper's table). Ratings compare as numbers, statuses as text.
    """
    columns = dict(zip(derive.TABLE_1_COLUMNS, published.columns[1:]))
    pub = published.set_index("country")
    rows = []
    for country in pub.index:
        for label, col in columns.items():
            book_value = book.loc[country, label] if country in book.index else None
            published_value = pub.loc[country, col]
            rows.append(
                {
                    "item": f"table_1.{country}.{col}",
                    "what": f"Table 1, {country}: {label.lower()}",
                    "published": published_value,
                    "book": book_value,
                    "match": _same(published_value, book_value),
                    "source": "Table 1",
                }
            )
    return pd.DataFrame(rows)


def _same(published, book) -> bool:
    """Equal as numbers when both are numbers, else equal as text."""
    if book is None:
        return False
    try:
        return float(published) == float(book)
    except (TypeError, ValueError):
        return str(published) == str(book)


def _central_asian_table_1(d: str | os.PathLike | None) -> pd.DataFrame:
    countries = data.load("countries", d)
    names = list(countries.loc[countries["region"] == CENTRAL_ASIA, "name"])
    table = derive.table_1(data.load("freedom_house", d), data.load("freedom_status_thresholds", d), TABLE_1_EDITION)
    return table.loc[[n for n in table.index if n in names]]


def _obs_kaz_2017(measure: str, band: bool) -> Callable:
    def compute(d):
        obs = data.load("obs_central_asia", d)
        score = obs.loc[(obs["iso3"] == "KAZ") & (obs["round"] == 2017), measure].iloc[0]
        if band:
            return derive.obs_band(score, measure, data.load("obs_score_bands", d))
        return derive.round_half_up(score)

    return compute


def _obs_global_mean(measure: str) -> Callable:
    return lambda d: derive.round_half_up(data.load("obs_2017_countries", d)[measure].mean())


def _only_partly_free(d) -> str:
    t = _central_asian_table_1(d)
    return ", ".join(t.index[t["Freedom status"] == "Partly free"])


def _lowest_scoring(d) -> str:
    t = _central_asian_table_1(d)
    return ", ".join(t.index[t["Aggregate score"] == t["Aggregate score"].min()])


def _open_government_cell(d) -> str:
    a = data.load("policy_assessments", d).iloc[0]
    return derive.matland_cell(data.load("matland_matrix", d), a["ambiguity"], a["conflict"])


COMPUTE: dict[str, tuple[str, Callable]] = {
    "obs_2017.KAZ.transparency": ("OBS 2017, Kazakhstan: transparency score", _obs_kaz_2017("transparency", False)),
    "obs_2017.KAZ.participation": ("OBS 2017, Kazakhstan: participation score", _obs_kaz_2017("participation", False)),
    "obs_2017.KAZ.oversight": ("OBS 2017, Kazakhstan: oversight score", _obs_kaz_2017("oversight", False)),
    "obs_2017.KAZ.transparency_band": ("OBS 2017, Kazakhstan: transparency band", _obs_kaz_2017("transparency", True)),
    "obs_2017.KAZ.participation_band": (
        "OBS 2017, Kazakhstan: participation band",
        _obs_kaz_2017("participation", True),
    ),
    "obs_2017.KAZ.oversight_band": ("OBS 2017, Kazakhstan: oversight band", _obs_kaz_2017("oversight", True)),
    "obs_2017.global_mean.transparency": (
        "OBS 2017: mean transparency of the 115 countries",
        _obs_global_mean("transparency"),
    ),
    "obs_2017.global_mean.participation": (
        "OBS 2017: mean participation of the 115 countries",
        _obs_global_mean("participation"),
    ),
    "table_1.only_partly_free_central_asian_country": (
        "The only Central Asian country rated partly free (2019)",
        _only_partly_free,
    ),
    "table_1.lowest_scoring_central_asian_country": (
        "The lowest-scoring Central Asian country (2019)",
        _lowest_scoring,
    ),
    "table_3.open_government_cell": ("Table 3: the cell of open government in Central Asia", _open_government_cell),
}


def reproduction(data_dir: str | os.PathLike | None = None) -> pd.DataFrame:
    """All published values beside the book's: columns item, what, published, book, match, source."""
    fh = data.load("freedom_house", data_dir)
    thresholds = data.load("freedom_status_thresholds", data_dir)
    published_t1 = data.load("published_table_1", data_dir)
    book_t1 = derive.table_1(fh, thresholds, TABLE_1_EDITION)
    parts = [compare_table_1(book_t1, published_t1)]
    rows = []
    for r in data.load("published_values", data_dir).itertuples(index=False):
        if r.item not in COMPUTE:
            raise KeyError(f"published value {r.item!r} has no computation in halfopen.report.COMPUTE")
        what, compute = COMPUTE[r.item]
        book = compute(data_dir)
        where = f"¶{r.paragraph}" if pd.notna(r.paragraph) else r.source
        rows.append(
            {
                "item": r.item,
                "what": what,
                "published": r.published,
                "book": book,
                "match": _same(r.published, book),
                "source": where,
            }
        )
    parts.append(pd.DataFrame(rows))
    return pd.concat(parts, ignore_index=True)


def verdict(report: pd.DataFrame) -> str:
    """The report in one sentence: every published value regenerated, or which ones differ."""
    n, bad = len(report), mismatches(report)
    if not bad:
        return f"The book regenerates all {n} values the paper and its sources published, each exactly as printed."
    verb = "differs" if len(bad) == 1 else "differ"
    return f"Of the {n} values published, {len(bad)} {verb} from the book's: " + "; ".join(bad) + "."


def mismatches(report: pd.DataFrame) -> list[str]:
    """One line per value that differs: which value, published and book."""
    bad = report[~report["match"]]
    return [f"{r.item}: published {_plain(r.published)}, book {_plain(r.book)} ({r.source})" for r in bad.itertuples()]


def _plain(value) -> str:
    """A value as a reader writes it: 22, 6.0, 'Not free' (no numpy reprs)."""
    if hasattr(value, "item"):
        value = value.item()
    return repr(value) if isinstance(value, str) else str(value)


#: Where the book regenerates each kind of value: a label of the book (a table, a figure), by the
#: item's longest matching prefix. The 2017 round's global means are computed and drawn with
#: every country of the round in chapter 13, not in chapter 6's table of Kazakhstan's scores.
REGENERATED_AT = {
    "table_1": "tbl-table-1",
    "obs_2017": "tbl-inclusive-obs-scores",
    "obs_2017.global_mean": "fig-half-open-obs-2017",
    "table_3": "tbl-table-3",
}


def where(item: str) -> str:
    """The label of the place in the book that regenerates the report's ``item``."""
    prefixes = [p for p in REGENERATED_AT if item == p or item.startswith(p + ".")]
    return REGENERATED_AT[max(prefixes, key=len)] if prefixes else "ch-reproduction-report"


def from_the_paper(report: pd.DataFrame) -> pd.Series:
    """True where the published value is the paper's own, False where it comes from another
    source (the Open Budget Survey 2017 report's global means)."""
    src = report["source"].astype(str)
    return src.str.startswith(("¶", "Table"))


def summary(report: pd.DataFrame) -> pd.DataFrame:
    """One line per artefact of the paper: what the book checks of it and with what result.

    Table 1's 30 cells, Table 3's cell and the Open Budget values are checked number by number
    (or word by word); Table 2 and Figure 1 hold no numbers and are regenerated from the
    paper's text, which the line says.
    """

    def counted(mask: pd.Series) -> str:
        part = report[mask]
        return f"{int(part['match'].sum())} of {len(part)} match"

    items = report["item"]
    t1 = items.str.startswith("table_1.") & ~items.isin(COMPUTE)
    t1_text = items.str.startswith("table_1.") & items.isin(COMPUTE)
    obs = items.str.startswith("obs_2017.")
    t3 = items.str.startswith("table_3.")
    rows = [
        ("Table 1", "every cell: status, ratings and score of six countries", counted(t1), "tbl-table-1"),
        ("Table 1, in the text", "the two claims ¶6 draws from it", counted(t1_text), "tbl-table-1"),
        ("Table 2", "content regenerated from the paper's table; it holds no numbers", "not numeric", "tbl-table-2"),
        ("Table 3", "the cell where open government lands", counted(t3), "tbl-table-3"),
        ("Figure 1", "redrawn from the paper's text; it holds no numbers", "not numeric", "fig-half-open-government"),
        (
            "Open Budget Survey 2017",
            "Kazakhstan's scores and bands (¶19), the global means",
            counted(obs),
            "tbl-inclusive-obs-scores",
        ),
    ]
    return pd.DataFrame(rows, columns=["The paper's", "What the book checks", "Result", "where"])


def table_1_grid(report: pd.DataFrame) -> pd.DataFrame:
    """Table 1's check as the table itself: a country by column grid of the book's values,
    each cell reading the value, or "book X, paper Y" where the two differ."""
    part = report[report["item"].str.startswith("table_1.") & ~report["item"].isin(COMPUTE)]
    grid: dict[str, dict[str, str]] = {}
    labels = dict(zip([c.lower() for c in derive.TABLE_1_COLUMNS], derive.TABLE_1_COLUMNS))
    for r in part.itertuples(index=False):
        country = r.item.split(".")[1]
        column = labels.get(r.what.split(": ", 1)[1], r.what.split(": ", 1)[1])
        value = _plain(r.book) if r.match else f"book {_plain(r.book)}, paper {_plain(r.published)}"
        grid.setdefault(country, {})[column] = value.strip("'")
    frame = pd.DataFrame.from_dict(grid, orient="index")
    frame.index.name = "Country"
    return frame[[c for c in derive.TABLE_1_COLUMNS if c in frame.columns]]


def other_values(report: pd.DataFrame) -> pd.DataFrame:
    """The values besides Table 1's cells, one per row, marked where the source is not the paper."""
    part = report[~(report["item"].str.startswith("table_1.") & ~report["item"].isin(COMPUTE))]
    paper = from_the_paper(part)
    return pd.DataFrame(
        {
            "Value": part["what"].to_numpy(),
            "Published": [_plain(v).strip("'") for v in part["published"]],
            "Book": [_plain(v).strip("'") for v in part["book"]],
            "Match": part["match"].map({True: "yes", False: "NO"}).to_numpy(),
            "Published in": [s if p else f"{s} (not the paper)" for s, p in zip(part["source"], paper)],
            "where": [where(i) for i in part["item"]],
        }
    )
