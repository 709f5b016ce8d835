"""The background-job shape: claim once, progress, finish/fail/cancel, requeue a lost job."""

from datetime import timedelta

import pytest
from django.template.loader import render_to_string
from django.utils import timezone

from messagetools.models import MessageCheck
from portal.core.jobs import (
    job_cancel,
    job_claim,
    job_fail,
    job_finish,
    job_progress,
    job_requeue,
    jobs_claim,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def job(customer):
    """A concrete `Job` (the message check is one); no file is needed for these tests."""
    return MessageCheck.objects.create(customer=customer, original="checks/x.eml", original_size=1)


def test_a_job_is_claimed_once(job):
    assert job.state == "queued" and job.is_active and not job.is_lost
    assert job_claim(job=job) is True
    assert job.state == "running" and job.started_at is not None
    again = MessageCheck.objects.get(pk=job.pk)
    assert job_claim(job=again) is False  # another worker has it


def test_a_job_lost_while_running_is_taken_over(job):
    job_claim(job=job)
    MessageCheck.objects.filter(pk=job.pk).update(
        started_at=timezone.now() - MessageCheck.ACTIVE_FOR - timedelta(seconds=1)
    )
    job.refresh_from_db()
    assert job.is_lost and not job.is_active
    assert job_claim(job=job) is True


def test_progress_finish_and_percent(job):
    job_claim(job=job)
    job_progress(job=job, done=2, total=4)
    job.refresh_from_db()
    assert (job.progress_done, job.progress_total, job.percent) == (2, 4, 50)
    job_progress(job=job, done=9)  # never past the total
    assert job.progress_done == 4
    assert job_finish(job=job, verdict="pass") is True
    assert job.state == "done" and job.verdict == "pass" and job.progress_done == 4
    assert job.finished_at is not None and not job.is_active
    assert job_claim(job=job) is False  # a finished job is never run again


def test_a_cancelled_job_stores_nothing_more(job):
    job_claim(job=job)
    assert job_cancel(job=job) is True and job.state == "cancelled"
    job_progress(job=job, done=3, total=5)
    assert job_finish(job=job, verdict="pass") is False
    assert job_fail(job=job, error="late") is False
    job.refresh_from_db()
    assert (job.state, job.verdict, job.error) == ("cancelled", "", "")


def test_fail_keeps_the_reason(job):
    job_claim(job=job)
    assert job_fail(job=job, error="x" * 3000) is True
    assert job.state == "failed" and len(job.error) == 2000


def test_requeue_only_when_not_active_and_keeps_progress(job):
    assert job_requeue(job=job) is False  # still waiting
    job_claim(job=job)
    job_progress(job=job, done=3, total=5)
    assert job_requeue(job=job) is False  # running
    MessageCheck.objects.filter(pk=job.pk).update(
        started_at=timezone.now() - MessageCheck.ACTIVE_FOR * 2
    )
    assert job_requeue(job=job) is True
    assert job.state == "queued" and job.progress_done == 3 and job.started_at is None
    assert job.is_active


def test_jobs_claim_takes_only_the_free_ones(customer, job):
    other = MessageCheck.objects.create(customer=customer, original="checks/y.eml", original_size=1)
    done = MessageCheck.objects.create(
        customer=customer, original="checks/z.eml", original_size=1, state="done"
    )
    job_claim(job=other)
    assert jobs_claim(model=MessageCheck, pks=[job.pk, other.pk, done.pk]) == [job.pk]


def test_the_polling_partial_polls_only_while_active(job):
    html = render_to_string("partials/_job_progress.html", {"job": job, "poll_url": "/p/"})
    assert 'hx-get="/p/" hx-trigger="every 1s"' in html
    assert '<noscript><meta http-equiv="refresh" content="2"></noscript>' in html
    assert 'role="progressbar"' in html and 'href="/p/"' in html
    job_claim(job=job)
    job_finish(job=job)
    html = render_to_string("partials/_job_progress.html", {"job": job, "poll_url": "/p/"})
    assert "hx-trigger" not in html and "refresh" not in html
