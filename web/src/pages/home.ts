// /: search over the whole graph; researchers link to their profile, everything to the explorer.
import { account, clear, debounce, exploreUrl, gql, h, header, KIND_NAMES, KIND_OF_TYPENAME, notice, profileUrl, setBusy } from "./common";

const SEARCH = `
query Search($q: String!, $types: [EntityType!], $first: Int!) {
  search(query: $q, types: $types, first: $first) {
    totalCount
    edges { score matched node {
      __typename id
      ... on Researcher { name headline }
      ... on Paper { title year }
      ... on Venue { name }
      ... on Talk { title event }
      ... on Award { name year }
      ... on Institution { name }
      ... on Topic { name }
    } }
  }
}`;

interface Hit {
  score: number;
  matched: string;
  node: { __typename: string; id: string; name?: string; title?: string; headline?: string | null; year?: number | null; event?: string | null };
}

const params = new URLSearchParams(location.search);
const main = document.getElementById("main") as HTMLElement;
const acct = account(() => undefined);
document.getElementById("top")!.replaceWith(header(acct));

const input = h("input", {
  id: "q",
  type: "search",
  name: "q",
  value: params.get("q") ?? "",
  placeholder: "A researcher, paper, venue, topic…",
  autocomplete: "off",
});
const kind = h(
  "select",
  { id: "kind", name: "kind" },
  h("option", { value: "" }, "Everything"),
  Object.entries(KIND_NAMES).map(([value, label]) => h("option", { value, selected: params.get("kind") === value }, label)),
);
const results = h("div", { id: "results", "aria-live": "polite" });
const form = h(
  "form",
  { role: "search", class: "search-form", "aria-label": "Search the graph" },
  h("label", { for: "q" }, "Search the scholarly graph"),
  h("div", { class: "search-row" }, input, h("label", { for: "kind", class: "visually-hidden" }, "Kind"), kind, h("button", { type: "submit", class: "button primary" }, "Search")),
);

clear(
  main,
  h(
    "section",
    { class: "card hero" },
    h("h1", null, "Research discovery over a scholarly knowledge graph"),
    h("p", { class: "headline" }, "Find researchers, papers, venues, talks, awards, institutions and topics; open a profile or see anything in context in the graph explorer."),
    form,
    h(
      "p",
      { class: "muted" },
      "Try ",
      h("a", { href: "/?q=Will+Grathwohl" }, "Will Grathwohl"),
      ", ",
      h("a", { href: "/?q=energy-based+models" }, "energy-based models"),
      " or ",
      h("a", { href: "/?q=ICLR" }, "ICLR"),
      ".",
    ),
  ),
  h("section", { class: "card", "aria-labelledby": "results-title" }, h("h2", { id: "results-title" }, "Results"), results),
);

let seq = 0;
async function run(push: boolean): Promise<void> {
  const q = (input as HTMLInputElement).value.trim();
  const k = (kind as HTMLSelectElement).value;
  if (push) {
    const url = new URL(location.href);
    url.search = q ? new URLSearchParams({ q, ...(k ? { kind: k } : {}) }).toString() : "";
    history.replaceState(null, "", url);
  }
  if (!q) {
    clear(results, h("p", { class: "muted" }, "Type a few words to search."));
    return;
  }
  const mine = ++seq;
  setBusy(results, true);
  clear(results, notice("loading", `Searching for “${q}”…`));
  try {
    const data = await gql<{ search: { totalCount: number; edges: Hit[] } }>(SEARCH, { q, types: k ? [k] : null, first: 30 });
    if (mine !== seq) return;
    const { totalCount, edges } = data.search;
    clear(
      results,
      h("p", { class: "muted", id: "result-count" }, `${totalCount} result(s) for “${q}”${totalCount > edges.length ? `, the best ${edges.length} shown` : ""}.`),
      h(
        "ol",
        { class: "results" },
        edges.map(({ node, matched }) => {
          const label = KIND_OF_TYPENAME[node.__typename] ?? node.__typename.toUpperCase();
          const title = node.name ?? node.title ?? matched;
          const isResearcher = node.__typename === "Researcher";
          const extra = [node.headline, node.event, node.year].filter(Boolean).join(" · ");
          return h(
            "li",
            { class: "result" },
            h("span", { class: `kind kind-${label.toLowerCase()}` }, KIND_NAMES[label] ?? label),
            " ",
            isResearcher ? h("a", { href: profileUrl(node.id), class: "result-title" }, title) : h("span", { class: "result-title" }, title),
            extra ? h("div", { class: "muted small" }, extra) : null,
            h(
              "div",
              { class: "result-links" },
              isResearcher ? h("a", { href: profileUrl(node.id) }, "Profile") : null,
              h("a", { href: exploreUrl(node.id), "aria-label": `Explore in graph: ${title}` }, "Explore in graph"),
            ),
          );
        }),
      ),
    );
  } catch (error) {
    if (mine === seq) clear(results, notice("error", (error as Error).message, "Search failed."));
  } finally {
    if (mine === seq) setBusy(results, false);
  }
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  void run(true);
});
const typed = debounce(() => void run(true), 250);
input.addEventListener("input", typed);
kind.addEventListener("change", () => void run(true));
void run(false);
