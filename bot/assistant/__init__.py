"""The assistant behind ``Services.answer``: typed requests and answers, the tools, and two backends.

::

    types.py        AnswerRequest, Answer, Citation, ToolCall and the typed tool results, stream events
    tools.py        each tool once (name, description, argument model, function), acting for a principal
    parks.py        the scoring port of the tools and its implementation over the scoring library
    backend.py      Question (what a backend is given), the Backend protocol, final_answer()
    answering.py    AnswerService: conversation memory, backend choice, offline fallback
    memory.py       conversations in SQL, kept per principal
    wording.py      what answers say, zh/en (config/assistant/wording.yaml)
    formatting.py   numbers as the tools give them, markdown tables (every renderer)
    numbers.py      numbers in Chinese text normalised (六十五周岁, 百分之五, 三分之一, 七十余家, 三至五年)
    offline/        router, sentence selection, policy answers, answers from tool results, notes, letters
    llm/            chat models, the tool-calling agent, its tool binding, prompts, guards
    evaluation.py   answer quality on an evaluation set
"""
