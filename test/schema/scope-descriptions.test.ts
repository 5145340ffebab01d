import fs from 'node:fs';
import { parse, type InputObjectTypeDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { SCOPES } from '../../subgraphs/shared/api-key-format.ts';

describe('scope descriptions in the SDL', () => {
  it('should list every scope a key can be given in CreateApiKeyInput.scopes', () => {
    const sdl = parse(fs.readFileSync(new URL('../../subgraphs/people/schema.graphql', import.meta.url), 'utf8'));
    const input = sdl.definitions.find((d): d is InputObjectTypeDefinitionNode => d.kind === 'InputObjectTypeDefinition' && d.name.value === 'CreateApiKeyInput');
    const description = input?.fields?.find((f) => f.name.value === 'scopes')?.description?.value ?? '';
    const listed = description.replace(/^.*?:\s*/, '').replace(/\.$/, '').split(/,\s*/);
    expect(listed).toEqual([...SCOPES]);
  });
});
