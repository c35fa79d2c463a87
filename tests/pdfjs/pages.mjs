// Prints, for each page of a PDF, its page label on a line of its own and
// then the lines of text pdf.js extracts from it (items joined with
// nothing, a line ended where pdf.js ends one); a form feed after each page.
import { readFileSync } from "node:fs";
import { getDocument } from "pdfjs-dist/legacy/build/pdf.mjs";

const data = new Uint8Array(readFileSync(process.argv[2]));
const pdf = await getDocument({ data, disableFontFace: true, verbosity: 0 }).promise;
const labels = (await pdf.getPageLabels()) ?? [];
let out = "";
for (let number = 1; number <= pdf.numPages; number++) {
  const page = await pdf.getPage(number);
  const content = await page.getTextContent();
  const lines = [];
  let line = "";
  for (const item of content.items) {
    line += item.str;
    if (item.hasEOL) {
      lines.push(line);
      line = "";
    }
  }
  if (line !== "") lines.push(line);
  out += `${labels[number - 1] ?? ""}\n${lines.join("\n")}\f`;
}
process.stdout.write(out);
