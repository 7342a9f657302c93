"""POST /api/feedback: a rating of one answer, stored for evaluation (see bot/feedback.py)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel

from bot.feedback import FeedbackIn

router = APIRouter(tags=["feedback"])


class FeedbackOut(BaseModel):
    id: int
    status: str = "stored"


@router.post("/api/feedback", response_model=FeedbackOut, status_code=201)
def post_feedback(body: FeedbackIn, request: Request) -> FeedbackOut:
    """Store a helpful / not helpful rating with the question, answer, citations and comment.

    Give the ``question`` that was asked (or at least the ``message_id`` of the answer); the
    stored rows become evaluation cases with ``parkbot feedback export``.
    """
    record = request.app.state.services.feedback.add(body)
    return FeedbackOut(id=record.id)
