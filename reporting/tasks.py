"""Where the background tasks were declared before they moved beside their work in jobs/.

A task waiting in a queue names its function by path; these names let tasks queued by an
earlier release still run after an upgrade. Nothing in the project imports this module: new
tasks are queued under their new paths.
"""

from reporting.jobs.follow_up import follow_new_clue_task as follow_new_clue
from reporting.jobs.forwarding import deliver_transfer
from reporting.jobs.mail import send_mail_from_outbox
from reporting.jobs.retention import erase_expired_content
from reporting.jobs.schedule import purge_abandoned_staging, run_periodic_checks
from reporting.jobs.statistics_snapshots import refresh_statistics_snapshots
from reporting.lifecycle.repeats import link_repeat_reports

__all__ = [
    "deliver_transfer",
    "erase_expired_content",
    "follow_new_clue",
    "link_repeat_reports",
    "purge_abandoned_staging",
    "refresh_statistics_snapshots",
    "run_periodic_checks",
    "send_mail_from_outbox",
]
