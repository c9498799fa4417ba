// /researchers/{id}: the profile page of the seed document, drawn from one GraphQL request.
import { account, ApiError, clear, exploreUrl, gql, h, header, KIND_NAMES, notice, profileUrl, setBusy, token } from "./common";
import type { GEdge, GNode } from "./graph";

const PROFILE = `
query Profile($id: ID!, $signedIn: Boolean!) {
  researcher(id: $id) {
    id name headline bio
    affiliations { institution { id name } role since until }
    topics { id name }
    recordedSnapshots { role affiliationStatus openToCollaborate }
    trust { score label verificationLevel verified claimed }
    stats { works followers topics collaborators talks awards }
    followersCount
    works(first: 200) {
      totalCount
      edges { node {
        id title year abstract summary
        authors { position equalContribution asWritten researcher { id name } }
        publications { venue { id name } year kind presentation honors notes asWritten }
        awards { id name }
      } }
    }
    talks { id title event date dateAsWritten place url linkText venue { id name } institution { id name } }
    awards { year award { id name kind amount currency durationYears description funder { name } venue { name } } for { id title } }
    collaborators(first: 12) { researcher { id name } sharedWorkCount lastSharedYear sharedWorks { id title year } }
    neighborhood(hops: 1, limit: 60) { truncated nodes { id label name distance } edges { source target type } }
  }
  me @include(if: $signedIn) { name following { id } ownedProfiles { id } }
}`;

interface Publication {
  venue: { id: string; name: string };
  year: number | null;
  kind: string | null;
  presentation: string | null;
  honors: string[];
  notes: string[];
  asWritten: string | null;
}
interface Paper {
  id: string;
  title: string;
  year: number | null;
  abstract: string | null;
  summary: string | null;
  authors: { position: number | null; equalContribution: boolean; asWritten: string | null; researcher: { id: string; name: string } }[];
  publications: Publication[];
  awards: { id: string; name: string }[];
}
interface Researcher {
  id: string;
  name: string;
  headline: string | null;
  bio: string | null;
  affiliations: { institution: { id: string; name: string }; role: string | null; since: string | null; until: string | null }[];
  topics: { id: string; name: string }[];
  recordedSnapshots: { role: string | null; affiliationStatus: string | null; openToCollaborate: boolean | null }[];
  trust: { score: number; label: string; verificationLevel: string; verified: boolean; claimed: boolean };
  stats: { works: number; followers: number; topics: number; collaborators: number; talks: number; awards: number };
  followersCount: number;
  works: { totalCount: number; edges: { node: Paper }[] };
  talks: {
    id: string;
    title: string;
    event: string | null;
    date: string | null;
    dateAsWritten: string | null;
    place: string | null;
    url: string | null;
    linkText: string | null;
    venue: { id: string; name: string } | null;
    institution: { id: string; name: string } | null;
  }[];
  awards: {
    year: number | null;
    award: {
      id: string;
      name: string;
      kind: string | null;
      amount: number | null;
      currency: string | null;
      durationYears: number | null;
      description: string | null;
      funder: { name: string } | null;
      venue: { name: string } | null;
    };
    for: { id: string; title: string } | null;
  }[];
  collaborators: {
    researcher: { id: string; name: string };
    sharedWorkCount: number;
    lastSharedYear: number | null;
    sharedWorks: { id: string; title: string; year: number | null }[];
  }[];
  neighborhood: { truncated: boolean; nodes: GNode[]; edges: GEdge[] };
}
interface Me {
  name: string;
  following: { id: string }[];
  ownedProfiles: { id: string }[];
}

const KIND_ORDER = ["CONFERENCE", "JOURNAL", "WORKSHOP", "PREPRINT"];
const KIND_HEADINGS: Record<string, string> = {
  CONFERENCE: "Conference papers",
  JOURNAL: "Journal articles",
  WORKSHOP: "Workshop papers",
  PREPRINT: "Preprints",
  OTHER: "Other work",
};
const PRESENTATION: Record<string, string> = {
  ORAL: "Oral presentation",
  LONG_ORAL: "Long oral presentation",
  SPOTLIGHT: "Spotlight",
  POSTER: "Poster",
};
const AWARD_KINDS: Record<string, string> = {
  FELLOWSHIP: "Fellowship",
  PRIZE: "Prize",
  TRAVEL_AWARD: "Travel award",
  BEST_PAPER: "Best paper",
  OTHER: "Award",
};

const idFromPath = () => decodeURIComponent(location.pathname.replace(/^\/researchers\//, "").replace(/\/$/, ""));

/** The kind a paper is listed under: its most formal appearance. */
function kindOf(paper: Paper): string {
  const kinds = paper.publications.map((p) => p.kind).filter((k): k is string => !!k);
  return KIND_ORDER.find((k) => kinds.includes(k)) ?? "OTHER";
}

function section(id: string, title: string, ...body: (Node | string | null)[]): HTMLElement {
  return h("section", { class: "card", id, "aria-labelledby": `${id}-title` }, h("h2", { id: `${id}-title` }, title), ...body);
}

function stat(value: number | string, label: string): HTMLElement {
  return h("div", { class: "stat" }, h("span", { class: "stat-value" }, value), h("span", { class: "stat-label" }, label));
}

function paperItem(paper: Paper, subject: string): HTMLElement {
  const authors = [...paper.authors].sort((a, b) => (a.position ?? 999) - (b.position ?? 999));
  const anyEqual = authors.some((a) => a.equalContribution);
  const byline = h(
    "p",
    { class: "byline" },
    authors.flatMap((a, i) => [
      i ? ", " : null,
      a.researcher.id === subject
        ? h("strong", null, a.researcher.name)
        : h("a", { href: profileUrl(a.researcher.id) }, a.researcher.name),
      a.equalContribution ? h("sup", { title: "equal contribution" }, "*") : null,
    ]),
  );
  const venues = h(
    "ul",
    { class: "venues" },
    paper.publications.map((p) => {
      const notes = [
        p.presentation ? PRESENTATION[p.presentation] ?? p.presentation : null,
        ...p.honors,
      ].filter(Boolean);
      return h(
        "li",
        null,
        p.kind ? h("span", { class: "tag" }, p.kind.toLowerCase()) : null,
        " ",
        p.year ? h("span", { class: "year" }, String(p.year)) : null,
        " ",
        h("span", { class: "venue" }, p.venue.name),
        notes.length ? h("span", { class: "honors" }, ` · ${notes.join(" · ")}`) : null,
      );
    }),
  );
  const text = paper.summary ?? paper.abstract;
  return h(
    "li",
    { class: "work" },
    h("h3", null, paper.title),
    venues,
    authors.length ? byline : null,
    anyEqual ? h("p", { class: "small muted" }, "* equal contribution") : null,
    paper.awards.length ? h("p", { class: "honors" }, paper.awards.map((a) => a.name).join(" · ")) : null,
    text ? h("details", null, h("summary", null, "Abstract"), h("p", null, text)) : null,
  );
}

function works(r: Researcher): HTMLElement {
  const groups = new Map<string, Paper[]>();
  for (const { node } of r.works.edges) {
    const kind = kindOf(node);
    groups.set(kind, [...(groups.get(kind) ?? []), node]);
  }
  const order = [...KIND_ORDER, "OTHER"].filter((k) => groups.has(k));
  return section(
    "works",
    "Published work",
    h("p", { class: "muted" }, `${r.works.totalCount} published item(s)`),
    ...order.map((kind) =>
      h(
        "div",
        { class: "work-group" },
        h("h3", { class: "group-title" }, `${KIND_HEADINGS[kind]} (${groups.get(kind)!.length})`),
        h("ul", { class: "works" }, groups.get(kind)!.map((p) => paperItem(p, r.id))),
      ),
    ),
  );
}

function talks(r: Researcher): HTMLElement {
  return section(
    "talks",
    "Talks",
    r.talks.length
      ? h(
          "ul",
          { class: "plain" },
          r.talks.map((t) =>
            h(
              "li",
              null,
              h("strong", null, t.title),
              h(
                "div",
                { class: "muted" },
                [t.event ?? t.venue?.name, t.institution?.name, t.place, t.dateAsWritten ?? t.date].filter(Boolean).join(" · "),
              ),
              t.url ? h("a", { href: t.url, rel: "noopener noreferrer" }, t.linkText ?? "Link") : null,
            ),
          ),
        )
      : h("p", { class: "muted" }, "No talks recorded."),
  );
}

function money(a: Researcher["awards"][number]["award"]): string | null {
  if (a.amount === null) return null;
  const sum = `${a.currency ?? ""}${a.amount.toLocaleString("en")}`;
  return a.durationYears ? `${sum} over ${a.durationYears} years` : sum;
}

function awards(r: Researcher): HTMLElement {
  return section(
    "awards",
    "Awards and fellowships",
    r.awards.length
      ? h(
          "ul",
          { class: "plain" },
          r.awards.map((g) =>
            h(
              "li",
              null,
              h("strong", null, g.award.name),
              " ",
              h("span", { class: "tag" }, AWARD_KINDS[g.award.kind ?? "OTHER"] ?? "Award"),
              h(
                "div",
                { class: "muted" },
                [g.year ?? null, g.award.venue?.name, money(g.award), g.award.funder ? `funded by ${g.award.funder.name}` : null, g.award.description]
                  .filter(Boolean)
                  .join(" · "),
              ),
              g.for ? h("div", { class: "small" }, "For: ", g.for.title) : null,
            ),
          ),
        )
      : h("p", { class: "muted" }, "No awards recorded."),
  );
}

function collaborators(r: Researcher): HTMLElement {
  return section(
    "collaborators",
    "Close collaborators",
    h("p", { class: "muted" }, `${r.stats.collaborators} coauthor(s); the closest by shared work:`),
    h(
      "ul",
      { class: "collaborators" },
      r.collaborators.map((c) =>
        h(
          "li",
          null,
          h("a", { href: profileUrl(c.researcher.id) }, c.researcher.name),
          h(
            "span",
            { class: "muted" },
            ` · ${c.sharedWorkCount} shared work${c.sharedWorkCount === 1 ? "" : "s"}${c.lastSharedYear ? `, last in ${c.lastSharedYear}` : ""}`,
          ),
          h("details", null, h("summary", null, "Shared works"), h("ul", null, c.sharedWorks.map((w) => h("li", null, w.title, w.year ? ` (${w.year})` : "")))),
        ),
      ),
    ),
  );
}

function graphSlice(r: Researcher): HTMLElement {
  const canvas = h("div", { class: "graph graph-small", role: "img", "aria-label": `Graph of ${r.name}'s nearest nodes` });
  const counts = new Map<string, number>();
  for (const n of r.neighborhood.nodes) counts.set(n.label, (counts.get(n.label) ?? 0) + 1);
  const summary = h(
    "p",
    { class: "muted" },
    `${r.neighborhood.nodes.length} node(s) one step away: `,
    [...counts].map(([k, n]) => `${n} ${KIND_NAMES[k] ?? k}`.toLowerCase()).join(", "),
    r.neighborhood.truncated ? " (truncated: more are in reach)" : "",
  );
  const status = notice("loading", "Building this graph slice…");
  const box = section(
    "graph",
    "See the researcher in context",
    h("p", null, "Inspect adjacent work, topics, institutions and collaborators. ", h("a", { href: exploreUrl(r.id), class: "button" }, "Open full explorer")),
    summary,
    status,
    canvas,
  );
  import("./graph").then(
    ({ draw }) => {
      draw(canvas, [{ id: r.id, label: "RESEARCHER", name: r.name }, ...r.neighborhood.nodes], r.neighborhood.edges, r.id);
      status.remove();
    },
    () => clear(status, "The graph could not be drawn; the explorer lists the same nodes."),
  );
  return box;
}

interface State {
  id: string;
  r: Researcher;
  me: Me | null;
  followers: number;
  following: boolean;
}

function actions(state: State, rerender: () => void): HTMLElement {
  const { r, me } = state;
  const message = h("p", { class: "action-message", role: "status", id: "action-message" });
  const report = (text: string, error = false) => {
    message.textContent = text;
    message.classList.toggle("error-text", error);
  };

  const follow = h(
    "button",
    { type: "button", class: "button primary", id: "follow-button", "aria-pressed": state.following ? "true" : "false" },
    state.following ? "Following" : "Follow researcher",
    " ",
    h("span", { class: "count", id: "follow-count", "aria-label": `${state.followers} followers` }, String(state.followers)),
  );
  follow.addEventListener("click", async () => {
    if (!token()) {
      report("Sign in with an API token (top right) to follow researchers.", true);
      document.getElementById("token-input")?.focus();
      return;
    }
    follow.setAttribute("disabled", "");
    const field = state.following ? "unfollow" : "follow";
    try {
      const data = await gql<Record<string, { following: boolean; researcher: { followersCount: number } }>>(
        `mutation F($id: ID!) { ${field}(researcherId: $id) { following researcher { followersCount } } }`,
        { id: r.id },
      );
      state.following = data[field].following;
      state.followers = data[field].researcher.followersCount;
      report(state.following ? `You follow ${r.name}.` : `You no longer follow ${r.name}.`);
      rerender();
    } catch (error) {
      report((error as Error).message, true);
      follow.removeAttribute("disabled");
    }
  });

  // Claiming: evidence (email, GitHub or ORCID) matched against the record's own links.
  let claim: HTMLElement;
  if (r.trust.claimed) {
    const mine = me?.ownedProfiles.some((p) => p.id === r.id);
    claim = h("p", null, mine ? "You own this profile." : "This profile is claimed by its researcher.");
  } else if (!me) {
    claim = h("p", null, h("button", { type: "button", class: "button", id: "claim-login" }, "Log in to claim"));
    claim.querySelector("button")!.addEventListener("click", () => {
      report("Sign in with an API token (top right) to claim this profile.");
      document.getElementById("token-input")?.focus();
    });
  } else {
    const kind = h(
      "select",
      { id: "claim-kind", "aria-label": "Evidence kind" },
      h("option", { value: "email" }, "Email"),
      h("option", { value: "github" }, "GitHub"),
      h("option", { value: "orcid" }, "ORCID"),
    );
    const value = h("input", { id: "claim-value", "aria-label": "Evidence", placeholder: "you@university.edu", required: true });
    const form = h("form", { class: "inline-form", "aria-label": "Claim this profile" }, kind, value, h("button", { type: "submit", class: "button" }, "Claim this profile"));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      try {
        const data = await gql<{ claimProfile: { status: string } }>(
          `mutation C($id: ID!, $evidence: ClaimEvidenceInput!) { claimProfile(researcherId: $id, evidence: $evidence) { status } }`,
          { id: r.id, evidence: { [(kind as HTMLSelectElement).value]: (value as HTMLInputElement).value } },
        );
        report(
          data.claimProfile.status === "APPROVED"
            ? "Claim approved: the evidence matched. This profile is yours."
            : `Claim ${data.claimProfile.status.toLowerCase()}: an admin will review it.`,
        );
        if (data.claimProfile.status === "APPROVED") load(state.id);
      } catch (error) {
        report((error as Error).message, true);
      }
    });
    claim = form;
  }

  let collaborate: HTMLElement;
  if (!r.trust.claimed) {
    // No emoji padlock: Debian's Chromium (and many phones' fonts) draw it as an empty box.
    collaborate = h("p", { class: "locked" }, h("strong", null, "Locked: "), "Claim this author entity first to unlock direct invitations.");
  } else if (!me) {
    collaborate = h("p", null, "Sign in to invite this researcher to collaborate.");
  } else if (me.ownedProfiles.some((p) => p.id === r.id)) {
    collaborate = h("p", null, "This is your profile: other profiles' owners can invite you from here.");
  } else {
    const text = h("textarea", { id: "invite-message", "aria-label": "Invitation message", rows: 3, maxlength: 2000, required: true });
    const form = h("form", { class: "stack", "aria-label": "Invite to collaborate" }, text, h("button", { type: "submit", class: "button" }, "Invite to collaborate"));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      try {
        await gql(`mutation I($id: ID!, $m: String!) { inviteToCollaborate(researcherId: $id, message: $m) { id status } }`, {
          id: r.id,
          m: (text as HTMLTextAreaElement).value,
        });
        report("Invitation sent.");
        (text as HTMLTextAreaElement).value = "";
      } catch (error) {
        report((error as Error).message, true);
      }
    });
    collaborate = form;
  }

  return section(
    "actions",
    "Actions",
    h("h3", null, "Decide how to stay connected"),
    follow,
    h("h3", null, "Identity and collaboration"),
    h("p", { class: "muted" }, "Claiming links this public author record to a researcher profile and unlocks direct collaboration workflows."),
    claim,
    h("h3", null, "Direct collaboration"),
    h("p", { class: "muted" }, "Open a focused conversation when the fit is right."),
    collaborate,
    message,
  );
}

function render(main: HTMLElement, state: State): void {
  const { r } = state;
  const snapshot = r.recordedSnapshots[0];
  const current = r.affiliations.filter((a) => !a.until);
  const affiliation = current.length
    ? current.map((a) => [a.role, a.institution.name].filter(Boolean).join(", ")).join("; ")
    : `Affiliation ${snapshot?.affiliationStatus ?? "not imported"}`;
  const rerender = () => render(main, state);
  document.title = `${r.name} · scholargraph`;

  clear(
    main,
    h(
      "section",
      { class: "card hero", "aria-labelledby": "name" },
      h("p", { class: "eyebrow" }, "Researcher profile"),
      h("h1", { id: "name" }, r.name),
      r.headline ? h("p", { class: "headline" }, r.headline) : null,
      h(
        "p",
        { class: "chips" },
        h("span", { class: "chip" }, snapshot?.role ?? "Researcher"),
        h("span", { class: "chip", id: "affiliation" }, affiliation),
        snapshot?.openToCollaborate ? h("span", { class: "chip chip-good" }, "Open to collaborate") : null,
      ),
      r.topics.length ? h("p", { class: "topics" }, "Topics: ", r.topics.map((t) => t.name).join(", ")) : null,
    ),
    h(
      "div",
      { class: "two" },
      section(
        "trust",
        "Trust snapshot",
        h("p", { class: "trust-line" }, h("strong", null, `Trust ${r.trust.score}`), ` – ${r.trust.label}`),
        h(
          "p",
          { class: "chips" },
          h("span", { class: "chip" }, `Verification ${r.trust.verificationLevel}`),
          h("span", { class: r.trust.claimed ? "chip chip-good" : "chip" }, r.trust.claimed ? "Claimed profile" : "Unclaimed author"),
        ),
      ),
      section(
        "quick-read",
        "Quick read",
        h(
          "div",
          { class: "stats" },
          stat(r.stats.works, "works"),
          stat(state.followers, "followers"),
          stat(r.stats.topics, "topics"),
          stat(r.stats.collaborators, "close collaborators"),
        ),
      ),
    ),
    actions(state, rerender),
    graphSlice(r),
    works(r),
    h("div", { class: "two" }, talks(r), awards(r)),
    collaborators(r),
    r.bio ? section("about", "About", ...r.bio.split(/\n\n+/).map((p) => h("p", null, p))) : null,
  );
}

let acct: ReturnType<typeof account>;

let loads = 0;

async function load(id: string): Promise<void> {
  const mine = ++loads;
  const main = document.getElementById("main") as HTMLElement;
  setBusy(main, true);
  clear(main, notice("loading", `Loading the profile of ${id}…`, "Loading"));
  try {
    const sentWith = token();
    const data = await gql<{ researcher: Researcher | null; me?: Me | null }>(
      PROFILE,
      { id, signedIn: sentWith !== null },
      true,
      true,
    );
    if (mine !== loads) return; // a later load (signing in or out) took over
    const me = data.me ?? null;
    // A sign-in may have begun while this answer was on its way: it speaks for the token it was
    // sent with, not the one being checked (whose own load follows if it is accepted).
    if (token() === sentWith) acct.show(me);
    if (!data.researcher) {
      document.title = "Researcher not found · scholargraph";
      clear(
        main,
        h(
          "section",
          { class: "card" },
          h("h1", null, "Researcher not found"),
          notice("error", `No researcher has the id “${id}” (404).`),
          h("p", null, h("a", { href: "/" }, "Search the graph"), " for the person you are looking for."),
        ),
      );
      return;
    }
    const r = data.researcher;
    render(main, { id, r, me, followers: r.followersCount, following: !!me?.following.some((f) => f.id === r.id) });
  } catch (error) {
    if (mine !== loads) return;
    const e = error as ApiError;
    document.title = "Profile unavailable · scholargraph";
    const retry = h("button", { type: "button", class: "button" }, "Try again");
    retry.addEventListener("click", () => load(id));
    clear(
      main,
      h(
        "section",
        { class: "card" },
        h("h1", null, "The profile could not be loaded"),
        notice("error", e.message, e.kind === "network" ? "The API is down or unreachable." : "The API refused the request."),
        retry,
      ),
    );
  } finally {
    if (mine === loads) setBusy(main, false);
  }
}

const id = idFromPath();
acct = account(() => load(id), true);
document.getElementById("top")!.replaceWith(header(acct));
void load(id);
