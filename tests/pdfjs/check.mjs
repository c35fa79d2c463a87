// Prints every warning pdf.js gives while it reads a PDF as its viewer
// would: the document, each page's drawing operators (fonts parsed,
// pictures decoded) and its text. Nothing printed: pdf.js found nothing
// to say; a PDF it cannot open is one more line.
import { readFileSync } from "node:fs";
import { getDocument, VerbosityLevel } from "pdfjs-dist/legacy/build/pdf.mjs";

const said = [];
for (const level of ["log", "warn", "error", "info"]) {
  console[level] = (...args) => said.push(args.join(" "));
}
const data = new Uint8Array(readFileSync(process.argv[2]));
try {
  const pdf = await getDocument({ data, verbosity: VerbosityLevel.WARNINGS }).promise;
  await pdf.getMetadata();
  await pdf.getOutline();
  for (let number = 1; number <= pdf.numPages; number++) {
    const page = await pdf.getPage(number);
    await page.getOperatorList();
    await page.getTextContent();
    await page.getAnnotations();
  }
} catch (error) {
  said.push(`Error: ${error.message}`);
}
process.stdout.write(said.map((line) => line + "\n").join(""));
