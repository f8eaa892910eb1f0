from django.urls import include, path

from operant.web.portal import (
    allowance,
    quotes,
    requests,
    signin,
    statements,
    status,
    tickets,
    views,
    workflows,
)

app_name = "portal"

# No URL names a client: every view takes it from the signed-in contact (permissions.py).
urlpatterns = [
    path("", views.home, name="home"),
    path("tickets/", tickets.ticket_list, name="tickets"),
    path("tickets/new/", requests.request_new, name="request_new"),
    path("tickets/<int:pk>/", tickets.ticket_detail, name="ticket"),
    path("tickets/<int:pk>/reply/", tickets.ticket_reply, name="ticket_reply"),
    path("allowance/", allowance.allowance, name="allowance"),
    path("status/", status.status, name="status"),
    path("workflows/", workflows.workflow_list, name="workflows"),
    path("workflows/<int:pk>/", workflows.workflow_detail, name="workflow"),
    path("quotes/", quotes.quote_list, name="quotes"),
    path("quotes/<int:pk>/", quotes.quote_detail, name="quote"),
    path("quotes/<int:pk>/pdf/", quotes.quote_pdf, name="quote_pdf"),
    path("quotes/<int:pk>/accept/", quotes.quote_decide, {"action": "accept"}, name="quote_accept"),
    path(
        "quotes/<int:pk>/decline/",
        quotes.quote_decide,
        {"action": "decline"},
        name="quote_decline",
    ),
    # Signing in by emailed link: open to visitors, so no client_user_required here.
    path("signin/", signin.signin_request, name="signin_request"),
    path("signin/<str:token>/", signin.signin_redeem, name="signin_redeem"),
]

urlpatterns += [path("statements/", include(statements.urlpatterns))]
