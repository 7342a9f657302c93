// The chat page: conversation state (kept in localStorage), sending, streaming, feedback.

import { chat, health, sendFeedback } from "./api.js";
import { applyStatic, initLang, lang, setLang, t } from "./i18n.js";
import { cardsCoverText, h, plainText, renderAnswerText, renderPassage, renderSources, renderToolResults } from "./render.js";
import { renderVerification } from "./verification.js";

const STORE_KEY = "parkbot.conversation.v1";
const MAX_TURNS = 60;

const $ = (id) => document.getElementById(id);
const els = {
  log: $("log"),
  form: $("composer"),
  input: $("question"),
  send: $("send"),
  draft: $("draft-toggle"),
  error: $("composer-error"),
  banner: $("banner"),
  suggestions: $("suggestions"),
  suggestionList: $("suggestion-list"),
  dialog: $("passage"),
  dialogBody: $("passage-body"),
  newConversation: $("new-conversation"),
  langToggle: $("lang-toggle"),
};
// the server's limits.max_message_chars, written into the page by GET / (the API refuses longer with 413)
const MAX_CHARS = Number(document.body.dataset.maxChars) || 4000;
// the phone layout's width (css/app.css): long tables start folded there
const PHONE = window.matchMedia("(max-width: 640px)");

let state = load();
let busy = false;
let generation = 0; // bumped by "new conversation" so a late answer is not added to the new one

// ---- persistence ---------------------------------------------------------------------------------

function load() {
  try {
    const saved = JSON.parse(localStorage.getItem(STORE_KEY) || "null");
    if (saved && Array.isArray(saved.turns)) return { conversationId: saved.conversationId || null, turns: saved.turns };
  } catch {
    /* unreadable or unavailable storage: start afresh */
  }
  return { conversationId: null, turns: [] };
}

function save() {
  state.turns = state.turns.slice(-MAX_TURNS);
  try {
    localStorage.setItem(STORE_KEY, JSON.stringify(state));
  } catch {
    /* storage full or disabled: the conversation still works until the page is reloaded */
  }
}

const newId = () => `m-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;

// ---- rendering -----------------------------------------------------------------------------------

function renderAll() {
  els.log.replaceChildren(...state.turns.map(renderTurn));
  renderSuggestions();
}

function renderSuggestions() {
  els.suggestions.hidden = state.turns.length > 0;
  els.suggestionList.replaceChildren(
    ...t("suggestions").map((text) =>
      h("li", {}, h("button", { type: "button", class: "suggestion", onclick: () => ask(text) }, text)),
    ),
  );
}

function renderTurn(turn) {
  if (turn.role === "user") return userArticle(turn.text, turn.mode);
  return fillAssistant(assistantShell(turn.answer?.mode), turn);
}

function userArticle(text, mode) {
  return h(
    "article",
    { class: "turn user", "aria-label": t("you") },
    h("div", { class: "who" }, t("you"), mode === "draft" ? h("span", { class: "badge draft" }, t("draftBadge")) : null),
    h("div", { class: "bubble" }, text),
  );
}

function assistantShell(mode) {
  return h(
    "article",
    { class: "turn assistant", "aria-label": t("bot") },
    h("div", { class: "who" }, t("bot"), mode === "draft" ? h("span", { class: "badge draft" }, t("draftBadge")) : null),
    h("div", { class: "bubble" }, h("div", { class: "answer-body" })),
  );
}

// Put a finished answer into an assistant article (the one that streamed, or a fresh one).
function fillAssistant(article, turn) {
  const answer = turn.answer;
  const bubble = article.querySelector(".bubble");
  const body = bubble.querySelector(".answer-body");
  const who = article.querySelector(".who");
  if (answer.mode === "draft" && !who.querySelector(".draft")) who.append(h("span", { class: "badge draft" }, t("draftBadge")));
  // the card comes first; the text keeps its tables only when no card shows the same numbers
  body.replaceChildren(renderAnswerText(answer.answer, answer.citations, openPassage,
    { tables: !cardsCoverText(answer.tool_calls), collapsed: PHONE.matches }));
  body.setAttribute("aria-busy", "false");
  const cards = renderToolResults(answer.tool_calls);
  if (cards.length) body.before(h("div", { class: "cards" }, cards));
  if (answer.grounded === false) bubble.insertBefore(h("p", { class: "notice", role: "note" }, t("notGrounded")), bubble.firstChild);
  const sources = renderSources(answer.citations, openPassage);
  if (sources) bubble.append(sources);
  const checks = renderVerification(answer.verification);
  if (checks) bubble.append(checks);
  bubble.append(actions(turn));
  return article;
}

function actions(turn) {
  const row = h("div", { class: "actions" });
  if (turn.answer.mode === "draft") {
    const status = h("span", { class: "copy-status", role: "status" });
    row.append(
      h("button", { type: "button", class: "btn copy", onclick: () => copyText(plainText(turn.answer), status) }, t("copy")),
      status,
    );
  }
  row.append(feedbackWidget(turn));
  return row;
}

function feedbackWidget(turn) {
  const box = h("div", { class: "feedback", role: "group", "aria-label": `${t("helpful")} / ${t("notHelpful")}` });
  const status = h("p", { class: "feedback-status", role: "status" });
  const commentId = `c-${turn.id}`;
  const comment = h("textarea", { id: commentId, rows: 2, maxlength: 2000, placeholder: t("feedbackPlaceholder") });
  const submit = h("button", { type: "submit", class: "btn primary small" }, t("feedbackSend"));
  const form = h(
    "form",
    { class: "feedback-form", hidden: true },
    h("label", { for: commentId }, t("feedbackPrompt")),
    comment,
    submit,
  );
  const buttons = ["up", "down"].map((rating) =>
    h(
      "button",
      {
        type: "button",
        class: `btn ghost small rate rate-${rating}`,
        "aria-pressed": String(turn.feedback?.rating === rating),
        disabled: turn.feedback?.sent,
        onclick: () => {
          turn.feedback = { rating, sent: false };
          buttons.forEach((b, i) => b.setAttribute("aria-pressed", String(["up", "down"][i] === rating)));
          form.hidden = false;
          comment.focus();
        },
      },
      h("span", { class: `rate-mark rate-mark-${rating}`, "aria-hidden": "true" }),
      rating === "up" ? t("helpful") : t("notHelpful"),
    ),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    submit.disabled = true;
    status.textContent = "";
    try {
      await sendFeedback({
        conversation_id: turn.answer.conversation_id || state.conversationId,
        message_id: turn.id,
        question: turn.question,
        answer: turn.answer.answer,
        citations: turn.answer.citations || [],
        tool_calls: (turn.answer.tool_calls || []).map(({ name, args }) => ({ name, args: args || {} })),
        mode: turn.answer.mode === "draft" ? "draft" : "answer",
        grounded: typeof turn.answer.grounded === "boolean" ? turn.answer.grounded : null,
        rating: turn.feedback.rating,
        comment: comment.value.trim(),
      });
      turn.feedback.sent = true;
      save();
      form.hidden = true;
      buttons.forEach((b) => (b.disabled = true));
      status.textContent = t("feedbackThanks");
    } catch (err) {
      submit.disabled = false;
      status.textContent = t("feedbackFailed") + describe(err);
    }
  });
  if (turn.feedback?.sent) status.textContent = t("feedbackThanks");
  box.append(...buttons, form, status);
  return box;
}

async function copyText(text, status) {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
    } else {
      const area = h("textarea", { class: "sr-only", "aria-hidden": "true" });
      area.value = text;
      document.body.append(area);
      area.select();
      const ok = document.execCommand("copy");
      area.remove();
      if (!ok) throw new Error("execCommand");
    }
    status.textContent = t("copied");
  } catch {
    status.textContent = t("copyFailed");
  }
}

function openPassage(citation) {
  const opener = document.activeElement;
  els.dialogBody.replaceChildren(renderPassage(citation));
  els.dialog.showModal();
  els.dialog.addEventListener("close", () => opener?.focus?.(), { once: true });
}

// ---- errors ------------------------------------------------------------------------------------------

function describe(err) {
  switch (err?.kind) {
    case "network":
      return t("errServerDown");
    case "timeout":
      return t("errTimeout");
    case "bad_input":
      if (err.code === "message_too_long") return t("errTooLong", MAX_CHARS);
      return t("errBadInput") + err.message;
    case "server":
      return t("errServer") + err.message;
    case "stream":
      return t("errStream");
    default:
      return t("errServer") + String(err?.message || err);
  }
}

function errorArticle(err, question, mode, userNode) {
  const article = h(
    "article",
    { class: "turn error", role: "alert" },
    h("div", { class: "who" }, t("bot")),
    h("div", { class: "bubble" }, h("p", { class: "error-text" }, describe(err))),
  );
  article.querySelector(".bubble").append(
    h(
      "button",
      {
        type: "button",
        class: "btn small",
        onclick: () => {
          article.remove();
          userNode.remove();
          ask(question, mode);
        },
      },
      t("retry"),
    ),
  );
  return article;
}

let bannerKind = ""; // "down" (cleared by the next answer) or "index" (stays until reload)

function showBanner(text, kind = "") {
  bannerKind = text ? kind : "";
  els.banner.textContent = text;
  els.banner.hidden = !text;
}

// ---- asking ------------------------------------------------------------------------------------------

async function ask(text, mode = els.draft.checked ? "draft" : "answer") {
  const question = String(text || "").trim();
  els.error.textContent = "";
  if (!question) {
    els.error.textContent = t("errEmpty");
    els.input.focus();
    return;
  }
  if (question.length > MAX_CHARS) {
    els.error.textContent = t("errTooLong", MAX_CHARS);
    return;
  }
  if (busy) return;
  busy = true;
  const mine = generation;
  els.send.disabled = true;
  els.send.textContent = t("sending");
  els.input.value = "";

  const userTurn = { role: "user", text: question, mode };
  state.turns.push(userTurn);
  save();
  els.suggestions.hidden = true;
  const userNode = userArticle(question, mode);
  const article = assistantShell(mode);
  const body = article.querySelector(".answer-body");
  body.setAttribute("aria-live", "polite");
  body.setAttribute("aria-busy", "true");
  body.classList.add("streaming");
  els.log.append(userNode, article);
  article.scrollIntoView({ block: "end" });

  try {
    const answer = await chat(
      { message: question, conversationId: state.conversationId, mode },
      {
        onDelta: (piece) => {
          if (mine !== generation) return;
          body.append(document.createTextNode(piece));
        },
      },
    );
    if (mine !== generation) return;
    if (!answer || typeof answer.answer !== "string") throw Object.assign(new Error(), { kind: "stream" });
    const turn = { role: "assistant", id: newId(), question, answer };
    state.conversationId = answer.conversation_id || state.conversationId;
    state.turns.push(turn);
    save();
    body.classList.remove("streaming");
    fillAssistant(article, turn);
    if (bannerKind === "down") showBanner("");
  } catch (err) {
    if (mine !== generation) return;
    state.turns = state.turns.filter((x) => x !== userTurn);
    save();
    article.replaceWith(errorArticle(err, question, mode, userNode));
  } finally {
    if (mine === generation) {
      busy = false;
      els.send.disabled = false;
      els.send.textContent = t("send");
    }
  }
}

// ---- wiring ----------------------------------------------------------------------------------------

els.form.addEventListener("submit", (event) => {
  event.preventDefault();
  ask(els.input.value);
});

els.input.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
    event.preventDefault();
    els.form.requestSubmit();
  }
});

els.newConversation.addEventListener("click", () => {
  generation += 1;
  busy = false;
  els.send.disabled = false;
  els.send.textContent = t("send");
  state = { conversationId: null, turns: [] };
  save();
  els.error.textContent = "";
  renderAll();
  els.input.focus();
});

els.langToggle.addEventListener("click", () => {
  setLang(lang() === "zh" ? "en" : "zh");
  els.langToggle.setAttribute("lang", lang() === "zh" ? "en" : "zh-CN");
  applyStatic();
  if (!busy) renderAll();
});

initLang();
els.langToggle.setAttribute("lang", lang() === "zh" ? "en" : "zh-CN");
applyStatic();
renderAll();
document.body.classList.add("ready");

health().then((info) => {
  if (!info) showBanner(t("errServerDown"), "down");
  else if (info.index && info.index.chunks === 0) showBanner(t("healthNoIndex"), "index");
});
