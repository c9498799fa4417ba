"""Author disambiguation measured on held-out ids from the paper lists themselves.

    .venv/bin/python bench/identity_eval.py [--dir /work/shared/data/paperlists] [--misses 20]

The eight lists are resolved in memory (no database) with every author id hidden from the
resolver: ICLR 2021's OpenReview profile ids and the 2018-2020 e-mails. The truth is the
OpenReview profile each ICLR 2021 authorship carries (paired with the byline by name, see
ingest.authorids); only those authorships are scored, but the clustering sees all eight lists, so
a 2021 paper can be linked to its author's 2021 papers through 2019 coauthors.

Scores: B-cubed precision, recall and F1 (per authorship, averaged) and pairwise precision,
recall and F1, for three rules in the same run:

- `folded name`: the same name key (text.name_key) is the same person;
- `rule before issue 10`: bench/legacy_identity.py, as the importer used it (records in file
  order, then the consolidation passes);
- `scored resolver`: ingest.plan / ingest.resolver, what the importer uses now.

A second table scores the scored resolver on the e-mails (2018-2020) the same way: an e-mail is
one person, but one person may have several e-mails, so only recall means something there.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from scholargraph import text
from scholargraph.ingest.identity import Index
from scholargraph.ingest.paperlists import parse_paperlists
from scholargraph.ingest.plan import Entry, plan_import
from scholargraph.ingest.records import PaperRecord

DEFAULT_DIR = Path(__file__).resolve().parents[2] / "shared" / "data" / "paperlists"


@dataclass(frozen=True)
class Scores:
    b3_precision: float
    b3_recall: float
    b3_f1: float
    pair_precision: float
    pair_recall: float
    pair_f1: float
    clusters: int


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def score(predicted: Sequence[str], truth: Sequence[str]) -> Scores:
    """B-cubed and pairwise scores of a clustering of the same items (labels per item)."""
    by_pred: dict[str, list[int]] = defaultdict(list)
    by_true: dict[str, list[int]] = defaultdict(list)
    for i, (p, t) in enumerate(zip(predicted, truth, strict=True)):
        by_pred[p].append(i)
        by_true[t].append(i)
    both: Counter[tuple[str, str]] = Counter(zip(predicted, truth, strict=True))
    n = len(predicted)
    precision = sum(both[(p, t)] / len(by_pred[p]) for p, t in zip(predicted, truth, strict=True))
    recall = sum(both[(p, t)] / len(by_true[t]) for p, t in zip(predicted, truth, strict=True))
    b3p, b3r = precision / n, recall / n
    same_both = sum(c * (c - 1) // 2 for c in both.values())
    same_pred = sum(len(v) * (len(v) - 1) // 2 for v in by_pred.values())
    same_true = sum(len(v) * (len(v) - 1) // 2 for v in by_true.values())
    pp = same_both / same_pred if same_pred else 1.0
    pr = same_both / same_true if same_true else 1.0
    return Scores(b3p, b3r, _f1(b3p, b3r), pp, pr, _f1(pp, pr), len(by_pred))


def load(folder: Path) -> list[Entry]:
    entries = []
    for path in sorted(folder.glob("*.json")):
        for item in parse_paperlists(path):
            if isinstance(item, PaperRecord):
                entries.append(Entry(item, f"import:paperlists/{path.name}"))
    return entries


def truth_of(entries: Sequence[Entry], scheme: str) -> dict[tuple[int, int], str]:
    """(entry index, position) -> the id of `scheme` the authorship carries."""
    found = {}
    for n, entry in enumerate(entries):
        assert isinstance(entry.item, PaperRecord)
        for author in entry.item.authors:
            for ext in author.external_ids:
                if ext.startswith(f"{scheme}:"):
                    found[(n, author.position)] = ext
    return found


def folded_name(entries: Sequence[Entry]) -> dict[tuple[int, int], str]:
    return {
        (n, a.position): text.name_key(a.name)
        for n, e in enumerate(entries)
        if isinstance(e.item, PaperRecord)
        for a in e.item.authors
    }


def legacy(entries: Sequence[Entry]) -> dict[tuple[int, int], str]:
    """The rule before issue 10, ids hidden, replayed as its importer did (file order, then
    consolidation passes until nothing merges)."""
    import legacy_identity as old

    index = old.Index()
    where: dict[tuple[int, int], str] = {}
    bylines = []
    for n, entry in enumerate(entries):
        record = entry.item
        assert isinstance(record, PaperRecord)
        authors = tuple(
            old.AuthorRecord(a.name, a.position, (), a.affiliations) for a in record.authors
        )
        found = index.resolve_paper(record)
        decisions = index.resolve_authors(
            None if found.created else found.paper, authors, new_paper=found.paper
        )
        for d in decisions:
            if d.merge:
                index.merge(d.researcher, d.merge)
        if found.created:
            index.new_paper(found, record)
        else:
            index.note_paper(found.paper, record)
        for d in decisions:
            if d.created:
                index.create_person(d)
            index.add_spelling(d.researcher, d.author.name, ())
            index.link(d.researcher, found.paper, d.author.position)
            where[(n, d.author.position)] = d.researcher
        bylines.append((found.paper, authors))
    for _ in range(10):
        merged = 0
        for paper, authors in bylines:
            for d in index.resolve_authors(paper, authors):
                if d.merge:
                    index.merge(d.researcher, d.merge)
                    merged += 1
        if not merged:
            break
    return {k: index.canonical(v) for k, v in where.items()}


def scored(entries: Sequence[Entry]) -> tuple[dict[tuple[int, int], str], float]:
    started = time.perf_counter()
    plan = plan_import(Index(), entries, hide_ids=True)
    elapsed = time.perf_counter() - started
    order = {e.order: n for n, e in enumerate(entries)}
    found = {}
    for mention in plan.mentions:
        n = order[plan.entries[mention.entry].order]
        found[(n, mention.author.position)] = plan.researcher[mention.slot]
    return found, elapsed


def table(rows: list[tuple[str, Scores]], items: int, truths: int) -> list[str]:
    lines = [
        f"{items:,} authorships scored, {truths:,} people in the truth",
        f"{'rule':<24} {'B3 P':>7} {'B3 R':>7} {'B3 F1':>7} {'pair P':>7} {'pair R':>7} "
        f"{'pair F1':>7} {'clusters':>8}",
    ]
    for name, s in rows:
        lines.append(
            f"{name:<24} {s.b3_precision:7.4f} {s.b3_recall:7.4f} {s.b3_f1:7.4f} "
            f"{s.pair_precision:7.4f} {s.pair_recall:7.4f} {s.pair_f1:7.4f} {s.clusters:8,}"
        )
    return lines


def misses(
    entries: Sequence[Entry],
    keys: list[tuple[int, int]],
    predicted: list[str],
    truth: list[str],
    limit: int,
) -> list[str]:
    """The largest wrong merges (one cluster, several truths) and splits (one truth, several
    clusters), with names."""

    def name(k: tuple[int, int]) -> str:
        record = entries[k[0]].item
        assert isinstance(record, PaperRecord)
        return record.authors[k[1] - 1].name

    by_pred: dict[str, set[str]] = defaultdict(set)
    by_true: dict[str, set[str]] = defaultdict(set)
    for p, t in zip(predicted, truth, strict=True):
        by_pred[p].add(t)
        by_true[t].add(p)
    example = {t: name(k) for k, t in zip(keys, truth, strict=True)}
    lines = ["wrong merges (cluster: the profiles it holds):"]
    merged = sorted(((len(v), p, v) for p, v in by_pred.items() if len(v) > 1), reverse=True)
    for _, p, v in merged[:limit]:
        lines.append(f"  {p}: {', '.join(sorted(v))}")
    lines.append(f"  ... {len(merged):,} clusters hold more than one profile")
    lines.append("splits (profile: the clusters it is spread over):")
    split = sorted(((len(v), t, v) for t, v in by_true.items() if len(v) > 1), reverse=True)
    for _, t, v in split[:limit]:
        lines.append(f"  {t} ({example[t]}): {', '.join(sorted(v))}")
    lines.append(f"  ... {len(split):,} profiles are split")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--misses", type=int, default=10)
    parser.add_argument("--no-legacy", action="store_true", help="skip the slow old rule")
    args = parser.parse_args(argv)
    entries = sorted(load(args.dir), key=lambda e: e.order)
    if not entries:
        print(f"no paperlists files in {args.dir}", file=sys.stderr)
        return 2
    openreview = {
        k: v
        for k, v in truth_of(entries, "openreview").items()
        if entries[k[0]].source.endswith("2021.json")
    }
    keys = sorted(openreview)
    truth = [openreview[k] for k in keys]
    mine, elapsed = scored(entries)
    folded = folded_name(entries)
    rows = [("folded name", score([folded[k] for k in keys], truth))]
    if not args.no_legacy:
        started = time.perf_counter()
        old = legacy(entries)
        print(f"rule before issue 10: {time.perf_counter() - started:.1f} s")
        rows.append(("rule before issue 10", score([old[k] for k in keys], truth)))
    rows.append(("scored resolver", score([mine[k] for k in keys], truth)))
    print(f"scored resolver: {elapsed:.1f} s for {len(entries):,} records")
    print()
    print("ICLR 2021 OpenReview profiles (ids hidden from every rule):")
    print("\n".join(table(rows, len(keys), len(set(truth)))))
    emails = truth_of(entries, "email")
    ekeys = sorted(k for k in emails if not entries[k[0]].source.endswith("2021.json"))
    etruth = [emails[k] for k in ekeys]
    erows = [
        ("folded name", score([folded[k] for k in ekeys], etruth)),
        ("scored resolver", score([mine[k] for k in ekeys], etruth)),
    ]
    print()
    print("ICLR 2018-2020 e-mails (recall only: one person may have several e-mails):")
    print("\n".join(table(erows, len(ekeys), len(set(etruth)))))
    if args.misses:
        print()
        print("\n".join(misses(entries, keys, [mine[k] for k in keys], truth, args.misses)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
