"""Member development (发展党员), dues history (党费) and pending transfers (组织关系转接) for
the counties of bench/generator.py, deterministic from the seed.

    from bench.city.extras import generate_extras
    generate_extras(city["counties"], seed, date.fromisoformat(city["today"]))

Run on a freshly built city, after the members and posts; dues before transfers (a
transfer reads its 党费交至 from the bills). Rows go through the application's models
inside ``schema_context`` (encrypted fields, blind indexes and constraints apply), one
transaction per county and part; what the application derives it derives itself. The big
dues tables are loaded by COPY in the generator's bulk-load mode: row triggers off, the
audit rows (pghistory) written and the foreign keys checked once per table. Choices come
from ``random.Random(f"{seed}:{schema}:{part}")`` over members ordered by their ID-number
index, never by primary key (which depends on how many workers loaded them); ids, uuids
and tokens that the application draws itself differ from run to run. Shares below are
for a county of 50,000 members.

1. ``developments`` (domain-rules §1): 1.75 % of the members (≈ 875 records, about one per
   branch, branches drawn by size): 入党申请人 30 %, 入党积极分子 30 %, 发展对象 16 %,
   预备党员 16 %, 正式党员 not yet archived 8 %. Applicants, activists and targets are new
   people of 18–46 when applying (``make_id_number`` with the county's code, order codes
   taken from the top so they never meet a member's). 预备党员 and 正式党员 are the
   county's own probationary members and members made full in the last 150 days, whose
   file is what steps 17 and 24 would have left: step 15 on their joining date, the
   probation ending on their full date. The dates keep every rule of the template with
   the county's values (3 months application → activist, ≥ 12 months as activist,
   reviews every 6 months, publicity ≥ 5 working days by the holiday calendar, 政审 and
   预审 still valid at the meeting, approval within 6 months, probation 12 months …), and
   every step passes the app's ``check_time_rules`` (which also gives its ``late_days``),
   ``check_people`` (培养联系人 1–2, 入党介绍人 2: full members of the branch) and
   the voting engine's quorum and majority (steps 15 and 23); a record failing one is
   dropped and reported. Late or waiting: 10 % of talks and 5 % of reviews late, 15 % of
   applicants still waiting for their talk, 20 % of activists' and 10 % of targets' reviews
   behind, recent activists' filings (step 4) and targets' steps 8, 13 and 17 submitted and
   pending with the committee — so the reminders and the overdue figure are not zero.
2. ``dues`` (§2): for every member in normal standing a ``DuesAccount`` from the joining
   date (quarterly for 40 % of the members of the 5 % of branches that allow it) and a
   ``DuesBase`` from January (or the joining month) by occupation: salaried officials,
   professionals, managers (12 % on annual salary) and workers with a net monthly income
   drawn per occupation, the retired with a pension, farmers and students at the fixed
   amount, ``other`` self-employed, unemployed, 低保 or salaried; 4 % got a raise last
   month (a second base). 0.1 % have an approved 减免 (exempt or reduced), 0.05 % a
   pending one. Bills: the app's ``bills_generate`` for each of the last ``months``
   months (this one included). Payments: 0.5 % of members pay nothing, 2.5 % leave the
   latest month unpaid and 1 % the latest two, the others pay everything — a month at a
   time, 8 % two months at once, quarterly payers a quarter — so ≈ 98 % of the bills are
   paid (≈ 96 % of this month's, paid by yesterday); by wechat 45 %, alipay 30 %,
   unionpay 7 %, cash 13 %, bank transfer 5 % (farmers and the retired: cash 45 %); 0.5 %
   add a voluntary extra. Online orders carry a provider transaction id and are
   registered in the public ``PaymentOrder`` registry; cash and transfers a receipt
   number. Then the app's ``arrears_scan``: a flag needs ``dues.unpaid_months_flag`` (6)
   unpaid months in a row, so flags (the non-payers) appear only with ``months`` ≥ 6.
3. ``transfers`` (§3): 0.3 % of the members (≈ 150; at least 6 per county), none holding
   a post, through the app's services (``transfer_start``, ``transfer_approve``,
   ``letter_issue``) with the application's clock set to the day each step was taken:
   45 % within the county (待支部审核 20 %, 待党委审批 35 %, 待接收党委接收 30 %, 待接收支部
   接收 15 %), 30 % to another of the counties (15 / 35 / 50 %, the last as a sealed
   ``TransferEnvelope`` in the receiving county's inbox, sent within its validity), 25 %
   out of the city (15 / 35 / 50 %, the last with the introduction letter and its public
   ``LetterRecord``, issued up to 75 days ago: some receipts are late). A member who
   applies themselves first gets a login (``user_create`` with an unusable password,
   ``member_link_user``).

Left out: uploaded documents (``StepDocument``: the storage is the project's media folder,
shared with the development site — so the 思想汇报 reminders count from the activist date),
applicants' logins, extended or cancelled probations, archived files, completed or
returned transfers, proof letters, retentions, and the payment gateway double's trades (a
reconciliation against the double would miss the online payments).

Layout: ``common`` (random streams, the loading transaction, the clock, COPY in bulk-load
mode with audit rows and key checks), ``developments`` (with ``development_context``,
``development_plans`` and ``development_entries``), ``dues``, ``transfers`` and ``run``
(``generate_extras``, ``summary``).
"""

from __future__ import annotations

# The functions below take the names of their modules on the package (the last binding
# wins): reach a module's helpers by ``from bench.city.extras.dues import ...``, not by
# ``import bench.city.extras.dues as m`` (which would give the function).
from bench.city.extras.developments import developments
from bench.city.extras.dues import dues
from bench.city.extras.run import generate_extras, summary
from bench.city.extras.transfers import transfers

__all__ = ["developments", "dues", "generate_extras", "summary", "transfers"]
