// `npm run build`: compiles the services to plain JavaScript in dist/ (tsconfig.build.json),
// then copies the files they read at run time (each subgraph's SDL, the supergraph and the
// subscriptions SDL) beside the compiled modules, so `node dist/<service>/main.js` needs no
// TypeScript loader. See docs/operations.md.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');

fs.rmSync(dist, { recursive: true, force: true });
execFileSync(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(root, 'tsconfig.build.json')], { stdio: 'inherit' });

/** Every `.graphql` file under `dir` (relative to the root). */
function graphqlFiles(dir: string): string[] {
  return fs.readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const rel = path.join(dir, entry.name);
    if (entry.isDirectory()) return graphqlFiles(rel);
    return entry.name.endsWith('.graphql') ? [rel] : [];
  });
}

const assets = [...graphqlFiles('subgraphs'), ...graphqlFiles('schema')];
for (const rel of assets) {
  fs.mkdirSync(path.dirname(path.join(dist, rel)), { recursive: true });
  fs.copyFileSync(path.join(root, rel), path.join(dist, rel));
}
// The compiled modules are ES modules, as the sources are.
fs.writeFileSync(path.join(dist, 'package.json'), `${JSON.stringify({ type: 'module', private: true }, null, 2)}\n`);
console.log(`built dist/: ${assets.length} schema files copied`);
