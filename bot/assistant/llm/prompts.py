"""LLM mode's prompts, guard settings and notices: config/assistant/prompts.yaml as a typed model."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field

from bot.assistant.config_files import assistant_config, load_yaml_model
from bot.assistant.llm.evidence import DEFAULT_INJECTION_PATTERNS
from bot.assistant.llm.guards import GuardConfig


class Notices(BaseModel):
    removed: str = "核验：删除了 {count} 句未通过引用或数字核验的内容。"
    fallback: str = "大模型的回答未通过核验（{reason}），已改用离线模式作答。"
    unavailable: str = "大模型服务不可用（{reason}），已改用离线模式作答。"
    not_covered: str = "现有政策文件未覆盖该问题，已按离线模式统一答复。"
    planted: str = "检索到的段落中含有疑似指令的文字，已作为数据处理，未予执行。"
    local_refusal: str = "本地模型认为文件未覆盖该问题，已改用离线模式作答。"
    interrupted: str = "大模型服务在回答途中中断（{reason}），以上为已通过核验的部分。"


class Prompts(BaseModel):
    system: str
    draft: str = ""
    history_turns: int = 6
    max_steps: int = 4
    search_k: int = 5
    search_k_max: int = 8
    local_search_k: int = 3  # the bundled 1.5B model reads prompts slowly: fewer passages
    local_search_first: bool = True  # it answers from memory unless the passages are already in front of it
    local_reminder: str = ""  # said to it after those passages (it forgets the system prompt's citation rule)
    local_refusal_falls_back: bool = True  # its "not covered" is not trusted: the offline backend answers
    guards: GuardConfig = GuardConfig()
    injection_patterns: list[str] = Field(default_factory=lambda: list(DEFAULT_INJECTION_PATTERNS))
    notices: Notices = Notices()


def default_prompts_file() -> Path:
    return assistant_config("prompts.yaml")


def load_prompts(path: Path | None = None) -> Prompts:
    return load_yaml_model(Prompts, path or default_prompts_file(), "invalid prompts")
