from django.db import models


class Note(models.Model):
    title = models.CharField(max_length=64)

    def __str__(self) -> str:
        return self.title
