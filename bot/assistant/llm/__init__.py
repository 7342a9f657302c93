"""LLM mode: a tool-calling agent over the same tools, whose text must pass the guards.

::

    chat_models.py   OpenAI-compatible endpoints and the bundled local model
    agent.py         PolicyAgent: the tool-calling loop and its fallbacks
    tool_binding.py  every tool of bot.assistant.tools as the model sees it, recorded as evidence
    guards.py        citations and numbers checked against this turn's evidence
    prompts.py       prompts, guard settings and notices (config/assistant/prompts.yaml)
"""
