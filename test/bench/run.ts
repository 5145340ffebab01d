// `npm run bench`: runs every benchmark (test/bench/*.bench.ts), or those whose file name
// contains an argument (`npm run bench -- gateway`). Each prints its own figures.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

// Warnings and errors only (as in the tests), unless LOG_LEVEL says otherwise: an access line per
// request would cost the services under load more than some of what the benchmarks measure.
process.env['LOG_LEVEL'] ??= 'warn';
const dir = path.dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2);
const files = fs
  .readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
for (const file of files) {
  console.log(`\n== ${file}`);
  const mod = (await import(pathToFileURL(path.join(dir, file)).href)) as { run: () => Promise<void> };
  await mod.run();
}
