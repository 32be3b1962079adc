/** One way to reach Temporal from client code: the connection and namespace from temporal.config.ts. */
import { Client, Connection } from '@temporalio/client';
import { temporalConnection } from '../temporal.config';

export async function connectClient(): Promise<Client> {
  const connection = await Connection.connect({ address: temporalConnection.address });
  return new Client({ connection, namespace: temporalConnection.namespace });
}
