// The license notice of a bundled npm package: its own license (the MIT text, when the package
// ships no license file) followed by the license file of every package it depends on, found
// through package-lock.json. Usage: node notices.mjs PACKAGE > LICENSE
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const MIT = `Permission is hereby granted, free of charge, to any person obtaining a copy of this
software and associated documentation files (the "Software"), to deal in the Software without
restriction, including without limitation the rights to use, copy, modify, merge, publish,
distribute, sublicense, and/or sell copies of the Software, and to permit persons to whom the
Software is furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all copies or
substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING
BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND
NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM,
DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
`;

const lock = JSON.parse(readFileSync("package-lock.json", "utf8")).packages;
const root = process.argv[2];
const meta = (name) => lock[`node_modules/${name}`];
const title = (name) => {
  const { version, license } = meta(name);
  return license ? `${name} ${version}, license: ${license}` : `${name} ${version}`;
};

function licenseText(name) {
  const dir = join("node_modules", name);
  const file = readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.(md|txt))?$/i.test(f));
  return file ? readFileSync(join(dir, file), "utf8").trim() : null;
}

function people(pkg) {
  const json = JSON.parse(readFileSync(join("node_modules", pkg, "package.json"), "utf8"));
  const names = [json.author, ...(json.contributors || [])].filter(Boolean);
  return names.map((p) => (typeof p === "string" ? p : p.name)).join(", ");
}

const seen = new Set();
const queue = Object.keys(meta(root).dependencies || {});
while (queue.length) {
  const name = queue.shift();
  if (seen.has(name) || name.startsWith("@types/") || !meta(name)) continue;
  seen.add(name);
  queue.push(...Object.keys(meta(name).dependencies || {}));
}

const out = [];
const own = licenseText(root);
out.push(title(root));
out.push(own ?? `Copyright (c) ${people(root)}\n\n${MIT}`);
out.push(
  `\nThis build bundles the following packages (the set ${root} depends on),\n` +
    "each under its own license:"
);
for (const name of [...seen].sort()) {
  const text = licenseText(name);
  out.push(`\n${"-".repeat(78)}\n${title(name)}\n`);
  out.push(text ?? `(this package ships no license file; its package.json says ${meta(name).license})`);
}
process.stdout.write(out.join("\n") + "\n");
