import path from 'node:path';
import { ConfigError, dataDir, intVar } from '../shared/config.ts';
import type { DocumentSettings } from './context.ts';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Documents store settings: DOCUMENTS_DIR (default `<DATA_DIR>/documents`),
 * DOCUMENT_MAX_BYTES (default 10 MB), PUBLIC_URL (the gateway's public base URL, through
 * which signed links are served; required) and the signing secret (IDENTITY_SECRET).
 */
export function readDocumentSettings(env: Env, signingSecret: string): DocumentSettings {
  const publicUrl = env['PUBLIC_URL'];
  if (!publicUrl) throw new ConfigError('PUBLIC_URL is required: the gateway URL clients use, for signed document links');
  try {
    new URL(publicUrl);
  } catch {
    throw new ConfigError(`PUBLIC_URL must be an absolute URL, got ${JSON.stringify(publicUrl)}`);
  }
  return {
    directory: path.resolve(env['DOCUMENTS_DIR'] ?? path.join(dataDir(env), 'documents')),
    maxBytes: intVar(env, 'DOCUMENT_MAX_BYTES', 10_000_000, 1, 1_000_000_000),
    publicUrl: publicUrl.replace(/\/$/, ''),
    signingSecret,
  };
}
