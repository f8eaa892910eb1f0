from django.urls import path

from operant.desk.models import REF_PREFIX
from operant.web.console import (
    tickets_actions,
    tickets_detail,
    tickets_inbox,
    tickets_mail,
    views,
)

app_name = "console"

# A ticket's URL carries its reference as people write it ("OPR-12"); the converter takes
# the number, so a view never parses references.
TICKET = f"tickets/{REF_PREFIX}-<int:pk>/"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("clients/", views.client_list, name="clients"),
    path("clients/<slug:slug>/", views.client_detail, name="client"),
    path("inbox/", tickets_inbox.inbox, name="inbox"),
    path(TICKET, tickets_detail.ticket_detail, name="ticket"),
    path(
        TICKET + "attachments/<int:attachment_pk>/",
        tickets_detail.ticket_attachment,
        name="ticket_attachment",
    ),
    path(TICKET + "reply/", tickets_actions.ticket_reply_view, name="ticket_reply"),
    path(TICKET + "note/", tickets_actions.ticket_note_view, name="ticket_note"),
    path(TICKET + "class/", tickets_actions.ticket_reclassify_view, name="ticket_reclassify"),
    path(TICKET + "assignee/", tickets_actions.ticket_assign_view, name="ticket_assign"),
    path(TICKET + "state/", tickets_actions.ticket_state_view, name="ticket_state"),
    path(TICKET + "clock/", tickets_actions.ticket_clock_view, name="ticket_clock"),
    path(TICKET + "client/", tickets_actions.ticket_client_view, name="ticket_client"),
    path("mail/<int:pk>/", tickets_mail.inbound_detail, name="inbound"),
    path("mail/<int:pk>/raw/", tickets_mail.inbound_raw, name="inbound_raw"),
]
