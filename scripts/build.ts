// `npm run build`: compiles the services to plain JavaScript in dist/ (tsconfig.build.json),
// then copies the files they read at run time (each subgraph's SDL, the supergraph and the
// subscriptions SDL) beside the compiled modules, so `node dist/<service>/main.js` needs no
// TypeScript loader. See docs/operations.md. The peer benchmark builds its gateway processes
// the same way into a folder of its own (`build(outDir, entries)`).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Every `.graphql` file under `dir` (relative to the root). */
function graphqlFiles(dir: string): string[] {
  return fs.readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const rel = path.join(dir, entry.name);
    if (entry.isDirectory()) return graphqlFiles(rel);
    return entry.name.endsWith('.graphql') ? [rel] : [];
  });
}

/**
 * Compiles into `outDir` (inside the project, so that packages resolve from its
 * node_modules) the production sources, or only `entries` (paths relative to the root)
 * and what they import, and copies the schema files beside them. Returns how many were copied.
 */
export function build(outDir: string, entries?: readonly string[]): number {
  fs.rmSync(outDir, { recursive: true, force: true });
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  if (entries) {
    // A configuration of the build's own, in the output folder: the production options, other inputs.
    fs.mkdirSync(outDir, { recursive: true });
    const config = path.join(outDir, 'tsconfig.json');
    fs.writeFileSync(config, JSON.stringify({ extends: path.join(root, 'tsconfig.build.json'), compilerOptions: { outDir, rootDir: root }, include: entries.map((entry) => path.join(root, entry)), exclude: [] }));
    execFileSync(process.execPath, [tsc, '-p', config], { stdio: 'inherit' });
  } else {
    execFileSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json'), '--outDir', outDir], { stdio: 'inherit' });
  }
  const assets = [...graphqlFiles('subgraphs'), ...graphqlFiles('schema')];
  for (const rel of assets) {
    fs.mkdirSync(path.dirname(path.join(outDir, rel)), { recursive: true });
    fs.copyFileSync(path.join(root, rel), path.join(outDir, rel));
  }
  // The compiled modules are ES modules, as the sources are.
  fs.writeFileSync(path.join(outDir, 'package.json'), `${JSON.stringify({ type: 'module', private: true }, null, 2)}\n`);
  return assets.length;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const copied = build(path.join(root, 'dist'));
  console.log(`built dist/: ${copied} schema files copied`);
}
