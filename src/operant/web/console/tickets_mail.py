"""Flagged inbound mail: the raw message an agent reads when the parser could not.

The inbox lists these under the "flagged" filter. The page shows the stored bytes as text
(escaped: it is a stranger's message) and offers them as an .eml download for a mail client.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from operant.mail.models import InboundMessage
from operant.web.permissions import agent_required

# Enough to read any real message's headers and text; a 20 MB attachment blob is not for a
# browser's <pre> (the download has it all).
RAW_SHOWN_BYTES = 256 * 1024


@agent_required
@require_GET
def inbound_detail(request: HttpRequest, pk: int) -> HttpResponse:
    inbound = get_object_or_404(InboundMessage.objects.select_related("ticket"), pk=pk)
    raw = bytes(inbound.raw)
    context = {
        "inbound": inbound,
        # Mail is bytes in any charset; replacement characters beat refusing to show it.
        "raw_text": raw[:RAW_SHOWN_BYTES].decode("utf-8", errors="replace"),
        "truncated": len(raw) > RAW_SHOWN_BYTES,
    }
    return render(request, "web/console/tickets/inbound.html", context)


@agent_required
@require_GET
def inbound_raw(request: HttpRequest, pk: int) -> HttpResponse:
    """The message exactly as received, as a download (never rendered by the browser)."""
    inbound = get_object_or_404(InboundMessage, pk=pk)
    response = HttpResponse(bytes(inbound.raw), content_type="message/rfc822")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"inbound-{inbound.pk}.eml"
    )
    response["Content-Security-Policy"] = "sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    return response
