import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generatedTypesPath, generateResolverTypes, schemaPath } from '../../schema/codegen.ts';
import { subgraphNames } from '../../schema/compose.ts';

describe('generated resolver types', () => {
  it.each(subgraphNames())('should match the checked-in types of %s (on a difference, run npm run codegen)', async (name) => {
    const generated = await generateResolverTypes(name);
    const checkedIn = fs.existsSync(generatedTypesPath(name)) ? fs.readFileSync(generatedTypesPath(name), 'utf8') : '';
    expect(generated === checkedIn, `subgraphs/${name}/generated/graphql.ts is stale: run npm run codegen`).toBe(true);
  });

  it('should see a changed SDL: a new field changes the types', async () => {
    const sdl = fs.readFileSync(schemaPath('people'), 'utf8');
    const changed = sdl.replace(/^type Tag \{$/m, 'type Tag {\n  "A field the resolvers do not know."\n  codegenProbe: Int!');
    expect(changed).not.toBe(sdl);
    const current = fs.readFileSync(generatedTypesPath('people'), 'utf8');
    const probed = await generateResolverTypes('people', changed);
    expect(probed).not.toBe(current);
    expect(probed).toContain('codegenProbe?: Resolver<ResolversTypes[\'Int\']');
  });

  it('should refuse a subgraph it has no configuration for', async () => {
    await expect(generateResolverTypes('nowhere', 'type Query { a: Int }')).rejects.toThrow(/no codegen configuration for subgraph nowhere/);
  });
});
