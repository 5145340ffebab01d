import fs from 'node:fs';
import path from 'node:path';
import { apiKeyPrefix, generateApiKeySecret, hashApiKeySecret, looksLikeApiKey, SCOPES } from '../shared/api-key-format.ts';
import { verifyApiKey } from './api-key-verification.ts';
import type { PeopleDb } from './db/database.ts';
import { insertApiKey } from './db/repositories/api-keys.ts';

/**
 * The demo admin's API key for the embedded `npm start`: read from `file` while it still
 * verifies for the demo organization, otherwise created (all scopes) and written there
 * (mode 0600), so a restart prints the same key. Only the hash goes into the database.
 */
export async function ensureDemoApiKey(db: PeopleDb, orgId: string, userId: string, file: string): Promise<string> {
  if (fs.existsSync(file)) {
    const secret = fs.readFileSync(file, 'utf8').trim();
    if (looksLikeApiKey(secret)) {
      const verdict = await verifyApiKey(db, apiKeyPrefix(secret), hashApiKeySecret(secret));
      if (verdict.valid && verdict.identity.orgId === orgId) return secret;
    }
  }
  const secret = generateApiKeySecret('live');
  await insertApiKey(db, {
    org_id: orgId,
    user_id: userId,
    name: 'Demo admin key (npm start)',
    prefix: apiKeyPrefix(secret),
    secret_hash: hashApiKeySecret(secret),
    scopes: [...SCOPES],
    created_by: userId,
  });
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}
