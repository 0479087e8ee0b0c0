from django.http import HttpRequest, JsonResponse

from bench.routingapp.models import Item

ROWS = 50


def items(request: HttpRequest) -> JsonResponse:
    """50 rows as JSON, no authentication: one SELECT in every configuration."""
    rows = list(Item.objects.order_by("id").values("id", "name", "value")[:ROWS])
    return JsonResponse({"count": len(rows), "items": rows})
