// GraphiQL with the explorer plugin, talking to the endpoint that served this page.
import { explorerPlugin } from "@graphiql/plugin-explorer";
import { createGraphiQLFetcher } from "@graphiql/toolkit";
import { setNonce } from "get-nonce";
import { GraphiQL } from "graphiql";
import { createRoot } from "react-dom/client";

import "graphiql/style.css";
import "@graphiql/plugin-explorer/style.css";

const DEFAULT_QUERY = `# scholargraph: a scholarly knowledge graph. Open the Explorer (left) to build a query,
# or the Docs for every type and field. Run with Ctrl-Enter.
{
  researcher(name: "will grathwohl") {
    name
    headline
    stats { works followers collaborators }
  }
}
`;

// Dialogs lock the page's scrolling with a <style> element (react-remove-scroll); the page's
// Content-Security-Policy admits it by this response's nonce, which the server put on our tag.
setNonce(document.querySelector("script[nonce]")?.nonce);

const endpoint = new URL(window.location.pathname, window.location.origin).href;
const fetcher = createGraphiQLFetcher({ url: endpoint });
const plugins = [explorerPlugin({ showAttribution: false })];

createRoot(document.getElementById("graphiql")).render(
  <GraphiQL
    fetcher={fetcher}
    plugins={plugins}
    defaultQuery={DEFAULT_QUERY}
    defaultEditorToolsVisibility={true}
    isHeadersEditorEnabled={true}
  />,
);
