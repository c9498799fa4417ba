// What every page shares: the GraphQL client (fetch to /graphql, same origin), the API token
// kept in sessionStorage, the header with search and sign-in, and small DOM helpers.

export const TOKEN_KEY = "scholargraph.token";

export class ApiError extends Error {
  constructor(
    message: string,
    readonly kind: "network" | "http" | "graphql",
    readonly code?: string,
  ) {
    super(message);
  }
}

export type Vars = Record<string, unknown>;

export function token(): string | null {
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

export function setToken(value: string | null): void {
  if (value) sessionStorage.setItem(TOKEN_KEY, value);
  else sessionStorage.removeItem(TOKEN_KEY);
}

type Body<T> = { data?: T; errors?: { message: string; extensions?: { code?: string } }[] };

async function send(init: RequestInit, url = "/graphql"): Promise<Response> {
  try {
    return await fetch(url, { ...init, credentials: "omit" });
  } catch {
    throw new ApiError("The scholargraph API cannot be reached. Check your connection and try again.", "network");
  }
}

async function read<T>(response: Response): Promise<Body<T>> {
  try {
    return (await response.json()) as Body<T>;
  } catch {
    throw new ApiError(`The API answered ${response.status} ${response.statusText || ""}`.trim(), "http");
  }
}

/** SHA-256 of a query as Apollo's persisted queries name it; null where the browser has no
 * WebCrypto (pages served over plain HTTP from another host than localhost). */
async function sha256(text: string): Promise<string | null> {
  if (!globalThis.crypto?.subtle) return null;
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * One request to the public endpoint; the first GraphQL error becomes an ApiError. With
 * `persisted`, a query goes as an Automatic Persisted Query: a GET naming only its hash (one
 * small, cacheable request), and only when the server does not know the hash yet, a POST with
 * the query to register it.
 */
export async function gql<T>(query: string, variables: Vars = {}, auth = true, persisted = false): Promise<T> {
  const headers: Record<string, string> = { accept: "application/json" };
  const bearer = auth ? token() : null;
  if (bearer) headers.authorization = `Bearer ${bearer}`;
  const hash = persisted ? await sha256(query) : null;
  const extensions = hash ? { persistedQuery: { version: 1, sha256Hash: hash } } : undefined;
  let response: Response | null = null;
  let body: Body<T> | null = null;
  if (extensions) {
    const params = new URLSearchParams({ variables: JSON.stringify(variables), extensions: JSON.stringify(extensions) });
    response = await send({ method: "GET", headers }, `/graphql?${params}`);
    body = await read<T>(response);
    if (body.errors?.[0]?.extensions?.code === "PERSISTED_QUERY_NOT_FOUND") body = null;
  }
  if (body === null) {
    response = await send({
      method: "POST",
      headers: { ...headers, "content-type": "application/json" },
      body: JSON.stringify(extensions ? { query, variables, extensions } : { query, variables }),
    });
    body = await read<T>(response);
  }
  if (body.errors?.length) {
    const first = body.errors[0];
    throw new ApiError(first.message, "graphql", first.extensions?.code);
  }
  if (!response?.ok || body.data === undefined) {
    throw new ApiError(`The API answered ${response?.status}`, "http");
  }
  return body.data;
}

type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | null | undefined | EventListener>;

/** document.createElement with attributes (on* become listeners) and children. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs | null = null,
  ...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") {
      element.addEventListener(name.slice(2), value as EventListener);
    } else if (name === "class") {
      element.className = String(value);
    } else {
      element.setAttribute(name, value === true ? "" : String(value));
    }
  }
  append(element, children);
  return element;
}

export function append(parent: Element, children: (Child | Child[])[]): void {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(child instanceof Node ? child : String(child));
  }
}

export function clear(element: Element, ...children: (Child | Child[])[]): void {
  element.replaceChildren();
  append(element, children);
}

export const profileUrl = (id: string) => `/researchers/${encodeURIComponent(id)}`;
export const exploreUrl = (id: string) => `/explore?focus=${encodeURIComponent(id)}`;

export const KIND_NAMES: Record<string, string> = {
  RESEARCHER: "Researcher",
  PAPER: "Paper",
  VENUE: "Venue",
  TALK: "Talk",
  AWARD: "Award",
  INSTITUTION: "Institution",
  TOPIC: "Topic",
};

export const KIND_OF_TYPENAME: Record<string, string> = {
  Researcher: "RESEARCHER",
  Paper: "PAPER",
  Venue: "VENUE",
  Talk: "TALK",
  Award: "AWARD",
  Institution: "INSTITUTION",
  Topic: "TOPIC",
};

/** A status line: loading, error or note; role=status/alert so screen readers hear it. */
export function notice(kind: "loading" | "error" | "note", text: string, title?: string): HTMLElement {
  return h(
    "div",
    { class: `notice notice-${kind}`, role: kind === "error" ? "alert" : "status" },
    title ? h("strong", null, title) : null,
    title ? " " : null,
    text,
  );
}

export function debounce<A extends unknown[]>(fn: (...args: A) => void, ms: number): (...args: A) => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return (...args: A) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

const ME = `query Me { me { name } }`;

export interface Account {
  element: HTMLElement;
  /** Show who is signed in, known from the page's own query (no request of its own). */
  show(me: { name: string } | null): void;
}

/**
 * The header's sign-in: an API token (from `scholargraph token create`) checked with `me`,
 * kept in sessionStorage for this tab. `onChange` runs after signing in or out. With `lazy`
 * the page tells who is signed in through `show` (its one query asks for `me`); otherwise a
 * stored token is checked with a `me` query of its own.
 */
export function account(onChange: () => void, lazy = false): Account {
  const slot = h("div", { class: "account", id: "account" });

  const signedIn = (name: string) => {
    const out = h("button", { type: "button", class: "link-button" }, "Sign out");
    out.addEventListener("click", () => {
      setToken(null);
      signedOut();
      onChange();
    });
    clear(slot, h("span", { class: "account-name" }, "Signed in as ", h("strong", null, name)), " ", out);
  };

  const signedOut = (why = "") => {
    const input = h("input", {
      id: "token-input",
      type: "password",
      autocomplete: "off",
      placeholder: "API token",
      "aria-label": "API token",
      required: true,
    });
    const message = h("span", { class: "account-message", role: "status" }, why);
    const form = h(
      "form",
      { class: "account-form", "aria-label": "Sign in" },
      input,
      h("button", { type: "submit" }, "Sign in"),
      message,
    );
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const value = input.value.trim();
      if (!value) return;
      setToken(value);
      message.textContent = "Checking the token…";
      try {
        const data = await gql<{ me: { name: string } | null }>(ME);
        if (!data.me) throw new ApiError("The API did not accept that token.", "graphql");
        signedIn(data.me.name);
        onChange();
      } catch (error) {
        setToken(null);
        message.textContent = (error as Error).message;
      }
    });
    clear(slot, form);
  };

  const show = (me: { name: string } | null) => {
    if (me) signedIn(me.name);
    else if (slot.querySelector("form") && !token()) {
      // Signed out already, maybe typing a token: leave the form as it is.
    } else {
      const had = token() !== null;
      setToken(null);
      signedOut(had ? "The stored token was refused; sign in again." : "");
    }
  };

  if (!token()) signedOut();
  else if (lazy) clear(slot, h("span", { class: "account-name" }, "Signed in"));
  else {
    clear(slot, h("span", { class: "account-name" }, "Checking your token…"));
    gql<{ me: { name: string } | null }>(ME).then(
      (data) => show(data.me),
      (error: Error) => clear(slot, h("span", { class: "account-message" }, error.message)),
    );
  }
  return { element: slot, show };
}

/** The header every page shows: the site's name, navigation, the account slot. */
export function header(acct: Account): HTMLElement {
  return h(
    "header",
    { class: "site-header" },
    h("a", { class: "brand", href: "/" }, "scholargraph"),
    h(
      "nav",
      { "aria-label": "Site" },
      h("a", { href: "/" }, "Search"),
      h("a", { href: exploreUrl("researcher:will-grathwohl") }, "Explorer"),
      h("a", { href: "/graphql" }, "GraphiQL"),
    ),
    acct.element,
  );
}

export function setBusy(element: HTMLElement, busy: boolean): void {
  if (busy) element.setAttribute("aria-busy", "true");
  else element.removeAttribute("aria-busy");
}
