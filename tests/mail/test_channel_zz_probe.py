import sys; sys.path.insert(0, "/tmp")
import crash_probe  # noqa
from tests.mail.test_crash_imap import test_killing_the_fetcher_mid_batch_loses_and_duplicates_nothing  # noqa
