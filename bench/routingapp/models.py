from django.db import models


class Item(models.Model):
    name = models.CharField(max_length=64)
    value = models.IntegerField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name
