// Print the text of PDFs as JSON: {file: {numPages, pages: [text of page 1, ...]}}.
//   node pdftext.mjs [--pages N] FILE.pdf ...     (N > 0: only the first N pages)
// Used by tests/test_browser.py to check the printed chapters; pdf.js comes from the
// pinned package-lock.json beside this file (npm ci).
import { readFile } from "node:fs/promises";
import { getDocument } from "pdfjs-dist/legacy/build/pdf.mjs";

const args = process.argv.slice(2);
let limit = 0;
if (args[0] === "--pages") {
  limit = Number(args[1]);
  args.splice(0, 2);
}
const result = {};
for (const file of args) {
  const data = new Uint8Array(await readFile(file));
  const doc = await getDocument({ data, isEvalSupported: false, verbosity: 0 }).promise;
  const pages = [];
  const last = limit > 0 ? Math.min(limit, doc.numPages) : doc.numPages;
  for (let i = 1; i <= last; i++) {
    const content = await (await doc.getPage(i)).getTextContent();
    pages.push(content.items.map((item) => item.str + (item.hasEOL ? "\n" : "")).join(""));
  }
  result[file] = { numPages: doc.numPages, pages };
  await doc.destroy();
}
process.stdout.write(JSON.stringify(result));
