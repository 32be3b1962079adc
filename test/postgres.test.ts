import assert from 'node:assert/strict';
import { Client } from 'pg';
import QueryStream from 'pg-query-stream';
import { stack, uniqueName } from './support/stack';

describe('postgres: the throwaway cluster under .genq', () => {
  let client: Client;
  let table: string;
  before(async () => {
    client = new Client({ connectionString: stack.postgres.url });
    await client.connect();
    table = uniqueName('listings').replace(/-/g, '_');
  });
  after(async () => {
    await client.query(`drop table if exists ${table}`);
    await client.end();
  });

  it('creates and fills a listings table and reads it back through a streaming cursor', async () => {
    await client.query(`create table ${table} (id text primary key, description text not null, price integer, city text)`);
    const rows = 1200;
    await client.query(
      `insert into ${table} select 'L' || g, 'Piso ' || g || ' con terraza, ' || (g % 5 + 1) || ' habitaciones', 100000 + g, 'Zaragoza'
       from generate_series(1, $1) g`,
      [rows],
    );
    const stream = client.query(new QueryStream(`select id, description, price from ${table} order by price`, [], { batchSize: 100 }));
    let seen = 0;
    let lastPrice = 0;
    for await (const row of stream as AsyncIterable<{ id: string; description: string; price: number }>) {
      seen += 1;
      assert.ok(row.price > lastPrice, 'rows arrive in query order');
      lastPrice = row.price;
      assert.match(row.description, /^Piso \d+ con terraza/);
    }
    assert.equal(seen, rows);
    assert.equal(lastPrice, 100000 + rows);
  });
});
