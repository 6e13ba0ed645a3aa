// The official openai npm client against `hymt serve` (run by OpenAiClientTest with: node openai-client.mjs URL KEY MODEL).
// Streams a chat completion, checks the chunks add up to the non-streamed answer, lists models, and reads an error.
import OpenAI from "openai";

const [url, apiKey, model] = process.argv.slice(2);
const client = new OpenAI({ baseURL: url + "/v1", apiKey, maxRetries: 0 });
const request = {
  model,
  messages: [{ role: "user", content: "Translate the following segment into Chinese, without additional explanation.\n\nIt's on the house." }],
  max_tokens: 10,
  seed: 3, // sampled, and the same both times
  // The demo model is random (tied embeddings: it repeats the prompt's last, special token): generate all 10
  // tokens, with a penalty strong enough for visible text.
  ignore_eos: true,
  repetition_penalty: 2,
};

const whole = await client.chat.completions.create(request);
const stream = await client.chat.completions.create({ ...request, stream: true, stream_options: { include_usage: true } });
let text = "", chunks = 0, finish = null, usage = null, role = null;
for await (const chunk of stream) {
  chunks++;
  if (chunk.object !== "chat.completion.chunk") throw new Error("unexpected object " + chunk.object);
  if (chunk.usage) usage = chunk.usage;
  for (const choice of chunk.choices) {
    if (choice.delta.role) role = choice.delta.role;
    if (choice.delta.content) text += choice.delta.content;
    if (choice.finish_reason) finish = choice.finish_reason;
  }
}
const models = [];
for await (const m of client.models.list()) models.push(m.id);
let error = null;
try {
  await client.chat.completions.create({ ...request, model: "gpt-4o" });
} catch (e) {
  error = { status: e.status, type: e.type ?? e.error?.type, message: e.message };
}
console.log(JSON.stringify({
  whole: whole.choices[0].message.content, streamed: text, chunks, role, finish, usage, models, error,
}));
