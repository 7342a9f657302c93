// The documents page: list, upload (with progress), outline preview, status editing, delete.
// Talks to /api/documents only; every text from the server goes in with textContent.

const $ = (id) => document.getElementById(id);
const STATUS = { in_force: "现行有效", superseded: "已被替代", repealed: "已废止", expired: "已失效" };
const ACTIONS = { upload: "上传", ingest: "导入", update: "修改", retire: "停用", delete: "删除" };
const FIELDS = {
  title: "标题", doc_number: "文号", issuer: "发文机关", date: "成文日期", effective_date: "施行日期",
  status: "状态", superseded_by: "替代文件",
};

// What a change did, in Chinese: from its structured fields ("状态：现行有效 → 已废止") when the
// server recorded them, else the server's summary.
function changeText(change) {
  const fields = change.detail?.changes;
  if (!fields || typeof fields !== "object" || !Object.keys(fields).length) return change.summary || "";
  const value = (key, v) => (v === null || v === undefined || v === "" ? "—" : key === "status" ? STATUS[v] || v : v);
  return Object.entries(fields)
    .map(([key, [before, after]]) => `${FIELDS[key] || key}：${value(key, before)} → ${value(key, after)}`)
    .join("；");
}

let documents = [];
let selected = null; // slug of the document shown in the detail panel

function el(tag, text = "", className = "") {
  const node = document.createElement(tag);
  if (text) node.textContent = text;
  if (className) node.className = className;
  return node;
}

function errorText(body, status) {
  const message = body && body.error && body.error.message;
  if (status === 401) return "需要登录：请先在 /login 输入访问令牌。";
  if (status === 403) return "当前令牌无权管理文件。" + (message ? `（${message}）` : "");
  if (status === 413) return "文件过大：" + (message || "超过上传大小上限。");
  return message || `请求失败（HTTP ${status}）`;
}

async function api(method, path, body) {
  const init = { method, headers: { Accept: "application/json" } };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch {
    throw new Error("无法连接服务器，请检查网络或稍后重试。");
  }
  const data = await response.json().catch(() => null);
  if (!response.ok) throw new Error(errorText(data, response.status));
  return data;
}

function banner(text) {
  $("banner").textContent = text;
  $("banner").hidden = !text;
}

function badge(doc) {
  return el("span", doc.status_label || STATUS[doc.status] || doc.status, `badge status-${doc.status}`);
}

// -- list -----------------------------------------------------------------------------------

async function loadList() {
  try {
    documents = (await api("GET", "/api/documents")).documents;
    banner("");
  } catch (err) {
    banner(err.message);
    return;
  }
  const rows = $("doc-rows");
  rows.replaceChildren();
  for (const doc of documents) {
    const tr = el("tr");
    tr.dataset.slug = doc.slug;
    if (doc.status !== "in_force") tr.classList.add("stale");
    if (doc.slug === selected) tr.classList.add("selected");
    const name = el("td");
    name.append(el("span", doc.title), el("span", doc.id !== doc.title ? doc.id : "", "doc-id"));
    const status = el("td");
    status.append(badge(doc));
    const actions = el("td", "", "actions");
    const view = el("button", "查看", "btn small");
    view.type = "button";
    view.addEventListener("click", () => showDetail(doc.slug));
    const remove = el("button", "删除", "btn small danger");
    remove.type = "button";
    remove.addEventListener("click", () => confirmDelete(doc));
    actions.append(view, " ", remove);
    tr.append(name, el("td", doc.date || "—"), status, el("td", String(doc.chunks)), actions);
    rows.append(tr);
  }
  $("doc-count").textContent = `（${documents.length} 份）`;
  $("empty").hidden = documents.length > 0;
  fillSelect($("upload-supersedes"), null, "— 无 —");
}

function fillSelect(select, exclude, emptyLabel) {
  const keep = select.value;
  select.replaceChildren(new Option(emptyLabel, ""));
  for (const doc of documents) {
    if (doc.id === exclude) continue;
    select.append(new Option(doc.id === doc.title ? doc.title : `${doc.id} ${doc.title}`, doc.id));
  }
  select.value = keep;
}

// -- upload ---------------------------------------------------------------------------------

function upload(event) {
  event.preventDefault();
  const file = $("upload-file").files[0];
  const status = $("upload-status");
  status.classList.remove("error");
  if (!file) {
    status.textContent = "请选择要上传的文件。";
    status.classList.add("error");
    return;
  }
  const form = new FormData();
  form.append("file", file, file.name);
  if ($("upload-supersedes").value) form.append("supersedes", $("upload-supersedes").value);
  if ($("upload-effective").value) form.append("effective_date", $("upload-effective").value);
  const progress = $("upload-progress");
  progress.hidden = false;
  progress.value = 0;
  $("upload-button").disabled = true;
  status.textContent = `正在上传 ${file.name}…`;
  const xhr = new XMLHttpRequest();
  xhr.open("POST", "/api/documents");
  xhr.setRequestHeader("Accept", "application/json");
  xhr.upload.addEventListener("progress", (e) => {
    if (e.lengthComputable) progress.value = Math.round((e.loaded / e.total) * 100);
    if (progress.value >= 100) status.textContent = "已上传，正在解析并建立索引…";
  });
  xhr.addEventListener("load", async () => {
    $("upload-button").disabled = false;
    progress.hidden = true;
    let body = null;
    try {
      body = JSON.parse(xhr.responseText);
    } catch {
      body = null;
    }
    if (xhr.status !== 201) {
      status.textContent = "上传失败：" + errorText(body, xhr.status) + "（索引未改变）";
      status.classList.add("error");
      return;
    }
    const doc = body.document;
    const replaced = body.affected && body.affected.length ? `；已将 ${body.affected.join("、")} 标记为被替代` : "";
    status.textContent = `已收录《${doc.title}》（${doc.id}，${doc.chunks} 段）${replaced}`;
    $("upload-form").reset();
    await loadList();
    await showDetail(doc.slug);
  });
  xhr.addEventListener("error", () => {
    $("upload-button").disabled = false;
    progress.hidden = true;
    status.textContent = "上传失败：无法连接服务器。";
    status.classList.add("error");
  });
  xhr.send(form);
}

// -- detail ---------------------------------------------------------------------------------

async function showDetail(slug) {
  let doc;
  try {
    doc = await api("GET", `/api/documents/${encodeURIComponent(slug)}`);
  } catch (err) {
    banner(err.message);
    return;
  }
  selected = doc.slug;
  for (const tr of $("doc-rows").children) tr.classList.toggle("selected", tr.dataset.slug === selected);
  $("detail").hidden = false;
  $("detail-title").textContent = doc.title;
  const meta = $("detail-meta");
  meta.replaceChildren();
  const rows = [
    ["文号", doc.doc_number || "—"], ["发文机关", doc.issuer || "—"], ["成文日期", doc.date || "—"],
    ["施行日期", doc.effective_date || "—"],
    ["适用范围", doc.jurisdiction ? `${doc.jurisdiction.place}（${LEVELS[doc.jurisdiction.level]}）` : "—"],
    ["状态", doc.status_label], ["段落数", String(doc.chunks)],
    ["来源文件", doc.source || "—"], ["短编号", doc.slug],
  ];
  for (const line of doc.history || []) rows.push(["制定与修改", line]);
  for (const rel of doc.related || []) rows.push([RELATIONS[rel.relation] || rel.relation, rel.doc]);
  for (const [k, v] of rows) meta.append(el("dt", k), el("dd", v));
  resetPassages();
  const outline = $("outline");
  outline.replaceChildren();
  for (const entry of doc.outline) {
    const li = el("li", entry.heading, `level-${Math.min(entry.level, 4)}`);
    outline.append(li);
  }
  $("outline-note").textContent = doc.outline.length
    ? (doc.outline_from === "file" ? "按原文件重新解析：" : "原文件不在，按已索引段落还原：")
    : "没有识别出标题层级（全文按段落检索）。";
  $("status-select").value = doc.status;
  fillSelect($("superseded-select"), doc.id, "— 请选择 —");
  $("superseded-select").value = doc.superseded_by || "";
  $("effective-input").value = doc.effective_date || "";
  $("status-message").textContent = "";
  toggleSuperseded();
  const history = $("history");
  history.replaceChildren();
  for (const change of doc.changes) {
    history.append(el("li", `${change.at.replace("T", " ").replace("+00:00", " UTC")} ${change.actor} `
      + `${ACTIONS[change.action] || change.action}：${changeText(change)}`));
  }
}

// -- passages: exactly what search and the assistant see -------------------------------------

const LEVELS = { national: "全国", province: "省级", city: "市级" };
const RELATIONS = { forwarded_by: "转发文件", forwards: "所转发文件", supersedes: "替代", issued_with: "一并印发", cites: "引用" };

function resetPassages() {
  const list = $("passages");
  list.replaceChildren();
  list.hidden = true;
  $("passages-toggle").setAttribute("aria-expanded", "false");
  $("passages-toggle").textContent = "显示全部段落";
  $("passages-note").textContent = "";
}

async function togglePassages() {
  const list = $("passages");
  if (!list.hidden) {
    resetPassages();
    return;
  }
  let found;
  try {
    found = await api("GET", `/api/documents/${encodeURIComponent(selected)}/passages`);
  } catch (err) {
    banner(err.message);
    return;
  }
  list.replaceChildren();
  for (const p of found.passages) {
    const li = el("li", "", "passage");
    li.append(el("div", p.section || "（正文）", "passage-section"), el("div", p.text, "passage-text"));
    list.append(li);
  }
  list.hidden = false;
  $("passages-toggle").setAttribute("aria-expanded", "true");
  $("passages-toggle").textContent = "收起段落";
  $("passages-note").textContent = `共 ${found.passages.length} 段，按原文顺序。`;
}

function toggleSuperseded() {
  $("superseded-label").hidden = $("status-select").value !== "superseded";
}

async function saveStatus(event) {
  event.preventDefault();
  const message = $("status-message");
  message.classList.remove("error");
  const body = { status: $("status-select").value, effective_date: $("effective-input").value || null };
  if (body.status === "superseded") {
    if (!$("superseded-select").value) {
      message.textContent = "请选择替代它的文件。";
      message.classList.add("error");
      return;
    }
    body.superseded_by = $("superseded-select").value;
  }
  let saved;
  try {
    const result = await api("PATCH", `/api/documents/${encodeURIComponent(selected)}`, body);
    saved = result.change ? `已保存：${changeText(result.change)}` : "没有需要保存的修改。";
  } catch (err) {
    message.textContent = "保存失败：" + err.message;
    message.classList.add("error");
    return;
  }
  await loadList();
  await showDetail(selected);
  $("status-message").textContent = saved;
}

// -- delete ---------------------------------------------------------------------------------

function confirmDelete(doc) {
  const dialog = $("confirm-delete");
  $("confirm-text").textContent = `删除《${doc.title}》（${doc.id}）及其全部 ${doc.chunks} 个段落？删除后检索和问答将不再引用它，操作会记入修改记录。`;
  dialog.returnValue = "";
  dialog.onclose = async () => {
    if (dialog.returnValue !== "delete") return;
    try {
      await api("DELETE", `/api/documents/${encodeURIComponent(doc.slug)}`);
      $("upload-status").textContent = `已删除《${doc.title}》。`;
      if (selected === doc.slug) {
        selected = null;
        $("detail").hidden = true;
      }
    } catch (err) {
      banner("删除失败：" + err.message);
    }
    await loadList();
  };
  dialog.showModal();
}

$("upload-form").addEventListener("submit", upload);
$("status-form").addEventListener("submit", saveStatus);
$("status-select").addEventListener("change", toggleSuperseded);
$("passages-toggle").addEventListener("click", togglePassages);
loadList();
