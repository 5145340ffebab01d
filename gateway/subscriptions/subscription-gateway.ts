import type { ApolloGateway } from '@apollo/gateway';
import type { GatewayInterface, GatewayLoadResult, GatewaySchemaLoadOrUpdateCallback } from '@apollo/server-gateway-interface';
import { execute, GraphQLError, Kind, type GraphQLSchema } from 'graphql';

/**
 * Wraps `@apollo/gateway` (which cannot run subscriptions) so Apollo Server sees the API
 * schema extended with the subscriptions: operations validate against it, introspection
 * (Sandbox, GraphiQL) shows them, and a subscription sent over HTTP is told to use the
 * WebSocket endpoint. Queries and mutations go to the gateway unchanged.
 */
export class SubscriptionAwareGateway implements GatewayInterface {
  #schema: GraphQLSchema | null = null;

  constructor(
    private readonly inner: ApolloGateway,
    private readonly extend: (apiSchema: GraphQLSchema) => GraphQLSchema,
  ) {}

  /** The extended schema for graphql-ws, once loaded (not the instance Apollo Server instruments). */
  get schema(): GraphQLSchema | null {
    return this.#schema;
  }

  onSchemaLoadOrUpdate(callback: GatewaySchemaLoadOrUpdateCallback) {
    return this.inner.onSchemaLoadOrUpdate(({ apiSchema, coreSupergraphSdl }) => {
      // Two instances: Apollo Server wraps the resolvers of the schema it is given, which
      // would hide the subscription executor's response-key field resolver.
      this.#schema = this.extend(apiSchema);
      callback({ apiSchema: this.extend(apiSchema), coreSupergraphSdl });
    });
  }

  async load(options: Parameters<GatewayInterface['load']>[0]): Promise<GatewayLoadResult> {
    const { executor } = await this.inner.load(options);
    return {
      executor: async (requestContext) => {
        const operation = requestContext.operation;
        if (operation.operation === 'subscription') {
          return {
            errors: [
              new GraphQLError('Subscriptions are served over WebSocket (graphql-ws) at /graphql, not over HTTP', {
                extensions: { code: 'BAD_REQUEST' },
              }),
            ],
          };
        }
        const introspectionOnly = operation.selectionSet.selections.every(
          (s) => s.kind === Kind.FIELD && (s.name.value === '__schema' || s.name.value === '__type' || s.name.value === '__typename'),
        );
        if (introspectionOnly && this.#schema) {
          // The gateway's planner knows only the supergraph; introspect the extended schema here.
          return execute({
            schema: this.#schema,
            document: requestContext.document,
            operationName: requestContext.request.operationName ?? null,
            variableValues: requestContext.request.variables ?? {},
          }) as never;
        }
        return executor(requestContext);
      },
    };
  }

  stop(): Promise<void> {
    return this.inner.stop();
  }
}
