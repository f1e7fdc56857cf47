"""What the supervisors' statistics count, kept as it happens (reporting/statistics_facts.py
writes both tables, in the transaction that writes the ledger entry)."""

from django.db import models


class StatisticsFact(models.Model):
    """One event a figure counts, of one clue: its report, an acceptance, a repeat report, a
    transfer, a conclusion standing, a span from a transfer to a conclusion. The truth the
    daily sums are drawn from, and what a clue's sums are corrected by when it changes."""

    # No foreign key: a figure of the past stays whatever happens to the clue's row.
    clue_id = models.BigIntegerField(db_index=True)
    kind = models.PositiveSmallIntegerField()
    # The day in the portal's time zone.
    day = models.DateField()
    # The clue's region path (report, acceptance, repeat) or the unit's path (the others).
    path = models.CharField(max_length=255, blank=True)
    # The clue's off-site local area: no unit of that area counts it as its own.
    excluded = models.CharField(max_length=255, blank=True)
    category_id = models.BigIntegerField()
    channel = models.CharField(max_length=10)
    # Acknowledged on time (a transfer); a criminal case (a conclusion).
    flag = models.BooleanField(default=False)
    # Microseconds to acknowledge (a transfer) or to conclude (a span), for the medians.
    micros = models.BigIntegerField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["kind", "micros"], name="statfact_kind_micros")]

    def __str__(self):
        return f"{self.clue_id} {self.kind} {self.day}"


class DaySums(models.Model):
    """The key of a daily sum and its counts, as StatisticsDay keeps them and as
    StatisticsPending adds to them."""

    kind = models.PositiveSmallIntegerField()
    node = models.CharField(max_length=255, blank=True)
    category_id = models.BigIntegerField()
    channel = models.CharField(max_length=10, blank=True)
    bucket = models.IntegerField()
    day = models.DateField()
    prev_day = models.DateField()
    n = models.IntegerField()
    flagged = models.IntegerField()

    class Meta:
        abstract = True


class StatisticsDay(DaySums):
    """The facts summed per kind, node (a region or unit path: every clue below it), day,
    category (0: all), channel ("": all), bucket of a span (statistics_facts.bucket; 0
    elsewhere) and the day of the same clue's previous event of that kind under that node
    (prev_day): the distinct clues of a period are the rows whose prev_day lies before it."""

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "node", "category_id", "channel", "bucket", "day", "prev_day"],
                name="statday_key",
            )
        ]

    def __str__(self):
        return f"{self.kind} {self.node} {self.day}: {self.n}"


class StatisticsPending(DaySums):
    """What new reports add to the daily sums, until the worker folds it into StatisticsDay
    (statistics_facts.fold_pending); readers add both. Every report adds to the same rows
    of the day (the national and provincial nodes), and adding to them in the report's own
    transaction made concurrent reports wait for each other's commit on their locks; rows
    that are only ever inserted are locked by nobody. A report writes the rows of its own
    category and channel alone, which add to the sums of all categories and all channels
    too (statistics_facts.RECEIVED_OWN, rolled_up)."""

    def __str__(self):
        return f"{self.kind} {self.node} {self.day}: +{self.n}"
