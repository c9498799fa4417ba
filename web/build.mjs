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

rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });
await graphiql();

const outputs = Object.fromEntries(
  walk(OUT).map((p) => [posix(relative(OUT, p)), sha256(readFileSync(p))]),
);
const stamp = { inputs: inputsHash(), outputs };
writeFileSync(join(OUT, "BUILD.json"), `${JSON.stringify(stamp, null, 2)}\n`);
console.log(`built ${Object.keys(outputs).length} files into ${OUT}`);
