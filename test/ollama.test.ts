import assert from 'node:assert/strict';
import { z } from 'zod';
import { makeOllamaClient } from '../activities/clients';
import { stack } from './support/stack';

describe('ollama: the real server and the SmolLM2 stand-in', () => {
  it('lists the test model', async () => {
    const { models } = await makeOllamaClient().list();
    assert.ok(models.some((m) => m.name.startsWith(stack.ollama.testModel)), JSON.stringify(models.map((m) => m.name)));
  });

  it('replies with JSON that conforms to the schema passed as format', async () => {
    const reply = z.object({ queries: z.array(z.string().min(3).max(80)).length(3) });
    const schema = z.toJSONSchema(reply);
    const response = await makeOllamaClient().chat({
      model: stack.ollama.testModel,
      messages: [
        {
          role: 'user',
          content: 'Write 3 short search queries (in Spanish) for: "Piso luminoso con terraza cerca del metro en Zaragoza". Answer as JSON.',
        },
      ],
      format: schema,
      options: { temperature: 0, num_predict: 600 },
    });
    const parsed = reply.parse(JSON.parse(response.message.content));
    assert.equal(parsed.queries.length, 3);
  });
});
