"""The scored author resolver: which authorships are one person.

In the manner of S2AND and OpenAlex: authorships ("slots": one author position on one paper,
however many sources list it) are first joined by hard evidence (the same stored researcher, the
same external id), then *blocked* on folded surname plus first initial, and within a block the
best-scoring pair of clusters is merged, again and again, while the score reaches `THRESHOLD`.
The score is a sum of log-odds terms, each with a kind and a detail so that every decision can be
explained (docs/identity.md has the table):

- `name` / `rare-name`: the prior that two compatible names are one person, from how many people
  are expected to bear the name, estimated from the data (`NameStats`);
- `shared-coauthor`: coauthor names in common, each worth more the rarer its name;
- `topic`: rare keywords and title words in common; `venue`: a venue series in common;
- `affiliation`, `email-domain`: an institution or a non-webmail domain in common;
- `year-gap`: a penalty for works far apart in time.

Never joined, whatever the score: two authorships of one paper, two different ids of one unique
scheme (two OpenReview profiles, two ORCIDs), names that contradict each other (John A. / John B.,
Jane / John), and researchers that were split apart.

Everything here is pure and deterministic: the result depends only on the slots' contents, not on
their order.
"""

from __future__ import annotations

import heapq
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from scholargraph.ingest.identity import names_compatible

# Merge two clusters when their score reaches this (log-odds, natural log).
THRESHOLD = 0.5
# A scheme whose ids are one per person: two different ones never meet in one cluster.
UNIQUE_SCHEMES = frozenset({"openreview", "orcid", "openalex"})
# Below this many distinct names, rarity cannot be estimated: every name gets DEFAULT_PRIOR.
MIN_NAMES = 2000
DEFAULT_PRIOR = 0.0
PRIOR_RANGE = (-4.0, 6.0)
# Expected namesakes = KAPPA * n(first) * n(surname) / max(names sharing first's surnames,
# BETA * all names): first names are not spread evenly over surnames (a Chinese given name goes
# with Chinese surnames), so the denominator is the names among the surnames `first` occurs with.
KAPPA = 1.5
BETA = 0.1
COAUTHOR_BASE, COAUTHOR_SLOPE, COAUTHOR_RANGE = 2.5, 0.4, (1.0, 3.5)
COAUTHOR_DECAY = (1.0, 0.6, 0.4, 0.3, 0.2)
COAUTHOR_CAP = 7.0
KEYWORD_WEIGHT, KEYWORD_CAP, KEYWORD_MAX_DF = 0.6, 1.5, 0.01
TERM_WEIGHT, TERM_CAP, TERM_MAX_DF = 0.4, 1.2, 0.005
TOPIC_CAP = 2.0
VENUE_WEIGHT = 0.3
AFFILIATION_WEIGHT = 2.0
DOMAIN_WEIGHT = 1.5
PLACE_WEIGHT = 1.0
YEAR_GAP_PENALTY = ((3, -0.3), (2, -0.1))
# "Tian Qi Chen" spells the middle initials of "Ricky T. Q. Chen" (an adopted first name before
# the given name): not a compatible name, so it counts against, and only coauthors can make up
# for it (at least ALIAS_MIN_COAUTHORS shared names).
ALIAS_PRIOR = -1.5
ALIAS_MIN_COAUTHORS = 2
WEBMAIL = frozenset(
    {"gmail.com", "hotmail.com", "outlook.com", "yahoo.com", "163.com", "126.com", "qq.com",
     "foxmail.com", "live.com", "icloud.com", "me.com", "mail.com", "protonmail.com",
     "googlemail.com", "sina.com", "yandex.ru", "gmx.de", "web.de", "naver.com"}
)  # fmt: skip
_STOP = frozenset(
    {
        "with",
        "from",
        "that",
        "this",
        "using",
        "learning",
        "neural",
        "networks",
        "network",
        "deep",
        "model",
        "models",
        "based",
        "towards",
        "toward",
        "through",
        "their",
        "over",
        "under",
        "into",
        "beyond",
        "what",
        "when",
        "where",
        "which",
    }
)


_GENERIC_PLACE = frozenset(
    {
        "university", "universitat", "universite", "universidad", "of", "the", "and", "for",
        "at", "de", "department", "dept", "school", "college", "institute", "institution",
        "technology", "science", "sciences", "computer", "computing", "engineering", "research",
        "lab", "labs", "laboratory", "center", "centre", "national", "state", "faculty",
        "edu", "com", "org", "net", "ac", "co", "cs", "eecs", "ece", "mail", "email", "inc",
        "ltd", "group", "ai", "uk", "us", "ca", "fr", "cn", "jp", "kr", "ch", "il", "in",
        "nl", "au", "sg", "hk", "tw", "it", "es", "se", "student", "students", "alumni", "math",
        "mathematics", "statistics", "electrical", "information", "informatics", "graduate",
    }
)  # fmt: skip


def place_tokens(affiliations: Iterable[str], domains: Iterable[str]) -> set[str]:
    """Words naming a place of work, from affiliations ("University of Toronto") and e-mail
    domains ("cs.toronto.edu"), so that the two can meet ("toronto")."""
    words = {w for a in affiliations for w in a.split()}
    words |= {label for d in domains for label in d.split(".")}
    return {w for w in words if len(w) >= 3 and w not in _GENERIC_PLACE and not w.isdigit()}


@dataclass
class Slot:
    """One authorship: a position on a paper, as every source that lists it spells it. A slot
    without a paper is a declared researcher (a JSON Lines `researcher` line)."""

    key: str  # unique and stable: "<paper id>#<n>" or "researcher-line:<source>#<record>"
    paper: str | None
    names: frozenset[str]  # name keys
    external_ids: frozenset[str] = frozenset()
    pinned: str | None = None  # the stored researcher this authorship already belongs to
    affiliations: frozenset[str] = frozenset()


@dataclass
class PaperFacts:
    venues: frozenset[str] = frozenset()
    years: frozenset[int] = frozenset()
    keywords: frozenset[str] = frozenset()
    terms: frozenset[str] = frozenset()


def title_terms(title_key: str) -> frozenset[str]:
    return frozenset(t for t in title_key.split() if len(t) >= 4 and t not in _STOP)


def _first_last(key: str) -> tuple[str, str]:
    parts = key.split()
    return (parts[0], parts[-1]) if len(parts) >= 2 else ("", parts[0] if parts else "")


def coauthor_keys(key: str) -> set[str]:
    """Coauthors compare by first and last name ("ricky t q chen" and "ricky chen" meet), and by
    first initial and last name ("will grathwohl" and "w grathwohl" meet, for less)."""
    first, last = _first_last(key)
    return {f"{first} {last}", f"{first[0]} {last}"} if first else {last}


def _shared_coauthors(a: Counter[str], b: Counter[str]) -> list[str]:
    shared = a.keys() & b.keys()
    full = [c for c in shared if len(c.split()[0]) > 1]
    covered = {f"{c[0]} {c.split()[-1]}" for c in full}
    return sorted(full) + sorted(c for c in shared if len(c.split()[0]) == 1 and c not in covered)


def block_of(key: str) -> str:
    first, last = _first_last(key)
    return f"{last}|{first[:1]}"


def alias_initials(key: str) -> str:
    """The initials under which a name may be another's adopted-first-name form: the middle
    initials of "ricky t q chen" ("tq"), the given names of "tian qi chen" ("tq"); "" if
    neither (fewer than two such parts)."""
    parts = key.split()
    if len(parts) < 3:
        return ""
    given = parts[:-1]
    if len(given[0]) > 1 and len(given) >= 3 and all(len(p) == 1 for p in given[1:]):
        return "".join(given[1:])
    if all(len(p) > 1 for p in given):
        return "".join(p[0] for p in given)
    return ""


def aliases_agree(a: Iterable[str], b: Iterable[str]) -> bool:
    """Some name of one side spells, as its given names, the middle initials of a name of the
    other side with the same surname ("tian qi chen" / "ricky t q chen")."""

    def spelt(x: str, y: str) -> bool:
        tx, ty = x.split(), y.split()
        return (
            tx[-1] == ty[-1]
            and len(tx[0]) > 1
            and all(len(p) > 1 for p in tx[:-1])
            and len(ty) >= 4
            and len(ty[0]) > 1
            and all(len(p) == 1 for p in ty[1:-1])
            and "".join(p[0] for p in tx[:-1]) == "".join(ty[1:-1])
        )

    return any(
        spelt(x, y) or spelt(y, x) for x in a for y in b if alias_initials(x) == alias_initials(y)
    )


def sub_blocks(key: str) -> set[tuple[str, str]]:
    """(block, given name) pairs under which a name is compared: a fully spelt given name meets
    only itself (first word, or all given names joined: "kuan chieh" meets "kuanchieh") and the
    names with an initial only, which meet everyone in their block (given name "").
    "tian qi chen" and "ricky t q chen" also meet under ("chen|~tq", "~")."""
    parts = key.split()
    block = block_of(key)
    found = {(block, "")} if len(parts) < 2 or len(parts[0]) == 1 else {
        (block, parts[0]), (block, "".join(parts[:-1]))
    }  # fmt: skip
    initials = alias_initials(key)
    if initials:
        found.add((f"{parts[-1]}|~{initials}", "~"))
    return found


class NameStats:
    """How many people are expected to bear a name, from the names in the data."""

    def __init__(self, keys: Iterable[str]) -> None:
        # Counted over (first, last) pairs: a middle name or a nickname ("Xuechen (Chen) Li")
        # is one more spelling of a name, not one more person bearing it.
        names = {_first_last(k) for k in keys if len(k.split()) >= 2}
        self.total = len(names)
        self.first: Counter[str] = Counter()
        self.initial: Counter[str] = Counter()
        self.last: Counter[str] = Counter()
        surnames_of: dict[str, set[str]] = defaultdict(set)
        for first, last in names:
            self.last[last] += 1
            self.initial[first[0]] += 1
            if len(first) > 1:
                self.first[first] += 1
                surnames_of[first].add(last)
        self.spread = {f: sum(self.last[s] for s in ls) for f, ls in surnames_of.items()}
        self._prior: dict[str, float] = {}

    def expected(self, key: str) -> float:
        first, last = _first_last(key)
        if not first:
            return float(self.total)
        if len(first) > 1:
            n_first = self.first[first] or 1
            spread = self.spread.get(first, 0)
        else:
            n_first = self.initial[first] or 1
            spread = self.total
        denominator = max(spread, BETA * self.total, 1.0)
        return KAPPA * n_first * (self.last[last] or 1) / denominator

    def prior(self, key: str) -> float:
        """Log-odds that two authorships under this name are one person, by the name alone."""
        if self.total < MIN_NAMES:
            return DEFAULT_PRIOR
        found = self._prior.get(key)
        if found is None:
            low, high = PRIOR_RANGE
            found = min(high, max(low, -math.log(self.expected(key))))
            self._prior[key] = found
        return found


@dataclass(frozen=True)
class Term:
    kind: str
    weight: float
    detail: str

    def json(self) -> dict[str, object]:
        return {"kind": self.kind, "weight": round(self.weight, 2), "detail": self.detail}


@dataclass
class Cluster:
    key: str
    slots: list[int]
    names: set[str]
    ids: set[str]
    papers: set[str]
    pinned: set[str]
    coauthors: Counter[str]
    keywords: set[str]
    terms: set[str]
    venues: set[str]
    years: set[int]
    affiliations: set[str]
    domains: set[str]
    places: set[str]
    blocks: set[tuple[str, str]]  # (block, given name), see sub_blocks
    version: int = 0

    def absorb(self, other: Cluster) -> None:
        self.key = min(self.key, other.key)
        self.slots += other.slots
        self.names |= other.names
        self.ids |= other.ids
        self.papers |= other.papers
        self.pinned |= other.pinned
        self.coauthors.update(other.coauthors)
        self.keywords |= other.keywords
        self.terms |= other.terms
        self.venues |= other.venues
        self.years |= other.years
        self.affiliations |= other.affiliations
        self.domains |= other.domains
        self.places |= other.places
        self.blocks |= other.blocks
        self.version += 1


def _full(names: Iterable[str]) -> list[str]:
    return [k for k in names if len(k.split()[0]) > 1 and len(k.split()) >= 2]


def _covers(a: Iterable[str], b: Iterable[str]) -> bool:
    """Every fully spelt name of `b` is compatible with a fully spelt name of `a`."""
    full_a = _full(a)
    return all(any(names_compatible(x, y) for x in full_a) for y in _full(b))


def names_agree(a: set[str], b: set[str]) -> bool:
    """Two clusters' names can be one person's: some pair is compatible, and one side's fully
    spelt names are all compatible with the other's ("j smith" + "john a smith" and "jane
    smith" are not)."""
    if not any(names_compatible(x, y) for x in a for y in b):
        return False
    return _covers(a, b) or _covers(b, a)


def _unique_ids(ids: Iterable[str]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = defaultdict(set)
    for ext in ids:
        scheme = ext.split(":", 1)[0]
        if scheme in UNIQUE_SCHEMES:
            found[scheme].add(ext)
    return found


def ids_conflict(a: Iterable[str], b: Iterable[str]) -> bool:
    ua, ub = _unique_ids(a), _unique_ids(b)
    return any(ua[s] and ub.get(s) and ua[s] != ub[s] for s in list(ua))


@dataclass
class Decision:
    """Why a slot is in its cluster: how its group joined (kind, score, terms)."""

    kind: str  # external-id | stored | score | new
    score: float | None = None
    terms: tuple[Term, ...] = ()
    detail: str = ""


@dataclass
class Result:
    clusters: list[list[int]]  # slot indices, each list sorted, clusters sorted by first slot key
    decisions: list[Decision]  # per slot
    scored_merges: int = 0
    refused: Counter[str] = field(default_factory=Counter)


class Resolver:
    def __init__(
        self,
        slots: Sequence[Slot],
        papers: dict[str, PaperFacts],
        *,
        apart: Iterable[frozenset[str]] = (),
        stats: NameStats | None = None,
        threshold: float = THRESHOLD,
    ) -> None:
        self.slots = slots
        self.papers = papers
        self.apart = set(apart)
        self.threshold = threshold
        self.stats = stats or NameStats(k for s in slots for k in s.names)
        self.by_paper: dict[str, list[int]] = defaultdict(list)
        for i, slot in enumerate(slots):
            if slot.paper is not None:
                self.by_paper[slot.paper].append(i)
        n_papers = max(1, len(papers))
        keyword_df: Counter[str] = Counter(k for p in papers.values() for k in p.keywords)
        term_df: Counter[str] = Counter(t for p in papers.values() for t in p.terms)
        self.rare_keywords = {k for k, n in keyword_df.items() if n / n_papers <= KEYWORD_MAX_DF}
        self.rare_terms = {t for t, n in term_df.items() if n / n_papers <= TERM_MAX_DF}

    # -- features ------------------------------------------------------------------------------

    def _cluster(self, members: list[int]) -> Cluster:
        names: set[str] = set()
        ids: set[str] = set()
        papers: set[str] = set()
        pinned: set[str] = set()
        coauthors: Counter[str] = Counter()
        keywords: set[str] = set()
        terms: set[str] = set()
        venues: set[str] = set()
        years: set[int] = set()
        affiliations: set[str] = set()
        for i in members:
            slot = self.slots[i]
            names |= slot.names
            ids |= slot.external_ids
            affiliations |= slot.affiliations
            if slot.pinned:
                pinned.add(slot.pinned)
            if slot.paper is None:
                continue
            papers.add(slot.paper)
            own = {c for k in slot.names for c in coauthor_keys(k)}
            for j in self.by_paper[slot.paper]:
                if j != i:
                    others = {c for k in self.slots[j].names for c in coauthor_keys(k)} - own
                    coauthors.update(others)
            facts = self.papers.get(slot.paper)
            if facts is not None:
                keywords |= facts.keywords & self.rare_keywords
                terms |= facts.terms & self.rare_terms
                venues |= facts.venues
                years |= facts.years
        domains = {
            d
            for ext in ids
            if ext.startswith("email:") and (d := ext.rsplit("@", 1)[-1]) not in WEBMAIL
        }
        return Cluster(
            min(self.slots[i].key for i in members),
            sorted(members),
            names,
            ids,
            papers,
            pinned,
            coauthors,
            keywords,
            terms,
            venues,
            years,
            affiliations,
            domains,
            place_tokens(affiliations, domains),
            {b for k in names for b in sub_blocks(k)},
        )

    def refuse(self, a: Cluster, b: Cluster, *, by_name: bool = True) -> str:
        """Why `a` and `b` can never be one person ("" if they can)."""
        if not a.papers.isdisjoint(b.papers):
            return "same-paper"
        if ids_conflict(a.ids, b.ids):
            return "two-ids"
        if any(frozenset((x, y)) in self.apart for x in a.pinned for y in b.pinned):
            return "split-apart"
        if by_name and not names_agree(a.names, b.names) and not aliases_agree(a.names, b.names):
            return "names"
        return ""

    def score(self, a: Cluster, b: Cluster) -> tuple[float, list[Term]]:
        terms: list[Term] = []
        # The name: the most cautious reading of the best compatible pair.
        priors = [
            (min(self.stats.prior(x), self.stats.prior(y)), max(x, y, key=len))
            for x in a.names
            for y in b.names
            if names_compatible(x, y)
        ]
        prior, name = max(priors) if priors else (PRIOR_RANGE[0], "")
        kind = "rare-name" if prior >= self.threshold else "name"
        alias = not priors and aliases_agree(a.names, b.names)
        if alias:
            kind, prior = "alias-name", ALIAS_PRIOR
            name = " ~ ".join(sorted({max(a.names, key=len), max(b.names, key=len)}))
        terms.append(Term(kind, prior, name))
        shared = sorted(
            (
                (
                    min(
                        COAUTHOR_RANGE[1],
                        max(
                            COAUTHOR_RANGE[0],
                            COAUTHOR_BASE + COAUTHOR_SLOPE * self.stats.prior(c),
                        ),
                    ),
                    c,
                )
                for c in _shared_coauthors(a.coauthors, b.coauthors)
            ),
            key=lambda wc: (-wc[0], wc[1]),
        )
        if alias and len(shared) < ALIAS_MIN_COAUTHORS:
            return PRIOR_RANGE[0], terms
        if shared:
            weight = sum(
                w * COAUTHOR_DECAY[min(n, len(COAUTHOR_DECAY) - 1)]
                for n, (w, _) in enumerate(shared)
            )
            names = ", ".join(c for _, c in shared[:3]) + (" ..." if len(shared) > 3 else "")
            terms.append(Term("shared-coauthor", min(COAUTHOR_CAP, weight), names))
        keywords = sorted(a.keywords & b.keywords)
        words = sorted(a.terms & b.terms)
        if keywords or words:
            weight = min(KEYWORD_CAP, KEYWORD_WEIGHT * len(keywords)) + min(
                TERM_CAP, TERM_WEIGHT * len(words)
            )
            terms.append(Term("topic", min(TOPIC_CAP, weight), ", ".join((keywords + words)[:4])))
        venues = sorted(a.venues & b.venues)
        if venues:
            terms.append(Term("venue", VENUE_WEIGHT, ", ".join(venues)))
        places = sorted(a.affiliations & b.affiliations)
        if places:
            terms.append(Term("affiliation", AFFILIATION_WEIGHT, places[0]))
        domains = sorted(a.domains & b.domains)
        if domains:
            terms.append(Term("email-domain", DOMAIN_WEIGHT, domains[0]))
        if not places and not domains:
            shared_places = sorted(a.places & b.places)
            if shared_places:
                terms.append(Term("affiliation", PLACE_WEIGHT, shared_places[0]))
        if a.years and b.years:
            gap = min(abs(x - y) for x in a.years for y in b.years)
            for at_least, penalty in YEAR_GAP_PENALTY:
                if gap >= at_least:
                    terms.append(Term("year-gap", penalty, f"{gap} years"))
                    break
        return sum(t.weight for t in terms), terms

    # -- clustering ----------------------------------------------------------------------------

    def run(self) -> Result:
        slots = self.slots
        order = sorted(range(len(slots)), key=lambda i: slots[i].key)
        decisions: list[Decision] = [Decision("new") for _ in slots]
        refused: Counter[str] = Counter()
        # 1. Hard evidence: the same stored researcher, then the same external id.
        groups: dict[int, Cluster] = {i: self._cluster([i]) for i in order}
        owner = {i: i for i in order}

        def find(i: int) -> int:
            while owner[i] != i:
                owner[i] = owner[owner[i]]
                i = owner[i]
            return i

        def join(i: int, j: int, kind: str, detail: str) -> None:
            ri, rj = find(i), find(j)
            if ri == rj:
                return
            a, b = groups[ri], groups[rj]
            why = self.refuse(a, b, by_name=False)
            if why:
                refused[why] += 1
                return
            keep, gone = (ri, rj) if a.key <= b.key else (rj, ri)
            groups[keep].absorb(groups.pop(gone))
            owner[gone] = keep
            for member in (i, j):
                if decisions[member].kind == "new":
                    decisions[member] = Decision(kind, None, (), detail)

        pinned: dict[str, int] = {}
        holders: dict[str, list[int]] = defaultdict(list)
        for i in order:
            slot = slots[i]
            if slot.pinned is not None:
                if slot.pinned in pinned:
                    join(pinned[slot.pinned], i, "stored", slot.pinned)
                else:
                    pinned[slot.pinned] = i
                decisions[i] = Decision("stored", None, (), slot.pinned)
            for ext in sorted(slot.external_ids):
                holders[ext].append(i)
        for ext in sorted(holders):
            first, *rest = holders[ext]
            for i in rest:
                join(first, i, "external-id", ext)
        clusters = {groups[r].key: groups[r] for r in {find(i) for i in order}}
        base_of = {i: clusters[groups[find(i)].key].key for i in order}

        # 2. Blocks: surname and first initial, and within them the given name.
        blocks: dict[tuple[str, str], set[str]] = defaultdict(set)
        whole: dict[str, set[str]] = defaultdict(set)
        for key, cluster in clusters.items():
            for block in cluster.blocks:
                blocks[block].add(key)
                whole[block[0]].add(key)

        def neighbours(cluster: Cluster) -> set[str]:
            found: set[str] = set()
            for block, given in cluster.blocks:
                if given:
                    found |= blocks[(block, given)] | blocks[(block, "")]
                else:
                    found |= whole[block]
            found.discard(cluster.key)
            return found

        heap: list[tuple[float, str, str, int, int]] = []
        first_terms: dict[str, tuple[float, list[Term], str]] = {}

        def push(a: Cluster, b: Cluster) -> None:
            if self.refuse(a, b):
                return
            total, _ = self.score(a, b)
            if total >= self.threshold:
                x, y = (a, b) if a.key < b.key else (b, a)
                heapq.heappush(heap, (-total, x.key, y.key, x.version, y.version))

        for key in sorted(clusters):
            for other in sorted(neighbours(clusters[key])):
                if other > key:
                    push(clusters[key], clusters[other])
        seen_pairs: set[tuple[str, str, int, int]] = set()
        merges = 0
        while heap:
            _, ka, kb, va, vb = heapq.heappop(heap)
            if (ka, kb, va, vb) in seen_pairs:
                continue
            seen_pairs.add((ka, kb, va, vb))
            a, b = clusters.get(ka), clusters.get(kb)
            if a is None or b is None or a.version != va or b.version != vb:
                continue
            total, terms = self.score(a, b)
            detail = f"{sorted(b.names)[0]} ~ {sorted(a.names)[0]}"
            for side in (a, b):
                for member in side.slots:
                    base = base_of[member]
                    if base not in first_terms:
                        first_terms[base] = (total, terms, detail)
            for block in b.blocks:
                blocks[block].discard(kb)
                whole[block[0]].discard(kb)
            del clusters[kb]
            a.absorb(b)
            merges += 1
            for block in a.blocks:
                blocks[block].add(a.key)
                whole[block[0]].add(a.key)
            for other in sorted(neighbours(a)):
                push(a, clusters[other])
        for i in order:
            if decisions[i].kind in ("new", "stored") and base_of[i] in first_terms:
                total, terms, detail = first_terms[base_of[i]]
                positive = tuple(t for t in terms if t.weight > 0)
                kind = "score" if decisions[i].kind == "new" else "stored"
                decisions[i] = Decision(kind, round(total, 2), positive, detail)
        result = sorted((sorted(c.slots, key=lambda i: slots[i].key) for c in clusters.values()),
                        key=lambda members: slots[members[0]].key)  # fmt: skip
        return Result(result, decisions, merges, refused)


__all__ = [
    "THRESHOLD",
    "UNIQUE_SCHEMES",
    "Cluster",
    "Decision",
    "NameStats",
    "PaperFacts",
    "Resolver",
    "Result",
    "Slot",
    "Term",
    "alias_initials",
    "aliases_agree",
    "block_of",
    "coauthor_keys",
    "names_agree",
    "title_terms",
]
