"""Who and what a window covers: the one rule, written once per direction of lookup as a
condition on windows, so "which clients does this window affect" and "which windows affect
this client" (the feed, the quiet check) can never disagree.

- everything: every client and every workflow;
- integrations: clients whose service package includes one of them (clause 05), and the
  workflows that use one of them;
- clients: those clients and all their workflows;
- workflows: those workflows and the clients that own them.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from operant.accounts.models import Client
from operant.maintenance.models import Scope, Window
from operant.monitoring.models import Workflow


def covers_client(client: Any) -> Q:
    """Windows affecting the client (a pk or an ``OuterRef`` to one)."""
    return (
        Q(scope=Scope.EVERYTHING)
        | Q(scope=Scope.INTEGRATIONS, integrations__packages__clients=client)
        | Q(scope=Scope.CLIENTS, clients=client)
        | Q(scope=Scope.WORKFLOWS, workflows__client=client)
    )


def covers_workflow(workflow: Any) -> Q:
    """Windows covering the workflow (a pk or an ``OuterRef`` to one)."""
    return (
        Q(scope=Scope.EVERYTHING)
        | Q(scope=Scope.INTEGRATIONS, integrations__workflows=workflow)
        | Q(scope=Scope.CLIENTS, clients__workflows=workflow)
        | Q(scope=Scope.WORKFLOWS, workflows=workflow)
    )


def window_clients(window: Window) -> QuerySet[Client]:
    """The clients the window affects: one query, however many."""
    covered = Window.objects.filter(covers_client(OuterRef("pk")), pk=window.pk)
    return Client.objects.filter(Exists(covered)).order_by("pk")


def window_workflows(window: Window) -> QuerySet[Workflow]:
    covered = Window.objects.filter(covers_workflow(OuterRef("pk")), pk=window.pk)
    return Workflow.objects.filter(Exists(covered)).order_by("pk")


def windows_for_client(client: Client) -> QuerySet[Window]:
    return Window.objects.filter(pk__in=Window.objects.filter(covers_client(client.pk)))


def windows_for_workflow(workflow_id: int) -> QuerySet[Window]:
    return Window.objects.filter(pk__in=Window.objects.filter(covers_workflow(workflow_id)))
