"""Member development standards: the 5 stages and 25 steps (domain-rules.md §1), the
development rule parameters, and the working-day calendar seeded from chinesecalendar.

Filled in place in the linear standards chain. chinesecalendar knows 2004–2026 (the
years the State Council had announced when it was released); later years are added by
ops as ``CalendarYear`` + ``CalendarDay`` rows when the State Council announces them.
"""

from django.db import migrations, models

HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利纪念日",
}
STEP_FIELDS = (
    "name",
    "actor",
    "level",
    "reviewed",
    "documents",
    "requires",
    "rules",
    "people",
    "people_min",
    "people_max",
    "meeting",
    "repeatable",
    "per_probation",
    "enters_status",
    "note",
)


def seed_steps(apps, schema_editor):  # type: ignore[no-untyped-def]
    from shared.standards.seed import load, upsert_rules

    data = load("development_steps")
    stage_model = apps.get_model("standards", "DevelopmentStage")
    step_model = apps.get_model("standards", "DevelopmentStep")
    stages = {}
    for row in data["stages"]:
        stages[row["number"]], _ = stage_model.objects.update_or_create(
            number=row["number"],
            defaults={k: row[k] for k in ("code", "name", "person_title")},
        )
    for row in data["steps"]:
        defaults = {k: row[k] for k in STEP_FIELDS if k in row}
        step_model.objects.update_or_create(
            number=row["number"], defaults={**defaults, "stage": stages[row["stage"]]}
        )
    upsert_rules(apps.get_model("standards", "RuleParameter"), ["development"])


def seed_calendar(apps, schema_editor):  # type: ignore[no-untyped-def]
    import chinese_calendar

    year_model = apps.get_model("standards", "CalendarYear")
    day_model = apps.get_model("standards", "CalendarDay")
    exceptions = {}
    for day, name in chinese_calendar.holidays.items():
        if day.weekday() < 5:  # a holiday on a weekend changes nothing
            exceptions[day] = (False, HOLIDAY_NAMES.get(name, name))
    for day, name in chinese_calendar.workdays.items():
        if day.weekday() >= 5:  # 调休: a weekend worked
            exceptions[day] = (True, HOLIDAY_NAMES.get(name, name) + "调休")
    years = sorted({d.year for d in chinese_calendar.holidays})
    for year in years:
        year_model.objects.update_or_create(
            year=year, defaults={"source": "chinesecalendar 1.11（国务院办公厅节假日安排）"}
        )
    for day, (is_workday, name) in sorted(exceptions.items()):
        day_model.objects.update_or_create(
            date=day, defaults={"is_workday": is_workday, "name": name}
        )


class Migration(migrations.Migration):
    dependencies = [("standards", "0007_rule_parameters")]

    operations = [
        migrations.CreateModel(
            name="CalendarDay",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("date", models.DateField(unique=True, verbose_name="日期")),
                ("is_workday", models.BooleanField(verbose_name="是否工作日")),
                ("name", models.CharField(blank=True, max_length=32, verbose_name="名称")),
            ],
            options={
                "verbose_name": "节假日调整",
                "verbose_name_plural": "节假日调整",
                "ordering": ["date"],
            },
        ),
        migrations.CreateModel(
            name="CalendarYear",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("year", models.PositiveSmallIntegerField(unique=True, verbose_name="年份")),
                ("source", models.CharField(blank=True, max_length=100, verbose_name="来源")),
            ],
            options={
                "verbose_name": "节假日年度",
                "verbose_name_plural": "节假日年度",
                "ordering": ["year"],
            },
        ),
        migrations.CreateModel(
            name="DevelopmentStage",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "number",
                    models.PositiveSmallIntegerField(unique=True, verbose_name="阶段序号"),
                ),
                ("code", models.CharField(max_length=16, unique=True, verbose_name="代码")),
                ("name", models.CharField(max_length=32, verbose_name="名称")),
                ("person_title", models.CharField(max_length=16, verbose_name="人员身份")),
            ],
            options={
                "verbose_name": "发展党员阶段",
                "verbose_name_plural": "发展党员阶段",
                "ordering": ["number"],
            },
        ),
        migrations.CreateModel(
            name="DevelopmentStep",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "number",
                    models.PositiveSmallIntegerField(unique=True, verbose_name="步骤序号"),
                ),
                ("name", models.CharField(max_length=32, verbose_name="名称")),
                ("actor", models.CharField(max_length=64, verbose_name="实施主体")),
                (
                    "level",
                    models.CharField(
                        choices=[
                            ("applicant", "申请人"),
                            ("branch", "党支部"),
                            ("committee", "上级党委"),
                            ("approval", "有审批权限的基层党委"),
                        ],
                        max_length=16,
                        verbose_name="办理层级",
                    ),
                ),
                (
                    "reviewed",
                    models.BooleanField(
                        default=False,
                        help_text="submitted by the branch, passed by a committee",
                        verbose_name="需上级审核",
                    ),
                ),
                ("documents", models.JSONField(blank=True, default=list, verbose_name="必备材料")),
                ("requires", models.JSONField(blank=True, default=list, verbose_name="前置步骤")),
                ("rules", models.JSONField(blank=True, default=list, verbose_name="时间规则")),
                (
                    "people",
                    models.CharField(
                        blank=True,
                        help_text="contact (培养联系人) or introducer (入党介绍人)",
                        max_length=16,
                        verbose_name="人员",
                    ),
                ),
                (
                    "people_min",
                    models.PositiveSmallIntegerField(default=0, verbose_name="人数下限"),
                ),
                (
                    "people_max",
                    models.PositiveSmallIntegerField(default=0, verbose_name="人数上限"),
                ),
                ("meeting", models.BooleanField(default=False, verbose_name="支部大会表决")),
                ("repeatable", models.BooleanField(default=False, verbose_name="可多次记录")),
                (
                    "per_probation",
                    models.BooleanField(
                        default=False,
                        help_text="again after an extended probation",
                        verbose_name="每个预备期一次",
                    ),
                ),
                (
                    "enters_status",
                    models.CharField(blank=True, max_length=16, verbose_name="完成后身份"),
                ),
                ("note", models.TextField(blank=True, verbose_name="说明")),
                (
                    "stage",
                    models.ForeignKey(
                        on_delete=models.deletion.PROTECT,
                        related_name="steps",
                        to="standards.developmentstage",
                        verbose_name="阶段",
                    ),
                ),
            ],
            options={
                "verbose_name": "发展党员步骤",
                "verbose_name_plural": "发展党员步骤",
                "ordering": ["number"],
            },
        ),
        migrations.RunPython(seed_steps, migrations.RunPython.noop),
        migrations.RunPython(seed_calendar, migrations.RunPython.noop),
    ]
