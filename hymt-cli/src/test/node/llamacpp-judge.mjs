// Runs llama.cpp (through the npm package node-llama-cpp) on GGUF files for the Java tests
// (LlamaCppJudgeTest): tokenization, next-token probabilities at every position, greedy generation,
// optionally with a GGUF LoRA adapter. Usage: node llamacpp-judge.mjs request.json response.json
// request:  {"runs": [{"model": path, "vocab": n, "vocabOnly": bool, "lora": path|null, "tasks": [
//             {"kind": "tokenize", "texts": [..]}, {"kind": "probabilities", "ids": [..]},
//             {"kind": "greedy", "ids": [..], "tokens": n}]}, ...]}
// response: {"runs": [{"results": [{"ids": [[..], ..]} | {"probabilities": [[..], ..]} | {"ids": [..]}, ..]}, ..]}
import {getLlama, LlamaLogLevel} from "node-llama-cpp";
import fs from "node:fs";

const request = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const llama = await getLlama({gpu: false, build: "never", logLevel: LlamaLogLevel.error});
// Plain softmax of the logits: temperature 1, no top-k/top-p/min-p filtering, no penalties.
const plain = {temperature: 1, topK: 0, topP: 1, minP: 0};
const runs = [];
for (const run of request.runs) {
    const model = await llama.loadModel({modelPath: run.model, gpuLayers: 0, vocabOnly: !!run.vocabOnly});
    // One thread, no flash attention, and an F32 KV cache (llama.cpp's default F16 cache would add a rounding
    // our engine does not do): what is left to compare is the matrix products.
    const context = run.vocabOnly ? null : await model.createContext({contextSize: 1024, batchSize: 1024, threads: 1,
        flashAttention: false, sequences: 1, experimentalKvCacheKeyType: "F32", experimentalKvCacheValueType: "F32",
        lora: run.lora ? {adapters: [{filePath: run.lora, scale: 1}]} : undefined});
    const sequence = context?.getSequence();
    const results = [];
    for (const task of run.tasks) {
        await sequence?.clearHistory();
        if (task.kind === "tokenize") {
            results.push({ids: task.texts.map(text => Array.from(model.tokenize(text, true)))});
        } else if (task.kind === "probabilities") {
            const items = task.ids.map(id => [id, {generateNext: {probabilities: true, options: plain}}]);
            const evaluated = await sequence.controlledEvaluate(items);
            results.push({probabilities: evaluated.map(item => {
                const row = new Array(run.vocab).fill(0);
                for (const [token, p] of item.next.probabilities) row[token] = p;
                return row;
            })});
        } else if (task.kind === "greedy") {
            const generated = [];
            for await (const token of sequence.evaluate(task.ids, {temperature: 0, yieldEogToken: true})) {
                generated.push(token);
                if (generated.length >= task.tokens) break;
            }
            results.push({ids: generated});
        } else {
            throw new Error("unknown task " + task.kind);
        }
    }
    runs.push({results});
    await context?.dispose();
    await model.dispose();
}
fs.writeFileSync(process.argv[3], JSON.stringify({runs}));
await llama.dispose();
