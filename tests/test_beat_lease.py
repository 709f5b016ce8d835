"""Only one Celery beat runs: a second one stops instead of sending every job twice
(issue 17, item 7)."""

import pytest

from portal.celery import app
from portal.core.beat import BeatAlreadyRunning, BeatLease, SingleBeatScheduler


def test_a_second_lease_is_refused_until_the_first_is_released():
    first, second = BeatLease(), BeatLease()
    first.acquire()
    with pytest.raises(BeatAlreadyRunning, match="only one may run at a time"):
        second.acquire()
    first.renew()
    first.release()
    second.acquire()
    with pytest.raises(BeatAlreadyRunning, match="taken over"):
        first.renew()
    second.release()


@pytest.mark.django_db(transaction=True)  # the scheduler closes its database connection
def test_a_second_scheduler_stops_at_once():
    beat = SingleBeatScheduler(app=app)
    try:
        with pytest.raises(BeatAlreadyRunning):
            SingleBeatScheduler(app=app)
        assert beat.tick() <= beat.lease.seconds / 3  # renews its lease on every tick
    finally:
        beat.close()
    SingleBeatScheduler(app=app).close()  # the lease was released: a new beat may start
