// ESLint flat config: typescript-eslint strict rules plus one local rule that keeps the
// process boundaries of DESIGN.md: no subgraph imports another subgraph, and the gateway
// imports no subgraph (subgraphs/shared is the platform library both may use).
import path from 'node:path';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const SUBGRAPHS = ['people', 'leave', 'time', 'boarding', 'webhooks'];
const root = path.dirname(new URL(import.meta.url).pathname);

/** Which process a file belongs to: 'gateway', a subgraph name, or null (shared, tests, tools). */
function ownerOf(file) {
  const rel = path.relative(root, file).split(path.sep);
  if (rel[0] === 'gateway') return 'gateway';
  if (rel[0] === 'subgraphs' && SUBGRAPHS.includes(rel[1])) return rel[1];
  return null;
}

const boundaries = {
  meta: {
    type: 'problem',
    docs: { description: 'forbid imports across subgraph and gateway boundaries' },
    schema: [],
    messages: {
      crossSubgraph: "Subgraph '{{from}}' must not import subgraph '{{to}}': cross-domain reads go through federation, writes through events.",
      gatewayImportsSubgraph: "The gateway must not import subgraph '{{to}}': it reaches subgraphs over HTTP only.",
    },
  },
  create(context) {
    const from = ownerOf(context.filename);
    if (from === null) return {};
    const check = (node) => {
      const spec = node.source && node.source.value;
      if (typeof spec !== 'string' || !spec.startsWith('.')) return;
      const target = ownerOf(path.resolve(path.dirname(context.filename), spec));
      if (target === null || target === from || target === 'gateway') return;
      context.report({
        node,
        messageId: from === 'gateway' ? 'gatewayImportsSubgraph' : 'crossSubgraph',
        data: { from, to: target },
      });
    };
    return { ImportDeclaration: check, ExportNamedDeclaration: check, ExportAllDeclaration: check, ImportExpression: check };
  },
};

export default tseslint.config(
  // Generated resolver types (npm run codegen) are checked by the codegen test, not linted.
  { ignores: ['node_modules/**', '.data/**', 'coverage/**', 'scratch/**', 'dist/**', 'subgraphs/*/generated/**'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    languageOptions: { globals: { ...globals.node } },
    plugins: { local: { rules: { boundaries } } },
    rules: {
      'local/boundaries': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
