"""The named pieces of Cypher where FalkorDB and Neo4j differ. Everything else is shared."""

from __future__ import annotations

from collections.abc import Callable

from scholargraph.graphdb.model import ENTITY, RATE_BUCKET, WRITE_GENERATION, Label, Rel
from scholargraph.graphdb.store import Dialect

# Labels with a full-text index on `searchText` (folded name, aliases, title, abstract).
SEARCHABLE: tuple[Label, ...] = (
    Label.RESEARCHER,
    Label.PAPER,
    Label.VENUE,
    Label.TALK,
    Label.AWARD,
    Label.INSTITUTION,
    Label.TOPIC,
)
# Labels the identity snapshot (graphdb.identity.load_snapshot) reads in pages ordered by id.
ID_PAGED: tuple[Label, ...] = (
    Label.RESEARCHER,
    Label.PAPER,
    Label.VENUE,
    Label.TOPIC,
    Label.INSTITUTION,
)
# Properties looked up by equality often enough to deserve a range index.
_RANGE_INDEXES: tuple[tuple[str, str], ...] = (
    (ENTITY, "id"),
    (Label.RESEARCHER, "nameKey"),
    (Label.PAPER, "titleKey"),
    (Label.ACCOUNT, "name"),
    (Label.CHANGE_EVENT, "seq"),  # every subscription poll reads the feed after a seq
    # The identity snapshot pages these labels by id (`WHERE n.id > $after ORDER BY n.id`): the
    # unique index is on Entity.id, which a MATCH on the label does not use, so without these
    # every page scans and sorts the whole label (Neo4j reads them in index order).
    *((label, "id") for label in ID_PAGED),
)


def _prefix_terms(tokens: list[str]) -> list[str]:
    # One-letter prefixes match half the index; keep them exact.
    return [f"{t}*" if len(t) > 1 else t for t in tokens]


def _falkor_expression(tokens: list[str]) -> str:
    return " ".join(_prefix_terms(tokens))


def _lucene_expression(tokens: list[str]) -> str:
    return " AND ".join(_prefix_terms(tokens))


def _falkor_any_prefix(alternatives: list[list[str]]) -> str:
    # RediSearch: juxtaposition is AND, `|` inside parentheses is OR.
    return " ".join(
        "(" + "|".join(f"{w}*" for w in words) + ")" if len(words) > 1 else f"{words[0]}*"
        for words in alternatives
    )


def _lucene_any_prefix(alternatives: list[list[str]]) -> str:
    return " AND ".join(
        "(" + " OR ".join(f"{w}*" for w in words) + ")" if len(words) > 1 else f"{words[0]}*"
        for words in alternatives
    )


# Suggestions (graphdb/suggest.py) share the search index; only the call differs. `{label}`
# is replaced from the Label whitelist; $query is the expression below, `node` comes out.
# Lucene keeps only the best $candidates hits when told; otherwise the procedure sorts and
# hands over every match of a one-letter prefix. FalkorDB's call has no such option.
SUGGEST_CALL: dict[str, str] = {
    "falkordb": "CALL db.idx.fulltext.queryNodes('{label}', $query) YIELD node",
    "neo4j": (
        "CALL db.index.fulltext.queryNodes('search_{lower}', $query, {{limit: $candidates}}) "
        "YIELD node"
    ),
}
# A node's relationship count without walking them: an `OPTIONAL MATCH (node)-[r]-()` and
# count(r) expanded every paper of a venue and doubled a suggestion's time.
SUGGEST_WEIGHT: dict[str, str] = {
    "falkordb": "indegree(node) + outdegree(node)",
    "neo4j": "COUNT { (node)--() }",
}
# For each typed word, its spellings (folded, transliteration-collapsed): one must match as a
# word prefix; every typed word must. One letter too: a search box starts with one.
SUGGEST_EXPRESSION: dict[str, Callable[[list[list[str]]], str]] = {
    "falkordb": _falkor_any_prefix,
    "neo4j": _lucene_any_prefix,
}


FALKORDB = Dialect(
    name="falkordb",
    schema=tuple(f"CREATE INDEX FOR (n:{label}) ON (n.{prop})" for label, prop in _RANGE_INDEXES)
    + tuple(
        # No stop words: "the" or "of" in a title are as findable as on Neo4j.
        f"CALL db.idx.fulltext.createNodeIndex({{label: '{label}', stopwords: []}}, 'searchText')"
        for label in SEARCHABLE
    ),
    already_exists=("already indexed", "already exists"),
    fulltext={
        label: (
            f"CALL db.idx.fulltext.queryNodes('{label}', $query) YIELD node, score "
            "RETURN node.id AS id, node.searchTerms AS terms, score "
            "ORDER BY score DESC, id LIMIT $limit"
        )
        for label in SEARCHABLE
    },
    fulltext_expression=_falkor_expression,
    # Undirected shortestPath is refused by FalkorDB, and its algo.SPpaths enumerates paths:
    # 1 to 29 s per pair (one past a 30 s timeout) on 100k synthetic papers with maxLen 12,
    # where graphdb.explorer's level-by-level walk from both ends took 3 to 18 ms for the
    # same pairs. Empty: use that walk.
    shortest_path="",
)

NEO4J = Dialect(
    name="neo4j",
    schema=(
        f"CREATE CONSTRAINT entity_id IF NOT EXISTS FOR (n:{ENTITY}) REQUIRE n.id IS UNIQUE",
        # MERGE on these is safe under concurrent workers only with a uniqueness constraint.
        f"CREATE CONSTRAINT rate_bucket_id IF NOT EXISTS "
        f"FOR (n:{RATE_BUCKET}) REQUIRE n.id IS UNIQUE",
        f"CREATE CONSTRAINT write_generation_id IF NOT EXISTS "
        f"FOR (n:{WRITE_GENERATION}) REQUIRE n.id IS UNIQUE",
        # So that concurrent first writes MERGE one feed node (graphdb/events.py), not two.
        f"CREATE CONSTRAINT change_feed_name IF NOT EXISTS FOR (n:{Label.CHANGE_FEED}) "
        "REQUIRE n.name IS UNIQUE",
        *(
            f"CREATE INDEX {label.lower()}_{prop.lower()} IF NOT EXISTS "
            f"FOR (n:{label}) ON (n.{prop})"
            for label, prop in _RANGE_INDEXES[1:]
        ),
        *(
            f"CREATE FULLTEXT INDEX search_{label.lower()} IF NOT EXISTS "
            f"FOR (n:{label}) ON EACH [n.searchText] "
            "OPTIONS {indexConfig: {`fulltext.analyzer`: 'standard-no-stop-words'}}"
            for label in SEARCHABLE
        ),
    ),
    already_exists=("already exists", "EquivalentSchemaRuleAlreadyExists"),
    fulltext={
        label: (
            f"CALL db.index.fulltext.queryNodes('search_{label.lower()}', $query) "
            "YIELD node, score RETURN node.id AS id, node.searchTerms AS terms, score "
            "ORDER BY score DESC, id LIMIT $limit"
        )
        for label in SEARCHABLE
    },
    fulltext_expression=_lucene_expression,
    # The id index is on Entity: matching the ends as Researcher would scan every researcher.
    # Of all shortest chains, the first by its ids in order: the one FalkorDB's walk builds.
    shortest_path=(
        f"MATCH (a:{ENTITY} {{id: $from}}), (b:{ENTITY} {{id: $to}}) "
        f"MATCH p = allShortestPaths((a)-[:{Rel.AUTHORED}*..{{max_rels}}]-(b)) "
        "WITH [n IN nodes(p) | n.id] AS ids RETURN ids ORDER BY ids LIMIT 1"
    ),
)

__all__ = [
    "FALKORDB",
    "ID_PAGED",
    "NEO4J",
    "SEARCHABLE",
    "SUGGEST_CALL",
    "SUGGEST_EXPRESSION",
    "SUGGEST_WEIGHT",
]
