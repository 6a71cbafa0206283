// Print the text of each page of a PDF as a JSON array of strings (one per page).
// Used by tests/test_browser.py to check the printed chapters; pdf.js comes from the
// pinned package-lock.json beside this file (npm ci).
import { readFile } from "node:fs/promises";
import { getDocument } from "pdfjs-dist/legacy/build/pdf.mjs";

const data = new Uint8Array(await readFile(process.argv[2]));
const doc = await getDocument({ data, useSystemFonts: false, isEvalSupported: false, verbosity: 0 }).promise;
const pages = [];
const limit = process.argv[3] ? Math.min(Number(process.argv[3]), doc.numPages) : doc.numPages;
for (let i = 1; i <= limit; i++) {
  const page = await doc.getPage(i);
  const content = await page.getTextContent();
  pages.push(content.items.map((item) => item.str + (item.hasEOL ? "\n" : "")).join(""));
}
process.stdout.write(JSON.stringify({ numPages: doc.numPages, pages }));
