import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  getVariableValues,
  Kind,
  parse,
  validate,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type VariableDefinitionNode,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import { composeRealGraph } from '../gateway/cost/cost-fixture.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const GUIDES_DIR = path.join(root, 'docs', 'guides');

/** A fenced ```graphql block of a Markdown file, with the ```json block right after it, if any (its variables). */
export interface GraphqlBlock {
  /** The file, relative to the repository. */
  readonly file: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  readonly source: string;
  /** Text of a ```json block that follows with only blank lines between: the operation's variables. */
  readonly variables: string | null;
}

/**
 * Every ```graphql block of a Markdown text. Blocks fenced with another info string
 * (```graphql-schema for SDL excerpts, ```sh, ```json) are not operations and are skipped;
 * a ```json block directly after a graphql block is read as its variables.
 */
export function graphqlBlocks(file: string, text: string): GraphqlBlock[] {
  const lines = text.split('\n');
  const fences: { info: string; line: number; end: number; body: string }[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*([^\s`]*)/.exec(lines[i]!);
    if (!open) continue;
    const marker = open[2]!;
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && !lines[j]!.trim().startsWith(marker)) body.push(lines[j++]!);
    // `end`: index of the closing fence's line.
    fences.push({ info: open[3]!.toLowerCase(), line: i + 1, end: j, body: body.join('\n') });
    i = j;
  }
  const blocks: GraphqlBlock[] = [];
  fences.forEach((fence, index) => {
    if (fence.info !== 'graphql') return;
    const next = fences[index + 1];
    const adjacent = next !== undefined && next.info === 'json' && lines.slice(fence.end + 1, next.line - 1).every((l) => l.trim() === '');
    blocks.push({ file, line: fence.line, source: fence.body, variables: adjacent ? next.body : null });
  });
  return blocks;
}


/** What is wrong with a block against `schema`: parse and validation errors, and variables that do not coerce. Empty: none. */
export function blockProblems(schema: GraphQLSchema, block: GraphqlBlock): string[] {
  let document;
  try {
    document = parse(block.source);
  } catch (error) {
    return [`parse: ${(error as Error).message}`];
  }
  const problems = validate(schema, document).map((e) => `validation: ${e.message}`);
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  if (operations.length === 0) problems.push('no operation: fence an SDL excerpt as ```graphql-schema');
  if (block.variables !== null) {
    let values: unknown;
    try {
      values = JSON.parse(block.variables);
    } catch (error) {
      return [...problems, `variables: not JSON: ${(error as Error).message}`];
    }
    if (typeof values !== 'object' || values === null || Array.isArray(values)) return [...problems, 'variables: not a JSON object'];
    const declared = new Set(operations.flatMap((op) => (op.variableDefinitions ?? []).map((v) => v.variable.name.value)));
    for (const name of Object.keys(values)) if (!declared.has(name)) problems.push(`variables: $${name} is not declared by the operation`);
    if (problems.length === 0) {
      for (const op of operations) {
        const definitions: readonly VariableDefinitionNode[] = op.variableDefinitions ?? [];
        const coerced = getVariableValues(schema, definitions, values as Record<string, unknown>);
        for (const e of coerced.errors ?? []) problems.push(`variables: ${e.message}`);
      }
    }
  } else {
    // An operation with required variables needs them written next to it.
    for (const op of operations) {
      const required = (op.variableDefinitions ?? []).filter((v) => v.type.kind === Kind.NON_NULL_TYPE && !v.defaultValue);
      if (required.length > 0) problems.push(`variables: ${required.map((v) => `$${v.variable.name.value}`).join(', ')} required but no \`\`\`json block follows`);
    }
  }
  return problems;
}

/** GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens. */
function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/`/g, '')
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
}

function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  let inFence = false;
  for (const line of markdown.split('\n')) {
    if (/^\s*(`{3,}|~{3,})/.test(line)) inFence = !inFence;
    const heading = !inFence ? /^#{1,6}\s+(.*)$/.exec(line) : null;
    if (heading) anchors.add(anchorOf(heading[1]!));
  }
  return anchors;
}

/** Relative links of a Markdown text whose file or heading does not exist. */
function brokenLinks(file: string, text: string): string[] {
  const broken: string[] = [];
  const withoutFences = text.replace(/^\s*(```|~~~)[\s\S]*?^\s*\1/gm, '');
  for (const match of withoutFences.matchAll(/\]\(([^)\s]+)\)/g)) {
    const target = match[1]!;
    if (/^[a-z]+:/i.test(target)) continue;
    const [filePart, anchor] = target.split('#') as [string, string | undefined];
    const resolved = filePart === '' ? path.join(root, file) : path.resolve(path.dirname(path.join(root, file)), filePart);
    if (!fs.existsSync(resolved)) {
      broken.push(`${file}: ${target} (no such file)`);
      continue;
    }
    if (anchor !== undefined && resolved.endsWith('.md') && !anchorsOf(fs.readFileSync(resolved, 'utf8')).has(anchor)) {
      broken.push(`${file}: ${target} (no such heading)`);
    }
  }
  return broken;
}

const guideFiles = fs
  .readdirSync(GUIDES_DIR)
  .filter((name) => name.endsWith('.md'))
  .sort()
  .map((name) => path.join('docs', 'guides', name));
const documented = [...guideFiles, 'README.md'];
const blocks = documented.flatMap((file) => graphqlBlocks(file, fs.readFileSync(path.join(root, file), 'utf8')));
// The schema clients of the gateway see: the subgraphs composed into the API schema
// `@apollo/gateway` executes (test/schema/compose.test.ts holds it equal to the checked-in
// supergraph), extended with schema/subscriptions.graphql as the gateway does at start-up.
const { schema } = composeRealGraph();

describe('the API guides', () => {
  it('should have a guide per domain, the pagination guide and an index', () => {
    expect(guideFiles).toEqual(['boarding', 'events', 'leave', 'pagination', 'people', 'README', 'time', 'webhooks'].map((n) => path.join('docs', 'guides', `${n}.md`)).sort());
  });

  it('should hold only GraphQL blocks that validate against the gateway API schema, with their variables', () => {
    const failures = blocks.flatMap((block) => blockProblems(schema, block).map((p) => `${block.file}:${block.line}: ${p}`));
    expect(failures).toEqual([]);
    // Every guide shows operations, and most of them carry variables.
    for (const file of guideFiles) expect(blocks.filter((b) => b.file === file).length, file).toBeGreaterThan(0);
    expect(blocks.filter((b) => b.variables !== null).length).toBeGreaterThan(15);
  });

  it('should link only to files and headings that exist', () => {
    const broken = documented.flatMap((file) => brokenLinks(file, fs.readFileSync(path.join(root, file), 'utf8')));
    expect(broken).toEqual([]);
  });

  it('should name no path of a developer machine', () => {
    const named = guideFiles.filter((file) => /(^|[\s`(])\/(work|tmp|home|Users)\//m.test(fs.readFileSync(path.join(root, file), 'utf8')));
    expect(named).toEqual([]);
  });
});

describe('the guide checks themselves', () => {
  it('should report a field the schema lacks, with the file and line of its block', () => {
    const [block] = graphqlBlocks('x.md', 'Text\n\n```graphql\n{ leaveTypes { nodes { colourName } } }\n```\n');
    expect(block!.line).toBe(3);
    expect(blockProblems(schema, block!)).toEqual([expect.stringContaining('Cannot query field "colourName" on type "LeaveType"')]);
  });

  it('should read the json block after a graphql block as its variables and check them', () => {
    const text = '```graphql\nquery($id: ID!) { leaveRequest(id: $id) { status } }\n```\n\n```json\n{ "id": 12, "extra": 1 }\n```\n';
    const [block] = graphqlBlocks('x.md', text);
    expect(block!.variables).toContain('"extra"');
    expect(blockProblems(schema, block!)).toEqual(['variables: $extra is not declared by the operation']);
    const wrongType = graphqlBlocks('x.md', '```graphql\nquery($n: Int) { leaveTypes(first: $n) { totalCount } }\n```\n```json\n{ "n": "ten" }\n```\n');
    expect(blockProblems(schema, wrongType[0]!)).toEqual([expect.stringContaining('Variable "$n"')]);
  });

  it('should require variables for an operation that declares required ones, and skip SDL blocks', () => {
    const text = '```graphql\nquery($id: ID!) { leaveRequest(id: $id) { status } }\n```\n\n```graphql-schema\ntype X { a: Int }\n```\n';
    const found = graphqlBlocks('x.md', text);
    expect(found).toHaveLength(1);
    expect(blockProblems(schema, found[0]!)).toEqual([expect.stringContaining('$id required')]);
  });

  it('should include the subscriptions in the schema', () => {
    const [block] = graphqlBlocks('x.md', '```graphql\nsubscription { leaveRequestEvents { cursor type } }\n```\n');
    expect(blockProblems(schema, block!)).toEqual([]);
  });
});
