// /explore?focus={id}: the n-hop neighborhood with Cytoscape.js; expand, filter, path, search.
// The view's state lives in the URL: focus, hops, labels, rels, expand, path.
import type { Core } from "cytoscape";
import { account, clear, debounce, exploreUrl, gql, h, header, KIND_NAMES, KIND_OF_TYPENAME, notice, profileUrl, setBusy } from "./common";
import { draw, edgeId, type GEdge, type GNode, merge } from "./graph";

const KINDS = Object.keys(KIND_NAMES);
const RELATIONS = [
  "AUTHORED",
  "PUBLISHED_AT",
  "AFFILIATED_WITH",
  "EDUCATED_AT",
  "SUPERVISED_BY",
  "INTERESTED_IN",
  "HAS_TOPIC",
  "GAVE",
  "TALK_AT",
  "TALK_HOSTED_BY",
  "RECEIVED",
  "AWARD_FOR",
  "AWARDED_AT",
  "FUNDED_BY",
  "PART_OF",
  "HOSTED_BY",
];
const LIMIT = 150;
const EXPAND_LIMIT = 60;

interface View {
  focus: string;
  hops: number;
  labels: string[] | null; // null: every kind
  rels: string[] | null;
  expand: string[];
  path: [string, string] | null;
  limit: number; // most nodes around the focus, 1 to 2000
}

function readView(): View {
  const p = new URLSearchParams(location.search);
  const list = (name: string, allowed: string[]) => {
    const raw = p.get(name);
    return raw === null ? null : raw.split(",").filter((x) => allowed.includes(x));
  };
  const hops = Math.min(4, Math.max(1, Number.parseInt(p.get("hops") ?? "1", 10) || 1));
  const path = p.get("path")?.split(",");
  return {
    focus: p.get("focus") ?? "researcher:will-grathwohl",
    hops,
    labels: list("labels", KINDS),
    rels: list("rels", RELATIONS),
    expand: (p.get("expand") ?? "").split(",").filter(Boolean),
    path: path && path.length === 2 && path[0] && path[1] ? [path[0], path[1]] : null,
    limit: Math.min(2000, Math.max(1, Number.parseInt(p.get("limit") ?? "", 10) || LIMIT)),
  };
}

function writeView(v: View, push = true): void {
  const p = new URLSearchParams();
  p.set("focus", v.focus);
  p.set("hops", String(v.hops));
  if (v.labels) p.set("labels", v.labels.join(","));
  if (v.rels) p.set("rels", v.rels.join(","));
  if (v.expand.length) p.set("expand", v.expand.join(","));
  if (v.path) p.set("path", v.path.join(","));
  if (v.limit !== LIMIT) p.set("limit", String(v.limit));
  const url = `${location.pathname}?${p.toString()}`;
  if (push) history.pushState(null, "", url);
  else history.replaceState(null, "", url);
}

const NAMED = `__typename id
  ... on Researcher { name } ... on Paper { title } ... on Venue { name } ... on Talk { title }
  ... on Award { name } ... on Institution { name } ... on Topic { name }`;
const SUBGRAPH = `truncated hops center { ${NAMED} } nodes { id label name distance } edges { source target type }`;

interface Named {
  __typename: string;
  id: string;
  name?: string;
  title?: string;
}
interface Subgraph {
  truncated: boolean;
  hops: number;
  center: Named;
  nodes: GNode[];
  edges: GEdge[];
}
interface Path {
  distance: number;
  nodes: Named[];
}

const asNode = (n: Named, distance = 0): GNode => ({
  id: n.id,
  label: KIND_OF_TYPENAME[n.__typename] ?? n.__typename.toUpperCase(),
  name: n.name ?? n.title ?? n.id,
  distance,
});

/** One request: the focus's neighborhood, each expanded node's, and the path. */
async function fetchView(v: View) {
  const args = "labels: $labels, relationships: $rels";
  const parts = [`focus: neighborhood(id: $focus, hops: $hops, ${args}, limit: $limit) { ${SUBGRAPH} }`];
  const vars: Record<string, unknown> = { focus: v.focus, hops: v.hops, labels: v.labels, rels: v.rels, limit: v.limit };
  const decl = ["$focus: ID!", "$hops: Int!", "$limit: Int!", "$labels: [EntityType!]", "$rels: [RelationType!]"];
  v.expand.forEach((id, i) => {
    decl.push(`$x${i}: ID!`);
    vars[`x${i}`] = id;
    parts.push(`x${i}: neighborhood(id: $x${i}, hops: 1, ${args}, limit: ${EXPAND_LIMIT}) { ${SUBGRAPH} }`);
  });
  if (v.path) {
    decl.push("$from: ID!", "$to: ID!");
    vars.from = v.path[0];
    vars.to = v.path[1];
    parts.push(`path: collaborationPath(from: $from, to: $to) { distance nodes { ${NAMED} } }`);
  }
  const query = `query Explore(${decl.join(", ")}) {\n${parts.join("\n")}\n}`;
  return gql<Record<string, Subgraph> & { path?: Path | null }>(query, vars);
}

async function fetchExpansion(id: string, v: View): Promise<Subgraph> {
  const data = await gql<{ n: Subgraph }>(
    `query Expand($id: ID!, $labels: [EntityType!], $rels: [RelationType!]) {
      n: neighborhood(id: $id, hops: 1, labels: $labels, relationships: $rels, limit: ${EXPAND_LIMIT}) { ${SUBGRAPH} } }`,
    { id, labels: v.labels, rels: v.rels },
  );
  return data.n;
}

// ---- search with suggestions (an ARIA combobox) ----

const SUGGEST = `query Suggest($q: String!, $types: [EntityType!]) {
  search(query: $q, types: $types, first: 8) { edges { node { ${NAMED} } } } }`;

function combobox(id: string, label: string, types: string[] | null, onPick: (n: GNode) => void, value = ""): HTMLElement {
  const listId = `${id}-list`;
  const input = h("input", {
    id,
    type: "text",
    role: "combobox",
    value,
    autocomplete: "off",
    "aria-autocomplete": "list",
    "aria-expanded": "false",
    "aria-controls": listId,
  }) as HTMLInputElement;
  const list = h("ul", { id: listId, role: "listbox", class: "suggestions", "aria-label": `${label} suggestions`, hidden: true });
  let options: GNode[] = [];
  let active = -1;
  let seq = 0;
  const close = () => {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  };
  const pick = (n: GNode) => {
    input.value = n.name;
    close();
    onPick(n);
  };
  const paint = () => {
    clear(
      list,
      options.map((n, i) => {
        const li = h(
          "li",
          { id: `${listId}-${i}`, role: "option", "aria-selected": i === active ? "true" : "false", class: "suggestion" },
          h("span", { class: `kind kind-${n.label.toLowerCase()}` }, KIND_NAMES[n.label] ?? n.label),
          " ",
          n.name,
        );
        li.addEventListener("mousedown", (e) => {
          e.preventDefault();
          pick(n);
        });
        return li;
      }),
    );
    if (active >= 0) input.setAttribute("aria-activedescendant", `${listId}-${active}`);
    else input.removeAttribute("aria-activedescendant");
  };
  const lookup = debounce(async () => {
    const q = input.value.trim();
    const mine = ++seq;
    if (q.length < 2) return close();
    try {
      const data = await gql<{ search: { edges: { node: Named }[] } }>(SUGGEST, { q, types });
      if (mine !== seq) return;
      options = data.search.edges.map((e) => asNode(e.node));
      active = -1;
      paint();
      list.hidden = options.length === 0;
      input.setAttribute("aria-expanded", options.length ? "true" : "false");
    } catch {
      close();
    }
  }, 200);
  input.addEventListener("input", lookup);
  input.addEventListener("blur", () => setTimeout(close, 100));
  input.addEventListener("keydown", (e) => {
    if (list.hidden || !options.length) return;
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      active = (active + (e.key === "ArrowDown" ? 1 : -1) + options.length) % options.length;
      paint();
    } else if (e.key === "Enter" && active >= 0) {
      e.preventDefault();
      pick(options[active]);
    } else if (e.key === "Escape") close();
  });
  return h("div", { class: "combo" }, h("label", { for: id }, label), input, list);
}

// ---- the page ----

const main = document.getElementById("main") as HTMLElement;
const acct = account(() => undefined);
document.getElementById("top")!.replaceWith(header(acct));

let view = readView();
let cy: Core | null = null;
const onScreen = new Map<string, GNode>();
let pathIds = new Set<string>();

const status = h("div", { id: "status", "aria-live": "polite" });
const canvas = h("div", { class: "graph graph-large", id: "graph", role: "img", "aria-label": "Graph drawing; the list below names the same nodes" });
const nodeList = h("div", { id: "node-list" });
const pathBox = h("div", { id: "path-result", "aria-live": "polite" });
const legend = h(
  "ul",
  { class: "legend", "aria-label": "Node kinds" },
  KINDS.map((k) => h("li", null, h("span", { class: `swatch kind-${k.toLowerCase()}` }), KIND_NAMES[k])),
);

const hopsSelect = h("select", { id: "hops" }, [1, 2, 3, 4].map((n) => h("option", { value: n, selected: n === view.hops }, String(n)))) as HTMLSelectElement;
hopsSelect.addEventListener("change", () => update({ hops: Number(hopsSelect.value) }));

function checkboxes(name: string, all: string[], chosen: string[] | null, text: (v: string) => string, onChange: (v: string[] | null) => void) {
  const boxes = all.map((value) => {
    const box = h("input", { type: "checkbox", id: `${name}-${value}`, value, checked: chosen === null || chosen.includes(value) }) as HTMLInputElement;
    box.addEventListener("change", () => {
      const picked = boxes.filter((b) => b.checked).map((b) => b.value);
      onChange(picked.length === all.length ? null : picked);
    });
    return box;
  });
  return h(
    "div",
    { class: "checks" },
    boxes.map((box) => h("label", { for: box.id, class: "check" }, box, " ", text(box.value))),
  );
}

const pathTo = view.path?.[1] ?? "";
let pathTarget: string | null = view.path?.[1] ?? null;
const pathForm = h(
  "form",
  { class: "stack", "aria-label": "Collaboration path" },
  h("p", { class: "small muted" }, "From the focus (a researcher) to:"),
  combobox("path-to", "Researcher", ["RESEARCHER"], (n) => (pathTarget = n.id), pathTo),
  h("div", { class: "row" }, h("button", { type: "submit", class: "button" }, "Show path"), h("button", { type: "button", class: "link-button", id: "clear-path" }, "Clear")),
);
pathForm.addEventListener("submit", (e) => {
  e.preventDefault();
  const typed = (document.getElementById("path-to") as HTMLInputElement).value.trim();
  const target = pathTarget ?? (typed.includes(":") ? typed : null);
  if (!target) {
    clear(pathBox, notice("error", "Pick a researcher from the suggestions."));
    return;
  }
  update({ path: [view.focus, target] });
});
pathForm.querySelector("#clear-path")!.addEventListener("click", () => {
  pathTarget = null;
  update({ path: null });
});

clear(
  main,
  h(
    "div",
    { class: "explorer" },
    h(
      "aside",
      { class: "card controls", "aria-label": "Explorer controls" },
      h("h1", null, "Research graph explorer"),
      combobox("focus-search", "Search and focus", null, (n) => update({ focus: n.id, expand: [], path: null })),
      h("div", { class: "row" }, h("label", { for: "hops" }, "Hops"), hopsSelect),
      h(
        "details",
        { open: true },
        h("summary", null, "Node kinds"),
        checkboxes("kind", KINDS, view.labels, (k) => KIND_NAMES[k], (labels) => update({ labels })),
      ),
      h(
        "details",
        null,
        h("summary", null, "Relationship kinds"),
        checkboxes("rel", RELATIONS, view.rels, (r) => r.toLowerCase().replaceAll("_", " "), (rels) => update({ rels })),
      ),
      h("h2", null, "Collaboration path"),
      pathForm,
      pathBox,
    ),
    h(
      "section",
      { class: "card canvas-card", "aria-labelledby": "focus-title" },
      h("h2", { id: "focus-title" }, "Neighborhood"),
      status,
      canvas,
      legend,
      h("p", { class: "small muted" }, "Click a node to expand it; the list below holds the same nodes, with buttons."),
    ),
  ),
  h("section", { class: "card", "aria-labelledby": "list-title" }, h("h2", { id: "list-title" }, "Nodes on screen"), nodeList),
);

function update(change: Partial<View>): void {
  view = { ...view, ...change };
  writeView(view);
  void load();
}

function renderList(center: string): void {
  const nodes = [...onScreen.values()].sort(
    (a, b) => (a.distance ?? 0) - (b.distance ?? 0) || a.label.localeCompare(b.label) || a.name.localeCompare(b.name),
  );
  clear(
    nodeList,
    h("p", { class: "muted", id: "node-count" }, `${nodes.length} node(s) on screen.`),
    h(
      "ul",
      { class: "node-list" },
      nodes.map((n) => {
        const expanded = view.expand.includes(n.id);
        const onPath = pathIds.has(n.id);
        const button = h("button", { type: "button", class: "link-button", "data-expand": n.id, disabled: expanded || n.id === center }, expanded ? "Expanded" : "Expand");
        button.addEventListener("click", () => void expand(n.id));
        return h(
          "li",
          { "data-id": n.id, class: onPath ? "on-path" : null },
          h("span", { class: `kind kind-${n.label.toLowerCase()}` }, KIND_NAMES[n.label] ?? n.label),
          " ",
          n.id === center ? h("strong", null, n.name) : n.name,
          n.id === center ? " (focus)" : "",
          onPath ? h("span", { class: "path-mark" }, " · on the path") : null,
          " ",
          h(
            "span",
            { class: "node-actions" },
            button,
            n.id === center ? null : h("a", { href: exploreUrl(n.id) }, "Focus"),
            n.label === "RESEARCHER" ? h("a", { href: profileUrl(n.id) }, "Profile") : null,
          ),
        );
      }),
    ),
  );
}

function pathEdges(p: Path): GEdge[] {
  const edges: GEdge[] = [];
  for (let i = 0; i + 1 < p.nodes.length; i++) {
    const [a, b] = [p.nodes[i], p.nodes[i + 1]];
    const researcher = a.__typename === "Researcher" ? a : b;
    const paper = a.__typename === "Researcher" ? b : a;
    edges.push({ source: researcher.id, target: paper.id, type: "AUTHORED" });
  }
  return edges;
}

function highlight(p: Path | null | undefined): void {
  if (!cy) return;
  cy.elements().removeClass("path faded");
  pathIds = new Set();
  if (!p) return;
  const edges = pathEdges(p);
  for (const n of p.nodes) {
    pathIds.add(n.id);
    cy.getElementById(n.id).addClass("path");
  }
  for (const e of edges) cy.getElementById(edgeId(e)).addClass("path");
}

function renderPath(p: Path | null | undefined): void {
  if (!view.path) {
    clear(pathBox);
    return;
  }
  if (!p) {
    clear(pathBox, notice("note", "No collaboration path within 6 coauthorships (or one end is not a researcher)."));
    return;
  }
  clear(
    pathBox,
    h(
      "div",
      { class: "path-result", id: "path-summary" },
      h("p", null, h("strong", null, `${p.distance} coauthorship${p.distance === 1 ? "" : "s"}`), " apart:"),
      h("ol", { class: "path-steps" }, p.nodes.map((n) => h("li", null, h("span", { class: `kind kind-${asNode(n).label.toLowerCase()}` }, KIND_NAMES[asNode(n).label]), " ", asNode(n).name))),
    ),
  );
}

let loadSeq = 0;
async function load(): Promise<void> {
  const mine = ++loadSeq;
  setBusy(canvas, true);
  clear(status, notice("loading", "Loading the neighborhood…", "Loading"));
  try {
    const data = await fetchView(view);
    if (mine !== loadSeq) return;
    const focus = data.focus;
    const nodes = new Map<string, GNode>([[focus.center.id, asNode(focus.center)]]);
    const edges: GEdge[] = [...focus.edges];
    let truncated = focus.truncated;
    view.expand.forEach((_, i) => {
      const x = data[`x${i}`];
      if (!x) return;
      truncated ||= x.truncated;
      if (!nodes.has(x.center.id)) nodes.set(x.center.id, asNode(x.center, 99));
      edges.push(...x.edges);
      for (const n of x.nodes) if (!nodes.has(n.id)) nodes.set(n.id, { ...n, distance: 99 });
    });
    for (const n of focus.nodes) nodes.set(n.id, n);
    if (data.path) {
      for (const n of data.path.nodes) if (!nodes.has(n.id)) nodes.set(n.id, asNode(n, 99));
      edges.push(...pathEdges(data.path));
    }
    onScreen.clear();
    for (const [id, n] of nodes) onScreen.set(id, n);
    cy?.destroy();
    cy = draw(canvas, [...nodes.values()], edges, focus.center.id);
    for (const id of view.expand) cy.getElementById(id).addClass("expanded");
    cy.on("tap", "node", (event) => void expand(event.target.id()));
    highlight(data.path);
    renderPath(data.path);
    const name = asNode(focus.center).name;
    document.title = `${name} · explorer · scholargraph`;
    clear(
      document.getElementById("focus-title")!,
      `Neighborhood of ${name} `,
      h("span", { class: "muted small" }, `(${focus.hops} hop${focus.hops === 1 ? "" : "s"})`),
    );
    clear(
      status,
      truncated
        ? notice("note", `Showing ${nodes.size} nodes; more were in reach (the API stopped at ${view.limit} around the focus). Lower the hops or filter kinds to see all.`, "Truncated.")
        : h("p", { class: "small muted" }, `${nodes.size} nodes, ${cy.edges().length} relationships.`),
    );
    renderList(focus.center.id);
  } catch (error) {
    if (mine !== loadSeq) return;
    clear(status, notice("error", (error as Error).message, "The neighborhood could not be loaded."));
  } finally {
    if (mine === loadSeq) setBusy(canvas, false);
  }
}

async function expand(id: string): Promise<void> {
  if (!cy || view.expand.includes(id) || id === view.focus) return;
  clear(status, notice("loading", `Expanding ${onScreen.get(id)?.name ?? id}…`));
  try {
    const x = await fetchExpansion(id, view);
    const fresh = x.nodes.filter((n) => !onScreen.has(n.id));
    for (const n of fresh) onScreen.set(n.id, { ...n, distance: 99 });
    const added = merge(cy, fresh, x.edges);
    view = { ...view, expand: [...view.expand, id] };
    writeView(view);
    cy.getElementById(id).addClass("expanded");
    renderList(view.focus);
    clear(
      status,
      notice("note", `Expanded ${onScreen.get(id)?.name ?? id}: ${added} new node(s)${x.truncated ? " (truncated)" : ""}.`),
    );
  } catch (error) {
    clear(status, notice("error", (error as Error).message, "Could not expand."));
  }
}

window.addEventListener("popstate", () => {
  view = readView();
  hopsSelect.value = String(view.hops);
  void load();
});
writeView(view, false);
void load();
