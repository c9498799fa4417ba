"""The node types of the graph as clients see them, and the values hanging off them."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated, Any, Protocol

import strawberry
from strawberry import Private

from scholargraph.graphdb.model import Label, Rel
from scholargraph.graphdb.reads import EdgeRecord, NodeRecord
from scholargraph.resolvers import profile
from scholargraph.resolvers.context import Context
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

Info = strawberry.Info[Context, None]
# The explorer's types refer to these node types, so these refer back to them lazily.
_EXPLORER = "scholargraph.schema.explorer"

# Defaults of arguments the contract declares nullable (`first: Int = 50`): an explicit null
# means the default too.
HOPS, LIMIT, WORKS, COLLABORATORS = 2, 200, 50, 10


@strawberry.interface(description="Anything in the graph with a stable id.")
class Node:
    id: strawberry.ID
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
        hops: int | None = HOPS,
        labels: list[Annotated[EntityType, strawberry.lazy(_EXPLORER)]] | None = None,
        relationships: list[Annotated[RelationType, strawberry.lazy(_EXPLORER)]] | None = None,
        limit: int | None = LIMIT,
    ) -> Annotated[Subgraph, strawberry.lazy(_EXPLORER)]:
        from scholargraph.schema import explorer  # imports this module: resolve it late

        return await explorer.subgraph(
            info, self.id, given(hops, HOPS), labels, relationships, given(limit, LIMIT)
        )


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


class Paged(Protocol):
    @property
    def items(self) -> Sequence[tuple[int, Any]]: ...  # (offset, item)
    @property
    def has_next(self) -> bool: ...
    @property
    def has_previous(self) -> bool: ...


def page_info(page: Paged) -> PageInfo:
    offsets = [offset for offset, _ in page.items]
    return PageInfo(
        has_next_page=page.has_next,
        has_previous_page=page.has_previous,
        start_cursor=encode_cursor(offsets[0]) if offsets else None,
        end_cursor=encode_cursor(offsets[-1]) if offsets else None,
    )


@strawberry.type
class Link:
    kind: LinkKind
    value: str | None = strawberry.field(description="Address, URL or handle; null if unknown.")
    as_written: str | None = strawberry.field(description="The link as the source shows it.")


@strawberry.type
class Affiliation:
    institution: Institution
    role: str | None
    since: str | None = strawberry.field(description="YYYY-MM or YYYY.")
    until: str | None
    place: str | None
    as_written: str | None


@strawberry.type
class Education:
    institution: Institution
    degree: str | None
    field: str | None
    year: int | None
    status: str | None
    as_written: str | None


@strawberry.type
class Authorship:
    position: int | None = strawberry.field(description="1-based; null if the source gave none.")
    researcher: Researcher
    equal_contribution: bool
    as_written: str | None = strawberry.field(description="The name as the byline spells it.")


@strawberry.type
class Publication:
    venue: Venue
    year: int | None
    kind: PublicationKind | None
    presentation: Presentation | None
    honors: list[str]
    notes: list[str]
    as_written: str | None


@strawberry.type
class VenuePublication:
    paper: Paper
    year: int | None
    kind: PublicationKind | None
    presentation: Presentation | None
    honors: list[str]


@strawberry.type
class AwardGrant:
    award: Award
    year: int | None
    for_: Paper | None = strawberry.field(name="for", description="The paper it honours.")


@strawberry.type
class Collaborator:
    researcher: Researcher
    shared_work_count: int
    shared_works: list[Paper]
    last_shared_year: int | None


@strawberry.type(description="Counted live from the graph.")
class ResearcherStats:
    works: int
    followers: int
    topics: int
    collaborators: int
    talks: int
    awards: int


@strawberry.type
class TrustSnapshot:
    score: int
    label: str = strawberry.field(description='"Verified" or "Unverified".')
    verification_level: VerificationLevel
    verified: bool
    claimed: bool


@strawberry.type
class WorkEdge:
    cursor: str
    node: Paper


@strawberry.type
class WorkConnection:
    total_count: int = strawberry.field(description="Distinct papers, whatever their venues.")
    edges: list[WorkEdge]
    page_info: PageInfo


@strawberry.type
class ResearcherEdge:
    cursor: str
    node: Researcher


@strawberry.type
class ResearcherConnection:
    total_count: int
    edges: list[ResearcherEdge]
    page_info: PageInfo


@strawberry.type
class VenuePublicationConnection:
    total_count: int
    edges: list[VenuePublication]
    page_info: PageInfo


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


@strawberry.type
class Researcher(Explorable):
    name: str
    aliases: list[str]
    bio: str | None
    headline: str | None
    external_ids: list[str]

    @strawberry.field
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

    @strawberry.field
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

    @strawberry.field
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

    @strawberry.field
    async def supervisors(self, info: Info) -> list[Researcher]:
        found = await profile.linked_nodes(info.context, self.id, Rel.SUPERVISED_BY, "out")
        return [Researcher.of(n) for n in sorted(found, key=lambda n: n.get("name", ""))]

    @strawberry.field
    async def students(self, info: Info) -> list[Researcher]:
        found = await profile.linked_nodes(info.context, self.id, Rel.SUPERVISED_BY, "in")
        return [Researcher.of(n) for n in sorted(found, key=lambda n: n.get("name", ""))]

    @strawberry.field
    async def works(
        self,
        info: Info,
        kind: PublicationKind | None = None,
        first: int | None = WORKS,
        after: str | None = None,
    ) -> WorkConnection:
        kind_value = kind.value if kind else None
        page = await profile.works(info.context, self.id, kind_value, given(first, WORKS), after)
        edges = [WorkEdge(cursor=encode_cursor(o), node=Paper.of(n)) for o, n in page.items]
        return WorkConnection(total_count=page.total, edges=edges, page_info=page_info(page))

    @strawberry.field
    async def talks(self, info: Info) -> list[Talk]:
        found = await profile.linked_nodes(info.context, self.id, Rel.GAVE, "out")
        found.sort(key=lambda n: (n.get("date") or "", n.id), reverse=True)
        return [Talk.of(n) for n in found]

    @strawberry.field
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

    @strawberry.field
    async def topics(self, info: Info) -> list[Topic]:
        found = await profile.linked_nodes(info.context, self.id, Rel.INTERESTED_IN, "out")
        return [Topic.of(n) for n in sorted(found, key=lambda n: n.get("name", ""))]

    @strawberry.field(description="Coauthors by shared works, then latest shared year, then name.")
    async def collaborators(
        self, info: Info, first: int | None = COLLABORATORS
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

    @strawberry.field
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

    @strawberry.field
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


@strawberry.type
class Paper(Explorable):
    title: str
    abstract: str | None
    summary: str | None = strawberry.field(description="The author's own description.")
    external_ids: list[str]

    @strawberry.field(description="The earliest year it appeared anywhere.")
    async def year(self, info: Info) -> int | None:
        edges = await info.context.loaders.edges(Rel.PUBLISHED_AT, "out").load(self.id)
        years = [e.props["year"] for e in edges if e.props.get("year")]
        return min(years) if years else None

    @strawberry.field(description="In author order.")
    async def authors(self, info: Info) -> list[Authorship]:
        found = await profile.linked(info.context, self.id, Rel.AUTHORED, "in")
        found.sort(key=lambda p: (p[0].props.get("position") or 10**6, p[1].id))
        return [
            Authorship(
                position=e.props.get("position"),
                researcher=Researcher.of(n),
                equal_contribution=bool(e.props.get("equalContribution")),
                as_written=e.props.get("asWritten"),
            )
            for e, n in found
        ]

    @strawberry.field
    async def publications(self, info: Info) -> list[Publication]:
        found = await profile.linked(info.context, self.id, Rel.PUBLISHED_AT, "out")
        found.sort(key=lambda p: (p[0].props.get("year") or 9999, p[1].get("name", "")))
        return [
            Publication(
                venue=Venue.of(n),
                notes=_text_list(e.props.get("notes")),
                as_written=e.props.get("asWritten"),
                **_publication_fields(e),
            )
            for e, n in found
        ]

    @strawberry.field
    async def topics(self, info: Info) -> list[Topic]:
        found = await profile.linked_nodes(info.context, self.id, Rel.HAS_TOPIC, "out")
        return [Topic.of(n) for n in sorted(found, key=lambda n: n.get("name", ""))]

    @strawberry.field
    async def awards(self, info: Info) -> list[Award]:
        found = await profile.linked_nodes(info.context, self.id, Rel.AWARD_FOR, "in")
        return [Award.of(n) for n in found]

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


@strawberry.type
class Venue(Node):
    name: str
    aliases: list[str]
    kind: VenueKind | None
    place: str | None

    @strawberry.field(description="The series this one belongs to (a workshop's conference).")
    async def parent(self, info: Info) -> Venue | None:
        found = await profile.linked_nodes(info.context, self.id, Rel.PART_OF, "out")
        return Venue.of(found[0]) if found else None

    @strawberry.field
    async def children(self, info: Info) -> list[Venue]:
        found = await profile.linked_nodes(info.context, self.id, Rel.PART_OF, "in")
        return [Venue.of(n) for n in sorted(found, key=lambda n: n.get("name", ""))]

    @strawberry.field
    async def hosted_by(self, info: Info) -> Institution | None:
        found = await profile.linked_nodes(info.context, self.id, Rel.HOSTED_BY, "out")
        return Institution.of(found[0]) if found else None

    @strawberry.field
    async def publications(
        self,
        info: Info,
        first: int | None = WORKS,
        after: str | None = None,
        year: int | None = None,
    ) -> VenuePublicationConnection:
        page, found = await profile.venue_publications(
            info.context, self.id, year, given(first, WORKS), after
        )
        return VenuePublicationConnection(
            total_count=page.total,
            edges=[VenuePublication(paper=Paper.of(n), **_publication_fields(e)) for e, n in found],
            page_info=page_info(page),
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


@strawberry.type
class Institution(Node):
    name: str
    aliases: list[str]
    kind: InstitutionKind | None
    place: str | None

    @strawberry.field
    async def parent(self, info: Info) -> Institution | None:
        found = await profile.linked_nodes(info.context, self.id, Rel.PART_OF, "out")
        return Institution.of(found[0]) if found else None

    @strawberry.field
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


@strawberry.type
class Topic(Node):
    name: str
    aliases: list[str]

    @classmethod
    def of(cls, r: NodeRecord) -> Topic:
        return cls(
            id=strawberry.ID(r.id),
            record=r,
            name=r.get("name", ""),
            aliases=_text_list(r.get("aliases")),
        )


@strawberry.type
class Talk(Node):
    title: str
    event: str | None = strawberry.field(description="The event as the source names it.")
    place: str | None
    date: str | None = strawberry.field(description="YYYY-MM or YYYY.")
    date_as_written: str | None
    url: str | None
    link_text: str | None = strawberry.field(
        description="The source shows a link or video under this text but gives no address."
    )
    description: str | None

    @strawberry.field
    def year(self) -> int | None:
        return int(self.date[:4]) if self.date else None

    @strawberry.field
    def month(self) -> int | None:
        return int(self.date[5:7]) if self.date and len(self.date) >= 7 else None

    @strawberry.field
    async def venue(self, info: Info) -> Venue | None:
        found = await profile.linked_nodes(info.context, self.id, Rel.TALK_AT, "out")
        return Venue.of(found[0]) if found else None

    @strawberry.field
    async def institution(self, info: Info) -> Institution | None:
        found = await profile.linked_nodes(info.context, self.id, Rel.TALK_HOSTED_BY, "out")
        return Institution.of(found[0]) if found else None

    @strawberry.field
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


@strawberry.type
class Award(Node):
    name: str
    kind: AwardKind | None
    year: int | None
    amount: float | None
    currency: str | None = strawberry.field(description="As the source writes it (e.g. $).")
    duration_years: float | None
    description: str | None
    as_written: str | None

    @strawberry.field
    async def funder(self, info: Info) -> Institution | None:
        found = await profile.linked_nodes(info.context, self.id, Rel.FUNDED_BY, "out")
        return Institution.of(found[0]) if found else None

    @strawberry.field
    async def venue(self, info: Info) -> Venue | None:
        found = await profile.linked_nodes(info.context, self.id, Rel.AWARDED_AT, "out")
        return Venue.of(found[0]) if found else None

    @strawberry.field(name="for", description="The paper it honours, if any.")
    async def for_paper(self, info: Info) -> Paper | None:
        found = await profile.linked_nodes(info.context, self.id, Rel.AWARD_FOR, "out")
        return Paper.of(found[0]) if found else None

    @strawberry.field
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
    recorded_from: str | None
    trust_score: int | None
    trust_label: str | None
    verification_level: str | None
    claimed: bool | None
    works: int | None
    followers: int | None
    topics: int | None
    close_collaborators: int | None
    role: str | None
    affiliation_status: str | None
    open_to_collaborate: bool | None
    headline: str | None

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
    "Talk",
    "Topic",
    "TrustSnapshot",
    "Venue",
    "VenuePublication",
    "WorkConnection",
    "WorkEdge",
    "page_info",
    "to_node",
]
