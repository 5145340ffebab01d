import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { EVENT_STREAMS } from './events/index.ts';
import { subscriptionSdl, SUBSCRIPTIONS_SDL_PATH } from './events/subscription-sdl.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Where the checked-in supergraph lives. */
export const SUPERGRAPH_PATH = path.join(root, 'schema', 'supergraph.graphql');

/** Subgraph names in composition order; each has `subgraphs/<name>/schema.graphql`. */
export function subgraphNames(): string[] {
  const dir = path.join(root, 'subgraphs');
  return fs
    .readdirSync(dir)
    .filter((name) => fs.existsSync(path.join(dir, name, 'schema.graphql')))
    .sort();
}

/**
 * Composes every subgraph's SDL into a supergraph. The URLs written into it are
 * placeholders: the gateway takes real URLs from configuration.
 */
export function composeSupergraph(): { supergraphSdl: string } | { errors: string[] } {
  const services = subgraphNames().map((name) => ({
    name,
    url: `http://${name}.invalid/graphql`,
    typeDefs: parse(fs.readFileSync(path.join(root, 'subgraphs', name, 'schema.graphql'), 'utf8')),
  }));
  const result = composeServices(services);
  if (result.errors) return { errors: result.errors.map((e) => e.message) };
  return { supergraphSdl: result.supergraphSdl };
}

// `npm run compose`: write the supergraph, or print composition errors and fail.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = composeSupergraph();
  if ('errors' in result) {
    console.error(`composition failed:\n${result.errors.join('\n')}`);
    process.exit(1);
  }
  fs.writeFileSync(SUPERGRAPH_PATH, result.supergraphSdl);
  console.log(`wrote ${path.relative(root, SUPERGRAPH_PATH)} (${subgraphNames().join(', ')})`);
  // The subscription SDL is generated from the event catalogue (the gateway builds the same at start-up).
  fs.writeFileSync(SUBSCRIPTIONS_SDL_PATH, subscriptionSdl(EVENT_STREAMS));
  console.log(`wrote ${path.relative(root, SUBSCRIPTIONS_SDL_PATH)} (${EVENT_STREAMS.map((s) => s.field).join(', ')})`);
}
