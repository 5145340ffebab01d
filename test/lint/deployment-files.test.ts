// The production files, checked without a Docker engine: docker-compose.yml parses and
// describes every service as the image runs it (plain node on compiled JavaScript, a
// healthcheck, the gateway waiting for healthy subgraphs), the Dockerfile runs as `node`
// and owns the documents directory, and .dockerignore keeps secrets and local data out.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const read = (file: string) => fs.readFileSync(path.join(root, file), 'utf8');

interface ComposeService {
  command?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  volumes?: string[];
}
const compose = yaml.load(read('docker-compose.yml')) as { services: Record<string, ComposeService>; volumes: Record<string, unknown> };
const SERVICES = ['people', 'leave', 'time', 'boarding', 'webhooks', 'gateway'];

describe('docker-compose.yml', () => {
  it('should run every service as plain node on an entry point the build produces', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['postgres', ...SERVICES].sort());
    for (const name of SERVICES) {
      const command = compose.services[name]?.command ?? [];
      expect(command[0], name).toBe('node');
      const entry = command[1] ?? '';
      expect(entry, name).toMatch(/^dist\/.+\.js$/);
      // dist/<x>.js is compiled from <x>.ts.
      expect(fs.existsSync(path.join(root, entry.replace(/^dist\//, '').replace(/\.js$/, '.ts'))), entry).toBe(true);
    }
  });

  it("should expose every service's metrics listener to scrapers on the network, on its own port", () => {
    const ports = SERVICES.map((name) => compose.services[name]?.environment?.['METRICS_PORT']);
    for (const name of SERVICES) expect(compose.services[name]?.environment?.['METRICS_HOST'], name).toBe('0.0.0.0');
    expect(new Set(ports).size).toBe(SERVICES.length);
  });

  it('should give every service a healthcheck, and start the gateway once the subgraphs are healthy', () => {
    for (const name of SERVICES) expect(compose.services[name]?.healthcheck?.test.join(' '), name).toContain('/health');
    const gateway = compose.services['gateway'];
    for (const name of ['postgres', ...SERVICES.filter((s) => s !== 'gateway')]) expect(gateway?.depends_on?.[name]?.condition, name).toBe('service_healthy');
  });

  it('should point the gateway at each subgraph on the port that subgraph listens on, with one identity secret for all', () => {
    const gateway = compose.services['gateway']?.environment ?? {};
    const secrets = new Set(SERVICES.map((name) => compose.services[name]?.environment?.['IDENTITY_SECRET']));
    expect(secrets.size).toBe(1);
    for (const name of SERVICES.filter((s) => s !== 'gateway')) {
      const port = compose.services[name]?.environment?.['PORT'];
      expect(gateway[`${name.toUpperCase()}_URL`], name).toBe(`http://${name}:${port}/graphql`);
    }
  });

  it('should mount the documents volume where leave writes its documents', () => {
    const leave = compose.services['leave'];
    const directory = leave?.environment?.['DOCUMENTS_DIR'];
    expect(leave?.volumes).toContain(`documents:${directory}`);
    expect(Object.keys(compose.volumes)).toContain('documents');
    // The image creates that directory owned by the user the services run as.
    const dockerfile = read('Dockerfile');
    expect(dockerfile).toContain(`mkdir -p ${directory}`);
    expect(dockerfile).toMatch(new RegExp(`chown -R node:node ${path.dirname(directory ?? '')}`));
  });
});

describe('Dockerfile and .dockerignore', () => {
  it('should build the JavaScript, run as node with plain node, and check health', () => {
    const dockerfile = read('Dockerfile');
    expect(dockerfile).toContain('RUN npm run build');
    expect(dockerfile).toContain('npm ci --omit=dev');
    const lines = dockerfile.split('\n');
    const lastUser = lines.filter((l) => l.startsWith('USER ')).at(-1);
    expect(lastUser).toBe('USER node');
    expect(lines.filter((l) => l.startsWith('CMD ')).at(-1)).toBe('CMD ["node", "dist/gateway/main.js"]');
    expect(dockerfile).toMatch(/HEALTHCHECK[\s\S]*\/health/);
  });

  it('should keep secrets, local data and build output out of the image context', () => {
    const ignored = read('.dockerignore').split('\n').map((l) => l.trim());
    for (const entry of ['.env', '.env.*', '.data', 'node_modules', 'dist', '.git']) expect(ignored).toContain(entry);
  });

  it('should compile with the build configuration the image uses', () => {
    const build = JSON.parse(read('tsconfig.build.json').replace(/^\s*\/\/.*$/gm, '')) as { compilerOptions: Record<string, unknown>; include: string[] };
    expect(build.compilerOptions['rewriteRelativeImportExtensions']).toBe(true);
    expect(build.compilerOptions['outDir']).toBe('dist');
    expect(build.include).toEqual(expect.arrayContaining(['main.ts', 'gateway', 'subgraphs', 'schema']));
  });
});
