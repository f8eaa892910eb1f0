"""``/api/me/workflows``: a client contact's token lists its own client's workflows.

The client comes from the token (``ClientTokenAuth``), never from the request, so no other
client's workflow, nor its ping URL, can be named. A client sees its own ping URL: it is the
address its automation calls.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from operant.api.auth import token_of
from operant.api.client_scope import ClientTokenAuth
from operant.api.schemas import ERRORS
from operant.api.workflow_schemas import MyWorkflowOut
from operant.monitoring.queries import workflows_matching
from operant.monitoring.serialize import workflow_client_json

router = Router(tags=["me"], auth=ClientTokenAuth(), by_alias=True)


@router.get("/workflows", response={200: list[MyWorkflowOut], **ERRORS})
def my_workflows(request: HttpRequest) -> list[dict[str, Any]]:
    """Your workflows by name, with their state, last signal and open outage ticket."""
    token_of(request)  # fails loudly if this route were ever mounted without the token auth
    client = request.client  # type: ignore[attr-defined]
    return [workflow_client_json(w) for w in workflows_matching(client=client)]
