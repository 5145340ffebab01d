// The bare @apollo/gateway of the benchmarks: the same supergraph and subgraphs as ours,
// with none of our protection, signing each subgraph request as ours does.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { stripSecurityDirectives } from '../../gateway/auth/scope-requirements.ts';
import { executeApollo, readJsonBody } from '../../subgraphs/shared/http.ts';
import { signIdentity, type Identity } from '../../subgraphs/shared/identity.ts';

/** The bare gateway: the same supergraph and subgraphs, one fixed identity, nothing checked, @apollo/gateway's default fetcher. */
export async function startBareGateway(supergraphSdl: string, urls: Record<string, string>, identity: Identity, secret: string) {
  // Signed as the gateway signs: for the subgraph and the serialised body, in the fetcher.
  class Signed extends RemoteGraphQLDataSource {
    constructor(url: string | undefined, name: string) {
      super({ url });
      const send = this.fetcher;
      this.fetcher = (target, init = {}) =>
        send(target, { ...init, headers: { ...init.headers, ...signIdentity(identity, secret, { audience: name, body: init.body ?? '' }) } });
    }
  }
  const gateway = new ApolloGateway({ supergraphSdl: stripSecurityDirectives(supergraphSdl), buildService: ({ name }) => new Signed(urls[name], name) });
  const apollo = new ApolloServer({ gateway });
  await apollo.start();
  const server = http.createServer((req, res) => {
    void readJsonBody(req).then((body) => executeApollo(apollo, req, res, body, async () => ({})));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async stop() {
      await new Promise((resolve) => server.close(resolve));
      await apollo.stop();
    },
  };
}

