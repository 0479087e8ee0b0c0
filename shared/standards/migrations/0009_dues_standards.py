"""Party dues standards (categories, brackets) and the dues rule parameters.

Filled in place in the linear standards chain; seeds ``data/dues_brackets.json`` and
``data/rules/dues.json`` (domain-rules.md §2).
"""

from django.db import migrations, models


def seed(apps, schema_editor):  # type: ignore[no-untyped-def]
    from shared.standards.seed import load, upsert, upsert_rules

    data = load("dues_brackets")
    categories = [{**row, "sort": n * 10} for n, row in enumerate(data["categories"], 1)]
    upsert(apps.get_model("standards", "DuesCategory"), categories)
    bracket = apps.get_model("standards", "DuesBracket")
    for row in data["brackets"]:
        bracket.objects.update_or_create(
            scheme=row["scheme"],
            lower_fen=row["lower_fen"],
            defaults={"upper_fen": row["upper_fen"], "rate_bp": row["rate_bp"]},
        )
    upsert_rules(apps.get_model("standards", "RuleParameter"), ["dues"])


class Migration(migrations.Migration):
    dependencies = [("standards", "0008_development_standards")]

    operations = [
        migrations.CreateModel(
            name="DuesCategory",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("code", models.CharField(max_length=32, unique=True, verbose_name="代码")),
                ("name", models.CharField(max_length=32, verbose_name="名称")),
                (
                    "scheme",
                    models.CharField(
                        choices=[
                            ("salary", "按工资收入比例"),
                            ("retired", "按离退休费比例"),
                            ("fixed", "固定金额"),
                        ],
                        max_length=16,
                        verbose_name="计算方式",
                    ),
                ),
                (
                    "base_label",
                    models.CharField(blank=True, max_length=64, verbose_name="基数说明"),
                ),
                (
                    "amount_rule_key",
                    models.CharField(blank=True, max_length=64, verbose_name="金额规则键"),
                ),
                ("sort", models.PositiveSmallIntegerField(default=0, verbose_name="排序")),
            ],
            options={
                "verbose_name": "党费缴纳类别",
                "verbose_name_plural": "党费缴纳类别",
                "ordering": ["sort", "code"],
            },
        ),
        migrations.CreateModel(
            name="DuesBracket",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "scheme",
                    models.CharField(
                        choices=[
                            ("salary", "按工资收入比例"),
                            ("retired", "按离退休费比例"),
                            ("fixed", "固定金额"),
                        ],
                        max_length=16,
                        verbose_name="计算方式",
                    ),
                ),
                ("lower_fen", models.BigIntegerField(verbose_name="下限（分，不含）")),
                (
                    "upper_fen",
                    models.BigIntegerField(blank=True, null=True, verbose_name="上限（分，含）"),
                ),
                ("rate_bp", models.PositiveIntegerField(verbose_name="比例（万分之）")),
            ],
            options={
                "verbose_name": "党费比例档次",
                "verbose_name_plural": "党费比例档次",
                "ordering": ["scheme", "lower_fen"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("scheme", "lower_fen"),
                        name="standards_duesbracket_scheme_lower_uniq",
                    )
                ],
            },
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
