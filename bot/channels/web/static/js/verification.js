// What the checks on a language model's text did (answer.verification): a collapsible note under
// the answer listing each sentence that was not shown and why, and whether the answer fell back to
// offline mode. Nothing is shown when the checks removed nothing and nothing fell back.
import { lang } from "./i18n.js";
import { h } from "./render.js";

const WORDS = {
  zh: {
    removed: (n) => `核验：${n} 句未通过引用或数字核验，未予显示`,
    fallback: "核验：大模型的回答未通过核验，已改用离线模式作答",
    both: (n) => `核验：${n} 句未通过核验，且已改用离线模式作答`,
    why: "原因：",
  },
  en: {
    removed: (n) => `Checks: ${n} sentence${n === 1 ? "" : "s"} failed the citation or number checks and ${n === 1 ? "was" : "were"} not shown`,
    fallback: "Checks: the model's answer failed the checks; this is the offline answer",
    both: (n) => `Checks: ${n} sentence${n === 1 ? "" : "s"} failed, and the answer fell back to offline mode`,
    why: "Why: ",
  },
};

export function renderVerification(verification) {
  const removed = verification?.removed || [];
  const fallback = verification?.fallback || null;
  if (!removed.length && !fallback) return null;
  const w = WORDS[lang()] || WORDS.zh;
  const summary = fallback && removed.length ? w.both(removed.length) : fallback ? w.fallback : w.removed(removed.length);
  return h(
    "details",
    { class: "verification", role: "note" },
    h("summary", {}, summary),
    fallback ? h("p", { class: "verification-fallback" }, w.why + fallback.reason) : null,
    removed.length
      ? h(
          "ul",
          {},
          removed.map((r) =>
            h("li", {}, h("q", { class: "removed-sentence" }, r.sentence), h("span", { class: "removed-reason" }, w.why + r.reason)),
          ),
        )
      : null,
  );
}
