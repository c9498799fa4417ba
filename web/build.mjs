// Builds the pages' assets into the Python package (src/scholargraph/static/), so that
// `pip install` + `scholargraph serve` needs no Node. Usage: node build.mjs [--out DIR]
//
// static/BUILD.json records a hash of every input (this script, package.json,
// package-lock.json, src/) and of every output; tests/test_web_build.py checks both.
import { createHash } from "node:crypto";
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const WEB = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const OUT = args[0] === "--out" ? args[1] : join(WEB, "..", "src", "scholargraph", "static");

const version = (pkg) =>
  JSON.parse(readFileSync(join(WEB, "node_modules", pkg, "package.json"), "utf8")).version;

function walk(dir) {
  return readdirSync(dir)
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? walk(path) : [path];
    })
    .sort();
}

const posix = (path) => path.split(sep).join("/");
const sha256 = (data) => createHash("sha256").update(data).digest("hex");

// Must match tests/test_web_build.py: one line "<path>\0<sha256>\n" per input, paths sorted.
function inputsHash() {
  const files = ["build.mjs", "package.json", "package-lock.json", ...walk(join(WEB, "src")).map((p) => posix(relative(WEB, p)))].sort();
  return sha256(files.map((f) => `${f}\0${sha256(readFileSync(join(WEB, f)))}\n`).join(""));
}

// GraphiQL and the explorer plugin in one module and one stylesheet, named after their
// versions so that the bundle's source is visible at a glance and no cache serves a stale one.
async function graphiql() {
  const dir = join(OUT, "graphiql");
  const base = `graphiql-${version("graphiql")}-explorer-${version("@graphiql/plugin-explorer")}.bundle`;
  await esbuild.build({
    absWorkingDir: WEB,
    entryPoints: { [base]: "src/graphiql.jsx" },
    outdir: dir,
    bundle: true,
    minify: true,
    format: "esm",
    target: ["es2022", "chrome110", "firefox115", "safari16"],
    jsx: "automatic",
    define: { "process.env.NODE_ENV": '"production"' },
    legalComments: "eof",
    logLevel: "warning",
  });
  const html = readFileSync(join(WEB, "src", "graphiql.html"), "utf8")
    .replace("{js}", `${base}.js`)
    .replace("{css}", `${base}.css`);
  writeFileSync(join(dir, "index.html"), html);
  cpSync(join(WEB, "src", "page.css"), join(dir, "page.css"));
}

// The site's pages (/, /researchers/{id}, /explore): one HTML shell each, their modules (the
// shared code and Cytoscape.js split into chunks) and one stylesheet. Our own code carries a
// hash of its content in its name instead of a version, so it is cached for good as well.
const PAGES = {
  home: "Search",
  profile: "Researcher profile",
  explore: `Research graph explorer`,
};

async function pages() {
  const dir = join(OUT, "pages");
  const built = await esbuild.build({
    absWorkingDir: WEB,
    entryPoints: Object.fromEntries(Object.keys(PAGES).map((name) => [name, `src/pages/${name}.ts`])),
    outdir: dir,
    bundle: true,
    splitting: true,
    minify: true,
    format: "esm",
    target: ["es2022", "chrome110", "firefox115", "safari16"],
    entryNames: "[name]-[hash].bundle",
    chunkNames: "chunk-[hash].bundle",
    define: { "process.env.NODE_ENV": '"production"' },
    legalComments: "eof",
    metafile: true,
    logLevel: "warning",
  });
  const entries = {};
  for (const [file, meta] of Object.entries(built.metafile.outputs)) {
    if (meta.entryPoint) entries[meta.entryPoint.replace(/^src\/pages\/|\.ts$/g, "")] = file.split("/").pop();
  }
  const css = readFileSync(join(WEB, "src", "pages", "pages.css"));
  const cssName = `pages-${sha256(css).slice(0, 8)}.bundle.css`;
  writeFileSync(join(dir, cssName), css);
  const shell = readFileSync(join(WEB, "src", "pages", "page.html"), "utf8");
  for (const [name, title] of Object.entries(PAGES)) {
    const html = shell.replace("{title}", title).replace("{js}", entries[name]).replace("{css}", cssName);
    writeFileSync(join(dir, `${name}.html`), html);
  }
}

rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });
await graphiql();
await pages();

const outputs = Object.fromEntries(
  walk(OUT).map((p) => [posix(relative(OUT, p)), sha256(readFileSync(p))]),
);
const stamp = { inputs: inputsHash(), outputs };
writeFileSync(join(OUT, "BUILD.json"), `${JSON.stringify(stamp, null, 2)}\n`);
console.log(`built ${Object.keys(outputs).length} files into ${OUT}`);
