import datetime as dt, time
import pytest
from django.db import connection
from operant.accounts.models import Client, ServicePackage
from operant.allowance.ledger import allowance_balances
from operant.allowance.models import TimeEntry
from tests.allowance.conftest import MID_DECEMBER

pytestmark = pytest.mark.django_db

def test_bench(catalog, ticket, agent, policy_terms):
    pkg = ServicePackage.objects.first()
    Client.objects.bulk_create([Client(slug=f"c{n}", name=f"C{n}", package=pkg) for n in range(10000)], batch_size=2000)
    ids = list(Client.objects.values_list("pk", flat=True))
    entries = []
    for i, cid in enumerate(ids):
        for m in (dt.date(2026,12,1), dt.date(2026,11,1), dt.date(2026,10,1)):
            for k in ("adjustment", "uncharged"):
                entries.append(TimeEntry(ticket=ticket, client_id=cid, agent=agent, kind=k, minutes=5, work_date=m, month=m, created_at=MID_DECEMBER, updated_at=MID_DECEMBER))
    TimeEntry.objects.bulk_create(entries, batch_size=5000)
    with connection.cursor() as c:
        c.execute("ANALYZE") if connection.vendor == "sqlite" else c.execute("ANALYZE")
    month = dt.date(2026,12,1)
    sql = ("SELECT client_id, SUM(minutes) FROM allowance_timeentry WHERE month = %s AND kind = 'adjustment' "
           "AND deleted_at IS NULL GROUP BY client_id")
    def peer():
        with connection.cursor() as c:
            c.execute(sql, [month]); return c.fetchall()
    def ours_qs(): return allowance_balances(clients=Client.objects.all(), month=month)
    clients = list(Client.objects.all())
    def ours_list(): return allowance_balances(clients=clients, month=month)
    for name, f in [("peer", peer), ("ours_qs", ours_qs), ("ours_list", ours_list)] * 2:
        f()
        t = time.perf_counter()
        for _ in range(5): r = f()
        print(connection.vendor, name, (time.perf_counter()-t)/5, len(r))
    policy_terms(carry_over="true")
    f = ours_qs; f(); t=time.perf_counter()
    for _ in range(5): f()
    print("carry", (time.perf_counter()-t)/5)
