// Interface strings in Chinese (default) and English. Answers keep the documents' language.

const STRINGS = {
  zh: {
    title: "ParkBot 高新区政策助手",
    tagline: "国家高新区政策问答、综合评价打分、申报条件核对与回复函起草",
    newConversation: "新对话",
    manageDocuments: "文件管理",
    languageToggle: "English",
    languageToggleLabel: "Switch the interface to English",
    inputLabel: "您的问题",
    inputPlaceholder: "例如：国家高新区综合评价有哪几个一级指标？（Enter 发送，Shift+Enter 换行）",
    send: "发送",
    sending: "正在回答…",
    draftMode: "起草回复函",
    draftModeHint: "开启后，ParkBot 以正式回复函的格式答复企业咨询",
    suggestionsTitle: "可以这样问：",
    suggestions: [
      "国家高新区综合评价指标体系包括哪四个一级指标？",
      "外籍高层次人才申请工作许可的年龄可以放宽到多少岁？",
      "给示例园区 SYN-001 打分，并说明主要差距",
      "SYN-001 能否达到创新型科技园区的申报指标？",
    ],
    you: "您",
    bot: "ParkBot",
    sources: "来源",
    sourceN: (n) => `来源 ${n}`,
    openSource: (n, title) => `查看来源 ${n}：${title}`,
    passageTitle: "引用原文",
    docNo: "文号",
    section: "条款",
    date: "日期",
    status: "状态",
    close: "关闭",
    notGrounded: "现有政策文件未覆盖此问题，以下内容仅供参考。",
    draftBadge: "回复函草稿",
    copy: "复制全文",
    copied: "已复制",
    copyFailed: "复制失败，请手动选择文本复制",
    helpful: "有帮助",
    notHelpful: "没帮助",
    feedbackPrompt: "补充说明（可选）",
    feedbackPlaceholder: "哪里不对或缺了什么？",
    feedbackSend: "提交反馈",
    feedbackThanks: "已收到反馈，谢谢！",
    feedbackFailed: "反馈未能保存：",
    scoreCard: "综合评价得分",
    synthetic: "SYNTHETIC 示例数据",
    syntheticHint: "此评分基于合成的示例数据，不代表任何真实园区",
    total: "总分",
    rank: "排名",
    rankOf: (rank, size) => `第 ${rank} / ${size} 名`,
    rankOfShort: (rank, size) => `第 ${rank} / ${size}`,
    noRank: "未排名",
    notRankable: "数据不全，暂不排名",
    selfNotRanked: "本园区未参与排名：",
    rankBasis: (ranked, size) => `排名在 ${ranked} 个可排名园区中计算（共 ${size} 个园区）。未参与排名的园区：`,
    unrankedOthers: (n) => `另有 ${n} 个园区（不在您可查看的范围内）`,
    coverageGap: (g) =>
      `一级指标${g.code}「${g.name}」缺 ${g.missing.join("、")} 的数据（现有赋权 ${g.present} / ${g.total}，不足 ${g.required}）`,
    listSeparator: "；",
    colon: "：",
    median: "中位数",
    pointsUnit: "分",
    colPrimary: "一级指标",
    colWeight: "权重",
    colScore: "得分",
    colMedian: "中位数",
    colRank: "排名",
    allIndicators: (n) => `全部 ${n} 项二级指标（原始值、中位数、得分）`,
    colIndicator: "指标",
    colParkValue: "本园区",
    colNormalized: "标准化得分",
    colContribution: "贡献",
    colHeadroom: "失分",
    indicatorStatus: {
      derived: "（由基础数据计算）",
      missing: "（缺失）",
      no_reference: "（无参照值）",
      median_imputed: "（以中位数补齐）",
      zero_filled: "（按0计）",
    },
    showFullName: "点击显示全称",
    techInfo: "技术信息",
    engineVersion: "引擎版本",
    roundingNote: "精确计算，结果一次性四舍五入到2位小数；各项贡献之和等于总分（舍入后可能相差0.01）。",
    tableRows: (n) => `表格，共 ${n} 行（点击展开/收起）`,
    nearMiss: "接近达标",
    or: "或",
    partCount: (value, required, unit) => `${value ?? "?"}${unit} / 需${required}${unit}`,
    yesNo: { true: "是", false: "否" },
    docStatus: { in_force: "现行有效", superseded: "已被替代", repealed: "已废止", expired: "已失效" },
    units: {},
    primaries: "一级指标得分",
    topContributions: "得分贡献最大的指标",
    largestHeadroom: "提升空间最大的指标",
    missing: "缺失数据",
    noMissing: "无",
    flags: "提示",
    flagCount: (n) => `${n} 条（点击展开）`,
    weight: "权重",
    stop: "。",
    method: "计算方法",
    registry: "指标体系",
    inputHash: "输入数据校验值（SHA-256）",
    unofficial: "本评分按 ParkBot 公开方法计算，并非火炬中心官方结果。",
    eligibility: "申报条件核对",
    overall: { pass: "全部达标", fail: "未全部达标", incomplete: "数据不全" },
    colTarget: "指标",
    colThreshold: "门槛",
    colValue: "本园区",
    colMet: "是否达标",
    colGap: "差距",
    met: { true: "达标", false: "未达标", null: "未知" },
    basis: "依据",
    errServerDown: "无法连接 ParkBot 服务器。请确认服务已启动（parkbot serve）且网络正常，然后重试。",
    errTimeout: "服务器长时间没有响应，已停止等待。请稍后重试，或把问题问得更具体一些。",
    errBadInput: "请求有误：",
    errServer: "服务器出错：",
    errEmpty: "请先输入问题。",
    errTooLong: (n) => `问题太长（最多 ${n} 字），请精简后再发送。`,
    errStream: "回答传输中断，请重试。",
    retry: "重试",
    healthNoIndex: "政策文件索引尚未建立，问答暂不可用。请先运行 parkbot ingest。",
    restored: "已恢复上次的对话",
    conversationLog: "对话记录",
  },
  en: {
    title: "ParkBot policy assistant",
    tagline: "Policy Q&A, evaluation scores, eligibility checks and reply drafts for national high-tech zones",
    newConversation: "New conversation",
    manageDocuments: "Documents",
    languageToggle: "中文",
    languageToggleLabel: "切换为中文界面",
    inputLabel: "Your question",
    inputPlaceholder: "e.g. What are the four primary indicators of the evaluation? (Enter sends, Shift+Enter for a new line)",
    send: "Send",
    sending: "Answering…",
    draftMode: "Draft a reply letter",
    draftModeHint: "When on, ParkBot answers an enterprise enquiry as a formal reply letter",
    suggestionsTitle: "Try asking:",
    suggestions: [
      "What are the four primary indicators of the national high-tech zone evaluation?",
      "Up to what age can foreign experts get a work permit in a high-tech zone?",
      "Score the sample park SYN-001 and explain its main gaps",
      "Does SYN-001 meet the targets for an innovative science and technology park?",
    ],
    you: "You",
    bot: "ParkBot",
    sources: "Sources",
    sourceN: (n) => `Source ${n}`,
    openSource: (n, title) => `Open source ${n}: ${title}`,
    passageTitle: "Cited passage",
    docNo: "Document no.",
    section: "Section",
    date: "Date",
    status: "Status",
    close: "Close",
    notGrounded: "The policy documents do not cover this question; treat this as guidance only.",
    draftBadge: "Draft reply letter",
    copy: "Copy text",
    copied: "Copied",
    copyFailed: "Could not copy; select the text and copy it by hand",
    helpful: "Helpful",
    notHelpful: "Not helpful",
    feedbackPrompt: "Comment (optional)",
    feedbackPlaceholder: "What was wrong or missing?",
    feedbackSend: "Send feedback",
    feedbackThanks: "Thank you, your feedback was saved.",
    feedbackFailed: "Feedback was not saved: ",
    scoreCard: "Evaluation score",
    synthetic: "SYNTHETIC sample data",
    syntheticHint: "This score uses synthetic sample data and describes no real park",
    total: "Total",
    rank: "Rank",
    rankOf: (rank, size) => `${rank} of ${size}`,
    rankOfShort: (rank, size) => `${rank} of ${size}`,
    noRank: "not ranked",
    notRankable: "Not ranked: data incomplete",
    selfNotRanked: "This park is not ranked: ",
    rankBasis: (ranked, size) => `Ranks are among the ${ranked} parks that can be ranked (${size} parks in all). Not ranked:`,
    unrankedOthers: (n) => `${n} more park${n === 1 ? "" : "s"} outside what you may see`,
    coverageGap: (g) =>
      `primary ${g.code} "${g.name}" lacks data for ${g.missing.join(", ")} (coefficients present ${g.present} of ${g.total}, below ${g.required})`,
    listSeparator: "; ",
    colon: ": ",
    median: "Median",
    pointsUnit: "pts",
    colPrimary: "Primary indicator",
    colWeight: "Weight",
    colScore: "Score",
    colMedian: "Median",
    colRank: "Rank",
    allIndicators: (n) => `All ${n} secondary indicators (values, medians, scores)`,
    colIndicator: "Indicator",
    colParkValue: "This park",
    colNormalized: "Normalised",
    colContribution: "Contribution",
    colHeadroom: "Headroom",
    indicatorStatus: {
      derived: "(derived from base statistics)",
      missing: "(missing)",
      no_reference: "(no reference)",
      median_imputed: "(cohort median used)",
      zero_filled: "(counted as 0)",
    },
    showFullName: "tap for the full name",
    techInfo: "Technical details",
    engineVersion: "Engine version",
    roundingNote: "Computed exactly and rounded once to 2 decimals; the contributions sum to the total (within 0.01 after rounding).",
    tableRows: (n) => `Table of ${n} rows (click to show or hide)`,
    nearMiss: "near miss",
    or: "or",
    partCount: (value, required, unit) => `${value ?? "?"} of ${required}${unit ? " " + unit : ""}`,
    yesNo: { true: "yes", false: "no" },
    docStatus: { in_force: "in force", superseded: "superseded", repealed: "repealed", expired: "expired" },
    units: {
      "个": "", "家": "", "项": "", "件/万人": "per 10,000 staff", "人/万人": "per 10,000 staff", "家/万人": "per 10,000 staff",
      "元": "yuan", "万元": "10k yuan", "亿元": "100m yuan", "元/人": "yuan per person", "万元/人": "10k yuan per person",
      "亿元/人": "100m yuan per person", "元/万元": "yuan per 10k yuan of sales", "吨标准煤/万元": "tce per 10k yuan",
      "分": "pts", "岁": "years", "年": "years", "是/否": "", "个/家": "",
    },
    primaries: "Primary scores",
    topContributions: "Largest contributions",
    largestHeadroom: "Largest headroom",
    missing: "Missing data",
    noMissing: "none",
    flags: "Notes",
    flagCount: (n) => `${n} (click to show)`,
    weight: "weight",
    stop: ". ",
    method: "Method",
    registry: "Registry",
    inputHash: "Input hash (SHA-256)",
    unofficial: "Computed with ParkBot's documented method; not an official Torch Center result.",
    eligibility: "Eligibility check",
    overall: { pass: "All targets met", fail: "Not all targets met", incomplete: "Data incomplete" },
    colTarget: "Target",
    colThreshold: "Threshold",
    colValue: "This park",
    colMet: "Met?",
    colGap: "Gap",
    met: { true: "met", false: "not met", null: "unknown" },
    basis: "Basis",
    errServerDown: "Cannot reach the ParkBot server. Check that it is running (parkbot serve) and try again.",
    errTimeout: "The server did not respond in time, so ParkBot stopped waiting. Try again, or ask a narrower question.",
    errBadInput: "The request was refused: ",
    errServer: "The server reported an error: ",
    errEmpty: "Type a question first.",
    errTooLong: (n) => `The question is too long (at most ${n} characters).`,
    errStream: "The answer was cut off; please try again.",
    retry: "Retry",
    healthNoIndex: "The policy index has not been built yet, so questions cannot be answered. Run parkbot ingest first.",
    restored: "Your previous conversation was restored",
    conversationLog: "Conversation",
  },
};

const LANG_KEY = "parkbot.lang";
let current = "zh";

export function initLang(storage = window.localStorage) {
  const saved = safeGet(storage, LANG_KEY);
  current = saved === "en" ? "en" : "zh";
  return current;
}

export function lang() {
  return current;
}

export function setLang(next, storage = window.localStorage) {
  current = next === "en" ? "en" : "zh";
  try {
    storage.setItem(LANG_KEY, current);
  } catch {
    /* private mode: the choice lasts for this page only */
  }
  return current;
}

export function t(key, ...args) {
  const value = STRINGS[current][key] ?? STRINGS.zh[key] ?? key;
  return typeof value === "function" ? value(...args) : value;
}

// Fill every element marked data-i18n (text), data-i18n-placeholder, data-i18n-label, data-i18n-title.
export function applyStatic(root = document) {
  document.documentElement.lang = current === "zh" ? "zh-CN" : "en";
  for (const el of root.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll("[data-i18n-placeholder]"))
    el.setAttribute("placeholder", t(el.dataset.i18nPlaceholder));
  for (const el of root.querySelectorAll("[data-i18n-label]"))
    el.setAttribute("aria-label", t(el.dataset.i18nLabel));
  for (const el of root.querySelectorAll("[data-i18n-title]")) el.setAttribute("title", t(el.dataset.i18nTitle));
  document.title = t("title");
}

function safeGet(storage, key) {
  try {
    return storage.getItem(key);
  } catch {
    return null;
  }
}
