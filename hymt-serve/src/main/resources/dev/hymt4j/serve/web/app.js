// The hymt web page: talks to this server's /languages, /v1/models and /v1/translate (streamed as server-sent
// events over fetch, since EventSource cannot POST). No external scripts, so it works offline.
"use strict";

const $ = (id) => document.getElementById(id);
const el = {
  adapter: $("adapter"), status: $("status"), source: $("source"), target: $("target"), text: $("text"),
  output: $("output"), translate: $("translate"), stop: $("stop"), swap: $("swap"), copy: $("copy"), clear: $("clear"),
  count: $("count"), stats: $("stats"), detected: $("detected"), error: $("error"), glossary: $("glossary"),
  addTerm: $("add-term"), glossaryCount: $("glossary-count"), context: $("context"), formatted: $("formatted"),
  greedy: $("greedy"), maxTokens: $("max-tokens"), apiKey: $("api-key"),
};
const store = window.localStorage;
let languages = [];
let running = null; // the AbortController of the translation in progress
let lastDetected = null; // the source language the server detected last

function headers() {
  const h = { "Content-Type": "application/json" };
  const key = el.apiKey.value.trim();
  if (key) h["Authorization"] = "Bearer " + key;
  return h;
}

function setStatus(text, kind) {
  el.status.textContent = text;
  el.status.className = "pill" + (kind ? " " + kind : "");
}

function languageName(code) {
  const l = languages.find((x) => x.code === code);
  return l ? l.name : code;
}

async function loadLanguages() {
  const r = await fetch("/languages");
  languages = await r.json();
  for (const l of languages) {
    el.source.add(new Option(l.name, l.code));
    el.target.add(new Option(l.name, l.code));
  }
  el.source.value = store.getItem("hymt.source") || "auto";
  el.target.value = store.getItem("hymt.target") || "zh";
}

async function loadModels() {
  const r = await fetch("/v1/models");
  const body = await r.json();
  for (const m of body.data) {
    el.adapter.add(new Option(m.adapter ? "Adapter: " + m.adapter : m.id, m.adapter || ""));
  }
  el.adapter.disabled = body.data.length < 2;
}

async function waitUntilReady() {
  for (;;) {
    try {
      const r = await fetch("/health");
      if (r.ok) { setStatus("ready", "ok"); return; }
      const body = await r.json().catch(() => ({}));
      setStatus((body.error && body.error.message) || "loading…", "");
    } catch (e) {
      setStatus("server unreachable", "bad");
    }
    await new Promise((done) => setTimeout(done, 1000));
  }
}

function addTerm(source = "", target = "") {
  const row = document.createElement("div");
  row.className = "term";
  row.innerHTML = '<input type="text" aria-label="Source term" placeholder="term">' +
    '<span class="arrow" aria-hidden="true">→</span>' +
    '<input type="text" aria-label="Translation of the term" placeholder="translation">' +
    '<button type="button" aria-label="Remove this term" title="Remove">×</button>';
  const [src, tgt] = row.querySelectorAll("input");
  src.value = source;
  tgt.value = target;
  row.querySelector("button").addEventListener("click", () => { row.remove(); glossaryChanged(); });
  row.addEventListener("input", glossaryChanged);
  el.glossary.append(row);
  glossaryChanged();
  return src;
}

function glossary() {
  const pairs = [];
  for (const row of el.glossary.querySelectorAll(".term")) {
    const [src, tgt] = row.querySelectorAll("input");
    if (src.value.trim() && tgt.value.trim()) pairs.push([src.value.trim(), tgt.value.trim()]);
  }
  return pairs;
}

function glossaryChanged() {
  const n = glossary().length;
  el.glossaryCount.textContent = n ? "(" + n + (n === 1 ? " term)" : " terms)") : "";
}

function showError(message) {
  el.error.textContent = message || "";
}

// Reads an SSE body: calls onEvent with each parsed "data:" payload until "[DONE]".
async function readEvents(response, onEvent) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const event = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      for (const line of event.split("\n")) {
        if (!line.startsWith("data: ")) continue;
        const data = line.slice(6);
        if (data === "[DONE]") return;
        onEvent(JSON.parse(data));
      }
    }
  }
}

async function translate() {
  const text = el.text.value;
  if (!text.trim() || running) return;
  showError("");
  el.output.textContent = "";
  el.output.classList.add("streaming");
  el.stats.textContent = "";
  el.detected.textContent = "";
  el.copy.disabled = true;
  el.translate.disabled = true;
  el.stop.hidden = false;
  running = new AbortController();
  const started = performance.now();
  let firstToken = null;
  const request = {
    text, target: el.target.value, stream: true,
    max_tokens: Number(el.maxTokens.value) || 512,
  };
  if (el.source.value !== "auto") request.source = el.source.value;
  const terms = glossary();
  if (terms.length) request.glossary = terms;
  if (el.context.value.trim()) request.context = el.context.value;
  if (el.formatted.checked) request.formatted = true;
  if (el.greedy.checked) request.temperature = 0;
  if (el.adapter.value) request.adapter = el.adapter.value;
  try {
    const r = await fetch("/v1/translate", {
      method: "POST", headers: headers(), body: JSON.stringify(request), signal: running.signal,
    });
    if (!r.ok) {
      const body = await r.json().catch(() => ({}));
      const message = (body.error && body.error.message) || ("HTTP " + r.status);
      if (r.status === 401) {
        document.getElementById("more-box").open = true;
        el.apiKey.focus();
      }
      throw new Error(message);
    }
    let result = null, usage = null;
    await readEvents(r, (event) => {
      if (event.type === "delta") {
        if (firstToken === null) firstToken = performance.now();
        el.output.textContent += event.text;
      } else if (event.type === "translation") {
        result = event;
        el.output.textContent = event.text;
      } else if (event.type === "done") {
        usage = event.usage;
      } else if (event.error) {
        throw new Error(event.error.message);
      }
    });
    if (result) {
      const seconds = (performance.now() - started) / 1000;
      const parts = [seconds.toFixed(2) + " s"];
      if (firstToken !== null) parts.push("first token " + Math.round(firstToken - started) + " ms");
      if (result.timings && result.timings.tokens_per_second) parts.push(result.timings.tokens_per_second + " tokens/s");
      if (usage) parts.push(usage.completion_tokens + " tokens");
      el.stats.textContent = parts.join(" · ");
      if (result.detected_language && el.source.value === "auto") {
        lastDetected = result.detected_language.language;
        el.detected.textContent = "Detected: " + languageName(lastDetected);
      }
      el.copy.disabled = !result.text;
    }
  } catch (e) {
    if (e.name !== "AbortError") showError(e.message);
  } finally {
    running = null;
    el.output.classList.remove("streaming");
    el.translate.disabled = false;
    el.stop.hidden = true;
  }
}

function init() {
  el.text.addEventListener("input", () => {
    el.count.textContent = el.text.value.length + " characters";
  });
  el.text.value = store.getItem("hymt.text") || "";
  el.count.textContent = el.text.value.length + " characters";
  document.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); translate(); }
    if (e.key === "Escape" && running) running.abort();
  });
  el.translate.addEventListener("click", translate);
  el.stop.addEventListener("click", () => running && running.abort());
  el.clear.addEventListener("click", () => { el.text.value = ""; el.count.textContent = "0 characters"; el.text.focus(); });
  el.swap.addEventListener("click", () => {
    const from = el.source.value === "auto" ? lastDetected : el.source.value;
    const translated = el.output.textContent;
    el.source.value = el.target.value;
    if (from) el.target.value = from;
    if (translated) el.text.value = translated;
    el.output.textContent = "";
    el.detected.textContent = "";
  });
  el.target.addEventListener("change", () => store.setItem("hymt.target", el.target.value));
  el.source.addEventListener("change", () => store.setItem("hymt.source", el.source.value));
  el.copy.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(el.output.textContent);
      el.copy.textContent = "Copied";
    } catch (e) {
      const range = document.createRange();
      range.selectNodeContents(el.output);
      getSelection().removeAllRanges();
      getSelection().addRange(range);
      el.copy.textContent = "Selected";
    }
    setTimeout(() => { el.copy.textContent = "Copy"; }, 1500);
  });
  el.addTerm.addEventListener("click", () => addTerm().focus());
  el.apiKey.value = store.getItem("hymt.key") || "";
  el.apiKey.addEventListener("change", () => store.setItem("hymt.key", el.apiKey.value));
  window.addEventListener("beforeunload", () => store.setItem("hymt.text", el.text.value));
  addTerm();
  Promise.all([loadLanguages(), loadModels()]).catch((e) => showError("cannot reach the server: " + e.message));
  waitUntilReady();
}

init();
