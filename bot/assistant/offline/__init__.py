"""The offline backend: no model, no network. Router → tools → composer (see backend.py).

::

    router.py        which tool answers a message, with which entities (config/assistant/intents.yaml)
    park_terms.py    the primary, the year, parks and categories that do not exist (intents.yaml park_terms)
    table_rows.py    which rows of a table a question names
    backend.py       OfflineBackend: one handler per intent; build_offline_backend()
    sentences.py     the sentences of the passages that answer a question
    policy.py        policy answers: quoted, cited sentences, or a plain refusal
    tool_answers.py  answers from tool results (score cards, eligibility, what-if …)
    notes.py         vintage and status notes under quoted passages
    citations.py     citation numbers and how documents are named
    drafting.py      the formal reply letter (mode "draft"; config/assistant/drafting.yaml)
    composed.py      what a composer returns
"""
