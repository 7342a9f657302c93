// The page's only contact with the server: the JSON API of CONTRACT.md.
// Every failure becomes an ApiError with a kind the page can explain in words.

export class ApiError extends Error {
  // kind: "network" (server down), "timeout", "bad_input" (4xx), "server" (5xx), "stream" (cut off)
  constructor(kind, message = "", status = 0, code = "") {
    super(message || kind);
    this.kind = kind;
    this.status = status;
    this.code = code;
  }
}

const DEFAULT_TIMEOUT_MS = 90000;

function timeoutMs() {
  const fromPage = Number(document.body?.dataset.timeoutMs);
  return fromPage > 0 ? fromPage : DEFAULT_TIMEOUT_MS;
}

// An AbortController that fires when nothing has arrived for `ms` (reset on every chunk).
function idleTimer(ms) {
  const controller = new AbortController();
  let timer = null;
  const api = {
    signal: controller.signal,
    timedOut: false,
    kick() {
      clearTimeout(timer);
      timer = setTimeout(() => {
        api.timedOut = true;
        controller.abort();
      }, ms);
    },
    stop() {
      clearTimeout(timer);
    },
  };
  api.kick();
  return api;
}

async function errorFrom(response) {
  let code = "";
  let message = "";
  try {
    const body = await response.json();
    code = body?.error?.code ?? "";
    message = body?.error?.message ?? "";
  } catch {
    message = response.statusText;
  }
  const kind = response.status >= 500 ? "server" : "bad_input";
  return new ApiError(kind, message || `HTTP ${response.status}`, response.status, code);
}

function wrapFetchError(err, timer) {
  if (err instanceof ApiError) return err;
  if (timer?.timedOut) return new ApiError("timeout");
  if (err?.name === "AbortError") return new ApiError("timeout");
  return new ApiError("network", String(err?.message || err));
}

async function postJson(path, body, { timeout = timeoutMs(), accept = "application/json" } = {}) {
  const timer = idleTimer(timeout);
  try {
    const response = await fetch(path, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: accept },
      body: JSON.stringify(body),
      signal: timer.signal,
    });
    if (!response.ok) throw await errorFrom(response);
    return { response, timer };
  } catch (err) {
    timer.stop();
    throw wrapFetchError(err, timer);
  }
}

// Parse a text/event-stream body into {event, data} records as they arrive.
export async function* readEvents(stream, onChunk = () => {}) {
  const reader = stream.getReader();
  const decoder = new TextDecoder("utf-8");
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    onChunk();
    buffer += decoder.decode(value, { stream: true }).replace(/\r\n?/g, "\n");
    let cut;
    while ((cut = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      const record = parseBlock(block);
      if (record) yield record;
    }
  }
  const tail = parseBlock(buffer + decoder.decode());
  if (tail) yield tail;
}

function parseBlock(block) {
  let event = "message";
  const data = [];
  for (const line of block.split("\n")) {
    if (!line || line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "event") event = value;
    else if (field === "data") data.push(value);
  }
  if (!data.length) return null;
  return { event, data: data.join("\n") };
}

function parseMaybeJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function deltaText(data) {
  const value = parseMaybeJson(data);
  if (typeof value === "string") return value;
  return value?.text ?? value?.delta ?? value?.content ?? "";
}

// POST /api/chat, streamed. onDelta(text) receives each piece; resolves with the full Answer.
export async function chat({ message, conversationId, mode }, { onDelta = () => {} } = {}) {
  const body = { message, mode };
  if (conversationId) body.conversation_id = conversationId;
  const { response, timer } = await postJson("/api/chat", body, { accept: "text/event-stream" });
  try {
    const type = response.headers.get("content-type") || "";
    if (!type.includes("text/event-stream")) {
      return await response.json();
    }
    if (!response.body) throw new ApiError("stream");
    for await (const { event, data } of readEvents(response.body, () => timer.kick())) {
      if (event === "delta" || event === "message") {
        onDelta(deltaText(data));
      } else if (event === "answer") {
        return parseMaybeJson(data);
      } else if (event === "error") {
        const value = parseMaybeJson(data);
        const error = value?.error ?? value;
        const status = Number(value?.status) || 500;
        const kind = status >= 400 && status < 500 ? "bad_input" : "server";
        throw new ApiError(kind, error?.message ?? String(data), status, error?.code ?? "");
      }
    }
    throw new ApiError("stream");
  } catch (err) {
    throw wrapFetchError(err, timer);
  } finally {
    timer.stop();
  }
}

// POST /api/feedback.
export async function sendFeedback(payload) {
  const { response, timer } = await postJson("/api/feedback", payload);
  timer.stop();
  return response.json();
}

// GET /healthz; null when the server cannot be reached.
export async function health() {
  const timer = idleTimer(5000);
  try {
    const response = await fetch("/healthz", { signal: timer.signal });
    return response.ok ? await response.json() : null;
  } catch {
    return null;
  } finally {
    timer.stop();
  }
}
