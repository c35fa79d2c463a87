// Prints the text pdf.js extracts from a PDF, as its viewer's text layer
// copies it: each page's text items joined with nothing, a line feed where
// pdf.js ends a line (hasEOL), a form feed after each page.
import { readFileSync } from "node:fs";
import { getDocument } from "pdfjs-dist/legacy/build/pdf.mjs";

const data = new Uint8Array(readFileSync(process.argv[2]));
const pdf = await getDocument({ data, disableFontFace: true, verbosity: 0 }).promise;
let out = "";
for (let number = 1; number <= pdf.numPages; number++) {
  const page = await pdf.getPage(number);
  const content = await page.getTextContent();
  for (const item of content.items) {
    out += item.str;
    if (item.hasEOL) out += "\n";
  }
  out += "\f";
}
process.stdout.write(out);
