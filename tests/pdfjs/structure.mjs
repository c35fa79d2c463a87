// Prints a tagged PDF's structure tree as two independent readers see it:
// qpdf's JSON of the file gives the tree (from the catalog's
// /StructTreeRoot, depth first, in /K order) and the parent tree; pdf.js
// gives the text of each marked-content sequence and of the artifacts.
//
// Output, one fact a line:
//   catalog lang=<catalog /Lang> marked=<MarkInfo /Marked>
//   <indent><S> [lang=…] [alt=…] [annots=N] «text of its own content»
//   artifact p<page> «text»         (each artifact sequence with text)
//   untagged p<page> «text»         (text in no marked content)
//   parenttree p<page> mcids=<N in the content> entries=<N in /ParentTree> ok|MISMATCH
import { readFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { getDocument } from "pdfjs-dist/legacy/build/pdf.mjs";

const file = process.argv[2];
const json = JSON.parse(
  execFileSync("qpdf", ["--json", "--json-stream-data=inline", "--decode-level=generalized", file], {
    maxBuffer: 1 << 30,
  }).toString(),
);
const objects = json.qpdf[1];
const resolve = (value) =>
  typeof value === "string" && /^\d+ \d+ R$/.test(value) ? resolveObject(value) : value;
const resolveObject = (ref) => {
  const object = objects[`obj:${ref}`];
  return object.value ?? object.stream.dict;
};
const text = (value) =>
  typeof value === "string" && value.startsWith("u:") ? value.slice(2) : value;

const trailer = objects.trailer.value;
const catalog = resolve(trailer["/Root"]);
const pageRefs = json.pages.map((page) => page.object);
const pageIndex = (ref) => pageRefs.indexOf(ref);
const out = [];
out.push(
  `catalog lang=${text(catalog["/Lang"])} marked=${resolve(catalog["/MarkInfo"])?.["/Marked"]}`,
);

// pdf.js: the text of each page's marked content, by MCID.
const data = new Uint8Array(readFileSync(file));
const pdf = await getDocument({ data, disableFontFace: true, verbosity: 0 }).promise;
const mcText = []; // per page: Map mcid -> text
for (let number = 1; number <= pdf.numPages; number++) {
  const page = await pdf.getPage(number);
  const content = await page.getTextContent({ includeMarkedContent: true });
  const texts = new Map();
  const stack = [];
  for (const item of content.items) {
    if (item.type === "beginMarkedContent" || item.type === "beginMarkedContentProps") {
      const mcid = item.id?.match(/_mc(\d+)$/)?.[1];
      stack.push({ tag: item.tag, mcid, str: "" });
    } else if (item.type === "endMarkedContent") {
      // krilla nests its own marked content (ReversedChars, ActualText
      // spans) inside ours: their text is their parent's.
      const done = stack.pop();
      if (done?.mcid !== undefined) texts.set(Number(done.mcid), done.str);
      else if (done?.tag === "Artifact") {
        if (done.str.trim()) out.push(`artifact p${number} «${done.str}»`);
      } else if (stack.length) stack[stack.length - 1].str += done.str;
      else if (done?.str.trim()) out.push(`untagged p${number} «${done.str}»`);
    } else if (item.str !== undefined) {
      if (stack.length) stack[stack.length - 1].str += item.str;
      else if (item.str.trim()) out.push(`untagged p${number} «${item.str}»`);
    }
  }
  mcText.push(texts);
}

// qpdf: the tree, depth first.
const root = resolve(catalog["/StructTreeRoot"]);
const walk = (element, depth, page) => {
  const pg = element["/Pg"] ?? page;
  let own = "";
  let annots = 0;
  const kids = [];
  const k = element["/K"];
  for (const kid of Array.isArray(k) ? k : k === undefined ? [] : [k]) {
    if (typeof kid === "number") {
      own += mcText[pageIndex(pg)]?.get(kid) ?? "";
    } else {
      const child = resolve(kid);
      if (child["/Type"] === "/MCR") {
        own += mcText[pageIndex(child["/Pg"] ?? pg)]?.get(child["/MCID"]) ?? "";
      } else if (child["/Type"] === "/OBJR") {
        annots += 1;
      } else {
        kids.push(child);
      }
    }
  }
  let line = `${" ".repeat(depth)}${element["/S"].slice(1)}`;
  if (element["/Lang"] !== undefined) line += ` [lang=${text(element["/Lang"])}]`;
  if (element["/Alt"] !== undefined) line += ` [alt=${text(element["/Alt"])}]`;
  if (annots) line += ` [annots=${annots}]`;
  if (own) line += ` «${own}»`;
  out.push(line);
  for (const child of kids) walk(child, depth + 1, pg);
};
const top = root["/K"];
for (const kid of Array.isArray(top) ? top : [top]) walk(resolve(kid), 0, undefined);

// The parent tree: each page's entry lists one element per MCID.
const nums = [];
const collect = (node) => {
  if (node["/Nums"]) nums.push(...node["/Nums"]);
  for (const kid of node["/Kids"] ?? []) collect(resolve(kid));
};
collect(resolve(root["/ParentTree"]));
const parents = new Map();
for (let i = 0; i + 1 < nums.length; i += 2) parents.set(nums[i], resolve(nums[i + 1]));
json.pages.forEach((page, index) => {
  const dict = resolveObject(page.object);
  const streams = page.contents.map((ref) => objects[`obj:${ref}`].stream.data ?? "");
  const content = streams.map((data) => Buffer.from(data, "base64").toString("latin1")).join("\n");
  const mcids = (content.match(/\/MCID\s+\d+/g) ?? []).length;
  const entry = parents.get(dict["/StructParents"]);
  const entries = Array.isArray(entry) ? entry.filter((e) => e !== null).length : 0;
  out.push(
    `parenttree p${index + 1} mcids=${mcids} entries=${entries} ${mcids === entries ? "ok" : "MISMATCH"}`,
  );
});
process.stdout.write(out.join("\n") + "\n");
