import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: path.resolve(import.meta.dirname, '../..') });

async function boundaryErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.resolve(import.meta.dirname, '../..', file) });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'local/boundaries').map((m) => m.message);
}

describe('the boundaries lint rule', () => {
  it('should forbid one subgraph importing another', async () => {
    const errors = await boundaryErrors('subgraphs/leave/resolvers/x.ts', "import { a } from '../../people/loaders.ts';\nexport const b = a;\n");
    expect(errors).toEqual([expect.stringContaining("Subgraph 'leave' must not import subgraph 'people'")]);
  });

  it('should forbid the gateway importing a subgraph', async () => {
    const errors = await boundaryErrors('gateway/auth/x.ts', "export { a } from '../../subgraphs/people/loaders.ts';\n");
    expect(errors).toEqual([expect.stringContaining("The gateway must not import subgraph 'people'")]);
  });

  it('should allow the shared platform library and a subgraph its own files', async () => {
    expect(await boundaryErrors('gateway/x.ts', "import { a } from '../subgraphs/shared/errors.ts';\nexport const b = a;\n")).toEqual([]);
    expect(await boundaryErrors('subgraphs/people/x.ts', "import { a } from './loaders.ts';\nexport const b = a;\n")).toEqual([]);
  });
});
