"""The offline backend: no model, no network. Router → tools → composer (see backend.py).

::

    router.py        which tool answers a message, with which entities (config/assistant/intents.yaml)
    park_terms.py    the primary, the year, parks and categories that do not exist (intents.yaml park_terms)
    table_rows.py    which rows of a table a question names
    backend.py       OfflineBackend: one handler per intent; build_offline_backend()
    question.py      what a policy question asks: kind of fact, detail and topic, year, places,
                     document metadata (config/assistant/question.yaml)
    evidence.py      whether passages and sentences give what the question asks (scope, year, detail)
    sentences.py     the sentences of the passages that answer a question
    policy.py        policy answers: the direct answer, then the cited sentences; or an honest
                     partial answer or refusal
    metadata.py      questions about a document itself (文号, dates, issuer), from its record
    tool_answers.py  answers from tool results (score cards, eligibility, what-if …)
    notes.py         vintage and status notes under quoted passages
    citations.py     citation numbers and how documents are named
    drafting.py      the formal reply letter (mode "draft"; config/assistant/drafting.yaml)
    composed.py      what a composer returns
"""
