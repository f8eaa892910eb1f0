from django.urls import include, path

from operant.desk.models import REF_PREFIX
from operant.quotes.models import REF_PREFIX as QUOTE_PREFIX
from operant.web.console import (
    alert_channels,
    maintenance,
    monitoring_board,
    monitoring_workflow,
    quotes,
    quotes_actions,
    statements,
    tickets_actions,
    tickets_detail,
    tickets_inbox,
    tickets_mail,
    time_entries,
    vendors,
    vendors_actions,
    vendors_suspected,
    views,
)

app_name = "console"

# A ticket's URL carries its reference as people write it ("OPR-12"); the converter takes
# the number, so a view never parses references.
TICKET = f"tickets/{REF_PREFIX}-<int:pk>/"
QUOTE = f"quotes/{QUOTE_PREFIX}-<int:pk>/"

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
    path(TICKET + "time/", include(time_entries.urlpatterns)),
    path("alerts/", alert_channels.alert_channels, name="alert_channels"),
    path("alerts/test/", alert_channels.alert_test, name="alert_test"),
    path("mail/<int:pk>/", tickets_mail.inbound_detail, name="inbound"),
    path("mail/<int:pk>/raw/", tickets_mail.inbound_raw, name="inbound_raw"),
    path("quotes/", quotes.quote_list, name="quotes"),
    path("quotes/new/", quotes.quote_new, name="quote_new"),
    path(QUOTE, quotes.quote_detail, name="quote"),
    path(QUOTE + "pdf/", quotes.quote_pdf, name="quote_pdf"),
    path(QUOTE + "lines/", quotes_actions.quote_line_add_view, name="quote_line_add"),
    path(
        QUOTE + "lines/<int:line_pk>/remove/",
        quotes_actions.quote_line_remove_view,
        name="quote_line_remove",
    ),
    path(QUOTE + "send/", quotes_actions.quote_send_view, name="quote_send"),
    path(QUOTE + "reopen/", quotes_actions.quote_reopen_view, name="quote_reopen"),
    path(QUOTE + "accept/", quotes_actions.quote_accept_view, name="quote_accept"),
    path(QUOTE + "decline/", quotes_actions.quote_decline_view, name="quote_decline"),
    path(
        QUOTE + "confirm-reply/",
        quotes_actions.quote_confirm_reply_view,
        name="quote_confirm_reply",
    ),
    path(
        QUOTE + "dismiss-reply/",
        quotes_actions.quote_dismiss_reply_view,
        name="quote_dismiss_reply",
    ),
]

urlpatterns += [path("clients/<slug:slug>/statements/", include(statements.urlpatterns))]

WORKFLOW = "monitoring/<int:pk>/"
urlpatterns += [
    path("monitoring/", monitoring_board.board, name="monitoring"),
    path(WORKFLOW, monitoring_workflow.workflow_detail, name="workflow"),
    path(WORKFLOW + "pause/", monitoring_workflow.workflow_pause_view, name="workflow_pause"),
    path(WORKFLOW + "resume/", monitoring_workflow.workflow_resume_view, name="workflow_resume"),
    path(
        WORKFLOW + "versions/", monitoring_workflow.workflow_version_view, name="workflow_version"
    ),
    path(
        WORKFLOW + "accept-live/",
        monitoring_workflow.workflow_accept_live_view,
        name="workflow_accept_live",
    ),
]

urlpatterns += [
    path("vendors/", vendors.incident_list, name="vendor_incidents"),
    path("vendors/incidents/<int:pk>/", vendors.incident_detail, name="vendor_incident"),
    path("vendors/feeds/", vendors.feed_list, name="vendor_feeds"),
    path(
        "vendors/incidents/<int:pk>/confirm/",
        vendors_suspected.incident_confirm_view,
        name="vendor_incident_confirm",
    ),
    path(
        "vendors/incidents/<int:pk>/dismiss/",
        vendors_suspected.incident_dismiss_view,
        name="vendor_incident_dismiss",
    ),
    path("maintenance/", maintenance.window_list, name="maintenance"),
    path("maintenance/add/", maintenance.window_add, name="maintenance_add"),
]

INCIDENT = "vendors/incidents/<int:pk>/"
urlpatterns += [
    path("vendors/report/", vendors_actions.incident_report_view, name="vendor_report"),
    path(
        INCIDENT + "workaround/",
        vendors_actions.incident_workaround_view,
        name="vendor_incident_workaround",
    ),
    path(
        INCIDENT + "approve/", vendors_actions.incident_approve_view, name="vendor_incident_approve"
    ),
    path(INCIDENT + "tickets/", vendors_actions.incident_link_view, name="vendor_incident_link"),
    path(INCIDENT + "post/", vendors_actions.incident_post_view, name="vendor_incident_post"),
]
