import fs from 'node:fs';
import { ApolloGateway } from '@apollo/gateway';
import { GraphQLScalarType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { stripSecurityDirectives } from '../../gateway/auth/scope-requirements.ts';
import { SUPERGRAPH_PATH } from '../../schema/compose.ts';
import { DATE_SPECIFIED_BY, DATE_TIME_SPECIFIED_BY } from '../../subgraphs/shared/scalars.ts';
import { MAX_DOMAIN_DATE, MIN_DOMAIN_DATE } from '../../subgraphs/shared/input-rules.ts';

const SUBGRAPHS = ['people', 'leave', 'time', 'boarding', 'webhooks'];

describe('Date and DateTime scalars', () => {
  it('should carry @specifiedBy and the accepted range in every subgraph SDL that defines them', () => {
    for (const name of SUBGRAPHS) {
      const sdl = fs.readFileSync(new URL(`../../subgraphs/${name}/schema.graphql`, import.meta.url), 'utf8');
      for (const [scalar, url] of [['Date', DATE_SPECIFIED_BY], ['DateTime', DATE_TIME_SPECIFIED_BY]] as const) {
        const definition = new RegExp(`^scalar ${scalar}\\b(.*)$`, 'm').exec(sdl);
        if (!definition) continue;
        expect(definition[1], `${name}: ${scalar}`).toBe(` @specifiedBy(url: "${url}")`);
      }
    }
  });

  it("should keep specifiedByURL and the range in the gateway's API schema", async () => {
    const gateway = new ApolloGateway({ supergraphSdl: stripSecurityDirectives(fs.readFileSync(SUPERGRAPH_PATH, 'utf8')) });
    const { schema } = await gateway.load();
    await gateway.stop();
    const date = schema.getType('Date');
    const dateTime = schema.getType('DateTime');
    expect(date).toBeInstanceOf(GraphQLScalarType);
    expect(dateTime).toBeInstanceOf(GraphQLScalarType);
    expect((date as GraphQLScalarType).specifiedByURL).toBe(DATE_SPECIFIED_BY);
    expect((dateTime as GraphQLScalarType).specifiedByURL).toBe(DATE_TIME_SPECIFIED_BY);
    expect(date?.description).toContain('0001-01-01 to 9999-12-31');
    expect(date?.description).toContain(`${MIN_DOMAIN_DATE} and ${MAX_DOMAIN_DATE}`);
    expect(dateTime?.description).toContain('years 0001 to 9999');
  });
});
