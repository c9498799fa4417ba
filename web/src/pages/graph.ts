// Cytoscape.js drawing shared by the explorer and the profile's graph slice. Loaded with a
// dynamic import so the profile's text shows before the graph library has arrived.
import cytoscape from "cytoscape";
import type { Core, ElementDefinition } from "cytoscape";

export interface GNode {
  id: string;
  label: string; // EntityType
  name: string;
  distance?: number;
}

export interface GEdge {
  source: string;
  target: string;
  type: string;
}

// One colour per kind, dark enough for white labels; the legend and the list repeat the kind
// in words so that colour is never the only cue.
export const COLOURS: Record<string, string> = {
  RESEARCHER: "#1d4ed8",
  PAPER: "#b45309",
  VENUE: "#047857",
  TALK: "#7c3aed",
  AWARD: "#be123c",
  INSTITUTION: "#334155",
  TOPIC: "#0e7490",
};

const short = (text: string, n = 28) => (text.length > n ? `${text.slice(0, n - 1)}…` : text);

export const edgeId = (e: GEdge) => `${e.source}|${e.type}|${e.target}`;

export function elements(nodes: GNode[], edges: GEdge[]): ElementDefinition[] {
  const ids = new Set(nodes.map((n) => n.id));
  return [
    ...nodes.map((n) => ({
      group: "nodes" as const,
      data: { id: n.id, kind: n.label, name: n.name, short: short(n.name), colour: COLOURS[n.label] ?? "#444" },
    })),
    ...edges
      .filter((e) => ids.has(e.source) && ids.has(e.target))
      .map((e) => ({
        group: "edges" as const,
        data: { id: edgeId(e), source: e.source, target: e.target, type: e.type },
      })),
  ];
}

export function draw(container: HTMLElement, nodes: GNode[], edges: GEdge[], center?: string): Core {
  const cy = cytoscape({
    container,
    elements: elements(nodes, edges),
    minZoom: 0.2,
    maxZoom: 3,
    style: [
      {
        selector: "node",
        style: {
          "background-color": "data(colour)",
          label: "data(short)",
          color: "#111827",
          "font-size": 10,
          "text-valign": "bottom",
          "text-margin-y": 3,
          "text-background-color": "#ffffff",
          "text-background-opacity": 0.8,
          "text-background-padding": "1px",
          width: 18,
          height: 18,
        },
      },
      { selector: "node[kind = 'RESEARCHER']", style: { shape: "ellipse", width: 24, height: 24 } },
      { selector: "node[kind = 'PAPER']", style: { shape: "round-rectangle" } },
      { selector: "node[kind = 'VENUE']", style: { shape: "diamond" } },
      { selector: "node[kind = 'AWARD']", style: { shape: "star" } },
      { selector: "node[kind = 'INSTITUTION']", style: { shape: "hexagon" } },
      { selector: "node[kind = 'TOPIC']", style: { shape: "tag" } },
      { selector: "node[kind = 'TALK']", style: { shape: "triangle" } },
      { selector: "node.center", style: { "border-width": 4, "border-color": "#f59e0b", width: 32, height: 32 } },
      { selector: "node.expanded", style: { "border-width": 2, "border-color": "#111827" } },
      {
        selector: "edge",
        style: { width: 1.2, "line-color": "#9ca3af", "curve-style": "haystack", opacity: 0.8 },
      },
      { selector: "node.path", style: { "border-color": "#dc2626", "border-width": 4, "z-index": 10 } },
      { selector: "edge.path", style: { "line-color": "#dc2626", width: 4, opacity: 1, "z-index": 10 } },
      { selector: ".faded", style: { opacity: 0.25 } },
    ],
    layout: { name: "cose", animate: false, randomize: false, nodeRepulsion: () => 9000, idealEdgeLength: () => 70 },
  });
  if (center) cy.getElementById(center).addClass("center");
  return cy;
}

/** Adds what is new and lays the whole graph out again. */
export function merge(cy: Core, nodes: GNode[], edges: GEdge[]): number {
  const fresh = nodes.filter((n) => cy.getElementById(n.id).empty());
  cy.add(elements(fresh, []));
  const newEdges = edges.filter((e) => cy.getElementById(edgeId(e)).empty());
  const present = new Set(cy.nodes().map((n) => n.id()));
  cy.add(
    newEdges
      .filter((e) => present.has(e.source) && present.has(e.target))
      .map((e) => ({ group: "edges" as const, data: { id: edgeId(e), source: e.source, target: e.target, type: e.type } })),
  );
  cy.layout({ name: "cose", animate: false, randomize: false, nodeRepulsion: () => 9000, idealEdgeLength: () => 70 }).run();
  return fresh.length;
}
