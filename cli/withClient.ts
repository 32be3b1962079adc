/** Runs one CLI command with a Temporal client, closing the connection however the command ends. */
import type { Client } from '@temporalio/client';
import { connectClient } from '../client/connect';

export async function withClient<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const client = await connectClient();
  try {
    return await work(client);
  } finally {
    await client.connection.close();
  }
}
