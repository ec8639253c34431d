"""The status page's table (``{nb-exec-table}``): what a cold run of the book takes, chapter by
chapter in the book's order, training included.

myst-nb's own table gives the seconds of each page's last execution, in the order of the file
names. A page executed again with its models in the training cache replays them in seconds, so
its time says nothing about a first run. So :func:`cnnbook.training.train` notes, for every
result a page uses, how long that result took to train, even when it is loaded from the cache
(the file ``training-use.jsonl`` of the build folder; the page is named by the build in
``$CNNBOOK_PAGE`` before it executes). The table then gives each chapter, in the order of
``_toc.yml``, its cells' own seconds plus the training of the models it is the first to use:
"trained and ran" for a chapter that trains, "ran, its models from the cache" for one that only
loads what an earlier chapter trained, "ran" for the others.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

#: Set by the build for the kernels: the log file, and the page being executed.
USE_LOG_ENV = "CNNBOOK_TRAINING_LOG"
PAGE_ENV = "CNNBOOK_PAGE"
USE_LOG = "training-use.jsonl"

#: The table's words, per language of the edition.
WORDS = {
    "en": {"chapter": "Chapter", "what": "In a cold run", "seconds": "Seconds",
           "training": "of which training", "trained": "trained and ran",
           "cached": "ran, its models from the cache", "ran": "ran", "failed": "failed",
           "total": "The whole book"},
    "ko": {"chapter": "장", "what": "처음부터 실행하면", "seconds": "초", "training": "그중 학습",
           "trained": "학습하고 실행함", "cached": "실행함 (모델은 캐시에서)", "ran": "실행함",
           "failed": "실패", "total": "책 전체"},
}


@dataclass(frozen=True)
class Row:
    """One chapter of a cold run: its cells' seconds, the training it does first, the words."""

    docname: str
    seconds: float
    training: float
    what: str


def uses(log: Path) -> dict[str, dict[str, tuple[float, bool]]]:
    """Per page, the results its last execution used: key -> (training seconds, trained then)."""
    runs: dict[str, tuple[str, dict[str, tuple[float, bool]]]] = {}
    if not log.is_file():
        return {}
    for line in log.read_text(encoding="utf8").splitlines():
        try:
            record = json.loads(line)
            page, run, key = record["page"], record["run"], record["key"]
            seconds, trained = float(record["seconds"]), bool(record["trained"])
        except (ValueError, KeyError, TypeError):
            continue
        latest, used = runs.get(page, ("", {}))
        if run > latest:
            latest, used = run, {}
        if run == latest:
            used[key] = (seconds, trained or used.get(key, (0.0, False))[1])
            runs[page] = (latest, used)
    return {page: used for page, (_, used) in runs.items()}


def cold_rows(order: list[str], executed: dict[str, dict], used: dict[str, dict[str, tuple[float, bool]]]
              ) -> list[Row]:
    """The chapters in ``order`` that executed (``executed``: myst-nb's exec data, runtime and
    succeeded), each with its cells' own seconds (its last run less what it trained then) and the
    training of the results no earlier chapter used."""
    seen: set[str] = set()
    rows = []
    for docname in order:
        data = executed.get(docname)
        if not data or data.get("runtime") is None:
            continue
        page = used.get(docname, {})
        trained_then = sum(seconds for seconds, trained in page.values() if trained)
        first = {key: seconds for key, (seconds, _) in page.items() if key not in seen}
        seen |= set(page)
        cells = max(float(data["runtime"]) - trained_then, 0.0)
        what = ("failed" if data.get("succeeded") is False else "trained" if first
                else "cached" if page else "ran")
        rows.append(Row(docname, cells + sum(first.values()), sum(first.values()), what))
    return rows


def book_order(env) -> list[str]:
    """Every document in the order of the book's navigation (the root, then its toctrees)."""
    order, stack = [], [env.config.root_doc]
    while stack:
        docname = stack.pop(0)
        if docname in order:
            continue
        order.append(docname)
        stack[:0] = env.toctree_includes.get(docname, [])
    return order


def _table(rows: list[Row], words: dict[str, str], titles: dict[str, str], docname: str):
    """A docutils table of the rows, with a total; chapters linked."""
    import posixpath

    from docutils import nodes
    from sphinx.addnodes import pending_xref

    def cell(content) -> nodes.entry:
        paragraph = nodes.paragraph()
        paragraph += content if isinstance(content, nodes.Node) else nodes.Text(content)
        return nodes.entry("", paragraph)

    table = nodes.table(classes=["colwidths-auto", "cnnbook-status"])
    group = nodes.tgroup(cols=4)
    table += group
    for _ in range(4):
        group += nodes.colspec(colwidth=25)
    head, body = nodes.thead(), nodes.tbody()
    group += head
    group += body
    head += nodes.row("", *(cell(words[key]) for key in ("chapter", "what", "seconds", "training")))
    for row in rows:
        target = posixpath.relpath(row.docname, posixpath.dirname(docname))
        link = pending_xref(refdoc=docname, reftarget=target, reftype="doc", refdomain="std",
                            refexplicit=True, refwarn=True, classes=["xref", "doc"])
        link += nodes.inline(text=titles.get(row.docname, row.docname))
        body += nodes.row("", cell(link), cell(words[row.what]), cell(f"{row.seconds:,.0f}"),
                          cell(f"{row.training:,.0f}" if row.training else ""))
    total = sum(row.seconds for row in rows)
    body += nodes.row("", cell(nodes.strong(text=words["total"])), cell(""),
                      cell(nodes.strong(text=f"{total:,.0f}")),
                      cell(f"{sum(row.training for row in rows):,.0f}"))
    return table


def _post_transform():
    from sphinx.transforms.post_transforms import SphinxPostTransform

    class ColdRunTable(SphinxPostTransform):
        """Before myst-nb fills ``{nb-exec-table}`` (priority 8): the cold run's table instead."""

        default_priority = 7.5

        def run(self, **kwargs) -> None:
            from myst_nb.ext.execution_tables import ExecutionStatsNode
            from myst_nb.sphinx_ import NbMetadataCollector

            places = list(self.document.findall(ExecutionStatsNode))
            if not places:
                return
            data = NbMetadataCollector.get_doc_data(self.env)
            executed = {name: doc.get("exec_data") for name, doc in data.items() if doc.get("exec_data")}
            rows = cold_rows(book_order(self.env), executed, uses(Path(os.environ.get(USE_LOG_ENV, ""))))
            words = WORDS.get((self.config.language or "en").split("_")[0], WORDS["en"])
            titles = {name: title.astext() for name, title in self.env.titles.items()}
            for place in places:
                place.replace_self(_table(rows, words, titles, self.env.docname))

    return ColdRunTable


def _set_up_log(app, config) -> None:
    build_dir = Path(getattr(config, "cnnbook_build_dir", "") or Path(app.outdir).parent).resolve()
    os.environ.setdefault(USE_LOG_ENV, str(build_dir / USE_LOG))  # the kernels inherit it


def _name_the_page(app, docname, source) -> None:
    os.environ[PAGE_ENV] = docname  # read before the page's kernel starts, which inherits it


def setup(app):
    app.connect("config-inited", _set_up_log)
    app.connect("source-read", _name_the_page)
    app.add_post_transform(_post_transform())
    return {"parallel_read_safe": True, "parallel_write_safe": True}
