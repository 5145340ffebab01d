import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { composeSupergraph, SUPERGRAPH_PATH } from '../../schema/compose.ts';

describe('composeSupergraph', () => {
  it('should compose every subgraph without errors, identical to the checked-in supergraph', () => {
    const result = composeSupergraph();
    if ('errors' in result) throw new Error(`composition failed: ${result.errors.join('; ')}`);
    // On drift, run `npm run compose` and commit schema/supergraph.graphql.
    expect(result.supergraphSdl).toBe(fs.readFileSync(SUPERGRAPH_PATH, 'utf8'));
  });
});
