from django.db import models


class Row(models.Model):
    """What the bare form writes: one row per submission."""

    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.text[:40]
