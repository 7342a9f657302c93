"""LLM mode: a tool-calling agent over the same tools, whose text streams only as it is verified.

::

    chat_models.py   OpenAI-compatible endpoints and the bundled local model
    agent.py         PolicyAgent: the tool-calling loop, token streaming and its fallbacks
    tool_binding.py  every tool of bot.assistant.tools as the model sees it, recorded as evidence
    evidence.py      what the tools returned this turn; passages as data (planted text blanked)
    segments.py      the streamed text cut into sentences, clauses, list items and rows
    verifier.py      StreamVerifier: checks each unit as it completes, releases it, renumbers
    guards.py        the checks one clause must pass (citations, sources, numbers, names, support)
    support.py       content overlap, references to the source, named entities
    prompts.py       prompts, guard settings and notices (config/assistant/prompts.yaml)
"""
