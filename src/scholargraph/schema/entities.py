"""The node types of the graph as clients see them, and the values hanging off them."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Annotated, Any, Protocol, TypeVar

import strawberry
from strawberry import Private
from strawberry.types.nodes import SelectedField, Selection

from scholargraph.graphdb.model import Label, Rel
from scholargraph.graphdb.reads import EdgeRecord, NodeRecord
from scholargraph.resolvers import citations, filters, profile
from scholargraph.resolvers.context import Context
from scholargraph.resolvers.filters import FacetScope
from scholargraph.resolvers.pagination import encode_cursor, given
from scholargraph.schema.enums import (
    AwardKind,
    InstitutionKind,
    LinkKind,
    Presentation,
    PublicationKind,
    VenueKind,
    VerificationLevel,
    parse,
)

if TYPE_CHECKING:
    from scholargraph.schema.explorer import EntityType, RelationType, Subgraph
    from scholargraph.schema.identity import AuthorshipIdentity

Info = strawberry.Info[Context, None]
T = TypeVar("T")
# The explorer's types refer to these node types, so these refer back to them lazily.
_EXPLORER = "scholargraph.schema.explorer"
_IDENTITY = "scholargraph.schema.identity"

# Defaults of arguments the contract declares nullable (`first: Int = 50`): an explicit null
# means the default too.
HOPS, LIMIT, WORKS, COLLABORATORS = 2, 200, 50, 10
CITATIONS = 50
AFTER_ARG = (
    "A cursor (endCursor or an edge's cursor) from the previous page; from the start when null."
)
# The `first` of a connection paged 50 at a time by default.
PageSize = Annotated[
    int | None, strawberry.argument(description="Page size, 0 to 1000; null means 50.")
]

# The neighborhood's arguments, here and on Query.neighborhood.
HOPS_ARG = "How many relationships out from the center to walk, 1 to 4; null means 2."
LABELS_ARG = (
    "Walk only through nodes of these kinds (the center always counts); every kind when null, "
    "nothing when empty."
)
RELATIONSHIPS_ARG = (
    "Walk only along relationships of these types; every type but CITES when null, nothing "
    "when empty. Name CITES to walk citations."
)
LIMIT_ARG = (
    "At most this many nodes besides the center, 1 to 2000, nearest first; null means 200. "
    "`truncated` tells whether more were in reach."
)


@strawberry.interface(description="Anything in the graph with a stable id.")
class Node:
    id: strawberry.ID = strawberry.field(
        description="Stable and unique: `<kind>:<slug>`, e.g. researcher:will-grathwohl."
    )
    record: Private[NodeRecord]

    @strawberry.field(description="Which sources (seed documents, import files) assert this.")
    def sources(self) -> list[str]:
        return list(self.record.get("sources", []))


@strawberry.interface(description="A node the research-graph explorer can be anchored on.")
class Explorable(Node):
    @strawberry.field(description="Nodes within `hops` relationships of this one; see Query.")
    async def neighborhood(
        self,
        info: Info,
        hops: Annotated[int | None, strawberry.argument(description=HOPS_ARG)] = HOPS,
        labels: Annotated[
            list[Annotated[EntityType, strawberry.lazy(_EXPLORER)]] | None,
            strawberry.argument(description=LABELS_ARG),
        ] = None,
        relationships: Annotated[
            list[Annotated[RelationType, strawberry.lazy(_EXPLORER)]] | None,
            strawberry.argument(description=RELATIONSHIPS_ARG),
        ] = None,
        limit: Annotated[int | None, strawberry.argument(description=LIMIT_ARG)] = LIMIT,
    ) -> Annotated[Subgraph, strawberry.lazy(_EXPLORER)]:
        from scholargraph.schema import explorer  # imports this module: resolve it late

        return await explorer.subgraph(
            info, self.id, given(hops, HOPS), labels, relationships, given(limit, LIMIT)
        )


@strawberry.type(
    description="Where a page of a connection sits in the whole list (Relay cursor pagination)."
)
class PageInfo:
    has_next_page: bool = strawberry.field(
        description="More items follow this page; pass endCursor as `after` to get them."
    )
    has_previous_page: bool = strawberry.field(
        description="Items come before this page (it was asked for with `after`)."
    )
    start_cursor: str | None = strawberry.field(
        description="The cursor of the first item on this page; null when the page is empty."
    )
    end_cursor: str | None = strawberry.field(
        description="The cursor of the last item on this page; pass it as `after` for the next "
        "page. Null when the page is empty."
    )


class Paged(Protocol):
    @property
    def items(self) -> Sequence[tuple[int, Any]]: ...  # (offset, item)
    @property
    def has_next(self) -> bool: ...
    @property
    def has_previous(self) -> bool: ...


def page_info(page: Paged, tag: str = "") -> PageInfo:
    offsets = [offset for offset, _ in page.items]
    return PageInfo(
        has_next_page=page.has_next,
        has_previous_page=page.has_previous,
        start_cursor=encode_cursor(offsets[0], tag) if offsets else None,
        end_cursor=encode_cursor(offsets[-1], tag) if offsets else None,
    )


@strawberry.type(
    description="A link a researcher's sources publish: homepage, email, GitHub, ORCID and the "
    "like."
)
class Link:
    kind: LinkKind = strawberry.field(
        description="What the link points at; OTHER for kinds this API does not know."
    )
    value: str | None = strawberry.field(description="Address, URL or handle; null if unknown.")
    as_written: str | None = strawberry.field(description="The link as the source shows it.")


@strawberry.type(
    description="A researcher's position at an institution, with its dates as the source gives "
    "them."
)
class Affiliation:
    institution: Institution = strawberry.field(description="The institution of the position.")
    role: str | None = strawberry.field(
        description="The position, as the source names it (e.g. PhD student, Research Scientist)."
    )
    since: str | None = strawberry.field(description="YYYY-MM or YYYY.")
    until: str | None = strawberry.field(
        description="YYYY-MM or YYYY; null while it lasts or when the source does not say."
    )
    place: str | None = strawberry.field(description="City or country, as the source gives it.")
    as_written: str | None = strawberry.field(
        description="The affiliation as the source writes it."
    )


@strawberry.type(description="A degree a researcher studied for at an institution.")
class Education:
    institution: Institution = strawberry.field(
        description="The institution that awards the degree."
    )
    degree: str | None = strawberry.field(description="The degree, e.g. PhD, MSc, BSc.")
    field: str | None = strawberry.field(description="The field of study, e.g. Computer Science.")
    year: int | None = strawberry.field(
        description="The year it was (or is expected to be) completed."
    )
    status: str | None = strawberry.field(
        description="E.g. completed, in progress; null when the source does not say."
    )
    as_written: str | None = strawberry.field(description="The entry as the source writes it.")


@strawberry.type(description="One name in a paper's byline.")
class Authorship:
    position: int | None = strawberry.field(description="1-based; null if the source gave none.")
    researcher: Researcher = strawberry.field(description="The author's researcher record.")
    equal_contribution: bool = strawberry.field(
        description="The byline marks this author as an equal contributor (usually with an "
        "asterisk)."
    )
    as_written: str | None = strawberry.field(description="The name as the byline spells it.")


@strawberry.type(
    description="One appearance of a paper at a venue (a paper can appear at several: preprint, "
    "workshop, conference)."
)
class Publication:
    venue: Venue = strawberry.field(description="The venue series.")
    year: int | None = strawberry.field(description="The year of this appearance.")
    kind: PublicationKind | None = strawberry.field(
        description="Conference, workshop, preprint or journal; null when unknown."
    )
    presentation: Presentation | None = strawberry.field(
        description="Oral, long oral, spotlight or poster; null when the source does not say."
    )
    honors: list[str] = strawberry.field(
        description="Distinctions at this venue as the source words them, e.g. Outstanding Paper "
        "Award."
    )
    notes: list[str] = strawberry.field(
        description="Other remarks the source makes about this appearance."
    )
    as_written: str | None = strawberry.field(
        description="The venue line as the source writes it, e.g. ICLR 2020 (Oral)."
    )


@strawberry.type(description="A paper as it appeared at this venue.")
class VenuePublication:
    paper: Paper = strawberry.field(description="The paper.")
    year: int | None = strawberry.field(description="The year it appeared at this venue.")
    kind: PublicationKind | None = strawberry.field(
        description="Conference, workshop, preprint or journal; null when unknown."
    )
    presentation: Presentation | None = strawberry.field(
        description="Oral, long oral, spotlight or poster; null when unknown."
    )
    honors: list[str] = strawberry.field(
        description="Distinctions at this venue as the source words them."
    )


@strawberry.type(description="An award as a researcher received it.")
class AwardGrant:
    award: Award = strawberry.field(description="The award.")
    year: int | None = strawberry.field(description="The year this researcher received it.")
    for_: Paper | None = strawberry.field(name="for", description="The paper it honours.")


@strawberry.type(description="A coauthor of the researcher and the papers they share.")
class Collaborator:
    researcher: Researcher = strawberry.field(description="The coauthor.")
    shared_work_count: int = strawberry.field(description="How many distinct papers both authored.")
    shared_works: list[Paper] = strawberry.field(
        description="Those papers, in no particular order."
    )
    last_shared_year: int | None = strawberry.field(
        description="The year of their most recent shared paper; null when no shared paper has a "
        "year."
    )


@strawberry.type(description="Counted live from the graph.")
class ResearcherStats:
    works: int = strawberry.field(description="Distinct papers authored (as works.totalCount).")
    followers: int = strawberry.field(description="Accounts following the researcher.")
    topics: int = strawberry.field(description="Topics the researcher is interested in.")
    collaborators: int = strawberry.field(description="Distinct coauthors.")
    talks: int = strawberry.field(description="Talks given.")
    awards: int = strawberry.field(description="Awards and fellowships received.")


@strawberry.type(
    description="How far a profile's identity is established, computed live (docs/trust.md)."
)
class TrustSnapshot:
    score: int = strawberry.field(
        description="0 to 100: 0, 15, 60 or 85 by level, plus 5 per further public source (at most "
        "15) once claimed."
    )
    label: str = strawberry.field(description='"Verified" or "Unverified".')
    verification_level: VerificationLevel = strawberry.field(
        description="L0 (no public source) to L3 (claimed and confirmed)."
    )
    verified: bool = strawberry.field(description="True at L2 and L3.")
    claimed: bool = strawberry.field(description="An account owns this profile.")


@strawberry.input(
    name="WorkFilter",
    description="Keeps the papers that match every given field; a null field keeps all, an "
    "empty list keeps none. The same filter works on Researcher.works, Venue.publications and "
    "search (where it keeps only papers).",
)
class WorkFilterInput:
    kinds: list[PublicationKind] | None = strawberry.field(
        default=None, description="Papers with an appearance of one of these kinds."
    )
    year_from: int | None = strawberry.field(
        default=None,
        description="Papers whose year (the earliest appearance anywhere, as Paper.year) is this "
        "or later; 0 to 9999.",
    )
    year_to: int | None = strawberry.field(
        default=None, description="Papers whose year is this or earlier; 0 to 9999."
    )
    venue_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Papers that appeared at one of these venues (up to 100 ids)."
    )
    topic_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Papers with one of these topics (up to 100 ids)."
    )


def facet_scope(
    scope: filters.Scope, key: str | tuple[str, ...], given_filter: WorkFilterInput | None
) -> FacetScope:
    """The checked filter of a connection (BAD_USER_INPUT when it cannot be applied)."""
    f = given_filter or WorkFilterInput()
    checked = filters.work_filter(
        None if f.kinds is None else [str(k.value) for k in f.kinds],
        f.year_from,
        f.year_to,
        None if f.venue_ids is None else [str(v) for v in f.venue_ids],
        None if f.topic_ids is None else [str(t) for t in f.topic_ids],
    )
    return FacetScope(scope, key, checked)


FILTER_ARG = (
    "Only the papers matching this filter (see WorkFilter); all when null. A cursor stays "
    "valid only with the filter it was issued with."
)
FACETS_DESCRIPTION = (
    "How many papers of the whole filtered list (not only this page) fall in each year, kind, "
    "venue and topic, counted in the store. Every facet respects the whole filter, its own "
    "dimension included (as OpenAlex's group_by): with `kinds: [WORKSHOP]` the kinds facet "
    "counts the workshop papers under each of their kinds. A paper counts once in each value it "
    "has (a paper at two venues counts under both)."
)


@strawberry.type(description="How many papers have one year (Paper.year: the earliest appearance).")
class YearCount:
    value: int = strawberry.field(description="The year.")
    count: int = strawberry.field(description="Distinct papers of that year.")


@strawberry.type(description="How many papers have an appearance of one kind.")
class KindCount:
    value: PublicationKind = strawberry.field(description="The kind of appearance.")
    count: int = strawberry.field(description="Distinct papers with an appearance of that kind.")


@strawberry.type(description="How many papers appeared at one venue.")
class VenueCount:
    venue: Venue = strawberry.field(description="The venue; pass its id in `venueIds` to filter.")
    count: int = strawberry.field(description="Distinct papers that appeared there.")


@strawberry.type(description="How many papers have one topic.")
class TopicCount:
    topic: Topic = strawberry.field(description="The topic; pass its id in `topicIds` to filter.")
    count: int = strawberry.field(description="Distinct papers with that topic.")


@strawberry.type(
    description="Counts of a filtered list of papers by year, kind, venue and topic. Years in "
    "ascending order (for a chart); the others by count, highest first, then by value or id."
)
class WorkFacets:
    years: list[YearCount] = strawberry.field(
        description="Papers per year; papers without one are not counted."
    )
    kinds: list[KindCount] = strawberry.field(description="Papers per kind of appearance.")
    venues: list[VenueCount] = strawberry.field(description="Papers per venue.")
    topics: list[TopicCount] = strawberry.field(description="Papers per topic.")


async def resolve_facets(info: Info, scope: FacetScope | None) -> WorkFacets:
    if scope is None:
        return WorkFacets(years=[], kinds=[], venues=[], topics=[])
    found = await filters.facets(info.context, scope)
    return WorkFacets(
        years=[YearCount(value=y, count=n) for y, n in found.years],
        kinds=[
            KindCount(value=kind, count=n)
            for k, n in found.kinds
            if (kind := parse(PublicationKind, k)) is not None
        ],
        venues=[VenueCount(venue=Venue.of(v), count=n) for v, n in found.venues],
        topics=[TopicCount(topic=Topic.of(t), count=n) for t, n in found.topics],
    )


@strawberry.type(description="One paper in a page of a researcher's works.")
class WorkEdge:
    cursor: str = strawberry.field(description="Pass as `after` to continue after this paper.")
    node: Paper = strawberry.field(description="The paper.")


@strawberry.type(
    description="A page of a researcher's distinct papers, newest first, then by title."
)
class WorkConnection:
    total_count: int = strawberry.field(description="Distinct papers, whatever their venues.")
    edges: list[WorkEdge] = strawberry.field(description="The papers of this page.")
    page_info: PageInfo = strawberry.field(description="Where this page sits.")
    scope: Private[FacetScope | None] = None

    @strawberry.field(description=FACETS_DESCRIPTION)
    async def facets(self, info: Info) -> WorkFacets:
        return await resolve_facets(info, self.scope)


@strawberry.type(description="One researcher in a page of researchers.")
class ResearcherEdge:
    cursor: str = strawberry.field(description="Pass as `after` to continue after this researcher.")
    node: Researcher = strawberry.field(description="The researcher.")


@strawberry.type(description="A page of researchers.")
class ResearcherConnection:
    total_count: int = strawberry.field(description="How many researchers match in all pages.")
    edges: list[ResearcherEdge] = strawberry.field(description="The researchers of this page.")
    page_info: PageInfo = strawberry.field(description="Where this page sits.")


@strawberry.type(description="A page of a venue's papers, newest first.")
class VenuePublicationConnection:
    total_count: int = strawberry.field(
        description="How many papers appeared at the venue (in `year`, if given)."
    )
    edges: list[VenuePublication] = strawberry.field(description="The papers of this page.")
    page_info: PageInfo = strawberry.field(description="Where this page sits.")
    scope: Private[FacetScope | None] = None

    @strawberry.field(description=FACETS_DESCRIPTION)
    async def facets(self, info: Info) -> WorkFacets:
        return await resolve_facets(info, self.scope)


@strawberry.type(description="A paper in a list of references or of citing papers.")
class CitationEdge:
    cursor: str = strawberry.field(description="Pass as `after` to continue after this paper.")
    node: Paper = strawberry.field(description="The cited or citing paper.")


@strawberry.type(
    description="Papers one paper cites, or papers citing it, newest first (Relay connection)."
)
class CitationConnection:
    total_count: int = strawberry.field(
        description="How many CITES relationships in all pages: the live count in this graph, "
        "not a count a source states (see Paper.statedCitations)."
    )
    edges: list[CitationEdge] = strawberry.field(description="The papers of this page.")
    page_info: PageInfo = strawberry.field(description="Where this page sits.")


@strawberry.type(
    description="A citation count as a source states it (e.g. OpenAlex's cited_by_count), "
    "kept as recorded; it counts citations anywhere, not only among papers in this graph."
)
class StatedCitationCount:
    count: int = strawberry.field(description="The number of citations the source states.")
    source: str = strawberry.field(
        description='Who counted, e.g. "OpenAlex" or "Google Scholar via paperlists".'
    )
    as_of: str | None = strawberry.field(
        description="When the source counted (YYYY, YYYY-MM or YYYY-MM-DD); null if unknown."
    )


def _selected(selections: Sequence[Selection], path: Sequence[str]) -> set[str]:
    """Names of the fields selected at `path` below `selections`, through fragments."""
    found: set[str] = set()
    for selection in selections:
        if not isinstance(selection, SelectedField):
            found |= _selected(selection.selections, path)
        elif not path:
            found.add(selection.name)
        elif selection.name == path[0]:
            found |= _selected(selection.selections, path[1:])
    return found


def _paper_hops(info: Info) -> list[profile.Hop]:
    """The hops of a works page's papers this request reads, to load with the page."""
    fields = _selected(info.selected_fields, ["works", "edges", "node"])
    hops = []
    if "authors" in fields:
        hops.append(profile.PAPER_AUTHORS)
    if "publications" in fields or "year" in fields:
        hops.append(profile.PAPER_VENUES)
    return hops


def _text_list(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []


def _publication_fields(edge: EdgeRecord) -> dict[str, Any]:
    props = edge.props
    return {
        "year": props.get("year"),
        "kind": parse(PublicationKind, props.get("kind")),
        "presentation": parse(Presentation, props.get("presentation")),
        "honors": _text_list(props.get("honors")),
    }


@strawberry.type(
    description="A person who authors papers, gives talks or receives awards; one record per "
    "person."
)
class Researcher(Explorable):
    name: str = strawberry.field(
        description="The full name as the sources write it, e.g. Will Grathwohl."
    )
    aliases: list[str] = strawberry.field(
        description="Other spellings of the name seen in sources (bylines, other pages)."
    )
    bio: str | None = strawberry.field(
        description="A short biography from the sources; null when none gives one."
    )
    headline: str | None = strawberry.field(
        description="A one-line description, e.g. role and affiliation."
    )
    external_ids: list[str] = strawberry.field(
        description="Ids the sources gave, prefixed by scheme: openreview:~..., email:..., "
        "orcid:...."
    )

    @strawberry.field(
        description="Homepage, email, GitHub, ORCID and other links, as the sources list them."
    )
    def links(self) -> list[Link]:
        raw = self.record.get("linksJson")
        items = json.loads(raw) if raw else []
        return [
            Link(
                kind=parse(LinkKind, i.get("kind"), LinkKind.OTHER) or LinkKind.OTHER,
                value=i.get("value"),
                as_written=i.get("asWritten"),
            )
            for i in items
        ]

    @strawberry.field(description="Positions held, oldest first.")
    async def affiliations(self, info: Info) -> list[Affiliation]:
        found = await profile.linked(info.context, self.id, Rel.AFFILIATED_WITH, "out")
        return [
            Affiliation(
                institution=Institution.of(n),
                role=e.props.get("role"),
                since=e.props.get("since"),
                until=e.props.get("until"),
                place=e.props.get("place"),
                as_written=e.props.get("asWritten"),
            )
            for e, n in sorted(found, key=lambda p: (p[0].props.get("since") or "", p[1].id))
        ]

    @strawberry.field(description="Degrees, oldest first.")
    async def education(self, info: Info) -> list[Education]:
        found = await profile.linked(info.context, self.id, Rel.EDUCATED_AT, "out")
        return [
            Education(
                institution=Institution.of(n),
                degree=e.props.get("degree"),
                field=e.props.get("field"),
                year=e.props.get("year"),
                status=e.props.get("status"),
                as_written=e.props.get("asWritten"),
            )
            for e, n in sorted(found, key=lambda p: (p[0].props.get("year") or 9999, p[1].id))
        ]

    @strawberry.field(description="The researcher's (PhD or other) supervisors, by name.")
    async def supervisors(self, info: Info) -> list[Researcher]:
        found = await profile.linked_nodes(info.context, self.id, Rel.SUPERVISED_BY, "out")
        return [Researcher.of(n) for n in sorted(found, key=lambda n: n.get("name", ""))]

    @strawberry.field(description="Researchers this one supervises or supervised, by name.")
    async def students(self, info: Info) -> list[Researcher]:
        found = await profile.linked_nodes(info.context, self.id, Rel.SUPERVISED_BY, "in")
        return [Researcher.of(n) for n in sorted(found, key=lambda n: n.get("name", ""))]

    @strawberry.field(description="Distinct papers authored, newest first, then by title.")
    async def works(
        self,
        info: Info,
        kind: Annotated[
            PublicationKind | None,
            strawberry.argument(
                description="Only papers with at least one appearance of this kind; all when null."
            ),
        ] = None,
        first: PageSize = WORKS,
        after: Annotated[
            str | None,
            strawberry.argument(
                description="A cursor (endCursor or an edge's cursor) from the previous page; from "
                "the start when null."
            ),
        ] = None,
        filter: Annotated[
            WorkFilterInput | None, strawberry.argument(description=FILTER_ARG)
        ] = None,
    ) -> WorkConnection:
        kind_value = str(kind.value) if kind else None
        scope = facet_scope("researcher", self.id, filter)
        tag = scope.filter.fingerprint()
        page = await filters.works(
            info.context,
            self.id,
            kind_value,
            scope,
            given(first, WORKS),
            after,
            _paper_hops(info),
        )
        edges = [WorkEdge(cursor=encode_cursor(o, tag), node=Paper.of(n)) for o, n in page.items]
        return WorkConnection(
            total_count=page.total, edges=edges, page_info=page_info(page, tag), scope=scope
        )

    @strawberry.field(description="Talks given, newest first.")
    async def talks(self, info: Info) -> list[Talk]:
        found = await profile.linked_nodes(info.context, self.id, Rel.GAVE, "out")
        found.sort(key=lambda n: (n.get("date") or "", n.id), reverse=True)
        return [Talk.of(n) for n in found]

    @strawberry.field(description="Awards and fellowships received, newest first.")
    async def awards(self, info: Info) -> list[AwardGrant]:
        found = await profile.linked(info.context, self.id, Rel.RECEIVED, "out")
        found.sort(key=lambda p: (-(p[0].props.get("year") or 0), p[1].id))
        papers = await asyncio.gather(
            *(profile.linked_nodes(info.context, a.id, Rel.AWARD_FOR, "out") for _, a in found)
        )
        return [
            AwardGrant(
                award=Award.of(award),
                year=edge.props.get("year"),
                for_=Paper.of(paper[0]) if paper else None,
            )
            for (edge, award), paper in zip(found, papers, strict=True)
        ]

    @strawberry.field(description="Topics of interest, by name.")
    async def topics(self, info: Info) -> list[Topic]:
        found = await profile.linked_nodes(info.context, self.id, Rel.INTERESTED_IN, "out")
        return [Topic.of(n) for n in sorted(found, key=lambda n: n.get("name", ""))]

    @strawberry.field(description="Coauthors by shared works, then latest shared year, then name.")
    async def collaborators(
        self,
        info: Info,
        first: Annotated[
            int | None,
            strawberry.argument(description="At most this many, 0 to 500; null means 10."),
        ] = COLLABORATORS,
    ) -> list[Collaborator]:
        found = await profile.collaborators(info.context, self.id, given(first, COLLABORATORS))
        return [
            Collaborator(
                researcher=Researcher.of(c.researcher),
                shared_work_count=len(c.shared_works),
                shared_works=[Paper.of(p) for p in c.shared_works],
                last_shared_year=c.last_shared_year,
            )
            for c in found
        ]

    @strawberry.field(description="The profile's quick read, counted live.")
    async def stats(self, info: Info) -> ResearcherStats:
        s = await profile.stats(info.context, self.id)
        return ResearcherStats(
            works=s.works,
            followers=s.followers,
            topics=s.topics,
            collaborators=s.collaborators,
            talks=s.talks,
            awards=s.awards,
        )

    @strawberry.field(description="The trust snapshot: verification level, score, claimed or not.")
    async def trust(self, info: Info) -> TrustSnapshot:
        t = await profile.trust(info.context, self.record)
        return TrustSnapshot(
            score=t.score,
            label=t.label,
            verification_level=VerificationLevel(t.level),
            verified=t.verified,
            claimed=t.claimed,
        )

    @strawberry.field(description="Figures a source page showed, kept as recorded.")
    async def recorded_snapshots(self, info: Info) -> list[ProfileSnapshot]:
        found = await profile.linked_nodes(info.context, self.id, Rel.HAS_SNAPSHOT, "out")
        return [ProfileSnapshot.of(n) for n in found]

    @strawberry.field(
        description="Per work, why it is on this profile: evidence kinds, score, the ids that "
        "matched, and any owner decision (docs/identity.md)."
    )
    async def identity(
        self, info: Info
    ) -> list[Annotated[AuthorshipIdentity, strawberry.lazy(_IDENTITY)]]:
        from scholargraph.schema.identity import identity_of

        return await identity_of(info, self.id)

    @strawberry.field(
        description="Ids merged into this record by merges that still stand; node(id:) and "
        "researcher(id:) of any of them answer this record."
    )
    async def merged_from(self, info: Info) -> list[strawberry.ID]:
        from scholargraph.schema.identity import merged_from

        return await merged_from(info, self.id)

    @classmethod
    def of(cls, r: NodeRecord) -> Researcher:
        return cls(
            id=strawberry.ID(r.id),
            record=r,
            name=r.get("name", ""),
            aliases=_text_list(r.get("aliases")),
            bio=r.get("bio"),
            headline=r.get("headline"),
            external_ids=_text_list(r.get("externalIds")),
        )

    @strawberry.field(description="Accounts following this researcher; same as stats.followers.")
    async def followers_count(self, info: Info) -> int:
        return await info.context.loaders.degree(Rel.FOLLOWS, "in").load(self.id)


async def _later(finish: Callable[[Any], T], loading: Awaitable[Any]) -> T:
    return finish(await loading)


def _earliest(edges: list[EdgeRecord]) -> int | None:
    years = [e.props["year"] for e in edges if e.props.get("year")]
    return min(years) if years else None


def _authorships(found: list[tuple[EdgeRecord, NodeRecord]]) -> list[Authorship]:
    found = sorted(found, key=lambda p: (p[0].props.get("position") or 10**6, p[1].id))
    return [
        Authorship(
            position=e.props.get("position"),
            researcher=Researcher.of(n),
            equal_contribution=bool(e.props.get("equalContribution")),
            as_written=e.props.get("asWritten"),
        )
        for e, n in found
    ]


def _publications(found: list[tuple[EdgeRecord, NodeRecord]]) -> list[Publication]:
    found = sorted(found, key=lambda p: (p[0].props.get("year") or 9999, p[1].get("name", "")))
    return [
        Publication(
            venue=Venue.of(n),
            notes=_text_list(e.props.get("notes")),
            as_written=e.props.get("asWritten"),
            **_publication_fields(e),
        )
        for e, n in found
    ]


@strawberry.type(
    description="One work, however many venues it appeared at (id: paper:<hash of its folded "
    "title>)."
)
class Paper(Explorable):
    title: str = strawberry.field(description="The title as published.")
    abstract: str | None = strawberry.field(
        description="The paper's abstract; null when no source gives it."
    )
    summary: str | None = strawberry.field(description="The author's own description.")
    external_ids: list[str] = strawberry.field(
        description="Ids the sources gave, prefixed by scheme, e.g. openreview:<forum id>, "
        "arxiv:<id>."
    )

    # year, authors and publications answer synchronously when a page of works loaded them
    # ahead (Researcher.works): graphql-core then needs no Task per paper and field.
    @strawberry.field(
        description="The earliest year it appeared anywhere.", graphql_type=int | None
    )
    def year(self, info: Info) -> int | Awaitable[int | None] | None:
        loaders = info.context.loaders
        edges = loaders.known_edges(*profile.PAPER_VENUES, self.id)
        if edges is None:
            return _later(_earliest, loaders.edges(*profile.PAPER_VENUES).load(self.id))
        return _earliest(edges)

    @strawberry.field(description="In author order.", graphql_type=list[Authorship])
    def authors(self, info: Info) -> list[Authorship] | Awaitable[list[Authorship]]:
        found = profile.known_linked(info.context, self.id, *profile.PAPER_AUTHORS)
        if found is None:
            loading = profile.linked(info.context, self.id, *profile.PAPER_AUTHORS)
            return _later(_authorships, loading)
        return _authorships(found)

    @strawberry.field(
        description="Every appearance at a venue, oldest first.", graphql_type=list[Publication]
    )
    def publications(self, info: Info) -> list[Publication] | Awaitable[list[Publication]]:
        found = profile.known_linked(info.context, self.id, *profile.PAPER_VENUES)
        if found is None:
            loading = profile.linked(info.context, self.id, *profile.PAPER_VENUES)
            return _later(_publications, loading)
        return _publications(found)

    @strawberry.field(description="Topics of the paper, by name.")
    async def topics(self, info: Info) -> list[Topic]:
        found = await profile.linked_nodes(info.context, self.id, Rel.HAS_TOPIC, "out")
        return [Topic.of(n) for n in sorted(found, key=lambda n: n.get("name", ""))]

    @strawberry.field(description="Awards given for this paper, e.g. best-paper awards.")
    async def awards(self, info: Info) -> list[Award]:
        found = await profile.linked_nodes(info.context, self.id, Rel.AWARD_FOR, "in")
        return [Award.of(n) for n in found]

    @strawberry.field(
        description="Papers in this graph that this paper cites (its resolved references), "
        "newest first, then by title."
    )
    async def references(
        self,
        info: Info,
        first: PageSize = CITATIONS,
        after: Annotated[str | None, strawberry.argument(description=AFTER_ARG)] = None,
    ) -> CitationConnection:
        return await _citations(info, self.id, False, first, after)

    @strawberry.field(
        description="Papers in this graph that cite this paper, newest first, then by title. "
        "`totalCount` is the live count; statedCitations holds what sources state."
    )
    async def cited_by(
        self,
        info: Info,
        first: PageSize = CITATIONS,
        after: Annotated[str | None, strawberry.argument(description=AFTER_ARG)] = None,
    ) -> CitationConnection:
        return await _citations(info, self.id, True, first, after)

    @strawberry.field(
        description="Citation counts as sources state them, the newest of each source, by "
        "source; empty when no source stated one."
    )
    def stated_citations(self) -> list[StatedCitationCount]:
        return [
            StatedCitationCount(count=c.count, source=c.source, as_of=c.as_of)
            for c in citations.stated(self.record)
        ]

    @classmethod
    def of(cls, r: NodeRecord) -> Paper:
        return cls(
            id=strawberry.ID(r.id),
            record=r,
            title=r.get("title", ""),
            abstract=r.get("abstract"),
            summary=r.get("summary"),
            external_ids=_text_list(r.get("externalIds")),
        )


async def _citations(
    info: Info, paper_id: str, cited_by: bool, first: int | None, after: str | None
) -> CitationConnection:
    page = await citations.citation_page(
        info.context, paper_id, cited_by, given(first, CITATIONS), after
    )
    edges = [CitationEdge(cursor=encode_cursor(o), node=Paper.of(n)) for o, n in page.items]
    return CitationConnection(total_count=page.total, edges=edges, page_info=page_info(page))


@strawberry.type(
    description="A series where papers appear or talks are given: a conference, workshop, journal, "
    "seminar (not one edition)."
)
class Venue(Node):
    name: str = strawberry.field(
        description="The series' name, e.g. International Conference on Learning Representations."
    )
    aliases: list[str] = strawberry.field(description="Other names seen in sources, e.g. ICLR.")
    kind: VenueKind | None = strawberry.field(
        description="Conference, workshop, journal and so on; null when unknown."
    )
    place: str | None = strawberry.field(
        description="Where it is held, when it is always one place (a seminar series)."
    )

    @strawberry.field(description="The series this one belongs to (a workshop's conference).")
    async def parent(self, info: Info) -> Venue | None:
        found = await profile.linked_nodes(info.context, self.id, Rel.PART_OF, "out")
        return Venue.of(found[0]) if found else None

    @strawberry.field(
        description="Series that belong to this one (a conference's workshops), by name."
    )
    async def children(self, info: Info) -> list[Venue]:
        found = await profile.linked_nodes(info.context, self.id, Rel.PART_OF, "in")
        return [Venue.of(n) for n in sorted(found, key=lambda n: n.get("name", ""))]

    @strawberry.field(description="The institution that hosts it (a seminar series' university).")
    async def hosted_by(self, info: Info) -> Institution | None:
        found = await profile.linked_nodes(info.context, self.id, Rel.HOSTED_BY, "out")
        return Institution.of(found[0]) if found else None

    @strawberry.field(description="Papers that appeared here, newest first.")
    async def publications(
        self,
        info: Info,
        first: PageSize = WORKS,
        after: Annotated[
            str | None,
            strawberry.argument(
                description="A cursor from the previous page; from the start when null."
            ),
        ] = None,
        year: Annotated[
            int | None,
            strawberry.argument(
                description="Only papers that appeared here in this year; every year when null."
            ),
        ] = None,
        filter: Annotated[
            WorkFilterInput | None, strawberry.argument(description=FILTER_ARG)
        ] = None,
    ) -> VenuePublicationConnection:
        scope = facet_scope("venue", self.id, filter)
        page, found = await filters.venue_publications(
            info.context, self.id, year, scope, given(first, WORKS), after
        )
        return VenuePublicationConnection(
            total_count=page.total,
            edges=[VenuePublication(paper=Paper.of(n), **_publication_fields(e)) for e, n in found],
            page_info=page_info(page, scope.filter.fingerprint()),
            scope=scope,
        )

    @classmethod
    def of(cls, r: NodeRecord) -> Venue:
        return cls(
            id=strawberry.ID(r.id),
            record=r,
            name=r.get("name", ""),
            aliases=_text_list(r.get("aliases")),
            kind=parse(VenueKind, r.get("kind")),
            place=r.get("place"),
        )


@strawberry.type(description="A university, company, lab, institute or funder.")
class Institution(Node):
    name: str = strawberry.field(description="Its name, e.g. University of Toronto.")
    aliases: list[str] = strawberry.field(description="Other names seen in sources.")
    kind: InstitutionKind | None = strawberry.field(
        description="University, company, research group, institute or funder; null when unknown."
    )
    place: str | None = strawberry.field(description="City or country.")

    @strawberry.field(description="The institution this one is part of (a lab's university).")
    async def parent(self, info: Info) -> Institution | None:
        found = await profile.linked_nodes(info.context, self.id, Rel.PART_OF, "out")
        return Institution.of(found[0]) if found else None

    @strawberry.field(description="Institutions that are part of this one, by name.")
    async def units(self, info: Info) -> list[Institution]:
        found = await profile.linked_nodes(info.context, self.id, Rel.PART_OF, "in")
        return [Institution.of(n) for n in sorted(found, key=lambda n: n.get("name", ""))]

    @classmethod
    def of(cls, r: NodeRecord) -> Institution:
        return cls(
            id=strawberry.ID(r.id),
            record=r,
            name=r.get("name", ""),
            aliases=_text_list(r.get("aliases")),
            kind=parse(InstitutionKind, r.get("kind")),
            place=r.get("place"),
        )


@strawberry.type(description="A research subject that researchers and papers are tagged with.")
class Topic(Node):
    name: str = strawberry.field(description="The topic, e.g. Energy-Based Models.")
    aliases: list[str] = strawberry.field(description="Other names seen in sources.")

    @classmethod
    def of(cls, r: NodeRecord) -> Topic:
        return cls(
            id=strawberry.ID(r.id),
            record=r,
            name=r.get("name", ""),
            aliases=_text_list(r.get("aliases")),
        )


@strawberry.type(
    description="A talk a researcher gave, at an event, seminar series or institution."
)
class Talk(Node):
    title: str = strawberry.field(description="The talk's title.")
    event: str | None = strawberry.field(description="The event as the source names it.")
    place: str | None = strawberry.field(description="City, or the room, as the source gives it.")
    date: str | None = strawberry.field(description="YYYY-MM or YYYY.")
    date_as_written: str | None = strawberry.field(
        description="The date as the source writes it, e.g. Fall 2019."
    )
    url: str | None = strawberry.field(
        description="Slides or a recording; null when the source gives no address."
    )
    link_text: str | None = strawberry.field(
        description="The source shows a link or video under this text but gives no address."
    )
    description: str | None = strawberry.field(description="The source's description of the talk.")

    @strawberry.field(description="The year of `date`.")
    def year(self) -> int | None:
        return int(self.date[:4]) if self.date else None

    @strawberry.field(
        description="The month (1 to 12) of `date`; null when only the year is known."
    )
    def month(self) -> int | None:
        return int(self.date[5:7]) if self.date and len(self.date) >= 7 else None

    @strawberry.field(description="The seminar series or conference it was part of.")
    async def venue(self, info: Info) -> Venue | None:
        found = await profile.linked_nodes(info.context, self.id, Rel.TALK_AT, "out")
        return Venue.of(found[0]) if found else None

    @strawberry.field(description="The institution that hosted it.")
    async def institution(self, info: Info) -> Institution | None:
        found = await profile.linked_nodes(info.context, self.id, Rel.TALK_HOSTED_BY, "out")
        return Institution.of(found[0]) if found else None

    @strawberry.field(description="Who gave it.")
    async def speaker(self, info: Info) -> Researcher | None:
        found = await profile.linked_nodes(info.context, self.id, Rel.GAVE, "in")
        return Researcher.of(found[0]) if found else None

    @classmethod
    def of(cls, r: NodeRecord) -> Talk:
        return cls(
            id=strawberry.ID(r.id),
            record=r,
            title=r.get("title", ""),
            event=r.get("event"),
            place=r.get("place"),
            date=r.get("date"),
            date_as_written=r.get("dateAsWritten"),
            url=r.get("url"),
            link_text=r.get("linkText"),
            description=r.get("description"),
        )


@strawberry.type(description="A fellowship, prize, travel award or best-paper award.")
class Award(Node):
    name: str = strawberry.field(
        description="The award's name, e.g. NSERC Postgraduate Scholarship."
    )
    kind: AwardKind | None = strawberry.field(
        description="Fellowship, prize, travel award, best paper; OTHER when unknown."
    )
    year: int | None = strawberry.field(description="The year it was given.")
    amount: float | None = strawberry.field(
        description="The sum, in `currency`, when the source gives it."
    )
    currency: str | None = strawberry.field(description="As the source writes it (e.g. $).")
    duration_years: float | None = strawberry.field(
        description="For how many years it runs (a fellowship), when the source says."
    )
    description: str | None = strawberry.field(description="The source's description of the award.")
    as_written: str | None = strawberry.field(description="The entry as the source writes it.")

    @strawberry.field(description="The institution that funds it.")
    async def funder(self, info: Info) -> Institution | None:
        found = await profile.linked_nodes(info.context, self.id, Rel.FUNDED_BY, "out")
        return Institution.of(found[0]) if found else None

    @strawberry.field(description="The venue that gave it (a best-paper award's conference).")
    async def venue(self, info: Info) -> Venue | None:
        found = await profile.linked_nodes(info.context, self.id, Rel.AWARDED_AT, "out")
        return Venue.of(found[0]) if found else None

    @strawberry.field(name="for", description="The paper it honours, if any.")
    async def for_paper(self, info: Info) -> Paper | None:
        found = await profile.linked_nodes(info.context, self.id, Rel.AWARD_FOR, "out")
        return Paper.of(found[0]) if found else None

    @strawberry.field(description="Researchers who received it, by name.")
    async def recipients(self, info: Info) -> list[Researcher]:
        found = await profile.linked_nodes(info.context, self.id, Rel.RECEIVED, "in")
        return [Researcher.of(n) for n in sorted(found, key=lambda n: n.get("name", ""))]

    @classmethod
    def of(cls, r: NodeRecord) -> Award:
        return cls(
            id=strawberry.ID(r.id),
            record=r,
            name=r.get("name", ""),
            kind=parse(AwardKind, r.get("kind"), AwardKind.OTHER),
            year=r.get("year"),
            amount=r.get("amount"),
            currency=r.get("currency"),
            duration_years=r.get("durationYears"),
            description=r.get("description"),
            as_written=r.get("asWritten"),
        )


@strawberry.type(description="A source page's own figures, kept as that page showed them.")
class ProfileSnapshot(Node):
    recorded_from: str | None = strawberry.field(
        description="The source page the figures were read from."
    )
    trust_score: int | None = strawberry.field(description="The trust score the page showed.")
    trust_label: str | None = strawberry.field(
        description='The trust label the page showed, e.g. "Unverified".'
    )
    verification_level: str | None = strawberry.field(
        description="The verification level the page showed, e.g. L1."
    )
    claimed: bool | None = strawberry.field(
        description="Whether the page showed the profile as claimed."
    )
    works: int | None = strawberry.field(description="The works count the page showed.")
    followers: int | None = strawberry.field(description="The followers count the page showed.")
    topics: int | None = strawberry.field(description="The topics count the page showed.")
    close_collaborators: int | None = strawberry.field(
        description="The close-collaborators count the page showed."
    )
    role: str | None = strawberry.field(description="The role the page showed.")
    affiliation_status: str | None = strawberry.field(
        description="The affiliation status the page showed."
    )
    open_to_collaborate: bool | None = strawberry.field(
        description="Whether the page showed the researcher as open to collaborate."
    )
    headline: str | None = strawberry.field(description="The headline the page showed.")

    @classmethod
    def of(cls, r: NodeRecord) -> ProfileSnapshot:
        g = r.get
        return cls(
            id=strawberry.ID(r.id),
            record=r,
            recorded_from=g("recordedFrom"),
            trust_score=g("trustScore"),
            trust_label=g("trustLabel"),
            verification_level=g("verificationLevel"),
            claimed=g("claimed"),
            works=g("works"),
            followers=g("followers"),
            topics=g("topics"),
            close_collaborators=g("closeCollaborators"),
            role=g("role"),
            affiliation_status=g("affiliationStatus"),
            open_to_collaborate=g("openToCollaborate"),
            headline=g("headline"),
        )


_TYPES: dict[Label, Any] = {
    Label.RESEARCHER: Researcher,
    Label.PAPER: Paper,
    Label.VENUE: Venue,
    Label.INSTITUTION: Institution,
    Label.TOPIC: Topic,
    Label.TALK: Talk,
    Label.AWARD: Award,
    Label.SNAPSHOT: ProfileSnapshot,
}


def to_node(record: NodeRecord | None) -> Node | None:
    """The GraphQL type for a record; None for records clients cannot see (accounts, audit)."""
    if record is None or record.label not in _TYPES:
        return None
    node: Node = _TYPES[record.label].of(record)
    return node


__all__ = [
    "Affiliation",
    "Authorship",
    "Award",
    "AwardGrant",
    "CitationConnection",
    "CitationEdge",
    "Collaborator",
    "Education",
    "Institution",
    "Link",
    "Node",
    "PageInfo",
    "Paper",
    "ProfileSnapshot",
    "Publication",
    "Researcher",
    "ResearcherConnection",
    "ResearcherEdge",
    "ResearcherStats",
    "StatedCitationCount",
    "Talk",
    "Topic",
    "TrustSnapshot",
    "Venue",
    "VenuePublication",
    "WorkConnection",
    "WorkEdge",
    "WorkFacets",
    "WorkFilterInput",
    "facet_scope",
    "page_info",
    "to_node",
]
