import { describe, expect, it } from 'vitest';
import { checkShape, DEFAULT_SHAPE_LIMITS, parseWithinLimits, type ShapeLimits } from '../../../gateway/cost/shape-limits.ts';

const limits: ShapeLimits = { maxDepth: 4, maxAliases: 3, maxRootFields: 3, maxTokens: 200, maxDirectives: 2 };

function shapeError(query: string, overrides: Partial<ShapeLimits> = {}) {
  const merged = { ...limits, ...overrides };
  return checkShape(parseWithinLimits(query, merged), merged);
}

describe('parseWithinLimits', () => {
  it('should refuse a document over the token limit with MAX_TOKENS_LIMIT', () => {
    const query = `{ ${Array.from({ length: 250 }, (_, i) => `f${i}`).join(' ')} }`;
    expect(() => parseWithinLimits(query, limits)).toThrow(expect.objectContaining({ extensions: expect.objectContaining({ code: 'MAX_TOKENS_LIMIT', limit: 200 }) }));
  });

  it('should report a syntax error as GRAPHQL_PARSE_FAILED', () => {
    expect(() => parseWithinLimits('{ a ', limits)).toThrow(expect.objectContaining({ extensions: { code: 'GRAPHQL_PARSE_FAILED' } }));
  });
});

describe('checkShape', () => {
  it('should accept a document within every limit', () => {
    expect(shapeError('query Q { a { b { c { d } } } x: e @include(if: true) }')).toBeNull();
  });

  it('should count depth with fragments expanded', () => {
    expect(shapeError('{ a { ...F } } fragment F on T { b { c { d { e } } } }')).toMatchObject({
      extensions: { code: 'MAX_DEPTH_LIMIT', limit: 4, actual: 5 },
    });
    expect(shapeError('{ a { b { c { d } } } }')).toBeNull();
  });

  it('should count aliases once per spread of a fragment', () => {
    const error = shapeError('{ a { ...F } b { ...F } } fragment F on T { x: id y: id }');
    expect(error).toMatchObject({ extensions: { code: 'MAX_ALIASES_LIMIT', limit: 3, actual: 4 } });
  });

  it('should count aliases written in an unused fragment or another operation', () => {
    expect(shapeError('query A { a } query B { w: a x: a y: a z: a }')?.extensions['code']).toBe('MAX_ALIASES_LIMIT');
    expect(shapeError('{ a } fragment U on T { w: a x: a y: a z: a }')?.extensions['code']).toBe('MAX_ALIASES_LIMIT');
  });

  it('should limit root fields, inline fragments included', () => {
    expect(shapeError('{ a b ... on Query { c d } }')).toMatchObject({ extensions: { code: 'MAX_ROOT_FIELDS_LIMIT', actual: 4 } });
  });

  it('should limit directives', () => {
    expect(shapeError('{ a @skip(if: false) b @include(if: true) c @skip(if: false) }')).toMatchObject({
      extensions: { code: 'MAX_DIRECTIVES_LIMIT', limit: 2, actual: 3 },
    });
  });

  it('should treat a fragment cycle as too deep instead of looping', () => {
    expect(shapeError('{ a { ...F } } fragment F on T { b { ...F } }')?.extensions['code']).toBe('MAX_DEPTH_LIMIT');
  });

  it('should measure a fragment spread many times once (an exponential document stays cheap)', () => {
    // Each level spreads the one below twice: 2^20 expanded fields, measured in 21 steps.
    const levels = Array.from({ length: 20 }, (_, i) => `fragment L${i} on T { a { ...L${i + 1} } b { ...L${i + 1} } }`);
    const query = `{ root { ...L0 } } ${levels.join(' ')} fragment L20 on T { leaf }`;
    const error = checkShape(parseWithinLimits(query, DEFAULT_SHAPE_LIMITS), DEFAULT_SHAPE_LIMITS);
    expect(error?.extensions['code']).toBe('MAX_DEPTH_LIMIT');
  });
});
