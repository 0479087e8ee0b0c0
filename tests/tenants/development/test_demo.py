from __future__ import annotations

from tenants.development.demo import seed_county
from tenants.development.models import DevelopmentRecord, StepDocument


def test_demo_seed_makes_records_at_each_stage_and_is_idempotent(w):
    seed_county()
    statuses = set(DevelopmentRecord.objects.values_list("status", flat=True))
    assert {"applicant", "activist", "target", "probationary", "full"} <= statuses
    assert StepDocument.objects.filter(content_type="image/png").exists()
    count = DevelopmentRecord.objects.count()
    seed_county()
    assert DevelopmentRecord.objects.count() == count
